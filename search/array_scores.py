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
for all of them at once from their positions.

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
from itertools import chain
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.collectors import TopCollector
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
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from index.whoosh_blocks import SplitBlockMatcher
from index.whoosh_columns import whole_lengths
from index.whoosh_release import is_patched_release
from search.matched_terms import MatchedTermsCollector
from search.restrict import AllowedOnly
from search.whoosh_phrases import PhraseMatcher, plain_phrase, position_deltas

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


@dataclass
class Run:
    """One segment's evaluation: its reader, the terms met, and the positions phrases need."""

    reader: Any
    terms: list[TermMatches]
    want_values: set[int] = field(default_factory=set)  # id() of leaves a phrase reads
    ids: dict[int, np.ndarray] = field(default_factory=dict)  # their postings' units
    values: dict[int, list[bytes]] = field(default_factory=dict)  # and encoded positions
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
            at = np.flatnonzero(both.found[ids])
            values = run.values[id(m)]
            places.append([values[i] for i in at.tolist()])
        held = candidates[phrase_held(places)]
        found = np.zeros(len(both.found), dtype=bool)
        found[held] = True
        for k in range(first_term, len(run.terms)):  # a word matched where the phrase holds
            run.terms[k] = TermMatches(run.terms[k].term, held)
        return _kept(found, both.scores)

    return run_phrase


def phrase_held(places: list[list[bytes]]) -> np.ndarray:
    """For n candidate units, which hold the words side by side, in order.

    ``places[k][c]`` is word k's encoded positions in candidate c. A unit holds
    the phrase where some position p of the first word has word k at p + k for
    every k, which is what the phrase matcher's spans require; it is decided
    for all candidates at once, as keys (candidate, position).
    """
    count = len(places[0])
    if not count:
        return np.zeros(0, dtype=bool)
    distinct: dict[tuple[bytes, ...], int] = {}  # titles and headings repeat their positions
    rows = zip(*places, strict=True)
    which = np.fromiter((distinct.setdefault(row, len(distinct)) for row in rows),
                        dtype=np.int64, count=count)
    if len(distinct) < count:
        return _held([list(word) for word in zip(*distinct, strict=True)])[which]
    return _held(places)


def _held(places: list[list[bytes]]) -> np.ndarray:
    """phrase_held for candidates of distinct positions."""
    count = len(places[0])
    stride = np.int64(1 << 32)
    keys = None
    for offset, values in enumerate(places):
        owner, positions = _decoded(values)
        word_keys = owner * stride + (positions - offset)
        keys = word_keys if keys is None else keys[np.isin(keys, word_keys)]
    held = np.zeros(count, dtype=bool)
    assert keys is not None
    held[keys // stride] = True
    return held


def _decoded(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Every position of every value, with the index of the value it came from.

    A value is a length and a protocol-2 pickle of the position deltas
    (``whoosh.formats.Positions``); the pickles are joined into one list of
    lists and unpickled in one call, rather than one call per value.
    """
    bodies = [value[_INT_SIZE + 2:-1] if value.endswith(b".") else value[_INT_SIZE + 2:]
              for value in values]
    if all(value[_INT_SIZE:_INT_SIZE + 2] == b"\x80\x02" for value in values):
        deltas = loads(b"\x80\x02(" + b"".join(bodies) + b"l.")
    else:  # not the layout this release writes: one value at a time, as Whoosh decodes it
        deltas = [position_deltas(v) for v in values]
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    sums = np.cumsum(flat)
    firsts = np.cumsum(counts) - counts  # where each value's deltas begin
    before = np.repeat(np.concatenate(([0], sums))[firsts], counts)
    owner = np.repeat(np.arange(len(deltas), dtype=np.int64), counts)
    return owner, sums - before


def _nothing(size: int) -> Matches:
    return Matches(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float64))


def _leaf(matcher: Any, scorer: Any, run: Run) -> Matches:
    """A term's postings from its current one on, scored by BM25 as ``scorer.score`` does."""
    wanted = id(matcher) in run.want_values
    ids, weights, values = _postings(matcher, wanted)
    if wanted:
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
              ) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Ids, weights (float32 widened, as ``weight()`` gives them) and, when asked, encoded
    values of the remaining postings."""
    values: list[bytes] = []
    if type(matcher) is ListMatcher:
        start = matcher._i
        ids = np.asarray(matcher._ids[start:], dtype=np.int64)
        if matcher._all_weights:
            weights = np.full(len(ids), matcher._all_weights, dtype=np.float64)
        elif matcher._weights:
            weights = np.asarray(matcher._weights[start:], dtype=np.float64)
        else:
            weights = np.ones(len(ids), dtype=np.float64)
        if with_values:
            values = list(matcher._values[start:])
        return ids, weights, values
    id_parts: list[Any] = []
    weight_parts: list[Any] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        start = matcher._i
        id_parts.extend(matcher._ids[start:] if start else matcher._ids)
        weight_parts.append(_block_weights(matcher)[start:])
        if with_values:
            if matcher._values is None:
                matcher._read_values()
            values.extend(matcher._values[start:] if start else matcher._values)
        matcher._next_block()
    ids = np.array(id_parts, dtype=np.int64)
    if not weight_parts:
        return ids, np.zeros(0, dtype=np.float64), values
    return ids, np.concatenate(weight_parts, dtype=np.float32).astype(np.float64), values


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
    scores = m.scores[ids]
    if len(ids) > limit:
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        near = scores >= cut  # every unit that can be among the best, ties included
        ids, scores = ids[near], scores[near]
        order = np.lexsort((ids, -scores))[:limit]
        order.sort()
        ids, scores = ids[order], scores[order]
    return list(zip(scores.tolist(), ids.tolist(), strict=True))


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
    """

    def collect_matches(self) -> None:
        child = self.child
        how = plan(child.matcher) if FITS and type(child) is TopCollector else None
        if how is None or child.top_searcher.weighting.use_final:
            super().collect_matches()
            return
        terms: list[TermMatches] = []
        found = how(Run(self.subsearcher.reader(), terms))
        for score, docnum in top(found, child.limit):
            child._collect(child.offset + docnum, score)
        for term in terms:
            if term.term in self.termdocs:
                continue
            both = term.ids[found.found[term.ids]]
            if len(both):
                self.termdocs[term.term].append(child.offset + int(both[0]))
