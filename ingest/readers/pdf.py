"""PDF reader: the only module that opens PDFs with pdfplumber.

Returns a Document of lines in reading order (two-column pages read column
by column, running headers and footers removed) and ruled tables as cell
grids. Pages are read through pypdfium2 (pdfium_text.read_fast_page), which
gives the same lines and tables much faster; a page it cannot reproduce
exactly (a scan, a rotated page, form XObjects) is read by pdfplumber. Every
page is closed as soon as it has been read, which keeps memory flat on long
papers.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException

from ingest.document import Document, Line, Page
from ingest.errors import ReadError
from ingest.readers.layout import (
    column_boxes,
    mark_headings,
    strip_running_lines,
    text_row_lines,
)
from ingest.readers.ocr import ocr_available, ocr_pdf
from ingest.readers.pdfium_text import FontMemo, content_bytes, open_pdfium, read_fast_page
from ingest.readers.ruled_tables import outside_tables, table_grids
from ingest.settings import ReadSettings


def read_pdf(path: Path, data: bytes, settings: ReadSettings | None = None) -> Document:
    """Read a PDF's text layer; raise ReadError with a one-line reason when it cannot."""
    settings = settings or ReadSettings()
    check_pdf_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    pages: list[Page] = []
    fast_doc = None
    fonts: FontMemo = {}
    try:
        fast_doc = open_pdfium(path)
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    pages.append(_read_any_page(fast_doc, page, number, settings, fonts))
                finally:
                    page.close()
    except ReadError:
        raise
    except PdfminerException as exc:
        raise ReadError(_pdfminer_reason(exc)) from exc
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise ReadError(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        if fast_doc is not None:
            fast_doc.close()
    doc = Document(source=str(path), sha256=sha, format="pdf", pages=pages)
    if not any(p.lines or p.tables for p in doc.pages):
        doc.pages = _ocr_pages(path)
        doc.format = "pdf-ocr"
        doc.warnings.append("no text layer: read by OCR, check names and figures")
    doc.pages = strip_running_lines(doc.pages)
    return doc


def _ocr_pages(path: Path) -> list[Page]:
    """The pages of an image-only PDF read by OCR, or a ReadError saying why not."""
    if not ocr_available():
        raise ReadError(
            "no text layer (image-only or scanned PDF) and OCR is not installed: "
            "install tesseract-ocr to read it"
        )
    pages = ocr_pdf(path)
    if not any(p.lines for p in pages):
        raise ReadError("no text layer (image-only PDF) and OCR found no text")
    return pages


def check_pdf_bytes(data: bytes) -> None:
    """Reject what is not a PDF before pdfminer sees it, naming what it is instead."""
    if not data:
        raise ReadError("empty file (0 bytes)")
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ReadError("truncated PDF (no end-of-file marker)")
        return
    lowered = head[:200].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        raise ReadError("not a PDF: the file is HTML")
    raise ReadError("not a PDF: no %PDF header")


def _pdfminer_reason(exc: Exception) -> str:
    text = repr(exc)
    if "PDFPasswordIncorrect" in text or "password" in text.lower():
        return "encrypted PDF (password required)"
    return f"unreadable PDF ({text[:120]})"


def _read_any_page(
    fast_doc: Any, page: Any, number: int, settings: ReadSettings, fonts: FontMemo
) -> Page:
    """A page from pdfium's fast path when it can reproduce it exactly, else from pdfplumber.

    ``fonts`` is the document's font memo (``pdfium_text.font_table``).
    """
    fast = read_fast_page(fast_doc, number, page.page_obj.resources, settings,
                          partial(content_bytes, page.page_obj), fonts)
    return fast if fast is not None else _read_page(page, number, settings)


def _read_page(page: Any, number: int, settings: ReadSettings) -> Page:
    found = page.find_tables(table_settings=settings.table_settings())
    text_page = page.filter(outside_tables([t.bbox for t in found])) if found else page
    lines = _column_lines(text_page, number, settings)
    return Page(number=number, lines=mark_headings(lines), tables=table_grids(found, number))


def _column_lines(page: Any, number: int, settings: ReadSettings) -> list[Line]:
    """Lines in reading order; a two-column body is read left column first."""
    boxes = column_boxes(page.extract_words(), page.width, page.height, settings.edge_band)
    parts = [page] if boxes is None else [page.crop(box, strict=False) for box in boxes]
    lines: list[Line] = []
    for part in parts:
        rows = part.extract_text_lines(return_chars=True, x_tolerance=settings.x_tolerance)
        lines.extend(text_row_lines(rows, number))
    return lines
