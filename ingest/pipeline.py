"""One file in, one Outcome out: read, parse every record kind, report failures as data.

``ingest_file`` never raises for a bad paper: a file that cannot be read or
parsed comes back with status ``skipped`` or ``failed`` and a one-line
reason, so a batch goes on and ends with counts per status.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.document import Document
from ingest.errors import PipelineError, ReadError
from ingest.extract.actions import extract_actions
from ingest.extract.attendees import extract_attendees
from ingest.extract.doctype import classify
from ingest.extract.figures import extract_figures
from ingest.extract.items import extract_items, extract_resolutions
from ingest.extract.meetings import extract_meeting, extract_recorded_meeting
from ingest.extract.mentions import extract_mentions
from ingest.extract.passages import extract_passages
from ingest.extract.tables import extract_tables
from ingest.normalize import MONTH_YEAR
from ingest.readers.registry import read_document
from ingest.records import DocumentRecord, ParsedDocument
from ingest.settings import ReadSettings


@dataclass
class Outcome:
    """How one file went: ``ingested``, ``unchanged``, ``skipped`` (bad input) or ``failed``."""

    source: str
    status: str
    sha256: str | None = None
    parsed: ParsedDocument | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def parse_document(doc: Document, with_mentions: bool = True) -> ParsedDocument:
    """Every record kind from a read Document: a pure function of the Document."""
    info = classify(doc)
    year = int(info.date[:4]) if info.date else year_written(doc, info.title)
    record = DocumentRecord(
        id=doc.id,
        source=doc.source,
        sha256=doc.sha256,
        title=info.title,
        doc_type=info.doc_type,
        body=info.body,
        date=info.date,
        year=year,
        pages=len(doc.pages),
        format=doc.format,
        warnings=list(doc.warnings),
    )
    parsed = ParsedDocument(record)
    parsed.tables = extract_tables(doc)
    meeting = extract_meeting(doc, info)
    if meeting is not None:
        parsed.attendees = extract_attendees(doc, meeting)
        parsed.items = extract_items(doc, meeting)
        parsed.resolutions = extract_resolutions(doc, meeting, parsed.items)
    else:  # a report may record a discussion: a meeting with no minutes of its own
        meeting = extract_recorded_meeting(doc, info)
    parsed.meetings = [meeting] if meeting else []
    parsed.actions = extract_actions(doc, meeting.id if meeting else None)
    parsed.figures = extract_figures(doc)
    parsed.passages = extract_passages(doc)
    if with_mentions:
        parsed.mentions, warnings = extract_mentions(doc)
        record.warnings.extend(warnings)
    return parsed


DATE_LABEL_RE = re.compile(r"\bdated?\b\s*[:|]?\s*", re.IGNORECASE)


def year_written(doc: Document, title: str) -> int | None:
    """The year of a paper that prints no full date: a 'Date: January 2026' field, else a
    month and year in the title, else the latest one in the first page's running text (a
    paper is written after what it reports; its tables may hold future deadlines)."""
    first = doc.pages[0] if doc.pages else None
    if first is None:
        return None
    fields = [line.text for line in first.lines]
    fields += [" ".join(row) for table in first.tables for row in table.rows]
    for text in fields:
        label = DATE_LABEL_RE.match(text)
        found = MONTH_YEAR.match(text, label.end()) if label else None
        if found:
            return int(found.group(2))
    for text in (title, first.text):
        years = [int(m.group(2)) for m in MONTH_YEAR.finditer(text)]
        if years:
            return max(years)
    return None


def ingest_file(
    path: Path, known_sha: str | None = None, settings: ReadSettings | None = None
) -> Outcome:
    """Read and parse one file; ``known_sha`` lets an unchanged file stop after hashing."""
    read = read_file(path, known_sha, settings)
    return read if isinstance(read, Outcome) else parse_file(read)


@dataclass
class ReadFile:
    """A file hashed and read, not yet parsed (``read_file``, then ``parse_file``)."""

    source: str
    sha256: str
    document: Document
    seconds: float


def read_file(
    path: Path, known_sha: str | None = None, settings: ReadSettings | None = None
) -> ReadFile | Outcome:
    """The first half of ``ingest_file``: the file read, or its Outcome when it ends here
    (``unchanged``, or ``skipped`` with the reason)."""
    source = str(path)
    start = time.perf_counter()
    limit = (settings or ReadSettings()).max_mib
    try:
        size_mib = path.stat().st_size / 2**20
        if size_mib > limit:
            return Outcome(source, "skipped",
                           error=f"too large ({size_mib:,.0f} MiB; the limit is {limit:,.0f} MiB)")
        data = path.read_bytes()
    except OSError as exc:
        return Outcome(source, "skipped", error=f"cannot open: {exc.strerror or exc}")
    sha = hashlib.sha256(data).hexdigest()
    if known_sha == sha:
        return Outcome(source, "unchanged", sha256=sha)
    try:
        doc = read_document(path, data, settings)
    except ReadError as exc:
        return Outcome(source, "skipped", sha256=sha, error=str(exc))
    return ReadFile(source, sha, doc, time.perf_counter() - start)


def parse_file(read: ReadFile) -> Outcome:
    """The second half of ``ingest_file``: every record of a read file, or ``failed``."""
    start = time.perf_counter()
    try:
        parsed = parse_document(read.document)
    except PipelineError as exc:
        return Outcome(read.source, "failed", sha256=read.sha256, error=str(exc))
    except Exception as exc:  # a parser bug must not cost the rest of the batch
        return Outcome(read.source, "failed", sha256=read.sha256,
                       error=f"parser error: {exc!r}"[:200])
    return Outcome(
        read.source,
        "ingested",
        sha256=read.sha256,
        parsed=parsed,
        warnings=parsed.document.warnings,
        pages=len(read.document.pages),
        timings={"read": read.seconds, "parse": time.perf_counter() - start},
    )
