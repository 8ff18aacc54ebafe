"""search/array_scores.py: whole-segment scoring gives Whoosh's top units, scores and terms."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from whoosh import collectors, sorting
from whoosh import index as whoosh_index
from whoosh.matching import ListMatcher

from index.fulltext import INDEX_NAME, FullTextIndex
from index.whoosh_positions import PackedPositions
from search import array_scores, whoosh_phrases
from search import query as search_query
from search.matched_terms import MatchedTermsCollector
from search.newest_first import ColumnRanks, NewestFirst
from tests.bench.passages import build_whoosh, generate, query_set, read_jsonl, write_jsonl

EXTRA = [  # the query language beyond the benchmark's mix
    "prevent OR probation", "drugs NOT alcohol", "title:reoffending", "section:prevent",
    "(community OR safety) AND partnership", "reoffending^3 youth", "meeting NOT minutes",
    "doc_type:minutes prevent", "nosuchword", "haringey~ strategy",
]


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory: pytest.TempPathFactory) -> FullTextIndex:
    """3,000 benchmark passages in several segments, every 7th unit deleted, then 300 more
    (a third of them undated), then 40 with no date at all in a segment of their own."""
    work = tmp_path_factory.mktemp("array_scores")
    passages = write_jsonl(work / "passages.jsonl", 3300)
    lines = passages.read_text(encoding="utf-8").splitlines(keepends=True)
    first = work / "first.jsonl"
    first.write_text("".join(lines[:3000]), encoding="utf-8")
    build_whoosh(work / "index", first)
    ix = whoosh_index.open_dir(str(work / "index"), indexname=INDEX_NAME)
    writer = ix.writer()
    for docnum in range(0, 3000, 7):
        writer.delete_document(docnum)
    writer.commit(merge=False)
    rest = work / "rest.jsonl"
    rest.write_text("".join(lines[3000:]), encoding="utf-8")
    writer = ix.writer()
    for number, unit in enumerate(read_jsonl(rest)):
        if number % 3 == 0:
            del unit["date"]
        writer.add_document(**unit)
    writer.commit(merge=False)
    writer = ix.writer()
    for unit in generate(40, seed=3):
        del unit["date"]
        writer.add_document(**unit)
    writer.commit(merge=False)
    ix.close()
    return FullTextIndex(work / "index")


def _mixed_queries(searcher: Any) -> list[tuple[str, Any]]:
    """The benchmark's 210 queries with their filters, the query language beyond them, and
    some of those with a year and kind filter: (text, Whoosh query)."""
    queries = [(q["text"], search_query.Filters(year_from=q.get("year_from"),
                                                year_to=q.get("year_to"),
                                                doc_type=q.get("doc_type")))
               for q in query_set()] + [(text, search_query.Filters()) for text in EXTRA]
    queries += [(text, search_query.Filters(year_from=2014, kind="passage"))
                for text in EXTRA[:5]]
    return [(text, search_query.restricted(search_query.parse_query(text, searcher.schema),
                                           search_query.filter_query(filters, searcher.schema)))
            for text, filters in queries]


def _collected(searcher: Any, q: Any, collector: Any) -> tuple[list[Any], set[Any]]:
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return list(results.top_n), set(results.termdocs)


def _every_match(searcher: Any, q: Any, limit: int) -> list[Any]:
    """The best ``limit`` (score, unit) by Whoosh scoring every match, lower units first on ties."""
    every = searcher.search(q, limit=None, terms=True)  # as a top-N search builds its matchers
    best = sorted(((hit.score, -hit.docnum) for hit in every), reverse=True)[:limit]
    return [(score, -negated) for score, negated in best]


def test_top_units_scores_and_terms_are_whoosh_own(segmented_index: FullTextIndex,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query of the benchmark's mix and more: the (score, unit) pairs of Whoosh scoring
    every match, to the last bit, and Whoosh's matched terms among ours, with and without
    filters, over segments with deletions."""
    searcher = segmented_index.searcher(weighting=search_query.WEIGHTING)
    leaves = [seg for seg, _ in searcher.leaf_searchers()]
    assert len(leaves) >= 2 and any(seg.reader().has_deletions() for seg in leaves)
    planned: list[tuple[str, bool]] = []
    real_plan = array_scores.plan
    current = [""]

    def counted(matcher: Any) -> Any:
        found = real_plan(matcher)
        planned.append((current[0], found is not None))
        return found

    monkeypatch.setattr(array_scores, "plan", counted)
    pruned_differs = []
    for text, q in _mixed_queries(searcher):
        current[0] = text
        ours = _collected(searcher, q, array_scores.ArrayScoredCollector(
            searcher.collector(limit=30)))
        own = _collected(searcher, q, collectors.TermsCollector(searcher.collector(limit=30)))
        assert ours[0] == _every_match(searcher, q, 30), text
        if own[0] != ours[0]:
            pruned_differs.append(text)
        # Whoosh notes the terms of the units it scored; arrays score every match, so they
        # may note more terms, never fewer (a term of a shown hit matched that hit)
        assert own[1] <= ours[1], text
    assert sum(used for _, used in planned) > len(planned) * 0.7, "most segments as arrays"
    phrases = [used for text, used in planned if text.startswith('"')]
    assert sum(phrases) >= len(phrases) / 2  # phrases too, where no unit is deleted
    # Whoosh's pruning skips blocks by quality without a term's boost: where its top units
    # differ from every match's (which depends on how units fall into blocks), the query
    # is a boosted one
    assert all("^" in text for text in pruned_differs), pruned_differs


def test_the_search_output_is_the_same_either_way(segmented_index: FullTextIndex,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Hits, snippets, totals and suggestions through search(), arrays against Whoosh alone."""
    texts = [q["text"] for q in query_set()[::3]] + EXTRA

    def run() -> list[Any]:
        return [search_query.search(segmented_index, text, limit=10, per_doc=3)
                for text in texts]

    ours = run()
    monkeypatch.setattr(search_query, "ArrayScoredCollector", MatchedTermsCollector)
    assert [(r.hits, r.total, r.suggestion) for r in ours] == [
        (r.hits, r.total, r.suggestion) for r in run()]


class _WhooshAlone(array_scores.ArrayScoredCollector):
    """Every segment collected by Whoosh's own collectors, as when arrays cannot plan it."""

    def collect_matches(self) -> None:
        self.matched = None
        MatchedTermsCollector.collect_matches(self)


def test_date_order_and_facets_are_the_same_either_way(
        segmented_index: FullTextIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """search() by relevance and newest first, with and without facets: totals and counts
    per year, doc type and kind as Whoosh alone gives them (its own sort on the date
    column, its own facet groups), and the same hits newest first. By relevance, facets
    leave the hits as they are without them. Wildcards, which arrays leave to Whoosh,
    are counted by Whoosh."""
    texts = [q["text"] for q in query_set()[::5]] + EXTRA + ["partner*", "commun* prevent"]
    runs = [(text, sort, facets) for text in texts for sort in ("relevance", "date")
            for facets in (False, True)]

    def run() -> list[Any]:
        return [search_query.search(segmented_index, text, limit=10, sort=sort, per_doc=3,
                                    facets=facets) for text, sort, facets in runs]

    ours = run()
    monkeypatch.setattr(search_query, "ArrayScoredCollector", _WhooshAlone)
    monkeypatch.setattr(search_query, "NewestFirst",
                        lambda name: sorting.FieldFacet(name, reverse=True))
    own = run()
    assert [(r.total, r.facets) for r in ours] == [(r.total, r.facets) for r in own]
    assert all(r.facets["year"] and r.facets["kind"] for r, (_, _, facets) in
               zip(own, runs, strict=True) if facets and r.total)
    for (text, sort, facets), mine, whoosh, plain in zip(runs, ours, own, [None, *ours[:-1]],
                                                         strict=True):
        if sort == "date":
            assert mine.hits == whoosh.hits, text
        elif facets:
            assert mine.hits == plain.hits, text  # the run before: no facets
    assert sum(len(r.hits) for r in own) > len(own) * 5


def _in_date_order(searcher: Any, q: Any, collector: Any) -> tuple[list[Any], int, set[Any]]:
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return list(results.top_n), len(results), set(results.termdocs)


def test_date_order_is_whoosh_own(segmented_index: FullTextIndex,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Newest first, for every query of the mix and more: the (key, unit) pairs and the count
    of matches of Whoosh's own reversed sort on the date column, and its matched terms
    among ours, whether a segment is ordered as arrays or stepped through by Whoosh with
    NewestFirst's keys. Undated units come last, and units of one date in unit order."""
    searcher = segmented_index.searcher(weighting=search_query.WEIGHTING)
    readers = [reader for reader, _ in searcher.reader().leaf_readers()]
    assert not readers[-1].has_column("date")  # the segment of undated units
    ordered = []
    real_first = array_scores.first_by_key

    def counted(*args: Any) -> Any:
        ordered.append(args[3])
        return real_first(*args)

    monkeypatch.setattr(array_scores, "first_by_key", counted)
    undated_last = runs = 0
    for number, (text, q) in enumerate(_mixed_queries(searcher)):
        for limit in (30, None) if number % 3 == 0 else (30,):
            runs += 1
            own = _in_date_order(searcher, q, collectors.TermsCollector(searcher.collector(
                limit=limit, sortedby=sorting.FieldFacet("date", reverse=True))))
            ours = _in_date_order(searcher, q, array_scores.ArrayScoredCollector(
                searcher.collector(limit=limit, sortedby=NewestFirst("date"))))
            stepped = _in_date_order(searcher, q, MatchedTermsCollector(
                searcher.collector(limit=limit, sortedby=NewestFirst("date"))))
            assert ours[:2] == own[:2] == stepped[:2], (text, limit)
            assert own[2] <= ours[2] and own[2] == stepped[2], text
            undated_last += bool(own[0]) and own[0][-1][0] == 0
    assert undated_last > 30
    assert len(ordered) > len(readers) * runs * 0.7, "most segments as arrays"


def test_newest_first_without_a_date_column_is_whoosh_own(tmp_path: Path) -> None:
    """An index whose units hold no date has no date column: Whoosh's own categorizer then
    orders it (by postings), and the arrays leave it to Whoosh."""
    index = FullTextIndex(tmp_path / "index")
    writer = index.open().writer()
    for unit in generate(60, seed=4):
        del unit["date"]
        writer.add_document(**unit)
    writer.commit()
    searcher = index.searcher(weighting=search_query.WEIGHTING)
    assert not isinstance(NewestFirst("date").categorizer(searcher), ColumnRanks)
    q = search_query.parse_query("community", searcher.schema)
    own = _in_date_order(searcher, q, collectors.TermsCollector(searcher.collector(
        limit=10, sortedby=sorting.FieldFacet("date", reverse=True))))
    ours = _in_date_order(searcher, q, array_scores.ArrayScoredCollector(searcher.collector(
        limit=10, sortedby=NewestFirst("date"))))
    assert ours == own and own[1] > 10


def test_newest_first_follows_the_index_as_it_changes(tmp_path: Path) -> None:
    """The keys kept for a reader are not those of the next: after a commit adds newer
    units and deletes some, the shared searcher's newest hits are Whoosh's own again."""
    index = FullTextIndex(tmp_path / "index")
    units = list(generate(240, seed=6))
    writer = index.open().writer()
    for unit in units[:200]:
        writer.add_document(**unit)
    writer.commit()

    def newest() -> tuple[list[str], list[str]]:
        searcher = index.searcher(weighting=search_query.WEIGHTING)
        q = search_query.parse_query("community", searcher.schema)
        own = searcher.search(q, limit=15, sortedby=sorting.FieldFacet("date", reverse=True))
        hits = search_query.search(index, "community", limit=15, sort="date", snippets=False)
        return [h["id"] for h in own], [h.id for h in hits.hits]

    before = newest()
    assert before[0] == before[1] and len(before[0]) == 15
    writer = index.open().writer()
    for unit in units[200:]:
        writer.add_document(**{**unit, "date": "2031-01-0" + unit["id"][-1]})
    writer.delete_by_term("document_id", units[0]["document_id"])
    writer.commit(merge=False)
    after = newest()
    assert after[0] == after[1] and after[0] != before[0]
    assert all(i in {u["id"] for u in units[200:]} for i in after[1][:5])


def test_first_by_key_cuts_where_whoosh_sorted_list_is_cut() -> None:
    """first_by_key: the first (key, unit) pairs of the sorted list of every match, ties
    included, for any limit (None and 0: all, as Whoosh)."""
    rng = random.Random(9)
    keys = np.array([-rng.randrange(6) for _ in range(400)], dtype=np.int64)
    ids = np.array(sorted(rng.sample(range(400), 150)), dtype=np.int64)
    every = sorted((int(keys[i]) + 0, int(i) + 1000) for i in ids)
    for limit in (None, 0, 1, 7, 40, 149, 150, 500):
        assert array_scores.first_by_key(keys, ids, limit, 1000) == every[:limit or None]
    assert array_scores.first_by_key(keys, ids[:0], 10, 0) == []


def test_ties_go_to_the_earlier_unit_as_in_whoosh_heap() -> None:
    """top(): the limit's best by score, the lower unit first among equal scores."""
    scores = np.array([1.0, 3.0, 2.0, 3.0, 0.0, 2.0, 2.0, 3.0])
    found = np.array([True, True, True, True, False, True, True, True])
    m = array_scores.Matches(found, np.where(found, scores, 0.0))
    heap = collectors.TopCollector(limit=4)
    heap.items = []
    heap.minscore = 0
    for docnum in np.flatnonzero(found):
        heap._collect(int(docnum), float(scores[docnum]))
    assert sorted(array_scores.top(m, 4), key=lambda x: x[1]) == sorted(
        ((s, -d) for s, d in heap.items), key=lambda x: x[1])
    assert [d for _, d in array_scores.top(m, 4)] == [1, 2, 3, 7]


def _values(encoded: list[bytes]) -> array_scores.Values:
    return array_scores.Values(np.array([len(v) for v in encoded], dtype=np.int64),
                               b"".join(encoded))


def test_phrase_units_are_those_of_whoosh_span_pairing() -> None:
    """phrase_held: words side by side in order, decided for many units at once, as Whoosh's
    own span pairing decides it one unit at a time (search/whoosh_phrases.py's check).

    Each word also has postings in units that are not candidates (a unit
    lacking another word), whose positions must not count.
    """
    rng = random.Random(5)
    packed = PackedPositions()
    for words in (2, 3, 4):
        postings: list[list[bytes]] = [[] for _ in range(words)]
        at: list[list[int]] = [[] for _ in range(words)]
        expected = []
        for unit in range(600):
            lists = [sorted(rng.sample(range(rng.choice((3, 12, 40, 300))), rng.randint(1, 3)))
                     for _ in range(words)]
            if unit % 5 == 0:  # make some units hold the phrase
                start = rng.choice(lists[0])
                lists = [sorted(set(found) | {start + k}) for k, found in enumerate(lists)]
            for k, found in enumerate(lists):
                if rng.random() < 0.3:  # a unit of this word alone, holding every position
                    postings[k].append(packed.encode(list(range(400))))
                at[k].append(len(postings[k]))
                postings[k].append(packed.encode(found))
            phrase = SimpleNamespace(slop=1, ordered=True, mindist=1, ms=[
                ListMatcher([unit], values=[postings[k][-1]], format=packed)
                for k in range(words)])  # what Whoosh's phrase matcher reads at one unit
            expected.append(bool(whoosh_phrases.WHOOSH_OWN(phrase)))
        places = [(np.array(at[k]), _values(postings[k])) for k in range(words)]
        held = array_scores.phrase_held(600, places).tolist()
        assert held == expected, words
        assert 100 < sum(held) < 600
