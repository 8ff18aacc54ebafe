"""A fix for Whoosh's ``AndMaybeMatcher.skip_to``, applied once when search.query is imported.

Whoosh-Reloaded 2.7.5 moves the optional matcher of an ``AndMaybe`` to the
document it was asked to skip to, not to the one the required matcher landed
on. When the required matcher lands further on, the optional one stays behind
and ``score()`` leaves its part out. Whoosh's top-N collector turns unions into
``AndMaybe`` matchers as the N-th best score rises, so a unit that matches in
its text, its heading and its paper's title could be scored as if it missed
one of them and drop out of the top hits: at 100,000 passages, 3 of the
benchmark's 210 queries gave a different top 10 from scoring every match (the
symptom reported upstream as whoosh issue #413, "best result only when
limit=None"). Turning the collector's matcher replacement off also cures it,
at 1.6 times the p95 latency; this keeps the speed.

The fix is applied only when a two-document check shows the fault, so a
Whoosh release that fixes it upstream leaves its own code in place.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.matching import AndMaybeMatcher, ListMatcher, ReadTooFar


def _skip_to(self: Any, id: int) -> bool:
    """Skip the required matcher to ``id``, then the optional one to where it landed."""
    if not self.a.is_active():
        raise ReadTooFar
    moved = self.a.skip_to(id)
    if self.a.is_active() and self.b.is_active():
        moved = self.b.skip_to(self.a.id()) or moved
    return bool(moved)


def leaves_optional_behind() -> bool:
    """True when AndMaybe.skip_to leaves the optional matcher short of the required one."""
    m = AndMaybeMatcher(ListMatcher(array("I", [1, 5])), ListMatcher(array("I", [3, 5])))
    m.skip_to(2)  # the required matcher lands on 5; the optional one must follow it
    return bool(m.b.id() != m.a.id())


def apply() -> bool:
    """Install the fixed ``skip_to`` if this Whoosh needs it; True when it was installed."""
    if not leaves_optional_behind():
        return False
    AndMaybeMatcher.skip_to = _skip_to
    return True
