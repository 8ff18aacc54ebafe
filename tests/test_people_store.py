"""People resolution across papers, and records round-tripping through the SQLite store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from index.people import resolve_store_people
from index.store import RecordStore
from ingest.people import Sighting, cluster_people, same_person
from ingest.records import (
    EXAMPLE_MEETING,
    Attendee,
    DocumentRecord,
    ParsedDocument,
    Person,
    Table,
)


def people_of(names: list[str], corrections: list[tuple[str, str, str]] | None = None
              ) -> list[Person]:
    people, _ = cluster_people([Sighting(i, n) for i, n in enumerate(names)], corrections)
    return people


def test_short_form_and_typo_join_one_person() -> None:
    people = people_of(["Eleanor Girling", "Ele Girling", "Gareth Llywelyn-Roberts",
                        "Gareth Llywelynn-Roberts", "Eleanor Girling"])
    assert len(people) == 2
    ele = next(p for p in people if p.name == "Eleanor Girling")
    assert ele.aliases == ["Ele Girling"]


def test_two_people_sharing_a_surname_stay_apart() -> None:
    assert not same_person("Sarah Newton", "Peter Newton")
    assert len(people_of(["Sarah Newton", "Peter Newton"])) == 2


def test_surname_only_resolved_only_when_unambiguous() -> None:
    one = people_of(["Sarah Newton", "Newton"])
    assert len(one) == 1 and one[0].aliases == ["Newton"]
    two = people_of(["Sarah Newton", "Peter Newton", "Newton"])
    assert len(two) == 3
    assert not any(p.aliases for p in people_of(["Sarah Newton", "Peter Newton", "Newton",
                                                 "Newton"]))
    alone = people_of(["Okafor", "Okafor", "Sarah Smith", "Smyth"])  # no full name to join
    assert sorted((p.name, p.aliases) for p in alone) == [("Okafor", []), ("Sarah Smith", []),
                                                          ("Smyth", [])]
    assert [p.aliases for p in people_of(["Okafor", "Dele Okafor", "Okafor"])] == [["Okafor"]]


def test_corrections_merge_and_split() -> None:
    assert len(people_of(["Joe Benmore", "Joseph Benmoore"])) == 2
    assert len(people_of(["Joe Benmore", "Joseph Benmoore"],
                         [("merge", "Joe Benmore", "Joseph Benmoore")])) == 1
    assert len(people_of(["Ele Girling", "Eleanor Girling"],
                         [("split", "Ele Girling", "Eleanor Girling")])) == 2


def test_ids_are_stable_whatever_the_input_order() -> None:
    names = ["Ele Girling", "Andrew Lovejoy", "Eleanor Girling", "Rhona Hunt"]
    a = {p.id for p in people_of(names)}
    b = {p.id for p in people_of(list(reversed(names)))}
    assert a == b


def parsed(doc_id: str, source: str, names: list[str]) -> ParsedDocument:
    doc = DocumentRecord(doc_id, source, doc_id * 4, "Minutes", "minutes", "CSP", "2023-10-26",
                         2023, 2)
    meeting = replace(EXAMPLE_MEETING, id=f"{doc_id}:meeting:1", document_id=doc_id)
    attendees = [Attendee(meeting.id, doc_id, None, n, "Cllr", "Chair", None, "present", 1, n)
                 for n in names]
    table = Table(f"{doc_id}:table:1", doc_id, 2, 1, ["Ref", "Action"], [["1", "Circulate"]])
    return ParsedDocument(doc, meetings=[meeting], attendees=attendees, tables=[table])


def test_store_round_trip_replace_and_people(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.sqlite")
    first = parsed("aaaa", "a.pdf", ["Eleanor Girling", "Rhona Hunt"])
    assert store.put_document(first) == "insert"
    assert store.put_document(first) == "noop"
    assert store.put_document(parsed("bbbb", "b.pdf", ["Ele Girling"])) == "insert"
    assert store.put_document(parsed("cccc", "c.pdf", ["Ele Girling"])) == "insert"
    tables = list(store.iter_records("tables", "document_id=?", ("aaaa",)))
    assert tables == first.tables  # lists of lists survive the JSON columns
    assert resolve_store_people(store) == 2
    ids = {a.to_dict()["person_id"] for a in store.iter_records("attendees")}
    assert ids == {"person:eleanor-girling", "person:rhona-hunt"}
    # A changed file replaces its records whole.
    changed = parsed("dddd", "b.pdf", ["Andrew Lovejoy"])
    assert store.put_document(changed) == "update"
    names = sorted(a.to_dict()["name"] for a in store.iter_records("attendees"))
    assert names == ["Andrew Lovejoy", "Ele Girling", "Eleanor Girling", "Rhona Hunt"]
    store.close()
