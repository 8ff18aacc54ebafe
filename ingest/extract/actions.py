"""Actions: who is to do what by when, and how it stands, from minutes and reports.

Four forms are read, whatever the paper:

- action-log tables, recognised by their header words (Action | Owner | Due |
  Status; Ref | Lead officer | Deadline | RAG; No | Objective | Lead | Timescale);
- inline lines: 'ACTION: Joe Benmore to circulate ... by 30 June 2017', and an
  'Action: Name' line that gives an owner to the paragraph before it;
- numbered action points with a lead: '1. Establish ARRB – Lead: Joe Benmore',
  also when a PDF runs them together on a few lines;
- the bullets, numbered paragraphs or sentences under a heading that announces
  actions ('Areas for attention', 'Next steps', 'Priority actions', 'Action points').
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import Document, TableGrid
from ingest.extract.figures import Block, lines_to_blocks, sentences
from ingest.ids import record_id
from ingest.normalize import clean_space, parse_date, split_honorific
from ingest.records import Action

ACTION_HEADING_RE = re.compile(
    r"\b(?:areas? for (?:further )?attention|next steps|priority actions|action points?"
    r"|actions? (?:agreed|arising|required|plan)|agreed actions|key actions)\b",
    re.I,
)
INLINE_LABEL_RE = re.compile(
    r"^(?:areas? for (?:further )?attention|next steps|priority actions)\s*:\s*(?P<body>.+)$",
    re.I,
)
INLINE_ACTION_RE = re.compile(r"^(?:ACTIONS?|Actions?)\s*(?::|–|-)\s*(?P<body>.+)$")
OWNER_TO_RE = re.compile(r"^(?P<owner>[A-Z][^.;:]{1,80}?)\s+to\s+(?P<what>\S.*)$")
LEAD_RE = re.compile(r"\s*(?:[–—-]\s*)?\bLead(?:\s+officer)?s?\s*:\s*(?P<owner>.+)$", re.I)
DASH_OWNER_RE = re.compile(r"\s[–—-]\s+(?P<owner>[^–—]+)$")
SEQ_MARK_RE = re.compile(r"(?:^|(?<=\s))(\d{1,2})\.\s+(?=\S)")
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)
DUE_RE = re.compile(
    r"\b(?:by|on|in|before|for submission in)\s+(?P<due>(?:the\s+)?(?:end of\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?" + MONTH + r"(?:,?\s+\d{4})?"
    r"|Q[1-4](?:\s+next year|\s+\d{4}(?:[-/]\d{2,4})?)?|\d{1,2}/\d{1,2}/\d{4})"
)
BY_OWNER_RE = re.compile(
    r"\bby (?:the )?(?P<owner>[A-Z][\w&'-]*(?:\s+(?:[A-Z][\w&'-]*|of|and|&))*)"
)
SUBJECT_OWNER_RE = re.compile(
    r"^(?:The )?(?P<owner>(?:[A-Z]{2,}|[A-Z][a-z]+)(?:\s+[A-Z][\w&-]*)*)\s+"
    r"(?:will|should|must|is to|are to)\b"
)
MONTH_WORD_RE = re.compile(r"^" + MONTH + r"\b")

STATUS_WORDS: tuple[tuple[str, str], ...] = (
    (r"carr(?:ied|y)\s+forward|c/f|rolled over", "carried_forward"),
    (r"drop|withdrawn|cancel|no longer|superseded", "dropped"),
    (r"complete|\bdone\b|closed|achieved|delivered|finished", "done"),
    (r"open|ongoing|in progress|on track|not started|overdue|pending|underway|delayed", "open"),
)
RAG_RE = re.compile(r"^(?:r|a|g|red|amber|green|r/a|a/g|amber/green|red/amber)$", re.I)


# --- statuses, dates, owners -----------------------------------------------------------------

def normalise_status(status: str, update: str = "") -> str | None:
    """The paper's status as open/done/carried_forward/dropped; a RAG colour alone is open."""
    text = status.strip().lower()
    if RAG_RE.match(text):
        return "done" if re.match(r"\s*complete", update, re.I) else "open"
    for pattern, value in STATUS_WORDS:
        if re.search(pattern, text):
            return value
    return None


def due_value(text: str) -> str | None:
    """An ISO date when a full date is written, else the text as written, else None."""
    text = clean_space(text)
    if not text:
        return None
    return parse_date(text) or text


def owner_value(text: str) -> str | None:
    """The owner as written, honorific removed; None when blank."""
    text = clean_space(text).strip(" .;,")
    if not text:
        return None
    return split_honorific(text)[1] or None


def prose_due(text: str) -> str | None:
    """A deadline written in a sentence: 'by 30 June 2017', 'in July', 'in Q3 next year'."""
    m = DUE_RE.search(text)
    return due_value(m.group("due")) if m else None


def prose_owner(text: str) -> str | None:
    """An owner named in a sentence: 'by the Delivery Group', 'The CSP will ...'."""
    m = SUBJECT_OWNER_RE.match(text)
    if m and m.group("owner").lower() not in ("we", "it", "this", "there"):
        return owner_value(m.group("owner"))
    m = BY_OWNER_RE.search(text)
    if m and not MONTH_WORD_RE.match(m.group("owner")):
        return owner_value(re.sub(r"\s+(?:of|and|&)$", "", m.group("owner")))
    return None


# --- action-log tables ------------------------------------------------------------------------

COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("number", r"^(?:ref\.?|no\.?|number|#|item|id|action\s+no\.?)$"),
    ("owner", r"owner|lead|responsib|by whom|^who$|officer"),
    ("due", r"due|deadline|timescale|target date|by when|^when$|time\s?frame|^date$"),
    ("status", r"status|^rag\b|rag rating"),
    ("update", r"update|progress|comment|notes?$|position"),
    ("text", r"action|objective|priorit|task|description|recommendation|activity|what"),
)


@dataclass(frozen=True)
class Columns:
    """Which column of an action table holds which field (None when absent)."""

    text: int
    number: int | None = None
    owner: int | None = None
    due: int | None = None
    status: int | None = None
    update: int | None = None


def header_to_columns(header: tuple[str, ...]) -> Columns | None:
    """Columns of an action table read from its header words, or None for another table."""
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        label = clean_space(cell).lower()
        for role, pattern in COLUMN_WORDS:
            if label and role not in found and re.search(pattern, label):
                found[role] = i
                break
    if "text" not in found or not ({"owner", "due", "status"} & found.keys()):
        return None
    return Columns(found.pop("text"), **found)


def cell(row: tuple[str, ...], index: int | None) -> str:
    return clean_space(row[index]) if index is not None and index < len(row) else ""


def is_group_row(row: tuple[str, ...], cols: Columns) -> bool:
    """An objective heading inside a delivery plan ('1 | Objective text'), not an action."""
    filled = any(cell(row, i) for i in (cols.owner, cols.due, cols.status))
    return not filled and bool(re.match(r"^\d+(?:\s|$)", cell(row, cols.number)))


def row_to_action(row: tuple[str, ...], cols: Columns, page: int) -> Action | None:
    text = cell(row, cols.text)
    if not text or is_group_row(row, cols):
        return None
    return Action(
        id="",
        document_id="",
        meeting_id=None,
        number=cell(row, cols.number) or None,
        text=text,
        owner=owner_value(cell(row, cols.owner)),
        due=due_value(cell(row, cols.due)),
        status=normalise_status(cell(row, cols.status), cell(row, cols.update)),
        page=page,
        source_text=" | ".join(c for c in row if c.strip()),
    )


def is_header_row(row: tuple[str, ...]) -> bool:
    """A header repeated inside a table: short labels naming action columns."""
    return all(len(c.split()) <= 8 for c in row) and header_to_columns(row) is not None


def tables_to_actions(tables: list[TableGrid]) -> Iterator[Action]:
    """Rows of every action table; a headerless table continuing one on the next page too."""
    last: tuple[Columns, int, int] | None = None  # columns, width, page
    for table in tables:
        if not table.rows:
            continue
        header: tuple[str, ...] | None = table.rows[0]
        cols = header_to_columns(table.rows[0])
        width = len(table.rows[0])
        if cols is None and last and last[1] == width and table.page == last[2] + 1:
            cols, header = last[0], None
        if cols is None:
            last = None
            continue
        for row in table.rows:
            if row != header and not is_header_row(row):
                action = row_to_action(row, cols, table.page)
                if action:
                    yield action
        last = (cols, width, table.page)


# --- numbered action points -------------------------------------------------------------------

def split_sequence(text: str, first: int) -> list[tuple[str, str]]:
    """(number, text) items of a run '1. a – Lead: X 2. b – Lead: Y' counting up from ``first``."""
    cuts: list[tuple[int, int, str]] = []
    want = first + 1
    for m in SEQ_MARK_RE.finditer(text):
        if int(m.group(1)) == want:
            cuts.append((m.start(), m.end(), m.group(1)))
            want += 1
    items: list[tuple[str, str]] = []
    start, number = 0, str(first)
    for cut_start, cut_end, next_number in cuts:
        items.append((number, text[start:cut_start].strip()))
        start, number = cut_end, next_number
    items.append((number, text[start:].strip()))
    return items


def looks_like_owner(text: str) -> bool:
    """A dash tail naming who leads: short, capitalised, not a sentence."""
    words = text.split()
    return 0 < len(words) <= 8 and text[:1].isupper() and not re.search(r"[.;:]\s", text)


def split_lead(text: str) -> tuple[str, str | None]:
    """('Establish ARRB', 'Joe Benmore') from 'Establish ARRB – Lead: Joe Benmore'."""
    m = LEAD_RE.search(text)
    if m:
        return text[: m.start()].strip(" –—-"), owner_value(m.group("owner"))
    m = DASH_OWNER_RE.search(text)
    if m and looks_like_owner(m.group("owner")):
        return text[: m.start()].strip(), owner_value(m.group("owner"))
    return text, None


# --- the walk over running text ---------------------------------------------------------------

@dataclass
class Section:
    """An open action section: the heading's rank and whether bullets were seen in it."""

    rank: int
    bullets: bool = False


def heading_rank(block: Block) -> int:
    """Smaller ranks are bigger headings; a bold line ranks below every level."""
    return block.heading if block.heading > 0 else 99


def make_action(text: str, page: int, number: str | None = None, owner: str | None = None,
                due: str | None = None, source: str | None = None) -> Action:
    text = clean_space(text)
    return Action(
        id="",
        document_id="",
        meeting_id=None,
        number=number,
        text=text,
        owner=owner if owner is not None else prose_owner(text),
        due=due if due is not None else prose_due(text),
        status=None,
        page=page,
        source_text=clean_space(source or text),
    )


def inline_action(block: Block, previous: Block | None) -> Action | None:
    """'ACTION: X to do Y by date', or 'Action: Name' owning the paragraph before it."""
    m = INLINE_ACTION_RE.match(block.text)
    if not m:
        return None
    body = m.group("body").strip()
    to = OWNER_TO_RE.match(body)
    if to:
        what = to.group("what").rstrip(".")
        return make_action(what[:1].upper() + what[1:], block.page,
                           owner=owner_value(to.group("owner")), source=block.text)
    if looks_like_owner(body) and previous is not None and previous.heading == 0:
        return make_action(previous.text, previous.page, owner=owner_value(body),
                           source=f"{previous.text} {block.text}")
    return make_action(body, block.page, source=block.text)


def numbered_actions(block: Block) -> list[Action]:
    """Numbered action points in one block, split where a PDF ran them together."""
    first = int(block.number) if block.number and block.number.isdigit() else None
    items = split_sequence(block.text, first) if first is not None else [
        (block.number or "", block.text)]
    out: list[Action] = []
    for number, item in items:
        text, owner = split_lead(item)
        if text:
            out.append(make_action(text, block.page, number or None, owner or None,
                                   source=f"{number}. {item}" if number else item))
    return out


def list_items(body: str) -> list[str]:
    """Items of an inline list: split at semicolons, else at ', and'."""
    parts = body.split(";") if ";" in body else re.split(r",\s+and\s+", body)
    return [re.sub(r"^and\s+", "", p.strip()).strip(" .") for p in parts if p.strip(" .")]


def paragraph_actions(block: Block) -> list[Action]:
    """Sentences of a paragraph under an action heading; lead-in sentences are skipped."""
    out: list[Action] = []
    for _, sentence in sentences(block.text):
        sentence = sentence.strip()
        if sentence.endswith(":") or re.search(r"\bactions?\b", sentence, re.I):
            continue
        out.append(make_action(sentence.rstrip("."), block.page, source=sentence))
    return out


def section_block_actions(block: Block, section: Section) -> list[Action]:
    """Actions from one body block inside an action section."""
    if block.bullet:
        section.bullets = True
        if block.number:
            return numbered_actions(block)
        return [make_action(block.text, block.page)]
    if block.number:
        return numbered_actions(block)
    if section.bullets or block.text.endswith(":"):
        return []  # a note after the list, or a lead-in to it
    return paragraph_actions(block)


def body_block_actions(block: Block, previous: Block | None,
                       section: Section | None) -> list[Action]:
    """Actions from one body block, inside or outside an action section."""
    inline = inline_action(block, previous)
    if inline is not None:
        return [inline]
    label = INLINE_LABEL_RE.match(block.text)
    if label:
        items = list_items(label.group("body"))
        return [make_action(i, block.page, source=block.text) for i in items]
    if section is not None:
        return section_block_actions(block, section)
    if block.number and LEAD_RE.search(block.text):
        return numbered_actions(block)
    return []


def blocks_to_actions(blocks: list[Block]) -> Iterator[Action]:
    """Walk the blocks of the whole paper, opening and closing action sections at headings."""
    section: Section | None = None
    previous: Block | None = None
    for block in blocks:
        if block.heading != 0 and not INLINE_ACTION_RE.match(block.text):
            rank = heading_rank(block)
            if section is not None and rank <= section.rank:
                section = None
            if ACTION_HEADING_RE.search(block.text) and not INLINE_LABEL_RE.match(block.text):
                section = Section(rank)
            previous = None
            continue
        yield from body_block_actions(block, previous, section)
        previous = block


def document_blocks(doc: Document) -> list[Block]:
    return [b for page in doc.pages for b in lines_to_blocks(page.lines)]


def extract_actions(doc: Document, meeting_id: str | None) -> list[Action]:
    """Every action point of the paper, running text first, then action-log tables."""
    found = list(blocks_to_actions(document_blocks(doc)))
    found.extend(tables_to_actions(list(doc.tables())))
    out: list[Action] = []
    for n, action in enumerate((a for a in found if a.text), start=1):
        action.id = record_id(doc.id, "action", n)
        action.document_id = doc.id
        action.meeting_id = meeting_id
        out.append(action)
    return out
