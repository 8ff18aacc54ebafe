"""A fuzzy word's words found once per segment, applied once when search.query is imported.

A ``word~`` query is Whoosh's ``FuzzyTerm``: the index's words within an edit of
the word, found by walking the segment's term table with a Levenshtein
automaton. Whoosh-Reloaded 2.7.5 walks it again each time the query is asked
for its words: to estimate its size (to order an intersection), for its
matcher, and for the highlighter's terms. A fuzzy word searched in the text,
headings and titles walked each segment five times instead of three, and the
walks were most of the query: at 100,000 passages the benchmark's fuzzy words
(about 42 ms each) were the slowest queries after the phrases, and set the p95.

The words depend only on the segment and on the query's field, word, distance
and prefix, so a query keeps those of the last segment reader it was asked
about, and gives them again for the same reader and settings. It holds the
reader by a weak reference, so a query copied or kept after its search does
not keep a segment open or try to copy it.

Applied only to the Whoosh release it was written against; any other release
keeps its own code.
"""

from __future__ import annotations

import weakref
from contextlib import suppress
from typing import Any

from whoosh.query.terms import FuzzyTerm

from index.whoosh_release import is_patched_release

WHOOSH_OWN = FuzzyTerm._btexts  # kept for the test that compares both
MEMO = "_minutebook_words"  # the attribute a query keeps its words in


def _btexts(self: FuzzyTerm, ixreader: Any) -> tuple[bytes, ...]:
    """``FuzzyTerm._btexts``: the words of the segment, walked for once per reader."""
    settings = (self.fieldname, self.text, self.maxdist, self.prefixlength)
    memo = self.__dict__.get(MEMO)
    if memo is not None and memo[0]() is ixreader and memo[1] == settings:
        return memo[2]
    words = tuple(WHOOSH_OWN(self, ixreader))
    # A reader that takes no weak reference is walked each time, as Whoosh does.
    with suppress(TypeError):
        self.__dict__[MEMO] = (weakref.ref(ixreader), settings, words)
    return words


def apply() -> bool:
    """Install on the Whoosh release it fits; True when installed."""
    if not is_patched_release():
        return False
    FuzzyTerm._btexts = _btexts
    return True
