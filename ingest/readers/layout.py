"""Pure layout helpers over plain values: headers, footers, columns, headings, cells.

Nothing here imports a PDF library, so every rule is testable with hand-built
values.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from statistics import median
from typing import Any

from ingest.document import Line, Page
from ingest.normalize import clean_space, join_wrapped

PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.IGNORECASE
)


def _shape(text: str) -> str:
    """A line with its digits blanked, so 'Page 2 of 5' and 'Page 3 of 5' compare equal."""
    return re.sub(r"\d+", "#", clean_space(text).lower())


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER_RE.match(clean_space(text)))


def _edges(page: Page, edge: int) -> tuple[list[Line], list[Line]]:
    """The first and last few lines of a page; short pages give fewer, so body text stays."""
    k = min(edge, len(page.lines) // 3)
    return page.lines[:k], page.lines[len(page.lines) - k:] if k else []


def strip_running_lines(pages: list[Page], edge: int = 3) -> list[Page]:
    """Move page numbers and header/footer lines repeated on most pages to ``Page.running``.

    A line counts as running when its digit-blanked shape recurs within the
    first or last few lines of at least half the pages (and of two pages at
    least); bare page numbers at an edge always go. They are kept aside, not
    lost: a paper's date may be printed only in its running header.
    """
    if not pages:
        return pages
    counts: Counter[str] = Counter()
    for page in pages:
        top, bottom = _edges(page, edge)
        counts.update({_shape(line.text) for line in top + bottom})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {shape for shape, n in counts.items() if n >= threshold}
    out: list[Page] = []
    for page in pages:
        top, bottom = _edges(page, edge)
        at_edge = {id(line) for line in top + bottom}
        drop = {
            id(line)
            for line in page.lines
            if id(line) in at_edge and (_shape(line.text) in running or is_page_number(line.text))
        }
        kept = [line for line in page.lines if id(line) not in drop]
        dropped = [line for line in page.lines if id(line) in drop]
        out.append(Page(page.number, kept, page.tables, page.running + dropped))
    return out


GUTTER_MIN_GAP = 8.0  # points: a narrower gap between words is not a gutter
GUTTER_STEP = 2.0
GUTTER_SPAN = (0.33, 0.67)  # shares of the page width a gutter may lie between
WORD_Y_TOLERANCE = 3.0  # pdfplumber's extract_words default, used for the gutter's words


def find_gutter(
    spans: Sequence[tuple[float, float]], width: float, min_words: int = 40
) -> float | None:
    """The x of a vertical gap that splits a page's words into two columns, or None.

    ``spans`` are (x0, x1) of the words in the body of the page. A gutter is
    an x in the middle third of the page that no word crosses, with a fair
    share of words on each side.
    """
    if len(spans) < min_words:
        return None
    best = _widest_gap(spans, width)
    if best is None or best[0] < GUTTER_MIN_GAP:
        return None
    centre = best[1]
    left = sum(1 for x0, x1 in spans if x1 < centre)
    right = len(spans) - left
    if min(left, right) < len(spans) * 0.25:
        return None
    return centre


def _widest_gap(spans: Sequence[tuple[float, float]], width: float) -> tuple[float, float] | None:
    """(width, centre) of the widest run of sample points in the middle third no span covers.

    The spans are merged first, so each sample is one bisection whatever their number.
    """
    lo, hi = width * GUTTER_SPAN[0], width * GUTTER_SPAN[1]
    starts: list[float] = []
    ends: list[float] = []
    for x0, x1 in sorted(s for s in spans if s[1] >= lo and s[0] <= hi):
        if ends and x0 <= ends[-1]:
            ends[-1] = max(ends[-1], x1)
        else:
            starts.append(x0)
            ends.append(x1)

    def free(x: float) -> bool:
        i = bisect_right(starts, x) - 1
        return i < 0 or x > ends[i]

    x = lo
    best: tuple[float, float] | None = None  # (gap width, centre)
    while x <= hi:
        if free(x):
            start = x
            while x <= hi and free(x):
                x += GUTTER_STEP
            gap = x - start
            if best is None or gap > best[0]:
                best = (gap, (start + x) / 2)
        x += GUTTER_STEP
    return best


def may_have_gutter(
    chars: Sequence[Mapping[str, Any]], width: float, height: float, edge_band: float
) -> bool:
    """False only when ``column_boxes`` over these chars' words must return None.

    A cheap test that spares pdfplumber's word pass on one-column pages. Each
    non-blank char lies inside its word's span, so chars that leave no gap of
    ``GUTTER_MIN_GAP`` mean words that leave none. Only chars whose word is
    surely in the body band count: a word's chars differ in top by at most
    ``WORD_Y_TOLERANCE`` from one to the next, so chars are grouped into runs
    of tops no further apart than that, and a run that reaches outside the
    band is left out whole.
    """
    low, high = height * edge_band, height * (1 - edge_band)
    lo, hi = width * GUTTER_SPAN[0], width * GUTTER_SPAN[1]
    tops: set[float] = set()
    middle: list[tuple[float, float, float]] = []  # (x0, x1, top) of chars reaching the middle
    # One pass over the chars: every inked top forms the runs, but only chars that reach
    # the middle third can cover a sample of ``_widest_gap``, which drops the others.
    for c in chars:
        if c["text"].isspace():
            continue
        top = c["top"]
        tops.add(top)
        if c["x1"] >= lo and c["x0"] <= hi:
            middle.append((c["x0"], c["x1"], top))
    in_band: set[float] = set()  # the tops of runs wholly inside the band
    run: list[float] = []
    # Grouping the distinct tops gives the same runs as grouping every char (equal tops
    # never split a run), with a sort of a few dozen lines instead of every char.
    for top in [*sorted(tops), None]:
        if top is None or (run and top - run[-1] > WORD_Y_TOLERANCE):
            if run and low < run[0] and run[-1] < high:
                in_band.update(run)
            run = []
        if top is not None:
            run.append(top)
    best = _widest_gap([(x0, x1) for x0, x1, top in middle if top in in_band], width)
    return best is not None and best[0] >= GUTTER_MIN_GAP


def column_boxes(
    words: Sequence[Mapping[str, Any]], width: float, height: float, edge_band: float
) -> list[tuple[float, float, float, float]] | None:
    """The boxes to read a two-column page in, in reading order; None for one column.

    ``words`` are pdfplumber word dicts (x0, x1, top, bottom). Full-width lines
    above and below the columns (titles, running heads) stay in place: the
    boxes are the band above the columns, the left column, the right column
    and the band below.
    """
    band = (height * edge_band, height * (1 - edge_band))
    body = [w for w in words if band[0] < w["top"] < band[1]]
    gutter = find_gutter([(w["x0"], w["x1"]) for w in body], width)
    if gutter is None:
        return None
    top = min(w["top"] for w in body)
    bottom = max(w["bottom"] for w in body) + 0.5
    return [
        (0, 0, width, top),
        (0, top, gutter, bottom),
        (gutter, top, width, bottom),
        (0, bottom, width, height),
    ]


def text_row_lines(rows: Iterable[Mapping[str, Any]], number: int) -> list[Line]:
    """Lines from pdfplumber's ``extract_text_lines(return_chars=True)`` rows.

    A line is bold when most of its non-blank chars are in a bold font; its
    size is the median char size. Size and position are rounded to 0.1 point.
    """
    out: list[Line] = []
    for row in rows:
        text = fix_glyphs(row["text"]).strip()
        if not text:
            continue
        chars = [c for c in row["chars"] if c["text"].strip()]
        sizes = sorted(c["size"] for c in chars) or [0.0]
        bold = sum("bold" in c["fontname"].lower() for c in chars) > len(chars) / 2
        out.append(
            Line(
                text=text,
                page=number,
                bold=bold,
                size=round(sizes[len(sizes) // 2], 1),
                x0=round(row["x0"], 1),
                top=round(row["top"], 1),
            )
        )
    return out


def mark_headings(lines: list[Line]) -> list[Line]:
    """Flag lines set larger than the body text as headings (level 1 largest)."""
    sizes = [line.size for line in lines if line.size]
    if not sizes:
        return lines
    body = median(sizes)
    bigger = sorted({round(s, 1) for s in sizes if s > body + 0.9}, reverse=True)
    level = {size: i + 1 for i, size in enumerate(bigger)}
    out: list[Line] = []
    for line in lines:
        lvl = level.get(round(line.size, 1), 0) if line.size else 0
        out.append(
            Line(line.text, line.page, lvl, line.bold, line.size, line.x0, line.top)
            if lvl
            else line
        )
    return out


_TAG_RE = re.compile(r"<[^>]+>")
_CID_RE = re.compile(r"\(cid:\d+\)")


def fix_glyphs(text: str) -> str:
    """Unmapped glyphs (pdfminer's '(cid:127)', bullets in most fonts) become a bullet."""
    return _CID_RE.sub("•", text)

_BLOCK_END_RE = re.compile(r"</(?:li|p|div|ol|ul|br)\s*>|<br\s*/?>", re.IGNORECASE)


def clean_cell(raw: str | None) -> str:
    """Cell text with HTML fragments removed, entities decoded and wrapped lines joined."""
    if not raw:
        return ""
    text = _BLOCK_END_RE.sub(" ", raw)
    text = _TAG_RE.sub("", text)
    text = fix_glyphs(html.unescape(text))
    lines = [part.strip() for part in text.replace("\r", "").split("\n")]
    joined = ""
    for part in lines:
        if not part:
            continue
        joined = join_wrapped(joined, part)
    return clean_space(joined)



def strip_markup(text: str) -> str:
    """Inline markdown/HTML removed from a line of running text."""
    text = _TAG_RE.sub("", text)
    text = text.replace("**", "").replace("__", "")
    return clean_space(html.unescape(text))


def square_rows(rows: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """Rows padded to one width, trailing all-empty columns and empty rows dropped."""
    kept = [list(r) for r in rows if any(c.strip() for c in r)]
    if not kept:
        return ()
    width = max(max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in kept)
    return tuple(tuple((r + [""] * width)[:width]) for r in kept)
