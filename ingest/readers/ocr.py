"""OCR for image-only pages: pypdfium2 renders, Tesseract (via pytesseract) reads.

Used only when a PDF has no text layer. Words come back with positions and
are grouped into lines by Tesseract's own block/paragraph/line numbering, so
the parsers see the same Line values as for a born-digital paper.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from ingest.document import Line, Page
from ingest.errors import ReadError

RENDER_DPI = 300
POINTS_PER_INCH = 72


def ocr_available() -> bool:
    """True when the Tesseract binary and pytesseract are both installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return True


def ocr_pdf(path: Path, max_pages: int = 200) -> list[Page]:
    """Pages of text read by OCR; raises ReadError when OCR cannot run or finds nothing."""
    import pypdfium2 as pdfium
    import pytesseract

    pdf = pdfium.PdfDocument(str(path))
    pages: list[Page] = []
    try:
        for index in range(min(len(pdf), max_pages)):
            page = pdf[index]
            image = page.render(scale=RENDER_DPI / POINTS_PER_INCH).to_pil()
            data = pytesseract.image_to_data(
                image, lang="eng", config="--psm 3", output_type=pytesseract.Output.DICT
            )
            lines = tsv_to_lines(data, index + 1, scale=POINTS_PER_INCH / RENDER_DPI)
            pages.append(Page(index + 1, lines))
            page.close()
    except pytesseract.TesseractError as exc:
        raise ReadError(f"OCR failed: {exc}") from exc
    finally:
        pdf.close()
    return pages


def tsv_to_lines(data: dict[str, list[Any]], page: int, scale: float) -> list[Line]:
    """Tesseract word rows -> Lines in reading order, positions in PDF points."""
    groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, word in enumerate(data["text"]):
        if str(word).strip() and float(data["conf"][i]) >= 0:
            groups[(data["block_num"][i], data["par_num"][i], data["line_num"][i])].append(i)
    lines: list[Line] = []
    # Word heights from OCR vary with ascenders and descenders, too much to tell
    # headings by size, so OCR lines carry positions but no size.
    for key in sorted(groups, key=lambda k: min(data["top"][i] for i in groups[k])):
        idx = sorted(groups[key], key=lambda i: data["left"][i])
        text = " ".join(str(data["text"][i]).strip() for i in idx)
        lines.append(
            Line(
                text=text,
                page=page,
                x0=round(min(data["left"][i] for i in idx) * scale, 1),
                top=round(min(data["top"][i] for i in idx) * scale, 1),
            )
        )
    return lines
