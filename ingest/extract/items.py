"""Agenda items and resolutions of a meeting, from its minutes.

Items are the numbered headings of the minutes ('7. PROBATION UPDATE
REPORT', '98. FILMING AT MEETINGS', '3. Prevent Update'); a heading is
accepted when it belongs to the longest run of consecutive numbers, so
numbered lists in the discussion and report paragraphs ('1.1') are not
items. Resolutions are the RESOLVED / AGREED blocks, each linked to the
item it sits under; a multi-part block gives one resolution per part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import Document, Line
from ingest.extract.attendees import is_name, strip_titles
from ingest.ids import record_id
from ingest.normalize import clean_space, dehyphenate
from ingest.records import Item, Meeting, Resolution

ITEM_RE = re.compile(r"^(?P<number>\d{1,3})\.?\s+(?P<title>[A-Z][^\n]*)$")
RESOLVED_RE = re.compile(
    r"^(?:it was\s+)?(?:RESOLVED|AGREED|DECIDED|Resolved:|Agreed:)"
    r"(?:\s+unanimously)?\s*[:.–-]?\s*(?P<rest>.*)$"
)
PART_RE = re.compile(r"^\(?(?P<label>[ivx]{1,4}|[a-h]|\d{1,2})\)\s*(?P<rest>.*)$")
INLINE_PART_RE = re.compile(r"(?:^|\s)\((?:[ivx]{1,4}|[a-h])\)\s+")
STOP_RE = re.compile(r"^(?:ACTION|Action:|NOTED|CHAIR\b|Signed\b|Date\b)")
PRESENTER_RE = re.compile(
    r"(?:^|(?<=[.:;]\s))(?P<who>(?:[A-Z][\w'’.-]*\s+){0,6}[A-Z][\w'’-]+)"
    r"(?:,\s*(?P<org>[^,.]{2,80}),)?\s+(?:presented|introduced|gave)\s+"
    r"(?:the|an?|this|his|her|their)\b[^.]*?(?:\s+(?:with|supported by)\s+"
    r"(?P<co>(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’-]+))?[.,]"
)
MAX_TITLE_WORDS = 18


@dataclass(frozen=True)
class Heading:
    """An item heading found in the running text: its line index, number and title."""

    index: int
    number: int
    title: str
    line: Line


def extract_items(doc: Document, meeting: Meeting) -> list[Item]:
    """The numbered agenda items of ``meeting``, with presenters, in order."""
    lines = list(doc.lines())
    headings = item_headings(lines)
    out: list[Item] = []
    for n, (heading, body) in enumerate(item_bodies(lines, headings), start=1):
        out.append(
            Item(
                id=record_id(doc.id, "item", n),
                meeting_id=meeting.id,
                document_id=doc.id,
                number=str(heading.number),
                title=heading.title,
                page=heading.line.page,
                presenters=presenters_of(dehyphenate([line.text for line in body])),
                source_text=heading.line.text,
            )
        )
    return out


def item_headings(lines: list[Line]) -> list[Heading]:
    """Item headings: candidates in the longest run of consecutive numbers."""
    candidates = [h for h in (line_to_heading(lines, i) for i in range(len(lines))) if h]
    return longest_run(candidates)


def line_to_heading(lines: list[Line], i: int) -> Heading | None:
    """A numbered heading line ('7. PROBATION UPDATE REPORT'), title joined if it wraps."""
    line = lines[i]
    m = ITEM_RE.match(line.text.strip())
    if not m or not looks_like_title(m.group("title"), line):
        return None
    title = m.group("title").strip()
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt and continues_title(line, nxt):
        title = f"{title} {nxt.text.strip()}"
    return Heading(i, int(m.group("number")), clean_space(title).strip(" :"), line)


def looks_like_title(title: str, line: Line) -> bool:
    """A heading, not a sentence: styled or in capitals or Title Case, short, no final stop."""
    words = title.split()
    if not words or len(words) > MAX_TITLE_WORDS or re.search(r"[.;]$", title):
        return False
    if line.heading or line.bold or title.isupper():
        return True
    if len(words) <= 10 and line.size is None:
        return True  # no layout to go by: the run of consecutive numbers decides
    significant = [w for w in words if w[0].isalpha() and len(w) > 3]
    capitalised = [w for w in significant if w[0].isupper()]
    return not significant or len(capitalised) / len(significant) >= 0.6


def continues_title(line: Line, nxt: Line) -> bool:
    """The next line carries on a wrapped heading: same page and style, close below."""
    if not (line.heading or line.bold) or nxt.page != line.page:
        return False
    if (nxt.heading, nxt.bold) != (line.heading, line.bold) or ITEM_RE.match(nxt.text.strip()):
        return False
    if line.size is None or nxt.size is None or abs(line.size - nxt.size) > 0.6:
        return False
    gap = (nxt.top or 0) - (line.top or 0)
    return 0 < gap < line.size * 1.6 and not STOP_RE.match(nxt.text)


def longest_run(candidates: list[Heading]) -> list[Heading]:
    """The longest subsequence numbered n, n+1, n+2, ... in reading order (first on a tie)."""
    best_len = [1] * len(candidates)
    prev: list[int | None] = [None] * len(candidates)
    for j, cand in enumerate(candidates):
        for i in range(j):
            if candidates[i].number == cand.number - 1 and best_len[i] + 1 > best_len[j]:
                best_len[j], prev[j] = best_len[i] + 1, i
    if not candidates:
        return []
    end: int | None = max(range(len(candidates)), key=lambda k: (best_len[k], -k))
    run: list[Heading] = []
    while end is not None:
        run.append(candidates[end])
        end = prev[end]
    return run[::-1]


def item_bodies(lines: list[Line], headings: list[Heading]) -> Iterator[tuple[Heading, list[Line]]]:
    """Each heading with the lines under it, up to the next heading."""
    for k, heading in enumerate(headings):
        end = headings[k + 1].index if k + 1 < len(headings) else len(lines)
        start = heading.index + 1
        yield heading, lines[start:end]


def presenters_of(text: str) -> list[str]:
    """Names from 'X, Org, presented the item', 'X introduced the report', honorifics removed."""
    out: list[str] = []
    for m in PRESENTER_RE.finditer(text):
        for who in (m.group("who"), m.group("co")):
            name = presenter_name(who) if who else None
            if name and name not in out:
                out.append(name)
    return out


def presenter_name(text: str) -> str | None:
    """A presenter's name without honorific or rank; None for 'The Chair' and the like."""
    text = re.sub(r"^(?:The|Co-Chair|Chair)\b[\s,]*", "", text.strip())
    _, name = strip_titles(text)
    return name if is_name(name) and len(name.split()) >= 2 or has_title(text) else None


def has_title(text: str) -> bool:
    title, name = strip_titles(text)
    return title is not None and is_name(name)


# --- resolutions -------------------------------------------------------------------------


def extract_resolutions(doc: Document, meeting: Meeting, items: list[Item]) -> list[Resolution]:
    """What the meeting RESOLVED or AGREED, one record per part, linked to its item."""
    lines = list(doc.lines())
    headings = item_headings(lines)
    by_number = {item.number: item for item in items}
    out: list[Resolution] = []
    for start, block in resolution_blocks(lines, headings):
        item = item_at(start, headings, by_number)
        for text, page, source in block_to_parts(block):
            out.append(
                Resolution(
                    id=record_id(doc.id, "resolution", len(out) + 1),
                    meeting_id=meeting.id,
                    document_id=doc.id,
                    item_number=item.number if item else None,
                    item_title=item.title if item else None,
                    text=text,
                    page=page,
                    source_text=source,
                )
            )
    return out


def item_at(index: int, headings: list[Heading], by_number: dict[str, Item]) -> Item | None:
    """The item whose heading is the last one above line ``index``."""
    above = [h for h in headings if h.index < index]
    return by_number.get(str(above[-1].number)) if above else None


def resolution_blocks(
    lines: list[Line], headings: list[Heading]
) -> Iterator[tuple[int, list[Line]]]:
    """Each RESOLVED/AGREED marker line with the lines that carry its text."""
    heading_rows = {h.index for h in headings}
    i = 0
    while i < len(lines):
        if not RESOLVED_RE.match(lines[i].text.strip()):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and continues_resolution(lines, i, end, heading_rows):
            end += 1
        yield i, [line for line in lines[i:end] if not is_furniture(line, lines[i])]
        i = end


def continues_resolution(lines: list[Line], start: int, j: int, heading_rows: set[int]) -> bool:
    """Line ``j`` still belongs to the resolution opened at ``start``."""
    line = lines[j]
    text = line.text.strip()
    if j in heading_rows or RESOLVED_RE.match(text) or STOP_RE.match(text):
        return False
    if line.heading or (line.bold and not lines[start].bold):
        return False
    prev = lines[j - 1].text.strip()
    if j == start + 1 and not RESOLVED_RE.match(prev).group("rest"):  # type: ignore[union-attr]
        return True  # 'RESOLVED:' alone on its line: the text follows
    if PART_RE.match(text):
        return True
    return not re.search(r"[.]$", prev) or text[:1].islower()


def is_furniture(line: Line, marker: Line) -> bool:
    """A running header or footer caught inside a block: smaller or larger type than the text."""
    if line is marker or line.size is None or marker.size is None:
        return False
    return abs(line.size - marker.size) > 1.0


def block_to_parts(block: list[Line]) -> list[tuple[str, int, str]]:
    """(text, page, source) for each part of a block: '(i) ... (ii) ...' or one 'That ...'."""
    first = RESOLVED_RE.match(block[0].text.strip())
    rest = first.group("rest") if first else block[0].text
    pieces: list[tuple[list[str], int]] = [([rest], block[0].page)] if rest else []
    for line in block[1:]:
        text = line.text.strip()
        if PART_RE.match(text) or not pieces:
            pieces.append(([text], line.page))
        else:
            pieces[-1][0].append(text)
    source = "\n".join(line.text for line in block)
    out: list[tuple[str, int, str]] = []
    for texts, page in pieces:
        for part in split_inline_parts(dehyphenate(texts)):
            out.append((tidy_resolution(part), page, source))
    return [p for p in out if len(p[0]) > 3]


def split_inline_parts(text: str) -> list[str]:
    """'(i) That X; and (ii) That Y' -> ['That X', 'That Y']; text without labels stays whole."""
    labelled = PART_RE.match(text)
    pieces = INLINE_PART_RE.split(text)
    if len(pieces) <= 1 and not labelled:
        return [text]
    if labelled:
        pieces = INLINE_PART_RE.split(" " + text)
    lead = pieces[0].strip()
    parts = [p.strip() for p in pieces[1:] if p.strip()]
    if re.search(r"\bthat$", lead, re.I):
        parts = [p if re.match(r"that\b", p, re.I) else f"That {p}" for p in parts]
    elif lead and not lead.endswith(":"):
        parts.insert(0, lead)
    return parts or [text]


def tidy_resolution(text: str) -> str:
    """'that the report be noted; and' -> 'That the report be noted.'"""
    text = clean_space(text)
    text = re.sub(r"(?:\s*;\s*(?:and|or)?|,?\s+and|\s*;)\s*$", "", text).strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?:":
        text += "."
    return text
