"""Readers for text, markdown and HTML papers (papers already converted from PDF).

Tab-separated rows (whose cells may hold HTML fragments) and markdown pipe
tables become TableGrids; ``#`` headings and whole-line ``**bold**`` keep
their layout meaning; form feeds split pages.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

from ingest.document import Document, Line, Page, TableGrid
from ingest.errors import ReadError
from ingest.readers.aligned import find_aligned_tables
from ingest.readers.layout import clean_cell, square_rows, strip_markup, strip_running_lines
from ingest.readers.stream import find_stream_tables

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
PIPE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def decode(data: bytes) -> str:
    if not data.strip():
        raise ReadError("empty file (no text)")
    if b"\x00" in data[:4096]:
        raise ReadError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_text(path: Path, data: bytes) -> Document:
    """Read a .txt or .md paper."""
    text = decode(data)
    if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        return read_html(path, data)
    pages = [_text_page(chunk, n) for n, chunk in enumerate(text.split("\f"), start=1)]
    pages = [p for p in pages if p.lines or p.tables] or pages[:1]
    fmt = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    doc = Document(str(path), hashlib.sha256(data).hexdigest(), fmt, strip_running_lines(pages))
    if not any(p.lines for p in doc.pages):
        raise ReadError("no text found")
    return doc


def _is_row(raw: str) -> bool:
    return "\t" in raw.strip("\n") and bool(raw.strip()) or bool(PIPE_ROW_RE.match(raw))


def _split_row(raw: str) -> list[str]:
    if PIPE_ROW_RE.match(raw):
        return [clean_cell(c) for c in raw.strip().strip("|").split("|")]
    return [clean_cell(c) for c in raw.rstrip("\n").split("\t")]


def _text_page(chunk: str, number: int) -> Page:
    lines: list[Line] = []
    tables: list[TableGrid] = []
    rows: list[list[str]] = []
    width = 0  # the widest raw row of the table being collected
    raws = chunk.splitlines()
    found = find_aligned_tables(raws)
    taken = {i for start, end, _ in found for i in range(start, end)}
    found += [t for t in find_stream_tables(raws) if not taken & set(range(t[0], t[1]))]
    spans = {start: (end, cells) for start, end, cells in found}
    skip_to = 0
    for index, raw in enumerate(raws):
        if index < skip_to:
            continue
        if index in spans:
            if rows:
                tables.append(TableGrid(page=number, rows=square_rows(rows), ruled=False))
                rows = []
            skip_to, grid = spans[index]
            tables.append(TableGrid(page=number, rows=square_rows(grid), ruled=False))
            continue
        if _is_row(raw):
            if PIPE_RULE_RE.match(raw):
                continue
            cells = _split_row(raw)
            if rows and len(cells) > width:
                # Converters write each table at one width; a wider row is a new table.
                tables.append(TableGrid(page=number, rows=square_rows(rows), ruled=False))
                rows = []
            width = len(cells) if not rows else max(width, len(cells))
            rows.append(cells)
            continue
        if not raw.strip():
            continue  # blank lines do not end a table: converters put them between rows
        if rows:
            tables.append(TableGrid(page=number, rows=square_rows(rows), ruled=False))
            rows = []
        lines.append(_text_line(raw, number))
    if rows:
        tables.append(TableGrid(page=number, rows=square_rows(rows), ruled=False))
    return Page(number, [ln for ln in lines if ln.text], [t for t in tables if t.rows])


def _text_line(raw: str, number: int) -> Line:
    m = HEADING_RE.match(raw.strip())
    if m:
        return Line(strip_markup(m.group(2)), number, heading=len(m.group(1)), bold=True)
    stripped = raw.strip()
    bold = stripped.startswith("**") and stripped.endswith("**") and len(stripped) > 4
    return Line(strip_markup(stripped), number, bold=bold)


class _HTMLText(HTMLParser):
    """Collects block-level text lines and tables from HTML."""

    BLOCKS = {"p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.tables: list[list[list[str]]] = []
        self._buf: list[str] = []
        self._heading = 0
        self._bold = 0
        self._skip = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag == "table":
            self._flush()
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("b", "strong"):
            self._bold += 1
        elif tag in self.BLOCKS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._heading = int(tag[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(clean_cell(" ".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag in ("b", "strong"):
            self._bold = max(0, self._bold - 1)
        elif tag in self.BLOCKS:
            self._flush()
            self._heading = 0

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self._buf.append(data)

    def _flush(self) -> None:
        text = strip_markup(" ".join(self._buf))
        if text:
            self.lines.append(Line(text, 1, heading=self._heading, bold=self._heading > 0))
        self._buf = []


def read_html(path: Path, data: bytes) -> Document:
    """Read an HTML paper: block elements become lines, <table>s become tables."""
    parser = _HTMLText()
    parser.feed(decode(data))
    parser.close()
    parser._flush()
    tables = [TableGrid(1, square_rows(rows)) for rows in parser.tables if rows]
    page = Page(1, parser.lines, [t for t in tables if t.rows])
    if not page.lines and not page.tables:
        raise ReadError("no text found in HTML")
    return Document(str(path), hashlib.sha256(data).hexdigest(), "html", [page])
