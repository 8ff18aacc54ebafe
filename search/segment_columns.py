"""A segment's sortable columns read once, as arrays: what date order and facet counts read.

Whoosh reads a column unit by unit through Python calls, for every query
that sorts or counts by it. A segment never changes once written (deleting a
unit leaves its column value in place), so each column is read once while its
reader lives, as the distinct values and one small integer code per unit;
the matches of a query are then counted or ordered with numpy.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SegmentColumn:
    """A segment's column: its distinct values in order, and each unit's value's place."""

    values: tuple[Any, ...]  # raw column values: bytes for ID fields, integers for numbers
    codes: np.ndarray  # int32, one per unit of the segment, deleted ones included


_COLUMNS: weakref.WeakKeyDictionary[Any, dict[str, SegmentColumn]] = (
    weakref.WeakKeyDictionary())


def segment_column(reader: Any, fieldname: str) -> SegmentColumn:
    """The column of one segment's reader, read on first use and kept with the reader.

    A segment whose units never had the field gives the column's default for
    every unit, as Whoosh's own column reader does.
    """
    kept = _COLUMNS.setdefault(reader, {})
    if fieldname not in kept:
        raw = list(reader.column_reader(fieldname, translate=False))
        values = tuple(sorted(set(raw)))
        place = {value: i for i, value in enumerate(values)}
        codes = np.fromiter((place[value] for value in raw), np.int32, len(raw))
        kept[fieldname] = SegmentColumn(values, codes)
    return kept[fieldname]


def facet_counts(matched: list[tuple[Any, np.ndarray]], schema: Any, fieldname: str
                 ) -> dict[Any, int]:
    """How many of the matched units hold each value of a sortable field.

    ``matched`` is (segment reader, matched units) for every segment. The keys are
    the values as Whoosh's facet groups name them (``from_column_value``).
    """
    field = schema[fieldname]
    counts: dict[Any, int] = {}
    for reader, ids in matched:
        column = segment_column(reader, fieldname)
        held = np.bincount(column.codes[ids], minlength=len(column.values))
        for value, count in zip(column.values, held.tolist(), strict=True):
            if count:
                name = field.from_column_value(value)
                counts[name] = counts.get(name, 0) + count
    return counts
