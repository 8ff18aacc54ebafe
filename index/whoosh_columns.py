"""Whoosh's per-document reader: a missing column remembered, field lengths read whole.

When Whoosh-Reloaded 2.7.5 writes a segment's postings, it asks for every
posting the length of its field in its document
(``W3PerDocReader.doc_field_length``). Fields that keep no lengths (the ID
fields: ``kind``, ``document_id``, ``doc_type``, ``date``) have no lengths
column, and the reader caches only the columns it finds, so every posting of
those fields looks for the file on disk again: about 27,000 ``stat`` calls to
commit the units of 40 papers. The answer cannot change while the postings are
written, because a segment's per-document files are closed before its postings
are written. Remembering it gives the same postings and lengths and builds
100,000 passages at 1,600 instead of 1,465 passages/s (three alternating builds
each).

A field's length in a document is also asked for every posting a query scores
(BM25 needs it), and each answer was a read of one byte through three method
calls. The lengths column holds one byte per document, so it is read whole,
once per segment and field, and the byte looked up: the same values, about
1 MB per million units.

Applied once, on import of index.fulltext, and only to the Whoosh release it was
written against; any other release keeps its own code.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.util.numeric import byte_to_length

from index.whoosh_release import is_patched_release

WHOOSH_OWN = W3PerDocReader._cached_reader  # kept for the test that compares both
WHOOSH_OWN_LENGTH = W3PerDocReader.doc_field_length


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """The column's reader, or None when the segment has no such column; either is kept."""
    if fieldname in self._readers:
        return self._readers[fieldname]
    reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    self._readers[fieldname] = reader
    return reader


def whole_lengths(self: Any, fieldname: str) -> bytes | None:
    """The field's lengths column as bytes, one per document (None: the field keeps none).

    Also read by search/array_scores.py, which scores every posting of a term at once.
    """
    reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if reader is None:
        return None
    # bytes(): a copy, so no view into the segment's memory map outlives the reader
    return bytes(reader._dbfile.get(reader._basepos, reader._count))


def _doc_field_length(self: Any, docnum: int, fieldname: str, default: Any = 0) -> Any:
    """``W3PerDocReader.doc_field_length``, from the lengths column read whole once."""
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    data = _whole(self, fieldname)
    if data is None:
        return default
    return _BYTE_LENGTH[data[docnum]] if docnum < len(data) else None


def field_lengths(reader: Any, fieldname: str, docnums: list[int]) -> list[Any]:
    """``reader.doc_field_length(d, fieldname)`` for each of ``docnums`` (ascending).

    A segment's reader answers them all from its lengths column read whole;
    any other reader (several segments' lengths, in a merge) is asked one by one.
    """
    if type(reader).doc_field_length is not _doc_field_length:
        return [reader.doc_field_length(d, fieldname) for d in docnums]
    if docnums and docnums[-1] > reader._doccount:
        raise IndexError(f"Asked for docnum {docnums[-1]!r} of {reader._doccount}")
    data = _whole(reader, fieldname)
    if data is None:
        return [0] * len(docnums)
    size = len(data)
    return [_BYTE_LENGTH[data[d]] if d < size else None for d in docnums]


# A length byte's length, as doc_field_length gives it (Whoosh's own gives None for 0).
_BYTE_LENGTH = [None, *(byte_to_length(b) for b in range(1, 256))]


def _whole(reader: Any, fieldname: str) -> bytes | None:
    whole = reader.__dict__.get("_whole")
    if whole is None:
        whole = reader._whole = {}
    if fieldname not in whole:
        whole[fieldname] = whole_lengths(reader, fieldname)
    data: bytes | None = whole[fieldname]
    return data


def apply() -> bool:
    """Install the caching look-ups on the Whoosh release they fit; True when installed."""
    if not is_patched_release():
        return False
    W3PerDocReader._cached_reader = _cached_reader
    if LENGTHS_COLUMN._typecode == "B":  # one byte per document, as whole_lengths reads it
        W3PerDocReader.doc_field_length = _doc_field_length
    return True
