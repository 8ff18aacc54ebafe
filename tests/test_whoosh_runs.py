"""index/whoosh_runs.py: a writer's runs of postings written and read in chunks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import PostingPool

from index import fulltext, whoosh_runs
from index.store import RecordStore
from tests.test_whoosh_columns import _digest


def test_installed_once_the_index_module_is_imported() -> None:
    assert PostingPool._write_run is whoosh_runs._write_run
    assert PostingPool._read_run is whoosh_runs._read_run


def _corpus_postings(home: Path) -> list[Any]:
    """(field, term, unit, weight, positions) for every stored passage of the corpus."""
    schema = fulltext.make_schema()
    store = RecordStore(home / "records.sqlite")
    rows = list(store.iter_rows("SELECT text FROM passages"))
    store.close()
    return [("text", term, unit, weight, value)
            for unit, row in enumerate(rows)
            for term, _, weight, value in schema["text"].index(row["text"])]


def _pooled(postings: list[Any], limitmb: float, own: bool, folder: Path,
            monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int, int]:
    """(what the pool gives back, runs it wrote, run files left behind)."""
    folder.mkdir()
    tempstore = FileStorage(str(folder))
    with monkeypatch.context() as patch:
        if own:
            patch.setattr(PostingPool, "_write_run", whoosh_runs.WHOOSH_OWN[0])
            patch.setattr(PostingPool, "_read_run", whoosh_runs.WHOOSH_OWN[1])
        pool = PostingPool(tempstore, None, limitmb=limitmb)
        for posting in postings:
            pool.add(posting)
        runs = len(pool.runs)
        out = list(pool.items())
    return out, runs, len(list(tempstore.list()))


def test_runs_give_back_every_posting_in_order(
    corpus_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    postings = _corpus_postings(corpus_home)
    assert len(postings) > 5 * whoosh_runs.RUN_CHUNK  # several chunks a run
    ours, runs, left = _pooled(postings, 0.5, False, tmp_path / "ours", monkeypatch)
    assert runs >= 2  # the limit was passed: the postings went through run files
    assert ours == sorted(postings)
    assert left == 0
    own, own_runs, _ = _pooled(postings, 0.5, True, tmp_path / "own", monkeypatch)
    assert (own, own_runs) == (ours, runs)


def test_an_index_written_through_runs_is_the_one_written_in_memory(
    corpus_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(name: str, limitmb: float) -> str:
        home = tmp_path / name
        home.mkdir()
        shutil.copy(corpus_home / "records.sqlite", home / "records.sqlite")
        store = RecordStore(home / "records.sqlite")
        with monkeypatch.context() as patch:
            patch.setattr(fulltext, "WRITER_LIMIT_MB", limitmb)
            fulltext.FullTextIndex(home / "index").batch(store, procs=1).commit()
        store.close()
        return _digest(home / "index") + _positions(home / "index")

    assert build("runs", 0.2) == build("memory", 512)


def _positions(path: Path) -> str:
    """Every posting's positions, which the digest of test_whoosh_columns leaves out."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(path), indexname=fulltext.INDEX_NAME)
    with ix.reader() as reader:
        out = repr([(term, list(reader.postings("text", term).items_as("positions")))
                    for term in reader.lexicon("text")])
    ix.close()
    return out
