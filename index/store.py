"""The record store: SQLite, one table per record kind, written one document per transaction.

A document's records are replaced whole inside one transaction, so a run
killed at any point leaves every document either as it was or as it is now.
The ``files`` table remembers each ingested path's content hash, which is
what makes re-ingest of unchanged files free.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.views import create_views
from ingest.errors import StoreError
from ingest.records import ALL_KINDS, KIND_BY_NAME, ParsedDocument, Person, Record

SCHEMA_VERSION = 1
KEPT_STATUSES = ("ingested", "duplicate")  # file states that need no work while unchanged
IN_CHUNK = 500  # ids per "IN (...)" query, well under SQLite's limit on parameters

_SQL_TYPES = {int: "INTEGER", float: "REAL", str: "TEXT"}


def _column_type(tp: Any) -> str:
    """SQLite column type of a dataclass field; lists are stored as JSON text."""
    args = typing.get_args(tp) or (tp,)
    for arg in args:
        if arg in _SQL_TYPES:
            return _SQL_TYPES[arg]
    return "TEXT"


Columns = tuple[tuple[str, str, bool], ...]  # (name, SQL type, holds a JSON list)
_COLUMNS: dict[type[Record], Columns] = {}  # asked for every record read or written


def _columns(kind: type[Record]) -> Columns:
    cols = _COLUMNS.get(kind)
    if cols is None:  # resolving type hints is slow: once per kind
        hints = typing.get_type_hints(kind)
        cols = _COLUMNS[kind] = tuple(
            (f.name, _column_type(hints[f.name]), typing.get_origin(hints[f.name]) is list)
            for f in dataclasses.fields(kind)
        )
    return cols


def _table_ddl(kind: type[Record]) -> list[str]:
    cols = ", ".join(f'"{name}" {sqltype}' for name, sqltype, _ in _columns(kind))
    ddl = [f"CREATE TABLE IF NOT EXISTS {kind.kind} ({cols})"]
    names = {name for name, _, _ in _columns(kind)}
    if "id" in names:
        ddl.append(f"CREATE UNIQUE INDEX IF NOT EXISTS {kind.kind}_id ON {kind.kind}(id)")
    if "document_id" in names:
        ddl.append(
            f"CREATE INDEX IF NOT EXISTS {kind.kind}_doc ON {kind.kind}(document_id)"
        )
    return ddl


FILES_DDL = """
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY,
    sha256 TEXT,
    document_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    updated REAL NOT NULL
)"""
META_DDL = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"
THREADS_DDL = "CREATE TABLE IF NOT EXISTS threads (name TEXT PRIMARY KEY, data TEXT NOT NULL)"
# Follow-ups name their later record (its text and paper are read from it when asked for);
# the indexes are made apart from the table, so that a first scoring can build them last.
FOLLOW_UPS_DDL = (
    "CREATE TABLE IF NOT EXISTS follow_ups (action_id TEXT NOT NULL, action_doc TEXT NOT NULL, "
    "later_doc TEXT NOT NULL, record_id TEXT NOT NULL, kind TEXT NOT NULL, score REAL NOT NULL)"
)
FOLLOW_UPS_INDEXES = {"follow_ups_action_doc": "action_doc", "follow_ups_later_doc": "later_doc",
                      "follow_ups_action": "action_id"}
FOLLOW_UP_TABLES = {"action": "actions", "resolution": "resolutions"}  # kind -> its table
# A follow-up's record as it reads now: its text, page, status, and its paper's date and source.
FOLLOW_UP_SELECT = " UNION ALL ".join(
    f"SELECT f.action_id, f.record_id, f.kind, d.date, d.source, r.page, r.text, "
    f"{'r.status' if kind == 'action' else 'NULL'} AS status, f.score FROM follow_ups f "
    f"JOIN {table} r ON r.id = f.record_id JOIN documents d ON d.id = r.document_id "
    f"WHERE f.kind = '{kind}'{{where}}"
    for kind, table in FOLLOW_UP_TABLES.items()
)


@dataclasses.dataclass(frozen=True)
class FileState:
    """What the store knows of one ingested path."""

    source: str
    sha256: str | None
    document_id: str | None
    status: str
    error: str | None
    updated: float = 0.0


class RecordStore:
    """Typed records in and out of one SQLite file; the narrow interface other backends copy."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction():
            self.db.execute(META_DDL)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row and int(row[0]) != SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.path} has schema version {row[0]}, this minutebook needs "
                    f"{SCHEMA_VERSION}: ingest again into a new --db folder"
                )
            for kind in ALL_KINDS:
                for ddl in _table_ddl(kind):
                    self.db.execute(ddl)
            self.db.execute(FILES_DDL)
            create_views(self.db)
            self.db.execute(THREADS_DDL)
            self._drop_json_follow_ups()
            self.db.execute(FOLLOW_UPS_DDL)
            self._index_follow_ups()
            self.db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    def _drop_json_follow_ups(self) -> None:
        """Drop a follow-ups table of the earlier layout (each pair's record copied as JSON).

        It is derived, so the next refresh scores every pair again into the new table.
        """
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(follow_ups)")}
        if "data" in columns:
            self.db.execute("DROP TABLE follow_ups")
            self.db.execute("DELETE FROM meta WHERE key='follow_ups_state'")

    def _index_follow_ups(self) -> None:
        for name, column in FOLLOW_UPS_INDEXES.items():
            self.db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON follow_ups({column})")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- files -------------------------------------------------------------

    def file_state(self, source: str) -> FileState | None:
        row = self.db.execute("SELECT * FROM files WHERE source=?", (source,)).fetchone()
        return FileState(**dict(row)) if row else None

    def file_states(self) -> dict[str, FileState]:
        return {r["source"]: FileState(**dict(r)) for r in self.db.execute("SELECT * FROM files")}

    def record_failure(self, source: str, sha256: str | None, status: str, error: str) -> None:
        """Keep a skipped file's reason; its earlier records (if any) are dropped with it."""
        with self.transaction():
            old = self.file_state(source)
            if old and old.document_id and old.status == "ingested":
                self._delete_document(old.document_id)
            self._set_file(source, sha256, None, status, error)

    # -- documents -----------------------------------------------------------

    def put_document(self, parsed: ParsedDocument) -> str:
        """Replace a document's records in one transaction.

        Returns 'insert', 'update', 'noop', or 'duplicate' when another path
        already holds the same content (that path keeps the records).
        """
        doc = parsed.document
        with self.transaction():
            old = self.file_state(doc.source)
            if old and old.sha256 == doc.sha256 and old.status in KEPT_STATUSES:
                return "noop"
            if old and old.document_id and old.status == "ingested":
                self._delete_document(old.document_id)
            holder = self.db.execute(
                "SELECT source FROM files WHERE document_id=? AND status='ingested' AND source!=?",
                (doc.id, doc.source),
            ).fetchone()
            if holder:
                self._set_file(doc.source, doc.sha256, doc.id, "duplicate",
                               f"same content as {holder[0]}")
                return "duplicate"
            for kind_name, records in parsed.records().items():
                self._insert(kind_name, records)
            self._set_file(doc.source, doc.sha256, doc.id, "ingested", None)
        return "update" if old else "insert"

    def _set_file(self, source: str, sha256: str | None, document_id: str | None, status: str,
                  error: str | None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
            (source, sha256, document_id, status, error, time.time()),
        )

    def _delete_document(self, doc_id: str) -> None:
        for kind in ALL_KINDS:
            if kind.kind == "people":
                continue
            col = "id" if kind.kind == "documents" else "document_id"
            self.db.execute(f"DELETE FROM {kind.kind} WHERE {col}=?", (doc_id,))

    def remove_source(self, source: str) -> None:
        with self.transaction():
            old = self.file_state(source)
            if old and old.document_id and old.status == "ingested":
                self._delete_document(old.document_id)
            self.db.execute("DELETE FROM files WHERE source=?", (source,))

    def _insert(self, kind_name: str, records: Iterable[Record]) -> None:
        kind = KIND_BY_NAME[kind_name]
        cols = _columns(kind)
        names = ", ".join(f'"{c}"' for c, _, _ in cols)
        marks = ", ".join("?" for _ in cols)
        rows = [
            tuple(
                json.dumps(getattr(r, c), ensure_ascii=False) if is_list else getattr(r, c)
                for c, _, is_list in cols
            )
            for r in records
        ]
        if rows:
            self.db.executemany(f"INSERT INTO {kind_name} ({names}) VALUES ({marks})", rows)

    # -- people ------------------------------------------------------------

    def replace_people(self, people: list[Person], links: dict[int, str]) -> None:
        """Write the people table and each attendee's person_id (keyed by rowid).

        Only attendees whose person changed are rewritten: people are resolved again
        after every ingest, and rewriting every attendee made adding one paper to a
        store of 3,000 cost 0.4 s more than to one of 1,000.
        """
        with self.transaction():
            self.db.execute("DELETE FROM people")
            self._insert("people", people)
            current = dict(self.db.execute("SELECT rowid, person_id FROM attendees"))
            changed = [(links.get(rowid), rowid) for rowid, pid in current.items()
                       if links.get(rowid) != pid]
            self.db.executemany("UPDATE attendees SET person_id=? WHERE rowid=?", changed)

    # -- threads (derived: recomputed when read after a change) ----------------------

    def put_threads(self, threads: list[dict[str, Any]], state: dict[str, str]) -> None:
        """Replace the threads, recording the document versions (``state``) they reflect."""
        with self.transaction():
            self.db.execute("DELETE FROM threads")
            self.db.executemany(
                "INSERT INTO threads VALUES (?, ?)",
                [(t["name"], json.dumps(t, ensure_ascii=False)) for t in threads],
            )
            self._record_reflected("threads", state)

    def threads(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute("SELECT data FROM threads")]

    # -- follow-ups (derived: kept up to date document by document) -------------------

    def replace_follow_ups(self, drop_docs: Iterable[str],
                           rows: Iterable[tuple[str, str, str, str, str, float]],
                           state: dict[str, str]) -> None:
        """Drop the follow-ups touching ``drop_docs``, add ``rows`` (action id, action's
        document, later record's document, later record's id and kind, score) and record
        ``state``, in one transaction.

        A row names the later record rather than copying it. The 1,000 papers of the
        benchmark's store make 130,477 pairs: with a JSON copy of each later record, the
        first refresh took 5.6 s and the store's file was 94 MB; with the ids, 2.3 s and
        47 MB.
        """
        with self.transaction():
            for doc in drop_docs:
                self.db.execute("DELETE FROM follow_ups WHERE action_doc=? OR later_doc=?",
                                (doc, doc))
            # A first scoring fills an empty table: its indexes are built once, after the
            # rows, rather than row by row (about 0.5 s of that refresh's 2.8 s).
            bulk = self.db.execute("SELECT 1 FROM follow_ups LIMIT 1").fetchone() is None
            if bulk:
                for name in FOLLOW_UPS_INDEXES:
                    self.db.execute(f"DROP INDEX IF EXISTS {name}")
            # rows may be a generator: they are never all in memory
            self.db.executemany("INSERT INTO follow_ups VALUES (?, ?, ?, ?, ?, ?)", rows)
            if bulk:
                self._index_follow_ups()
            self._record_reflected("follow_ups", state)

    def follow_up_rows(self, action_ids: Iterable[str] | None = None
                       ) -> Iterator[dict[str, Any]]:
        """Stored follow-ups, each with its later record's text, page and status and its
        paper's date and source: of the given actions only (by index), or all of them."""
        if action_ids is None:
            yield from map(dict, self.db.execute(FOLLOW_UP_SELECT.format(where="")))
            return
        ids = sorted(set(action_ids))
        step = IN_CHUNK // 2  # the ids are asked for in both halves of the query
        for start in range(0, len(ids), step):
            chunk = ids[start:start + step]
            where = f" AND f.action_id IN ({', '.join('?' for _ in chunk)})"
            yield from map(dict, self.db.execute(FOLLOW_UP_SELECT.format(where=where),
                                                 chunk * 2))

    # -- reading -----------------------------------------------------------

    def iter_records(
        self, kind_name: str, where: str = "", params: tuple[Any, ...] = ()
    ) -> Iterator[Record]:
        """Records of one kind in stored order (by rowid), optionally filtered by SQL."""
        kind = KIND_BY_NAME[kind_name]
        list_cols = {c for c, _, is_list in _columns(kind) if is_list}
        sql = f"SELECT * FROM {kind_name} {('WHERE ' + where) if where else ''} ORDER BY rowid"
        for row in self.db.execute(sql, params):
            data = dict(row)
            for k in list_cols:
                data[k] = json.loads(data[k]) if data[k] else []
            yield kind.from_dict(data)

    def iter_rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        yield from self.db.execute(sql, params)

    def count(self, kind_name: str) -> int:
        KIND_BY_NAME[kind_name]  # only known kinds reach SQL
        return int(self.db.execute(f"SELECT COUNT(*) FROM {kind_name}").fetchone()[0])

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else None

    # -- derived data: the document versions each artefact was last built from ------------

    def reflected(self, artefact: str) -> dict[str, str] | None:
        """document id -> sha256 that ``artefact`` ('index', 'threads', 'follow_ups') was
        last built from; None if it never was. Compared with ``document_versions``, it
        says what the artefact lacks."""
        value = self.get_meta(f"{artefact}_state")
        return dict(json.loads(value)) if value is not None else None

    def set_reflected(self, artefact: str, state: dict[str, str]) -> None:
        with self.transaction():
            self._record_reflected(artefact, state)

    def _record_reflected(self, artefact: str, state: dict[str, str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                        (f"{artefact}_state", json.dumps(state, sort_keys=True)))

    def document_versions(self) -> dict[str, str]:
        """document id -> sha256 of every stored document: what the index must mirror."""
        return {r[0]: r[1] for r in self.db.execute("SELECT id, sha256 FROM documents")}
