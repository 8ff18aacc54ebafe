"""Faster posting reads for Whoosh's block matcher, applied once when search.query is imported.

Whoosh-Reloaded 2.7.5's ``W3LeafMatcher.skip_to`` finds the target inside a
block of up to 128 postings by stepping one posting at a time, three Python
method calls per step (``is_active``, ``id``, ``next``), and a block's ids are
delta-decoded by a Python generator. Intersections (two-word queries, phrases,
the paper title's ``AndMaybe``, filters) skip constantly: at 100,000 passages
``skip_to`` was 40% of the profile of the benchmark's 210 queries. Here the
block is found as before and the posting inside it by bisection of its sorted
ids, which lands on the same posting; the ids are decoded by
``itertools.accumulate``, which gives the same integers. ``all_ids`` and
``all_items`` read a block at a time instead of a posting at a time (a
filter's units, search/restrict.py).

Applied only to the Whoosh release it was written against; any other release
keeps its own code.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar

from index.whoosh_release import is_patched_release

WHOOSH_OWN = (W3LeafMatcher.skip_to, W3LeafMatcher._read_ids)  # kept for the tests
WHOOSH_OWN_ALL = (W3LeafMatcher.all_ids, W3LeafMatcher.all_items)


def _skip_to(self: Any, targetid: Any) -> None:
    """Move to the first posting at or after ``targetid``: block by block, then by bisection."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    i = bisect_left(self._ids, targetid, self._i)
    if i < self._blocklength:
        self._i = i
    else:  # only if a block's max id were not its last: Whoosh's own stepping then
        WHOOSH_OWN[0](self, targetid)


def _read_ids(self: Any) -> None:
    """The block's ids, delta-decoded in C."""
    if self._data is None:
        self._read_data()
    ids = self._data[0]
    self._ids = ids if self._byteids else tuple(accumulate(ids))


def _all_ids(self: Any) -> Iterator[int]:
    """Every id from the current posting on, a block at a time.

    Whoosh's generic ``all_ids`` makes three method calls per posting; a
    filter's units (search/restrict.py) are read this way.
    """
    while self.is_active():
        if self._ids is None:
            self._read_ids()
        yield from self._ids[self._i:]
        self._next_block()


def _all_items(self: Any) -> Iterator[tuple[int, Any]]:
    """Every (id, encoded value) from the current posting on, a block at a time."""
    while self.is_active():
        if self._ids is None:
            self._read_ids()
        if self._values is None:
            self._read_values()
        yield from zip(self._ids[self._i:], self._values[self._i:], strict=True)
        self._next_block()


def apply() -> bool:
    """Install the four on the Whoosh release they fit; True when installed."""
    if not is_patched_release():
        return False
    W3LeafMatcher.skip_to = _skip_to
    W3LeafMatcher._read_ids = _read_ids
    W3LeafMatcher.all_ids = _all_ids
    W3LeafMatcher.all_items = _all_items
    return True
