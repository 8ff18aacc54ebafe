"""ingest/spacy_import.py on stand-in spaCy packages, each in a fresh interpreter.

A package whose ``__init__`` asks only for ``.cli.info``'s ``info`` (as spaCy
3.8.7 does) imports without its command line; one that asks for more of it
imports whole, as usual; no package at all is an ImportError, which the
pipeline turns into a warning (ingest/nlp.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
from ingest.spacy_import import import_spacy
try:
    spacy = import_spacy()
except ImportError:
    print("ImportError")
else:
    print(spacy.MARK, "spacy.cli" in sys.modules, spacy.info())
    import spacy.cli
    print(spacy.cli.MARK)
"""


def _package(root: Path, init: str) -> Path:
    """A stand-in ``spacy`` package under ``root`` with the given ``__init__``."""
    cli = root / "spacy" / "cli"
    cli.mkdir(parents=True)
    (root / "spacy" / "__init__.py").write_text(init + "MARK = 'package'\n")
    (cli / "__init__.py").write_text("from .info import info\nMARK = 'real cli'\n")
    (cli / "info.py").write_text("def info():\n    return 'real info'\n")
    (cli / "other.py").write_text("THING = 1\n")
    return root


def _run(path: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", CHECK, str(path)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return done.stdout.splitlines()


def test_spacy_asking_only_for_info_imports_without_its_command_line(tmp_path: Path) -> None:
    path = _package(tmp_path, "from .cli.info import info  # noqa: F401\n")
    assert _run(path) == ["package False real info", "real cli"]


def test_spacy_asking_for_more_of_its_command_line_imports_whole(tmp_path: Path) -> None:
    path = _package(tmp_path, "from .cli.info import info  # noqa: F401\n"
                              "from .cli.other import THING  # noqa: F401\n")
    assert _run(path) == ["package True real info", "real cli"]


def test_no_spacy_is_an_import_error(tmp_path: Path) -> None:
    (tmp_path / "spacy.py").write_text("raise ImportError('no spaCy here')\n")
    assert _run(tmp_path) == ["ImportError"]
