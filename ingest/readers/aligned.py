"""Whitespace-aligned tables in plain text (``pdftotext -layout`` and the like).

Pure functions over raw text lines. A table is a header row of short labels
followed by lines whose text keeps to the same columns: between columns runs a
gutter, a band of character positions that no line of the block writes into
(words inside a cell are one space apart, cells two or more). Rows start where
the first column has text (only at a row key such as '1a' when the table is
keyed); other lines are wrapped cell text and are joined to the row above.
Blank and page-number lines inside a table are passed over, a repeat of the
header (a new page's top) is dropped, and trailing one-cell lines (legends,
notes, a heading after the table) are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.normalize import clean_space
from ingest.readers.layout import is_page_number

SEGMENT_RE = re.compile(r"\S+(?: \S+)*")
ROW_KEY_RE = re.compile(r"^(?:\d{1,3}[a-z]?|[A-Z]\d{1,3}|\d{1,2}(?:\.\d{1,2}){1,2})\.?$")
PIPE_RE = re.compile(r"^\s*\|.*\|\s*$")
LEGEND_RE = re.compile(r"^(?:[*†‡]|\(?\d\)|notes?\b|source\b|key\b)", re.IGNORECASE)

MIN_COLUMNS = 3
MIN_ROWS = 2
MAX_GAP = 3  # blank or page-number lines tolerated inside a table
MAX_LABEL_WORDS = 6
MAX_LABEL_CHARS = 48

Table = tuple[int, int, list[list[str]]]


def segments(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the runs of a line separated by two or more spaces."""
    return [(m.start(), m.end(), m.group()) for m in SEGMENT_RE.finditer(line)]


def _is_label(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= MAX_LABEL_WORDS
        and len(text) <= MAX_LABEL_CHARS
        and not text.rstrip().endswith((".", ";", ",", ":"))
        and (text[0].isupper() or text[0].isdigit() or text[0] in "#%£$")
    )


def is_header(line: str) -> bool:
    """A line of three or more short labels set apart by gutters."""
    segs = segments(line)
    words = sum(1 for s in segs if s[2][0].isalpha())
    return len(segs) >= MIN_COLUMNS and words >= 2 and all(_is_label(s[2]) for s in segs)


def _free(line: str, width: int) -> list[bool]:
    """Per position: True where the line leaves a gap (a single space inside a run is text)."""
    free = [True] * width
    for start, end, _ in segments(line):
        for x in range(start, min(end, width)):
            free[x] = False
    return free


def _gutters(free: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of free bands strictly between written positions."""
    written = [x for x, f in enumerate(free) if not f]
    if not written:
        return []
    out: list[tuple[int, int]] = []
    start = None
    for x in range(written[0], written[-1] + 1):
        if free[x] and start is None:
            start = x
        elif not free[x] and start is not None:
            out.append((start, x))
            start = None
    return out


@dataclass
class _Block:
    """A table being grown from its header: the lines taken and the free positions so far."""

    header: int
    free: list[bool]
    taken: list[int] = field(default_factory=list)

    def columns(self) -> int:
        return len(_gutters(self.free)) + 1

    def fits(self, line: str) -> bool:
        """The line keeps every gutter open (it may narrow them)."""
        merged = [a and b for a, b in zip(self.free, _free(line, len(self.free)), strict=True)]
        return len(_gutters(merged)) == len(_gutters(self.free)) and self._inside(line)

    def _inside(self, line: str) -> bool:
        written = [x for x, f in enumerate(self.free) if not f]
        segs = segments(line)
        return bool(segs) and segs[0][0] >= written[0] - 2 and segs[-1][0] <= len(self.free)

    def add(self, index: int, line: str) -> None:
        self.free = [a and b for a, b in zip(self.free, _free(line, len(self.free)), strict=True)]
        self.taken.append(index)


def _cells(line: str, cuts: list[int]) -> list[str]:
    bounds = [0, *cuts, max(len(line), (cuts[-1] if cuts else 0)) + 1]
    return [clean_space(line[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _grow(lines: list[str], start: int) -> _Block | None:
    """The block of lines from a header at ``start`` that keep to its columns."""
    width = max(len(ln.rstrip()) for ln in lines[start:start + 200]) + 2
    block = _Block(start, _free(lines[start], width))
    block.taken.append(start)
    columns = block.columns()
    gap = 0
    for i in range(start + 1, len(lines)):
        line = lines[i].expandtabs().rstrip()
        if "\t" in lines[i] or PIPE_RE.match(line):
            break
        if not line.strip() or is_page_number(line):
            gap += 1
            if gap > MAX_GAP:
                break
            continue
        if not block.fits(line[:width]) or len(line) > width:
            break
        gap = 0
        block.add(i, line)
    if block.columns() != columns or block.columns() < MIN_COLUMNS:
        return None
    return block


def _is_row_start(first: str, keyed: bool, previous: str) -> bool:
    if keyed:
        return bool(ROW_KEY_RE.match(first))
    if not first:
        return False
    # A first-column line that carries on a wrapped first cell is not a new row.
    return not (previous and previous[-1:] not in ".:;" and first[:1].islower())


def _ends_table(cells: list[str], keyed: bool, after_gap: bool) -> bool:
    """A legend or note under the table, or (keyed) first-column text after a gap."""
    alone = sum(bool(c) for c in cells) == 1 and bool(cells[0])
    if alone and LEGEND_RE.match(cells[0]):
        return True
    return keyed and after_gap and bool(cells[0]) and not ROW_KEY_RE.match(cells[0])


def _is_keyed(firsts: list[str]) -> bool:
    """Most first cells are row keys ('1', '1a', 'A2', '2.1'), the first one included."""
    keys = [bool(ROW_KEY_RE.match(f)) for f in firsts]
    return len(firsts) >= MIN_ROWS and keys[0] and sum(keys) * 2 > len(keys)


def _rows(block: _Block, lines: list[str]) -> tuple[list[list[str]], int]:
    """Rows of a grown block, and the index of its last line that belongs to a row."""
    cuts = [(a + b) // 2 for a, b in _gutters(block.free)]
    split = [(i, _cells(lines[i].expandtabs().rstrip(), cuts)) for i in block.taken]
    header = split[0][1]
    body = [(i, c) for i, c in split[1:] if " ".join(c) != " ".join(header)]
    keyed = _is_keyed([c[0] for _, c in body if c[0]])
    rows: list[list[str]] = [header]
    ends: list[int] = [split[0][0]]
    previous, last = "", split[0][0]
    for i, cells in body:
        if _ends_table(cells, keyed, i > last + 1):
            break
        if _is_row_start(cells[0], keyed, previous):
            rows.append(list(cells))
            ends.append(i)
        else:
            target = rows[-1]
            for k, text in enumerate(cells):
                if text:
                    target[k] = clean_space(f"{target[k]} {text}")
        ends[-1] = last = i
        previous = cells[0] or previous
    while len(rows) > 1 and sum(bool(c) for c in rows[-1]) <= 1:
        rows.pop()
        ends.pop()
    return rows, ends[-1]


def find_aligned_tables(lines: list[str]) -> list[Table]:
    """(start, end exclusive, rows) of each whitespace-aligned table in raw text lines."""
    found: list[Table] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        if "\t" in raw or PIPE_RE.match(raw) or not is_header(raw.expandtabs()):
            i += 1
            continue
        block = _grow(lines, i)
        if block is None:
            i += 1
            continue
        rows, last = _rows(block, lines)
        wide = sum(1 for r in rows[1:] if sum(bool(c) for c in r) >= 2)
        if len(rows) - 1 >= MIN_ROWS and wide * 2 >= len(rows) - 1:
            found.append((i, last + 1, rows))
            i = last + 1
        else:
            i += 1
    return found
