"""A scaled corpus: N varied PDFs rendered from the sample corpus's markdown sources.

Each output document is one source (taken in turn) varied deterministically
from ``seed`` and its index: people's first names and surnames swapped from a
pool (consistently within the document, so "Eleanor Girling" and "Ms Girling"
stay one person), years shifted and days of the month moved, money, counts
with thousands separators, percentages and numeric table cells perturbed,
bullet runs and table body rows shuffled, and some words replaced by
synonyms. Tables stay tables. ``repeat`` > 1 appends further variants of the
body (new figures and order, same people) after a page break, to reach a
page target (the sources average about 2.4 pages).

Rendering uses corpus/render.py's reportlab functions. HTML sources (which
need LibreOffice) and the scanned source (image-only: it would measure OCR,
not the text pipeline) are left out.

Usage: python -m tests.bench.scale_corpus OUT_DIR --docs 100 [--seed 1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "corpus" / "sources"
sys.path.insert(0, str(ROOT / "corpus"))

FIRST_NAMES = (
    "Joe", "Gareth", "Kirsty", "Patrick", "Claire", "Eleanor", "Ele", "Andrew", "Sarah",
    "Rachel", "Sinéad", "Leon", "Xanthe", "Trevor", "Sandeep", "Hazel", "David", "Matthew",
    "Helen", "Olga",
)  # fmt: skip
FIRST_POOL = (
    "Amara", "Ben", "Chloe", "Dev", "Esther", "Fergus", "Grace", "Hamid", "Imogen", "Jonah",
    "Kemi", "Liam", "Maya", "Nikhil", "Orla", "Piotr", "Queenie", "Rohan", "Saoirse", "Tomasz",
    "Uma", "Victor", "Wendy", "Yusuf", "Zara", "Aidan", "Bethan", "Callum", "Delia", "Emeka",
)  # fmt: skip
SURNAME_POOL = (
    "Adeyemi", "Barnes", "Chowdhury", "Dempsey", "Evans", "Fitzgerald", "Gallagher", "Hussain",
    "Iqbal", "Jankowski", "Kaur", "Lindqvist", "McAllister", "Nwosu", "O'Brien", "Papadopoulos",
    "Quinn", "Rahman", "Stewart", "Tiwari", "Underwood", "Vasquez", "Whitaker", "Yilmaz",
    "Zielinski", "Ahmed", "Bergström", "Castellano", "Doherty", "Ekwueme", "Fairbairn",
    "Greenwood", "Holloway", "Ibekwe", "Jarvis", "Kowalczyk",
)  # fmt: skip
SYNONYMS = {
    "discussed": ("considered", "reviewed"),
    "noted": ("acknowledged", "recorded"),
    "update": ("briefing", "progress update"),
    "increase": ("rise", "growth"),
    "reduction": ("fall", "decrease"),
    "important": ("significant", "key"),
    "explained": ("set out", "described"),
    "reported": ("advised", "informed members"),
    "concerns": ("worries", "issues"),
    "support": ("help", "assistance"),
    "partners": ("partner agencies", "agencies"),
}
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

YEAR_RE = re.compile(r"\b(19[89]\d|20[0-4]\d)(?:([/-])(\d\d)(?!\d))?")
DAY_RE = re.compile(r"\b([12]?\d|3[01])(st|nd|rd|th|\^\w+\^)? (" + "|".join(MONTHS) + r")\b")
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")
FIGURE_RE = re.compile(
    r"(£)(\d[\d,]*(?:\.\d+)?)|\b(\d{1,3}(?:,\d{3})+)\b|\b(\d+(?:\.\d+)?)(%)"
)
CELL_NUMBER_RE = re.compile(r"^\d{2,4}$")
WORD_RE = re.compile(r"\b(" + "|".join(SYNONYMS) + r")\b")


@dataclass(frozen=True)
class Source:
    """One markdown source of the sample corpus: its name, front matter and body."""

    name: str
    meta: dict[str, str]
    body: str


def load_sources() -> list[Source]:
    """The reportlab markdown sources (not HTML, not the scanned one), in name order."""
    from render import split_front_matter

    out: list[Source] = []
    for path in sorted(SOURCES.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        if meta.get("producer", "reportlab") == "reportlab":
            out.append(Source(path.stem, meta, body))
    return out


def known_names(sources: list[Source]) -> tuple[list[str], list[str]]:
    """(first names, surnames) of the people in the sources: surnames follow a known first name."""
    pair = re.compile(r"\b(" + "|".join(FIRST_NAMES) + r") ([A-Z][\w'’-]+)")
    surnames: set[str] = set()
    for src in sources:
        for m in pair.finditer(src.body):
            surnames.add(m.group(2))
    surnames -= {"Council", "Partnership", "Police"}
    return list(FIRST_NAMES), sorted(surnames, key=len, reverse=True)


class Variant:
    """The text changes of one output document, all drawn from one random generator."""

    def __init__(self, rng: random.Random, firsts: list[str], surnames: list[str]) -> None:
        self.rng = rng
        self.year_shift = rng.choice((-3, -2, -1, 1, 2, 3))
        self.day_shift = rng.randint(-5, 5)
        new_first = rng.sample(FIRST_POOL, len(firsts))
        new_last = rng.sample(SURNAME_POOL, min(len(surnames), len(SURNAME_POOL)))
        self.names = dict(zip(firsts, new_first, strict=False))
        self.names.update(zip(surnames, new_last, strict=False))
        self.name_re = re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, sorted(self.names, key=len, reverse=True)))
            + r")(?![\w-]| Lane)"
        )

    def text(self, text: str) -> str:
        """Names, years and dates of a line (used for front matter too)."""
        text = self.name_re.sub(lambda m: self.names[m.group(1)], text)
        text = YEAR_RE.sub(self._year, text)
        text = ISO_DATE_RE.sub(self._iso_date, text)
        return DAY_RE.sub(self._day, text)

    def _year(self, m: re.Match[str]) -> str:
        year = int(m.group(1)) + self.year_shift
        if not m.group(3):
            return str(year)
        if int(m.group(3)) == (int(m.group(1)) + 1) % 100:  # 2009/10, 2025-26
            return f"{year}{m.group(2)}{(year + 1) % 100:02d}"
        return f"{year}{m.group(2)}{m.group(3)}"  # 2019-03(-14): month of a date

    def _day(self, m: re.Match[str]) -> str:
        day = min(28, max(1, int(m.group(1)) + self.day_shift))
        suffix = m.group(2) or ""
        if suffix and not suffix.startswith("^"):
            suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
        elif suffix:
            suffix = "^" + {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(
                day, "th") + "^"
        return f"{day}{suffix} {m.group(3)}"

    def _iso_date(self, m: re.Match[str]) -> str:
        day = min(28, max(1, int(m.group(3)) + self.day_shift))
        return f"{m.group(1)}-{m.group(2)}-{day:02d}"  # the year is already shifted

    def figures(self, text: str) -> str:
        """Money, counts with separators and percentages scaled by a random factor."""
        return FIGURE_RE.sub(self._figure, text)

    def _scale(self, number: str) -> str:
        value = float(number.replace(",", "")) * self.rng.uniform(0.7, 1.3)
        if "." in number:
            decimals = len(number.split(".")[1])
            return f"{value:,.{decimals}f}" if "," in number else f"{value:.{decimals}f}"
        return f"{round(value):,}" if "," in number else str(round(value))

    def _figure(self, m: re.Match[str]) -> str:
        if m.group(1):
            return "£" + self._scale(m.group(2))
        if m.group(3):
            return self._scale(m.group(3))
        percent = min(99.0, float(self._scale(m.group(4))))
        return f"{percent:g}{m.group(5)}"

    def wording(self, text: str) -> str:
        return WORD_RE.sub(
            lambda m: self.rng.choice(SYNONYMS[m.group(1)]) if self.rng.random() < 0.5
            else m.group(1),
            text,
        )

    def cell(self, cell: str) -> str:
        """A numeric table cell (not a year) perturbed; other cells through figures()."""
        if CELL_NUMBER_RE.match(cell) and not 1980 <= int(cell) <= 2049:
            return self._scale(cell)
        return self.figures(cell)


def _shuffle_runs(lines: list[str], is_member: Callable[[str], bool],
                  rng: random.Random) -> list[str]:
    """Shuffle each run of consecutive lines for which ``is_member`` holds."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if is_member(line):
            run.append(line)
            continue
        rng.shuffle(run)
        out.extend(run)
        run = []
        out.append(line)
    return out[:-1]


def _is_bullet(line: str) -> bool:
    return line.startswith("- ")


def vary_body(body: str, variant: Variant) -> str:
    """One varied copy of a source body: text, figures, wording, bullets and table rows."""
    lines = body.splitlines()
    out: list[str] = []
    in_table_rows = 0
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("|"):
            in_table_rows += 1
            if re.fullmatch(r"\|[\s:|-]+\|", stripped) or in_table_rows == 1:
                out.append(variant.text(line))
                continue
            cells = [variant.cell(c.strip()) for c in stripped.strip("|").split("|")]
            out.append("| " + " | ".join(variant.text(c) for c in cells) + " |")
            continue
        in_table_rows = 0
        out.append(variant.wording(variant.figures(variant.text(line))))
    out = _shuffle_runs(out, _is_bullet, variant.rng)
    return "\n".join(_shuffle_table_bodies(out, variant.rng))


def _shuffle_table_bodies(lines: list[str], rng: random.Random) -> list[str]:
    """Shuffle the rows after each table's header and separator lines (tables of 3+ rows)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip().startswith("|"):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip().startswith("|"):
            j += 1
        table = lines[i:j]
        head = 2 if len(table) > 1 and re.fullmatch(r"\|[\s:|-]+\|", table[1].strip()) else 0
        rows = table[head:]
        if head and len(rows) >= 3:
            rng.shuffle(rows)
        out.extend(table[:head] + rows)
        i = j
    return out


def plan(docs: int, seed: int, repeat: int) -> list[dict[str, object]]:
    """The output documents: file name, source and per-document seed."""
    sources = load_sources()
    return [
        {
            "file": f"{i:05d}_{sources[i % len(sources)].name}.pdf",
            "source": sources[i % len(sources)].name,
            "seed": seed * 1_000_003 + i,
            "repeat": repeat,
        }
        for i in range(docs)
    ]


def render_one(entry: dict[str, object], out_dir: str) -> tuple[str, str]:
    """Render one planned document; returns (file, title)."""
    from render import render_reportlab

    sources = {s.name: s for s in load_sources()}
    src = sources[str(entry["source"])]
    firsts, surnames = known_names(list(sources.values()))
    rng = random.Random(int(str(entry["seed"])))
    variant = Variant(rng, firsts, surnames)
    meta = {k: variant.text(v) for k, v in src.meta.items()}
    bodies = [vary_body(src.body, variant) for _ in range(int(str(entry["repeat"])))]
    body = "\n\n---page---\n\n".join(bodies)
    out = Path(out_dir) / str(entry["file"])
    render_reportlab(SOURCES / f"{src.name}.md", out, meta, body)
    return str(entry["file"]), meta.get("title", "")


def generate(out_dir: Path, docs: int, seed: int = 1, repeat: int = 1,
             workers: int = 1) -> list[Path]:
    """Render the scaled corpus into ``out_dir`` (reused when its plan is unchanged)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = plan(docs, seed, repeat)
    stamp = out_dir / "plan.json"
    files = [out_dir / str(e["file"]) for e in entries]
    text = json.dumps(entries, indent=1)
    if stamp.exists() and stamp.read_text() == text and all(f.exists() for f in files):
        return files
    for old in out_dir.glob("*.pdf"):
        old.unlink()
    if workers > 1 and docs > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(render_one, entries, [str(out_dir)] * len(entries)))
    else:
        for entry in entries:
            render_one(entry, str(out_dir))
    stamp.write_text(text)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render a scaled, varied corpus of PDFs.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="varied body copies per document")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    files = generate(args.out, args.docs, args.seed, args.repeat, args.workers)
    print(f"{len(files)} PDFs in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
