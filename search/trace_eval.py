"""Trace quality against judged threads: precision and recall over (paper, page) pairs.

A thread's gold members name pages; a traced entry counts as right when its
page holds a member of the thread. The first query of each thread is the one
traced, as a user would type it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.fulltext import FullTextIndex
from index.store import RecordStore
from search.relevance import page_key
from search.trace import trace


@dataclass(frozen=True)
class ThreadScore:
    id: str
    query: str
    gold: int
    traced: int
    hits: int

    @property
    def precision(self) -> float:
        return self.hits / self.traced if self.traced else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 0.0


def load_threads(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    threads = data["threads"] if isinstance(data, dict) else data
    return list(threads)


def score_threads(store: RecordStore, index: FullTextIndex,
                  threads: list[dict[str, Any]]) -> list[ThreadScore]:
    scores = []
    for thread in threads:
        gold = {page_key(m["source"], m["page"]) for m in thread["members"]}
        query = thread["queries"][0]
        traced = {page_key(e.source, e.page) for e in trace(store, index, query).entries}
        scores.append(ThreadScore(thread["id"], query, len(gold), len(traced),
                                  len(gold & traced)))
    return scores


def micro(scores: list[ThreadScore]) -> tuple[float, float]:
    """Precision and recall summed over threads."""
    hits = sum(s.hits for s in scores)
    traced = sum(s.traced for s in scores)
    gold = sum(s.gold for s in scores)
    return (hits / traced if traced else 0.0, hits / gold if gold else 0.0)


def format_threads(scores: list[ThreadScore]) -> str:
    lines = [f"{'thread':<20} {'query':<34} {'gold':>5} {'traced':>6} {'P':>6} {'R':>6}"]
    for s in scores:
        lines.append(f"{s.id:<20} {s.query[:34]:<34} {s.gold:>5} {s.traced:>6} "
                     f"{s.precision:>6.3f} {s.recall:>6.3f}")
    p, r = micro(scores)
    lines.append(f"{'ALL (micro)':<55} {p:>13.3f} {r:>6.3f}")
    return "\n".join(lines)
