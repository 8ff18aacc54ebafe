"""Search relevance against judged queries: MRR and nDCG@10 over (paper, page) pairs.

Judgements name pages, not index ids, so they stay valid when the index
changes. Several hits on one page count once, at the first one's rank.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.fulltext import FullTextIndex
from search.query import DEFAULT_PER_DOC, Filters, Hit, parse_years, search

CUTOFF = 10


@dataclass
class QueryScore:
    """One judged query: its reciprocal rank and nDCG, and what it returned."""

    id: str
    query: str
    rr: float
    ndcg: float
    returned: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class RelevanceReport:
    scores: list[QueryScore]

    @property
    def mrr(self) -> float:
        return sum(s.rr for s in self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def ndcg(self) -> float:
        return sum(s.ndcg for s in self.scores) / len(self.scores) if self.scores else 0.0


def page_key(source: str, page: int) -> tuple[str, int]:
    """Papers are compared by file name, so judgements hold wherever the corpus lives."""
    return Path(source).name, int(page)


def ranked_pages(hits: list[Hit], cutoff: int = CUTOFF) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    for hit in hits:
        key = page_key(hit.source, hit.page)
        if key not in seen:
            seen.append(key)
    return seen[:cutoff]


def reciprocal_rank(ranked: list[tuple[str, int]], grades: dict[tuple[str, int], int]) -> float:
    for i, key in enumerate(ranked, start=1):
        if grades.get(key, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg(ranked: list[tuple[str, int]], grades: dict[tuple[str, int], int],
         cutoff: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain with gains 2**grade - 1."""
    def dcg(gains: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(gains[:cutoff], start=1))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(k, 0) for k in ranked]) / ideal if ideal else 0.0


def _filters(spec: dict[str, str]) -> Filters:
    years = parse_years(spec["year"]) if "year" in spec else (None, None)
    return Filters(years[0], years[1], spec.get("type"), None, spec.get("kind"))


def evaluate_queries(index: FullTextIndex, queries: list[dict[str, Any]]) -> RelevanceReport:
    scores = []
    for q in queries:
        grades = {page_key(r["source"], r["page"]): int(r.get("grade", 1)) for r in q["relevant"]}
        # Fetch generously (several hits may share one page), with the CLI's per-paper cap,
        # so the measure is of what a user sees.
        hits = search(index, q["query"], _filters(q.get("filters", {})), limit=CUTOFF * 5,
                      per_doc=DEFAULT_PER_DOC).hits
        ranked = ranked_pages(hits)
        scores.append(QueryScore(q["id"], q["query"], reciprocal_rank(ranked, grades),
                                 ndcg(ranked, grades), ranked))
    return RelevanceReport(scores)


def load_queries(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all("query" in q and "relevant" in q for q in data):
        raise ValueError(f"{path}: expected a list of {{id, query, relevant}} entries")
    return data


def format_relevance(report: RelevanceReport, verbose: bool = False) -> str:
    lines = []
    if verbose:
        lines += [f"{s.id:<5} RR {s.rr:.2f}  nDCG {s.ndcg:.2f}  {s.query}" for s in report.scores]
    lines.append(f"queries {len(report.scores)}  MRR {report.mrr:.3f}  "
                 f"nDCG@{CUTOFF} {report.ndcg:.3f}")
    return "\n".join(lines)
