"""index/whoosh_positions.py: positions packed as integers mean what Whoosh's pickled ones do."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.formats import Positions

from index.fulltext import INDEX_NAME, FullTextIndex, make_schema
from index.whoosh_positions import PackedPositions, packed_positions, position_gaps
from search.query import Filters, search


def test_packed_values_decode_to_what_whoosh_format_decodes() -> None:
    """Frequency, weight, positions and combining agree with Whoosh's Positions."""
    rng = random.Random(3)
    whoosh, packed = Positions(field_boost=1.5), PackedPositions(field_boost=1.5)
    for _ in range(500):
        positions = sorted(rng.sample(range(rng.choice((3, 60, 70_000))), rng.randint(1, 3)))
        theirs, ours = whoosh.encode(positions), packed.encode(positions)
        assert packed.decode_positions(ours) == whoosh.decode_positions(theirs) == positions
        assert packed.decode_frequency(ours) == whoosh.decode_frequency(theirs)
        assert packed.decode_weight(ours) == whoosh.decode_weight(theirs)
        assert list(np.cumsum(position_gaps(ours))) == positions
    a, b = packed.encode([1, 9]), packed.encode([4, 9, 20])
    assert packed.decode_positions(packed.combine([a, b])) == [1, 4, 9, 20]
    words = list(packed.word_values("safety first, then safety", StemmingAnalyzer()))
    assert {w: packed.decode_positions(v) for w, _, _, v in words} == {
        w: whoosh.decode_positions(v)
        for w, _, _, v in whoosh.word_values("safety first, then safety", StemmingAnalyzer())}


def test_joined_values_give_every_posting_its_positions() -> None:
    rng = random.Random(8)
    packed = PackedPositions()
    lists = [sorted(rng.sample(range(rng.choice((2, 40, 90_000))), rng.randint(1, 2)))
             for _ in range(300)]
    lists += [list(range(0, 4_000, 7))]  # one long posting
    values = [packed.encode(found) for found in lists]
    owner, positions = packed_positions(b"".join(values), np.array([len(v) for v in values]))
    got = [positions[owner == i].tolist() for i in range(len(lists))]
    assert got == lists
    owner, positions = packed_positions(b"", np.zeros(0, dtype=np.int64))
    assert len(owner) == len(positions) == 0


def test_the_index_stores_packed_positions_and_phrases_read_them(tmp_path: Path) -> None:
    """Every text field of the schema packs its positions; a phrase query over such an
    index finds what Whoosh's own phrase matching finds."""
    schema = make_schema()
    assert {name for name, field in schema.items()
            if type(getattr(field, "format", None)) is PackedPositions} == {
        "title", "body", "section", "text"}
    index = FullTextIndex(tmp_path / "index")
    ix = index.open()
    texts = ["the community safety partnership met", "safety of the community",
             "community safety and community cohesion", "partnership safety community"]
    with ix.writer() as writer:
        for i, text in enumerate(texts * 50):
            writer.add_document(id=str(i), kind="passage", document_id=f"d{i % 7}",
                                source=f"d{i % 7}.pdf", title="Board", doc_type="minutes",
                                body="CSP", date="2020-01-01", year=2020, page=1,
                                section="", text=text)
    ix.close()
    hits = search(index, '"community safety"', Filters(), limit=500).hits
    assert sorted(int(h.id) % 4 for h in hits) == sorted([0] * 50 + [2] * 50)
    ix = whoosh_index.open_dir(str(tmp_path / "index"), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        postings = searcher.postings("text", "safeti")
        assert type(postings.format) is PackedPositions
        assert postings.value_as("positions") == [2]  # "the" is dropped but keeps its place
