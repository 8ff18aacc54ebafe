"""The export contract: ``<kind>.jsonl`` and ``<kind>.csv`` per record kind, tables as CSVs.

Field names are the record fields; list-valued fields are JSON text in CSV
cells. Rows stream from the store, so export size does not bound memory.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from index.store import RecordStore
from ingest.records import EXPORT_KINDS, DocumentRecord, Record, Table


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def export_kind(store: RecordStore, kind: type[Record], out: Path) -> int:
    """Write one kind's JSONL and CSV; returns the number of records."""
    fields = kind.field_names()
    n = 0
    with (
        (out / f"{kind.kind}.jsonl").open("w", encoding="utf-8") as jf,
        (out / f"{kind.kind}.csv").open("w", encoding="utf-8", newline="") as cf,
    ):
        writer = csv.writer(cf)
        writer.writerow(fields)
        for record in store.iter_records(kind.kind):
            data = record.to_dict()
            jf.write(json.dumps(data, ensure_ascii=False) + "\n")
            writer.writerow([_csv_value(data[f]) for f in fields])
            n += 1
    return n


def table_file_name(table: Table, doc: DocumentRecord | None) -> str:
    """A readable, unique-per-table file name: '<source stem>-p<page>-t<index>.csv'."""
    stem = Path(doc.source).stem if doc else table.document_id
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)
    return f"{stem}-p{table.page}-t{table.index}.csv"


def export_tables(store: RecordStore, out: Path) -> int:
    """Every table as its own CSV (header row first when there is one)."""
    folder = out / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    docs = {d.id: d for d in store.iter_records("documents") if isinstance(d, DocumentRecord)}
    used: Counter[str] = Counter()
    n = 0
    for table in store.iter_records("tables"):
        assert isinstance(table, Table)
        name = table_file_name(table, docs.get(table.document_id))
        used[name] += 1
        if used[name] > 1:  # the same file ingested under two paths
            name = name.replace(".csv", f"-{used[name]}.csv")
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            if table.header:
                writer.writerow(table.header)
            writer.writerows(table.rows)
        n += 1
    return n


def export_all(store: RecordStore, out: Path) -> dict[str, int]:
    """The whole contract into ``out``; returns record counts per kind."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {kind.kind: export_kind(store, kind, out) for kind in EXPORT_KINDS}
    counts["tables/"] = export_tables(store, out)
    return counts
