"""A measure's series drawn as a PNG line chart (matplotlib, Agg backend, loaded lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from search.figures_series import Point

UNIT_LABELS = {"count": "count", "percent": "per cent (%)", "gbp": "£ (GBP)"}
POINTS_KEY = "minutebook:points"  # PNG text chunk holding the number of points drawn


def point_label(p: Point) -> str:
    """The x-axis label of a point: its period, else the date it applies to."""
    return p.period or p.when or p.date or "undated"


def draw_series(points: Sequence[Point], path: Path, title: str) -> int:
    """Draw the points in order (one marker each, value labels, period labels on the x axis)
    and save a PNG; returns the number of points drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units = sorted({p.unit for p in points})
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(points) + 2), 4.5), dpi=100)
    try:
        xs = list(range(len(points)))
        ys = [p.value for p in points]
        ax.plot(xs, ys, marker="o", linewidth=1.5)
        for x, p in zip(xs, points, strict=True):
            shown = f"{p.value:g}%" if p.unit == "percent" else f"{p.value:,.0f}"
            ax.annotate(shown, (x, p.value), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8)
        ax.set_xticks(xs)
        ax.set_xticklabels([point_label(p) for p in points], rotation=45, ha="right",
                           fontsize=8)
        ax.set_ylabel(" / ".join(UNIT_LABELS.get(u, u) for u in units) or "value")
        ax.set_xlabel("period (or paper date)")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", metadata={POINTS_KEY: str(len(points))})
    finally:
        plt.close(fig)
    return len(points)
