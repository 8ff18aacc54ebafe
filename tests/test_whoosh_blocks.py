"""index/whoosh_blocks.py: split posting blocks read back as Whoosh's own blocks are."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter

from index import whoosh_blocks
from index.fulltext import INDEX_NAME, KIND_BOOST, FullTextIndex, make_schema, open_writer
from search import query as search_query
from tests.bench.passages import generate, query_set

UNITS = 1500  # a common word spans a dozen blocks of 128 postings, or a few of 512
COMMITS = 3


def _build(path: Path, units: list[dict[str, Any]], codec: Any) -> Any:
    """An index of ``units`` written in a few commits (so a few segments), one process."""
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), make_schema(), indexname=INDEX_NAME)
    step = len(units) // COMMITS
    for start in range(0, len(units), step):
        writer = ix.writer(codec=codec) if codec else open_writer(ix, 1)
        for unit in units[start:start + step]:
            writer.add_document(**unit, _boost=KIND_BOOST["passage"])
        writer.commit(merge=False)
    return ix


def _postings(ix: Any) -> dict[tuple[str, bytes], list[tuple[int, float, Any]]]:
    """Every term's postings, read one at a time through the matcher's own methods."""
    out: dict[tuple[str, bytes], list[tuple[int, float, Any]]] = {}
    with ix.reader() as reader:
        for seg, offset in reader.leaf_readers():
            for field, term in seg.all_terms():
                m = seg.postings(field, term)
                found = out.setdefault((field, term), [])
                while m.is_active():
                    found.append((offset + m.id(), m.weight(), m.value()))
                    m.next()
    return out


def _block_items(ix: Any) -> list[tuple[int, Any]]:
    """Every (id, value) of every term, read a block at a time (``all_items``)."""
    out: list[tuple[int, Any]] = []
    with ix.reader() as reader:
        for seg, offset in reader.leaf_readers():
            for field, term in seg.all_terms():
                out.extend((offset + i, v) for i, v in seg.postings(field, term).all_items())
    return out


def _codecs(ix: Any) -> set[str]:
    return {type(seg.codec()).__name__ for seg in ix._segments()}


@pytest.fixture(scope="module")
def units() -> list[dict[str, Any]]:
    return list(itertools.islice(generate(UNITS), UNITS))


def _block_lengths(ix: Any) -> set[int]:
    """How many postings each block of every term holds (inlined short lists aside)."""
    lengths: set[int] = set()
    with ix.reader() as reader:
        for seg, _ in reader.leaf_readers():
            for field, term in seg.all_terms():
                m = seg.postings(field, term)
                while hasattr(m, "_blocklength") and m.is_active():
                    lengths.add(m._blocklength)
                    m._next_block()
    return lengths


def test_blocks_hold_block_postings(units: list[dict[str, Any]], tmp_path: Path) -> None:
    """minutebook's writer fills blocks of BLOCK_POSTINGS, W3's of 128 (the postings are
    the same either way: the test below)."""
    sizes = (("split", None, whoosh_blocks.BLOCK_POSTINGS), ("w3", W3Codec(), 128))
    for name, codec, most in sizes:
        path = tmp_path / name
        path.mkdir()
        ix = whoosh_index.create_in(str(path), make_schema(), indexname=INDEX_NAME)
        with ix.writer(codec=codec) if codec else open_writer(ix, 1) as writer:  # one segment
            for unit in units:
                writer.add_document(**unit)
        assert max(_block_lengths(ix)) == most
    assert whoosh_blocks.BLOCK_POSTINGS > 128


def test_split_blocks_hold_the_same_postings_and_answers(units: list[dict[str, Any]],
                                                         tmp_path: Path) -> None:
    own = _build(tmp_path / "w3", units, W3Codec())
    split = _build(tmp_path / "split", units, None)  # as minutebook writes
    assert _codecs(own) == {"W3Codec"} and _codecs(split) == {"SplitBlockCodec"}
    assert len(split._segments()) == COMMITS
    own_postings, split_postings = _postings(own), _postings(split)
    assert split_postings == own_postings
    blocks = [n for (f, _), p in own_postings.items() if f == "text" for n in [len(p)]]
    assert max(blocks) > 5 * 128  # some words span several blocks
    assert {f for f, _ in own_postings} >= {"text", "title", "people", "year", "kind"}
    assert _block_items(split) == _block_items(own)
    answers = [_answers(FullTextIndex(tmp_path / name)) for name in ("w3", "split")]
    assert answers[0] == answers[1]
    assert sum(len(hits) for hits, _ in answers[0]) > 1000  # the queries find things


def _answers(index: FullTextIndex) -> list[tuple[list[tuple[str, float | None, str]], int]]:
    out = []
    for q in query_set():
        filters = search_query.Filters(year_from=q.get("year_from"), year_to=q.get("year_to"),
                                       doc_type=q.get("doc_type"))
        result = search_query.search(index, q["text"], filters, limit=10)
        out.append(([(h.id, h.score, h.snippet) for h in result.hits], result.total))
    for body in ("community safety", "safety partnership"):  # phrases read positions
        result = search_query.search(index, "report", search_query.Filters(body=body))
        out.append(([(h.id, h.score, h.snippet) for h in result.hits], result.total))
    index.close()
    return out


def test_an_older_index_reads_beside_new_segments_and_merges_into_them(
    units: list[dict[str, Any]], tmp_path: Path
) -> None:
    """An index written before (W3 blocks) takes new segments; a merge rewrites it split."""
    older = _build(tmp_path / "older", units[:1000], W3Codec())
    writer = open_writer(older, 1)
    for unit in units[1000:]:
        writer.add_document(**unit, _boost=KIND_BOOST["passage"])
    writer.commit(merge=False)
    assert _codecs(older) == {"W3Codec", "SplitBlockCodec"}
    reference = _build(tmp_path / "reference", units, W3Codec())
    assert _postings(older) == _postings(reference)
    writer = open_writer(older, 1)
    writer.commit(optimize=True)
    assert _codecs(older) == {"SplitBlockCodec"} and len(older._segments()) == 1
    assert _postings(older) == _postings(reference)


@pytest.mark.parametrize("fixedsize", [None, 0, 4])
def test_values_pack_and_unpack(fixedsize: int | None) -> None:
    if fixedsize == 0:
        values = [b""] * 3
    elif fixedsize:
        values = [b"abcd", b"\x00\x00\x00\x01", b"wxyz"]
    else:
        values = [b"\x00\x00\x00\x02.", b"", b"\x80\x02]q\x00(K\x01K\x03e."]
    packed = whoosh_blocks.pack_values(values, fixedsize)
    expected = (None,) * 3 if fixedsize == 0 else tuple(values)
    assert whoosh_blocks.unpack_values(packed or b"", 3, fixedsize) == expected


class _OneByOneCodec(whoosh_blocks.SplitBlockCodec):
    """The same codec with Whoosh's own field writer: postings handed over one at a time."""

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return W3FieldWriter(self, storage, segment)


def _segment_files(path: Path) -> list[tuple[str, str]]:
    """(extension, digest) of every file of the index's segments (names differ run to run)."""
    return sorted((f.suffix, hashlib.sha256(f.read_bytes()).hexdigest())
                  for f in path.iterdir() if f.suffix not in ("", ".toc"))


def _by_unit(path: Path) -> dict[tuple[str, bytes], Any]:
    """Every term's statistics and postings by unit id: what a build in several processes,
    which numbers the units in the order its processes finish, keeps from run to run."""
    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    out: dict[tuple[str, bytes], Any] = {}
    with ix.reader() as reader:
        unit = [reader.stored_fields(d)["id"] for d in range(reader.doc_count_all())]
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            m = reader.postings(field, term)
            found = []
            while m.is_active():
                found.append((unit[m.id()], m.weight(), m.value()))
                m.next()
            out[(field, term)] = (info.doc_frequency(), info.weight(), info.min_length(),
                                  info.max_length(), info.max_weight(), sorted(found))
    return out


def _write(path: Path, units: list[dict[str, Any]], codec: Any, procs: int) -> None:
    """``units`` in COMMITS segments, uncompounded so their files can be compared."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema(), indexname=INDEX_NAME)
    step = len(units) // COMMITS
    for start in range(0, len(units), step):
        writer = ix.writer(codec=codec, compound=False, procs=procs)
        for unit in units[start:start + step]:
            writer.add_document(**unit, _boost=KIND_BOOST["passage"])
        writer.commit(merge=False)


def test_postings_handed_over_a_term_at_a_time_write_whoosh_own_files(
    units: list[dict[str, Any]], tmp_path: Path
) -> None:
    """TermBatchFieldWriter writes the files Whoosh's writer does, byte for byte, in fresh
    segments and in their merge."""
    files = []
    for name, codec in (("own", _OneByOneCodec()), ("batched", whoosh_blocks.SplitBlockCodec())):
        _write(tmp_path / name, units, codec, procs=1)
        fresh = _segment_files(tmp_path / name)
        ix = whoosh_index.open_dir(str(tmp_path / name), indexname=INDEX_NAME)
        ix.writer(codec=codec, compound=False).commit(optimize=True)
        files.append((fresh, _segment_files(tmp_path / name)))
    (own_fresh, own_merged), (fresh, merged) = files
    assert len([f for f in own_fresh if f[0] == ".pst"]) == COMMITS
    assert fresh == own_fresh
    assert merged == own_merged and len([f for f in merged if f[0] == ".pst"]) == 1


def test_postings_a_term_at_a_time_from_several_processes(units: list[dict[str, Any]],
                                                          tmp_path: Path) -> None:
    """With a writer per process, the parent merges their runs with lengths from several
    segments (read one by one): the same postings and term statistics as Whoosh's writer."""
    _write(tmp_path / "own", units, _OneByOneCodec(), procs=2)
    _write(tmp_path / "batched", units, whoosh_blocks.SplitBlockCodec(), procs=2)
    own = _by_unit(tmp_path / "own")
    assert _by_unit(tmp_path / "batched") == own
    assert sum(1 for stats in own.values() if stats[2]) > 1000  # terms with lengths
