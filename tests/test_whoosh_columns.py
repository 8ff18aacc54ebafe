"""index/whoosh_columns.py: a missing column looked for once, lengths read whole; same index."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.filedb.filestore import FileStorage

from index import whoosh_columns
from index.fulltext import INDEX_NAME, FullTextIndex
from index.store import RecordStore


def test_installed_once_the_index_module_is_imported() -> None:
    assert W3PerDocReader._cached_reader is whoosh_columns._cached_reader
    assert W3PerDocReader.doc_field_length is whoosh_columns._doc_field_length


def _build(home: Path, tmp: Path, lookup: Callable[..., Any], length: Callable[..., Any],
           monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """(disk look-ups for files, digest of every posting, length and stored field)."""
    store_path = tmp / "records.sqlite"
    shutil.copy(home / "records.sqlite", store_path)  # sync records its state in the store
    looked = 0
    exists = FileStorage.file_exists

    def counted(self: Any, name: str) -> bool:
        nonlocal looked
        looked += 1
        return bool(exists(self, name))

    with monkeypatch.context() as patch:
        patch.setattr(W3PerDocReader, "_cached_reader", lookup)
        patch.setattr(W3PerDocReader, "doc_field_length", length)
        patch.setattr(FileStorage, "file_exists", counted)
        store = RecordStore(store_path)
        FullTextIndex(tmp / "index").sync(store)
        store.close()
    with monkeypatch.context() as patch:  # the digest reads with Whoosh's own code
        patch.setattr(W3PerDocReader, "_cached_reader", whoosh_columns.WHOOSH_OWN)
        patch.setattr(W3PerDocReader, "doc_field_length", whoosh_columns.WHOOSH_OWN_LENGTH)
        return looked, _digest(tmp / "index")


def _digest(path: Path) -> str:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    h = hashlib.sha256()
    with ix.reader() as reader:
        docs = range(reader.doc_count_all())
        for field in sorted(ix.schema.names()):
            if ix.schema[field].indexed:
                for term in reader.lexicon(field):
                    postings = reader.postings(field, term)
                    h.update(repr((field, term, list(postings.items_as("weight")))).encode())
                    h.update(repr(_block_lengths(reader.postings(field, term))).encode())
            if ix.schema[field].scorable:
                h.update(repr([reader.doc_field_length(d, field) for d in docs]).encode())
        h.update(repr([reader.stored_fields(d) for d in docs]).encode())
    ix.close()
    return h.hexdigest()


def _block_lengths(matcher: Any) -> list[tuple[int, int]]:
    """The shortest and longest field of each block of postings, as the writer recorded them."""
    out = []
    while matcher.is_active():
        out.append((matcher.block_min_length(), matcher.block_max_length()))
        matcher._next_block()
    return out


def test_a_missing_column_is_looked_for_once_and_the_index_is_the_same(
    corpus_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "own").mkdir()
    (tmp_path / "patched").mkdir()
    own_looks, own = _build(corpus_home, tmp_path / "own", whoosh_columns.WHOOSH_OWN,
                            whoosh_columns.WHOOSH_OWN_LENGTH, monkeypatch)
    looks, patched = _build(corpus_home, tmp_path / "patched", whoosh_columns._cached_reader,
                            whoosh_columns._doc_field_length, monkeypatch)
    assert patched == own
    assert own_looks > 1000  # one per posting of every field without lengths
    assert looks < 100, (looks, own_looks)


def test_lengths_read_whole_are_whoosh_own(corpus_home: Path) -> None:
    """Every unit's length in every field, and past the last unit, as Whoosh reads it."""
    index = FullTextIndex(corpus_home / "index")
    reader = index.searcher().reader()
    checked = 0
    for seg, _ in reader.leaf_readers():
        perdoc = seg._perdoc
        fields = [*seg.schema.names(), "no_such_field"]
        for docnum in range(perdoc.doc_count_all() + 1):
            for field in fields:
                own = whoosh_columns.WHOOSH_OWN_LENGTH(perdoc, docnum, field)
                assert perdoc.doc_field_length(docnum, field) == own, (docnum, field)
                checked += own is not None and own > 0
        with pytest.raises(IndexError):
            perdoc.doc_field_length(perdoc.doc_count_all() + 1, "text")
    assert checked > 1000
