"""People and entity look-ups over the store: who, which meetings, what role, which actions.

Names are matched fuzzily (rapidfuzz) against every spelling a person was
seen under, so 'Benmoor' finds Joe Benmore and 'Ele Girling' finds Eleanor.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

from index.store import RecordStore
from ingest.normalize import split_honorific
from ingest.records import Person

NAME_CUTOFF = 75.0
OWNER_MIN = 90.0


@dataclass(frozen=True)
class PersonMatch:
    """A person found by name, with how well the name matched and how often they attended."""

    id: str
    name: str
    aliases: list[str]
    roles: list[str]
    organisations: list[str]
    score: float
    meetings: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _people(store: RecordStore) -> list[Person]:
    return [p for p in store.iter_records("people") if isinstance(p, Person)]


def find_people(store: RecordStore, name: str | None, limit: int = 20) -> list[PersonMatch]:
    """People whose name or any alias matches ``name`` (all people when no name)."""
    people = _people(store)
    counts = Counter(
        r[0] for r in store.iter_rows("SELECT person_id FROM attendees WHERE person_id IS NOT NULL")
    )
    scored: list[tuple[Person, float]]
    if not name:
        scored = [(p, 100.0) for p in people]
    else:
        query = split_honorific(name)[1]
        scored = []
        for person in people:
            best = process.extractOne(query, [person.name, *person.aliases], scorer=fuzz.WRatio,
                                      processor=utils.default_process)
            if best and best[1] >= NAME_CUTOFF:
                scored.append((person, float(best[1])))
    scored.sort(key=lambda ps: (-ps[1], -counts[ps[0].id], ps[0].name))
    return [
        PersonMatch(p.id, p.name, p.aliases, p.roles, p.organisations, round(s, 1), counts[p.id])
        for p, s in scored[:limit]
    ]


def names_match(names: list[str], text: str | None) -> bool:
    """True when ``text`` (an owner or presenter) names one of ``names``."""
    if not text:
        return False
    plain = split_honorific(text)[1]
    words = set(utils.default_process(plain).split())
    for name in names:
        if len(name.split()) == 1:  # an acronym or a surname: must appear as a word
            if utils.default_process(name) in words:
                return True
        elif fuzz.token_set_ratio(name, plain, processor=utils.default_process) >= OWNER_MIN:
            return True
    return False


def person_profile(store: RecordStore, person: PersonMatch) -> dict[str, Any]:
    """Attendance by meeting, roles over time, items presented, actions owned, mentions."""
    names = [person.name, *person.aliases]
    attendance = [
        dict(r) for r in store.iter_rows(
            "SELECT m.date, m.body, a.status, a.role, a.organisation, d.source, a.page "
            "FROM attendees a JOIN meetings m ON a.meeting_id = m.id "
            "JOIN documents d ON a.document_id = d.id WHERE a.person_id = ? ORDER BY m.date",
            (person.id,))
    ]
    by_year: dict[str, Counter[str]] = {}
    for row in attendance:
        by_year.setdefault(_year(row["date"]), Counter())[row["status"]] += 1
    return {
        "person": person.to_dict(),
        "attendance": attendance,
        "attendance_by_year": {y: dict(c) for y, c in sorted(by_year.items())},
        "items_presented": _items_presented(store, names),
        "actions_owned": _actions_owned(store, names),
        "mentions": _mentions(store, names, ("PERSON",)),
    }


def _year(date: str | None) -> str:
    return date[:4] if date else "undated"


def _dated(store: RecordStore, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(r) for r in store.iter_rows(sql, params)]


def _items_presented(store: RecordStore, names: list[str]) -> list[dict[str, Any]]:
    rows = _dated(store, "SELECT i.number, i.title, i.presenters, d.date, d.source, i.page "
                         "FROM items i JOIN documents d ON i.document_id = d.id "
                         "WHERE i.presenters != '[]' ORDER BY d.date")
    return [r for r in rows if any(names_match(names, p) for p in _json_list(r["presenters"]))]


def _actions_owned(store: RecordStore, names: list[str]) -> list[dict[str, Any]]:
    rows = _dated(store, "SELECT a.number, a.text, a.owner, a.due, a.status, d.date, d.source, "
                         "a.page FROM actions a JOIN documents d ON a.document_id = d.id "
                         "WHERE a.owner IS NOT NULL ORDER BY d.date")
    return [r for r in rows if names_match(names, r["owner"])]


def _mentions(store: RecordStore, names: list[str], labels: tuple[str, ...]
              ) -> list[dict[str, Any]]:
    marks = ",".join("?" for _ in labels)
    rows = _dated(store, "SELECT m.text, m.label, m.entity_id, d.date, d.source, m.page "
                         "FROM mentions m JOIN documents d ON m.document_id = d.id "
                         f"WHERE m.label IN ({marks}) ORDER BY d.date, m.page", labels)
    return [r for r in rows if names_match(names, r["text"]) or r["text"] in names]


def _json_list(text: str | None) -> list[str]:
    return list(json.loads(text)) if text else []


def entity_profile(store: RecordStore, name: str) -> dict[str, Any] | None:
    """Mentions of an organisation, programme or place by any spelling, by year and paper."""
    texts = [  # every spelling of every entity: "IOM" finds the programme as its name does
        (r["entity_id"], r["text"])
        for r in store.iter_rows("SELECT DISTINCT entity_id, text FROM mentions "
                                 "WHERE label != 'PERSON' AND entity_id IS NOT NULL")
    ]
    best = process.extractOne(name, [t for _, t in texts], scorer=fuzz.WRatio,
                              processor=utils.default_process, score_cutoff=NAME_CUTOFF)
    if best is None:
        return None
    entity_id = texts[best[2]][0]
    rows = _dated(store, "SELECT m.text, m.label, d.date, d.title, d.source, m.page "
                         "FROM mentions m JOIN documents d ON m.document_id = d.id "
                         "WHERE m.entity_id = ? ORDER BY d.date, m.page", (entity_id,))
    spellings = sorted({r["text"] for r in rows})
    by_year = Counter(_year(r["date"]) for r in rows)
    return {
        "entity_id": entity_id,
        "label": rows[0]["label"] if rows else None,
        "spellings": spellings,
        "mentions_by_year": dict(sorted(by_year.items())),
        "mentions": rows,
        "actions_owned": _actions_owned(store, spellings),
    }
