"""The pypdfium2 fast path reads every page exactly as the pdfplumber reader does.

For each corpus PDF (except the scanned one) every page is read both ways:
where the fast path takes a page, its Lines and ruled tables must equal
``pdf._read_page``'s, and it must take every page that is not a scan, a
form or rotated, ruled tables included. Bad input must never reach the fast
path. The speed-up is measured and printed, not asserted.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pdfplumber
import pytest
from pdfplumber.utils import extract_words
from test_bad_input import BAD

from conftest import CORPUS_PDF
from ingest.document import Line, Page
from ingest.readers import pdfium_text
from ingest.readers.layout import column_boxes, may_have_gutter
from ingest.readers.pdf import _read_page
from ingest.settings import ReadSettings

SETTINGS = ReadSettings()
CORPUS = [p for p in sorted(CORPUS_PDF.glob("*.pdf")) if "scanned" not in p.name]


def _key(line: Line) -> tuple[str, bool, float | None, int, int]:
    return (line.text, line.bold, line.size, round(line.x0 or 0.0), round(line.top or 0.0))


def _fast_page(doc: object, number: int, resources: object) -> Page | None:
    return pdfium_text.read_fast_page(doc, number, resources, SETTINGS)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_fast_pages_match_pdfplumber_tables_included(path: Path) -> None:
    doc = pdfium_text.open_pdfium(path)
    assert doc is not None
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    ref = _read_page(page, number, SETTINGS)
                    pdfium_page = doc[number - 1]
                    needs_layout = pdfium_text.page_needs_layout(pdfium_page)
                    pdfium_page.close()
                    got = _fast_page(doc, number, page.page_obj.resources)
                finally:
                    page.close()
                where = f"{path.name} page {number}"
                if needs_layout:
                    assert got is None, where
                    continue
                assert got is not None, f"{where}: fast path declined a page"
                assert [_key(x) for x in got.lines] == [_key(x) for x in ref.lines], where
                assert got.lines == ref.lines, where  # headings and 0.1-point positions as well
                assert [t.rows for t in got.tables] == [t.rows for t in ref.tables], where
                assert got == ref, where  # table bounds as well
    finally:
        doc.close()


def test_gutter_pre_check_never_rules_out_a_column_page() -> None:
    """may_have_gutter is False only where pdfplumber's words give one column."""
    ruled_out = columns = 0
    for path in CORPUS:
        doc = pdfium_text.open_pdfium(path)
        assert doc is not None
        try:
            with pdfplumber.open(path) as pdf:
                fonts = [pdfium_text.font_table(p.page_obj.resources) for p in pdf.pages]
            for index, page_fonts in enumerate(fonts):
                page = doc[index]
                try:
                    if pdfium_text.page_needs_layout(page):
                        continue
                    _, _, width, height = page.get_mediabox()
                    chars = pdfium_text.page_chars(page, page_fonts)[0]
                finally:
                    page.close()
                boxes = column_boxes(extract_words(chars), width, height, SETTINGS.edge_band)
                columns += boxes is not None
                if not may_have_gutter(chars, width, height, SETTINGS.edge_band):
                    ruled_out += 1
                    assert boxes is None, f"{path.name} page {index + 1}"
        finally:
            doc.close()
    assert columns >= 1 and ruled_out >= 20, (columns, ruled_out)


def test_most_corpus_pages_take_the_fast_path() -> None:
    fast = total = 0
    for path in CORPUS:
        doc = pdfium_text.open_pdfium(path)
        try:
            with pdfplumber.open(path) as pdf:
                for number, page in enumerate(pdf.pages, start=1):
                    total += 1
                    fast += _fast_page(doc, number, page.page_obj.resources) is not None
                    page.close()
        finally:
            doc.close()
    assert fast >= 20, (fast, total)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_never_takes_the_fast_path(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    BAD[name][0](path)
    doc = pdfium_text.open_pdfium(path)
    if doc is None:  # pdfplumber reads it and reports why it is unreadable
        return
    try:
        for index in range(len(doc)):
            page = doc[index]
            assert pdfium_text.page_needs_layout(page), f"{name} page {index + 1}"
            page.close()
            assert pdfium_text.read_fast_page(doc, index + 1, {}, SETTINGS) is None
    finally:
        doc.close()


def test_a_page_whose_fonts_are_unknown_is_declined() -> None:
    path = next(p for p in CORPUS if "minutes" in p.name)
    doc = pdfium_text.open_pdfium(path)
    try:
        assert pdfium_text.read_fast_page(doc, 1, {}, SETTINGS) is None
        assert pdfium_text.read_fast_page(doc, 99, {}, SETTINGS) is None
        assert pdfium_text.read_fast_page(None, 1, {}, SETTINGS) is None
    finally:
        doc.close()


def _read_all(paths: list[Path], fast: bool) -> int:
    pages = 0
    for path in paths:
        doc = pdfium_text.open_pdfium(path) if fast else None
        try:
            with pdfplumber.open(path) as pdf:
                for number, page in enumerate(pdf.pages, start=1):
                    try:
                        got = _fast_page(doc, number, page.page_obj.resources)
                        if got is None:
                            _read_page(page, number, SETTINGS)
                    finally:
                        page.close()
                    pages += 1
        finally:
            if doc is not None:
                doc.close()
    return pages


def _rate(paths: list[Path], fast: bool, runs: int = 5) -> float:
    times = []
    pages = 0
    for _ in range(runs):
        start = time.perf_counter()
        pages = _read_all(paths, fast)
        times.append(time.perf_counter() - start)
    return pages / statistics.median(times)


def test_report_speed_up_on_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    minutes = [p for p in CORPUS if "minutes" in p.name]
    text_only: list[Path] = []
    for path in minutes:
        with pdfplumber.open(path) as pdf:
            if not any(p.find_tables(SETTINGS.table_settings()) for p in pdf.pages):
                text_only.append(path)
            for page in pdf.pages:
                page.close()
    rows = []
    for label, paths in (("all minutes", minutes), ("minutes without tables", text_only)):
        slow, fast = _rate(paths, fast=False), _rate(paths, fast=True)
        rows.append(
            f"{label}: pdfplumber {slow:.1f} pages/s, pdfium path {fast:.1f} pages/s, "
            f"x{fast / slow:.1f} (median of 5)"
        )
    with capsys.disabled():
        print("\n" + "\n".join(rows))
