"""A faster position check for Whoosh phrases, applied once when search.query is imported.

A quoted phrase becomes Whoosh's ``SpanNear2`` over the intersection of its
words. For every unit holding all the words, Whoosh-Reloaded 2.7.5 builds a
``Span`` object per position of each word and pairs them up in Python
("community safety" is checked on 14,000 of 100,000 passages; doing it as
below takes a sixth off that query's time). For a plain phrase (words side by
side, in order, the parser's default) the same answer is a set intersection of
the words' positions, each shifted back by its place in the phrase: the unit
matches where a start position survives, and its spans are the same, in the
same order. Any other span query, or a field whose postings are not plain
``Positions``, keeps Whoosh's own check.

The positions are decoded as the field's format's ``decode_positions`` does
(read the gaps, add them up), without the two method look-ups per posting of
``value_as``; "community safety" decodes 29,000 position lists at 100,000
passages. Fields of minutebook's schema pack their gaps as integers
(index/whoosh_positions.py); an index written before pickles them, as Whoosh's
``Positions`` does, and reads the same way until the next ingest rebuilds it.

The spans depend only on the words' encoded positions, so each matcher
remembers the spans of the position lists it has seen. Every unit of a paper
carries the paper's title, and many units share a heading, so most checks in
those fields repeat one already made: over the benchmark's 30 phrases at
100,000 passages, 11,800 title checks hold 5 distinct sets of positions and
16,605 heading checks 19. The memo keeps at most ``MEMO_SIZE`` sets, so a
phrase common in running text, where sets rarely repeat, holds bounded memory.

Applied only to the Whoosh release it was written against; any other release
keeps its own code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh.formats import Positions
from whoosh.matching.mcore import LeafMatcher
from whoosh.query.spans import Span, SpanNear2
from whoosh.system import _INT_SIZE

from index.whoosh_positions import PackedPositions, position_gaps
from index.whoosh_release import is_patched_release

PhraseMatcher = SpanNear2.SpanNear2Matcher
WHOOSH_OWN = PhraseMatcher._get_spans  # kept for the tests
MEMO_SIZE = 4096  # sets of positions remembered per phrase matcher
PLAIN_FORMATS = (Positions, PackedPositions)  # postings with positions only


def plain_phrase(matcher: Any) -> bool:
    """True for words side by side in order, each a posting list with positions only."""
    return (
        matcher.slop == 1 and matcher.ordered and matcher.mindist == 1
        and all(isinstance(m, LeafMatcher) and type(m.format) in PLAIN_FORMATS
                for m in matcher.ms)
    )


Gaps = Callable[[bytes], Sequence[int]]


def gaps_of(format_: Any) -> Gaps:
    """How a plain format's value gives the gaps its positions add up from."""
    return position_gaps if type(format_) is PackedPositions else position_deltas


def position_deltas(value: bytes) -> list[int]:
    """A posting's encoded positions as the gaps ``Positions.decode_positions`` adds up."""
    if not value.endswith(b"."):
        value += b"."
    deltas: list[int] = loads(value[_INT_SIZE:])
    return deltas


def _positions(value: bytes, gaps: Gaps) -> Iterator[int]:
    """A posting's positions from its encoded value, as ``decode_positions`` gives them."""
    return accumulate(gaps(value))


def _spans(values: tuple[bytes, ...], gaps: Gaps = position_deltas) -> list[Span]:
    """The spans of a plain phrase whose words have these encoded positions."""
    first, *rest = values
    starts = set(_positions(first, gaps))
    for offset, value in enumerate(rest, start=1):
        if not starts:
            return []
        starts.intersection_update(map(offset.__rsub__, _positions(value, gaps)))
    return [Span(p, p + len(rest)) for p in sorted(starts)]


def _get_spans(self: Any) -> list[Span]:
    """The phrase's spans in the current unit: starts where every word follows in place."""
    memo = self.__dict__.get("_memo")
    if memo is None:
        memo = self._memo = {} if plain_phrase(self) else False
        self._gaps = gaps_of(self.ms[0].format) if memo is not False else None
    if memo is False:
        return WHOOSH_OWN(self)
    values = tuple([m.value() for m in self.ms])
    spans = memo.get(values)
    if spans is None:
        spans = _spans(values, self._gaps)
        if len(memo) < MEMO_SIZE:
            memo[values] = spans
    return spans


def apply() -> bool:
    """Install on the Whoosh release it fits; True when installed."""
    if not is_patched_release():
        return False
    PhraseMatcher._get_spans = _get_spans
    return True
