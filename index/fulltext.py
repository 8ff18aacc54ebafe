"""The Whoosh full-text index: derived data, built only from the record store.

Passages and the searchable records (resolutions, actions, items, tables,
figures) share one index with a ``kind`` field, so one query can ask for all
of them or for one kind. Updates are per document (delete by document id,
add again) and committed once; until that commit the previous index stays
what searchers see, which is what makes an interrupted run safe.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from index import whoosh_analysis, whoosh_buffers, whoosh_columns, whoosh_runs, whoosh_stems
from index.store import RecordStore
from index.whoosh_blocks import SplitBlockCodec
from index.whoosh_mpwriter import OrderedMpWriter
from index.whoosh_positions import PackedPositions
from ingest.records import (
    Action,
    DocumentRecord,
    Figure,
    Item,
    Mention,
    Passage,
    Resolution,
    Table,
)

whoosh_columns.apply()  # a missing column is looked for once (index/whoosh_columns.py)
whoosh_buffers.apply()  # segments read through their map, not copied (index/whoosh_buffers.py)
whoosh_analysis.apply()  # a value repeated by units analysed once (index/whoosh_analysis.py)
whoosh_runs.apply()  # postings spilled to run files a chunk at a time (index/whoosh_runs.py)
whoosh_stems.apply()  # the stemmer's cache in C (index/whoosh_stems.py)

INDEX_ARTEFACT = "index"  # its store.reflected() state says which papers it holds
INDEX_NAME = "minutebook"
STAGING_SUFFIX = ".rebuilding"  # beside the index: a rebuild until it is committed
RETIRED_SUFFIX = ".old"  # beside the index: the one a rebuild replaces, while it is swapped


def make_schema() -> Schema:
    """Fields of every indexed unit; title and resolution text weigh more than body text.

    Years and pages are indexed as one term per value (``shift_step=0``).
    Whoosh's default writes eight trie terms per number so that wide ranges
    over many values need few terms; here they were a fifth of every index's
    postings, and a range of years expands to a few dozen terms at most.
    Text fields keep their words' positions packed as integers
    (index/whoosh_positions.py), which phrase queries read as arrays.
    """
    stem = StemmingAnalyzer()
    return Schema(
        id=STORED(),  # read from hits, never searched: indexing it cost a term per unit
        kind=ID(stored=True, sortable=True),
        document_id=ID(stored=True),
        source=STORED(),
        title=_packed(TEXT(stored=True, analyzer=stem, field_boost=2.0)),
        doc_type=ID(stored=True, sortable=True),
        body=_packed(TEXT(stored=True)),
        date=ID(stored=True, sortable=True),
        year=NUMERIC(int, stored=True, sortable=True, shift_step=0),
        page=NUMERIC(int, stored=True, shift_step=0),
        section=_packed(TEXT(stored=True, analyzer=stem, field_boost=1.5)),
        text=_packed(TEXT(stored=True, analyzer=stem)),
        people=KEYWORD(commas=True, lowercase=True, scorable=True),
        orgs=KEYWORD(commas=True, lowercase=True, scorable=True),
    )


def _packed(field: TEXT) -> TEXT:
    """A text field whose postings keep their positions as PackedPositions."""
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def schema_signature(
    schema: Schema,
) -> dict[str, tuple[str, str, tuple[tuple[str, Any], ...]]]:
    """Each field's type, postings format and plain settings (stored, sortable, boost,
    shift_step...).

    Whoosh's field objects do not compare equal even when made alike, so an
    index's schema is compared with the current one through this.
    """
    plain = (bool, int, float, str)
    return {
        name: (type(field).__name__, type(getattr(field, "format", None)).__name__,
               tuple(sorted((k, v) for k, v in vars(field).items() if isinstance(v, plain))))
        for name, field in schema.items()
    }


KIND_BOOST = {"resolution": 1.6, "item": 1.3, "action": 1.2, "passage": 1.0, "table": 1.0}


def _base(doc: DocumentRecord) -> dict[str, Any]:
    base: dict[str, Any] = {
        "document_id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "doc_type": doc.doc_type,
        "body": doc.body or "",
    }
    if doc.date:
        base["date"] = doc.date
    if doc.year:
        base["year"] = doc.year
    return base


def _entities_by_page(mentions: list[Mention]) -> dict[int, dict[str, str]]:
    """The people and the other entities named on each page, as the index's comma lists.

    Worked out once a paper, not once a unit: a page carries a dozen units or more.
    """
    names: dict[int, tuple[set[str], set[str]]] = {}
    for m in mentions:
        people, others = names.setdefault(m.page, (set(), set()))
        (people if m.label == "PERSON" else others).add(m.text)
    return {page: {"people": ",".join(sorted(people)), "orgs": ",".join(sorted(others))}
            for page, (people, others) in names.items()}


NO_ENTITIES = {"people": "", "orgs": ""}


def units_for_document(store: RecordStore, doc: DocumentRecord) -> Iterator[dict[str, Any]]:
    """The index documents of one stored paper, built from its records."""
    base = _base(doc)
    where, params = "document_id=?", (doc.id,)
    mentions = [m for m in store.iter_records("mentions", where, params) if isinstance(m, Mention)]
    entities = _entities_by_page(mentions)

    def unit(kind: str, rid: str, page: int, text: str, section: str | None) -> dict[str, Any]:
        return {
            **base,
            **entities.get(page, NO_ENTITIES),
            "id": rid,
            "kind": kind,
            "page": page,
            "text": text,
            "section": section or "",
            "_boost": KIND_BOOST.get(kind, 1.0),
        }

    for r in store.iter_records("passages", where, params):
        assert isinstance(r, Passage)
        yield unit("passage", r.id, r.page, r.text, r.section)
    for r in store.iter_records("resolutions", where, params):
        assert isinstance(r, Resolution)
        yield unit("resolution", r.id, r.page, r.text, r.item_title)
    for r in store.iter_records("actions", where, params):
        assert isinstance(r, Action)
        owner = f" (owner: {r.owner})" if r.owner else ""
        yield unit("action", r.id, r.page, r.text + owner, None)
    for r in store.iter_records("items", where, params):
        assert isinstance(r, Item)
        yield unit("item", r.id, r.page, f"{r.number}. {r.title}", r.title)
    for r in store.iter_records("tables", where, params):
        assert isinstance(r, Table)
        cells = [" | ".join(r.header)] + [" | ".join(row) for row in r.rows]
        yield unit("table", r.id, r.page, "\n".join(cells), r.caption)
    for r in store.iter_records("figures", where, params):
        assert isinstance(r, Figure)
        yield unit("figure", r.id, r.page, r.text, r.context)


# From this many units (about ten papers), units are indexed by one writer process per
# ingest worker, one segment each, beside the parse. For the 40 bench papers (about 1,300
# units) on 2 cores, indexing in the main process left the commit, 0.19 s, to run alone
# after the last paper, and the main process, busy analysing, took 0.06 s more to take
# that paper in. With two writer processes the run is faster: 39.5 against 38.5 pages/s,
# both with the heap frozen for the run (index/update.py), medians of 16; without the
# freeze they gained nothing. From 5 to 20 papers they gain 1-2%, within the noise.
MP_UNITS = 300
# Postings buffered per writer process before a flush. 256 MiB made the writer the largest
# process of a large ingest (349 MiB at 100k passages); 96 keeps it under the parse
# workers (148 MiB) for about 6% of the build rate, so ingest memory stays flat. That cost
# was measured when each spilled posting was pickled alone; spills are cheaper since
# (index/whoosh_runs.py).
WRITER_LIMIT_MB = 96


# Units handed to a writer process at a time (Whoosh pickles each batch to a file). Big
# batches build faster: 1,000 instead of Whoosh's 100 built 100k passages at 1,493 instead
# of 1,419/s (medians of 3, alternating; 2,500 gave 1,478). But the last batch is handed
# over only at commit, so a small ingest takes batches of about a twelfth of its units
# per process, and at least MIN_BATCH.
BULK_BATCH = 1000
MIN_BATCH = 50
BATCHES_PER_PROC = 6


def open_writer(ix: Any, expected_units: int, procs: int | None = None) -> Any:
    """A writer tuned for the batch: small updates stay in one process and segment; larger
    ones use ``procs`` writer processes (default: one per core), one segment each, in a fixed
    order. Postings are written in split blocks (index/whoosh_blocks.py)."""
    procs = (os.cpu_count() or 1) if procs is None else procs
    if expected_units >= MP_UNITS and procs > 1:
        return OrderedMpWriter(ix, procs, writer_batch(expected_units, procs),
                               limitmb=WRITER_LIMIT_MB, codec=SplitBlockCodec())
    return ix.writer(limitmb=WRITER_LIMIT_MB, codec=SplitBlockCodec())


def writer_batch(expected_units: int, procs: int) -> int:
    """Units per job for a writer process: small enough that the last, handed over at
    commit, is a small part of the work, and never above BULK_BATCH."""
    return max(MIN_BATCH, min(BULK_BATCH, expected_units // (procs * BATCHES_PER_PROC)))


class FullTextIndex:
    """Open, build and update the Whoosh index kept beside the store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._searcher: Any = None

    def searcher(self, weighting: Any = None) -> Any:
        """One searcher reused across queries, refreshed when the index has changed since."""
        if self._searcher is None:
            self._searcher = self.open().searcher(weighting=weighting) if weighting else (
                self.open().searcher())
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def exists(self) -> bool:
        return self.path.exists() and whoosh_index.exists_in(str(self.path), INDEX_NAME)

    def open(self) -> Any:
        if not self.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            return whoosh_index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
        return whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)

    def _schema_is_current(self) -> bool:
        """False for an index written with other fields or field settings (an older
        minutebook): rebuild it."""
        if not self.exists():
            return True
        ix = self.open()
        try:
            return schema_signature(ix.schema) == schema_signature(make_schema())
        finally:
            ix.close()

    def sync(self, store: RecordStore, rebuild: bool = False) -> tuple[int, int]:
        """Bring the index in line with the store; returns (documents added, removed)."""
        return self.batch(store, rebuild=rebuild).commit()

    def batch(self, store: RecordStore, rebuild: bool = False,
              expected_units: int = 0, procs: int | None = None) -> IndexBatch:
        """A batch that indexes papers as they are stored and syncs the rest at commit,
        in up to ``procs`` writer processes (default: one per core)."""
        self.close()
        if not rebuild and self._schema_is_current():
            return IndexBatch(self, store, expected_units, procs=procs)
        # A rebuild is written beside the index and swapped in at commit, so that an
        # interrupted rebuild leaves the old index readable.
        staging = FullTextIndex(self.path.with_name(self.path.name + STAGING_SUFFIX))
        if staging.path.exists():
            shutil.rmtree(staging.path)  # left by a rebuild that was interrupted
        return IndexBatch(staging, store, expected_units, replaces=self, procs=procs)

    def replace_with(self, built: FullTextIndex) -> None:
        """Put the index at ``built`` in this one's place: two renames, the old one dropped."""
        self.close()
        old = self.path.with_name(self.path.name + RETIRED_SUFFIX)
        if old.exists():
            shutil.rmtree(old)
        if self.path.exists():
            self.path.rename(old)
        built.path.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)


class IndexBatch:
    """One writer for one ingest, committed once.

    ``add`` indexes a paper as soon as the store holds it, so indexing overlaps
    the parsing of the next papers (in worker processes); ``commit`` indexes or
    removes whatever else differs from the store and commits. Until then the
    previous index is what searchers see; ``cancel`` (or an exception in the
    caller) leaves it as it was.
    """

    def __init__(self, index: FullTextIndex, store: RecordStore, expected_units: int,
                 replaces: FullTextIndex | None = None, procs: int | None = None) -> None:
        self.index, self.store, self.expected_units = index, store, expected_units
        self.procs = procs
        self.replaces = replaces  # the index a rebuild takes the place of at commit
        self.writer: Any = None
        self.ix: Any = None
        self.done: dict[str, str] = {}  # document id -> sha256 as indexed in this batch
        # What the index held when the batch began (nothing if there was no index).
        state = store.reflected(INDEX_ARTEFACT) if index.exists() else None
        self.have: dict[str, str] = state or {}

    def _writer(self, expected_units: int) -> Any:
        if self.writer is None:
            self.ix = self.index.open()
            self.writer = open_writer(self.ix, expected_units, self.procs)
        return self.writer

    def add(self, doc_id: str) -> None:
        """Index (or re-index) one stored paper."""
        docs = list(_documents(self.store, [doc_id]))
        if not docs:
            return
        writer = self._writer(self.expected_units)
        writer.delete_by_term("document_id", doc_id)
        with writer.group():  # a paper's units go to one writer process, in order
            for unit in units_for_document(self.store, docs[0]):
                writer.add_document(**unit)
        self.done[doc_id] = docs[0].sha256

    def commit(self) -> tuple[int, int]:
        """Index what else differs from the store, commit once; (documents added, removed)."""
        want, have = self.store.document_versions(), self.have
        stale = [d for d, sha in have.items() if want.get(d) != sha and d not in self.done]
        fresh = [d for d, sha in want.items() if have.get(d) != sha and self.done.get(d) != sha]
        if not stale and not fresh and not self.done and self.index.exists():
            return 0, 0
        try:
            writer = self._writer(max(self.expected_units, _expected_units(self.store, fresh)))
            for doc_id in stale:
                writer.delete_by_term("document_id", doc_id)
            for doc_id in fresh:
                self.add(doc_id)
        except BaseException:
            self.cancel()
            raise
        writer.commit()
        self.ix.close()
        self.writer = None
        if self.replaces is not None:
            self.replaces.replace_with(self.index)
        self.store.set_reflected(INDEX_ARTEFACT, want)
        added = [d for d in self.done if want.get(d) == self.done[d]]
        return len(added), len([d for d in stale if d not in want])

    def cancel(self) -> None:
        """Drop what this batch wrote; the index stays as it was at its last commit."""
        if self.writer is not None:
            self.writer.cancel()
            self.ix.close()
            self.writer = None
        if self.replaces is not None:
            shutil.rmtree(self.index.path, ignore_errors=True)


def _expected_units(store: RecordStore, doc_ids: list[str]) -> int:
    """Roughly how many index units the documents make: their passages, if few documents."""
    if len(doc_ids) > 500:
        return store.count("passages")
    marks = ",".join("?" for _ in doc_ids) or "''"
    rows = store.iter_rows(f"SELECT COUNT(*) FROM passages WHERE document_id IN ({marks})",
                           tuple(doc_ids))
    return int(next(iter(rows))[0])


def _documents(store: RecordStore, ids: Iterable[str]) -> Iterator[DocumentRecord]:
    for doc_id in ids:
        for doc in store.iter_records("documents", "id=?", (doc_id,)):
            assert isinstance(doc, DocumentRecord)
            yield doc
