"""Who attended a meeting: present, in attendance, apologies and substitutes, from minutes.

Minutes write attendance in several ways: a PRESENT block of 'Name – Role'
lines, an inline 'Present: Cllr A (Chair), B, C' paragraph, an attendance
table with a Present/Apologies column, an IN ATTENDANCE section, and
apologies as a sentence. Every form is turned into entries of one text
each ('Councillor Adam Jogee (Co-Chair) – Cabinet Member ...'), and one
entry rule splits title, name, role and organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import Document, Line, TableGrid
from ingest.normalize import clean_space, split_honorific
from ingest.records import Attendee, Meeting

PRESENT_RE = re.compile(r"^(?:members\s+)?present\s*(?::|-|–|$)\s*(?P<rest>.*)$", re.I)
ATTENDING_RE = re.compile(
    r"^(?:(?:also|officers)\s+)?(?:in attendance|attending|also present|officers(?: present)?)"
    r"\s*(?::|-|–|$)\s*(?P<rest>.*)$",
    re.I,
)
APOLOGIES_HEAD_RE = re.compile(r"^apologies(?: for absence)?\s*:\s*(?P<rest>.*)$", re.I)
SUBSTITUTES_HEAD_RE = re.compile(r"^substitutes?\s*:\s*(?P<rest>.*)$", re.I)
APOLOGY_SENTENCE_RE = re.compile(
    r"\bapologies(?P<late> for lateness)?(?: for absence)?\s+(?:had been|have been|were|was)?\s*"
    r"(?:received|noted|given|submitted|tendered)\s+(?:from|on behalf of)\s+(?P<names>[^.]+)",
    re.I,
)
SUBSTITUTED_FOR_RE = re.compile(
    r"(?P<sub>[A-Z][^.;,()]{2,60}?)\s+(?:substituted|attended as (?:a )?substitute)\s+for\s+"
    r"(?P<absent>[A-Z][^.;,()]{2,60})"
)
CHAIR_MARKER_RE = re.compile(
    r"^(?:(?:co-?|vice[- ]?|deputy\s+|joint\s+)?chair(?:man|person|woman)?|in the chair)"
    r"(?:\s*,\s*(?:in the chair|(?:co-?|vice[- ]?)?chair))*$",
    re.I,
)
BULLET_RE = re.compile(r"^(?:\(cid:\d+\)|[•▪◦·*–-])\s*")
ITEM_HEADING_RE = re.compile(r"^\d{1,3}\.?\s+[A-Z]")
SEPARATOR_RE = re.compile(r"\s+[–—-]\s+|\t+|\s{3,}")
NAME_SPLIT_RE = re.compile(
    r"^(?P<name>[^(,–—\t]+?)\s*(?:\((?P<paren>[^)]*)\)\s*)?"
    r"(?P<rest>(?:(?:,|\t|[–—]|-\s).*)?)$"
)
EXTRA_TITLES = re.compile(
    r"^(?:Station Manager|Borough Commander|Watch Manager|Group Manager|Detective Sergeant|"
    r"Sergeant|Police Constable|PC|DCI|DI|DS|Supt\.?|Ch\.? Supt\.?|Lord|Baroness|Lady|Canon|"
    r"Father|Imam|Rabbi|Pastor|Bishop|Alderman)\s+(?=\S+\s+\S)"
)
NAME_PARTICLES = {"de", "van", "von", "der", "le", "la", "da", "di", "du", "bin", "al", "el"}

# Words that make a phrase a job title (role) or an organisation/team name.
ROLE_WORDS = re.compile(
    r"\b(?:Head|Manager|Lead|Director|Member|Officer|Co-?ordinator|Commander|Chief|AD|"
    r"Assistant|Commissioner|Analyst|Chair(?:man|person)?|Cabinet|Principal|Senior|Deputy|"
    r"Superintendent|Inspector|Councillor|Clerk|Secretary|Advis[eo]r|Consultant|Worker|"
    r"Practitioner|Executive|President|Representative|Coordinator|Leader|Partner|Mayor|"
    r"Governor|Trustee|Specialist|Administrator|Supervisor|Strategist|Commander)\b"
)
ORG_WORDS = re.compile(
    r"\b(?:Police|Probation|Council|Trust|NHS|Brigade|Company|CRC|Team|Services?|Unit|BCU|"
    r"Partnership|Authority|Agency|Victim Support|Public Health|Commissioning Group|CCG|"
    r"Association|Foundation|Society|Charity|Homes for \w+|Office|Department|Ministry|MOPAC|"
    r"Prison|HMP|College|University|School|Hospital|Network|Forum|Board|Directorate)\b"
)


@dataclass(frozen=True)
class Entry:
    """One person's attendance text, before it is split: where it was and what status."""

    text: str
    status: str
    page: int
    source_text: str
    cells: tuple[str, str] | None = None


@dataclass(frozen=True)
class Person:
    """An entry split into its parts; ``role`` keeps a chair marker at its start."""

    title: str | None
    name: str
    role: str | None
    organisation: str | None


def extract_attendees(doc: Document, meeting: Meeting) -> list[Attendee]:
    """Every attendee of ``meeting`` recorded in ``doc``, in the order written."""
    out: list[Attendee] = []
    seen: set[str] = set()
    for entry, person in people_of(doc):
        key = person.name.lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Attendee(
                meeting_id=meeting.id,
                document_id=doc.id,
                person_id=None,
                name=person.name,
                title=person.title,
                role=person.role,
                organisation=person.organisation,
                status=entry.status,
                page=entry.page,
                source_text=entry.source_text,
            )
        )
    return out


def people_of(doc: Document) -> list[tuple[Entry, Person]]:
    """Every attendance entry of ``doc`` with its parsed person (unparseable entries dropped)."""
    entries = [*table_entries(doc), *line_entries(doc_lines(doc)), *sentence_entries(doc)]
    out: list[tuple[Entry, Person]] = []
    for entry in entries:
        person = table_person(entry) if entry.cells else entry_to_person(entry.text)
        if person is not None:
            out.append((entry, person))
    return out


def doc_lines(doc: Document) -> list[Line]:
    return list(doc.lines())


# --- attendance tables ------------------------------------------------------------------


def table_entries(doc: Document) -> Iterator[Entry]:
    """Entries from tables whose header has a Name column and an attendance or role column."""
    for table in doc.tables():
        columns = header_columns(table.rows[0]) if table.rows else {}
        if "name" not in columns or len(columns) < 2:
            continue
        for row in table.rows[1:]:
            entry = row_to_entry(row, columns, table)
            if entry is not None:
                yield entry


def header_columns(header: tuple[str, ...]) -> dict[str, int]:
    """Column index per meaning ('name', 'role', 'organisation', 'status', or a status name)."""
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = re.sub(r"[^a-z()]", "", cell.lower())
        meaning = header_meaning(key)
        if meaning and meaning not in columns:
            columns[meaning] = i
    return columns


def header_meaning(key: str) -> str | None:
    """What a squeezed header cell ('attendance', 'organisation', 'apologies') stands for."""
    table = (
        ("name", ("name", "member", "attendee")),
        ("role", ("role", "title", "position", "jobtitle", "designation")),
        ("organisation", ("organisation", "organization", "agency", "service", "representing")),
        ("status", ("attendance", "status", "attended")),
        ("present", ("present",)),
        ("apologies", ("apologies", "apols")),
        ("absent", ("absent",)),
        ("substitute", ("substitute", "sub", "deputy")),
    )
    for meaning, keys in table:
        if key in keys or (meaning == "name" and key.endswith("name")):
            return meaning
    return None


def row_to_entry(row: tuple[str, ...], columns: dict[str, int], table: TableGrid) -> Entry | None:
    """One table row as an entry with its role and organisation cells and its status."""

    def cell(meaning: str) -> str:
        i = columns.get(meaning)
        return clean_space(row[i]) if i is not None and i < len(row) else ""

    name = cell("name")
    ticks = {m: cell(m) for m in STATUS_COLUMNS if m in columns}
    status = row_status(cell("status"), ticks) if "status" in columns or ticks else "present"
    if not name or status is None:
        return None
    source = " | ".join(clean_space(c) for c in row if c.strip())
    return Entry(name, status, table.page, source, cells=(cell("role"), cell("organisation")))


STATUS_COLUMNS = ("present", "apologies", "absent", "substitute")
STATUS_WORDS = (
    ("apologies", ("apolog", "apols", "sent apologies")),
    ("substitute", ("substitut", "deputis")),
    ("in_attendance", ("in attendance", "attending")),
    ("absent", ("absent", "no", "n", "did not attend", "dna")),
    ("present", ("present", "yes", "y", "attended", "✓", "✔", "x", "p")),
)


def row_status(status_cell: str, ticks: dict[str, str]) -> str | None:
    """Status from an Attendance cell ('Present', 'Apologies') or from a ticked status column."""
    value = status_cell.lower().strip()
    if value:
        for status, words in STATUS_WORDS:
            if any(value == w or (len(w) > 2 and value.startswith(w)) for w in words):
                return status
        return None
    ticked = [meaning for meaning, mark in ticks.items() if mark.strip()]
    return ticked[0] if ticked else None


def table_person(entry: Entry) -> Person | None:
    """A person from a table row: the cells say which text is role and which organisation."""
    role_cell, org_cell = entry.cells or ("", "")
    name_part, markers, desc = split_entry(entry.text)
    title, name = strip_titles(name_part)
    if not is_name(name):
        return None
    role, trailing = pop_trailing_marker(role_cell or desc)
    return Person(title, name, join_role(markers + trailing, role or None), org_cell or None)


# --- PRESENT / IN ATTENDANCE / APOLOGIES sections of lines -------------------------------


def line_entries(lines: list[Line]) -> Iterator[Entry]:
    """Entries from section cues in running text: a block of lines or an inline paragraph."""
    i = 0
    while i < len(lines):
        status, rest = section_cue(lines[i].text)
        if status is None:
            i += 1
            continue
        if rest:
            text, i = collect_paragraph(lines, i, rest)
            yield from paragraph_entries(text, status, lines[i - 1].page)
        else:
            block, i = collect_block(lines, i + 1)
            for line in block:
                yield from block_line_entries(line, status)


def section_cue(text: str) -> tuple[str | None, str]:
    """The status a section line opens ('present', 'in_attendance', ...) and any inline rest."""
    for pattern, status in (
        (PRESENT_RE, "present"),
        (ATTENDING_RE, "in_attendance"),
        (APOLOGIES_HEAD_RE, "apologies"),
        (SUBSTITUTES_HEAD_RE, "substitute"),
    ):
        m = pattern.match(text.strip().strip("*").strip())
        if m:
            return status, m.group("rest").strip()
    return None, ""


def is_section_end(line: Line) -> bool:
    """A line that cannot belong to an attendance list: a new cue, an item, a heading."""
    text = line.text.strip()
    return (
        section_cue(text)[0] is not None
        or bool(ITEM_HEADING_RE.match(text))
        or bool(re.match(r"^in the chair\b", text, re.I))
        or line.heading > 0
        or (line.bold and not BULLET_RE.match(text))
    )


def collect_paragraph(lines: list[Line], start: int, first: str) -> tuple[str, int]:
    """An inline list ('Present: A, B, C') and its wrapped lines; returns text and next index."""
    parts = [first]
    i = start + 1
    while i < len(lines) and not parts[-1].rstrip().endswith(".") and i - start < 15:
        if is_section_end(lines[i]):
            break
        parts.append(lines[i].text)
        i += 1
    return clean_space(" ".join(parts)), i


def collect_block(lines: list[Line], start: int) -> tuple[list[Line], int]:
    """The one-person-per-line block under a PRESENT heading; returns lines and next index."""
    block: list[Line] = []
    i = start
    while i < len(lines) and len(block) < 80:
        line = lines[i]
        if is_section_end(line) or entry_to_person(BULLET_RE.sub("", line.text)) is None:
            break
        block.append(line)
        i += 1
    return block, i


def block_line_entries(line: Line, status: str) -> Iterator[Entry]:
    """One line of a block: usually one person, but 'A, B and C' lists several names."""
    text = BULLET_RE.sub("", line.text).strip()
    pieces = split_list(text) if looks_like_name_list(text) else [text]
    for piece in pieces:
        yield from status_entries(piece, status, line.page, line.text)


def paragraph_entries(text: str, status: str, page: int) -> Iterator[Entry]:
    """Entries of an inline list, split at ';' or else at top-level commas and 'and'."""
    for piece in split_list(text.rstrip(".")):
        yield from status_entries(piece, status, page, piece)


def status_entries(piece: str, status: str, page: int, source: str) -> Iterator[Entry]:
    """One listed piece; 'X - Y substituted' / 'X (Y substituted)' gives X and substitute Y."""
    m = re.match(r"^(?P<absent>.+?)\s*(?:[–-]|\()\s*(?P<sub>[^()]+?)\s+substituting|"
                 r"^(?P<absent2>.+?)\s*(?:[–-]|\()\s*(?P<sub2>[^()]+?)\s+substituted\)?$", piece)
    if m:
        absent = m.group("absent") or m.group("absent2")
        sub = m.group("sub") or m.group("sub2")
        yield Entry(absent.strip(), "apologies" if status == "apologies" else status, page, source)
        yield Entry(sub.strip(), "substitute", page, source)
        return
    yield Entry(piece.strip(), status, page, source)


def split_list(text: str) -> list[str]:
    """'A (Chair), B; C and D' -> entries: split at ';' if any, else at commas outside brackets.

    A comma piece that is not a name (a role or organisation after 'Name,')
    is put back on the entry before it.
    """
    if ";" in text:
        return [p.strip() for p in text.split(";") if p.strip()]
    out: list[str] = []
    for piece in split_top_level(text, ","):
        for part in split_last_and(piece.strip()):
            if out and not is_name_start(part):
                out[-1] = f"{out[-1]}, {part}"
            elif part:
                out.append(part)
    return out


def split_top_level(text: str, sep: str) -> list[str]:
    """Split at ``sep`` where no bracket is open."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == sep and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def split_last_and(piece: str) -> list[str]:
    """'B and C' -> ['B', 'C'] when both sides are names; 'Head of X and Y' stays whole."""
    m = re.match(r"^(.+?)\s+(?:and|&)\s+(.+)$", piece)
    if m and is_name_start(m.group(1)) and is_name_start(m.group(2)):
        left, right = m.group(1), m.group(2)
        if entry_to_person(left) and entry_to_person(right):
            return [left, right]
    return [piece]


def looks_like_name_list(text: str) -> bool:
    """A line of several bare names ('A, B and C'), not 'Name, Role' or 'Name – Role'."""
    if SEPARATOR_RE.search(text) or "(" in text:
        return False
    pieces = [p.strip() for p in re.split(r",|\band\b", text) if p.strip()]
    return len(pieces) > 1 and all(is_bare_name(p) for p in pieces)


def is_bare_name(text: str) -> bool:
    title, rest = strip_titles(text)
    return is_name(rest) and not ROLE_WORDS.search(rest) and not ORG_WORDS.search(rest)


def is_name_start(text: str) -> bool:
    """The piece begins with a person's name (possibly titled), not a role or organisation."""
    head = re.split(r"\s*\(|\s+[–-]\s+", text.strip(), maxsplit=1)[0]
    _, name = strip_titles(head)
    return is_name(name) and not ROLE_WORDS.search(name) and not ORG_WORDS.search(name)


# --- apologies and substitutes written as sentences --------------------------------------


def sentence_entries(doc: Document) -> Iterator[Entry]:
    """Apologies ('Apologies had been received from X, Y and Z') and 'Y substituted for X'."""
    for page_no, text in page_texts(doc):
        for m in APOLOGY_SENTENCE_RE.finditer(text):
            status = "present" if m.group("late") else "apologies"
            names = re.sub(r"\s+(?:who|with|for|as|owing|due)\b.*$", "", m.group("names"))
            for piece in split_list(names):
                yield from status_entries(piece, status, page_no, clean_space(m.group(0)) + ".")
        for m in SUBSTITUTED_FOR_RE.finditer(text):
            yield Entry(m.group("sub"), "substitute", page_no, clean_space(m.group(0)))


def page_texts(doc: Document) -> Iterator[tuple[int, str]]:
    """Each page's running text as one string (wrapped sentences joined)."""
    for page in doc.pages:
        yield page.number, clean_space(" ".join(line.text for line in page.lines))


# --- one entry -> title, name, role, organisation ----------------------------------------


def entry_to_person(text: str) -> Person | None:
    """Split 'Councillor A B (Co-Chair) – Cabinet Member for X' into its parts; None if no name."""
    text = clean_space(re.sub(r"\s*\t+\s*|\s{3,}", " – ", BULLET_RE.sub("", text)))
    text = text.strip(" ;,.–")
    name_part, markers, desc = split_entry(text)
    title, name = strip_titles(name_part)
    if not is_name(name):
        return None
    role, org = describe(desc)
    role = join_role(markers, role)
    return Person(title=title, name=name, role=role, organisation=org)


def split_entry(text: str) -> tuple[str, list[str], str]:
    """(name part, chair markers, description) of an entry.

    The name ends at a spaced dash, a tab, a comma or a bracket; a bracket
    holding '(Chair)' or '(Co-Chair, In the Chair)' is a marker, any other
    bracket right after the name is the description.
    """
    m = NAME_SPLIT_RE.match(text)
    if not m:
        parts = SEPARATOR_RE.split(text, maxsplit=1)
        return parts[0].strip(), [], (parts[1].strip() if len(parts) > 1 else "")
    name, paren, rest = m.group("name"), m.group("paren"), m.group("rest")
    markers: list[str] = []
    desc = re.sub(r"^[\s,–—\t-]+", "", rest or "").strip()
    if paren is not None:
        if CHAIR_MARKER_RE.match(paren.strip()):
            markers.append(clean_space(paren))
        else:
            desc = f"{paren}, {desc}" if desc else paren
    desc, trailing = pop_trailing_marker(desc)
    markers.extend(trailing)
    return name.strip(), markers, desc


def pop_trailing_marker(desc: str) -> tuple[str, list[str]]:
    """'Cabinet Member for Communities (Chair)' -> ('Cabinet Member for Communities', ['Chair'])."""
    m = re.match(r"^(.*?)\s*\(([^()]*)\)$", desc)
    if m and CHAIR_MARKER_RE.match(m.group(2).strip()):
        return m.group(1).strip(" ,"), [clean_space(m.group(2))]
    return desc, []


def strip_titles(text: str) -> tuple[str | None, str]:
    """Honorifics and ranks off the front of a name: ('Station Manager', 'Keith Aldous')."""
    titles: list[str] = []
    rest = clean_space(text)
    while True:
        title, rest = split_honorific(rest)
        if title:
            titles.append(title)
            continue
        m = EXTRA_TITLES.match(rest)
        if not m:
            break
        titles.append(m.group(0).strip())
        rest = rest[m.end():]
    return (" ".join(titles) if titles else None), rest.strip()


def is_name(text: str) -> bool:
    """One to five capitalised tokens (particles, hyphens, apostrophes, diacritics allowed)."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5 or text.isupper() and len(tokens) > 1 and len(text) > 30:
        return False
    if any(ch.isdigit() for ch in text) or re.search(r"[:;!?@/]", text):
        return False
    if tokens[0].lower() in {"the", "all", "none", "members", "there", "apologies", "it"}:
        return False
    return all(is_name_token(t) for t in tokens)


def is_name_token(token: str) -> bool:
    """'Zoë', 'LaToya', "O'Neill", 'Llywelyn-Roberts', 'de', 'al-Hassan'."""
    if token.lower() in NAME_PARTICLES:
        return True
    if not re.fullmatch(r"[\w'’.-]+", token):
        return False
    return token[0].isupper() or bool(re.match(r"^[a-z]+-\w", token))


def describe(desc: str) -> tuple[str | None, str | None]:
    """Role and organisation from the text after a name.

    A description that starts with a job title is all role, except for later
    comma parts that are plainly an organisation ('Borough Commander,
    Metropolitan Police'). One that starts with an organisation or team name
    is organisation, with any job title after it as role. Nothing is inferred.
    """
    desc = clean_space(desc).strip(" ,;.")
    if not desc:
        return None, None
    parts = [p.strip() for p in split_top_level(desc, ",") if p.strip()]
    role: list[str] = []
    org: list[str] = []
    for i, part in enumerate(parts):
        kind = part_kind(part)
        if kind == "org" and (i == 0 or not role or not ROLE_WORDS.search(part)):
            org.append(part)
        elif kind == "role" or not org:
            role.append(part)
        else:
            org.append(part)
    return (", ".join(role) or None), (", ".join(org) or None)


def part_kind(part: str) -> str:
    """'role' for a job title, 'org' for an organisation or team, 'other' otherwise."""
    if ROLE_WORDS.search(part):
        return "role"
    if ORG_WORDS.search(part):
        return "org"
    return "other"


def join_role(markers: list[str], role: str | None) -> str | None:
    """Chair markers first, then the job title: 'Co-Chair, Cabinet Member for ...'."""
    parts = [*markers, role] if role else markers
    return ", ".join(parts) or None


def find_chair(people: list[tuple[Entry, Person]]) -> Person | None:
    """The person 'In the Chair', else the one marked '(Chair)' (not Vice- or Co-Chair)."""
    for _, person in people:
        if person.role and re.search(r"\bin the chair\b", person.role, re.I):
            return person
    for _, person in people:
        if person.role and re.match(r"^(?:chair(?:man|person|woman)?)\b(?!-)", person.role, re.I):
            return person
    return None
