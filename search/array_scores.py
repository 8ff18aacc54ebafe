"""Every match of a query scored at once with numpy, as Whoosh's matchers would score it.

Whoosh's top-N collector steps a tree of Python matchers one unit at a time:
at 100,000 passages a two-word query of common words ("health meeting")
makes about 376,000 ``is_active`` calls, and a fuzzy word steps the union of
all its spellings in two fields. For a tree made only of terms, unions,
intersections, ``AndMaybe``, ``AndNot`` and plain phrases (words, ``AND``,
``OR``, ``NOT``, fields, fuzzy words, quoted phrases, with any filter), the
same answer comes from whole arrays: each term's postings are read a block
at a time (ids and weights only, see index/whoosh_blocks.py, and positions
only for a phrase's words), BM25 is computed for all of them at once, and
the arrays are combined as the matchers combine them. A phrase keeps the
units of its words' intersection where the words stand side by side, decided
for all of them at once from their positions, which the schema's text fields
store as integers (index/whoosh_positions.py); an index written before, whose
positions are pickled, has its phrases checked by Whoosh's matchers until the
next ingest rebuilds it.

The scores are the same floats Whoosh gives, not merely close: the tree is
Whoosh's own matcher tree for the query (its shape decides the order of the
additions), each term is scored with its own scorer's statistics by the same
formula in the same order of operations, and float64 arithmetic in numpy
rounds each operation as Python does. Anything else in the tree (ranges,
wildcards, phrases with slop, other scorers) makes ``plan`` answer None, and
Whoosh's collector runs as before.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.collectors import SortingCollector, TopCollector
from whoosh.matching import (
    AndMaybeMatcher,
    AndNotMatcher,
    FilterMatcher,
    IntersectionMatcher,
    ListMatcher,
    NullMatcherClass,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

from index.whoosh_blocks import LENGTHS_TYPE, SplitBlockMatcher
from index.whoosh_columns import whole_lengths
from index.whoosh_positions import PackedPositions, packed_positions
from index.whoosh_release import is_patched_release
from search.matched_terms import MatchedTermsCollector
from search.newest_first import ColumnRanks
from search.restrict import AllowedOnly
from search.whoosh_phrases import PhraseMatcher, plain_phrase

FITS = is_patched_release()  # the block and column internals read here are 2.7.5's
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


@dataclass(frozen=True)
class Matches:
    """A matcher's units over a whole segment: which units match, and their scores.

    Dense arrays, one slot per unit of the segment, make every combination one
    vectorised operation. A unit that does not match always scores 0.0, and
    adding 0.0 leaves a score unchanged, so the sums are exactly Whoosh's.
    """

    found: np.ndarray  # bool
    scores: np.ndarray  # float64


@dataclass(frozen=True)
class TermMatches:
    """Which units one term matched: what highlighting's matched terms are made of."""

    term: tuple[str, bytes]
    ids: np.ndarray


@dataclass(frozen=True)
class Values:
    """A term's encoded positions, posting by posting: their sizes, and them joined."""

    sizes: np.ndarray
    joined: bytes


@dataclass
class Run:
    """One segment's evaluation: its reader, the terms met, and the positions phrases need."""

    reader: Any
    terms: list[TermMatches]
    want_values: set[int] = field(default_factory=set)  # id() of leaves a phrase reads
    ids: dict[int, np.ndarray] = field(default_factory=dict)  # their postings' units
    values: dict[int, Values] = field(default_factory=dict)  # and encoded positions
    masks: dict[int, np.ndarray] = field(default_factory=dict)  # by id() of a set of units

    def unscored(self) -> Run:
        """The same segment for a clause whose terms are not matched terms (NOT)."""
        return Run(self.reader, [], self.want_values, self.ids, self.values, self.masks)

    def mask(self, ids: Any) -> np.ndarray:
        """Which units of the segment are among ``ids``, made once per set: the segment's
        deleted units wrap every term of a query."""
        key = id(ids)
        if key not in self.masks:
            size = self.reader.doc_count_all()
            listed = (np.asarray(ids) if isinstance(ids, array)
                      else np.fromiter(ids, np.int64, len(ids)))
            found = np.zeros(size, dtype=bool)
            found[listed[listed < size]] = True
            self.masks[key] = found
        return self.masks[key]


Plan = Callable[[Run], Matches]


def plan(matcher: Any) -> Plan | None:
    """How to score ``matcher``'s tree as arrays, or None when it holds a matcher not covered."""
    kind = type(matcher)
    if kind is NullMatcherClass:
        return lambda run: _nothing(run.reader.doc_count_all())
    if kind in (W3LeafMatcher, SplitBlockMatcher, ListMatcher):
        scorer = matcher.scorer if kind is not ListMatcher else matcher._scorer
        if type(scorer) is not BM25FScorer or matcher.term() is None:
            return None
        return lambda run: _leaf(matcher, scorer, run)
    if kind in (FilterMatcher, AllowedOnly, WrappingMatcher):
        return _wrapped(matcher)
    if kind is PhraseMatcher:
        return _phrase(matcher)
    if kind in _COMBINE:
        a, b = plan(matcher.a), plan(matcher.b)
        if a is None or b is None:
            return None
        combine, scored_b = _COMBINE[kind], kind is not AndNotMatcher
        return lambda run: combine(a(run), b(run if scored_b else run.unscored()))
    return None


def _wrapped(matcher: Any) -> Plan | None:
    """A matcher of one child: deleted units, a search's filter, or a boost."""
    child = plan(matcher.child)
    if child is None:
        return None
    inner: Plan = child
    kind = type(matcher)
    if kind is FilterMatcher:  # a segment's deleted units
        if matcher.boost != 1.0:
            return None
        return lambda run: _filtered(inner(run), run.mask(matcher._ids), matcher._exclude)
    if kind is AllowedOnly:  # a search's filter (search/restrict.py)
        return lambda run: _filtered(inner(run), run.mask(matcher._ids), False)
    return lambda run: _boosted(inner(run), matcher.boost)  # a boosted term


def _phrase(matcher: Any) -> Plan | None:
    """A quoted phrase: the intersection of its words, kept where they stand side by side.

    Whoosh's phrase matcher scores a unit as the intersection of its words
    does, so only which units hold the phrase is decided from positions.
    """
    child = plan(matcher.child)
    if child is None or not plain_phrase(matcher):
        return None
    if any(type(m.format) is not PackedPositions for m in matcher.ms):
        return None  # pickled positions (an index not yet rebuilt): Whoosh's matchers
    inner: Plan = child
    words = list(matcher.ms)

    def run_phrase(run: Run) -> Matches:
        run.want_values.update(id(m) for m in words)
        first_term = len(run.terms)
        both = inner(run)
        candidates = np.flatnonzero(both.found)
        places = []
        for m in words:
            ids = run.ids[id(m)]
            places.append((np.flatnonzero(both.found[ids]), run.values[id(m)]))
        held = candidates[phrase_held(len(candidates), places)]
        found = np.zeros(len(both.found), dtype=bool)
        found[held] = True
        for k in range(first_term, len(run.terms)):  # a word matched where the phrase holds
            run.terms[k] = TermMatches(run.terms[k].term, held)
        return _kept(found, both.scores)

    return run_phrase


def phrase_held(count: int, places: list[tuple[np.ndarray, Values]]) -> np.ndarray:
    """For ``count`` candidate units, which hold the words side by side, in order.

    ``places[k]`` is word k's postings that belong to the candidates (one
    each, in the candidates' order) and all its postings' encoded positions.
    A unit holds the phrase where some position p of the first word has word
    k at p + k for every k, which is what the phrase matcher's spans require;
    it is decided for all candidates at once, as keys (candidate, position).
    A word's keys come in ascending order (its postings in unit order, each
    one's positions ascending), so they are looked up by bisection.
    """
    stride = np.int64(1 << 32)
    keys = np.zeros(0, dtype=np.int64)
    for offset, (at, values) in enumerate(places):
        owner, positions = packed_positions(values.joined, values.sizes)
        candidate = np.full(len(values.sizes), -1, dtype=np.int64)
        candidate[at] = np.arange(len(at), dtype=np.int64)
        of = candidate[owner]
        kept = of >= 0
        word_keys = of[kept] * stride + (positions[kept] - offset)
        if not offset:
            keys = word_keys
        elif len(word_keys) and len(keys):
            near = np.minimum(np.searchsorted(word_keys, keys), len(word_keys) - 1)
            keys = keys[word_keys[near] == keys]
        else:
            keys = word_keys[:0]
    held = np.zeros(count, dtype=bool)
    held[keys // stride] = True
    return held


def _nothing(size: int) -> Matches:
    return Matches(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float64))


def _leaf(matcher: Any, scorer: Any, run: Run) -> Matches:
    """A term's postings from its current one on, scored by BM25 as ``scorer.score`` does."""
    wanted = id(matcher) in run.want_values
    ids, weights, values = _postings(matcher, wanted)
    if values is not None:
        run.ids[id(matcher)] = ids
        run.values[id(matcher)] = values
    lengths = _field_lengths(run.reader, matcher.term()[0])
    fl = lengths[ids] if lengths is not None else np.ones(len(ids), dtype=np.float64)
    idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    # bm25(idf, tf, fl, avgfl, B, K1), operation by operation as whoosh.scoring writes it
    scored = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
    run.terms.append(TermMatches(matcher.term(), ids))
    out = _nothing(run.reader.doc_count_all())
    out.found[ids] = True
    out.scores[ids] = scored
    return out


def _postings(matcher: Any, with_values: bool = False
              ) -> tuple[np.ndarray, np.ndarray, Values | None]:
    """Ids, weights (float32 widened, as ``weight()`` gives them) and, when asked, encoded
    values of the remaining postings."""
    if type(matcher) is ListMatcher:
        start = matcher._i
        ids = np.asarray(matcher._ids[start:], dtype=np.int64)
        if matcher._all_weights:
            weights = np.full(len(ids), matcher._all_weights, dtype=np.float64)
        elif matcher._weights:
            weights = np.asarray(matcher._weights[start:], dtype=np.float64)
        else:
            weights = np.ones(len(ids), dtype=np.float64)
        values = None
        if with_values:
            values = Values(*_joined(matcher._values[start:]))
        return ids, weights, values
    id_parts: list[Any] = []
    weight_parts: list[Any] = []
    size_parts: list[Any] = []
    joined_parts: list[bytes] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        start = matcher._i
        id_parts.extend(matcher._ids[start:] if start else matcher._ids)
        weight_parts.append(_block_weights(matcher)[start:])
        if with_values:
            sizes, joined = _joined_values(matcher)
            size_parts.append(sizes[start:])
            joined_parts.append(joined[int(sizes[:start].sum()):] if start else joined)
        matcher._next_block()
    ids = np.array(id_parts, dtype=np.int64)
    values = None
    if with_values:
        sizes = np.concatenate([np.zeros(0, np.int64), *size_parts], dtype=np.int64)
        values = Values(sizes, b"".join(joined_parts))
    if not weight_parts:
        return ids, np.zeros(0, dtype=np.float64), values
    return ids, np.concatenate(weight_parts, dtype=np.float32).astype(np.float64), values


def _joined_values(matcher: Any) -> tuple[np.ndarray, bytes]:
    """The current block's values: their sizes and them joined."""
    if type(matcher) is SplitBlockMatcher:
        lengths, joined = matcher.joined_values()
        return np.frombuffer(lengths, dtype=np.dtype(LENGTHS_TYPE)), joined
    if matcher._values is None:
        matcher._read_values()
    return _joined(matcher._values)


def _joined(listed: Any) -> tuple[np.ndarray, bytes]:
    """Encoded values given one by one, as their sizes and them joined."""
    return np.fromiter(map(len, listed), np.int64, len(listed)), b"".join(listed)


def _block_weights(matcher: Any) -> Any:
    """The block's weights as ``_read_weights`` gives them, without its loop of one per
    posting when they are all 1.0 or all alike (every unit's title and heading)."""
    if matcher._weights is not None:
        return matcher._weights
    weights = matcher._data[1]
    if weights is None:
        return np.ones(matcher._blocklength, dtype=np.float32)
    if isinstance(weights, float):
        return np.full(matcher._blocklength, weights, dtype=np.float32)
    return weights


def _field_lengths(reader: Any, fieldname: str) -> np.ndarray | None:
    """The field's length in every unit of the segment, decoded as Whoosh decodes it."""
    cache = reader.__dict__.setdefault("_minutebook_lengths", {})
    if fieldname not in cache:
        raw = whole_lengths(reader._perdoc, fieldname)
        cache[fieldname] = None if raw is None else _BYTE_LENGTHS[np.frombuffer(raw, np.uint8)]
    found: np.ndarray | None = cache[fieldname]
    return found


def _filtered(m: Matches, listed: np.ndarray, exclude: bool) -> Matches:
    """The units of ``m`` that are (or with ``exclude``, are not) ``listed``."""
    return _kept(m.found & (~listed if exclude else listed), m.scores)


def _kept(found: np.ndarray, scores: np.ndarray) -> Matches:
    """Matches with the scores of units that do not match set to 0.0, as combining needs."""
    return Matches(found, np.where(found, scores, 0.0))


def _boosted(m: Matches, boost: float) -> Matches:
    return Matches(m.found, m.scores * boost)  # WrappingMatcher.score: child.score() * boost


def _union(a: Matches, b: Matches) -> Matches:
    """UnionMatcher: a unit in both scores a + b, in one only its own score (x + 0.0 is x)."""
    return Matches(a.found | b.found, a.scores + b.scores)


def _intersection(a: Matches, b: Matches) -> Matches:
    """IntersectionMatcher: units in both, scoring a + b."""
    return _kept(a.found & b.found, a.scores + b.scores)


def _and_maybe(a: Matches, b: Matches) -> Matches:
    """AndMaybeMatcher: a's units, adding b's score where b matches too."""
    return _kept(a.found, a.scores + b.scores)


def _and_not(a: Matches, b: Matches) -> Matches:
    """AndNotMatcher: a's units that b does not match, with a's scores."""
    return _kept(a.found & ~b.found, a.scores)


_COMBINE: dict[type, Callable[[Matches, Matches], Matches]] = {
    UnionMatcher: _union,
    IntersectionMatcher: _intersection,
    AndMaybeMatcher: _and_maybe,
    AndNotMatcher: _and_not,
}


def top(m: Matches, limit: int) -> list[tuple[float, int]]:
    """The best ``limit`` (score, id) in id order: highest scores, lower ids first on ties."""
    ids = np.flatnonzero(m.found)
    negated, ids = _first(-m.scores[ids], ids, limit)
    order = np.argsort(ids)
    return list(zip((-negated[order]).tolist(), ids[order].tolist(), strict=True))


def _first(values: np.ndarray, ids: np.ndarray, limit: int | None
           ) -> tuple[np.ndarray, np.ndarray]:
    """The ``limit`` smallest (value, id) pairs of two parallel arrays, in that order (None
    or 0: all). Only the values up to the limit's are sorted, ties at the cut included."""
    if limit and len(ids) > limit:
        cut = np.partition(values, limit - 1)[limit - 1]
        near = values <= cut  # every unit that can be among the first, ties included
        values, ids = values[near], ids[near]
    order = np.lexsort((ids, values))[:limit or None]
    return values[order], ids[order]


class ArrayScoredCollector(MatchedTermsCollector):
    """A top-N search whose segments are scored as arrays when their matcher tree allows.

    The best ``limit`` units of a segment are given to Whoosh's own top-N
    collector in unit order, which keeps the same units it would keep after
    seeing every match (ties go to the earlier unit either way). A segment
    whose tree holds anything ``plan`` does not cover is collected by Whoosh.
    Scoring every match also gives the right top units where Whoosh's pruning
    does not: it skips blocks by a quality that leaves out a term's boost.

    A term counts as matched when it matches any unit the query matches (a
    phrase's word, where the phrase holds). Whoosh's collector sees only the
    units it scores, so it may note fewer terms; snippets are the same either
    way, as a term found in a shown hit matched that hit.

    ``matched`` lists every segment's matches, from which facets are counted
    (search/segment_columns.py), or is None once a segment was collected by
    Whoosh, whose collectors do not list them.
    """

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.matched: list[tuple[Any, np.ndarray]] | None = []

    def collect_matches(self) -> None:
        child = self.child
        how = plan(child.matcher) if FITS and _arrays_can_order(child) else None
        if how is None:
            self.matched = None
            super().collect_matches()
            return
        terms: list[TermMatches] = []
        reader = self.subsearcher.reader()
        found = how(Run(reader, terms))
        ids = np.flatnonzero(found.found)
        if self.matched is not None:
            self.matched.append((reader, ids))
        if type(child) is SortingCollector:
            child.items.extend(first_by_key(child.categorizer.keys, ids, child.limit,
                                            child.offset))
            child.docset.update((ids + child.offset).tolist())
        else:
            for score, docnum in top(found, child.limit):
                child._collect(child.offset + docnum, score)
        for term in terms:
            if term.term in self.termdocs:
                continue
            both = term.ids[found.found[term.ids]]
            if len(both):
                self.termdocs[term.term].append(child.offset + int(both[0]))


def _arrays_can_order(child: Any) -> bool:
    """Whoosh's top N by score (unless its weighting rescales final scores), or its sort by
    NewestFirst's keys (search/newest_first.py)."""
    if type(child) is TopCollector:
        return not child.top_searcher.weighting.use_final
    return (type(child) is SortingCollector and isinstance(child.categorizer, ColumnRanks)
            and not child.reverse)


def first_by_key(keys: np.ndarray, ids: np.ndarray, limit: int | None, offset: int
                 ) -> list[tuple[int, int]]:
    """The first ``limit`` (key, offset + unit) of ``ids`` in ascending order: where Whoosh's
    SortingCollector, which sorts every match's pair, would cut its list."""
    picked, ids = _first(keys[ids], ids, limit)
    return list(zip(picked.tolist(), (ids + offset).tolist(), strict=True))
