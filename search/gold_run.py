"""Records of one document in the shape the scorer compares with gold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.pipeline import ingest_file


def predicted_for(source: Path) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """Parse ``source`` afresh; returns record dicts per kind and an error, if any."""
    outcome = ingest_file(source)
    if outcome.parsed is None:
        return {}, outcome.error or outcome.status
    return {k: [r.to_dict() for r in v] for k, v in outcome.parsed.records().items()}, None
