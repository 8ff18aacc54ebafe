"""One measure across papers and years: figure records and table cells as a dated series.

A query such as "people in drug or alcohol treatment" is matched word by word
(light stemming, a few council synonyms, rapidfuzz for spelling) against the
sentence each figure came from and its local context, and against table row
labels and column headers. Sub-counts ("of whom 41 ..."), comparators
("London 46%", "against a target of 2,100") and values far from the series'
magnitude are left out; the same value reported again for the same period by
a later paper is kept once. Each point says when the value applies: its
period when the paper gives one, else the paper's date.
"""

from __future__ import annotations

import calendar
import math
import re
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from index.store import RecordStore
from ingest.normalize import MONTH_NAME_RE
from ingest.records import DocumentRecord, Figure, Table

STOPWORDS = frozenset({
    "a", "an", "and", "at", "by", "for", "from", "in", "into", "is", "of", "on", "or", "the",
    "to", "with", "no", "how", "many", "much",
    # generic measure words ("cohort size") say nothing about which measure
    "number", "total", "size", "count", "amount", "level", "figure", "volume",
})
SYNONYMS = (
    frozenset({"people", "person", "adult", "resident", "individual", "client", "offender"}),
    frozenset({"engagement", "contact"}),
    frozenset({"iom", "integrated"}),
)
PART_PREFIXES = ("of whom", "of which", "including", "includ")
COMPARATORS = frozenset({"london", "national", "england", "target", "against", "average",
                         "regional", "benchmark", "compared"})
AGGREGATE_RE = re.compile(r"^(?:q[1-4]\b.*|total.*|year.*|ytd|full year)$", re.IGNORECASE)
FUZZY_WORD = 88.0
MIN_COVERAGE = 0.5  # share of the query's (weighted) words a sentence or label must hold
RELATIVE_SCORE = 0.8  # points must score at least this share of the best point's score
COMPARISON_WORDS = frozenset({"from", "to", "than", "with", "on", "versus", "vs"})
HEAD_WEIGHT = 1.5  # the last query word names the measure ("... treatment", "... size")
MAGNITUDE_FACTOR = 2.5  # counts and money further than this from the series median drop out
SENTENCE_SHARE = 0.7  # score = this * sentence coverage + the rest * local coverage

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
MONTH_RE = MONTH_NAME_RE
FY_RE = re.compile(r"\b((?:19|20)\d\d)\s*[/-]\s*(\d\d)\b")
QUARTER_RE = re.compile(r"\bQ([1-4])\s+((?:19|20)\d\d)\s*[/-]\s*\d\d\b", re.IGNORECASE)
MONTH_YEAR_RE = re.compile(rf"\b({MONTH_RE})\.?\s+((?:19|20)?\d\d)\b", re.IGNORECASE)
MONTH_ONLY_RE = re.compile(rf"^({MONTH_RE})\.?$", re.IGNORECASE)
YEAR_ONLY_RE = re.compile(r"^((?:19|20)\d\d)$")
AFTER_PERIOD_RE = re.compile(
    rf"^[^.;\d]{{0,60}}?\b(?:in|at|by|to|of)\s+(?:the\s+end\s+of\s+)?"
    rf"((?:{MONTH_RE})(?:\s+(?:19|20)\d\d)?|(?:19|20)\d\d\s*/\s*\d\d)\b",
    re.IGNORECASE,
)
CELL_NUMBER_RE = re.compile(r"^\s*(£)?\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*(%|m|k)?\s*(?:\((.*)\))?\s*$")


@dataclass(frozen=True)
class Point:
    """One value of a measure, with the page it came from and when it applies."""

    value: float
    unit: str
    period: str | None
    when: str | None  # ISO date the value refers to: its period's end, else the paper's date
    date: str | None  # the paper's date
    document: str
    title: str
    page: int
    origin: str  # "figure" (a sentence) or "table" (a cell)
    record_id: str
    text: str
    score: float
    also_in: list[str] = field(default_factory=list)  # later papers repeating the value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SeriesQuery:
    """What to look for and how strictly."""

    text: str
    unit: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_score: float = MIN_COVERAGE
    keep_repeats: bool = False


# --- words -----------------------------------------------------------------------------


def stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def tokens(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[A-Za-z][A-Za-z'-]*|\d+", text)]


def query_terms(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS]


def same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if any(a in group and b in group for group in SYNONYMS):
        return True
    if min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)):
        return True
    return min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= FUZZY_WORD


def term_weights(terms: Sequence[str], texts: Sequence[list[str]]) -> dict[str, float]:
    """Rarer words weigh more (IDF over the candidate texts); the head word weighs more."""
    n = max(len(texts), 1)
    weights: dict[str, float] = {}
    for term in terms:
        df = sum(1 for words in texts if any(same_word(term, w) for w in words))
        weights[term] = (1.0 + math.log((n + 1) / (df + 1))) if df else 0.0
    seen = [t for t in terms if weights[t]]
    if seen:  # the last word the papers use names the measure
        weights[seen[-1]] *= HEAD_WEIGHT
    return weights


def coverage(weights: dict[str, float], words: Iterable[str]) -> float:
    """Weighted share of the query words found among ``words``."""
    bag = set(words)
    total = sum(weights.values())
    if not total:
        return 0.0
    found = sum(w for t, w in weights.items() if any(same_word(t, b) for b in bag))
    return found / total


# --- periods ----------------------------------------------------------------------------


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _year4(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def period_end(period: str | None) -> str | None:
    """When a period ends, as an ISO date: '2015/16' -> 2016-03-31, 'March 2014' -> 2014-03-31,
    'Q2 2022/23' -> 2022-09-30, 'Oct 24-Sep 25' -> 2025-09-30, '2016' -> 2016-12-31."""
    if not period:
        return None
    q = QUARTER_RE.search(period)
    if q:
        quarter, year = int(q.group(1)), int(q.group(2))
        return _month_end(year + (quarter == 4), (3 * quarter + 3 - 1) % 12 + 1)
    months = MONTH_YEAR_RE.findall(period)
    if months:
        name, year = months[-1]
        return _month_end(_year4(year), MONTHS[name[:3].lower()])
    fy = FY_RE.search(period)
    if fy:
        return f"{int(fy.group(1)) + 1:04d}-03-31"
    year_only = YEAR_ONLY_RE.match(period.strip())
    return f"{year_only.group(1)}-12-31" if year_only else None


def month_in_year(month_name: str, context: str) -> str | None:
    """A bare month column ('Oct') dated by the financial year in its caption ('Q3 2025-26')."""
    fy = FY_RE.search(context)
    if not fy:
        return None
    month = MONTHS[month_name[:3].lower()]
    return _month_end(int(fy.group(1)) + (month <= 3), month)


def value_at(text: str, value: float) -> tuple[int, int] | None:
    """Where the value is written in its sentence (start, end), if it can be found."""
    for shown in _shown_values(value):
        m = re.search(rf"(?<![\d.,]){re.escape(shown)}(?![\d]|[.,]\d)", text)
        if m:
            return m.start(), m.end()
    return None


def period_after(text: str, value: float, date: str | None) -> str | None:
    """A period written just after the value ('... 209 in March 2014'); a bare month
    ('148 on the cohort in September') takes its year from the paper's date."""
    at = value_at(text, value)
    m = AFTER_PERIOD_RE.match(text[at[1]:]) if at else None
    if not m:
        return None
    period = m.group(1)
    month = MONTH_ONLY_RE.match(period)
    if month and date:
        n, year = MONTHS[period[:3].lower()], int(date[:4])
        return f"{period} {year if n <= int(date[5:7]) else year - 1}"
    return period if not month else None


def is_comparison(text: str, value: float) -> bool:
    """Whether the value is an earlier or later reading of the sentence's measure
    ('down from 209', 'fell from 1,802 to 1,695')."""
    at = value_at(text, value)
    if not at:
        return False
    before = re.findall(r"[a-z]+", text[max(0, at[0] - 20):at[0]].lower())
    return bool(before) and before[-1] in COMPARISON_WORDS


def _shown_values(value: float) -> list[str]:
    if value == int(value):
        return [f"{int(value):,}", str(int(value))]
    return [f"{value:g}"]


# --- candidates -------------------------------------------------------------------------


@dataclass
class _Candidate:
    value: float
    unit: str
    period: str | None
    when: str | None
    doc: DocumentRecord | None
    page: int
    origin: str
    record_id: str
    text: str
    sentence: list[str]
    local: list[str]
    score: float = 0.0
    comparison: bool = False


def _excluded(local_text: str, query: set[str]) -> bool:
    low = local_text.lower().strip()
    if low.startswith(PART_PREFIXES):
        return True
    return any(w in COMPARATORS and w not in query for w in tokens(low))


def figure_candidates(figures: Iterable[Figure], docs: dict[str, DocumentRecord],
                      query: set[str]) -> Iterator[_Candidate]:
    for f in figures:
        if _excluded(f.context, query):
            continue
        doc = docs.get(f.document_id)
        period = f.period or period_after(f.text, f.value, doc.date if doc else None)
        yield _Candidate(f.value, f.unit, period, period_end(period) or (doc.date if doc else None),
                         doc, f.page, "figure", f.id, f.text, tokens(f.text), tokens(f.context),
                         comparison=is_comparison(f.text, f.value))


def parse_cell(cell: str) -> tuple[float, str, str | None] | None:
    """'1,290' -> (1290, count); '17%' -> (17, percent); '£85,000' -> (85000, gbp);
    '118 (Feb 2021)' -> (118, count, 'Feb 2021'). Years and ranges are not values."""
    m = CELL_NUMBER_RE.match(cell)
    if not m or YEAR_ONLY_RE.match(m.group(2)):
        return None
    value = float(m.group(2).replace(",", ""))
    suffix = (m.group(3) or "").lower()
    if suffix == "%":
        return value, "percent", m.group(4)
    scale = {"m": 1e6, "k": 1e3}.get(suffix, 1.0)
    return value * scale, "gbp" if m.group(1) else "count", m.group(4)


def _table_period(header: str, note: str | None, caption: str) -> tuple[str | None, str | None]:
    """A column header (or a cell's own note) as a period label and its end date."""
    label = note or header or None
    if not label:
        return None, None
    if MONTH_ONLY_RE.match(label.strip()):
        when = month_in_year(label.strip(), caption)
        fy = FY_RE.search(caption)
        return (f"{label} {fy.group(0)}" if fy else label), when
    return label, period_end(label)


def table_candidates(tables: Iterable[Table], docs: dict[str, DocumentRecord],
                     query: set[str]) -> Iterator[_Candidate]:
    """Numeric cells read along a row (label in the first cell, periods in the header)
    and down a column (measure in the header, periods in the first cell)."""
    for t in tables:
        if len(t.header) < 2:
            continue
        doc = docs.get(t.document_id)
        caption = t.caption or ""
        yield from _row_points(t, doc, caption, query)
        yield from _column_points(t, doc, caption, query)


def _row_points(t: Table, doc: DocumentRecord | None, caption: str,
                query: set[str]) -> Iterator[_Candidate]:
    has_months = any(MONTH_ONLY_RE.match(h.strip()) for h in t.header[1:])
    for row in t.rows:
        label = row[0] if row else ""
        if not label or _excluded(label, query) or AGGREGATE_RE.match(label.strip()):
            continue
        for header, cell in zip(t.header[1:], row[1:], strict=False):
            parsed = parse_cell(cell)
            if parsed is None or (has_months and AGGREGATE_RE.match(header.strip())):
                continue
            period, when = _table_period(header, parsed[2], caption)
            yield _Candidate(parsed[0], parsed[1], period, when or (doc.date if doc else None),
                             doc, t.page, "table", t.id, f"{label} | {header}: {cell}",
                             tokens(f"{label} {caption}"), tokens(label))


def _column_points(t: Table, doc: DocumentRecord | None, caption: str,
                   query: set[str]) -> Iterator[_Candidate]:
    if YEAR_ONLY_RE.match(t.header[1].strip()) or FY_RE.search(t.header[1]):
        return  # periods run across the header: read along rows only
    for col, header in enumerate(t.header[1:], start=1):
        if _excluded(header, query):
            continue
        for row in t.rows:
            if len(row) <= col or not row[0] or AGGREGATE_RE.match(row[0].strip()):
                continue
            parsed = parse_cell(row[col])
            if parsed is None:
                continue
            period, when = _table_period(row[0], parsed[2], caption)
            yield _Candidate(parsed[0], parsed[1], period, when or (doc.date if doc else None),
                             doc, t.page, "table", t.id, f"{header} | {row[0]}: {row[col]}",
                             tokens(f"{header} {caption}"), tokens(header))


# --- the series -------------------------------------------------------------------------


def _in_years(c: _Candidate, q: SeriesQuery) -> bool:
    year = c.doc.year if c.doc else None
    if q.year_from and (year is None or year < q.year_from):
        return False
    return not (q.year_to and (year is None or year > q.year_to))


def score_candidates(cands: list[_Candidate], terms: list[str]) -> list[_Candidate]:
    """Candidates whose sentence (or row label) holds enough of the query, scored."""
    weights = term_weights(terms, [c.sentence for c in cands])
    local = {id(c): coverage(weights, c.local) for c in cands}
    best_local: dict[tuple[str, str], float] = {}
    for c in cands:  # a comparison reads the measure its sentence names
        key = (c.text, c.unit)
        best_local[key] = max(best_local.get(key, 0.0), local[id(c)])
    kept = []
    for c in cands:
        whole = coverage(weights, c.sentence)
        if whole < MIN_COVERAGE:
            continue
        near = best_local[(c.text, c.unit)] if c.comparison else local[id(c)]
        c.score = round(SENTENCE_SHARE * whole + (1 - SENTENCE_SHARE) * near, 3)
        kept.append(c)
    return kept


def main_unit(cands: Sequence[_Candidate]) -> str | None:
    weight: dict[str, float] = {}
    for c in cands:
        weight[c.unit] = weight.get(c.unit, 0.0) + c.score
    return max(weight, key=lambda u: weight[u]) if weight else None


def in_magnitude(cands: list[_Candidate]) -> list[_Candidate]:
    """Counts and money near the best matches' median; percentages are kept as they are."""
    if not cands or cands[0].unit == "percent":
        return cands
    best = max(c.score for c in cands)
    median = statistics.median(c.value for c in cands if c.score >= 0.9 * best)
    if median <= 0:
        return cands
    return [c for c in cands
            if median / MAGNITUDE_FACTOR <= c.value <= median * MAGNITUDE_FACTOR]


def _order(c: _Candidate) -> tuple[str, str, int]:
    return (c.when or "9999", (c.doc.date if c.doc else None) or "9999", c.page)


def collapse_repeats(cands: list[_Candidate]) -> list[Point]:
    """One point per value, unit and month it applies to: the first paper to report it,
    naming the others."""
    points: dict[tuple[float, str, str], Point] = {}
    out: list[Point] = []
    for c in sorted(cands, key=lambda c: ((c.doc.date if c.doc else None) or "9999", -c.score)):
        key = (round(c.value, 6), c.unit, c.when[:7] if c.when else c.record_id)
        source = c.doc.source if c.doc else c.record_id
        if key in points:
            if source not in points[key].also_in and source != points[key].document:
                points[key].also_in.append(source)
            continue
        points[key] = _point(c)
        out.append(points[key])
    return sorted(out, key=lambda p: (p.when or "9999", p.date or "9999", p.page))


def _point(c: _Candidate) -> Point:
    return Point(c.value, c.unit, c.period, c.when, c.doc.date if c.doc else None,
                 c.doc.source if c.doc else "", c.doc.title if c.doc else "", c.page, c.origin,
                 c.record_id, c.text, c.score)


def build_series(q: SeriesQuery, figures: Iterable[Figure], tables: Iterable[Table],
                 docs: dict[str, DocumentRecord]) -> list[Point]:
    """The series for a query from records (pure: the store is read by ``find_series``)."""
    terms = query_terms(q.text)
    if not terms:
        return []
    wanted = set(terms)
    cands = [c for c in (*figure_candidates(figures, docs, wanted),
                         *table_candidates(tables, docs, wanted)) if _in_years(c, q)]
    cands = score_candidates(cands, terms)
    floor = max(q.min_score, RELATIVE_SCORE * max((c.score for c in cands), default=0.0))
    cands = [c for c in cands if c.score >= floor]
    unit = q.unit or main_unit(cands)
    cands = in_magnitude([c for c in cands if c.unit == unit])
    if q.keep_repeats:
        return [_point(c) for c in sorted(cands, key=_order)]
    return collapse_repeats(cands)


def find_series(store: RecordStore, q: SeriesQuery) -> list[Point]:
    """One measure across every stored paper, ordered by when each value applies."""
    docs = {d.id: d for d in store.iter_records("documents") if isinstance(d, DocumentRecord)}
    figures = [f for f in store.iter_records("figures") if isinstance(f, Figure)]
    tables = [t for t in store.iter_records("tables") if isinstance(t, Table)]
    return build_series(q, figures, tables, docs)
