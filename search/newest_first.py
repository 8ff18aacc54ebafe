"""Newest first: the date order Whoosh gives, with each unit's key looked up, not searched.

Whoosh sorts by a facet's keys. A reversed sort on a bytes column (the
``date`` field's) gets ``ReversedColumnCategorizer``, which reads the whole
column again for every query and then finds each match's key with
``list.index`` over the index's distinct dates. At 100,000 passages that took
about three quarters of a date-ordered query, and it grows with matches times
dates.

``NewestFirst`` gives the same keys (``0 -`` the value's place among the
index's distinct values, in byte order) from each segment's column read once
and kept while the segment's reader lives: one small array of value codes per
segment, and a key per unit made from them with one numpy operation a query.
``keys`` is what search/array_scores.py reads to order every match of a
segment at once.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import sorting


@dataclass(frozen=True)
class SegmentColumn:
    """A segment's column: its distinct values in byte order, and each unit's value's place."""

    values: tuple[bytes, ...]
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


class NewestFirst(sorting.FacetType):
    """Units by a sortable bytes column, largest value first (dates: the newest).

    The same order and keys as ``FieldFacet(fieldname, reverse=True)``, whose own
    categorizer is used for an index with no such column in any segment.
    """

    def __init__(self, fieldname: str) -> None:
        self.fieldname = fieldname

    def categorizer(self, global_searcher: Any) -> Any:
        if not global_searcher.reader().has_column(self.fieldname):
            return sorting.FieldFacet(self.fieldname, reverse=True).categorizer(global_searcher)
        return ColumnRanks(global_searcher, self.fieldname)


class ColumnRanks(sorting.Categorizer):
    """Each unit's key: ``0 -`` its value's place among the distinct values of the index."""

    def __init__(self, global_searcher: Any, fieldname: str) -> None:
        self._fieldname = fieldname
        self._fieldobj = global_searcher.schema[fieldname]
        columns = [segment_column(reader, fieldname)
                   for reader, _ in global_searcher.reader().leaf_readers()]
        self._values = sorted(set().union(*(column.values for column in columns)))
        self._place = {value: i for i, value in enumerate(self._values)}
        self.keys = np.zeros(0, dtype=np.int64)

    def set_searcher(self, segment_searcher: Any, docoffset: int) -> None:
        """Keys for the units of this segment, which key_for and the arrays read."""
        column = segment_column(segment_searcher.reader(), self._fieldname)
        places = np.array([self._place[value] for value in column.values], dtype=np.int64)
        self.keys = 0 - places[column.codes]

    def key_for(self, matcher: Any, segment_docnum: int) -> int:
        return int(self.keys[segment_docnum])

    def key_to_name(self, key: int) -> Any:
        return self._fieldobj.from_column_value(self._values[0 - key])
