"""Readers: PDF layout (columns, running lines, tables), text/markdown tables, HTML, OCR."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS_PDF, corpus_manifest, seeds_or_skip
from ingest.document import Line, Page
from ingest.errors import ReadError
from ingest.readers.layout import (
    clean_cell,
    find_gutter,
    may_have_gutter,
    square_rows,
    strip_running_lines,
)
from ingest.readers.ocr import ocr_available
from ingest.readers.registry import read_document
from ingest.readers.text import read_html, read_text


def read(path: Path):  # type: ignore[no-untyped-def]
    return read_document(path, path.read_bytes())


def corpus_file(note: str) -> Path:
    for entry in corpus_manifest():
        if note in entry.get("layout_notes", "").lower():
            return CORPUS_PDF.parent / entry["file"]
    pytest.fail(f"no corpus paper with layout note {note!r}")


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    pages = [
        Page(n, [Line("Haringey CSP – Strategy 2011", n), Line(f"Body text {n}", n),
                 Line(f"Page {n} of 3", n)])
        for n in (1, 2, 3)
    ]
    out = strip_running_lines(pages)
    assert [[ln.text for ln in p.lines] for p in out] == [["Body text 1"], ["Body text 2"],
                                                          ["Body text 3"]]


def test_a_line_repeated_in_the_body_is_kept() -> None:
    pages = [Page(n, [Line(f"Top {n}", n), Line("a", n), Line("RESOLVED:", n), Line("b", n),
                      Line("c", n), Line("d", n), Line(f"end {n}", n)]) for n in (1, 2)]
    assert all("RESOLVED:" in [ln.text for ln in p.lines] for p in strip_running_lines(pages))


def test_gutter_found_between_two_columns_and_not_in_running_text() -> None:
    two_cols = [(50.0, 250.0)] * 30 + [(320.0, 540.0)] * 30
    assert find_gutter(two_cols, 595) is not None
    assert 250 < (find_gutter(two_cols, 595) or 0) < 320
    one_col = [(50.0, 540.0)] * 60
    assert find_gutter(one_col, 595) is None


def _char(text: str, x0: float, top: float) -> dict[str, object]:
    return {"text": text, "x0": x0, "x1": x0 + 5.0, "top": top, "bottom": top + 10.0}


def _line_of_chars(x0: float, x1: float, top: float) -> list[dict[str, object]]:
    """A run of 5-pt glyphs from x0 to x1, a space every sixth glyph."""
    return [_char(" " if i % 6 == 5 else "a", x, top)
            for i, x in enumerate(range(int(x0), int(x1), 5))]


def test_gutter_pre_check_passes_two_columns_and_rules_out_one() -> None:
    width, height, band = 595.0, 842.0, 0.08
    tops = range(100, 700, 14)
    two_cols = [c for t in tops for c in (*_line_of_chars(50, 250, t),
                                          *_line_of_chars(320, 540, t))]
    one_col = [c for t in tops for c in _line_of_chars(50, 540, t)]
    assert may_have_gutter(two_cols, width, height, band)
    assert not may_have_gutter(one_col, width, height, band)
    # Spaces are not ink: a column of spaces down the middle still leaves a gutter.
    spaced = [dict(c, text=" ") if 250 <= float(c["x0"]) < 320 else c  # type: ignore[arg-type]
              for c in one_col]
    assert may_have_gutter(spaced, width, height, band)


def test_gutter_pre_check_ignores_ink_whose_word_may_start_above_the_body() -> None:
    # A wide line in the header band, then glyphs stepping down 2.9 pt at a time (each
    # within a word's 3-pt tolerance of the last) into the body: their word starts in
    # the header band, so it is no body word, and it must not close the gutter.
    width, height, band = 595.0, 842.0, 0.08
    tops = range(100, 700, 14)
    two_cols = [c for t in tops for c in (*_line_of_chars(50, 250, t),
                                          *_line_of_chars(320, 540, t))]
    stair = [_char("a", 250.0 + 5 * i, 60.0 + 2.9 * i) for i in range(15)]
    assert height * band < 60.0 + 2.9 * 14  # the stair's lower glyphs are in the body band
    assert may_have_gutter(two_cols + stair, width, height, band)


def test_cells_lose_html_and_rows_are_squared() -> None:
    assert clean_cell("<ol><li>1. Fund</li><li>2. Re-<br>cruit</li></ol> &amp; more") == (
        "1. Fund 2. Re- cruit & more"
    )
    assert clean_cell("wrapped cell\ntext con-\ntinues") == "wrapped cell text continues"
    assert square_rows([["a", "b", ""], ["c", "", ""], ["", "", ""]]) == (("a", "b"), ("c", ""))


def test_two_column_page_reads_left_column_first() -> None:
    doc = read(corpus_file("two-column"))
    texts = [ln.text for ln in doc.lines()]
    assert texts, "no text read"
    # No line mixes the two columns: each line's words come from one column.
    widths = [ln.x0 for ln in doc.lines() if ln.x0 is not None]
    assert len(set(round(w, -1) for w in widths)) >= 2


def test_strategy_delivery_plan_is_read_as_ruled_tables_on_two_pages() -> None:
    doc = read(corpus_file("crossing a page break"))
    tables = list(doc.tables())
    pages = {t.page for t in tables}
    assert len(pages) >= 2
    header = tables[0].rows[0]
    assert any("Lead" in c for c in header) and any("Timescale" in c for c in header)
    # Wrapped cell lines are joined with spaces, not newlines.
    assert all("\n" not in c for t in tables for row in t.rows for c in row)
    # Running header/footer lines do not reach the text.
    assert not any(ln.text.lower().startswith("page ") for ln in doc.lines())


def test_seed_text_tables_split_where_width_grows() -> None:
    seeds = seeds_or_skip()
    path = seeds / "000_271fde890602602c.txt"
    doc = read_text(path, path.read_bytes())
    tables = list(doc.tables())
    assert len(tables) >= 2
    assert tables[0].rows[0][:2] == ("Report to", "Haringey Community Safety Partnership")
    assert tables[1].rows[0][0] == "Report to"  # <b> removed
    assert not any("<" in c for t in tables for row in t.rows for c in row)
    headings = [ln for ln in doc.lines() if ln.heading]
    assert headings[0].text == "STATUTORY RESPONSIBILITIES"


def test_markdown_pipe_table_and_html_table(tmp_path: Path) -> None:
    md = tmp_path / "note.md"
    md.write_text(
        "# Action log\n\n| Ref | Action | Owner |\n|---|---|---|\n| 1 | Circulate | JB |\n"
    )
    doc = read_text(md, md.read_bytes())
    assert list(doc.tables())[0].rows == (("Ref", "Action", "Owner"), ("1", "Circulate", "JB"))
    page = tmp_path / "p.html"
    page.write_text("<html><body><h2>Minutes</h2><p>Present: A</p><table><tr><th>Name</th>"
                    "<th>Status</th></tr><tr><td>Ann Lee</td><td>Present</td></tr></table>"
                    "</body></html>")
    hdoc = read_html(page, page.read_bytes())
    assert [ln.text for ln in hdoc.lines()] == ["Minutes", "Present: A"]
    assert list(hdoc.tables())[0].rows[1] == ("Ann Lee", "Present")


def test_empty_text_file_is_a_read_error(tmp_path: Path) -> None:
    empty = tmp_path / "blank.txt"
    empty.write_text("  \n\n")
    with pytest.raises(ReadError, match="empty"):
        read(empty)


@pytest.mark.skipif(not ocr_available() or shutil.which("tesseract") is None,
                    reason="Tesseract is not installed: OCR path not tested")
def test_scanned_minutes_are_read_by_ocr() -> None:
    doc = read(corpus_file("scanned"))
    assert doc.format == "pdf-ocr"
    assert any("OCR" in w for w in doc.warnings)
    text = doc.text
    assert "RESOLVED" in text
    assert "Minutes" in text or "MINUTES" in text
