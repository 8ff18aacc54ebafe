#!/usr/bin/env python3
"""Render the minutebook sample corpus.

Every file in corpus/sources/ becomes corpus/pdf/<name>.pdf:

* ``*.md``   (the corpus markup, see corpus/README.md) -> reportlab
* ``*.html`` -> LibreOffice (``soffice --headless``, Writer PDF export)
* a ``*.md`` whose front matter says ``producer: scanned`` is rendered with
  reportlab, rasterised with ``pdftoppm -r 200`` and reassembled as an
  image-only PDF (no text layer), like a paper copy run through a scanner.

Then corpus/manifest.json is written from the front matter (markdown) or the
``<meta name="mb:...">`` tags (HTML).

Usage:  python corpus/render.py [--only NAME ...] [--skip-libreoffice]

Needs reportlab (and Pillow, which reportlab depends on); soffice for the
HTML sources; pdftoppm for the scanned one. Output is deterministic: reportlab
runs in invariant mode (no timestamps); the creation date, document id and
checksum LibreOffice stamps into its PDFs are overwritten with values derived
from the source (same byte length, so the xref table stays valid).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen import canvas as rl_canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
PDF_DIR = HERE / "pdf"
MANIFEST = HERE / "manifest.json"

RAG_COLOURS = {
    "R": colors.HexColor("#f4b6b6"),
    "A": colors.HexColor("#f9d99a"),
    "G": colors.HexColor("#bfe3b4"),
}

# --------------------------------------------------------------------------
# source parsing


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    meta: dict[str, str] = {}
    if not text.startswith("---\n"):
        return meta, text
    end = text.index("\n---\n", 4)
    for line in text[4:end].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, text[end + 5 :]


def inline(text: str) -> str:
    """Corpus inline markup -> reportlab paragraph markup."""
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", text)
    text = re.sub(r"\^(\w+?)\^", r"<super>\1</super>", text)
    text = re.sub(r"__(.+?)__", r"<u>\1</u>", text)
    return text


def parse_blocks(body: str) -> list[tuple]:  # noqa: C901 - one flat dispatch over line kinds
    """Return a list of blocks: (kind, payload...)."""
    blocks: list[tuple] = []
    lines = body.splitlines()
    i = 0
    para: list[str] = []
    table_opts: dict[str, str] = {}

    def flush_para() -> None:
        if para:
            joined = ""
            for part in para:
                if joined.endswith("\\"):
                    joined = joined[:-1].rstrip() + "<br/>" + part
                else:
                    joined = (joined + " " + part) if joined else part
            blocks.append(("para", joined, para_style[0]))
            para.clear()

    para_style = ["body"]
    while i < len(lines):
        raw = lines[i]
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush_para()
            para_style[0] = "body"
            i += 1
            continue
        if stripped == "---page---":
            flush_para()
            blocks.append(("pagebreak",))
        elif stripped.startswith("::: columns"):
            flush_para()
            blocks.append(("columns_start",))
        elif stripped == ":::":
            flush_para()
            blocks.append(("columns_end",))
        elif stripped == "[[colbreak]]":
            flush_para()
            blocks.append(("colbreak",))
        elif stripped == "[[space]]":
            flush_para()
            blocks.append(("space",))
        elif stripped.startswith("{table"):
            flush_para()
            table_opts = dict(re.findall(r"(\w+)=(\S+)", stripped.strip("{}")))
        elif stripped.startswith("|"):
            flush_para()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row_line = lines[i].strip()
                if not re.fullmatch(r"\|[\s:|-]+\|", row_line):
                    cells = [c.strip() for c in row_line.strip("|").split("|")]
                    rows.append(cells)
                i += 1
            blocks.append(("table", rows, table_opts))
            table_opts = {}
            continue
        elif m := re.match(r"(#{1,4})\s+(.*)", stripped):
            flush_para()
            blocks.append(("heading", len(m.group(1)), m.group(2)))
        elif m := re.match(r"(\s*)[-•]\s+(.*)", line):
            flush_para()
            level = 1 + len(m.group(1)) // 2
            text = m.group(2)
            # continuation lines indented deeper than the marker
            while (
                i + 1 < len(lines)
                and lines[i + 1].startswith(" " * (len(m.group(1)) + 2))
                and not re.match(r"\s*[-•]\s", lines[i + 1])
                and lines[i + 1].strip()
            ):
                i += 1
                text += " " + lines[i].strip()
            blocks.append(("bullet", level, text))
        elif m := re.match(
            r":(center|right|small|signature|title|subtitle|indent|label):\s*(.*)", stripped
        ):
            flush_para()
            para_style[0] = m.group(1)
            para.append(m.group(2))
        else:
            para.append(stripped)
        i += 1
    flush_para()
    return blocks


# --------------------------------------------------------------------------
# reportlab rendering


def make_styles(meta: dict[str, str]) -> dict[str, ParagraphStyle]:
    serif = meta.get("font", "sans") == "serif"
    base = "Times-Roman" if serif else "Helvetica"
    bold = "Times-Bold" if serif else "Helvetica-Bold"
    size = float(meta.get("fontsize", "10.5" if not serif else "11.5"))
    lead = size * 1.3
    st: dict[str, ParagraphStyle] = {}
    st["body"] = ParagraphStyle(
        "body", fontName=base, fontSize=size, leading=lead, spaceAfter=size * 0.6
    )
    st["center"] = ParagraphStyle("center", parent=st["body"], alignment=TA_CENTER)
    st["right"] = ParagraphStyle("right", parent=st["body"], alignment=TA_RIGHT)
    st["small"] = ParagraphStyle(
        "small", parent=st["body"], fontSize=size - 2, leading=(size - 2) * 1.25
    )
    st["indent"] = ParagraphStyle("indent", parent=st["body"], leftIndent=10 * mm)
    st["label"] = ParagraphStyle(
        "label", parent=st["body"], fontName=bold, spaceAfter=2, spaceBefore=4
    )
    st["signature"] = ParagraphStyle("signature", parent=st["body"], spaceBefore=14 * mm)
    st["title"] = ParagraphStyle(
        "title",
        parent=st["body"],
        fontName=bold,
        fontSize=size + 5,
        leading=(size + 5) * 1.25,
        alignment=TA_CENTER if meta.get("title_align", "center") == "center" else TA_LEFT,
        spaceAfter=8,
    )
    st["subtitle"] = ParagraphStyle(
        "subtitle",
        parent=st["body"],
        fontName=bold,
        fontSize=size + 1.5,
        leading=(size + 1.5) * 1.3,
        alignment=TA_CENTER if meta.get("title_align", "center") == "center" else TA_LEFT,
    )
    for lvl, extra in ((1, 4), (2, 2), (3, 0.5), (4, 0)):
        st[f"h{lvl}"] = ParagraphStyle(
            f"h{lvl}",
            parent=st["body"],
            fontName=bold,
            fontSize=size + extra,
            leading=(size + extra) * 1.3,
            spaceBefore=size * (1.0 if lvl < 3 else 0.6),
            spaceAfter=size * 0.4,
            keepWithNext=1,
        )
    st["bullet1"] = ParagraphStyle(
        "bullet1", parent=st["body"], leftIndent=8 * mm, bulletIndent=3 * mm, spaceAfter=size * 0.35
    )
    st["bullet2"] = ParagraphStyle(
        "bullet2",
        parent=st["body"],
        leftIndent=15 * mm,
        bulletIndent=10 * mm,
        spaceAfter=size * 0.3,
    )
    st["cell"] = ParagraphStyle(
        "cell", parent=st["body"], fontSize=size - 1.5, leading=(size - 1.5) * 1.22, spaceAfter=0
    )
    st["cellhead"] = ParagraphStyle("cellhead", parent=st["cell"], fontName=bold)
    return st


def build_table(rows: list[list[str]], opts: dict[str, str], st, width: float) -> Table:
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    if "widths" in opts:
        parts = [float(x) for x in opts["widths"].split(",")]
        total = sum(parts)
        col_widths = [width * p / total for p in parts]
    else:
        col_widths = [width / ncols] * ncols
    header = opts.get("header", "1") != "0"
    data = []
    rag_cells = []
    for r, row in enumerate(rows):
        out = []
        for c, cell in enumerate(row):
            style = (
                st["cellhead"]
                if (header and r == 0) or (opts.get("boldfirst") == "1" and c == 0)
                else st["cell"]
            )
            text = inline(cell).replace("&lt;br&gt;", "<br/>")
            out.append(Paragraph(text, style))
            if opts.get("rag") == "1" and cell.strip() in RAG_COLOURS and not (header and r == 0):
                rag_cells.append((c, r, cell.strip()))
        data.append(out)
    table = Table(
        data,
        colWidths=col_widths,
        repeatRows=1 if header and opts.get("repeat", "1") == "1" else 0,
        hAlign="LEFT",
    )
    cmds = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(opts.get("headbg", "#d9d9d9"))))
    if opts.get("boldfirst") == "1":
        cmds.append(("BACKGROUND", (0, 1 if header else 0), (0, -1), colors.HexColor("#eeeeee")))
    for c, r, v in rag_cells:
        cmds.append(("BACKGROUND", (c, r), (c, r), RAG_COLOURS[v]))
    table.setStyle(TableStyle(cmds))
    return table


def make_canvas_class(meta: dict[str, str]):  # noqa: C901
    header_l = meta.get("header", "")
    header_r = meta.get("header_right", "")
    footer_l = meta.get("footer", "")
    footer_c = meta.get("footer_center", "")
    footer_r = meta.get("footer_right", "")
    first = meta.get("running_on_first", "1") == "1"
    font = "Times-Roman" if meta.get("font") == "serif" else "Helvetica"

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so running text can say 'Page n of N'."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._running(total)
                super().showPage()
            super().save()

        def _running(self, total: int) -> None:
            n = self._pageNumber
            if n == 1 and not first:
                return
            w, h = A4
            self.saveState()
            self.setFont(font, 8.5)
            fill = lambda s: s.replace("{page}", str(n)).replace("{pages}", str(total))  # noqa: E731
            if header_l:
                self.drawString(20 * mm, h - 12 * mm, fill(header_l))
            if header_r:
                self.drawRightString(w - 20 * mm, h - 12 * mm, fill(header_r))
            if header_l or header_r:
                self.setLineWidth(0.4)
                self.line(20 * mm, h - 13.5 * mm, w - 20 * mm, h - 13.5 * mm)
            if footer_l:
                self.drawString(20 * mm, 10 * mm, fill(footer_l))
            if footer_c:
                self.drawCentredString(w / 2, 10 * mm, fill(footer_c))
            if footer_r:
                self.drawRightString(w - 20 * mm, 10 * mm, fill(footer_r))
            self.restoreState()

    return NumberedCanvas


def render_reportlab(src: Path, out: Path, meta: dict[str, str], body: str) -> None:
    st = make_styles(meta)
    w, h = A4
    lm = float(meta.get("margin", "22")) * mm
    top = 22 * mm
    bottom = 20 * mm
    frame_w = w - 2 * lm
    doc = BaseDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=lm,
        rightMargin=lm,
        topMargin=top,
        bottomMargin=bottom,
        title=meta.get("title", ""),
        author=meta.get("pdf_author", "Haringey Community Safety Partnership"),
        subject=meta.get("body", ""),
        creator="minutebook corpus/render.py",
        producer="ReportLab PDF Library",
    )
    single = Frame(
        lm, bottom, frame_w, h - top - bottom, id="single", leftPadding=0, rightPadding=0
    )
    gap = 8 * mm
    col_w = (frame_w - gap) / 2
    left = Frame(lm, bottom, col_w, h - top - bottom, id="left", leftPadding=0, rightPadding=0)
    right = Frame(
        lm + col_w + gap, bottom, col_w, h - top - bottom, id="right", leftPadding=0, rightPadding=0
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="normal", frames=[single]),
            PageTemplate(id="twocol", frames=[left, right]),
        ]
    )
    story = []
    in_cols = False
    for block in parse_blocks(body):
        kind = block[0]
        if kind == "para":
            story.append(Paragraph(inline(block[1]).replace("&lt;br/&gt;", "<br/>"), st[block[2]]))
        elif kind == "heading":
            story.append(Paragraph(inline(block[2]), st[f"h{block[1]}"]))
        elif kind == "bullet":
            level = min(block[1], 2)
            story.append(
                Paragraph(
                    inline(block[2]), st[f"bullet{level}"], bulletText="•" if level == 1 else "–"
                )
            )
        elif kind == "table":
            width = col_w if in_cols else frame_w
            story.append(CondPageBreak(25 * mm))
            story.append(build_table(block[1], block[2], st, width))
            story.append(Spacer(1, 4 * mm))
        elif kind == "pagebreak":
            story.append(PageBreak())
        elif kind == "colbreak":
            story.append(FrameBreak())
        elif kind == "space":
            story.append(Spacer(1, 6 * mm))
        elif kind == "columns_start":
            story.append(NextPageTemplate("twocol"))
            story.append(PageBreak())
            in_cols = True
        elif kind == "columns_end":
            story.append(NextPageTemplate("normal"))
            story.append(PageBreak())
            in_cols = False
    doc.build(story, canvasmaker=make_canvas_class(meta))


# --------------------------------------------------------------------------
# scanned documents


def render_scanned(src: Path, out: Path, meta: dict[str, str], body: str) -> None:
    from PIL import Image, ImageFilter

    # a fixed working path: reportlab names embedded images after their file
    # name, so a random temporary directory would make the output differ
    tmp = Path(tempfile.gettempdir()) / f"minutebook-scan-{src.stem}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        clean = Path(tmp) / "clean.pdf"
        render_reportlab(src, clean, meta, body)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-gray", "-png", str(clean), str(Path(tmp) / "pg")],
            check=True,
        )
        pngs = sorted(Path(tmp).glob("pg-*.png"))
        c = rl_canvas.Canvas(str(out), pagesize=A4, invariant=1)
        c.setTitle("")  # a scanner leaves no metadata worth having
        c.setProducer("ScanSnap Manager (simulated)")
        c.setCreator("")
        for k, png in enumerate(pngs):
            im = Image.open(png).convert("L")
            # a slight skew and softening, as a sheet fed through a scanner
            angle = (0.35, -0.5, 0.25, -0.3)[k % 4]
            im = im.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
            im = im.filter(ImageFilter.GaussianBlur(0.6))
            # greyish paper tone
            im = im.point(lambda v: int(30 + v * 0.86))
            fixed = Path(tmp) / f"scan-{k:02d}.png"
            im.save(fixed, optimize=False)
            c.drawImage(str(fixed), 0, 0, width=A4[0], height=A4[1])
            c.showPage()
        c.save()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# LibreOffice


def html_meta(text: str) -> dict[str, str]:
    return {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'<meta\s+name="mb:(\w+)"\s+content="([^"]*)"\s*/?>', text)
    }


def render_libreoffice(src: Path, out: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("soffice not found: cannot render " + src.name)
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        cmd = [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--infilter=HTML (StarWriter)",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(src),
        ]
        env = dict(os.environ, SOURCE_DATE_EPOCH="0", TZ="UTC")
        subprocess.run(
            cmd,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            timeout=240,
        )
        produced = Path(tmp) / (src.stem + ".pdf")
        data = pin_libreoffice(produced.read_bytes(), src.read_bytes())
        out.write_bytes(data)


def pin_libreoffice(data: bytes, source: bytes) -> bytes:
    """Make a LibreOffice PDF reproducible: replace its creation date and
    document id with values derived from the source, keeping every byte
    length (and so the cross-reference offsets) unchanged."""
    import hashlib

    digest = hashlib.md5(source).hexdigest().upper().encode()

    def fix_date(m: re.Match) -> bytes:
        value = m.group(2)
        fixed = b"20000101000000Z"[: len(value)].ljust(len(value), b"0")
        return m.group(1) + fixed + b")"

    data = re.sub(rb"(/(?:CreationDate|ModDate)\(D:)([^)]*)\)", fix_date, data)
    data = re.sub(rb"<[0-9A-F]{32}>", b"<" + digest + b">", data)
    data = re.sub(rb"/DocChecksum /[0-9A-F]{32}", b"/DocChecksum /" + digest, data)
    return data


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="render only these source names (stems)")
    ap.add_argument(
        "--skip-libreoffice", action="store_true", help="keep existing LibreOffice PDFs"
    )
    args = ap.parse_args(argv)
    PDF_DIR.mkdir(exist_ok=True)
    manifest = []
    for src in sorted(SOURCES.iterdir()):
        if src.suffix not in (".md", ".html"):
            continue
        name = src.stem
        out = PDF_DIR / f"{name}.pdf"
        text = src.read_text(encoding="utf-8")
        if src.suffix == ".md":
            meta, body = split_front_matter(text)
        else:
            meta, body = html_meta(text), text
            meta.setdefault("producer", "libreoffice")
        producer = meta.get("producer", "reportlab")
        wanted = not args.only or name in args.only
        if wanted and not (producer == "libreoffice" and args.skip_libreoffice and out.exists()):
            print(f"render {name} ({producer})", file=sys.stderr)
            if producer == "reportlab":
                render_reportlab(src, out, meta, body)
            elif producer == "scanned":
                render_scanned(src, out, meta, body)
            elif producer == "libreoffice":
                render_libreoffice(src, out)
            else:
                raise ValueError(f"{src.name}: unknown producer {producer!r}")
        date = meta.get("date") or None
        manifest.append(
            {
                "file": f"pdf/{name}.pdf",
                "title": meta["title"],
                "body": meta.get("body", "Haringey Community Safety Partnership"),
                "date": date if date and date != "null" else None,
                "doc_type": meta["doc_type"],
                "layout_notes": meta.get("layout_notes", ""),
            }
        )
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} entries to {MANIFEST.relative_to(HERE.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
