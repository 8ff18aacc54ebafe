"""Segments read through their memory map (index/whoosh_buffers.py): same bytes, same hits."""

from __future__ import annotations

import io
import pickle
import random
from pathlib import Path

import pytest
from whoosh.filedb.structfile import BufferFile

from index import whoosh_buffers
from index.fulltext import FullTextIndex
from search import query as search_query

QUERIES = ('"community safety"', "prevent", "reoffending AND drugs", "violenc~", "iom")


def test_installed_once_the_index_module_is_imported() -> None:
    assert BufferFile.__init__ is whoosh_buffers._buffer_file_init


def test_a_view_file_reads_as_bytesio_does() -> None:
    rng = random.Random(3)
    for _ in range(30):
        data = bytes(rng.choice(b"ab\n\x00\xff") for _ in range(rng.randrange(0, 9000)))
        view, copy = whoosh_buffers.ViewFile(memoryview(data)), io.BytesIO(data)
        for _ in range(200):
            op = rng.randrange(6)
            if op == 0:
                n = rng.choice([-1, 0, 1, 7, 5000])
                assert view.read(n) == copy.read(n)
            elif op == 1:
                n = rng.choice([-1, 3, 10_000])
                assert view.readline(n) == copy.readline(n)
            elif op == 2:
                pos = rng.randrange(0, len(data) + 10)
                assert view.seek(pos) == copy.seek(pos)
            elif op == 3:
                delta = rng.randrange(-5, 20)
                if view.tell() + delta >= 0:
                    assert view.seek(delta, 1) == copy.seek(delta, 1)
            elif op == 4:
                assert view.seek(-min(len(data), 3), 2) == copy.seek(-min(len(data), 3), 2)
            assert view.tell() == copy.tell()
        view.seek(0)
        copy.seek(0)
        assert list(view) == list(copy)


def test_pickles_load_from_a_view_file() -> None:
    """Values and positions as from BytesIO, for pickles shorter and longer than one peek."""
    rng = random.Random(5)
    values: list[object] = [(1, 2.5, b"x" * 300), {"a": [1, 2, 3]}, "line\nbreak"]
    values += [(rng.randrange(129), rng.randrange(10**6), rng.random(), 1, 2, 3)
               for _ in range(40)]  # like a posting block's header
    values += [bytes(rng.randrange(256) for _ in range(rng.choice([10, 600, 5000])))
               for _ in range(20)]
    rng.shuffle(values)
    blob = b"".join(pickle.dumps(v, rng.randrange(6)) for v in values)
    view, copy = whoosh_buffers.ViewFile(memoryview(blob)), io.BytesIO(blob)
    for value in values:
        assert pickle.load(view) == pickle.load(copy) == value  # type: ignore[arg-type]
        assert view.tell() == copy.tell()


class _CountingView(whoosh_buffers.ViewFile):
    reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        return super().read(size)


def test_a_small_pickle_loads_in_one_read_after_a_peek() -> None:
    header = (128, 99_871, 3.5, 0, 12, 200)
    view = _CountingView(memoryview(pickle.dumps(header, -1) * 2))
    assert pickle.load(view) == header  # type: ignore[arg-type]
    assert view.reads == 1  # without peek, pickle reads once per opcode


def _hits(home: Path) -> list[list[tuple[str, float]]]:
    index = FullTextIndex(home / "index")
    try:
        return [[(h.id, h.score) for h in search_query.search(index, q, limit=20).hits]
                for q in QUERIES]
    finally:
        index.close()


def test_search_over_mapped_segments_finds_what_whoosh_copying_them_finds(
    corpus_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapped = _hits(corpus_home)
    with monkeypatch.context() as patch:
        patch.setattr(BufferFile, "__init__", whoosh_buffers.WHOOSH_OWN)
        copied = _hits(corpus_home)
    assert mapped == copied
    assert all(mapped)
