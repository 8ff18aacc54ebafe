"""Whoosh analyses a field value once, not once per unit that carries it.

Every index unit carries its paper's title, body, type and date, and the units
of one section share its heading: of the analysis done while indexing the 40
benchmark papers (1,289 units), 60% was spent on values already analysed for an
earlier unit. Whoosh-Reloaded 2.7.5's ``FieldType.index`` runs the analyzer
(tokenizer, lower case, stop words, stemmer) on each value afresh. The terms,
frequencies, weights and encoded positions it gives depend only on the field and
the value, so the last values of each field are remembered, a few hundred in all:
memory stays flat however large the batch.

The memory is kept here, not on the field, because a field is pickled into the
index's table of contents at every commit. Applied once, on import of
index.fulltext, and only to the Whoosh release it was written against; any other
release keeps its own code.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from whoosh.fields import FieldType

from index.whoosh_release import is_patched_release

WHOOSH_OWN = FieldType.index  # kept for the test that compares both
REMEMBERED = 256  # values across all fields: a paper's units repeat a dozen at most

Posting = tuple[bytes, int, float, bytes]
_memory: OrderedDict[tuple[int, str], tuple[FieldType, tuple[Posting, ...]]] = OrderedDict()


def _index(self: FieldType, value: Any, **kwargs: Any) -> Iterable[Posting]:
    """``FieldType.index``, answered from memory when this field saw the value lately."""
    if kwargs or not isinstance(value, str):
        return WHOOSH_OWN(self, value, **kwargs)
    key = (id(self), value)
    known = _memory.get(key)
    if known is not None and known[0] is self:  # an id can be reused once a field is gone
        _memory.move_to_end(key)
        return known[1]
    postings = tuple(WHOOSH_OWN(self, value))
    _memory[key] = (self, postings)
    if len(_memory) > REMEMBERED:
        _memory.popitem(last=False)
    return postings


def apply() -> bool:
    """Install the remembering ``index`` on the Whoosh release it fits; True when installed."""
    if not is_patched_release():
        return False
    FieldType.index = _index
    return True
