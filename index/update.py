"""Bring the store and index up to date with a set of files: incremental, parallel, crash-safe.

Unchanged files are recognised by content hash in this process and never
opened by a parser. Changed files are parsed in worker processes (a single
one is read in a worker while this process loads the NER model, and parsed
here); their records are written here, one transaction per document, and
indexed as results arrive. The full-text index is committed once, at the end.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path

from index.fulltext import FullTextIndex
from index.people import resolve_store_people
from index.store import KEPT_STATUSES, RecordStore
from ingest.allocator import keep_freed_memory
from ingest.nlp import load_pipeline, pipeline_loaded
from ingest.pipeline import Outcome, ingest_file, parse_file, read_file
from ingest.readers.registry import is_supported, load_readers


@dataclass
class Summary:
    """What one ingest run did, for the closing line and the exit status."""

    statuses: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    pruned: int = 0
    indexed: int = 0
    seconds: float = 0.0

    @property
    def problems(self) -> int:
        return self.statuses["skipped"] + self.statuses["failed"]

    def line(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.records.items()) if n)
        parts = [
            f"{self.statuses['ingested']} ingested",
            f"{self.statuses['unchanged']} unchanged",
            f"{self.problems} skipped",
        ]
        if self.pruned:
            parts.append(f"{self.pruned} pruned")
        return (
            f"{'; '.join(parts)}; {self.pages} pages; records: {kinds or 'none'}; "
            f"{self.seconds:.1f}s"
        )


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: files as given (any type), folders searched for supported types."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _is_paper(p)))
        else:
            found.append(path)
    seen: set[Path] = set()
    return [p for p in found if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _is_paper(path: Path) -> bool:
    """Supported files in a folder, except hidden files and the folder's own README."""
    name = path.name.lower()
    return (
        path.is_file()
        and is_supported(path)
        and not name.startswith(".")
        and not name.startswith("readme.")
    )


def _sha_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _outcomes(todo: list[Path], workers: int, retried: Collection[str] = ()) -> Iterator[Outcome]:
    """Each paper's outcome, in the order of ``todo``, which is the order they are stored in.

    With several workers, the last papers are handed out largest first
    (``handing_order``), so that no worker is left reading a long paper alone
    while the others wait; outcomes that arrive early wait here for their turn.
    ``retried`` names the papers skipped or failed before, tried again.
    """
    if len(todo) == 1 and workers > 1 and str(todo[0]) not in retried and not pipeline_loaded():
        yield _read_beside_model_load(todo[0])
        return
    if workers <= 1 or len(todo) <= 1:
        yield from map(ingest_file, todo)
        return
    load_readers(todo)  # imported once here, not again in every forked worker
    with ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context()) as pool:
        futures: dict[int, Future[Outcome]] = {}
        try:
            for i in handing_order([_size_of(path) for path in todo], workers):
                futures[i] = pool.submit(ingest_file, todo[i])
            for i in range(len(todo)):
                yield futures.pop(i).result()
        finally:
            for future in futures.values():  # an interrupted run hands out nothing more
                future.cancel()


def _read_beside_model_load(path: Path) -> Outcome:
    """One paper read in a forked process while this one loads the NER model, then parsed here.

    Adding a paper is the commonest ingest. In one process it reads the paper
    (importing the PDF reader first) and then waits for spaCy's import and the
    model's load, 0.6-1 s, before it can parse; with a second core the two
    overlap, and the paper's outcome is the same. A paper skipped or failed
    before is left out (``_outcomes``): it is likely unreadable still, and would load a
    model it never needs.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=_worker_context()) as pool:
        future = pool.submit(read_file, path)
        with suppress(Exception):  # a model that fails to load fails the parse, as in one process
            load_pipeline()
        read = future.result()
    return read if isinstance(read, Outcome) else parse_file(read)


TAIL_PER_WORKER = 4  # the last papers handed out largest first, per worker


def handing_order(sizes: list[int], workers: int) -> list[int]:
    """Positions of the papers in the order to hand them to the workers: as listed, except
    the last ``TAIL_PER_WORKER`` per worker, which go largest first.

    A run ends when its last paper does: when that one is long, the other workers
    sit idle until it is read (a 5-page strategy last of 40 papers left one of two
    cores idle for 0.13-0.2 s of a 2.6 s run). File size stands for the work (it
    follows the reading time closely on the bench papers); only the tail is
    reordered, so at most that many outcomes wait to be stored in their turn.
    """
    cut = max(0, len(sizes) - TAIL_PER_WORKER * workers)
    return [*range(cut), *sorted(range(cut, len(sizes)), key=lambda i: -sizes[i])]


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # ingest_file reports it


def _worker_context() -> BaseContext | None:
    """fork where the platform has it, whatever the process default is.

    Forked workers start with this process's imports and, when it has loaded
    one, its spaCy model; spawned ones (the default inside a spawned process,
    and forkserver from Python 3.14) import everything and load the model
    again, about a second per worker. The workers only read and parse: the
    store and index they inherit are never used in them.
    """
    return get_context("fork") if "fork" in get_all_start_methods() else None


UNITS_PER_PAPER = 30  # index units a paper makes, roughly: sizes the index writer


def update(
    store: RecordStore,
    paths: Iterable[Path],
    workers: int | None = None,
    prune: bool = False,
    force: bool = False,
    progress: Callable[[Outcome], None] | None = None,
    index: FullTextIndex | None = None,
) -> Summary:
    """Ingest ``paths`` into ``store`` and, when given, ``index``.

    Each paper is indexed as soon as it is stored, while the workers parse the
    next ones; the index is committed once at the end (``Summary.indexed``), so
    an interrupted run leaves the previous index as it was.
    """
    start = time.perf_counter()
    summary = Summary()
    files = discover(paths)
    known = store.file_states()
    todo: list[Path] = []
    retried: set[str] = set()
    for path in files:
        state = known.get(str(path))
        # Only files that were stored are hashed here; skipped ones are simply tried again.
        kept = state is not None and state.status in KEPT_STATUSES and not force
        if kept and state is not None and _sha_of(path) == state.sha256:
            _count(summary, Outcome(str(path), "unchanged", sha256=state.sha256), progress)
        else:
            todo.append(path)
            if state is not None and state.status not in KEPT_STATUSES:
                retried.add(str(path))
    workers = workers or os.cpu_count() or 1
    if todo:
        keep_freed_memory()  # before the workers fork: they inherit it (ingest/allocator.py)
    batch = index.batch(store, expected_units=len(todo) * UNITS_PER_PAPER,
                        procs=workers) if index else None
    with frozen_heap():
        try:
            for outcome in _outcomes(todo, workers, retried):
                written = _store_outcome(store, outcome, summary)
                if batch is not None and written and outcome.parsed is not None:
                    batch.add(outcome.parsed.document.id)
                _count(summary, outcome, progress)
            if prune:
                summary.pruned = _prune(store)
            if summary.writes or summary.pruned or not store.count("people"):
                resolve_store_people(store)
            if batch is not None:
                summary.indexed, _ = batch.commit()
        except BaseException:
            if batch is not None:
                batch.cancel()
            raise
    summary.seconds = time.perf_counter() - start
    return summary


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects alive when a run starts kept out of the garbage collector until it ends.

    The parse workers and the index writer processes are forked from this
    process and share its memory until they write to it, and a full collection
    writes to every object it scans: each child copied the parent's heap page by
    page. Frozen objects are never scanned (the ``gc.freeze`` recipe for forking
    servers). With two workers and writer processes, a run of the 40 bench papers
    took 4.86 s of CPU instead of 5.26 (medians of 16). Unfrozen at the end, so
    what the run let go of can still be collected, unless the caller had frozen
    objects of its own: that freeze is left as it was.
    """
    had_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not had_frozen:
            gc.unfreeze()


def _store_outcome(store: RecordStore, outcome: Outcome, summary: Summary) -> bool:
    """Write one outcome; True when a paper's records were inserted or replaced."""
    if outcome.parsed is not None:
        write = store.put_document(outcome.parsed)
        summary.writes[write] += 1
        summary.records.update(outcome.parsed.counts())
        summary.pages += outcome.pages
        summary.warnings.extend((outcome.source, w) for w in outcome.warnings)
        return write in ("insert", "update")
    if outcome.status in ("skipped", "failed"):
        store.record_failure(outcome.source, outcome.sha256, outcome.status, outcome.error or "")
        summary.skipped.append((outcome.source, outcome.error or outcome.status))
    return False


def _count(summary: Summary, outcome: Outcome, progress: Callable[[Outcome], None] | None) -> None:
    summary.statuses[outcome.status] += 1
    if progress:
        progress(outcome)


def _prune(store: RecordStore) -> int:
    gone = [s for s in store.file_states() if not Path(s).exists()]
    for source in gone:
        store.remove_source(source)
    return len(gone)
