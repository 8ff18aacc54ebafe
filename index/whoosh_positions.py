"""Word positions stored as 32-bit integers, so that phrase queries decode them as arrays.

Whoosh's ``Positions`` format encodes a posting's positions as their count
(four bytes) and a pickled list of the gaps between them. A quoted phrase
reads every posting of its words, each value a ``bytes`` object to slice out
and unpickle. Read as arrays instead, the benchmark's 30 phrase queries at
100,000 passages take 0.67x the time (docs/PERFORMANCE.md, round 22).

``PackedPositions`` keeps the count as Whoosh writes it, so a posting's
frequency and weight decode as before, and writes the gaps after it as
big-endian unsigned 32-bit integers. A posting block's values joined are then
one array of integers, which ``packed_positions`` turns into every posting's
positions with a few numpy operations (search/array_scores.py). Everything
else (weights, merging, Whoosh's own phrase matcher) goes through
``encode`` and ``decode_positions``, the same methods with the same meaning.

The schema names the format of each field (index/fulltext.py), and an index
written with Whoosh's format is rebuilt from the store on the next ingest.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from struct import Struct

import numpy as np
from whoosh.formats import Positions

WORD = 4  # bytes: the count and every gap
_PACKERS: dict[int, Struct] = {}  # by number of positions
_ONE = Struct("!II").pack


def _packer(count: int) -> Struct:
    packer = _PACKERS.get(count)
    if packer is None:
        packer = _PACKERS[count] = Struct(f"!{count + 1}I")
    return packer


class PackedPositions(Positions):
    """Whoosh's ``Positions`` with the gaps packed as integers instead of pickled."""

    def encode(self, poslist: Sequence[int]) -> bytes:
        count = len(poslist)
        if count == 1:  # most postings: a word once in its unit
            return _ONE(1, poslist[0])
        gaps = []
        before = 0
        for pos in poslist:
            gaps.append(pos - before)
            before = pos
        return _packer(count).pack(count, *gaps)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(accumulate(position_gaps(valuestring)))


def position_gaps(value: bytes) -> tuple[int, ...]:
    """A ``PackedPositions`` value's gaps, which add up to its positions."""
    count = len(value) // WORD - 1
    return _packer(count).unpack(value)[1:]


def packed_positions(blob: bytes, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(posting, position) of every position in ``PackedPositions`` values joined together.

    ``sizes`` are the values' lengths in bytes, in order: each value is its
    count and its gaps, so its first word is found from the sizes alone.
    """
    words = np.frombuffer(blob, dtype=">u4").astype(np.int64)
    lengths = np.asarray(sizes, dtype=np.int64) // WORD
    heads = np.cumsum(lengths) - lengths
    counts = lengths - 1
    is_gap = np.ones(len(words), dtype=bool)
    is_gap[heads] = False
    sums = np.cumsum(words[is_gap])
    firsts = np.cumsum(counts) - counts  # where each posting's gaps begin among all gaps
    before = np.repeat(np.concatenate(([0], sums))[firsts], counts)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), counts)
    return owner, sums - before
