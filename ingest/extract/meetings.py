"""The meeting a set of minutes records: body, date, start and end time, venue, chair.

Everything is read from the head of the minutes (the title line or lines,
``Date:``/``Time:``/``Venue:`` fields, ``In the Chair:``) and from the
attendance list; dates further down (the next meeting, past minutes) are
never the meeting's own. Only minutes record a meeting here.
"""

from __future__ import annotations

import re

from ingest.document import Document, Line
from ingest.extract.attendees import find_chair, people_of, section_cue, strip_titles
from ingest.extract.doctype import DocInfo
from ingest.ids import record_id
from ingest.normalize import clean_space, find_times, parse_date
from ingest.records import Meeting

TIME_TOKEN = r"\d{1,2}(?:[.:]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|noon)?"
TIME_RANGE_RE = re.compile(
    rf"(?<![\d/.:-])(?P<start>{TIME_TOKEN})\s*(?:–|—|-|to|until)\s*(?P<end>{TIME_TOKEN})"
    r"(?![\d/])",
    re.I,
)
SUFFIX_RE = re.compile(r"(a\.?m\.?|p\.?m\.?|noon)$", re.I)
CLOSED_RE = re.compile(
    rf"\b(?:meeting|it)\s+(?:closed|ended|finished|concluded|rose|terminated)\s+at\s+"
    rf"(?P<time>{TIME_TOKEN})",
    re.I,
)
FIELD_RE = re.compile(r"^(?P<label>date|time|venue|location|place)\s*:\s*(?P<value>.+)$", re.I)
CHAIR_LINE_RE = re.compile(r"^(?:in the chair|chair(?:man|person)?)\s*:\s*(?P<name>.+)$", re.I)
ONLINE_RE = re.compile(
    r"\b(?:online|virtual(?:ly)?|remote(?:ly)?)\b(?:\s+(?:meeting\s+)?(?:via|on|using)\s+"
    r"(?:Microsoft\s+)?(?:Teams|Zoom|Skype|Webex|Google Meet))?|\b(?:via|on)\s+(?:Microsoft\s+)?"
    r"(?:Teams|Zoom|Skype|Webex)\b",
    re.I,
)
HEAD_MAX_LINES = 8


def extract_meeting(doc: Document, info: DocInfo) -> Meeting | None:
    """The meeting recorded by minutes ``doc``; None for any other kind of paper."""
    if info.doc_type != "minutes":
        return None
    head = head_lines(doc)
    head_text = clean_space(" ".join(line.text for line in head))
    fields = head_fields(head)
    start, end = times_of(fields.get("time", "") or head_text)
    if end is None:
        end = closing_time(doc)
    return Meeting(
        id=record_id(doc.id, "meeting", 1),
        document_id=doc.id,
        body=info.body,
        date=info.date or parse_date(fields.get("date", "") or head_text),
        start_time=start,
        end_time=end,
        venue=fields.get("venue") or venue_of(head_text),
        chair=chair_of(doc, head),
        page=head[0].page if head else 1,
        source_text="\n".join(line.text for line in title_lines(head)),
    )


def head_lines(doc: Document) -> list[Line]:
    """The lines before the attendance list or first item: title, fields, chair."""
    out: list[Line] = []
    for line in doc.lines():
        text = line.text.strip()
        if section_cue(text)[0] or re.match(r"^\d{1,3}\.?\s+[A-Z]", text):
            break
        if re.match(r"^(?:attendance|members|membership)\s*:?$", text, re.I):
            break
        out.append(line)
        if len(out) >= HEAD_MAX_LINES:
            break
    return out


def title_lines(head: list[Line]) -> list[Line]:
    """The title block: head lines up to the first field ('Venue:') or chair line."""
    out = [line for line in head if not FIELD_RE.match(line.text)
           and not CHAIR_LINE_RE.match(line.text)]
    dated = [i for i, line in enumerate(out) if parse_date(line.text)]
    return out[: dated[0] + 2] if dated else out[:3]


def head_fields(head: list[Line]) -> dict[str, str]:
    """'Date:', 'Time:' and 'Venue:' fields of the head, keyed by lower-case label."""
    fields: dict[str, str] = {}
    for line in head:
        m = FIELD_RE.match(line.text.strip())
        if m:
            label = m.group("label").lower()
            label = "venue" if label in ("location", "place") else label
            fields.setdefault(label, clean_space(m.group("value")))
    return fields


def times_of(text: str) -> tuple[str | None, str | None]:
    """Start and end time (HH:MM, 24h) from '2:00PM – 3:57PM', '2.00 - 4.00PM', '14:00'.

    A start written without am/pm takes the end's when that keeps it before
    the end ('2.00 - 4.00PM' is 14:00-16:00, '10.30 - 12.15pm' is 10:30-12:15).
    """
    for m in TIME_RANGE_RE.finditer(text):
        start, end = m.group("start"), m.group("end")
        if not (is_clock(start) or is_clock(end)):
            continue
        end_time = to_clock(end)
        start_time = to_clock(start, SUFFIX_RE.search(end), end_time)
        if start_time and end_time:
            return start_time, end_time
    single = [t for t in find_times(text) if t]
    return (single[0] if single else None), None


def is_clock(token: str) -> bool:
    """A time for sure: it has am/pm/noon or an HH:MM colon (not a bare '2011' or '1.1')."""
    token = token.strip()
    return bool(SUFFIX_RE.search(token) or re.fullmatch(r"\d{1,2}:\d{2}", token))


def to_clock(token: str, inherited: re.Match[str] | None = None,
             before: str | None = None) -> str | None:
    """'4.00PM' -> '16:00'; a bare '2.00' borrows ``inherited`` am/pm if it stays ``before``."""
    token = token.strip()
    if not SUFFIX_RE.search(token) and ":" not in token:
        bare = re.fullmatch(r"(\d{1,2})(?:\.(\d{2}))?", token)
        if not bare:
            return None
        token = f"{bare.group(1)}:{bare.group(2) or '00'}"
        if inherited:
            with_suffix = find_times(f"{token.replace(':', '.')} {inherited.group(1)}")
            if with_suffix and (before is None or with_suffix[0] <= before):
                return with_suffix[0]
    times = find_times(token)
    return times[0] if times else None


def closing_time(doc: Document) -> str | None:
    """End time from 'The meeting closed at 8.10 pm' anywhere in the minutes."""
    text = clean_space(" ".join(line.text for line in doc.lines()))
    m = CLOSED_RE.search(text)
    return to_clock(m.group("time")) if m else None


def venue_of(head_text: str) -> str | None:
    """Venue from the title: 'held at X on ...', the text after the date and time, or online."""
    m = re.search(r"\bheld (?:at|in) (?P<venue>[^,]+(?:,[^,]+)*?)\s+on\b", head_text, re.I)
    if m and not parse_date(m.group("venue")):
        return clean_space(m.group("venue"))
    online = ONLINE_RE.search(head_text)
    if online:
        return online_venue(online.group(0))
    return venue_after_time(head_text)


def online_venue(text: str) -> str:
    """'virtually via Zoom' -> 'Online via Zoom'."""
    platform = re.search(r"(?:via|on|using)\s+(.+)$", text, re.I)
    return f"Online via {platform.group(1)}" if platform else "Online"


def venue_after_time(head_text: str) -> str | None:
    """The place named after the date and time of a title line, up to the sentence end."""
    cut = 0
    for m in TIME_RANGE_RE.finditer(head_text):
        cut = max(cut, m.end()) if is_clock(m.group("start")) or is_clock(m.group("end")) else cut
    if not cut:
        times = list(re.finditer(rf"{TIME_TOKEN}", head_text))
        cut = max((t.end() for t in times if is_clock(t.group(0))), default=0)
    if not cut:
        return None
    rest = re.sub(r"^[\s,;:.–-]*(?:(?:in|at)\s+(?:the\s+)?)?", "", head_text[cut:])
    rest = re.split(r"\.\s|\.$|\s+(?:present|in the chair)\b", rest, maxsplit=1, flags=re.I)[0]
    rest = rest.strip(" ,;.")
    return rest if rest and rest[0].isupper() and len(rest) < 160 else None


def chair_of(doc: Document, head: list[Line]) -> str | None:
    """The chair's name: 'In the Chair: X', else the attendee marked In the Chair or (Chair)."""
    for line in [*head, *list(doc.lines())[: len(head) + 60]]:
        m = CHAIR_LINE_RE.match(line.text.strip())
        if m:
            name = strip_titles(m.group("name").strip(" .;"))[1]
            if name:
                return name
    person = find_chair(people_of(doc))
    return person.name if person else None


RECORDED_RE = re.compile(
    r"\b(?:summarises|summarizes|records|reports on|reports the outcome of|sets out the outcome of)"
    r"\s+(?:the|a)\s+(?P<what>(?:[\w-]+\s+){0,3}?(?:discussion|meeting|workshop|session))"
    r"\s+held\s+on\s+(?P<rest>.{6,40})",
    re.IGNORECASE,
)


def extract_recorded_meeting(doc: Document, info: DocInfo) -> Meeting | None:
    """A meeting that a report says it records ('This report summarises the multi-agency
    discussion held on 13 January 2026'); only a full written date makes it a meeting."""
    if info.doc_type == "minutes":
        return None
    for line in doc.lines():
        m = RECORDED_RE.search(line.text)
        if not m:
            continue
        date = parse_date(m.group("rest"))
        if date is None:
            continue
        what = clean_space(m.group("what"))
        return Meeting(
            id=record_id(doc.id, "meeting", 1),
            document_id=doc.id,
            body=what[:1].upper() + what[1:],
            date=date,
            start_time=None,
            end_time=None,
            venue=None,
            chair=None,
            page=line.page,
            source_text=line.text,
        )
    return None
