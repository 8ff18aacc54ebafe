"""Stable record ids: document content hash + record kind + ordinal.

The same file always yields the same ids, so re-ingest is idempotent and
links between records (meeting_id, person_id) survive it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata


def document_id(sha256: str) -> str:
    return sha256[:16]


def record_id(doc_id: str, kind: str, ordinal: int) -> str:
    """'3f2a...:resolution:4' for the fourth resolution of a document."""
    return f"{doc_id}:{kind}:{ordinal}"


def slug_id(prefix: str, name: str) -> str:
    """A readable id from a name, stable across documents: 'person:eleanor-girling'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if not slug:
        slug = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{prefix}:{slug}"
