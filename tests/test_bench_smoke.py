"""The benchmark still runs end to end at a tiny size. Not a timing test: nothing is asserted
about speed, only that every phase completes and the summary line is printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    store = results["store"]
    assert store["docs"] == 3 and store["add_one_cli_s"] > 0 and store["search_cli_s"] > 0
    assert "store of 3: add one" in lines[-1]
