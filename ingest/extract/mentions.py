"""Mentions: every named person, organisation, place and programme, page by page.

The statistical model reads what is written as prose: each page's running
text (wrapped lines joined, headings kept apart) and the table cells that
are prose or name people and bodies (a column headed Lead, Owner, Name,
Organisation, ...; a row keyed Author, Contact, ...). The other cells (labels, dates, figures,
statuses) are read by the domain rules alone: there the model costs a
quarter of the NLP time and mostly takes words such as "Complete" or
"Draft" for names. Known acronyms and aliases fold to one canonical name
so that "IOM" and "Integrated Offender Management" share an entity id and
a look-up finds both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from ingest.document import Document, Line, Page
from ingest.extract.tables import drop_empty_columns, merge_page_breaks, split_header
from ingest.ids import record_id, slug_id
from ingest.nlp import Entity, domain_vocabulary, find_entities, find_rule_entities
from ingest.normalize import clean_space, dehyphenate, split_honorific
from ingest.records import Mention

GLYPH_RE = re.compile(r"\(cid:\d+\)")  # unmapped glyphs (bullets) left by PDF text layers
LEADING_THE_RE = re.compile(r"^the\s+", re.IGNORECASE)
POSSESSIVE_RE = re.compile(r"['’]s$")
WRAPPED_SHARE = 0.75  # a line this share of the longest line's length reached the margin
PROSE_WORDS = 10  # a table cell of this many words is prose: the model reads it
LABEL_WORDS = 6  # a header or row key is a short label
NAMES_LABEL_RE = re.compile(
    r"owner|lead|responsib|by whom|^who\b|officer|name|chair|contact|author|member|speaker"
    r"|organi[sz]ation|agency|partner|service|team|body|role|position|post\b|job"
    r"|^report (?:to|for)\b",
    re.IGNORECASE,
)  # a column or row labelled so holds names of people or bodies
# Words of meeting papers the small model takes for names of people or bodies.
GENERIC_WORDS = frozenset(
    {
        "agenda", "action", "actions", "apologies", "board", "cabinet", "chair", "co-chair",
        "committee", "council", "councillor", "item", "minutes", "officer", "partnership",
        "present", "rag", "report", "resolved", "schools", "scrutiny", "strategy",
    }
)  # fmt: skip


class NlpText(NamedTuple):
    """A text for the NLP, its page, and whether the model reads it (else the rules alone)."""

    page: int
    text: str
    model: bool


def extract_mentions(doc: Document) -> tuple[list[Mention], list[str]]:
    """One Mention per entity occurrence, with its page; plus NLP warnings (model missing)."""
    texts = document_texts(doc.pages)
    found, warning = find_entities([t.text for t in texts if t.model])
    by_model, ruled = iter(found), iter(find_rule_entities([t.text for t in texts if not t.model]))
    mentions: list[Mention] = []
    for text in texts:
        for entity in next(by_model) if text.model else next(ruled):
            mention = entity_to_mention(entity, doc.id, text.page)
            if mention is not None:
                mention.id = record_id(doc.id, "mention", len(mentions) + 1)
                mentions.append(mention)
    return mentions, [warning] if warning else []


def document_texts(pages: Sequence[Page]) -> list[NlpText]:
    """Each page's running text, then its table rows, each split into what the model
    reads (prose, and cells under a label naming people or bodies) and what the rules
    alone read (the other cells)."""
    rows_by_page: dict[int, list[tuple[str, str]]] = {}
    for number, modelled, ruled in table_row_texts(pages):
        rows_by_page.setdefault(number, []).append((modelled, ruled))
    out: list[NlpText] = []
    for page in pages:
        out.append(NlpText(page.number, lines_to_text(page.lines), True))
        for modelled, ruled in rows_by_page.get(page.number, []):
            out += [NlpText(page.number, modelled, True), NlpText(page.number, ruled, False)]
    return [t for t in out if t.text.strip()]


def lines_to_text(lines: Sequence[Line]) -> str:
    """Running text with wrapped lines joined, so a name split over two lines stays whole.

    A line runs on into the next only when it reaches the right margin (it is
    nearly as long as the page's longest line); list entries, headings and
    bold lines stay on lines of their own so names do not run into roles.
    """
    widest = max((len(line.text) for line in lines), default=0)
    blocks: list[list[str]] = []
    open_run = False
    for line in lines:
        text = GLYPH_RE.sub(" ", line.text)
        stands_alone = bool(line.heading or line.bold)
        if open_run and not stands_alone:
            blocks[-1].append(text)
        else:
            blocks.append([text])
        open_run = not stands_alone and len(line.text) >= WRAPPED_SHARE * widest
    return "\n".join(dehyphenate(block) for block in blocks)


def table_row_texts(pages: Sequence[Page]) -> Iterator[tuple[int, str, str]]:
    """(page, cells for the model, cells for the rules) of each table row, cells separated
    so they read as separate phrases.

    Rows are read by logical table (tables.py: a table carried over a page break is
    one, its repeated header dropped, padding columns too), so a continuation keeps
    its header's columns that name people or bodies.
    """
    for part in merge_page_breaks(pages):
        rows = drop_empty_columns(part.rows)
        header, _ = split_header(rows)
        columns = {i for i, cell in enumerate(header) if is_names_label(cell)}
        for number, (page, row) in enumerate(zip(part.row_pages, rows, strict=True)):
            cells = [clean_space(GLYPH_RE.sub(" ", cell)) for cell in row]
            names = set() if header and number == 0 else columns
            filled = [i for i, cell in enumerate(cells) if cell]
            # 'Author | name' (empty cells aside), also where such rows were taken for a header
            keyed = len(filled) == 2 and filled[0] == 0 and is_names_label(cells[0])
            read = [(i == filled[1] if keyed else i in names) or is_prose(c)
                    for i, c in enumerate(cells)]
            yield (page,
                   "; ".join(c for c, m in zip(cells, read, strict=True) if c and m),
                   "; ".join(c for c, m in zip(cells, read, strict=True) if c and not m))


def is_names_label(cell: str) -> bool:
    """A short header or row key over names: 'Lead', 'Owner', 'Name', 'Organisation', ..."""
    return 0 < len(cell.split()) <= LABEL_WORDS and bool(NAMES_LABEL_RE.search(cell))


def is_prose(cell: str) -> bool:
    return len(cell.split()) >= PROSE_WORDS


def entity_to_mention(entity: Entity, document_id: str, page: int) -> Mention | None:
    """A Mention with its canonical entity id, or None for noise."""
    text = clean_space(entity.text)
    canonical = canonical_name(entity.label, text, entity.canonical)
    if is_noise(entity.label, entity.text, canonical):
        return None
    entity_id = slug_id(entity.label.lower(), canonical)
    return Mention("", document_id, page, text, entity.label, entity_id)


def canonical_name(label: str, text: str, known: str | None = None) -> str:
    """The one name an entity is filed under: aliases folded, "the", honorifics dropped."""
    if known:
        return known
    name = POSSESSIVE_RE.sub("", clean_space(text))
    if label == "PERSON":
        return split_honorific(name)[1]
    name = LEADING_THE_RE.sub("", name)
    return known_names().get(name.lower(), name)


@lru_cache(maxsize=1)
def known_names() -> dict[str, str]:
    """Lower-cased alias -> canonical name, for entities the model found on its own."""
    vocabulary = domain_vocabulary()
    out = {form.lower(): canonical for form, (_, canonical) in vocabulary.items()}
    out.update({LEADING_THE_RE.sub("", k): v for k, v in out.items()})
    return out


def is_noise(label: str, text: str, canonical: str) -> bool:
    """Single characters, bare numbers, generic meeting words, text spanning two lines,
    and lower-case or digit-bearing "people"."""
    letters = [ch for ch in canonical if ch.isalpha()]
    if len(text.strip()) < 2 or len(letters) < 2 or "\n" in text:
        return True
    if canonical.lower() in GENERIC_WORDS:
        return True
    if label != "PERSON":
        return False
    shouting_word = " " not in canonical and canonical.isupper()  # "RAG" taken for a name
    return canonical == canonical.lower() or shouting_word or any(c.isdigit() for c in canonical)
