"""What a paper is (minutes, report, strategy, highlight report, agenda), read from its content.

Each paper type scores the document from cues in its text (``MINUTES OF``,
``PRESENT:``, ``RESOLVED``, ``Report to:``, ``RAG``, ``Highlight Report``,
``Strategy``, ``AGENDA``); the highest score wins and ``other`` is the
answer when nothing scores. File names and metadata are never looked at, so
a mislabelled file is still read for what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ingest.document import Document, Line, Page
from ingest.normalize import clean_space, find_dates, parse_date

DOC_TYPES = ("minutes", "report", "strategy", "highlight_report", "agenda", "other")


@dataclass(frozen=True)
class DocInfo:
    """The document-level facts a parser needs before it reads any record."""

    title: str
    doc_type: str
    date: str | None
    body: str | None


@dataclass(frozen=True)
class Cue:
    """A pattern that speaks for one paper type: ``weight`` per hit, at most ``cap`` hits."""

    doc_type: str
    pattern: re.Pattern[str]
    weight: int
    cap: int = 1


def _cue(doc_type: str, pattern: str, weight: int, cap: int = 1, flags: int = re.I) -> Cue:
    return Cue(doc_type, re.compile(pattern, flags | re.M), weight, cap)


# Cues are matched against the head of the document (first two pages, tables included).
CUES: tuple[Cue, ...] = (
    _cue("minutes", r"^(?:the\s+)?minutes of the\b", 5),
    _cue("minutes", r"^minutes\b", 4),
    _cue("minutes", r"^(?:members\s+)?present\s*:", 3),
    _cue("minutes", r"^PRESENT\b", 3, flags=0),
    _cue("minutes", r"\bin the chair\b", 2),
    _cue("minutes", r"^(?:it was\s+)?(?:RESOLVED|AGREED)\b", 2, cap=4, flags=0),
    _cue("minutes", r"\bapologies (?:for absence )?(?:had been |were |have been )?received", 2),
    _cue("minutes", r"^\s*(?:\S+\s+)?(?:presented|introduced) the item", 1),
    _cue("report", r"^report (?:to|for)\b\s*:?", 4),
    _cue("report", r"^report (?:of|author|authorised by)\b", 3),
    _cue("report", r"^(?:report\s+)?title\s*:", 2),
    _cue("report", r"^\d+\.?\s+recommendations?\b", 2),
    _cue("report", r"^\d+\.?\s+(?:purpose|background)\b", 1),
    _cue("report", r"^(?:lead officer|ward\(s\) affected)\b", 1),
    _cue("highlight_report", r"\bhighlight report\b", 7),
    _cue("highlight_report", r"\bRAG (?:assessment|rating|status|rated)\b", 3),
    _cue("highlight_report", r"^report covering\b", 2),
    _cue("highlight_report", r"\bRAG\b", 1, cap=2, flags=0),
    _cue("strategy", r"\bdelivery plan\b", 1, cap=2),
    _cue("strategy", r"\bthis strategy\b", 2),
    _cue("agenda", r"\bAGENDA\b", 6, flags=0),
    _cue("agenda", r"^agenda item\b", 2),
)

TITLE_LABELS = ("report title", "title")
DATE_LABELS = ("date", "date of meeting", "meeting date")
BODY_LABELS = ("report to", "report for", "meeting")
BODY_WORDS = re.compile(
    r"\b(?:Partnership|Board|Committee|Panel|Forum|Group|Council|Cabinet|Sub-Committee)\b", re.I
)
MINUTES_BODY_RE = re.compile(
    r"\bminutes of (?:the )?(?:meeting of )?(?:the )?(?P<body>.+?)"
    r"(?:\s+held\b|\s+on\b|\s+meeting\b|,|\s*[–-]\s|$)",
    re.I,
)
SECTION_RE = re.compile(r"^\d{1,2}(?:\.\d+)*\.?\s+[A-Za-z]")
SMALL_WORDS = {"of", "and", "the", "for", "on", "in", "at", "to", "a", "an"}


def classify(doc: Document) -> DocInfo:
    """Type, title, date and body of ``doc``, from its content only."""
    head = head_lines(doc)
    doc_type = best_type(score_types(head_text(doc, head), head))
    title = find_title(head, doc_type)
    return DocInfo(
        title=title,
        doc_type=doc_type,
        date=find_doc_date(doc, head, doc_type),
        body=find_body(head, doc_type),
    )


def head_lines(doc: Document, pages: int = 2) -> list[Line]:
    """Lines of the first pages, with table rows turned into 'Label: value' lines.

    Cover sheets are often tables (Report to | Community Safety Partnership);
    as lines they are read by the same field rules as plain text.
    """
    out: list[Line] = []
    for page in doc.pages[:pages]:
        out.extend(page_lines_with_tables(page))
    return out


def page_lines_with_tables(page: Page) -> list[Line]:
    """A page's lines with each table row inserted as one line at the table's place."""
    rows = [
        (table.top or 0.0, Line(text=row_text(row), page=page.number, top=table.top))
        for table in page.tables
        for row in table.rows
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        return list(page.lines)
    if any(line.top is None for line in page.lines):
        return list(page.lines) + [line for _, line in rows]
    merged = [(line.top or 0.0, line) for line in page.lines]
    merged += rows
    merged.sort(key=lambda pair: pair[0])  # stable: table rows keep their order
    return [line for _, line in merged]


def row_text(row: Iterable[str]) -> str:
    """A table row as text: 'Label: value' for two-cell rows, else cells joined by ' | '."""
    cells = [clean_space(c) for c in row if c and c.strip()]
    if len(cells) == 2 and len(cells[0]) < 40:
        return f"{cells[0].rstrip(':')}: {cells[1]}"
    return " | ".join(cells)


def head_text(doc: Document, head: list[Line]) -> str:
    """The text the cues are matched against: the head, plus RESOLVED lines anywhere."""
    later = [line.text for line in doc.lines() if line.page > 2 and line.text.startswith("RES")]
    return "\n".join([line.text for line in head] + later)


def score_types(text: str, head: list[Line]) -> dict[str, int]:
    """Score of each paper type from the cues found in ``text`` and the title lines."""
    scores = dict.fromkeys(DOC_TYPES, 0)
    for cue in CUES:
        hits = len(cue.pattern.findall(text))
        scores[cue.doc_type] += cue.weight * min(hits, cue.cap)
    top = " ".join(line.text for line in head[:6])
    if re.search(r"\bstrateg(?:y|ies)\b", top, re.I):
        scores["strategy"] += 4
    if re.search(r"\bagenda\b", top, re.I) and not re.search(r"\bminutes\b", top, re.I):
        scores["agenda"] += 2
    return scores


def best_type(scores: dict[str, int]) -> str:
    """The type with the highest score; ``other`` when nothing scored."""
    doc_type, score = max(scores.items(), key=lambda kv: kv[1])
    return doc_type if score > 0 else "other"


def field_value(lines: list[Line], labels: tuple[str, ...]) -> tuple[str, Line] | None:
    """The value of the first 'Label: value' field among ``labels``, and its line.

    A label may wrap in a narrow label column ('Report Progress report on ...'
    then 'title: 2012 to June 2013'); the two halves of the value are joined.
    """
    label_re = re.compile(r"^(?:" + "|".join(re.escape(lb) for lb in labels) + r")\s*:\s*(.+)$",
                          re.I)
    for i, line in enumerate(lines):
        m = label_re.match(line.text)
        if m:
            return clean_space(m.group(1)), line
        if i + 1 < len(lines):
            joined = wrapped_label_value(line.text, lines[i + 1].text, label_re)
            if joined:
                return joined, line
    return None


def wrapped_label_value(first: str, second: str, label_re: re.Pattern[str]) -> str | None:
    """'Report X' + 'title: Y' -> 'X Y' when 'Report title: ...' is a known label."""
    m = re.match(r"^([a-z()]+)\s*:\s*(.*)$", second)
    if not m or " " not in first:
        return None
    head, rest = first.split(" ", 1)
    if not label_re.match(f"{head} {m.group(1)}: x"):
        return None
    return clean_space(f"{rest} {m.group(2)}")


def heading_block(lines: list[Line], start: int) -> tuple[str, int]:
    """Text of the run of lines from ``start`` sharing its style (a title wrapped over lines)."""
    first = lines[start]
    parts = [first.text]
    end = start + 1
    while end < len(lines) and end - start < 4 and same_style(first, lines[end]):
        parts.append(lines[end].text)
        end += 1
    return clean_space(" ".join(parts)), end


def same_style(a: Line, b: Line) -> bool:
    """Two lines of one heading: same page, both styled alike, and a size is known."""
    if a.page != b.page or a.size is None or b.size is None:
        return False
    styled = a.heading > 0 or a.bold
    return styled and (a.heading, a.bold) == (b.heading, b.bold) and abs(a.size - b.size) < 0.6


def find_title(head: list[Line], doc_type: str) -> str:
    """The paper's title: a title field, the 'Minutes of ...' block, or the first heading."""
    if not head:
        return ""
    styled = [i for i, line in enumerate(head[:12]) if line.heading or line.bold]
    if doc_type == "highlight_report" and styled:
        return heading_block(head, styled[0])[0]
    if doc_type != "minutes":
        found = field_value(head[:20], TITLE_LABELS)
        if found:
            return found[0]
    for i, line in enumerate(head[:12]):
        if doc_type == "minutes" and re.match(r"^minutes\b", line.text, re.I):
            block = heading_block(head, i)[0]
            return block if " " in block else heading_block(head, 0)[0]
    return heading_block(head, styled[0])[0] if styled else head[0].text


def find_doc_date(doc: Document, head: list[Line], doc_type: str) -> str | None:
    """A meeting's date from its title, a report's from its Date field, else the first date."""
    if doc_type == "minutes":
        title_date = parse_date(" ".join(line.text for line in head[:6]))
        if title_date:
            return title_date
    found = field_value(head, DATE_LABELS)
    if found and parse_date(found[0]):
        return parse_date(found[0])
    return (
        parse_date("\n".join(cover_lines(head)))
        or first_table_date(doc)
        or first_running_date(doc)
    )


def first_table_date(doc: Document) -> str | None:
    """The first date in a first-page table (a cover sheet laid out as a table)."""
    tables = doc.pages[0].tables if doc.pages else []
    return parse_date("\n".join(row_text(row) for table in tables for row in table.rows))


def cover_lines(head: list[Line]) -> list[str]:
    """The first page's text above its first numbered section: where a paper dates itself.

    Dates in numbered paragraphs ('1.1.1 Since 1 April 2010 ...') are what the
    paper is about, not when it was written.
    """
    out: list[str] = []
    for line in head:
        if line.page != head[0].page or SECTION_RE.match(line.text):
            break
        out.append(line.text)
    return out


SHORT_DMY_RE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2})\b")


def first_running_date(doc: Document, edge: int = 2) -> str | None:
    """The first date in a running header or footer ('MINUTES – CSP – 29.09.16'): the
    reader keeps those lines aside in Page.running; page edges are checked too."""
    for page in doc.pages:
        edges = page.lines[:edge] + page.lines[-edge:] if page.number > 1 else []
        for line in page.running + edges:
            if SECTION_RE.match(line.text):
                continue
            dates = find_dates(line.text)
            if dates:
                return dates[0][1]
            short = SHORT_DMY_RE.search(line.text)
            if short:
                iso = _short_date(short)
                if iso:
                    return iso
    return None


def _short_date(m: re.Match[str]) -> str | None:
    """'29.09.16' -> '2016-09-29' (two-digit years in running headers are this century)."""
    day, month, year = int(m.group(1)), int(m.group(2)), 2000 + int(m.group(3))
    return parse_date(f"{year}-{month:02d}-{day:02d}") if 1 <= month <= 12 else None


def find_body(head: list[Line], doc_type: str) -> str | None:
    """The body whose paper this is: from 'Minutes of the X', a 'Report to' field, a heading."""
    for title_line in iter_title_lines(head):
        m = MINUTES_BODY_RE.search(title_line) if doc_type == "minutes" else None
        if m and BODY_WORDS.search(m.group("body")):
            return tidy_body(m.group("body"))
    found = field_value(head, BODY_LABELS)
    if found and BODY_WORDS.search(found[0]):
        return tidy_body(found[0])
    for i, line in enumerate(head[:4]):
        styled = line.heading or line.bold or (i < 2 and line.size is None)
        if (
            styled
            and BODY_WORDS.search(line.text)
            and len(line.text) < 80
            and not re.search(r"\b(?:minutes|report|strategy)\b", line.text, re.I)
        ):
            return tidy_body(line.text)
    return None


def iter_title_lines(head: list[Line]) -> Iterator[str]:
    """The first lines of a paper, each joined with its wrapped continuation."""
    for i in range(min(len(head), 6)):
        yield heading_block(head, i)[0] if head[i].size is not None else head[i].text


def tidy_body(text: str) -> str:
    """'COMMUNITY SAFETY PARTNERSHIP, 17 November 2022' -> 'Community Safety Partnership'."""
    dates = find_dates(text)
    if dates:
        text = text[: dates[0][0]]
    text = re.sub(r"(?:\b(?:on|held|of)|[–-]\s*(?:agenda|minutes))\s*$", "",
                  text.strip(" ,;:–-"), flags=re.I).strip(" ,;:–-")
    if text.isupper():
        words = text.lower().split()
        text = " ".join(
            w if w in SMALL_WORDS and i else w.capitalize() for i, w in enumerate(words)
        )
    return clean_space(text)
