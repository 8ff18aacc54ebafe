"""Whoosh's per-document reader remembers a missing column, not only a present one.

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

Applied once, on import of index.fulltext, and only to the Whoosh release it was
written against; any other release keeps its own code.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3PerDocReader

from index.whoosh_release import is_patched_release

WHOOSH_OWN = W3PerDocReader._cached_reader  # kept for the test that compares both


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """The column's reader, or None when the segment has no such column; either is kept."""
    if fieldname in self._readers:
        return self._readers[fieldname]
    reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    self._readers[fieldname] = reader
    return reader


def apply() -> bool:
    """Install the caching look-up on the Whoosh release it fits; True when installed."""
    if not is_patched_release():
        return False
    W3PerDocReader._cached_reader = _cached_reader
    return True
