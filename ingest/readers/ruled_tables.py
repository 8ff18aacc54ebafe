"""Ruled tables as pdfplumber finds them, whichever library read the page.

pdfplumber finds a table from the page's ruling edges (``TableFinder``) and
reads each cell from the page's chars. Both inputs can come from pdfium,
which interprets the content stream in C: the chars from
``pdfium_text.page_chars`` and the edges from the page's path objects,
classified the way pdfminer classifies painted paths (a two-point subpath is
a line, a closed axis-aligned four-point subpath a rectangle, anything else a
curve whose consecutive points are edges). pdfplumber's own ``TableFinder``
then does the finding on a small stand-in for its Page, so the tables are
the ones pdfplumber finds (``tests/test_pdfium_text.py`` checks every
corpus page both ways).

``table_grids`` and ``outside_tables`` are shared with the pdfplumber path
in pdf.py, so both paths build grids and running text the same way.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table, TableFinder, TableSettings

from ingest.document import TableGrid
from ingest.readers.layout import clean_cell, square_rows

Obj = dict[str, Any]  # a pdfplumber object dict (char or edge)
Box = tuple[float, float, float, float]
Point = tuple[float, float]
BOUND_PLACES = 2  # table bounds are kept to 0.01 pt: both readers then agree exactly


class PathNeedsLayout(Exception):
    """A path pdfium cannot describe as pdfminer would: read the page with pdfplumber."""


# ----------------------------------------------------------------------------- shared


def table_grids(found: Sequence[Any], number: int) -> list[TableGrid]:
    """pdfplumber Tables as TableGrids: cells cleaned, rows squared, empty tables dropped."""
    grids = [
        TableGrid(
            page=number,
            rows=square_rows([[clean_cell(c) for c in row] for row in _extract(t)]),
            top=round(t.bbox[1], BOUND_PLACES),
            bottom=round(t.bbox[3], BOUND_PLACES),
        )
        for t in found
    ]
    return [g for g in grids if g.rows]


@dataclass
class _CharsView:
    """The only part of a Page that ``Table.extract`` reads."""

    chars: list[Obj]


class _RowsTable(Table):
    """A Table whose ``extract`` reads only the given rows, from the given chars.

    It has no cells of its own, so only ``extract`` may be asked of it.
    """

    def __init__(self, chars: list[Obj], rows: list[Any]) -> None:
        super().__init__(_CharsView(chars), [])  # type: ignore[arg-type]
        self._rows = rows

    @property
    def rows(self) -> list[Any]:
        return self._rows


def _v_mid(char: Obj) -> float:
    return (char["top"] + char["bottom"]) / 2  # as pdfplumber's char_in_bbox computes it


def _extract(table: Any) -> list[list[str | None]]:
    """``table.extract()``, each row read from only the chars level with it: the same.

    ``Table.extract`` scans every char of the page once per row, and keeps a
    char for a row when its centre lies in the row's half-open box. So a
    row's chars are among those whose vertical centre lies between the row's
    top and bottom, found by bisection; they are handed over in page order,
    as ``extract`` would meet them.
    """
    x0, top, x1, bottom = table.bbox
    inside = [
        c for c in table.page.chars
        if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= _v_mid(c) < bottom
    ]
    centres = [_v_mid(c) for c in inside]
    order = sorted(range(len(inside)), key=centres.__getitem__)
    mids = [centres[i] for i in order]
    out: list[list[str | None]] = []
    for row in table.rows:
        _, row_top, _, row_bottom = row.bbox
        level = sorted(order[bisect_left(mids, row_top):bisect_left(mids, row_bottom)])
        out.extend(_RowsTable([inside[i] for i in level], [row]).extract())
    return out


def outside_tables(boxes: Sequence[Box]) -> Callable[[Obj], bool]:
    """A filter keeping every object except chars whose centre lies in one of ``boxes``."""

    def keep(obj: Obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        # A loop, not any() over a generator: a generator a char took twice as long.
        for x0, top, x1, bottom in boxes:  # noqa: SIM110
            if x0 <= cx <= x1 and top <= cy <= bottom:
                return False
        return True

    return keep


# ----------------------------------------------------------------------------- pdfium


@dataclass
class _PageView:
    """What pdfplumber's TableFinder and Table.extract read from a Page."""

    chars: list[Obj]
    edges: list[Obj]
    bbox: Box


def find_tables(chars: list[Obj], edges: list[Obj], width: float, height: float,
                settings: dict[str, Any]) -> list[Any]:
    """pdfplumber's ``Page.find_tables`` over chars and edges read elsewhere."""
    view = _PageView(chars, edges, (0.0, 0.0, width, height))
    return list(TableFinder(view, TableSettings.resolve(settings)).tables)  # type: ignore[arg-type]


def path_edges(page: Any, height: float) -> list[Obj]:
    """The edges pdfplumber derives from the page's painted paths (top-left origin)."""
    edges: list[Obj] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1):
        if not _painted(obj.raw):
            continue
        for shape, points in _subpaths(obj.raw):
            edges.extend(_shape_edges(shape, points, height))
    return edges


def _painted(raw: Any) -> bool:
    """pdfminer sees only filled or stroked paths (an 'n' path paints nothing)."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(raw, ctypes.byref(fill), ctypes.byref(stroke)):
        raise PathNeedsLayout("a path without a draw mode")
    return bool(fill.value or stroke.value)


def _subpaths(raw: Any) -> list[tuple[str, list[Point]]]:
    """Each subpath as pdfminer's shape string ('m', 'l', 'c', 'h') and its end points.

    pdfium lists a Bezier curve as three points; pdfminer keeps only the last.
    Points are mapped to page space by the object's matrix, in PDF coordinates.
    """
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(raw, ctypes.byref(matrix)):
        raise PathNeedsLayout("a path without a matrix")
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[tuple[str, list[Point]]] = []
    shape = ""
    points: list[Point] = []
    bezier = 0
    for i in range(pdfium_c.FPDFPath_CountSegments(raw)):
        segment = pdfium_c.FPDFPath_GetPathSegment(raw, i)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = (
            matrix.a * x.value + matrix.c * y.value + matrix.e,
            matrix.b * x.value + matrix.d * y.value + matrix.f,
        )
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if shape:
                subpaths.append((shape, points))
            shape, points, bezier = "m", [point], 0
            continue
        if not shape:
            raise PathNeedsLayout("a path that does not start with a move")
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier < 3:
                continue
            bezier = 0
            shape += "c"
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            shape += "l"
        else:
            raise PathNeedsLayout("a path segment of unknown type")
        points.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            shape += "h"
            points.append(points[0])
    if shape:
        subpaths.append((shape, points))
    return subpaths


def _shape_edges(shape: str, points: list[Point], height: float) -> list[Obj]:
    """pdfminer's line / rect / curve for one subpath, as pdfplumber's edges."""
    if len(shape) > 3 and shape[-2:] == "lh" and points[-2] == points[0]:
        shape = shape[:-2] + "h"  # pdfminer drops a redundant 'l' closed by 'h'
        points = points[:-2] + points[-1:]
    if shape in ("ml", "mlh"):
        return [_line_edge(points[0], points[1], height)]
    if shape in ("mlllh", "mllll") and _is_rect(points):
        return _rect_edges(points, height)
    if len(points) < 2:
        return []
    return [_segment_edge(p0, p1, height) for p0, p1 in zip(points, points[1:], strict=False)]


def _is_rect(points: list[Point]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = points
    square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
        y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
    )
    return last == points[0] and square


def _box(p0: Point, p1: Point, height: float) -> Obj:
    x0, x1 = sorted((p0[0], p1[0]))
    y0, y1 = sorted((p0[1], p1[1]))
    return {"x0": x0, "x1": x1, "top": height - y1, "bottom": height - y0,
            "width": x1 - x0, "height": y1 - y0}


def _line_edge(p0: Point, p1: Point, height: float) -> Obj:
    edge = _box(p0, p1, height)
    edge.update(object_type="line", orientation="h" if edge["top"] == edge["bottom"] else "v")
    return edge


def _segment_edge(p0: Point, p1: Point, height: float) -> Obj:
    edge = _box(p0, p1, height)
    orientation = "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None)
    edge.update(object_type="curve_edge", orientation=orientation)
    return edge


def _rect_edges(points: list[Point], height: float) -> list[Obj]:
    r = _box(points[0], points[2], height)
    sides = (
        (r["x0"], r["x1"], r["top"], r["top"], "h"),
        (r["x0"], r["x1"], r["bottom"], r["bottom"], "h"),
        (r["x0"], r["x0"], r["top"], r["bottom"], "v"),
        (r["x1"], r["x1"], r["top"], r["bottom"], "v"),
    )
    return [
        {"object_type": "rect_edge", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
         "width": x1 - x0, "height": bottom - top, "orientation": o}
        for x0, x1, top, bottom, o in sides
    ]
