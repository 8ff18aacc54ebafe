"""Passages: runs of text under one heading on one page, the unit of full-text search.

A passage breaks at a heading, a bold line, a numbered item heading, or when
it grows past ``max_chars``; each table adds a passage of its cells so that a
cell value finds the table and its page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.document import Document, Line, TableGrid
from ingest.ids import record_id
from ingest.records import Passage

ITEM_HEADING_RE = re.compile(r"^\d{1,3}\.?\s+[A-Z][A-Z ,&'()/:-]{3,}$")
MAX_CHARS = 1200


def is_heading(line: Line) -> bool:
    """A line that starts a section: a heading by layout, a short bold line, a CAPS item."""
    if line.heading:
        return True
    text = line.text
    return (line.bold and len(text) < 120) or bool(ITEM_HEADING_RE.match(text))


def lines_to_sections(lines: list[Line], max_chars: int = MAX_CHARS) -> Iterator[
    tuple[str | None, list[Line]]
]:
    """Group one page's lines into (heading, lines) runs no longer than ``max_chars``."""
    heading: str | None = None
    run: list[Line] = []
    size = 0
    for line in lines:
        if is_heading(line):
            if run:
                yield heading, run
            heading, run, size = line.text, [line], len(line.text)
            continue
        if run and size + len(line.text) > max_chars:
            yield heading, run
            run, size = [], 0
        run.append(line)
        size += len(line.text) + 1
    if run:
        yield heading, run


def table_text(table: TableGrid) -> str:
    return "\n".join(" | ".join(c for c in row if c) for row in table.rows)


def extract_passages(doc: Document, carried_heading: bool = True) -> list[Passage]:
    """Every page's text as passages, plus one passage per table."""
    out: list[Passage] = []
    last_heading: str | None = None
    for page in doc.pages:
        for heading, run in lines_to_sections(page.lines):
            section = heading or (last_heading if carried_heading else None)
            text = "\n".join(line.text for line in run)
            out.append(Passage("", doc.id, page.number, section, text))
            last_heading = section
        for n, table in enumerate(page.tables, start=1):
            out.append(Passage("", doc.id, page.number, f"Table {n}", table_text(table)))
    for i, passage in enumerate(out, start=1):
        passage.id = record_id(doc.id, "passage", i)
    return out
