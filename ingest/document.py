"""The reader's output: a Document of pages, lines and tables, with no parsing done.

Readers (PDF, text, markdown, HTML) all produce this shape, so every parser
is a pure function of a Document and tests can build one by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line of running text in reading order.

    ``heading`` is the reader's layout hint (a markdown heading level, or a
    larger or bold font in a PDF); ``bold`` says the whole line is bold.
    Positions are in PDF points when the source has them, else None.
    """

    text: str
    page: int
    heading: int = 0
    bold: bool = False
    size: float | None = None
    x0: float | None = None
    top: float | None = None


@dataclass(frozen=True)
class TableGrid:
    """A table as the reader found it: cells as text, rows top to bottom."""

    page: int
    rows: tuple[tuple[str, ...], ...]
    top: float | None = None
    bottom: float | None = None
    ruled: bool = True


@dataclass
class Page:
    """One page: text lines (outside tables), its tables, and running header/footer lines."""

    number: int
    lines: list[Line] = field(default_factory=list)
    tables: list[TableGrid] = field(default_factory=list)
    running: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Document:
    """A whole paper as read: where it came from, its pages, and reader warnings."""

    source: str
    sha256: str
    format: str
    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.sha256[:16]

    def lines(self) -> Iterator[Line]:
        for page in self.pages:
            yield from page.lines

    def tables(self) -> Iterator[TableGrid]:
        for page in self.pages:
            yield from page.tables

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines())


def document_from_text(text: str, source: str = "test.txt", sha256: str = "0" * 64) -> Document:
    """A one-page Document from plain lines: for tests and hand-built inputs."""
    lines = [Line(text=t.strip(), page=1) for t in text.splitlines() if t.strip()]
    return Document(source=source, sha256=sha256, format="text", pages=[Page(1, lines)])
