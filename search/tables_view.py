"""Tables for people: a listing with provenance, one table aligned for a terminal.

Pure functions over Table and DocumentRecord values, plus two narrow readers
that fetch them from the store. A table is named by its record id, a unique
prefix of it, or the file name the export gives it (``<paper>-p<page>-t<n>``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from index.store import RecordStore
from ingest.records import DocumentRecord, Table
from search.export import table_file_name

MAX_CELL_WIDTH = 40  # wider cells wrap onto more lines
FUZZY_MATCH = 85.0  # rapidfuzz partial ratio for a query word that is not found as it is
NUMERIC_RE = re.compile(r"^[£$€]?[-+]?\d[\d,]*(?:\.\d+)?%?$")


@dataclass(frozen=True)
class TableFilter:
    """What `minutebook tables` narrows by: words, a year range and a document type."""

    query: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    doc_type: str | None = None


def table_shape(table: Table) -> tuple[int, int]:
    """(rows, columns) as printed: the header counts as a row when there is one."""
    rows = ([table.header] if table.header else []) + table.rows
    return len(rows), max((len(r) for r in rows), default=0)


def table_label(table: Table, headings: dict[tuple[str, int], str]) -> str:
    """The caption, else the nearest heading on the table's page, else ''."""
    return table.caption or headings.get((table.document_id, table.page), "")


def table_text(table: Table, doc: DocumentRecord | None, label: str) -> str:
    """Everything a query may match: label, title, header and every cell."""
    parts = [label, doc.title if doc else "", " ".join(table.header)]
    parts += [" ".join(row) for row in table.rows]
    return " ".join(parts).lower()


def matches(query: str, text: str) -> bool:
    """Every word of the query occurs in the text, exactly or nearly (rapidfuzz)."""
    for word in query.lower().split():
        if word not in text and fuzz.partial_ratio(word, text) < FUZZY_MATCH:
            return False
    return True


def in_filter(doc: DocumentRecord | None, flt: TableFilter) -> bool:
    if flt.doc_type and (doc is None or doc.doc_type != flt.doc_type):
        return False
    year = doc.year if doc else None
    if flt.year_from and (year is None or year < flt.year_from):
        return False
    return not (flt.year_to and (year is None or year > flt.year_to))


def list_row(table: Table, doc: DocumentRecord | None, label: str) -> dict[str, Any]:
    """One line of `minutebook tables`: where the table is and how big."""
    n_rows, n_cols = table_shape(table)
    return {
        "id": table.id,
        "document": doc.source if doc else table.document_id,
        "title": doc.title if doc else None,
        "date": doc.date if doc else None,
        "page": table.page,
        "caption": label,
        "rows": n_rows,
        "columns": n_cols,
        "file": table_file_name(table, doc),
    }


def list_tables(store: RecordStore, flt: TableFilter) -> list[dict[str, Any]]:
    """Rows for every table that passes the filter, oldest paper first."""
    docs = documents(store)
    headings = page_headings(store)
    out = []
    for table in store.iter_records("tables"):
        assert isinstance(table, Table)
        doc = docs.get(table.document_id)
        if not in_filter(doc, flt):
            continue
        label = table_label(table, headings)
        if flt.query and not matches(flt.query, table_text(table, doc, label)):
            continue
        out.append(list_row(table, doc, label))
    out.sort(key=lambda r: (r["date"] or "9999", r["document"], r["page"]))
    return out


def documents(store: RecordStore) -> dict[str, DocumentRecord]:
    return {d.id: d for d in store.iter_records("documents") if isinstance(d, DocumentRecord)}


def page_headings(store: RecordStore) -> dict[tuple[str, int], str]:
    """(document id, page) -> the first section heading of a passage on that page."""
    out: dict[tuple[str, int], str] = {}
    sql = ("SELECT document_id, page, section FROM passages WHERE section IS NOT NULL "
           "AND section != '' AND section NOT LIKE 'Table %' ORDER BY rowid")
    for row in store.iter_rows(sql):
        out.setdefault((row[0], row[1]), row[2])
    return out


def find_table(store: RecordStore, key: str) -> tuple[Table, DocumentRecord | None] | None:
    """The table with this id, unique id prefix or export file name (with or without .csv)."""
    found = [t for t in store.iter_records("tables", "id=?", (key,)) if isinstance(t, Table)]
    if not found:
        found = [t for t in store.iter_records("tables", "id LIKE ?", (key + "%",))
                 if isinstance(t, Table)]
    docs = documents(store)
    if not found:
        name = key if key.endswith(".csv") else key + ".csv"
        found = [t for t in store.iter_records("tables") if isinstance(t, Table)
                 and table_file_name(t, docs.get(t.document_id)) == name]
    if len(found) != 1:
        return None
    return found[0], docs.get(found[0].document_id)


# --- terminal alignment ---------------------------------------------------------------


def trim_row(row: Sequence[str]) -> list[str]:
    """A row without its trailing empty cells."""
    cells = list(row)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def column_widths(rows: Sequence[Sequence[str]], max_width: int) -> list[int]:
    n_cols = max((len(r) for r in rows), default=0)
    widths = [1] * n_cols
    for row in rows:
        for i, cell in enumerate(row):
            longest = max((len(line) for line in cell.splitlines()), default=0)
            widths[i] = min(max(widths[i], longest), max_width)
    return widths


def wrap_row(row: Sequence[str], widths: Sequence[int]) -> list[list[str]]:
    """Each cell of a row as its wrapped lines (at least one, '' for missing cells)."""
    cells = list(row) + [""] * (len(widths) - len(row))
    return [textwrap.wrap(c, w, break_long_words=True) or [""] for c, w in zip(cells, widths,
                                                                               strict=True)]


def render_row(row: Sequence[str], widths: Sequence[int]) -> list[str]:
    """Printed lines of one row: numbers right-aligned, text left-aligned, ' | ' between."""
    wrapped = wrap_row(row, widths)
    height = max(len(lines) for lines in wrapped)
    out = []
    for i in range(height):
        parts = []
        for lines, width in zip(wrapped, widths, strict=True):
            text = lines[i] if i < len(lines) else ""
            numeric = NUMERIC_RE.match(text.strip()) is not None
            parts.append(text.rjust(width) if numeric else text.ljust(width))
        out.append(" | ".join(parts).rstrip())
    return out


def align_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                max_width: int = MAX_CELL_WIDTH) -> str:
    """A table as aligned plain text, with a rule under the header when there is one."""
    head = trim_row(header)
    body = [trim_row(r) for r in rows]
    widths = column_widths(([head] if head else []) + body, max_width)
    if not widths:
        return "(empty table)"
    lines: list[str] = []
    if head:
        lines += render_row(head, widths)
        lines.append("-+-".join("-" * w for w in widths))
    for row in body:
        lines += render_row(row, widths)
    return "\n".join(lines)


def table_title(table: Table, doc: DocumentRecord | None, label: str) -> str:
    """One line above a printed table: caption, paper, date and page."""
    n_rows, n_cols = table_shape(table)
    where = f"{doc.source if doc else table.document_id} p.{table.page}"
    when = (doc.date if doc else None) or "undated"
    return f"{label or 'table ' + str(table.index)} · {when} · {where} · {n_rows} x {n_cols}"
