"""What happened to an action: later records that report progress, completion or carrying
forward, and the action's current status from the latest of them.

A later record follows an action up when it comes from a later paper and says much the
same thing (rapidfuzz token-set ratio over the words of both); what it reports is read
from its own status (an action-log row) or from its words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process, utils

from index.store import FOLLOW_UP_TABLES, RecordStore

FOLLOW_MIN = 75.0  # token-set ratio for a later record to count as a follow-up
MIN_WORDS = 4  # shorter texts match too much to follow anything up
STATUS_WORDS = (
    ("done", re.compile(r"\b(complete[d]?|done|delivered|achieved|in place|launched)\b", re.I)),
    ("carried_forward", re.compile(r"\bcarried (forward|over)\b", re.I)),
    ("dropped", re.compile(r"\b(dropped|withdrawn|no longer (needed|required))\b", re.I)),
)


@dataclass(frozen=True)
class FollowUp:
    """A later record about an action, with what it reports."""

    action_id: str
    record_id: str
    kind: str
    date: str | None
    source: str
    page: int
    text: str
    reports: str  # done, carried_forward, dropped or progress
    score: float


def reported_status(text: str, status: str | None) -> str:
    """What a follow-up says of the action: its own status if it has one, else its words."""
    if status in ("done", "carried_forward", "dropped"):
        return status
    for name, pattern in STATUS_WORDS:
        if pattern.search(text):
            return name
    return "progress"


def _candidates(store: RecordStore) -> list[dict[str, Any]]:
    """Dated actions and resolutions long enough to score: id, kind, text, date and paper."""
    rows = []
    for kind, table in FOLLOW_UP_TABLES.items():
        sql = (f"SELECT r.id, r.text, d.date, d.id AS doc FROM {table} r "
               "JOIN documents d ON r.document_id = d.id")
        rows += [{**dict(r), "kind": kind} for r in store.iter_rows(sql)]
    return [r for r in rows if r["date"] and len(r["text"].split()) >= MIN_WORDS]


def follow_ups(store: RecordStore, action_ids: Iterable[str] | None = None
               ) -> dict[str, list[FollowUp]]:
    """Follow-ups of the given actions (of every dated action when None), oldest first,
    keyed by action id.

    They are stored and brought up to date here first (only pairs touching a
    changed document are scored), so a large store answers at once; asking for
    the actions at hand reads only theirs.
    """
    refresh_follow_ups(store)
    out: dict[str, list[FollowUp]] = {}
    reports: dict[str, str] = {}  # a record follows up many actions: read what it says once
    for row in store.follow_up_rows(action_ids):
        record_id = row["record_id"]
        says = reports.get(record_id)
        if says is None:
            says = reports[record_id] = reported_status(row["text"], row["status"])
        follow = FollowUp(row["action_id"], record_id, row["kind"], row["date"], row["source"],
                          row["page"], row["text"], says, row["score"])
        out.setdefault(follow.action_id, []).append(follow)
    for found in out.values():
        found.sort(key=lambda f: (f.date or "", f.record_id))
    return out


def refresh_follow_ups(store: RecordStore) -> int:
    """Score the pairs that involve a document added or changed since the last refresh.

    Pairs grow with the square of the store; scoring only new actions against
    every candidate and every older action against the new candidates keeps
    adding one paper cheap. Returns how many documents were (re)scored.
    """
    want, have = store.document_versions(), store.reflected("follow_ups") or {}
    fresh = {d for d, sha in want.items() if have.get(d) != sha}
    gone = {d for d, sha in have.items() if want.get(d) != sha}
    if not fresh and not gone:
        return 0
    candidates = _candidates(store)
    new = [c for c in candidates if c["doc"] in fresh]
    new_actions = [c for c in new if c["kind"] == "action"]
    old_actions = [c for c in candidates if c["kind"] == "action" and c["doc"] not in fresh]
    found = chain(_scored(new_actions, candidates), _scored(old_actions, new))
    # A generator all the way into SQLite: memory stays that of one date's scores, however
    # many follow-ups there are (holding 1.2 million of them took 1.3 GiB).
    rows = ((a["id"], a["doc"], c["doc"], c["id"], c["kind"], score) for a, c, score in found)
    store.replace_follow_ups(fresh | gone, rows, want)
    return len(fresh)


def _scored(actions: list[dict[str, Any]], candidates: list[dict[str, Any]]
            ) -> Iterator[tuple[dict[str, Any], dict[str, Any], float]]:
    """(action, later record, score) for each later record that says much the same.

    The side with fewer dates is taken a date at a time, and the records of that
    date are scored, in one rapidfuzz ``cdist`` call (C, all cores), against only
    the other side's records on the right side of it: the actions of a date
    against the candidates dated after it, or the candidates of a date against
    the actions dated before it. Either way half the pairs of scoring everything,
    and as few calls as there are dates on the smaller side: adding one paper
    scores the store's thousands of actions against its few records in a call
    or two, where a call per action date (340 at 1,000 papers, each starting
    rapidfuzz's threads) took 0.1 s, and over a second on a busy machine. Texts are
    normalised once, and each distinct text is scored once: an action carried
    forward from meeting to meeting repeats its words, and a pair's score depends
    on its two texts alone, so the scores of the repeats are copied.
    """
    if not actions or not candidates:
        return
    by_candidate = len({c["date"] for c in candidates}) < len({a["date"] for a in actions})
    grouped, others = (candidates, actions) if by_candidate else (actions, candidates)
    others = sorted(others, key=lambda o: o["date"])
    dates = [o["date"] for o in others]
    texts, text_of = _distinct([utils.default_process(o["text"]) for o in others])
    by_date: dict[str, list[dict[str, Any]]] = {}
    for record in grouped:
        by_date.setdefault(record["date"], []).append(record)
    for date, group in by_date.items():
        span = (range(bisect.bisect_left(dates, date)) if by_candidate
                else range(bisect.bisect_right(dates, date), len(others)))
        if not span:
            continue
        asked, asked_of = _distinct([utils.default_process(g["text"]) for g in group])
        spanned = text_of[span.start:span.stop]
        other_texts = np.unique(spanned)
        distinct = np.searchsorted(other_texts, spanned)
        choices = [texts[i] for i in other_texts]
        if by_candidate:  # the actions are always the queries, as scored before
            scores = _cdist(choices, asked)[distinct][:, asked_of].T
        else:
            scores = _cdist(asked, choices)[asked_of][:, distinct]
        for record, row in zip(group, scores, strict=True):
            for j in row.nonzero()[0]:
                other = others[span.start + j]
                action, later = (other, record) if by_candidate else (record, other)
                if later["doc"] != action["doc"]:
                    yield action, later, round(float(row[j]), 1)


def _cdist(queries: list[str], choices: list[str]) -> np.ndarray:
    """Token-set ratios of every query with every choice, 0 below FOLLOW_MIN."""
    return process.cdist(queries, choices, scorer=fuzz.token_set_ratio,
                         score_cutoff=FOLLOW_MIN, workers=-1)


def _distinct(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in first-seen order, and the position of each text among them."""
    position: dict[str, int] = {}
    of = np.fromiter((position.setdefault(t, len(position)) for t in texts), dtype=np.intp,
                     count=len(texts))
    return list(position), of


def current_status(own: str | None, later: list[FollowUp]) -> str | None:
    """The latest word on an action: the last follow-up that says more than 'progress'."""
    for follow in reversed(later):
        if follow.reports != "progress":
            return follow.reports
    return "open" if later and own in (None, "open") else own
