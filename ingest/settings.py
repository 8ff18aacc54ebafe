"""Tunables in validated settings dataclasses: one place to look, errors that name the field."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


def _check_range(obj: object, name: str, lo: float, hi: float) -> None:
    value = getattr(obj, name)
    if not lo <= value <= hi:
        raise ValueError(
            f"{type(obj).__name__}.{name} must be between {lo} and {hi}, got {value!r}"
        )


@dataclass(frozen=True)
class ReadSettings:
    """How readers see a page.

    ``edge_band`` is the share of page height at top and bottom treated as
    running header/footer space when looking for columns. Tables are found
    from ruling lines; ``snap``/``join`` tolerances absorb the small gaps
    word processors leave between cell borders. Files over ``max_mib`` are
    skipped before they are read: a paper that large is almost always a scan
    bundle or a mistake, and reading it would hold a worker for minutes.
    """

    edge_band: float = 0.08
    x_tolerance: float = 1.5
    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    min_table_rows: int = 1
    max_mib: float = 200.0

    def __post_init__(self) -> None:
        _check_range(self, "edge_band", 0.0, 0.3)
        _check_range(self, "max_mib", 0.001, 100000.0)
        for f in fields(self):
            if f.name.endswith("tolerance"):
                _check_range(self, f.name, 0.0, 20.0)

    def table_settings(self) -> dict[str, Any]:
        return {
            "vertical_strategy": "lines",
            "horizontal_strategy": "lines",
            "snap_tolerance": self.snap_tolerance,
            "join_tolerance": self.join_tolerance,
            "intersection_tolerance": self.intersection_tolerance,
        }


@dataclass(frozen=True)
class TraceSettings:
    """How a trace links records to a topic.

    ``min_similarity`` is the rapidfuzz token-set ratio (0-100) an entry's text
    must reach against the topic or one of its forms (100 when every word of
    the topic is in the text); ``max_entries`` caps
    candidates per record kind; a stored thread needs papers of
    ``min_thread_years`` different years.
    """

    min_similarity: float = 80.0
    max_entries: int = 200
    min_thread_years: int = 2

    def __post_init__(self) -> None:
        _check_range(self, "min_similarity", 0.0, 100.0)
        _check_range(self, "max_entries", 1, 100000)
        _check_range(self, "min_thread_years", 1, 100)
