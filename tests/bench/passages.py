"""Synthetic passages for index scaling, written to Whoosh (minutebook's schema) and to FTS5.

Passages are drawn from the sample corpus's own sentences: each passage takes
2 to 6 corpus sentences and replaces about a quarter of their words with
words drawn by corpus frequency, so term statistics, phrases ("integrated
offender management") and vocabulary size behave like the real papers while
the count scales to a million. Metadata (document, title, type, year 2005 to
2026, page, section, people, organisations) is spread over documents of 20
passages. Generation is deterministic from the seed and streamed through a
JSON-lines file so both backends read the same bytes.
"""

from __future__ import annotations

import html
import json
import random
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.fulltext import INDEX_NAME, KIND_BOOST, make_schema, open_writer

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "corpus" / "sources"
PASSAGES_PER_DOC = 20
DOC_TYPE_WEIGHTS = {"minutes": 5, "report": 3, "highlight_report": 1, "strategy": 1, "agenda": 1}
PEOPLE = ("Eleanor Girling", "Sarah Newton", "Joe Benmore", "Claire Kowalska", "Patrick Osei",
          "Andrew Lovejoy", "Kirsty Omole", "Rachel Whitford", "Leon Joseph", "Hazel Simmonds")
ORGS = ("Metropolitan Police", "Probation Service", "Haringey Council", "Public Health",
        "Home Office", "MOPAC", "Victim Support", "Integrated Offender Management", "Prevent")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
TAG_RE = re.compile(r"<[^>]+>")
MARKUP_RE = re.compile(r"[*_^#|{}\[\]]|:[a-z]+:|---page---")
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "of", "on", "or", "that", "the", "this", "to", "was", "were", "with", "which", "will",
    "been", "its", "not", "but", "their", "they", "he", "she", "we", "our", "all", "any", "can",
    "may",
})  # fmt: skip


@lru_cache(maxsize=1)
def corpus_sentences() -> tuple[str, ...]:
    """Every sentence of the sample corpus's sources, markup and tags removed."""
    sentences: list[str] = []
    for path in sorted(SOURCES.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            text = html.unescape(TAG_RE.sub(" ", text))
        elif text.startswith("---\n"):
            text = text[text.index("\n---\n", 4) + 5:]
        text = MARKUP_RE.sub(" ", text)
        for part in re.split(r"(?<=[.;:!?])\s+|\n\s*\n", text):
            words = part.split()
            if len(words) >= 4:
                sentences.append(" ".join(words))
    return tuple(sentences)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(words, counts) of the corpus, most frequent first."""
    counts = Counter(w for s in corpus_sentences() for w in WORD_RE.findall(s))
    ranked = counts.most_common()
    return tuple(w for w, _ in ranked), tuple(c for _, c in ranked)


@lru_cache(maxsize=1)
def titles() -> tuple[str, ...]:
    out: list[str] = []
    for path in sorted(SOURCES.glob("*.md")):
        m = re.search(r"^title:\s*(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        if m:
            out.append(re.sub(r"\b20\d\d\b", "", m.group(1)).strip(" ,"))
    return tuple(out)


def _passage_text(rng: random.Random, sentences: tuple[str, ...], words: tuple[str, ...],
                  cum: list[int]) -> str:
    out: list[str] = []
    for _ in range(rng.randint(2, 6)):
        tokens = rng.choice(sentences).split()
        swaps = rng.choices(words, cum_weights=cum, k=len(tokens))
        out.append(" ".join(s if rng.random() < 0.25 else t for t, s in zip(tokens, swaps,
                                                                           strict=True)))
    return " ".join(out)


def generate(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` passages as Whoosh unit dicts (minutebook's fields), deterministic from ``seed``."""
    rng = random.Random(seed)
    sentences = corpus_sentences()
    words, counts = vocabulary()
    cum: list[int] = []
    total = 0
    for c in counts:
        total += c
        cum.append(total)
    doc_types = list(DOC_TYPE_WEIGHTS)
    type_weights = list(DOC_TYPE_WEIGHTS.values())
    doc: dict[str, Any] = {}
    for i in range(n):
        if i % PASSAGES_PER_DOC == 0:
            year = rng.randint(2005, 2026)
            doc_id = f"bench{i // PASSAGES_PER_DOC:07d}"
            doc = {
                "document_id": doc_id,
                "source": f"bench/{doc_id}.pdf",
                "title": f"{rng.choice(titles())} {year}",
                "doc_type": rng.choices(doc_types, type_weights)[0],
                "body": "Haringey Community Safety Partnership",
                "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "year": year,
            }
        page = 1 + (i % PASSAGES_PER_DOC) // 4
        yield {
            **doc,
            "id": f"{doc['document_id']}-p{i % PASSAGES_PER_DOC:02d}",
            "kind": "passage",
            "page": page,
            "section": rng.choice(sentences)[:60],
            "text": _passage_text(rng, sentences, words, cum),
            "people": ",".join(rng.sample(PEOPLE, rng.randint(0, 2))),
            "orgs": ",".join(rng.sample(ORGS, rng.randint(0, 2))),
        }


def write_jsonl(path: Path, n: int, seed: int = 7) -> Path:
    """Generate ``n`` passages into ``path`` once; an existing complete file is reused."""
    done = path.with_suffix(".done")
    if path.exists() and done.exists() and done.read_text() == f"{n} {seed}":
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for unit in generate(n, seed):
            fh.write(json.dumps(unit, ensure_ascii=False) + "\n")
    done.write_text(f"{n} {seed}")
    return path


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def build_whoosh(index_dir: Path, passages: Path) -> int:
    """A Whoosh index as minutebook's sync writes it (index.fulltext.open_writer)."""
    from whoosh import index as whoosh_index

    index_dir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index_dir), make_schema(), indexname=INDEX_NAME)
    with passages.open("rb") as fh:
        expected = sum(1 for _ in fh)  # sizes the writer's batches, as a sync of that many units
    writer = open_writer(ix, expected)
    count = 0
    for unit in read_jsonl(passages):
        writer.add_document(**unit, _boost=KIND_BOOST["passage"])
        count += 1
    writer.commit()
    ix.close()
    return count


FTS5_DDL = (
    "CREATE VIRTUAL TABLE passages USING fts5(title, section, text, people, orgs, "
    "id UNINDEXED, document_id UNINDEXED, source UNINDEXED, doc_type UNINDEXED, "
    "year UNINDEXED, date UNINDEXED, page UNINDEXED, tokenize='porter unicode61')"
)
FTS5_COLUMNS = ("title", "section", "text", "people", "orgs", "id", "document_id", "source",
                "doc_type", "year", "date", "page")


def build_fts5(db_path: Path, passages: Path) -> int:
    """The same passages in an SQLite FTS5 table (porter stemming), then 'optimize'."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    db.execute(FTS5_DDL)
    db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(passages, 'row')")
    marks = ", ".join("?" for _ in FTS5_COLUMNS)
    sql = f"INSERT INTO passages ({', '.join(FTS5_COLUMNS)}) VALUES ({marks})"
    count = 0
    batch: list[tuple[Any, ...]] = []
    with db:
        for unit in read_jsonl(passages):
            batch.append(tuple(unit.get(c) for c in FTS5_COLUMNS))
            if len(batch) >= 5000:
                db.executemany(sql, batch)
                count += len(batch)
                batch = []
        db.executemany(sql, batch)
        count += len(batch)
        db.execute("INSERT INTO passages(passages) VALUES ('optimize')")
    db.close()
    return count


# -- the query set ------------------------------------------------------------------------


def _content_words(rng: random.Random, k: int, top: int) -> list[str]:
    words, _ = vocabulary()
    pool = [w.lower() for w in words[:top] if w.lower() not in STOPWORDS and len(w) > 3]
    pool = list(dict.fromkeys(pool))
    return rng.sample(pool, k)


def _phrases(rng: random.Random, k: int) -> list[str]:
    out: list[str] = []
    sentences = corpus_sentences()
    while len(out) < k:
        tokens = [t for t in WORD_RE.findall(rng.choice(sentences))]
        n = rng.choice((2, 2, 3))
        if len(tokens) <= n:
            continue
        start = rng.randrange(len(tokens) - n)
        gram = tokens[start:start + n]
        if any(t.lower() in STOPWORDS or len(t) < 3 for t in (gram[0], gram[-1])):
            continue
        phrase = " ".join(gram).lower()
        if phrase not in out:
            out.append(phrase)
    return out


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1:]  # a dropped letter
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # two letters swapped


def query_set(seed: int = 11) -> list[dict[str, Any]]:
    """A fixed mix of 210 queries: words, AND pairs, phrases, type/kind filters, years, fuzzy.

    Each query is a dict: ``kind``, ``text`` (minutebook syntax), ``terms`` (for FTS5),
    ``phrase`` (bool), ``fuzzy`` (bool) and optional ``doc_type``/``year_from``/``year_to``.
    """
    rng = random.Random(seed)
    words = _content_words(rng, 120, 600)
    out: list[dict[str, Any]] = []
    for w in words[:60]:
        out.append({"kind": "word", "text": w, "terms": [w]})
    for a, b in zip(words[60:100:2], words[61:101:2], strict=True):
        out.append({"kind": "and", "text": f"{a} {b}", "terms": [a, b]})
    for a, b in zip(words[100:120], words[80:100], strict=True):
        out.append({"kind": "and", "text": f"{a} {b}", "terms": [a, b]})
    for p in _phrases(rng, 30):
        out.append({"kind": "phrase", "text": f'"{p}"', "terms": [p], "phrase": True})
    for w in words[:30]:
        doc_type = rng.choice(list(DOC_TYPE_WEIGHTS))
        out.append({"kind": "field", "text": w, "terms": [w], "doc_type": doc_type})
    for w in words[30:60]:
        start = rng.randint(2005, 2022)
        out.append({"kind": "years", "text": w, "terms": [w], "year_from": start,
                    "year_to": start + rng.randint(0, 4)})
    long_words = [w for w in words if len(w) >= 6][:20]
    for w in long_words:
        typo = _typo(rng, w)
        out.append({"kind": "fuzzy", "text": f"{typo}~", "terms": [typo], "fuzzy": True})
    return out
