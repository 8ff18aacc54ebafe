"""The reader's pdfium fast path against the pdfplumber reader, on the corpus minutes.

Each reader is timed in an interpreter of its own, and the two alternate round by
round. In a process that holds other objects (a test session), pdfplumber ran at 19.8
pages/s instead of about 22; in one process with pdfplumber, the fast path read the
minutes without tables at three quarters of its own speed. Alternating makes a drift
in the machine's speed reach both sides of a ratio alike.

The machine's speed drifts within a second, by a third at times, so even
alternating rounds scatter (single rounds from 2.5x to 6.7x). The instruction
count does not drift: ``instructions`` runs each reader under valgrind's
cachegrind, once with no timed pass and once with two, and divides the
difference, so interpreter start, imports and the first (untimed) pass drop
out. On the minutes, the count's ratio of the two readers came close to the
timed ratio of the median over seven rounds (3.85x against 3.79x, round 12's
reader); a reader that runs fewer instructions but waits more on memory would
show the two apart.

    python -m tests.bench.reader_speed            # the report (3 rounds)
    python -m tests.bench.reader_speed 7          # the report over 7 rounds
    python -m tests.bench.reader_speed instructions       # the report in instructions
    python -m tests.bench.reader_speed fast < SETS.json   # one reader's rates, as JSON
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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


COUNTED_PASSES = 2  # passes in the longer of the two counted runs


def _count_instructions(fast: bool, paths: list[Path], passes: int) -> int:
    """Instructions valgrind counts for reading ``paths`` once untimed, then ``passes`` times."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cachegrind.out"
        args = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
                f"--cachegrind-out-file={out}", sys.executable, "-m", "tests.bench.reader_speed",
                "passes", "fast" if fast else "pdfplumber", str(passes)]
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same set orders in every run
        subprocess.run(args, cwd=ROOT, input=json.dumps([str(p) for p in paths]), env=env,
                       capture_output=True, text=True, check=True)
        found = re.search(r"^summary: (\d+)", out.read_text(), re.MULTILINE)
        assert found, "cachegrind wrote no summary"
        return int(found.group(1))


def compare_instructions() -> list[str]:
    """One line per set: each reader's instructions a pass, and their ratio.

    Counts are not disturbed by other work, so the runs go two at a time.
    """
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    sets = minutes()
    jobs = [(label, fast, passes) for label in sets for fast in (False, True)
            for passes in (0, COUNTED_PASSES)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(
            lambda job: _count_instructions(job[1], sets[job[0]], job[2]), jobs), strict=True))
    rows = []
    for label in sets:
        per_pass = {fast: (counts[label, fast, COUNTED_PASSES] - counts[label, fast, 0])
                    / COUNTED_PASSES for fast in (False, True)}
        rows.append(
            f"{label}: pdfplumber {per_pass[False] / 1e9:.3f}, pdfium path "
            f"{per_pass[True] / 1e9:.3f} billion instructions a pass, "
            f"x{per_pass[False] / per_pass[True]:.2f} (cachegrind)"
        )
    return rows


if __name__ == "__main__":
    if sys.argv[1:] in (["fast"], ["pdfplumber"]):
        given = json.load(sys.stdin)
        sets = {label: [Path(p) for p in paths] for label, paths in given.items()}
        print(json.dumps(rates(sys.argv[1] == "fast", sets)))
    elif sys.argv[1:2] == ["passes"]:  # under cachegrind: one pass untimed, then N
        paths = [Path(p) for p in json.load(sys.stdin)]
        for _ in range(1 + int(sys.argv[3])):
            read_all(paths, sys.argv[2] == "fast")
    elif sys.argv[1:] == ["instructions"]:
        print("\n".join(compare_instructions()))
    else:
        print("\n".join(compare(int(sys.argv[1]) if sys.argv[1:] else 3)))
