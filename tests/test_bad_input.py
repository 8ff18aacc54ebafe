"""Bad input is reported in one line and skipped; every other paper is still ingested."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from conftest import CORPUS_PDF
from search.cli import EXIT_SKIPPED, main


def good_pdf() -> Path:
    return sorted(CORPUS_PDF.glob("*minutes*.pdf"))[0]


def make_encrypted(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="s3cret")
    c.drawString(72, 750, "Minutes of a confidential meeting")
    c.save()


def make_image_only(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFillColorRGB(0.2, 0.3, 0.8)
    c.rect(72, 300, 400, 300, fill=1)
    c.save()


def make_truncated(path: Path) -> None:
    path.write_bytes(good_pdf().read_bytes()[:4000])


def make_garbled(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")


def make_empty(path: Path) -> None:
    path.write_bytes(b"")


def make_huge(path: Path) -> None:
    with path.open("wb") as f:  # sparse: 300 MiB on paper, nothing on disk
        f.write(b"%PDF-1.4\n")
        f.truncate(300 * 2**20)


def make_html_named_pdf(path: Path) -> None:
    path.write_text("<!DOCTYPE html><html><body><h1>Minutes</h1></body></html>")


BAD = {
    "encrypted.pdf": (make_encrypted, "encrypted"),
    "image_only.pdf": (make_image_only, "no text"),
    "truncated.pdf": (make_truncated, "truncated"),
    "garbled.pdf": (make_garbled, "unreadable"),
    "empty.pdf": (make_empty, "empty"),
    "webpage.pdf": (make_html_named_pdf, "HTML"),
    "huge.pdf": (make_huge, "too large"),
}


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(good_pdf(), folder / "good_minutes.pdf")
    for name, (make, _) in BAD.items():
        make(folder / name)
    return folder


@pytest.mark.parametrize("workers", ["1", "2"])
def test_each_bad_file_is_reported_and_the_good_one_ingested(
    tmp_path: Path, mixed_folder: Path, workers: str
) -> None:
    home = tmp_path / "home"
    result = CliRunner().invoke(
        main, ["--db", str(home), "ingest", str(mixed_folder), "-s", "-w", workers]
    )
    assert result.exit_code == EXIT_SKIPPED, result.output
    lines = result.stderr.splitlines()
    for name, (_, reason) in BAD.items():
        mine = [ln for ln in lines if ln.startswith(f"skipped {mixed_folder / name}:")]
        assert len(mine) == 1, (name, lines)
        assert reason.lower() in mine[0].lower(), mine[0]
    assert "Traceback" not in result.output
    assert "1 ingested" in result.stderr and f"{len(BAD)} skipped" in result.stderr
    stats = CliRunner().invoke(main, ["--db", str(home), "stats", "--json"])
    data = json.loads(stats.stdout)
    assert data["records"]["documents"] == 1
    assert len(data["skipped"]) == len(BAD)


def test_unsupported_file_given_by_name_is_skipped(tmp_path: Path) -> None:
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"PK\x03\x04 not really a docx")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "h"), "ingest", str(odd), "-s"])
    assert result.exit_code == EXIT_SKIPPED
    assert "unsupported file type .docx" in result.stderr
