"""Whoosh's stemmer cached by the standard library's ``lru_cache``.

Whoosh-Reloaded 2.7.5's ``StemFilter`` wraps the Porter stemmer in its own
least-frequently-used cache, written in Python: every call counts a hit and
updates a usage ``Counter`` (0.40 microseconds a hit, against 0.14 for
``functools.lru_cache``), and a full cache drops a tenth of its 50,000 words
by their counts. Indexing calls it for every word of every unit (half a
million times for 10,000 benchmark passages). ``lru_cache`` is the same memo
in C; the stems are the same, since the stemmer is a pure function.

Whoosh rebuilds a filter's cache in ``StemFilter.clear`` (on creation, and
when an index's schema is unpickled), so that is what is replaced. Applied
once, on import of index.fulltext, and only to the Whoosh release it was
written against.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from whoosh.analysis.morph import StemFilter

from index.whoosh_release import is_patched_release

WHOOSH_OWN = StemFilter.clear  # kept for the tests


def _clear(self: StemFilter) -> None:
    """``StemFilter.clear``: a fresh cache of ``cachesize`` stems (-1: unbounded; 0 or None:
    none), in C."""
    if self.lang:
        from whoosh.lang import stemmer_for_language

        stemfn: Callable[[str], str] = stemmer_for_language(self.lang)
    else:
        stemfn = self.stemfn
    size = self.cachesize
    if isinstance(size, int) and size not in (0, 1):
        self._stem = lru_cache(maxsize=None if size < 0 else size)(stemfn)
    else:
        self._stem = stemfn


def apply() -> bool:
    """Install the C-cached stemmer on the Whoosh release it fits; True when installed."""
    if not is_patched_release():
        return False
    StemFilter.clear = _clear
    return True
