"""The export as one workbook, and `export --format csv|jsonl|xlsx`.

The workbook has a sheet per record kind and a sheet per table. Every row
starts with its provenance (document, date, page); cells that are numbers
("1,290", "17%", "£85,000") are written as numbers with a matching number
format; ISO dates are written as dates. Header rows are bold, filled and
frozen. Sheets are written in openpyxl's write-only mode, so rows stream.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from index.store import RecordStore
from ingest.errors import PipelineError
from ingest.records import EXPORT_KINDS, DocumentRecord, Record, Table
from search.export import _csv_value, export_all, export_tables, table_file_name

FORMATS = ("csv", "jsonl", "xlsx")
WORKBOOK_NAME = "minutebook.xlsx"
PROVENANCE = ("document", "date", "page")  # table sheets
KIND_PROVENANCE = ("document", "document_date")  # kind sheets: the record's own page follows
SHEET_NAME_MAX = 31
SHEET_BAD_CHARS = re.compile(r"[\[\]:*?/\\']+")
MAX_CELL_CHARS = 32767
MAX_COLUMN_WIDTH = 60
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_RE = re.compile(r"^(£)?(-)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%)?$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEADER_FILL = "DDE5F0"


class ExportFormatError(PipelineError):
    """An export format minutebook does not write."""


# --- cells ------------------------------------------------------------------------------


def typed_cell(text: Any) -> tuple[Any, str | None]:
    """A cell value as Excel should hold it, and its number format (None for General).

    '1,290' -> (1290, '#,##0'); '17%' -> (0.17, '0%'); '£85,000' -> (85000, '"£"#,##0');
    '2023-10-26' -> (date, 'yyyy-mm-dd'). Text with leading zeros ('007') stays text.
    """
    if text is None:
        return None, None
    if isinstance(text, _TextCell):
        return _safe_text(str(text)), None
    if isinstance(text, bool | int | float):
        return text, None
    if isinstance(text, list | dict):
        return _safe_text(json.dumps(text, ensure_ascii=False)), None
    s = str(text).strip()
    m = NUMBER_RE.match(s)
    if m and not (len(m.group(3)) > 1 and m.group(3).startswith("0")):
        return _number(m)
    if ISO_DATE_RE.match(s):
        try:
            return dt.date.fromisoformat(s), "yyyy-mm-dd"
        except ValueError:
            pass
    return _safe_text(str(text)), None


def _number(m: re.Match[str]) -> tuple[float | int, str]:
    pound, minus, whole, frac, percent = m.groups()
    value: float | int = float(whole.replace(",", "") + (frac or ""))
    if not frac:
        value = int(value)
    if minus:
        value = -value
    decimals = "." + "0" * (len(frac) - 1) if frac else ""
    if percent:
        return value / 100, f"0{decimals}%"
    grouping = "#,##0" if "," in whole else "0"
    return value, (f'"£"{grouping}{decimals}' if pound else f"{grouping}{decimals}")


def _safe_text(text: str) -> str:
    """Text openpyxl accepts: no control characters, at most Excel's cell length."""
    return CONTROL_CHARS.sub("", text)[:MAX_CELL_CHARS]


def sheet_name(wanted: str, used: set[str]) -> str:
    """A legal sheet name (31 chars, no []:*?/\\'), unique ignoring case among ``used``."""
    base = SHEET_BAD_CHARS.sub("_", wanted).strip() or "sheet"
    name = base[:SHEET_NAME_MAX]
    n = 1
    while name.lower() in used:
        n += 1
        suffix = f"~{n}"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(name.lower())
    return name


# --- workbook ---------------------------------------------------------------------------


def _provenance(kind: type[Record], data: dict[str, Any],
                docs: dict[str, DocumentRecord]) -> list[Any]:
    """(document source, document date) of a record; people have none."""
    if kind is DocumentRecord:
        return [data["source"], data["date"]]
    if "document_id" not in data:
        return [None, None]
    doc = docs.get(data["document_id"])
    return [doc.source if doc else data["document_id"], doc.date if doc else None]


class _Sheet:
    """A write-only sheet with a styled, frozen header and widths fitted to the first rows."""

    def __init__(self, wb: Any, name: str, header: Sequence[str]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        self.ws = wb.create_sheet(name)
        self.ws.freeze_panes = "A2"
        self._cell = WriteOnlyCell
        for i, title in enumerate(header, start=1):
            width = min(max(len(str(title)) + 2, 10), MAX_COLUMN_WIDTH)
            self.ws.column_dimensions[get_column_letter(i)].width = width
        if header:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}1"
        cells = []
        for title in header:
            cell = WriteOnlyCell(self.ws, value=_safe_text(str(title)))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cells.append(cell)
        self.ws.append(cells)

    def append(self, values: Iterable[Any]) -> None:
        row = []
        for value in values:
            typed, fmt = typed_cell(value)
            cell = self._cell(self.ws, value=typed)
            if fmt:
                cell.number_format = fmt
            row.append(cell)
        self.ws.append(row)


def table_sheet_name(table: Table, doc: DocumentRecord | None) -> str:
    """'<paper>-p<page>-t<n>' with the paper's name cut so the page and number survive."""
    stem = table_file_name(table, doc).removesuffix(".csv")
    tail = f"-p{table.page}-t{table.index}"
    stem = stem.removesuffix(tail)
    return stem[: SHEET_NAME_MAX - len(tail)] + tail


def write_workbook(store: RecordStore, path: Path) -> dict[str, int]:
    """Write the workbook; returns rows per kind sheet and the number of table sheets."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    docs = {d.id: d for d in store.iter_records("documents") if isinstance(d, DocumentRecord)}
    used: set[str] = set()
    counts: dict[str, int] = {}
    table_sheets: dict[str, str] = {}
    for table in store.iter_records("tables"):
        assert isinstance(table, Table)
        table_sheets[table.id] = table_sheet_name(table, docs.get(table.document_id))
    reserved = {k.kind for k in EXPORT_KINDS}
    used |= reserved
    named = {tid: sheet_name(stem, used) for tid, stem in table_sheets.items()}
    used -= reserved
    for kind in EXPORT_KINDS:
        counts[kind.kind] = _write_kind(wb, store, kind, docs, named, used)
    for table in store.iter_records("tables"):
        assert isinstance(table, Table)
        _write_table(wb, table, docs.get(table.document_id), named[table.id])
    counts["table sheets"] = len(named)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return counts


def _write_kind(wb: Any, store: RecordStore, kind: type[Record],
                docs: dict[str, DocumentRecord], named: dict[str, str], used: set[str]) -> int:
    fields = kind.field_names()
    extra = ["sheet"] if kind is Table else []
    sheet = _Sheet(wb, sheet_name(kind.kind, used), [*KIND_PROVENANCE, *fields, *extra])
    n = 0
    for record in store.iter_records(kind.kind):
        data = record.to_dict()
        row = [*_provenance(kind, data, docs), *(_kind_cell(data[f]) for f in fields)]
        if kind is Table:
            row.append(named.get(data["id"], ""))
        sheet.append(row)
        n += 1
    return n


def _kind_cell(value: Any) -> Any:
    """Record fields keep their types: text fields are not read as numbers."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and not ISO_DATE_RE.match(value):
        return _TextCell(value)
    return value


class _TextCell(str):
    """A record's text field: written as text even when it looks like a number."""


def table_rows(table: Table) -> Iterator[list[str]]:
    """A table's body rows without trailing empty cells."""
    for row in table.rows:
        cells = list(row)
        while cells and not str(cells[-1]).strip():
            cells.pop()
        yield cells


def _write_table(wb: Any, table: Table, doc: DocumentRecord | None, name: str) -> None:
    width = max([len(table.header), *(len(r) for r in table.rows)], default=0)
    header = list(table.header) + [""] * (width - len(table.header))
    if not table.header:
        header = [f"column {i}" for i in range(1, width + 1)]
    sheet = _Sheet(wb, name, [*PROVENANCE, *header])
    where = [doc.source if doc else table.document_id, doc.date if doc else None, table.page]
    for row in table_rows(table):
        sheet.append([*where, *row])


# --- export --format --------------------------------------------------------------------


def export_format(store: RecordStore, out: Path, fmt: str | None) -> dict[str, int]:
    """`export --format`: None writes the whole contract (both files per kind and tables/);
    'csv' the CSV files and tables/; 'jsonl' the JSONL files; 'xlsx' DIR/minutebook.xlsx."""
    if fmt is None:
        return export_all(store, out)
    if fmt not in FORMATS:
        raise ExportFormatError(f"unknown export format {fmt!r}: choose one of "
                                f"{', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return write_workbook(store, out / WORKBOOK_NAME)
    counts = {kind.kind: _write_one(store, kind, out, fmt) for kind in EXPORT_KINDS}
    if fmt == "csv":
        counts["tables/"] = export_tables(store, out)
    return counts


def _write_one(store: RecordStore, kind: type[Record], out: Path, fmt: str) -> int:
    fields = kind.field_names()
    n = 0
    with (out / f"{kind.kind}.{fmt}").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f) if fmt == "csv" else None
        if writer:
            writer.writerow(fields)
        for record in store.iter_records(kind.kind):
            data = record.to_dict()
            if writer:
                writer.writerow([_csv_value(data[k]) for k in fields])
            else:
                f.write(json.dumps(data, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_table_workbook(table: Table, doc: DocumentRecord | None, path: Path) -> None:
    """One table as a one-sheet workbook (`minutebook table ID --xlsx FILE`)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _write_table(wb, table, doc, sheet_name(table_sheet_name(table, doc), set()))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
