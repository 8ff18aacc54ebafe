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
    word processors leave between cell borders.
    """

    edge_band: float = 0.08
    x_tolerance: float = 1.5
    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    min_table_rows: int = 1

    def __post_init__(self) -> None:
        _check_range(self, "edge_band", 0.0, 0.3)
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
