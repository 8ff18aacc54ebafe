"""Figures: numbers in running text that state a quantity, with unit, context and period.

A figure is a count, a percentage or a sum of money written in digits (or a
percentage written in words), read from prose: running-text lines and the
prose cells of highlight-report grids. Data-table cells are not repeated here
(the table records hold them). Dates, years, periods, times, section and item
numbers, list numbering, ages, ordinals, durations, footnote markers and names
such as 'MOPAC 7' are not figures. Pure regular expressions and rules: no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import Document, Line, TableGrid
from ingest.ids import record_id
from ingest.normalize import (
    DAY_MONTH_YEAR,
    MONTH_DAY_YEAR,
    MONTH_NAME_RE,
    MONTH_YEAR,
    NUMERIC_DMY,
    TIME_RE,
    clean_space,
    dehyphenate,
)
from ingest.records import Figure

# --- blocks: wrapped lines joined into paragraphs (shared with the action parser) ----------

BULLET_RE = re.compile(
    r"^(?:[-\u2022\u25cb\u25aa\u25e6*\u00b7\u2013\uf0b7\uf0a7]|\(cid:\d+\))\s*(?=\S)"
)
NUMBERED_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|[a-z][.)])\s+(?=\S)")
TERMINAL = (".", ";", "?", "!")  # not ':', which leads into what follows
PROSE_CELL_MIN_WORDS = 12  # a table cell this long is prose (a RAG grid's narrative)


@dataclass(frozen=True)
class Block:
    """A paragraph, bullet or heading: consecutive wrapped lines of one page joined."""

    text: str
    page: int
    heading: int  # the reader's heading level; -1 for a short bold line, 0 for body text
    bullet: bool
    number: str | None


def line_heading(line: Line) -> int:
    """The line's heading level: the reader's level, -1 for a short bold line, else 0."""
    if line.heading:
        return line.heading
    return -1 if line.bold and len(line.text) < 100 else 0


def strip_marker(text: str) -> tuple[str, bool, str | None]:
    """(text without its bullet or number marker, had a bullet, the number written)."""
    bullet = False
    m = BULLET_RE.match(text)
    if m:
        text, bullet = text[m.end():], True
    n = NUMBERED_RE.match(text)
    if n:
        return text[n.end():], bullet, n.group(1).rstrip(".)")
    return text, bullet, None


def starts_block(line: Line, prev: Line | None, prev_text: str) -> bool:
    """Whether ``line`` opens a new block rather than continuing a wrapped one."""
    if prev is None or prev.page != line.page or line_heading(line) != line_heading(prev):
        return True
    if line.bold != prev.bold:
        return True
    text = line.text
    if BULLET_RE.match(text) or NUMBERED_RE.match(text):
        return True
    if is_note_line(text) or is_note_line(prev_text):
        return True  # page and footnote numbers and URLs stand alone
    if text[:1].islower():
        return False
    return prev_text.rstrip().endswith(TERMINAL)


NOTE_LINE_RE = re.compile(r"^(?:\d{1,3}|(?:https?://|www\.)\S*)$")


def is_note_line(text: str) -> bool:
    """A line that is only a page or footnote number, or only a URL."""
    return bool(NOTE_LINE_RE.match(text.strip()))


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    """Join wrapped lines into blocks; a block breaks at a marker, a heading or a sentence end."""
    groups: list[list[Line]] = []
    prev: Line | None = None
    for line in lines:
        if not line.text.strip():
            continue
        if starts_block(line, prev, groups[-1][-1].text if groups else ""):
            groups.append([line])
        else:
            groups[-1].append(line)
        prev = line
    return [group_to_block(g) for g in groups]


def group_to_block(group: list[Line]) -> Block:
    text, bullet, number = strip_marker(group[0].text.strip())
    joined = dehyphenate([text] + [ln.text for ln in group[1:]])
    return Block(joined, group[0].page, line_heading(group[0]), bullet, number)


# --- what is not a figure: spans masked before numbers are read ---------------------------

_MON = MONTH_NAME_RE
MONTH_RANGE_RE = re.compile(
    r"\b" + _MON + r"\.?\s*\d{2,4}\s*[-–—]\s*" + _MON + r"\.?\s*\d{2,4}\b", re.I
)
MONTH_SPAN_RE = re.compile(
    r"\b" + _MON + r"\s+(?:19|20)\d{2}\s*(?:[-–—]|to)\s*" + _MON + r"\s+(?:19|20)\d{2}\b", re.I
)
FY_RE = re.compile(r"\b(?:19|20)\d{2}\s?[/–-]\s?(?:\d{4}|\d{1,2})\b(?!\s*%)")
QUARTER_RE = re.compile(r"\bQ[1-4](?:\s+(?:19|20)\d{2}(?:\s?[/–-]\s?\d{2,4})?)?\b")
DAY_MONTH_RE = re.compile(
    r"\b\d{1,2}\s*(?:<sup>)?(?:st|nd|rd|th)?(?:</sup>)?\s+" + _MON + r"\b", re.I
)
DAY_RANGE_RE = re.compile(r"\b\d{1,2}\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?\s+" + _MON + r"\b", re.I)
ADDRESS_RE = re.compile(
    r"\b\d{1,4}[a-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Street|Lane|Avenue|Way|Place|Square"
    r"|Hill|Grove|Gardens|Close|Terrace|Drive|Crescent)\b"
)
MONTH_DAY_RE = re.compile(r"\b" + _MON + r"\.?\s+\d{1,2}(?:st|nd|rd|th)\b", re.I)
URL_RE = re.compile(r"\S*(?:https?://|www\.|\.gov\.uk|\.pdf\b|@)\S*", re.I)
YEAR_RE = re.compile(r"(?<![\d,.£$])\b(?:19[5-9]\d|20[0-2]\d|2030)\b(?!\d|,\d|\.\d|\s*%)")
AGE_RE = re.compile(
    r"\b(?:aged?|ages|age\s+group)\s+(?:under\s+|over\s+)?"
    r"\d{1,2}(?:\s*(?:[-–/]|to|and|or)\s*\d{1,2})?(?:\s*(?:\+|plus|or\s+(?:under|over)))?",
    re.I,
)
ORDINAL_RE = re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I)
DURATION_RE = re.compile(
    r"(?<![\w£$.,])\d+(?:\.\d+)?[\s-]*(?:days?|weeks?|months?|years?|hours?|hrs|minutes?|mins"
    r"|times?|am|pm|p\.m\.|a\.m\.)\b",
    re.I,
)
REF_RE = re.compile(
    r"\b(?:sections?|items?|outcomes?|objectives?|pages?|paras?|paragraphs?|appendix|annex"
    r"|chapters?|stages?|phases?|points?|priorit(?:y|ies)|pathways?|tables?|figures?|number"
    r"|no\.|ref\.?|p|pp|tier|wave|round|category|clause|article|rule|standard|act"
    r"|recommendations?|actions?|issues?|step|option|grade|key\s+stage|ks|version|v|room|floor"
    r"|suite|block)\s*:?\s*"
    r"\d+[a-z]?(?:\.\d+)*(?:\s*(?:,|and|or|&|[-–]|to)\s*\d+[a-z]?(?:\.\d+)*)*"
    r"(?!\d|\.\d|\s*%|\s*per\s?cent)",
    re.I,
)
CAPS_NAME_RE = re.compile(r"\b[A-Z]{2,}[A-Za-z]*\s+\d{1,3}\b(?!\s*(?:%|per\s?cent|,\d))")
PROPER_NAME_RE = re.compile(r"\bthe\s+[A-Z][a-z]+\s+\d{1,3}(?:,\d{3})+\b(?!\s*%)")
LIST_BEFORE_TO_RE = re.compile(r"\b\d{1,2}(?=\s+(?:To|Other)\s+[A-Za-z])")
SECTION_START_RE = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}(?=\s+(?:To|The|Other|An?)\s))(?=\s)"
)

MASKS: tuple[re.Pattern[str], ...] = (
    URL_RE, MONTH_SPAN_RE, MONTH_RANGE_RE, DAY_MONTH_YEAR, MONTH_DAY_YEAR, NUMERIC_DMY,
    MONTH_YEAR, DAY_RANGE_RE, DAY_MONTH_RE, ADDRESS_RE, MONTH_DAY_RE, FY_RE, QUARTER_RE,
    TIME_RE, AGE_RE, ORDINAL_RE,
    DURATION_RE, REF_RE, CAPS_NAME_RE, LIST_BEFORE_TO_RE, PROPER_NAME_RE, YEAR_RE,
)


def list_number_spans(text: str, first: int = 1) -> list[tuple[int, int]]:
    """Spans of inline list numbering '1. ... 2. ... 3.' (a run counting up from ``first``)."""
    spans: list[tuple[int, int]] = []
    want = first
    for m in re.finditer(r"(?:^|(?<=\s))(\d{1,2})[.)](?=\s+\S)", text):
        if int(m.group(1)) == want:
            spans.append((m.start(), m.end()))
            want += 1
    return spans if len(spans) > 1 or first > 1 or (spans and spans[0][0] == 0) else []


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Every span of ``text`` that holds a number which is not a figure."""
    spans: list[tuple[int, int]] = []
    m = SECTION_START_RE.match(text)
    if m:
        spans.append((0, m.end()))
    for pattern in MASKS:
        spans.extend((x.start(), x.end()) for x in pattern.finditer(text))
    return spans


# --- numbers with units ----------------------------------------------------------------------

MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
               "bn": 1e9, "billion": 1e9}
_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\d*)"
_MULT = r"(?:\s?(k|m|mn|bn)\b|\s+(thousand|million|billion)\b)?"
_PCT = r"(\s?%|\s?per\s?cent\b)?"
NUMBER_RE = re.compile(
    r"(?<![\w.,/£$&)-])(£|GBP\s?|\$)?" + _AMOUNT + _MULT + _PCT
    + r"(?:\s*(?:[-–]|to)\s*(£|GBP\s?)?" + r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\d*)" + _MULT
    + _PCT + r")?(?![\w£])",
    re.I,
)

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
WORD_PERCENT_RE = re.compile(
    r"\b((?:" + "|".join(_TENS) + r")(?:[-\s](?:" + "|".join(list(_UNITS)[1:10]) + r"))?"
    r"|(?:" + _WORD + r")|one\s+hundred)"
    r"(?:\s+point\s+(" + "|".join(list(_UNITS)[:10]) + r"))?\s+(?:per\s?cent|%)",
    re.I,
)


@dataclass(frozen=True)
class Found:
    """One number read from a sentence: value, unit and where it sits."""

    value: float
    unit: str
    start: int
    end: int


def words_to_number(words: str) -> float | None:
    """'forty-six' -> 46, 'one hundred' -> 100; None when the words are not a number."""
    parts = re.split(r"[-\s]+", words.lower().strip())
    if parts == ["one", "hundred"]:
        return 100.0
    total = 0
    for part in parts:
        if part in _TENS:
            total += _TENS[part]
        elif part in _UNITS:
            total += _UNITS[part]
        else:
            return None
    return float(total)


def amount_value(digits: str, mult: str | None) -> float:
    """The value of '39,715,658' times any multiplier ('£1.2 million', '£85k')."""
    value = float(digits.replace(",", ""))
    return value * MULTIPLIERS.get((mult or "").lower(), 1.0)


def unit_of(currency: str | None, percent: str | None) -> str:
    if currency:
        return "gbp"
    return "percent" if percent else "count"


def match_to_found(m: re.Match[str]) -> list[Found]:
    """One figure, or two for a range ('25-30', '£7– £10 billion')."""
    cur1, num1, foot1, k1, w1, pct1 = m.group(1, 2, 3, 4, 5, 6)
    cur2, num2, _foot2, k2, w2, pct2 = m.group(7, 8, 9, 10, 11, 12)
    if foot1 and num2:
        return []
    # '£39,715,6583': digits after a full comma group are a footnote marker, dropped
    mult1, mult2 = k1 or w1, k2 or w2
    if num2 is None:
        return [Found(amount_value(num1, mult1), unit_of(cur1, pct1), m.start(), m.end())]
    unit = unit_of(cur1 or cur2, pct1 or pct2)
    first = Found(amount_value(num1, mult1 or mult2), unit, m.start(), m.start(8))
    second = Found(amount_value(num2, mult2), unit, m.start(8), m.end())
    return [first, second]


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def numbers_in(text: str, listed: list[tuple[int, int]] | None = None) -> list[Found]:
    """The figures in one sentence; masked spans and ``listed`` (list numbering) left out.

    The masks are looked for only once a number is found: most sentences hold none,
    and the masks' two dozen patterns were half the parse of a paper.
    """
    spans: list[tuple[int, int]] | None = None
    found: list[Found] = []
    for m in NUMBER_RE.finditer(text):
        if spans is None:
            spans = masked_spans(text) + (listed or [])
        if overlaps(m.start(2), m.end(2), spans):
            continue
        found.extend(match_to_found(m))
    for m in WORD_PERCENT_RE.finditer(text):
        whole = words_to_number(m.group(1))
        if whole is None:
            continue
        tenth = _UNITS.get((m.group(2) or "").lower())
        value = whole + (tenth / 10 if tenth is not None else 0.0)
        found.append(Found(value, "percent", m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


# --- context, period and text ----------------------------------------------------------------

_FUNCTION_WORDS = (
    "a an the of in on at to from by for with and or but as is are was were be been has have"
    " had which who that this these those it its than up down around about approx approx."
    " approximately over under nearly almost some there their our we"
)
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
PERIOD_RES: tuple[re.Pattern[str], ...] = (MONTH_SPAN_RE, MONTH_RANGE_RE, QUARTER_RE, FY_RE)
CLAUSE_STOP = re.compile(r",(?!\d)|[;:()\[\]–—=•“”]|\s-\s|\.(?:\s|$)")


def after_phrase(text: str, end: int, limit: int = 6) -> str:
    """Up to ``limit`` words after a number, to the next clause break or number."""
    rest = CLAUSE_STOP.split(text[end:], maxsplit=1)[0]
    words: list[str] = []
    for word in rest.split():
        if re.match(r"^[£$]?\d", word):
            break
        words.append(word)
        if len(words) >= limit:
            break
    return " ".join(words)


def before_phrase(text: str, start: int, limit: int = 6) -> str:
    """Up to ``limit`` words before a number, back to the previous clause break."""
    parts = [p for p in CLAUSE_STOP.split(text[:start]) if p and p.strip()]
    words = parts[-1].split() if parts else []
    numeric = [i for i, w in enumerate(words) if re.match(r"^[£$(]?\d", w)]
    words = words[numeric[-1] + 1:] if numeric else words
    while words and words[-1].lower().strip(".") in FUNCTION_WORDS:
        words.pop()
    return " ".join(words[-limit:])


def figure_context(text: str, found: Found) -> str:
    """What the number counts: the phrase after it if it starts with a content word, else before."""
    after = after_phrase(text, found.end)
    first = after.split()[0].lower() if after else ""
    if after and first not in FUNCTION_WORDS and not first.endswith("ly"):
        return after.strip(" .")
    before = before_phrase(text, found.start)
    return (before or after).strip(" .")


def figure_period(text: str, found: Found) -> str | None:
    """The period written nearest the number in its sentence ('2009/10', 'Q3', 'Oct 24–Sep 25')."""
    best: tuple[int, str] | None = None
    for pattern in PERIOD_RES:
        for m in pattern.finditer(text):
            distance = min(abs(m.start() - found.end), abs(found.start - m.end()))
            if best is None or distance < best[0]:
                best = (distance, m.group(0))
    return clean_space(best[1]) if best else None


SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(“\"'‘£0-9])")
LIST_MARK_RE = re.compile(r"(?:^|\s)\d{1,2}\.$")
MAX_TEXT = 300


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; no split after an inline list number ('... Office 2. Capture')."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in SENTENCE_SPLIT_RE.finditer(text):
        if LIST_MARK_RE.search(text[start:m.start()]):
            continue
        out.append((start, text[start:m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return [(n, s) for n, s in out if s.strip()]


def clause_around(sentence: str, found: Found) -> tuple[str, Found]:
    """A long sentence cut to the clause holding the number, with the number's offsets moved."""
    if len(sentence) <= MAX_TEXT:
        return sentence, found
    left = max(sentence.rfind(c, 0, found.start) for c in ".;:•")
    rights = [i for i in (sentence.find(c, found.end) for c in ".;•") if i >= 0]
    lo = max(left + 1, found.start - MAX_TEXT // 2)
    hi = min(min(rights) + 1 if rights else len(sentence), found.end + MAX_TEXT // 2)
    while lo > left + 1 and not sentence[lo - 1].isspace():
        lo += 1  # start at a word boundary
    while hi < len(sentence) and not sentence[hi - 1].isspace() and hi > found.end:
        hi -= 1
    return sentence[lo:hi], Found(found.value, found.unit, found.start - lo, found.end - lo)


# --- where figures are read from -------------------------------------------------------------

def is_prose_cell(cell: str) -> bool:
    """A table cell written as sentences (a highlight report's narrative), not a data value."""
    return len(cell.split()) >= PROSE_CELL_MIN_WORDS


def table_prose(table: TableGrid) -> Iterator[str]:
    for row in table.rows:
        for cell in row:
            if is_prose_cell(cell):
                yield clean_space(cell)


def text_units(doc: Document) -> Iterator[tuple[int, str, int]]:
    """(page, text, next list number) for every body block and prose cell, in page order.

    A block that opened with list number n had it stripped; n + 1 may follow inline.
    """
    for page in doc.pages:
        for block in lines_to_blocks(page.lines):
            if not re.search(r"[A-Za-z]{2}", block.text):
                continue  # a page or footnote number alone
            first = int(block.number) + 1 if block.number and block.number.isdigit() else 1
            if block.heading == 0 or (block.heading == -1 and len(block.text) > 60):
                yield page.number, block.text, first
        for table in page.tables:
            for cell in table_prose(table):
                yield page.number, cell, 1


def unit_figures(text: str, first: int = 1) -> Iterator[tuple[str, Found]]:
    """(sentence, figure) pairs of one block or cell."""
    listed = list_number_spans(text, first)
    for offset, sentence in sentences(text):
        shifted = [(a - offset, b - offset) for a, b in listed]
        for found in numbers_in(sentence, shifted):
            yield clause_around(sentence, found)


def extract_figures(doc: Document) -> list[Figure]:
    """Every figure in the document's prose, in reading order, with page provenance."""
    out: list[Figure] = []
    for page, text, first in text_units(doc):
        for sentence, found in unit_figures(text, first):
            n = len(out) + 1
            out.append(Figure(
                id=record_id(doc.id, "figure", n),
                document_id=doc.id,
                page=page,
                value=found.value,
                unit=found.unit,
                context=figure_context(sentence, found),
                period=figure_period(sentence, found),
                text=sentence.strip(),
            ))
    return out
