"""The Whoosh release minutebook's speed and memory patches were written against.

index/whoosh_columns.py, index/whoosh_buffers.py, index/whoosh_analysis.py,
index/whoosh_runs.py, index/whoosh_stems.py, search/whoosh_postings.py,
search/whoosh_phrases.py and search/whoosh_fuzzy.py replace Whoosh internals, and
search/array_scores.py reads them; they act only on this release (pinned in
pyproject.toml), so any other release keeps Whoosh's own code.
"""

from __future__ import annotations

import whoosh

PATCHED_RELEASE = (2, 7, 5)


def is_patched_release() -> bool:
    """True when the installed Whoosh is the release the patches fit."""
    return tuple(whoosh.__version__) == PATCHED_RELEASE
