"""Trace a topic or a record across meetings and years, saying why each entry belongs.

A trace starts from a query or a record id. The topic is widened with its
acronym or expansion (learnt from the papers: 'Integrated Offender
Management (IOM)'), candidates come from the full-text index, and each entry
carries its reasons: the words or acronym it matched, the programmes and
organisations its page shares with the topic, its text similarity (rapidfuzz)
and, for resolutions and actions, the agenda item they belong to. Threads for
the topics that recur across years are computed after each ingest and stored,
so tracing them answers at once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz, utils

from index.fulltext import FullTextIndex
from index.store import RecordStore
from ingest.acronyms import learn_acronyms, variants
from ingest.normalize import parse_date
from ingest.settings import TraceSettings
from search.followup import follow_ups
from search.query import Hit, search_kinds

TRACE_KINDS = ("item", "resolution", "action", "figure", "passage", "table")
DONE_RE = re.compile(r"\b(complete[d]?|achieved|delivered|launched|established|done)\b", re.I)
PROGRESS_RE = re.compile(r"\b(progress|update|review|performance|refresh|continu\w*)\b", re.I)


@dataclass
class TraceEntry:
    """One step of a thread, with what links it to the topic."""

    source: str
    document_id: str
    title: str
    date: str | None
    kind: str
    text: str
    page: int
    why: list[str] = field(default_factory=list)
    id: str = ""
    score: float = 0.0
    year: int | None = None  # from the paper when it prints no full date

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Trace:
    """A thread: its name, entries in date order and a one-line story of it over the years."""

    name: str
    terms: list[str]
    entries: list[TraceEntry]
    status_line: str
    stored: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "terms": self.terms, "status_line": self.status_line,
                "entries": [e.to_dict() for e in self.entries]}


def store_acronyms(store: RecordStore) -> dict[str, str]:
    return learn_acronyms(r[0] for r in store.iter_rows("SELECT text FROM passages"))


def topic_of(store: RecordStore, target: str) -> str:
    """The text to trace: the target itself, or the title/text of a record id."""
    for kind, column in (("items", "title"), ("resolutions", "text"), ("actions", "text")):
        for row in store.iter_rows(f"SELECT {column} FROM {kind} WHERE id = ?", (target,)):
            return str(row[0])
    return target


def _query_for(terms: list[str]) -> str:
    """Any form of the topic, each with all its words (not as a fixed phrase, so 'drug
    treatment' finds 'drug and alcohol treatment')."""
    return " OR ".join(f"({t})" for t in terms)


def _why(hit: Hit, terms: list[str], acronyms: dict[str, str], similarity: float) -> list[str]:
    text = hit.text_plain.lower()
    reasons = []
    for term in terms:
        if term.lower() in text:
            expansion = acronyms.get(term.upper())
            reasons.append(f"acronym {term} ({expansion})" if expansion and term.isupper()
                           else f"mentions '{term}'")
    if not reasons:
        reasons.append("matched the query words")
    reasons.append(f"text similarity {similarity:.0f}")
    return reasons


def trace(store: RecordStore, index: FullTextIndex, target: str,
          settings: TraceSettings | None = None) -> Trace:
    """Everything that belongs to the thread of ``target``, oldest first."""
    settings = settings or TraceSettings()
    stored = load_thread(store, index, target)
    if stored is not None:
        return stored
    topic = topic_of(store, target)
    acronyms = store_acronyms(store)
    terms = variants(topic, acronyms)
    entries = _entries(store, index, topic, terms, acronyms, settings)
    return Trace(topic, terms, entries, status_line(entries))


def _entries(store: RecordStore, index: FullTextIndex, topic: str, terms: list[str],
             acronyms: dict[str, str], settings: TraceSettings) -> list[TraceEntry]:
    by_kind = search_kinds(index, _query_for(terms), TRACE_KINDS, settings.max_entries)
    hits: list[Hit] = [hit for kind in TRACE_KINDS for hit in by_kind.get(kind, [])]
    entries: dict[str, TraceEntry] = {}
    for hit in hits:
        sim = max(fuzz.token_set_ratio(t, hit.text_plain, processor=utils.default_process)
                  for t in terms)
        if sim < settings.min_similarity:
            continue
        entries[hit.id] = TraceEntry(hit.source, hit.document_id, hit.title, hit.date, hit.kind,
                                     hit.text_plain[:400], hit.page,
                                     _why(hit, terms, acronyms, sim), hit.id, round(sim, 1),
                                     hit.year)
    _add_item_links(store, entries)
    _add_follow_ups(store, entries)
    _add_shared_entities(store, entries, terms, acronyms)
    _add_references(store, entries)
    kept = _drop_covered_passages(_unique(list(entries.values())))
    return sorted(kept, key=lambda e: (_when(e), e.source, e.page, e.kind))


def _when(entry: TraceEntry) -> str:
    """Sort key: the date, else the year (after that year's dated entries), else last."""
    if entry.date:
        return entry.date
    return f"{entry.year}-99" if entry.year else "9999"


def _unique(entries: list[TraceEntry]) -> list[TraceEntry]:
    """One entry per text on a page: a sentence with three figures is one step of a thread."""
    seen: set[tuple[str, int, str, str]] = set()
    out = []
    for e in entries:
        key = (e.document_id, e.page, e.kind, e.text)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _add_item_links(store: RecordStore, entries: dict[str, TraceEntry]) -> None:
    """Resolutions and actions of a traced item join the thread, and say so."""
    items = [e for e in entries.values() if e.kind == "item"]
    for item in items:
        for row in store.iter_rows(
            "SELECT r.id, r.text, r.page, r.item_number, i.title FROM resolutions r "
            "JOIN items i ON i.meeting_id = r.meeting_id AND i.number = r.item_number "
            "WHERE i.id = ?", (item.id,)):
            entry = entries.get(row["id"])
            why = f"resolution of item {row['item_number']} '{row['title']}'"
            if entry is None:
                entries[row["id"]] = TraceEntry(item.source, item.document_id, item.title,
                                                item.date, "resolution", row["text"],
                                                row["page"], [why], row["id"], 0.0, item.year)
            elif why not in entry.why:
                entry.why.append(why)


def _add_follow_ups(store: RecordStore, entries: dict[str, TraceEntry]) -> None:
    """Later records that report on a traced action join the thread, saying what they report."""
    actions = {e.id: e for e in entries.values() if e.kind == "action"}
    if not actions:
        return
    for action_id, later in follow_ups(store, actions).items():
        action = actions[action_id]
        for f in later:
            why = f"follow-up of the {action.date or action.year} action: reports {f.reports}"
            entry = entries.get(f.record_id)
            if entry is None:
                entries[f.record_id] = TraceEntry(f.source, _doc_of(f.record_id), action.title,
                                                  f.date, f.kind, f.text, f.page, [why],
                                                  f.record_id, f.score)
            elif why not in entry.why:
                entry.why.append(why)


def _doc_of(record_id: str) -> str:
    return record_id.split(":", 1)[0]


REFERENCE_RE = re.compile(
    r"minutes of the (?:last |previous )?meeting (?:held )?(?:on |of )(?P<date>[^.;,]{6,40})",
    re.I,
)


def _add_references(store: RecordStore, entries: dict[str, TraceEntry]) -> None:
    """Say so when a paper in the thread confirms the minutes of an earlier meeting in it."""
    docs = {e.document_id for e in entries.values()}
    meeting_docs = {
        r["date"]: r["document_id"]
        for r in store.iter_rows("SELECT date, document_id FROM meetings WHERE date IS NOT NULL")
        if r["document_id"] in docs
    }
    for doc_id in docs:
        for row in store.iter_rows("SELECT text FROM passages WHERE document_id = ?", (doc_id,)):
            for m in REFERENCE_RE.finditer(row["text"]):
                date = parse_date(m.group("date"))
                if date and meeting_docs.get(date) not in (None, doc_id):
                    why = f"its meeting confirmed the minutes of the meeting of {date}"
                    for e in entries.values():
                        if e.document_id == doc_id and why not in e.why:
                            e.why.append(why)


def _add_shared_entities(store: RecordStore, entries: dict[str, TraceEntry], terms: list[str],
                         acronyms: dict[str, str]) -> None:
    """Name the programmes and organisations an entry's page shares with the topic."""
    wanted = {t.lower() for t in terms} | {acronyms.get(t.upper(), "").lower() for t in terms}
    pages: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in store.iter_rows("SELECT document_id, page, text, label FROM mentions "
                               "WHERE label IN ('PROGRAMME', 'ORG')"):
        if row["text"].lower() in wanted:
            pages[(row["document_id"], row["page"])].add(row["text"])
    for entry in entries.values():
        shared = pages.get((entry.document_id, entry.page))
        if shared:
            entry.why.append("shares " + ", ".join(sorted(shared)) + " on the page")


def _drop_covered_passages(entries: list[TraceEntry]) -> list[TraceEntry]:
    """A passage adds nothing where a record of the same page is already in the thread."""
    covered = {(e.document_id, e.page) for e in entries if e.kind != "passage"}
    return [e for e in entries if e.kind != "passage" or (e.document_id, e.page) not in covered]


def status_line(entries: list[TraceEntry]) -> str:
    """'raised 2011 · in progress 2014 · done 2016 · raised again 2026' from the entries."""
    by_year: dict[str, list[TraceEntry]] = defaultdict(list)
    for entry in entries:
        year = entry.date[:4] if entry.date else (str(entry.year) if entry.year else None)
        if year:
            by_year[year].append(entry)
    steps: list[str] = []
    last: int | None = None
    for year in sorted(by_year):
        text = " ".join(e.text for e in by_year[year])
        if last is None:
            label = "raised"
        elif int(year) - last > 2:
            label = "raised again"
        elif DONE_RE.search(text):
            label = "done"
        elif PROGRESS_RE.search(text) or any(e.kind == "resolution" for e in by_year[year]):
            label = "in progress"
        else:
            label = "mentioned"
        steps.append(f"{label} {year}")
        last = int(year)
    return " · ".join(steps) if steps else "no dated entries"


# -- stored threads ---------------------------------------------------------------


def thread_topics(store: RecordStore, acronyms: dict[str, str], min_years: int) -> list[str]:
    """Programmes and acronym topics that papers of at least ``min_years`` years mention."""
    years: dict[str, set[int]] = defaultdict(set)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for row in store.iter_rows(
        "SELECT m.entity_id, m.text, d.year FROM mentions m JOIN documents d "
        "ON m.document_id = d.id WHERE m.label = 'PROGRAMME' AND d.year IS NOT NULL"):
        key = row["entity_id"] or row["text"].lower()
        years[key].add(int(row["year"]))
        text = row["text"]
        spellings[key][acronyms.get(text.upper(), text) if text.isupper() else text] += 1
    return sorted(_best_spelling(spellings[k]) for k, ys in years.items() if len(ys) >= min_years)


def _best_spelling(counts: Counter[str]) -> str:
    """The most written form, preferring one that is not all capitals."""
    return sorted(counts.items(), key=lambda kv: (kv[0].isupper(), -kv[1], kv[0]))[0][0]


PROCEDURAL_RE = re.compile(
    r"apolog|minutes|declaration|filming|any other business|future meeting|next meeting"
    r"|urgent business|membership|welcome|matters arising|action log",
    re.I,
)
GENERIC_TAIL_RE = re.compile(
    r"(\s+(update|report|refresh|performance|review|recommissioning|annual|progress|plan"
    r"|six-month|services|duty))+$",
    re.I,
)


def title_topic(title: str) -> str | None:
    """The subject of an agenda item title: 'Drug and Alcohol Treatment – Annual Update
    2012/13' -> 'Drug and Alcohol Treatment'; procedural items have none."""
    if PROCEDURAL_RE.search(title):
        return None
    head = re.split(r"\s[–—:-]\s|,|\d", title)[0].strip()
    head = GENERIC_TAIL_RE.sub("", head).strip()
    return head if len(head.split()) >= 1 and len(head) > 3 else None


def item_topics(store: RecordStore, min_years: int) -> list[str]:
    """Subjects of agenda items that recur, in similar words, in meetings of several years."""
    clusters: list[tuple[list[str], set[int]]] = []
    for row in store.iter_rows("SELECT i.title, d.year FROM items i JOIN documents d "
                               "ON i.document_id = d.id WHERE d.year IS NOT NULL"):
        topic = title_topic(row["title"])
        if topic is None:
            continue
        for names, years in clusters:
            if any(fuzz.token_set_ratio(topic, n, processor=utils.default_process) >= 85
                   for n in names):
                names.append(topic)
                years.add(int(row["year"]))
                break
        else:
            clusters.append(([topic], {int(row["year"])}))
    return [_readable(min(names, key=len)) for names, years in clusters
            if len(years) >= min_years]


def _readable(name: str) -> str:
    return name.title() if name.isupper() else name


def compute_threads(store: RecordStore, index: FullTextIndex,
                    settings: TraceSettings | None = None) -> int:
    """Trace every recurring topic and store the threads; returns how many there are."""
    settings = settings or TraceSettings()
    acronyms = store_acronyms(store)
    threads = []
    topics = thread_topics(store, acronyms, settings.min_thread_years)
    for topic in item_topics(store, settings.min_thread_years):
        if not any(fuzz.token_set_ratio(topic, t, processor=utils.default_process) >= 90
                   for t in topics):
            topics.append(topic)
    for topic in topics:
        terms = variants(topic, acronyms)
        entries = _entries(store, index, topic, terms, acronyms, settings)
        if entries:
            threads.append(Trace(topic, terms, entries, status_line(entries), stored=True))
    store.put_threads([t.to_dict() for t in threads], store.document_versions())
    return len(threads)


def threads_stale(store: RecordStore) -> bool:
    """True when papers changed since the threads were computed (the next read recomputes)."""
    return store.reflected("threads") != store.document_versions()


def current_threads(store: RecordStore, index: FullTextIndex) -> list[dict[str, Any]]:
    """The stored threads, computed again first if papers changed since they were.

    Threads are derived from the whole store, so they are brought up to date
    when they are next read, not after every ingest: adding a paper stays
    quick, and the first ``threads`` or ``trace`` after it pays once.
    """
    if threads_stale(store):
        compute_threads(store, index)
    return store.threads()


def load_thread(store: RecordStore, index: FullTextIndex, target: str) -> Trace | None:
    """A stored thread whose name or acronym is ``target`` (case-insensitive)."""
    wanted = target.strip().lower()
    for data in current_threads(store, index):
        if wanted in (t.lower() for t in data["terms"]):
            entries = [TraceEntry(**e) for e in data["entries"]]
            return Trace(data["name"], data["terms"], entries, data["status_line"], stored=True)
    return None


def list_threads(store: RecordStore, index: FullTextIndex) -> list[dict[str, Any]]:
    """Stored threads by how many years they span, with first and last dates."""
    rows = []
    for data in current_threads(store, index):
        dates = sorted(e["date"] for e in data["entries"] if e["date"])
        years = sorted({str(e["date"] or e["year"])[:4] for e in data["entries"]
                        if e["date"] or e["year"]})
        rows.append({"name": data["name"], "terms": data["terms"], "entries": len(data["entries"]),
                     "years": len(years), "first": dates[0] if dates else None,
                     "last": dates[-1] if dates else None, "status_line": data["status_line"]})
    return sorted(rows, key=lambda r: (-r["years"], -r["entries"], r["name"]))
