"""Mentions: every named person, organisation, place and programme, page by page.

Each page's running text (wrapped lines joined, headings kept apart) and
each table row go through the NLP in one batch per document. Known
acronyms and aliases fold to one canonical name so that "IOM" and
"Integrated Offender Management" share an entity id and a look-up finds
both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ingest.document import Document, Line, Page
from ingest.ids import record_id, slug_id
from ingest.nlp import Entity, domain_vocabulary, find_entities
from ingest.normalize import clean_space, dehyphenate, split_honorific
from ingest.records import Mention

GLYPH_RE = re.compile(r"\(cid:\d+\)")  # unmapped glyphs (bullets) left by PDF text layers
LEADING_THE_RE = re.compile(r"^the\s+", re.IGNORECASE)
POSSESSIVE_RE = re.compile(r"['’]s$")
WRAPPED_SHARE = 0.75  # a line this share of the longest line's length reached the margin
# Words of meeting papers the small model takes for names of people or bodies.
GENERIC_WORDS = frozenset(
    {
        "agenda", "action", "actions", "apologies", "board", "cabinet", "chair", "co-chair",
        "committee", "council", "councillor", "item", "minutes", "officer", "partnership",
        "present", "rag", "report", "resolved", "schools", "scrutiny", "strategy",
    }
)  # fmt: skip


def extract_mentions(doc: Document) -> tuple[list[Mention], list[str]]:
    """One Mention per entity occurrence, with its page; plus NLP warnings (model missing)."""
    pages, texts = document_texts(doc.pages)
    found, warning = find_entities(texts)
    mentions: list[Mention] = []
    for page, entities in zip(pages, found, strict=True):
        for entity in entities:
            mention = entity_to_mention(entity, doc.id, page)
            if mention is not None:
                mention.id = record_id(doc.id, "mention", len(mentions) + 1)
                mentions.append(mention)
    return mentions, [warning] if warning else []


def document_texts(pages: Sequence[Page]) -> tuple[list[int], list[str]]:
    """(page numbers, texts): each page's running text, then one text per table row."""
    numbers: list[int] = []
    texts: list[str] = []
    for page in pages:
        for text in [lines_to_text(page.lines), *table_row_texts(page)]:
            if text.strip():
                numbers.append(page.number)
                texts.append(text)
    return numbers, texts


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


def table_row_texts(page: Page) -> list[str]:
    """Each table row as one text, cells separated so they read as separate phrases."""
    return [
        "; ".join(clean_space(GLYPH_RE.sub(" ", cell)) for cell in row if cell.strip())
        for grid in page.tables
        for row in grid.rows
    ]


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
