"""The pypdfium2 fast path reads every page exactly as the pdfplumber reader does.

For each corpus PDF (except the scanned one) every page is read both ways:
where the fast path takes a page, its Lines and ruled tables must equal
``pdf._read_page``'s, and it must take every page that is not a scan, a
form or rotated, ruled tables included. Bad input must never reach the fast
path. The speed-up is measured and printed, not asserted.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2.raw as pdfium_c
import pytest
from pdfplumber.utils import extract_words
from test_bad_input import BAD

from conftest import CORPUS_PDF, SEEDS
from ingest.document import Line, Page
from ingest.readers import pdfium_text, ruled_tables
from ingest.readers.layout import column_boxes, may_have_gutter
from ingest.readers.pdf import _read_page
from ingest.settings import ReadSettings
from tests.bench import reader_speed

SETTINGS = ReadSettings()
CORPUS = [p for p in sorted(CORPUS_PDF.glob("*.pdf")) if "scanned" not in p.name]


def _key(line: Line) -> tuple[str, bool, float | None, int, int]:
    return (line.text, line.bold, line.size, round(line.x0 or 0.0), round(line.top or 0.0))


def _fast_page(doc: object, number: int, page: Any, stream: bool = True,
               fonts: pdfium_text.FontMemo | None = None) -> Page | None:
    """The fast path as pdf.py takes it; ``stream=False``: without the content stream;
    ``fonts``: the document's font memo, as pdf.py keeps one."""
    content = partial(pdfium_text.content_bytes, page.page_obj) if stream else None
    return pdfium_text.read_fast_page(doc, number, page.page_obj.resources, SETTINGS, content,
                                      fonts)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_fast_pages_match_pdfplumber_tables_included(path: Path) -> None:
    doc = pdfium_text.open_pdfium(path)
    assert doc is not None
    fonts: pdfium_text.FontMemo = {}
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    ref = _read_page(page, number, SETTINGS)
                    pdfium_page = doc[number - 1]
                    needs_layout = pdfium_text.page_needs_layout(pdfium_page)
                    pdfium_page.close()
                    got = _fast_page(doc, number, page, fonts=fonts)
                    both_ways = _fast_page(doc, number, page, stream=False)
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
                assert both_ways == ref, where  # bullets read both ways, not settled
    finally:
        doc.close()


def test_tables_read_row_by_row_give_pdfplumbers_cells() -> None:
    """``ruled_tables._extract`` (each row from the chars level with it) equals
    pdfplumber's ``Table.extract`` on every ruled table of the corpus; both readers share
    it, so the page comparison above cannot see it."""
    tables = rows = 0
    for path in CORPUS:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for table in page.find_tables(SETTINGS.table_settings()):
                    assert ruled_tables._extract(table) == table.extract(), path.name
                    tables += 1
                    rows += len(table.rows)
                page.close()
    assert tables >= 5 and rows >= 50, (tables, rows)


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
                    fast += _fast_page(doc, number, page) is not None
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


def test_a_documents_font_memo_reads_each_font_once_and_changes_no_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Across a paper's pages the memo gives every page the table read afresh, and reads
    each font object once."""
    own = pdfium_text._font_reading
    reads: Counter[int] = Counter()

    def counted(spec: dict[str, Any]) -> tuple[pdfium_text.FontInfo, frozenset[str]]:
        reads[id(spec)] += 1
        return own(spec)

    several = 0
    for path in CORPUS:
        with pdfplumber.open(path) as pdf:
            fresh = [pdfium_text.font_table(p.page_obj.resources) for p in pdf.pages]
            memo: pdfium_text.FontMemo = {}
            reads.clear()
            monkeypatch.setattr(pdfium_text, "_font_reading", counted)
            kept = [pdfium_text.font_table(p.page_obj.resources, memo) for p in pdf.pages]
            monkeypatch.setattr(pdfium_text, "_font_reading", own)
            assert kept == fresh, path.name
            assert set(reads.values()) <= {1}, path.name
            several += len(pdf.pages) > 1 and 0 < sum(reads.values()) < sum(map(len, fresh))
    assert several >= 5, several


def test_pdfium_maps_every_winansi_code_from_32(tmp_path: Path) -> None:
    """What lets the glyph loop skip asking about a mapping: for a WinAnsi standard font,
    pdfium reports a glyph without a unicode mapping only for the control codes."""
    codes = range(1, 256)
    shown = b"(" + b"".join(b"\\%03o" % code for code in codes) + b") Tj"
    path = _helvetica_pdf(tmp_path / "codes.pdf", b"BT /F1 12 Tf 72 700 Td " + shown + b" ET")
    doc = pdfium_text.open_pdfium(path)
    try:
        textpage = doc[0].get_textpage()
        address = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
        unmapped = [pdfium_text._UNICODE(address, i)
                    for i in range(pdfium_c.FPDFText_CountChars(textpage.raw))
                    if pdfium_text._TEXT_OBJECT(address, i) and pdfium_text._MAP_ERROR(address, i)]
        textpage.close()
    finally:
        doc.close()
    assert unmapped == list(range(1, 32))


def test_a_control_character_of_a_winansi_font_is_declined(tmp_path: Path) -> None:
    content = b"BT /F1 12 Tf 72 700 Td (before \\001 after) Tj " + LINES + b" ET"
    path = _helvetica_pdf(tmp_path / "control.pdf", content)
    doc = pdfium_text.open_pdfium(path)
    try:
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            assert any(c["text"] == "(cid:1)" for c in page.chars)  # pdfminer's own reading
            assert _fast_page(doc, 1, page) is None
            page.close()
    finally:
        doc.close()


def test_report_speed_up_on_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    """Printed, not asserted: each reader timed in processes of its own, alternating
    (tests/bench/reader_speed.py)."""
    rows = reader_speed.compare()
    assert [row.split(":")[0] for row in rows] == ["all minutes", "minutes without tables"]
    with capsys.disabled():
        print("\n" + "\n".join(rows))


# ----------------------------------------------------------------------------- bullets


def _helvetica_pdf(path: Path, content: bytes) -> Path:
    """A one-page PDF showing ``content`` in Helvetica with /WinAnsiEncoding."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, xref)
    path.write_bytes(bytes(out))
    return path


LINES = b"0 -16 Td (the second line of the list) Tj 0 -16 Td (and a third one) Tj"


@pytest.mark.parametrize(("shown", "verdict", "reading"), [
    (b"(\\225 Bulleted item) Tj", "bullet", "\u2022"),   # WinAnsi's bullet
    (b"(\\177 Bulleted item) Tj", "cid", "(cid:127)"),   # an unused code, as reportlab writes
    (b"(\\177 One) Tj 0 -16 Td (\\225 Two) Tj", None, None),  # both: unsettled
    (b"<7F> Tj ( Bulleted item) Tj", None, "(cid:127)"),  # a hex string: unsettled
])
def test_a_bullets_reading_is_settled_by_the_content_stream(
    tmp_path: Path, shown: bytes, verdict: str | None, reading: str | None
) -> None:
    content = b"BT /F1 12 Tf 72 700 Td " + shown + b" " + LINES + b" ET"
    path = _helvetica_pdf(tmp_path / "bullets.pdf", content)
    doc = pdfium_text.open_pdfium(path)
    try:
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            texts = {c["text"] for c in page.chars}
            if reading is not None:
                assert reading in texts  # what pdfminer itself made of the glyph
            assert pdfium_text.winansi_bullets(pdfium_text.content_bytes(page.page_obj)) == verdict
            got = _fast_page(doc, 1, page)
            ref = _read_page(page, 1, SETTINGS)
            page.close()
    finally:
        doc.close()
    if verdict is not None:
        assert got == ref  # settled: one reading, and it is pdfminer's
    else:
        assert got is None or got == ref  # read both ways: declined when they differ


def test_bullet_verdicts_on_the_corpus_agree_with_pdfminer() -> None:
    """Wherever the stream settles a page's standard-font bullets, pdfminer agrees."""
    settled: Counter[str] = Counter()
    for path in CORPUS:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                verdict = pdfium_text.winansi_bullets(pdfium_text.content_bytes(page.page_obj))
                read = {c["text"] for c in page.chars if c["fontname"].startswith("Helvetica")}
                bullets = read & {pdfium_text.BULLET, pdfium_text.CID_BULLET}
                page.close()
                if not bullets:
                    continue
                assert verdict is not None, f"{path.name} page {page.page_number}"
                expected = pdfium_text.CID_BULLET if verdict == "cid" else pdfium_text.BULLET
                assert bullets == {expected}, f"{path.name} page {page.page_number}"
                settled[verdict] += 1
    assert settled["cid"] >= 10, settled


# ----------------------------------------------------------------------------- page text


def _one_by_one(textpage: Any) -> str:
    address = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    count = pdfium_c.FPDFText_CountChars(textpage.raw)
    return "".join(chr(pdfium_text._UNICODE(address, i)) for i in range(count))


def _hyphens_as_dashes(text: str) -> str:
    return "".join(pdfium_text.HYPHEN_MARKS.get(ch, ch) for ch in text)


def test_the_page_text_in_one_call_lines_up_with_the_characters() -> None:
    """On every corpus page, FPDFText_GetText gives one character per index, the one
    pdfium gives for that index alone (its marker for a line-end hyphen aside)."""
    pages = 0
    for path in CORPUS:
        doc = pdfium_text.open_pdfium(path)
        try:
            for page in doc:
                textpage = page.get_textpage()
                count = pdfium_c.FPDFText_CountChars(textpage.raw)
                bulk = pdfium_text._page_text(textpage.raw, count)
                assert len(bulk) == count
                assert _hyphens_as_dashes(bulk) == _hyphens_as_dashes(_one_by_one(textpage))
                pages += 1
                textpage.close()
                page.close()
        finally:
            doc.close()
    assert pages > 30


def test_a_page_text_that_does_not_line_up_is_read_one_character_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When pdfium leaves a character out of its text (a control character) or writes a
    surrogate pair, each character is asked for on its own, and the page reads the same."""
    path = next(p for p in CORPUS if "minutes" in p.name)
    own = pdfium_c.FPDFText_GetText
    with pdfplumber.open(path) as pdf:
        doc = pdfium_text.open_pdfium(path)
        try:
            page = pdf.pages[0]
            expected = _fast_page(doc, 1, page)
            for left_out in (True, False):  # a character left out; a surrogate pair

                def fake(tp: Any, start: int, count: int, buffer: Any, *, gap: bool = left_out
                         ) -> int:
                    written = int(own(tp, start, count, buffer))
                    if not gap:
                        buffer[0] = 0xD83D
                        return written
                    for k in range(count - 1):
                        buffer[k] = buffer[k + 1]
                    buffer[count - 1] = 0
                    return written - 1

                monkeypatch.setattr(pdfium_c, "FPDFText_GetText", fake)
                textpage = doc[0].get_textpage()
                count = pdfium_c.FPDFText_CountChars(textpage.raw)
                assert pdfium_text._page_text(textpage.raw, count) == _one_by_one(textpage)
                textpage.close()
                assert _fast_page(doc, 1, page) == expected is not None
            page.close()
        finally:
            doc.close()


# ----------------------------------------------------------------------------- the C loop


def _chars_both_ways(path: Path) -> list[tuple[str, str]]:
    """For each page of ``path`` the fast path would read: repr of page_chars (or of the
    NeedsLayout it raises) from the C glyph loop, and from the Python one."""
    loops = (pdfium_text._glyphs, None)
    out = []
    doc = pdfium_text.open_pdfium(path)
    try:
        with pdfplumber.open(path) as pdf:
            memo: pdfium_text.FontMemo = {}
            for number, page in enumerate(pdf.pages):
                pdfium_page = doc[number]
                if not pdfium_text.page_needs_layout(pdfium_page):
                    fonts = pdfium_text.font_table(page.page_obj.resources, memo)
                    both = []
                    for loop in loops:
                        pdfium_text._glyphs = loop
                        try:
                            both.append(repr(pdfium_text.page_chars(pdfium_page, fonts)))
                        except pdfium_text.NeedsLayout as exc:
                            both.append(f"NeedsLayout({exc})")
                        finally:
                            pdfium_text._glyphs = loops[0]
                    out.append((both[0], both[1]))
                pdfium_page.close()
                page.close()
    finally:
        doc.close()
    return out


def test_the_glyph_loop_in_c_is_built() -> None:
    """The install compiles ingest/readers/_glyphs.c (pyproject.toml); without it the
    reader still works, in Python, a few percent slower overall."""
    assert pdfium_text._glyphs is not None, "ingest.readers._glyphs not built: no C compiler?"


def test_the_c_and_python_glyph_loops_give_the_same_chars(tmp_path: Path) -> None:
    """Every char dict of every fast-path page, floats to the last bit (repr), and the
    same pages declined for the same reason: corpus, seeds, and pages made to be declined
    (control characters) or read with bullets."""
    made = [
        _helvetica_pdf(tmp_path / "codes.pdf", b"BT /F1 12 Tf 72 700 Td ("
                       + b"".join(b"\\%03o" % code for code in range(1, 256)) + b") Tj ET"),
        _helvetica_pdf(tmp_path / "printable.pdf", b"BT /F1 12 Tf 72 700 Td ("
                       + b"".join(b"\\%03o" % code for code in range(32, 256)) + b") Tj ET"),
        _helvetica_pdf(tmp_path / "control.pdf", b"BT /F1 12 Tf 72 700 Td (a \\037 b) Tj ET"),
        _helvetica_pdf(tmp_path / "bullets.pdf",
                       b"BT /F1 12 Tf 72 700 Td (\\225 One) Tj " + LINES + b" ET"),
    ]
    seeds = sorted(SEEDS.glob("*.pdf")) if SEEDS.is_dir() else []
    pages = [pair for path in [*CORPUS, *seeds, *made] for pair in _chars_both_ways(path)]
    assert len(pages) > 40
    for c_chars, py_chars in pages:
        assert c_chars == py_chars
    declined = [c for c, _ in pages if c.startswith("NeedsLayout")]
    assert declined == ["NeedsLayout(a glyph without a unicode mapping)"] * 2  # codes, control
    bullet = repr(pdfium_text.BULLET)
    assert sum(bullet in c for c, _ in pages) >= 2  # the bullets of made and corpus pages
