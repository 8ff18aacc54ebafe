"""index/whoosh_blocks.py: split posting blocks read back as Whoosh's own blocks are."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from index import whoosh_blocks
from index.fulltext import INDEX_NAME, KIND_BOOST, FullTextIndex, make_schema, open_writer
from search import query as search_query
from tests.bench.passages import generate, query_set

UNITS = 1500  # a common word spans a dozen blocks of 128 postings
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
