"""Pick a reader by file content and extension; the one entry point for reading a file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest.document import Document
from ingest.errors import ReadError
from ingest.readers.text import read_html, read_text
from ingest.settings import ReadSettings

PDF_SUFFIXES = (".pdf",)
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = PDF_SUFFIXES + TEXT_SUFFIXES + HTML_SUFFIXES


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def load_readers(paths: Iterable[Path]) -> None:
    """Import the readers ``paths`` will need, ahead of reading them.

    ``read_document`` imports the PDF reader (pdfplumber, pdfminer, pypdfium2)
    on the first PDF, 0.09 s. A process about to fork parse workers calls this
    first, so that they start with the reader loaded instead of each importing
    it again on its first paper.
    """
    if any(path.suffix.lower() in PDF_SUFFIXES for path in paths):
        import ingest.readers.pdf  # noqa: F401


def read_document(path: Path, data: bytes, settings: ReadSettings | None = None) -> Document:
    """Read ``data`` (the bytes of ``path``) into a Document, or raise ReadError."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from ingest.readers.pdf import read_pdf  # pdfplumber only when a PDF is read

        return read_pdf(path, data, settings)
    if suffix in HTML_SUFFIXES:
        return read_html(path, data)
    if suffix in TEXT_SUFFIXES:
        return read_text(path, data)
    raise ReadError(f"unsupported file type {suffix or '(none)'}")
