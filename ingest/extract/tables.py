"""Tables: the reader's cell grids as Table records, one per logical table.

Users export whole tables, so a table cut by a page break comes out as one
record (page = its first page) with the repeated header row dropped and the
merge noted in its caption. A table printed inside a cell of another (a
figures grid inside a RAG report's "Performance" cell) is split out as its
own record, because its columns do not line up with the outer table's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ingest.document import Document, Line, Page, TableGrid
from ingest.ids import record_id
from ingest.normalize import clean_space
from ingest.records import Table

Rows = list[list[str]]

HEADER_MAX_CHARS = 60
HEADER_MAX_WORDS = 8
KEY_VALUE_MAX_WORDS = 3  # a two-column header is two short labels, not "label | value"
REPEAT_HEADER_SIMILARITY = 90.0  # rapidfuzz ratio above which a row repeats the header
NESTED_MIN_ROWS = 2

NUMBER_RE = re.compile(r"^[£$€]?[-+]?\d[\d,]*(?:\.\d+)?%?$")
YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
RAG_RE = re.compile(r"^(?:[RAG]|[RAG]/[RAG]|red|amber|green|n/?a|[-–—])$", re.IGNORECASE)
TABLE_LABEL_RE = re.compile(r"^(?:table|figure)\s+\d", re.IGNORECASE)


@dataclass
class TablePart:
    """A table being assembled: its rows, where it starts and which pages it covers."""

    page: int
    last_page: int
    rows: Rows
    caption: str | None
    row_pages: list[int]  # the page each row is printed on


def extract_tables(doc: Document) -> list[Table]:
    """Every logical table of a document, numbered in reading order."""
    parts = merge_page_breaks(doc.pages)
    tables: list[Table] = []
    for part in parts:
        for rows, caption in split_nested(part.rows, part.caption):
            header, body = split_header(rows)
            n = len(tables) + 1
            tables.append(
                Table(
                    id=record_id(doc.id, "table", n),
                    document_id=doc.id,
                    page=part.page,
                    index=n,
                    header=header,
                    rows=body,
                    continued_from=None,
                    caption=caption,
                )
            )
    return tables


# --- page breaks -------------------------------------------------------------------------


def merge_page_breaks(pages: Sequence[Page]) -> list[TablePart]:
    """Grids in reading order, each continuation folded into the table it continues."""
    parts: list[TablePart] = []
    previous: tuple[Page, TableGrid] | None = None
    for page in pages:
        for grid in page.tables:
            rows = [list(row) for row in grid.rows]
            if previous and parts and continues(previous, (page, grid), parts[-1].rows):
                append_continuation(parts[-1], rows, page.number)
            else:
                caption = caption_above(page.lines, grid.top)
                parts.append(TablePart(page.number, page.number, rows, caption,
                                       [page.number] * len(rows)))
            previous = (page, grid)
    for part in parts:
        if part.last_page != part.page:
            note = f"(pages {part.page}-{part.last_page})"
            part.caption = f"{part.caption} {note}" if part.caption else note
    return parts


def continues(before: tuple[Page, TableGrid], after: tuple[Page, TableGrid], rows: Rows) -> bool:
    """Whether ``after`` carries on the table ``before`` left at the foot of the previous page.

    It must be the first table of the next page, as wide, with no text above
    it; and either the table before ends its page or the header row repeats.
    Without positions (text readers) only a repeated header counts.
    """
    (page_a, grid_a), (page_b, grid_b) = before, after
    if page_b.number != page_a.number + 1 or grid_b is not page_b.tables[0]:
        return False
    if grid_a is not page_a.tables[-1] or row_width(grid_a.rows) != row_width(grid_b.rows):
        return False
    repeated = repeats_header(rows, grid_b.rows[0])
    if grid_b.top is None or grid_a.bottom is None:
        return repeated
    if any(line.top is not None and line.top < grid_b.top for line in page_b.lines):
        return False
    ends_page = not any(line.top is not None and line.top > grid_a.bottom for line in page_a.lines)
    return ends_page or repeated


def repeats_header(rows: Rows, first_row: Sequence[str]) -> bool:
    """Whether a continuation's first row is (nearly) the header of the table it continues."""
    header, _ = split_header(rows)
    if not header:
        return False
    return fuzz.ratio(row_key(header), row_key(first_row)) >= REPEAT_HEADER_SIMILARITY


def append_continuation(part: TablePart, rows: Rows, page: int) -> None:
    """Add a continuation's rows to ``part``, its repeated header row dropped."""
    if rows and repeats_header(part.rows, rows[0]):
        rows = rows[1:]
    width = row_width(part.rows)
    part.rows.extend((row + [""] * width)[: max(width, len(row))] for row in rows)
    part.row_pages.extend([page] * len(rows))
    part.last_page = page


def row_key(row: Sequence[str]) -> str:
    return " | ".join(clean_space(cell).lower() for cell in row)


def row_width(rows: Sequence[Sequence[str]]) -> int:
    return max((len(row) for row in rows), default=0)


# --- captions ----------------------------------------------------------------------------


def caption_above(lines: Sequence[Line], top: float | None) -> str | None:
    """The nearest heading, bold line or "Table n" line above a table on its page."""
    if top is None:
        return None
    above = [
        line for line in lines if line.top is not None and line.top < top and is_caption_line(line)
    ]
    if not above:
        return None
    return max(above, key=lambda line: line.top or 0.0).text


def is_caption_line(line: Line) -> bool:
    return bool(line.heading or line.bold or TABLE_LABEL_RE.match(line.text))


# --- nested tables and padding -----------------------------------------------------------


def split_nested(rows: Rows, caption: str | None) -> list[tuple[Rows, str | None]]:
    """The outer table, then each table printed inside one of its cells, padding dropped.

    A nested table is a run of rows with an empty first cell that fills a
    column no other row uses; its caption is the label of the row above it.
    """
    outer = rows
    nested: list[tuple[Rows, str | None]] = []
    while (span := find_nested_run(outer)) is not None:
        start, end = span
        label = next((row[0] for row in reversed(outer[:start]) if row and row[0]), caption)
        nested.append((drop_empty_columns(outer[start:end]), label))
        outer = outer[:start] + outer[end:]
    return [(drop_empty_columns(outer), caption), *nested]


def find_nested_run(rows: Rows) -> tuple[int, int] | None:
    """(start, end) of the first run of rows that forms a table inside a cell, or None."""
    i = 1
    while i < len(rows):
        if rows[i] and rows[i][0]:
            i += 1
            continue
        end = i
        while end < len(rows) and rows[end] and not rows[end][0]:
            end += 1
        if end - i >= NESTED_MIN_ROWS and uses_own_column(rows, i, end):
            return i, end
        i = end
    return None


def uses_own_column(rows: Rows, start: int, end: int) -> bool:
    """Whether rows[start:end] fill a column that every other row leaves empty."""
    inside = filled_columns(rows[start:end])
    outside = filled_columns(rows[:start] + rows[end:])
    return bool(outside) and bool(inside - outside)


def filled_columns(rows: Rows) -> set[int]:
    return {i for row in rows for i, cell in enumerate(row) if cell.strip()}


def drop_empty_columns(rows: Rows) -> Rows:
    """Rows without the columns that are empty in every row (layout padding)."""
    keep = sorted(filled_columns(rows))
    return [[row[i] if i < len(row) else "" for i in keep] for row in rows]


# --- header ------------------------------------------------------------------------------


def split_header(rows: Rows) -> tuple[list[str], Rows]:
    """(header, body): the first row is the header when it reads as column labels."""
    if len(rows) >= 2 and looks_like_header(rows[0]):
        return list(rows[0]), [list(r) for r in rows[1:]]
    return [], [list(r) for r in rows]


def looks_like_header(row: Sequence[str]) -> bool:
    """Short, non-numeric labels filling the row (one empty corner cell allowed).

    A two-column row must be two short labels, so that a "Report to | Haringey
    CSP" field table is not read as having a header.
    """
    filled = [clean_space(cell) for cell in row if cell.strip()]
    if len(filled) < 2 or len(filled) < len(row) - 1:
        return False
    if not all(is_label(cell) for cell in filled):
        return False
    if len(row) == 2:
        return all(
            len(cell.split()) <= KEY_VALUE_MAX_WORDS and not re.search(r"\d", cell)
            for cell in filled
        )
    return True


def is_label(cell: str) -> bool:
    """A cell that can name a column: short text, not a number, code or sentence."""
    if len(cell) > HEADER_MAX_CHARS or len(cell.split()) > HEADER_MAX_WORDS:
        return False
    if RAG_RE.match(cell) or (NUMBER_RE.match(cell) and not YEAR_RE.match(cell)):
        return False
    if cell.endswith((".", ":", ";")):
        return False
    first_letter = next((ch for ch in cell if ch.isalpha()), "")
    return not first_letter.islower()
