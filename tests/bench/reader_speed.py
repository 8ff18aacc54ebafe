"""The reader's pdfium fast path against the pdfplumber reader, on the corpus minutes.

Each reader is timed in an interpreter of its own, and the two alternate round by
round. In a process that holds other objects (a test session), pdfplumber ran at 19.8
pages/s instead of about 22; in one process with pdfplumber, the fast path read the
minutes without tables at three quarters of its own speed. Alternating makes a drift
in the machine's speed reach both sides of a ratio alike.

    python -m tests.bench.reader_speed            # the report (3 rounds)
    python -m tests.bench.reader_speed 7          # the report over 7 rounds
    python -m tests.bench.reader_speed fast < SETS.json   # one reader's rates, as JSON
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber

from ingest.readers import pdfium_text
from ingest.readers.pdf import _read_any_page
from ingest.settings import ReadSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ReadSettings()
PASSES = 3  # timed passes per process, after one untimed


def minutes() -> dict[str, list[Path]]:
    """The corpus minutes with a text layer: all of them, and those without ruled tables."""
    papers = [p for p in sorted((ROOT / "corpus" / "pdf").glob("*minutes*.pdf"))
              if "scanned" not in p.name]
    text_only = []
    for path in papers:
        with pdfplumber.open(path) as pdf:
            if not any(page.find_tables(SETTINGS.table_settings()) for page in pdf.pages):
                text_only.append(path)
            for page in pdf.pages:
                page.close()
    return {"all minutes": papers, "minutes without tables": text_only}


def read_all(paths: list[Path], fast: bool) -> int:
    """Read every page as pdf.py does (``fast``) or with pdfplumber alone; the page count."""
    pages = 0
    for path in paths:
        doc = pdfium_text.open_pdfium(path) if fast else None
        fonts: pdfium_text.FontMemo = {}
        try:
            with pdfplumber.open(path) as pdf:
                for number, page in enumerate(pdf.pages, start=1):
                    try:
                        _read_any_page(doc, page, number, SETTINGS, fonts)
                    finally:
                        page.close()
                    pages += 1
        finally:
            if doc is not None:
                doc.close()
    return pages


def rates(fast: bool, sets: dict[str, list[Path]]) -> dict[str, float]:
    """Pages/s of one reader on each set: the median of PASSES passes after a first one."""
    out = {}
    for label, paths in sets.items():
        read_all(paths, fast)
        times = []
        pages = 0
        for _ in range(PASSES):
            start = time.perf_counter()
            pages = read_all(paths, fast)
            times.append(time.perf_counter() - start)
        out[label] = pages / statistics.median(times)
    return out


def _rates_in_new_process(fast: bool, sets: dict[str, list[Path]]) -> dict[str, float]:
    """``rates`` in a fresh interpreter, the sets handed over on its standard input."""
    args = [sys.executable, "-m", "tests.bench.reader_speed", "fast" if fast else "pdfplumber"]
    given = json.dumps({label: [str(p) for p in paths] for label, paths in sets.items()})
    done = subprocess.run(args, cwd=ROOT, input=given, capture_output=True, text=True,
                          check=True)
    return dict(json.loads(done.stdout))


def compare(rounds: int = 3) -> list[str]:
    """One line per set: both readers' median pages/s and the median of the rounds' ratios."""
    sets = minutes()
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for _ in range(rounds):
        for fast in (False, True):
            runs[fast].append(_rates_in_new_process(fast, sets))
    rows = []
    for label in runs[False][0]:
        slow = [r[label] for r in runs[False]]
        fast = [r[label] for r in runs[True]]
        ratios = [f / s for s, f in zip(slow, fast, strict=True)]
        rows.append(
            f"{label}: pdfplumber {statistics.median(slow):.1f} pages/s, pdfium path "
            f"{statistics.median(fast):.1f} pages/s, x{statistics.median(ratios):.2f} "
            f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; a process per reader and round)"
        )
    return rows


if __name__ == "__main__":
    if sys.argv[1:] in (["fast"], ["pdfplumber"]):
        given = json.load(sys.stdin)
        sets = {label: [Path(p) for p in paths] for label, paths in given.items()}
        print(json.dumps(rates(sys.argv[1] == "fast", sets)))
    else:
        print("\n".join(compare(int(sys.argv[1]) if sys.argv[1:] else 3)))
