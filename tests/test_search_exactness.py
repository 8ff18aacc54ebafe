"""Exact search: Whoosh's pruning keeps the true top hits, and filters skip inside the matcher."""

from __future__ import annotations

import copy
import random
import shutil
from array import array
from collections import Counter
from pathlib import Path

import pytest
from whoosh import collectors, query
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import AndMaybeMatcher
from whoosh.query.terms import FuzzyTerm

from index.fulltext import INDEX_NAME, FullTextIndex, make_schema
from search import query as search_query  # importing it applies the fix
from search import restrict, whoosh_fix, whoosh_fuzzy, whoosh_phrases, whoosh_postings
from search.matched_terms import MatchedTermsCollector
from tests.bench.passages import build_whoosh, query_set, write_jsonl

WORDS = ("prevent", "reoffend", "drug", "iom", "violenc", "youth", "partnership", "report")


def test_the_fix_is_in_place_once_search_is_imported() -> None:
    assert search_query.whoosh_fix is whoosh_fix
    assert not whoosh_fix.leaves_optional_behind()


def _skip_case(searcher: object, word: str) -> tuple[object, int, int] | None:
    """(segment searcher, id to skip to, where 'section' lands) with a 'text'-only unit between."""
    for seg, _ in searcher.leaf_searchers():  # type: ignore[attr-defined]
        required = sorted(query.Term("section", word).docs(seg))
        optional = set(query.Term("text", word).docs(seg))
        for before, landing in zip(required, required[1:], strict=False):
            between = [d for d in optional if before < d < landing]
            if landing in optional and between:
                return seg, before + 1, landing
    return None


def test_and_maybe_scores_the_optional_clause_after_a_skip(corpus_home: Path) -> None:
    searcher = FullTextIndex(corpus_home / "index").searcher(weighting=search_query.WEIGHTING)
    cases = ((word, _skip_case(searcher, word)) for word in WORDS)
    word, case = next(((w, c) for w, c in cases if c is not None), ("", None))
    assert case is not None, "the corpus should hold a heading word also found in body text"
    seg, skip_to, landing = case
    required = query.Term("section", word).matcher(seg)
    optional = query.Term("text", word).matcher(seg)
    matcher = AndMaybeMatcher(required, optional)
    matcher.skip_to(skip_to)
    assert matcher.id() == landing
    assert matcher.b.id() == landing  # the optional clause followed the required one
    alone = query.Term("section", word).matcher(seg)
    alone.skip_to(landing)
    text = query.Term("text", word).matcher(seg)
    text.skip_to(landing)
    assert matcher.score() == alone.score() + text.score()


FILTERED = [
    ("prevent", search_query.Filters(year_from=2013, year_to=2019)),
    ("reoffending", search_query.Filters(doc_type="minutes")),
    ("drugs", search_query.Filters(year_from=2020, doc_type="report")),
    ("partnership", search_query.Filters(kind="resolution")),
    ('"community safety"', search_query.Filters(year_to=2016)),
    ("actions", search_query.Filters(body="Community Safety Partnership")),
]


def test_a_filtered_search_ranks_as_whoosh_filtering_every_match(corpus_home: Path) -> None:
    """The filter skips within the matcher; hits and scores are those of Whoosh's own filter."""
    index = FullTextIndex(corpus_home / "index")
    searcher = index.searcher(weighting=search_query.WEIGHTING)
    for text, filters in FILTERED:
        result = search_query.search(index, text, filters, limit=10)
        every = searcher.search(search_query.parse_query(text, searcher.schema), limit=None,
                                filter=search_query.filter_query(filters, searcher.schema),
                                terms=True)
        assert len(result.hits) == min(10, len(every)), text
        assert result.hits, text
        best = sorted((round(h.score, 3) for h in every), reverse=True)[:10]
        assert [h.score for h in result.hits] == best, text
        allowed = {h["id"] for h in every}
        assert {h.id for h in result.hits} <= allowed, text


@pytest.fixture(scope="module")
def passages_index(tmp_path_factory: pytest.TempPathFactory) -> FullTextIndex:
    """3,000 benchmark passages: common words span many blocks of 128 postings."""
    work = tmp_path_factory.mktemp("passages")
    build_whoosh(work / "index", write_jsonl(work / "passages.jsonl", 3000))
    return FullTextIndex(work / "index")


def test_posting_skips_by_bisection_land_where_whoosh_steps(
    passages_index: FullTextIndex,
) -> None:
    """search/whoosh_postings.py: same posting after every skip, same ids in every block."""
    own_skip, own_read = whoosh_postings.WHOOSH_OWN
    searcher = passages_index.searcher()
    rng = random.Random(7)
    checked = 0
    for seg, _ in searcher.leaf_searchers():
        top = seg.doc_count_all()
        common = [t for t in seg.lexicon("text") if seg.doc_frequency("text", t) > 3 * 128]
        for term in common[:20]:
            own, new = seg.postings("text", term), seg.postings("text", term)
            for target in sorted(rng.sample(range(top + 2), 80)):
                if not own.is_active():
                    break
                own_skip(own, target)
                whoosh_postings._skip_to(new, target)
                assert own.is_active() == new.is_active(), (term, target)
                if own.is_active():
                    assert own.id() == new.id(), (term, target)
                    own_ids = own._ids
                    own_read(own)
                    whoosh_postings._read_ids(new)
                    assert own._ids == new._ids == own_ids
                    checked += 1
    assert checked > 500, checked


def _phrase_matches(searcher: object, field: str, words: list[str], slop: int
                    ) -> list[tuple[int, list]]:
    out = []
    for seg, offset in searcher.leaf_searchers():  # type: ignore[attr-defined]
        m = query.Phrase(field, words, slop=slop).matcher(seg)
        while m.is_active():
            out.append((offset + m.id(), [(s.start, s.end) for s in m.spans()]))
            m.next()
    return out


def test_fuzzy_words_are_found_once_a_segment_with_whoosh_own_hits(
    passages_index: FullTextIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """search/whoosh_fuzzy.py: the benchmark's fuzzy queries find the same hits, scores and
    highlighted snippets as with Whoosh's own expansion, which walked a segment's terms
    twice for a field (size estimate, then matcher); here each walk is made once."""
    texts = [q["text"] for q in query_set() if q["text"].endswith("~")]
    assert len(texts) >= 20
    own = whoosh_fuzzy.WHOOSH_OWN
    walks: Counter[tuple[int, str, int]] = Counter()

    def counted(term: FuzzyTerm, reader: object) -> object:
        walks[(id(term), term.fieldname, id(reader))] += 1
        return own(term, reader)

    def found(text: str) -> tuple[list[tuple[str, float | None, str]], int, int]:
        """The hits, the walks of the query, and the most walks of one term's field."""
        walks.clear()  # per query: a term's id may be reused by the next query's
        result = search_query.search(passages_index, text, search_query.Filters(), limit=10)
        hits = [(hit.id, hit.score, hit.snippet) for hit in result.hits]
        return hits, sum(walks.values()), max(walks.values())

    monkeypatch.setattr(whoosh_fuzzy, "WHOOSH_OWN", counted)
    assert whoosh_fuzzy.apply()
    ours, ours_walks, most = zip(*(found(text) for text in texts), strict=True)
    assert max(most) == 1
    monkeypatch.setattr(FuzzyTerm, "_btexts", counted)  # Whoosh's own, counted
    theirs, their_walks, _ = zip(*(found(text) for text in texts), strict=True)
    assert theirs == ours
    assert sum(their_walks) > sum(ours_walks) * 1.5
    assert sum(map(len, ours)) > 100  # most fuzzy words find something
    # A query kept after its search holds no segment: it copies, and its segment can close.
    term = search_query.parse_query("houing~", passages_index.searcher().schema)
    passages_index.searcher().search(term, limit=3)
    assert copy.deepcopy(term) == term


def test_phrase_positions_match_whoosh_own_check(
    passages_index: FullTextIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """search/whoosh_phrases.py: the same units and spans as Whoosh's span pairing.

    Phrases in running text, where units rarely share positions, and in titles
    and headings, which every unit of a paper or section repeats, so that the
    remembered spans are used (and must be those of the unit at hand).
    """
    searcher = passages_index.searcher()
    analyzer = searcher.schema["text"].analyzer
    rng = random.Random(11)
    phrases: list[tuple[str, list[str], int]] = []
    for docnum in rng.sample(range(searcher.doc_count_all()), 40):
        for field in ("text", "title", "section"):
            stems = [t.text for t in analyzer(searcher.stored_fields(docnum)[field])]
            start = rng.randrange(max(1, len(stems) - 3))
            phrases += [(field, stems[start:start + 2], 1), (field, stems[start:start + 3], 1),
                        (field, stems[start:start + 3][::-1], 1),
                        (field, stems[start:start + 2], 2)]
    phrases += [("text", ["commun", "commun"], 1), ("text", ["safeti", "commun", "safeti"], 1)]
    assert whoosh_phrases.apply()
    checked = remembered = 0
    real_spans = whoosh_phrases._spans

    def counted(values: tuple[bytes, ...], gaps: whoosh_phrases.Gaps) -> list[object]:
        nonlocal remembered
        remembered += 1
        return real_spans(values, gaps)

    real_get = whoosh_phrases._get_spans

    def counted_get(self: object) -> list[object]:
        nonlocal checked
        checked += 1
        return real_get(self)

    monkeypatch.setattr(whoosh_phrases, "_spans", counted)
    monkeypatch.setattr(whoosh_phrases.PhraseMatcher, "_get_spans", counted_get)
    ours = [_phrase_matches(searcher, *phrase) for phrase in phrases]
    assert remembered < checked / 2, (remembered, checked)  # titles and headings repeat
    monkeypatch.setattr(whoosh_phrases.PhraseMatcher, "_get_spans", whoosh_phrases.WHOOSH_OWN)
    own = [_phrase_matches(searcher, *phrase) for phrase in phrases]
    assert ours == own
    assert sum(len(found) for found in own) > 1000  # most phrases are found, some often
    assert any(not found for found in own)  # and reversed ones mostly are not
    assert all(any(found for (f, *_), found in zip(phrases, own, strict=True) if f == field)
               for field in ("text", "title", "section"))


def _search_all(index: FullTextIndex, queries: list[dict]) -> list[object]:
    out = []
    for i, q in enumerate(queries):
        filters = search_query.Filters(year_from=q.get("year_from"), year_to=q.get("year_to"),
                                       doc_type=q.get("doc_type"))
        sort = "date" if i % 7 == 3 else "relevance"
        result = search_query.search(index, q["text"], filters, limit=10, sort=sort,
                                     facets=i % 5 == 2, per_doc=3 * (i % 2))
        out.append((result.hits, result.total, result.facets, result.suggestion))
    return out


def test_matched_terms_collector_gives_whoosh_terms_and_snippets(
    passages_index: FullTextIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """search/matched_terms.py: the terms highlighting reads, and so every snippet, as Whoosh's."""
    queries = query_set()  # words, phrases, ANDs, type and year filters, fuzzy words
    searcher = passages_index.searcher(weighting=search_query.WEIGHTING)
    spellings = 0
    for q in queries:
        parsed = search_query.parse_query(q["text"], searcher.schema)
        ours = MatchedTermsCollector(searcher.collector(limit=30))
        own = collectors.TermsCollector(searcher.collector(limit=30))
        searcher.search_with_collector(parsed, ours)
        searcher.search_with_collector(parsed, own)
        assert set(ours.results().termdocs) == set(own.results().termdocs), q["text"]
        if q["text"].endswith("~"):
            spellings = max(spellings, len({t for _, t in own.results().termdocs}))
    assert spellings > 1  # some fuzzy word matched several spellings
    ours_results = _search_all(passages_index, queries)
    monkeypatch.setattr(search_query, "ArrayScoredCollector", collectors.TermsCollector)
    assert ours_results == _search_all(passages_index, queries)
    snippets = [hit.snippet for hits, *_ in ours_results for hit in hits]  # type: ignore[attr-defined]
    assert sum("[" in s for s in snippets) > len(snippets) / 2  # others match in headings


FILTER_CASES = [
    search_query.Filters(year_from=2021, year_to=2025),
    search_query.Filters(year_from=2013),
    search_query.Filters(year_to=2009),
    search_query.Filters(year_from=2016, year_to=2016),
    search_query.Filters(doc_type="minutes"),
    search_query.Filters(year_from=2014, doc_type="report"),
    search_query.Filters(year_from=2030),
    search_query.Filters(body="Community Safety Partnership"),  # a phrase: Whoosh's own docs
]


def test_filter_units_are_those_whoosh_lists(
    passages_index: FullTextIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """search/restrict.py and the block-wise all_ids: a filter's units as Whoosh's ``docs``,
    in every segment and with deleted units."""
    shutil.copytree(passages_index.path, tmp_path / "index")
    ix = whoosh_index.open_dir(str(tmp_path / "index"), indexname=INDEX_NAME)
    writer = ix.writer()
    for docnum in range(0, 3000, 7):
        writer.delete_document(docnum)
    writer.commit(merge=False)
    searcher = ix.searcher()
    leaves = [seg for seg, _ in searcher.leaf_searchers()]
    assert any(seg.reader().has_deletions() for seg in leaves)
    ours = [[restrict.allowed_ids(search_query.filter_query(f, searcher.schema), s)
             for s in [searcher, *leaves]] for f in FILTER_CASES]
    monkeypatch.setattr(W3LeafMatcher, "all_ids", whoosh_postings.WHOOSH_OWN_ALL[0])
    own = [[array("I", search_query.filter_query(f, searcher.schema).docs(s))  # type: ignore[union-attr]
            for s in [searcher, *leaves]] for f in FILTER_CASES]
    assert ours == own
    sizes = [len(found[0]) for found in own]
    assert all(0 < n < searcher.doc_count() for n in sizes[:6]), sizes  # filters that filter
    assert sizes[6] == 0
    assert all(restrict._id_set(search_query.filter_query(f, searcher.schema), searcher)
               is not None for f in FILTER_CASES[:7])  # the set-wise path, not Whoosh's


BODIES = (
    "Haringey Community Safety Partnership",
    "Community Safety Partnership",
    "Partnership for Community Safety",
    "Community Safety and Partnership Board",
    "Safety Partnership Community Forum",
    "Community Safety Community Safety Partnership",
)
BODY_FILTERS = ("Community Safety Partnership", "Safety Partnership", "Partnership Community",
                "Community Safety", "Safety Community", "Partnership Board", "Police Board")


def test_body_phrase_units_are_those_whoosh_lists(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """search/restrict.py: a phrase filter checked once per set of positions gives Whoosh's
    units, in two segments and with deleted units, whatever the order of the words."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    rng = random.Random(5)
    for part in range(2):
        writer = ix.writer()
        for n in range(400):
            writer.add_document(id=f"u{part}-{n}", kind="passage", body=rng.choice(BODIES),
                                text="notes", year=2015 + n % 5)
        writer.commit(merge=False)
    writer = ix.writer()
    for n in range(0, 400, 9):
        writer.delete_document(400 + n)  # unit u1-n of the second segment
    writer.commit(merge=False)
    searcher = ix.searcher()
    leaves = [seg for seg, _ in searcher.leaf_searchers()]
    assert len(leaves) == 2 and leaves[1].reader().has_deletions()
    filters = [search_query.filter_query(search_query.Filters(body=b), searcher.schema)
               for b in BODY_FILTERS]
    assert all(isinstance(restrict._id_set(f, leaves[0]), set) for f in filters)
    ours = [[restrict.allowed_ids(f, s) for s in leaves] for f in filters]
    monkeypatch.setattr(W3LeafMatcher, "all_ids", whoosh_postings.WHOOSH_OWN_ALL[0])
    monkeypatch.setattr(W3LeafMatcher, "all_items", whoosh_postings.WHOOSH_OWN_ALL[1])
    own = [[array("I", f.docs(s)) for s in leaves] for f in filters]  # type: ignore[union-attr]
    assert ours == own
    sizes = [sum(len(ids) for ids in found) for found in own]
    assert all(sizes[:4]) and sizes[-1] == 0, sizes  # found, some partly, one not at all
    assert len(set(sizes)) > 3, sizes
