"""Shared fixtures: the sample corpus, the seed papers, and one ingested store per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CORPUS_PDF = CORPUS / "pdf"
SEEDS = ROOT.parent / "shared" / "seeds"


def corpus_manifest() -> list[dict[str, str]]:
    return json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def seeds_or_skip() -> Path:
    if not (SEEDS / "gold").is_dir():
        pytest.skip(f"seed papers not found at {SEEDS}: seed tests skipped")
    return SEEDS


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store and index holding the whole sample corpus, ingested once per test session."""
    home = tmp_path_factory.mktemp("home")
    result = CliRunner().invoke(main, ["--db", str(home), "ingest", str(CORPUS_PDF), "-s"])
    assert result.exit_code in (0, 3), result.output
    return home
