"""Extraction quality against the gold sets, with floors committed in tests/eval_floors.json.

The floors are measured figures rounded down; raise them when extraction
improves, never lower them to make a change pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import CORPUS, ROOT, seeds_or_skip
from search.cli import main

FLOORS = json.loads((ROOT / "tests" / "eval_floors.json").read_text(encoding="utf-8"))


def run_eval(gold: Path, docs: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--docs", str(docs), "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def check(report: dict[str, object], floors: dict[str, float]) -> None:
    kinds = report["kinds"]
    assert isinstance(kinds, dict)
    assert float(report["overall"]) >= floors["overall"], report  # type: ignore[arg-type]
    for kind, floor in floors.items():
        if kind != "overall":
            assert kinds[kind]["f1"] >= floor, (kind, kinds[kind])


def test_every_corpus_paper_has_gold() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    files = [json.loads(p.read_text()) for p in (ROOT / "tests" / "gold").glob("*.json")]
    gold = {f["document"]["source"] for f in files if "document" in f}
    assert gold == {entry["file"] for entry in manifest}


def test_corpus_extraction_meets_its_floor() -> None:
    check(run_eval(ROOT / "tests" / "gold", CORPUS), FLOORS["corpus"])


def test_seed_extraction_meets_its_floor() -> None:
    seeds = seeds_or_skip()
    check(run_eval(seeds / "gold", seeds), FLOORS["seeds"])


def test_eval_min_f1_fails_below_the_floor() -> None:
    seeds = seeds_or_skip()
    result = CliRunner().invoke(main, ["eval", "--gold", str(seeds / "gold"), "--docs",
                                       str(seeds), "--min-f1", "1.0"])
    assert result.exit_code == 1
    assert "below the floor" in result.stderr
    assert "OVERALL" in result.stdout
