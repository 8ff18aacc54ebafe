"""The multi-process index writer: units numbered the same on every run, a cancel that ends
its processes, and a process that dies reported rather than its segment dropped."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import STORED, TEXT, Schema

from index.whoosh_mpwriter import OrderedMpWriter, WriterProcessFailed

SCHEMA = Schema(id=STORED(), text=TEXT(stored=True))
BATCH = 10
PAPERS = [7, 3, 12, 5, 9, 4, 11, 2, 6, 8, 10, 3]  # units per paper, 80 in all


def paper_units(paper: int, count: int) -> list[dict[str, Any]]:
    return [{"id": f"p{paper:02d}-u{unit:02d}", "text": f"paper {paper} unit {unit} partnership"}
            for unit in range(count)]


def open_index(path: Path) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(path)):
        return whoosh_index.open_dir(str(path))
    return whoosh_index.create_in(str(path), SCHEMA)


def add_papers(writer: Any, papers: list[int], first: int = 0) -> None:
    for paper, count in enumerate(papers, start=first):
        with writer.group():
            for unit in paper_units(paper, count):
                writer.add_document(**unit)


def ids_in_order(path: Path) -> list[str]:
    """Stored ids by unit number across segments, as searches number them."""
    ix = whoosh_index.open_dir(str(path))
    try:
        with ix.reader() as reader:
            return [fields["id"] for _, fields in sorted(reader.iter_docs())]
    finally:
        ix.close()


def expected_order(papers: list[int], batch: int, procs: int) -> list[str]:
    """Papers go into batches whole; a batch closes once it holds ``batch`` units; batch k
    goes to process k mod procs; segments are listed by process."""
    batches: list[list[str]] = [[]]
    for paper, count in enumerate(papers):
        if len(batches[-1]) >= batch:
            batches.append([])
        batches[-1] += [unit["id"] for unit in paper_units(paper, count)]
    return [uid for slot in range(procs) for uid in
            (u for k, b in enumerate(batches) if k % procs == slot for u in b)]


def test_units_are_numbered_alike_on_every_run_and_papers_stay_whole(tmp_path: Path) -> None:
    orders = []
    for run in range(3):
        ix = open_index(tmp_path / f"run{run}")
        writer = OrderedMpWriter(ix, procs=2, batchsize=BATCH)
        add_papers(writer, PAPERS)
        writer.commit()
        ix.close()
        orders.append(ids_in_order(tmp_path / f"run{run}"))
        with whoosh_index.open_dir(str(tmp_path / f"run{run}")).reader() as reader:
            assert len(reader.leaf_readers()) == 2  # a segment per process
    assert orders[0] == expected_order(PAPERS, BATCH, 2)
    assert orders[1] == orders[0] and orders[2] == orders[0]
    assert sorted(orders[0]) == sorted(u["id"] for p, n in enumerate(PAPERS)
                                       for u in paper_units(p, n))


def writer_after_a_commit(path: Path) -> tuple[Any, list[str], Any]:
    """(index, the ids it committed, a writer holding 80 more units in two processes)."""
    ix = open_index(path)
    with ix.writer() as first:
        add_papers(first, PAPERS[:2], first=90)
    writer = OrderedMpWriter(ix, procs=2, batchsize=BATCH)
    add_papers(writer, PAPERS)  # both processes started, their jobs handed over
    return ix, ids_in_order(path), writer


def test_cancel_ends_the_writer_processes_and_leaves_the_last_commit(tmp_path: Path) -> None:
    ix, committed, writer = writer_after_a_commit(tmp_path / "ix")
    tasks = list(writer.tasks)
    assert len(tasks) == 2 and all(task.is_alive() for task in tasks)
    writer.cancel()
    assert not any(task.is_alive() for task in tasks)
    assert not set(multiprocessing.active_children()) & set(tasks)
    assert ids_in_order(tmp_path / "ix") == committed
    with ix.writer() as again:  # the lock was let go
        add_papers(again, [1], first=95)
    assert ids_in_order(tmp_path / "ix") == [*committed, "p95-u00"]
    ix.close()


def commit(writer: Any) -> None:
    writer.commit()  # Whoosh's own writer would commit without that process's units


def add_more(writer: Any) -> None:
    add_papers(writer, PAPERS * 10, first=len(PAPERS))  # its queue fills up: no wait for ever


@pytest.mark.parametrize(("slot", "then"), [(1, commit), (0, add_more)])
def test_a_writer_process_that_dies_fails_what_needs_it(
    tmp_path: Path, slot: int, then: Callable[[Any], None]
) -> None:
    """The commit, or the units handed to it, fail instead of losing or waiting for them."""
    ix, committed, writer = writer_after_a_commit(tmp_path / "ix")
    writer.tasks[slot].kill()
    writer.tasks[slot].join()
    with pytest.raises(WriterProcessFailed, match="exit code -9"):
        then(writer)
    writer.cancel()
    assert not any(task.is_alive() for task in writer.tasks)
    assert ids_in_order(tmp_path / "ix") == committed
    ix.close()
