"""The benchmark still runs end to end at a tiny size. Not a timing test: nothing is asserted
about speed, only that every phase completes and the summary line is printed."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_bench_smoke(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.run", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("bench summary: "), proc.stdout[-2000:]
    assert "ratio mb/base" in proc.stdout
    results = json.loads((out / "results.json").read_text())
    assert results["ingest_1"]["pages"] > 0
    assert results["ingest_1"]["problems"] == 0
    assert results["ingest_all"]["noop_seconds"] >= 0
    fts5 = results["index"]["1000"]["fts5"]
    assert fts5["queries"] >= 200 and not fts5["errors"]
    whoosh = results["index"]["1000"]["whoosh"]
    assert whoosh["top10_exact"] == whoosh["queries"]  # pruning never changes the top 10
    assert whoosh["date_order_exact"] == whoosh["queries"]  # nor arrays the newest 10
    assert not whoosh["by_date"]["errors"] and not fts5["by_date"]["errors"]
    assert "newest first p95" in lines[-1]
    store = results["store"]
    assert store["docs"] == 3 and store["add_one_cli_s"] > 0 and store["search_cli_s"] > 0
    assert "store of 3: add one" in lines[-1]
    # the all-cores ingest is also given against plain pdfplumber on one core, same run
    ratio = results["ingest_all"]["pages_per_s"] / results["extract"]["pdfplumber"]["pages_per_s"]
    assert f"w, {ratio:.3g}x pdfplumber on 1 core)" in lines[-1]
    # the CLI commands were timed with minutebook's modules byte-compiled, as installed
    assert list((ROOT / "index" / "__pycache__").glob("fulltext.*.pyc"))
    # the NER's speed depends on spaCy's build and on where its steps' BLAS calls go, the
    # reader's on where its glyph loop runs, so the report names all three
    assert results["machine"].endswith(
        f", spaCy {metadata.version('spacy')}, glyph loop in C, NER steps via OpenBLAS")


def test_reader_instruction_report_divides_the_difference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The count a pass is the difference of the two runs over the passes between them,
    and the ratio is pdfplumber's count over the fast path's."""
    from tests.bench import reader_speed

    base = {False: 9_000_000_000, True: 2_000_000_000}  # start, imports, the untimed pass
    per_pass = {False: 6_000_000_000, True: 1_500_000_000}

    def counted(fast: bool, paths: list[Path], passes: int) -> int:
        return base[fast] + passes * per_pass[fast] + len(paths)

    monkeypatch.setattr(reader_speed, "_count_instructions", counted)
    monkeypatch.setattr(reader_speed.shutil, "which", lambda name: "/usr/bin/" + name)
    rows = reader_speed.compare_instructions()
    assert [row.split(":")[0] for row in rows] == ["all minutes", "minutes without tables"]
    assert all("pdfplumber 6.000, pdfium path 1.500 billion" in row and "x4.00" in row
               for row in rows), rows


def test_reader_passes_entry_point_reads_the_papers_given() -> None:
    """What runs under valgrind: one untimed pass and N more, over the paths on stdin."""
    paper = sorted((ROOT / "corpus" / "pdf").glob("*minutes*.pdf"))[0]
    for mode in ("fast", "pdfplumber"):
        proc = subprocess.run(
            [sys.executable, "-m", "tests.bench.reader_speed", "passes", mode, "1"],
            cwd=ROOT, input=json.dumps([str(paper)]), capture_output=True, text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
