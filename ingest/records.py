"""The records minutebook extracts: the public contract of the store and the export.

Every record carries provenance (``document_id``, 1-based ``page`` and the
source text it came from) so a user can always open the page it came from.
Field names are those of the export contract (README, "Records and export"); records
are plain dataclasses that round-trip through JSON-ready dicts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")


@dataclass
class Record:
    """Base of every record kind: JSON round-trip and the kind's name."""

    kind: ClassVar[str] = "record"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]


@dataclass
class DocumentRecord(Record):
    """One paper as ingested: its type, body and date are read from its content."""

    kind: ClassVar[str] = "documents"
    id: str
    source: str
    sha256: str
    title: str
    doc_type: str
    body: str | None
    date: str | None
    year: int | None
    pages: int
    format: str = "pdf"
    warnings: list[str] = field(default_factory=list)


@dataclass
class Passage(Record):
    """A run of text under one heading on one page: the unit of full-text search."""

    kind: ClassVar[str] = "passages"
    id: str
    document_id: str
    page: int
    section: str | None
    text: str


@dataclass
class Meeting(Record):
    """A meeting recorded by minutes (or by a report of a discussion)."""

    kind: ClassVar[str] = "meetings"
    id: str
    document_id: str
    body: str | None
    date: str | None
    start_time: str | None
    end_time: str | None
    venue: str | None
    chair: str | None
    page: int = 1
    source_text: str = ""


@dataclass
class Attendee(Record):
    """One person's attendance at one meeting; ``name`` has no honorific."""

    kind: ClassVar[str] = "attendees"
    meeting_id: str
    document_id: str
    person_id: str | None
    name: str
    title: str | None
    role: str | None
    organisation: str | None
    status: str
    page: int = 1
    source_text: str = ""


@dataclass
class Person(Record):
    """One human across all papers, with every spelling seen."""

    kind: ClassVar[str] = "people"
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


@dataclass
class Item(Record):
    """A numbered agenda item of a meeting."""

    kind: ClassVar[str] = "items"
    id: str
    meeting_id: str
    document_id: str
    number: str
    title: str
    page: int
    presenters: list[str] = field(default_factory=list)
    source_text: str = ""


@dataclass
class Resolution(Record):
    """What a meeting RESOLVED or AGREED, linked to its item."""

    kind: ClassVar[str] = "resolutions"
    id: str
    meeting_id: str | None
    document_id: str
    item_number: str | None
    item_title: str | None
    text: str
    page: int
    source_text: str = ""


@dataclass
class Action(Record):
    """An action point: who is to do what by when, and how it stands."""

    kind: ClassVar[str] = "actions"
    id: str
    document_id: str
    meeting_id: str | None
    number: str | None
    text: str
    owner: str | None
    due: str | None
    status: str | None
    page: int
    source_text: str = ""


@dataclass
class Figure(Record):
    """A number with a unit, what it counts and the period it covers."""

    kind: ClassVar[str] = "figures"
    id: str
    document_id: str
    page: int
    value: float
    unit: str
    context: str
    period: str | None
    text: str


@dataclass
class Table(Record):
    """A table as printed, every cell kept; ``continued_from`` links page-break halves."""

    kind: ClassVar[str] = "tables"
    id: str
    document_id: str
    page: int
    index: int
    header: list[str]
    rows: list[list[str]]
    continued_from: str | None = None
    caption: str | None = None


@dataclass
class Mention(Record):
    """A named person, organisation, place or programme on a page."""

    kind: ClassVar[str] = "mentions"
    id: str
    document_id: str
    page: int
    text: str
    label: str
    entity_id: str | None = None


EXPORT_KINDS: tuple[type[Record], ...] = (
    DocumentRecord,
    Meeting,
    Attendee,
    Item,
    Resolution,
    Action,
    Figure,
    Table,
    Person,
)

ALL_KINDS: tuple[type[Record], ...] = (*EXPORT_KINDS, Passage, Mention)

KIND_BY_NAME: dict[str, type[Record]] = {k.kind: k for k in ALL_KINDS}


@dataclass
class ParsedDocument:
    """Everything parsed from one document: what the store writes in one transaction."""

    document: DocumentRecord
    passages: list[Passage] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    attendees: list[Attendee] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def records(self) -> dict[str, list[Record]]:
        """Records per kind name (documents included), in a fixed order."""
        out: dict[str, list[Record]] = {"documents": [self.document]}
        for kind in ALL_KINDS:
            if kind.kind in ("documents", "people"):
                continue
            out[kind.kind] = list(getattr(self, kind.kind))
        return out

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.records().items() if k != "documents"}


EXAMPLE_MEETING = Meeting(
    id="d1:meeting:1",
    document_id="d1",
    body="Community Safety Partnership",
    date="2023-10-26",
    start_time="14:00",
    end_time="15:57",
    venue=None,
    chair="Rhona Hunt",
    page=1,
    source_text="MINUTES OF THE COMMUNITY SAFETY PARTNERSHIP HELD ON THURSDAY, 26TH OCTOBER, 2023",
)
