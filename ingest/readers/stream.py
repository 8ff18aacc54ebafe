"""Keyed plan tables flattened into a text stream (``pdftotext`` without ``-layout``).

Pure functions over raw text lines. Such a converter writes a table cell by
cell: the header labels run together on one or two lines ('No Strategic
Objectives Requirement Lead' / 'Timescale Comments'), each row opens with its
key ('1', '1a', '2b') followed by the first text cell, and the other cells
follow as blocks set apart by blank lines (cells side by side on one line stay
two or more spaces apart). Nothing in the text says where a cell ends, so only
tables whose header can be read are taken: a header made of known column
labels of an action or delivery plan (No, Lead, Timescale, Comments, ...) with
free text between them for the description column, followed by rows keyed in
order. A repeat of the header (a new page's top) is dropped; a legend line
('* ...'), a section heading ('5.1 Next steps') or the last row's filling the
header's width ends the table.
"""

from __future__ import annotations

import re

from ingest.normalize import clean_space
from ingest.readers.layout import is_page_number

LABELS = (
    r"No\.?|Ref\.?|#|Action Required|Actions? Required|Requirements?|Lead(?: Officers?)?"
    r"|Owner|Responsib(?:le|ility)|Timescales?|Deadline|Due(?: Date)?|Target Date|By When"
    r"|RAG(?: Status)?|Status|Comments?|Notes|Updates?|Progress|Outcomes?|Measures?"
)
LABEL_RE = re.compile(rf"(?:{LABELS})(?=\s|$)", re.IGNORECASE)
KEY_RE = re.compile(r"^(?P<key>\d{1,2})(?P<sub>[a-z]?)\s+(?P<text>\S.*)$")
LEGEND_RE = re.compile(r"^(?:[*†‡]|notes?\b|source\b|key\b)", re.IGNORECASE)
HEADING_RE = re.compile(r"^(?:#{1,6}\s|\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z])")
BLANK_RUN = 4  # blank lines allowed between a header's two lines
MIN_ROWS = 3

Table = tuple[int, int, list[list[str]]]


def header_cells(text: str) -> list[str] | None:
    """Cells of a run-together header line: known labels, free words between them."""
    text = clean_space(text)
    cells: list[str] = []
    free: list[str] = []
    labels = 0
    pos = 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        if m:
            if free:
                cells.append(" ".join(free))
                free = []
            cells.append(m.group())
            labels += 1
            pos = m.end()
        else:
            word = text[pos:].split(" ", 1)[0]
            free.append(word)
            pos += len(word)
        pos += 1 if pos < len(text) and text[pos] == " " else 0
    if free:
        cells.append(" ".join(free))
    if labels < 2 or len(cells) - labels > 1 or len(text.split()) > 16:
        return None
    return cells


def _is_plan_header(cells: list[str]) -> bool:
    """Labels for a key, who and when (or comments), and one free description column."""
    lowered = [c.lower().rstrip(".") for c in cells]
    has_free = any(not LABEL_RE.fullmatch(c) for c in cells)
    who = any(re.match(r"lead|owner|responsib", c) for c in lowered)
    when = any(re.match(r"timescale|deadline|due|target|by when|status|rag", c) for c in lowered)
    return has_free and lowered[0] in ("no", "ref", "#") and who and when and len(cells) >= 4


def _header_at(lines: list[str], i: int) -> tuple[list[str], int] | None:
    """The header starting at line i (joined with a labels-only next line) and its end."""
    cells = header_cells(lines[i])
    if not cells or cells[0].lower().rstrip(".") not in ("no", "ref", "#"):
        return None
    end = i + 1
    for j in range(i + 1, min(len(lines), i + 1 + BLANK_RUN + 1)):
        if not lines[j].strip():
            continue
        more = header_cells(lines[j])
        if more and all(LABEL_RE.fullmatch(c) for c in more):
            cells, end = cells + more, j + 1
        break
    return (cells, end) if _is_plan_header(cells) else None


def _blocks(lines: list[str]) -> list[str]:
    """Blank-line-separated blocks; side-by-side cells split; lowercase starts carry on."""
    out: list[str] = []
    current: list[str] = []
    for raw in [*lines, ""]:
        if raw.strip():
            current.append(raw.strip())
            continue
        if not current:
            continue
        if len(current) == 1 and is_page_number(current[0]):
            current = []  # a page number between the parts of a row
            continue
        parts = [p for p in re.split(r"\s{2,}", current[0]) if p]
        rest = " ".join(current[1:])
        parts[-1] = clean_space(f"{parts[-1]} {rest}")
        if out and parts[0][:1].islower():
            out[-1] = clean_space(f"{out[-1]} {parts.pop(0)}")
        out.extend(parts)
        current = []
    return out


def _order(m: re.Match[str]) -> tuple[int, str]:
    return int(m.group("key")), m.group("sub")


def _row_starts(lines: list[str], start: int) -> tuple[list[int], int]:
    """Lines that open a row (keys in order), and where the table's lines end."""
    starts: list[int] = []
    last: tuple[int, str] = (0, "")
    end = start
    for i in range(start, len(lines)):
        text = lines[i].strip()
        if LEGEND_RE.match(text) or HEADING_RE.match(text):
            break  # a legend under the table, or the next section's heading
        m = KEY_RE.match(text)
        if m and _order(m) > last and _order(m)[0] - last[0] <= 1:
            starts.append(i)
            last = _order(m)
        elif not starts and text and not _header_at(lines, i):
            break
        end = i + 1
    return starts, end


def _row(lines: list[str], width: int) -> list[str]:
    m = KEY_RE.match(lines[0].strip())
    assert m is not None
    cells = [m.group("key") + m.group("sub"), *_blocks([m.group("text"), *lines[1:]])]
    return cells + [""] * (width - len(cells))


def _table(lines: list[str], start: int) -> tuple[list[list[str]], int] | None:
    found = _header_at(lines, start)
    if not found:
        return None
    header, body = found
    starts, end = _row_starts(lines, body)
    if len(starts) < MIN_ROWS:
        return None
    end = _last_row_end(lines, starts[-1], end, len(header))
    rows = [header]
    for a, b in zip(starts, [*starts[1:], end], strict=True):
        part = lines[a:b]
        cut = next((k for k in range(1, len(part)) if _header_at(part, k)), len(part))
        rows.append(_row(part[:cut], len(header)))
    return rows, end


def _last_row_end(lines: list[str], start: int, end: int, width: int) -> int:
    """The last row ends with the block that fills the header's width (or at ``end``)."""
    for k in range(start + 1, end):
        if lines[k - 1].strip() and not lines[k].strip():
            cells = _row(lines[start:k], 0)
            if len(cells) >= width:
                return k
    return end


def find_stream_tables(lines: list[str]) -> list[Table]:
    """(start, end exclusive, rows) of each keyed plan table written as a text stream."""
    found: list[Table] = []
    i = 0
    while i < len(lines):
        table = _table(lines, i) if "\t" not in lines[i] else None
        if table is None:
            i += 1
            continue
        rows, end = table
        while end > i and not lines[end - 1].strip():
            end -= 1
        found.append((i, end, rows))
        i = end
    return found
