"""Extraction-quality scorer: compare extracted records with hand-made gold files.

Gold files (``seeds/gold/*.json``) list, for one paper, the document fields and
the meetings, attendees, items, resolutions, actions, figures and tables a careful
reader would extract. The scorer matches predicted records to gold records one
to one inside each document and counts true positives, false positives and
misses per kind, so that precision, recall and F1 can be summed over documents
(micro averaging) and an overall score taken as the unweighted mean F1 over the
kinds that occur at all.

Matching is deliberately lenient where the gold itself involves judgement (names
without honorifics by fuzzy ratio, resolution and action text by token-set
ratio) and strict where a value is a fact (dates, figure values and units).
Greedy one-to-one matching (best-scoring pairs first) keeps one prediction from
being credited for two gold records. Tables are scored cell by cell, since a
table with one wrong cell is mostly right.

Everything here is pure except :func:`load_gold`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NotRequired, TypedDict, TypeVar

from rapidfuzz import fuzz

from ingest.normalize import clean_space, split_honorific

KINDS: tuple[str, ...] = (
    "documents",
    "meetings",
    "attendees",
    "items",
    "resolutions",
    "actions",
    "figures",
    "tables",
)
"""Kind names scored, in report order; the same names as ``Record.kind``."""

LIST_KINDS: tuple[str, ...] = KINDS[1:]
DOCUMENT_FIELDS: tuple[str, ...] = ("doc_type", "date")

Record = Mapping[str, Any]
Scorer = Callable[[Record, Record], "float | None"]
Describe = Callable[[Record], str]
G = TypeVar("G")
P = TypeVar("P")


class GoldDocumentInfo(TypedDict):
    """The ``document`` block of a gold file."""

    source: str
    doc_type: str | None
    date: str | None
    title: str | None


class GoldDocument(TypedDict):
    """One gold file: what a careful reader extracts from one paper."""

    document: GoldDocumentInfo
    meetings: list[dict[str, Any]]
    attendees: list[dict[str, Any]]
    items: list[dict[str, Any]]
    resolutions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    figures: list[dict[str, Any]]
    tables: list[dict[str, Any]]
    notes: NotRequired[str]


@dataclass(frozen=True)
class EvalSettings:
    """Match thresholds, in one place so a run's report can say what it used.

    Ratios are rapidfuzz scores in 0..100; ``figure_rel_tol`` is the relative
    tolerance for figure values (scaled by ``max(1, |value|)``).
    """

    name_threshold: float = 85.0
    text_threshold: float = 85.0
    title_threshold: float = 85.0
    figure_rel_tol: float = 1e-6

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"EvalSettings.{f.name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"EvalSettings.{f.name} must be finite, got {value!r}")
        for name in ("name_threshold", "text_threshold", "title_threshold"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"EvalSettings.{name} must be within 0..100")
        if self.figure_rel_tol < 0:
            raise ValueError("EvalSettings.figure_rel_tol must not be negative")


DEFAULT_SETTINGS = EvalSettings()


@dataclass(frozen=True)
class Entry:
    """One missed gold record or one false prediction, for the verbose report."""

    source: str
    text: str


@dataclass
class Counts:
    """Match counts of one kind (in one document or summed over many)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[Entry] = field(default_factory=list)
    false: list[Entry] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing in gold and nothing predicted: the kind says nothing about quality."""
        return self.tp == self.fp == self.fn == 0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        """tp / predicted; 1.0 when empty, 0.0 when nothing was predicted but gold exists."""
        if self.predicted:
            return self.tp / self.predicted
        return 1.0 if self.fn == 0 else 0.0

    @property
    def recall(self) -> float:
        """tp / gold; 1.0 when empty, 0.0 when there is no gold but predictions exist."""
        if self.gold:
            return self.tp / self.gold
        return 1.0 if self.fp == 0 else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp,
            self.fp + other.fp,
            self.fn + other.fn,
            self.missed + other.missed,
            self.false + other.false,
        )


@dataclass
class Report:
    """Counts per kind summed over documents, with the overall mean F1."""

    kinds: dict[str, Counts]
    documents: int = 0

    @property
    def scored_kinds(self) -> list[str]:
        """Kinds that occur in gold or predictions; only these enter the mean."""
        return [k for k, c in self.kinds.items() if not c.empty]

    @property
    def overall(self) -> float:
        """Unweighted mean F1 over non-empty kinds (1.0 if every kind is empty)."""
        scored = self.scored_kinds
        if not scored:
            return 1.0
        return sum(self.kinds[k].f1 for k in scored) / len(scored)


# --- loading -----------------------------------------------------------------


def is_document_gold(path: Path) -> bool:
    """True for a per-document gold file (it has a "document" object)."""
    try:
        return "document" in json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError:
        return True  # let load_gold report the malformed file


def load_gold(path: str | Path) -> GoldDocument:
    """Read one gold file; missing record lists are read as empty."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("document"), dict):
        raise ValueError(f"{path}: not a gold file (no 'document' object)")
    for kind in LIST_KINDS:
        value = data.setdefault(kind, [])
        if not isinstance(value, list):
            raise ValueError(f"{path}: '{kind}' must be a list")
    data["document"].setdefault("source", Path(path).name)
    gold: GoldDocument = data  # type: ignore[assignment]
    return gold


# --- normalisers ---------------------------------------------------------------


def _text(value: Any) -> str:
    """Lower-cased, whitespace-collapsed text; None reads as empty."""
    return clean_space(str(value)).lower() if value is not None else ""


def _name(value: Any) -> str:
    """A person's name without honorifics, lower-cased for fuzzy comparison."""
    return split_honorific(_text(value))[1]


def _number(value: Any) -> str:
    """An item number as compared: '5.' and '5' are the same item."""
    return _text(value).rstrip(".").strip()


def _cell(value: Any) -> str:
    """A table cell as compared: whitespace collapsed, case kept."""
    return clean_space(str(value)) if value is not None else ""


def _short(text: str, width: int = 90) -> str:
    text = clean_space(text)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- greedy one-to-one matching ---------------------------------------------------


def _greedy_pairs(
    gold: Sequence[G], predicted: Sequence[P], scorer: Callable[[G, P], float | None]
) -> list[tuple[int, int]]:
    """Pair gold and predicted records one to one, best-scoring candidate pairs first.

    ``scorer`` returns None for a pair that may not match at all. Ties keep
    document order, so repeated identical records pair up in sequence.
    """
    candidates: list[tuple[float, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            score = scorer(g, p)
            if score is not None:
                candidates.append((score, gi, pi))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _score, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return pairs


def _match_records(
    source: str,
    gold: Sequence[Record],
    predicted: Sequence[Record],
    scorer: Scorer,
    describe: Describe,
) -> Counts:
    """Counts for one kind in one document from greedy one-to-one matching."""
    pairs = _greedy_pairs(gold, predicted, scorer)
    matched_gold = {gi for gi, _ in pairs}
    matched_pred = {pi for _, pi in pairs}
    missed = [Entry(source, describe(g)) for i, g in enumerate(gold) if i not in matched_gold]
    false = [Entry(source, describe(p)) for i, p in enumerate(predicted) if i not in matched_pred]
    return Counts(len(pairs), len(false), len(missed), missed, false)


# --- scorers per kind (None = cannot match) ------------------------------------


def _threshold(score: float, threshold: float) -> float | None:
    return score if score >= threshold else None


def _attendee_scorer(settings: EvalSettings) -> Scorer:
    """Same status and names alike once honorifics are gone."""

    def score(g: Record, p: Record) -> float | None:
        if _text(g.get("status")) != _text(p.get("status")):
            return None
        ratio = fuzz.token_sort_ratio(_name(g.get("name")), _name(p.get("name")))
        return _threshold(ratio, settings.name_threshold)

    return score


def _text_scorer(settings: EvalSettings) -> Scorer:
    """Resolution or action text alike by token-set ratio (wording may be trimmed)."""

    def score(g: Record, p: Record) -> float | None:
        ratio = fuzz.token_set_ratio(_text(g.get("text")), _text(p.get("text")))
        return _threshold(ratio, settings.text_threshold)

    return score


def _item_scorer(settings: EvalSettings) -> Scorer:
    """Same item number and a title alike by token-set ratio."""

    def score(g: Record, p: Record) -> float | None:
        if _number(g.get("number")) != _number(p.get("number")):
            return None
        ratio = fuzz.token_set_ratio(_text(g.get("title")), _text(p.get("title")))
        return _threshold(ratio, settings.title_threshold)

    return score


def _meeting_scorer(settings: EvalSettings) -> Scorer:
    """Meetings are the same when their dates are; body names vary too much to compare."""

    def score(g: Record, p: Record) -> float | None:
        return 100.0 if g.get("date") == p.get("date") else None

    return score


def _figure_value(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _figure_scorer(settings: EvalSettings) -> Scorer:
    """Same unit and the same value within a relative tolerance; context is free text."""

    def score(g: Record, p: Record) -> float | None:
        gv, pv = _figure_value(g.get("value")), _figure_value(p.get("value"))
        if gv is None or pv is None or _text(g.get("unit")) != _text(p.get("unit")):
            return None
        tolerance = settings.figure_rel_tol * max(1.0, abs(gv))
        return 100.0 if abs(gv - pv) < tolerance or gv == pv else None

    return score


def _describe_attendee(r: Record) -> str:
    return f"{r.get('name')} ({r.get('status')})"


def _describe_item(r: Record) -> str:
    return f"{r.get('number')} {_short(str(r.get('title') or ''))}"


def _describe_text(r: Record) -> str:
    return _short(str(r.get("text") or ""))


def _describe_meeting(r: Record) -> str:
    return f"{r.get('date')} {r.get('body') or ''}".strip()


def _describe_figure(r: Record) -> str:
    return f"{r.get('value')} {r.get('unit')} ({_short(str(r.get('context') or ''), 60)})"


_MATCHERS: dict[str, tuple[Callable[[EvalSettings], Scorer], Describe]] = {
    "meetings": (_meeting_scorer, _describe_meeting),
    "attendees": (_attendee_scorer, _describe_attendee),
    "items": (_item_scorer, _describe_item),
    "resolutions": (_text_scorer, _describe_text),
    "actions": (_text_scorer, _describe_text),
    "figures": (_figure_scorer, _describe_figure),
}


# --- documents -------------------------------------------------------------------


def _score_document_fields(source: str, gold: Record, predicted: Sequence[Record]) -> Counts:
    """One comparison per field (doc_type, date): equal is a tp, otherwise fp and/or fn.

    A wrong value is a false hit and a miss; a value where gold has None is only
    a false hit; None where gold has a value is only a miss. With no predicted
    document at all, every field is a miss.
    """
    counts = Counts()
    pred = predicted[0] if predicted else None
    for name in DOCUMENT_FIELDS:
        want = gold.get(name)
        if pred is None:
            counts.fn += 1
            counts.missed.append(Entry(source, f"{name}={want}"))
            continue
        got = pred.get(name)
        if got == want:
            counts.tp += 1
            continue
        if want is not None:
            counts.fn += 1
            counts.missed.append(Entry(source, f"{name}={want}"))
        if got is not None:
            counts.fp += 1
            counts.false.append(Entry(source, f"{name}={got}"))
    return counts


# --- tables --------------------------------------------------------------------------


def _trimmed(row: Sequence[Any]) -> list[str]:
    """A row's cells, normalised, with trailing empty cells dropped."""
    cells = [_cell(c) for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def table_cells(table: Record) -> Counter[str]:
    """The multiset of non-empty cells of a table, header included exactly once."""
    rows: list[Sequence[Any]] = list(table.get("rows") or [])
    header = table.get("header")
    if header and (not rows or _trimmed(rows[0]) != _trimmed(header)):
        rows.insert(0, header)
    return Counter(cell for row in rows for cell in _trimmed(row) if cell)


def _cell_f1(gold: Counter[str], predicted: Counter[str]) -> float:
    overlap = sum((gold & predicted).values())
    total = sum(gold.values()) + sum(predicted.values())
    return 2 * overlap / total if total else 0.0


def _cell_entries(source: str, page: Any, cells: Counter[str]) -> list[Entry]:
    return [Entry(source, f"p{page} cell {_short(c, 70)!r}") for c in sorted(cells.elements())]


def _table_pair_counts(source: str, page: Any, gold: Counter[str], pred: Counter[str]) -> Counts:
    """Counts for one gold table against its paired predicted table (either may be empty)."""
    missed, false = gold - pred, pred - gold
    tp = sum((gold & pred).values())
    return Counts(
        tp,
        sum(false.values()),
        sum(missed.values()),
        _cell_entries(source, page, missed),
        _cell_entries(source, page, false),
    )


def _score_tables(source: str, gold: Sequence[Record], predicted: Sequence[Record]) -> Counts:
    """Cell-level counts; each gold table paired with the best same-page predicted table.

    Pairs with no cell in common are not made: they would count the same as
    leaving both tables unpaired.
    """
    gold_tables = [(t.get("page"), table_cells(t)) for t in gold]
    pred_tables = [(t.get("page"), table_cells(t)) for t in predicted]

    def score(g: tuple[Any, Counter[str]], p: tuple[Any, Counter[str]]) -> float | None:
        f1 = _cell_f1(g[1], p[1]) if g[0] == p[0] else 0.0
        return f1 if f1 > 0 else None

    pairs = dict(_greedy_pairs(gold_tables, pred_tables, score))
    paired_pred = set(pairs.values())
    counts = Counts()
    for gi, (page, cells) in enumerate(gold_tables):
        pred = pred_tables[pairs[gi]][1] if gi in pairs else Counter[str]()
        counts += _table_pair_counts(source, page, cells, pred)
    for pi, (page, cells) in enumerate(pred_tables):
        if pi not in paired_pred:
            counts += _table_pair_counts(source, page, Counter[str](), cells)
    return counts


# --- documents and reports -----------------------------------------------------------


def score_document(
    gold: Mapping[str, Any],
    predicted: Mapping[str, Sequence[Mapping[str, Any]]],
    settings: EvalSettings = DEFAULT_SETTINGS,
) -> dict[str, Counts]:
    """Counts per kind for one paper; a kind missing from ``predicted`` predicts nothing.

    ``gold`` is a gold file as read by :func:`load_gold`; ``predicted`` maps kind
    names to record dicts with the field names of ``ingest.records`` (for
    "documents", a one-element list).
    """
    info: Mapping[str, Any] = gold.get("document") or {}
    source = str(info.get("source") or "?")
    out: dict[str, Counts] = {
        "documents": _score_document_fields(source, info, predicted.get("documents") or [])
    }
    for kind in LIST_KINDS:
        want = list(gold.get(kind) or [])
        got = list(predicted.get(kind) or [])
        if kind == "tables":
            out[kind] = _score_tables(source, want, got)
        else:
            make_scorer, describe = _MATCHERS[kind]
            out[kind] = _match_records(source, want, got, make_scorer(settings), describe)
    return out


def combine(per_doc: Sequence[Mapping[str, Counts]]) -> Report:
    """Sum counts per kind over documents (micro averaging) into one report."""
    kinds = {kind: Counts() for kind in KINDS}
    for doc in per_doc:
        for kind, counts in doc.items():
            kinds[kind] = kinds.get(kind, Counts()) + counts
    return Report(kinds, len(per_doc))


def _row(label: str, gold: str, pred: str, p: str, r: str, f1: str) -> str:
    return f"{label:<12} {gold:>6} {pred:>9} {p:>6} {r:>6} {f1:>6}"


def _kind_line(kind: str, counts: Counts) -> str:
    if counts.empty:
        return _row(kind, "0", "0", "-", "-", "-")
    return _row(
        kind,
        str(counts.gold),
        str(counts.predicted),
        f"{counts.precision:.3f}",
        f"{counts.recall:.3f}",
        f"{counts.f1:.3f}",
    )


def _verbose_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for kind, counts in report.kinds.items():
        if not counts.missed and not counts.false:
            continue
        lines += ["", f"{kind}:"]
        lines += [f"  - missed [{e.source}] {e.text}" for e in counts.missed]
        lines += [f"  + false  [{e.source}] {e.text}" for e in counts.false]
    return lines


def format_report(report: Report, verbose: bool = False) -> str:
    """A fixed-width table per kind and an OVERALL line; verbose lists misses and false hits.

    Empty kinds show '-' and are left out of OVERALL, which is the mean F1 of
    the kinds shown with numbers.
    """
    rule = "-" * len(_row("", "", "", "", "", ""))
    lines = [_row("kind", "gold", "predicted", "P", "R", "F1"), rule]
    lines += [_kind_line(kind, counts) for kind, counts in report.kinds.items()]
    scored = len(report.scored_kinds)
    lines += [
        rule,
        f"OVERALL mean F1 over {scored} kind(s), {report.documents} document(s): "
        f"{report.overall:.3f}",
    ]
    if verbose:
        lines += _verbose_lines(report)
    return "\n".join(lines) + "\n"
