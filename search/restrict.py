"""A search filter applied inside the matcher, so a filtered search skips what it excludes.

Whoosh applies a search's ``filter`` after the matcher has found and scored
each unit: a common word in a narrow year range is scored in tens of thousands
of units only to drop most of them. ``Restricted`` wraps the query's matcher
so that it skips straight to the next unit the filter allows. At 100,000
passages the benchmark's 60 filtered queries went from a median of 37.7 to
25.0 ms and a p95 of 101 to 76 ms, with the same hits and scores
(tests/test_search_exactness.py compares them with Whoosh's own filter).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from whoosh import matching, query
from whoosh.matching.wrappers import WrappingMatcher


class Restricted(query.WrappingQuery):
    """``child`` limited to the units ``allowed`` matches; ``allowed`` adds no score and no
    highlighted terms."""

    def __init__(self, child: query.Query, allowed: query.Query) -> None:
        super().__init__(child)
        self.allowed = allowed

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Restricted) and self.child == other.child
                and self.allowed == other.allowed)

    def __hash__(self) -> int:
        return hash(self.child) ^ hash(self.allowed)

    def _rewrap(self, child: query.Query) -> Restricted:
        return Restricted(child, self.allowed)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return AllowedOnly(self.child.matcher(searcher, context),
                           allowed_ids(self.allowed, searcher))


class AllowedOnly(WrappingMatcher):
    """The child matcher's units that are in ``ids`` (sorted), reached by skipping to them."""

    def __init__(self, child: Any, ids: array[int], boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self._ids = ids
        self._done = False
        self._sync()

    def copy(self) -> AllowedOnly:
        return AllowedOnly(self.child.copy(), self._ids)

    def _replacement(self, newchild: Any) -> AllowedOnly:
        return AllowedOnly(newchild, self._ids)

    def _sync(self) -> bool:
        """Move the child to the first allowed unit at or after the one it is on."""
        child, ids = self.child, self._ids
        moved = False
        while child.is_active():
            i = bisect_left(ids, child.id())
            if i == len(ids):
                self._done = True
                break
            if ids[i] == child.id():
                break
            moved = bool(child.skip_to(ids[i])) or moved
        return moved

    def is_active(self) -> bool:
        return not self._done and bool(self.child.is_active())

    def replace(self, minquality: float = 0) -> Any:
        return super().replace(minquality) if self.is_active() else matching.NullMatcher()

    def next(self) -> bool:
        moved = bool(self.child.next())
        return self._sync() or moved

    def skip_to(self, id: int) -> bool:
        moved = bool(self.child.skip_to(id))
        return self._sync() or moved

    def skip_to_quality(self, minquality: float) -> int:
        skipped = self.child.skip_to_quality(minquality)
        self._sync()
        return int(skipped)

    def all_ids(self) -> Iterator[int]:
        allowed = set(self._ids)
        return (docnum for docnum in self.child.all_ids() if docnum in allowed)


def allowed_ids(q: query.Query, searcher: Any) -> array[int]:
    """The sorted ids ``q`` matches: what ``q.docs(searcher)`` gives, found set by set.

    Whoosh's ``docs`` steps the query's matcher tree one unit at a time. A year
    range is an ``Or`` of several numeric terms, and at 100,000 passages its
    union matcher took 68 ms to list the 22,780 units of 2021 to 2025, two thirds
    of a one-word search with that filter. Here each term's units are read from
    its postings and combined as sets; a phrase (a ``--body`` filter) is
    checked once per set of positions; other queries keep Whoosh's own ``docs``.
    """
    found = _id_set(q, searcher)
    return array("I", sorted(found) if found is not None else q.docs(searcher))


def _id_set(q: query.Query, searcher: Any) -> set[int] | None:
    """The units of a filter made of terms, term ranges, numeric ranges, ands and ors."""
    kind = type(q)
    if kind is query.NumericRange:
        return _id_set(q._compile_query(searcher.reader()), searcher)
    if kind is query.ConstantScoreQuery:
        return _id_set(q.child, searcher)
    if kind is query.Term:
        return set(q.docs(searcher))
    if kind is query.TermRange:
        words = (w for w in q._btexts(searcher.reader()) if w)  # as MultiTerm.matcher
        return set().union(*(query.Term(q.fieldname, w).docs(searcher) for w in words))
    if kind is query.Phrase and searcher.is_atomic():
        return _phrase_units(q, searcher)
    if kind in (query.And, query.Or) and not getattr(q, "minmatch", 0):
        sets = []
        for sub in q.subqueries:
            found = _id_set(sub, searcher)
            if found is None:
                return None
            sets.append(found)
        if not sets:
            return None
        return set.intersection(*sets) if kind is query.And else set.union(*sets)
    return None


def _phrase_units(q: query.Phrase, searcher: Any) -> set[int]:
    """The units of one segment that hold a phrase, each set of positions checked once.

    Whether a unit holds the phrase depends only on where its words are, and a
    ``--body`` filter's phrase sits at the same positions in every unit of a
    paper and of every paper of that body. So the units holding all the words
    are grouped by the encoded positions of the words, and Whoosh's own phrase
    matcher decides for one unit of each group. At 100,000 passages the filter
    "Community Safety Partnership" (50,000 units) took 423 ms through Whoosh's
    ``docs``.
    """
    field = searcher.schema[q.fieldname]
    reader = searcher.reader()
    words = []
    for word in q.words:
        try:
            word = field.to_bytes(word)
        except ValueError:  # as Phrase.matcher: a word the field cannot hold matches nothing
            return set()
        if (q.fieldname, word) not in reader:
            return set()
        words.append(word)
    if not words:
        return set()
    places = [dict(reader.postings(q.fieldname, w).all_items()) for w in words]
    verdicts: dict[tuple[Any, ...], bool] = {}
    found: set[int] = set()
    for docnum in set(places[0]).intersection(*places[1:]):
        key = tuple(p[docnum] for p in places)
        holds = verdicts.get(key)
        if holds is None:
            matcher = q.matcher(searcher)
            if matcher.is_active():
                matcher.skip_to(docnum)
            holds = verdicts[key] = matcher.is_active() and matcher.id() == docnum
        if holds:
            found.add(docnum)
    return found


def restricted(q: query.Query, fq: query.Query | None) -> query.Query:
    """``q`` limited to what the filter query ``fq`` allows (``q`` itself without one)."""
    return q if fq is None else Restricted(q, fq)
