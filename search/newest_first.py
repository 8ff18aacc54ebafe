"""Newest first: the date order Whoosh gives, with each unit's key looked up, not searched.

Whoosh sorts by a facet's keys. A reversed sort on a bytes column (the
``date`` field's) gets ``ReversedColumnCategorizer``, which reads the whole
column again for every query and then finds each match's key with
``list.index`` over the index's distinct dates. At 100,000 passages that took
about three quarters of a date-ordered query, and it grows with matches times
dates.

``NewestFirst`` gives the same keys (``0 -`` the value's place among the
index's distinct values, in byte order) from each segment's column read once
and kept while the segment's reader lives (search/segment_columns.py), made
into a key per unit once for the index's reader, which the shared searcher
keeps until the index changes. ``ColumnRanks.keys`` is what
search/array_scores.py reads to order every match of a segment at once.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import sorting

from search.segment_columns import segment_column


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


@dataclass
class IndexOrder:
    """A column's distinct values over a whole index (every segment) in byte order, and
    each segment's unit keys once made, by the segment's first unit."""

    values: list[bytes]
    place: dict[bytes, int]
    keys: dict[int, np.ndarray] = field(default_factory=dict)


_ORDERS: weakref.WeakKeyDictionary[Any, dict[str, IndexOrder]] = weakref.WeakKeyDictionary()


def index_order(reader: Any, fieldname: str) -> IndexOrder:
    """The order of an index's reader (all its segments), made on first use and kept with
    the reader, which a searcher reuses until the index changes."""
    kept = _ORDERS.setdefault(reader, {})
    if fieldname not in kept:
        columns = [segment_column(segment, fieldname) for segment, _ in reader.leaf_readers()]
        values = sorted(set().union(*(column.values for column in columns)))
        kept[fieldname] = IndexOrder(values, {value: i for i, value in enumerate(values)})
    return kept[fieldname]


class ColumnRanks(sorting.Categorizer):
    """Each unit's key: ``0 -`` its value's place among the distinct values of the index."""

    def __init__(self, global_searcher: Any, fieldname: str) -> None:
        self._fieldname = fieldname
        self._fieldobj = global_searcher.schema[fieldname]
        self._order = index_order(global_searcher.reader(), fieldname)
        self.keys = np.zeros(0, dtype=np.int64)

    def set_searcher(self, segment_searcher: Any, docoffset: int) -> None:
        """Keys for the units of this segment, which key_for and the arrays read."""
        order = self._order
        if docoffset not in order.keys:
            column = segment_column(segment_searcher.reader(), self._fieldname)
            places = np.array([order.place[value] for value in column.values], dtype=np.int64)
            order.keys[docoffset] = 0 - places[column.codes]
        self.keys = order.keys[docoffset]

    def key_for(self, matcher: Any, segment_docnum: int) -> int:
        return int(self.keys[segment_docnum])

    def key_to_name(self, key: int) -> Any:
        return self._fieldobj.from_column_value(self._order.values[0 - key])
