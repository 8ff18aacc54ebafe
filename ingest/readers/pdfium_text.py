"""Fast path: pypdfium2 reads the characters and paths, pdfplumber's functions group them.

pdfplumber (pdfminer) interprets every content stream in Python; pdfium does
it in C, about fifty times faster. For a page with no large images and no
form XObjects, ``fast_page`` gives exactly the Page ``pdf._read_page``
gives: characters are taken from pdfium with pdfminer's geometry (origin,
font size, the font dictionary's descent, Adobe core-font widths for the
standard fonts) as pdfplumber char dicts; ruled tables are found by
pdfplumber's TableFinder on edges from pdfium's paths (ruled_tables.py);
the text outside them goes to pdfplumber's own text functions
(``extract_words`` for the column gutter, ``crop_to_bbox`` for the column
parts, ``chars_to_textmap(...).extract_text_lines`` for the lines), with the
reading rules shared with pdf.py from layout.py (``column_boxes``,
``text_row_lines``).

Whatever pdfium cannot reproduce exactly returns None, and the caller reads
the page with pdfplumber: rotated or skewed text, fonts the page's resources
do not name (form XObjects), Type 3 and vertical fonts, simple fonts with
neither /Encoding nor /ToUnicode, text objects pdfium merges away, glyphs
that map to several characters, paths pdfium cannot describe, and bullets
whose reading by pdfminer (a bullet, or a zero-width '(cid:127)') would
change the page. Which reading pdfminer makes of a WinAnsi standard font's
bullet is usually settled by the page's content stream (``winansi_bullets``);
only when it is not is the page read both ways.

The loop over a page's glyphs runs in C (``_glyphs.c``, built at install
when a C compiler is present) and otherwise in Python (``_py_glyphs``); the
two give the same char dicts, floats to the last bit.

pypdfium2 is imported only here, in ruled_tables.py and in ocr.py.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.utils import chars_to_textmap, crop_to_bbox, extract_words

from ingest.document import Line, Page
from ingest.readers.layout import column_boxes, mark_headings, may_have_gutter, text_row_lines
from ingest.readers.ruled_tables import (
    PathNeedsLayout,
    find_tables,
    outside_tables,
    path_edges,
    table_grids,
)
from ingest.settings import ReadSettings

try:
    from ingest.readers import _glyphs
except ImportError:  # not built (no C compiler at install): the loop runs in Python
    _glyphs = None  # type: ignore[assignment]

IMAGE_SHARE = 0.5  # an image over this share of the page may hide a scanned text layer
BULLET = "\u2022"
CID_BULLET = "(cid:127)"  # how pdfminer may read a bullet of a standard font instead
WINANSI_BULLET = 149
WINANSI_UNUSED = (127, 129, 141, 143, 144, 157)  # pdfium: a bullet; pdfminer: '(cid:N)'
HEX_STRING_RE = re.compile(rb"(?<!<)<(?!<)")  # a '<' not part of '<<' opens a hex string
WINANSI, OTHER = "winansi", "other"  # a standard-font bullet: its font's encoding
SUBSET_RE = re.compile(r"^[A-Z]{6}\+")
HYPHEN_MARKS = {"\x02": "-", "\ufffe": "-"}  # pdfium's marker for a hyphen ending a line
SURROGATE_RE = re.compile("[\ud800-\udfff]")  # half of a character UTF-16 cannot hold in one

Char = dict[str, Any]  # a pdfplumber char dict
Bbox = tuple[float, float, float, float]


class NeedsLayout(Exception):
    """The page's text cannot be reproduced exactly from pdfium: read it with pdfplumber."""


@dataclass(frozen=True)
class FontInfo:
    """What pdfminer makes of one font dictionary, keyed by its name without subset tag."""

    fontname: str
    descent: float  # pdfminer's get_descent(): negative, per unit of font size
    afm: dict[str, int] | None  # Adobe core-font widths pdfminer uses instead of /Widths
    supported: bool = True
    winansi: bool = False  # /Encoding is the name WinAnsiEncoding, with no /Differences


FontTable = Mapping[str, FontInfo | None]


# ----------------------------------------------------------------------------- fonts


def _name(value: Any) -> str:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        return str(value.name)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _dict(value: Any) -> dict[str, Any]:
    value = resolve1(value)
    return value if isinstance(value, dict) else {}


def _font_info(spec: dict[str, Any]) -> FontInfo:
    """pdfminer's fontname, descent and width source for a font dictionary."""
    subtype = _name(spec.get("Subtype", "Type1"))
    if subtype == "Type0":
        descendants = resolve1(spec.get("DescendantFonts")) or [{}]
        sub = _dict(descendants[0])
        encoding = _name(spec.get("Encoding", ""))
        descriptor = _dict(sub.get("FontDescriptor"))
        return FontInfo(
            _name(descriptor.get("FontName", "unknown")),
            _descent(descriptor),
            None,
            supported=not encoding.endswith("-V"),
        )
    if subtype == "Type3":
        return FontInfo("unknown", 0.0, None, supported=False)
    basefont = _name(spec.get("BaseFont", "unknown"))
    if basefont in FONT_METRICS:
        afm_descriptor, widths = FONT_METRICS[basefont]
        winansi = _name(spec.get("Encoding", "")) == "WinAnsiEncoding"
        return FontInfo(str(afm_descriptor["FontName"]), _descent(afm_descriptor), widths,
                        winansi=winansi)
    descriptor = _dict(spec.get("FontDescriptor"))
    return FontInfo(
        _name(descriptor.get("FontName", "unknown")),
        _descent(descriptor),
        None,
        supported="Encoding" in spec or "ToUnicode" in spec,
    )


def _descent(descriptor: Mapping[str, Any]) -> float:
    descent = float(resolve1(descriptor.get("Descent", 0)) or 0)
    return -abs(descent) * 0.001


FontMemo = dict[int, tuple[FontInfo, frozenset[str]]]  # font object number -> its reading


def font_table(resources: Any, memo: FontMemo | None = None) -> dict[str, FontInfo | None]:
    """Fonts of a page's /Resources (a pdfminer dict), by name as pdfium reports it.

    Two fonts sharing a name but read differently map to None (ambiguous); two
    that differ only in encoding are kept, as not known to be WinAnsi. ``memo``,
    kept for one document, holds the reading of each font object, which the
    pages of a paper share: each is then read once, not once a page.
    """
    table: dict[str, FontInfo | None] = {}
    for spec_ref in _dict(_dict(resources).get("Font")).values():
        info, names = _remembered_reading(spec_ref, memo)
        for key in names:
            table[key] = _same_reading(table.get(key, info), info)
    return table


def _remembered_reading(spec_ref: Any, memo: FontMemo | None) -> tuple[FontInfo, frozenset[str]]:
    """``_font_reading`` of a font, from ``memo`` when the font object is in it already."""
    if memo is None or not isinstance(spec_ref, PDFObjRef):  # no memo, or a direct dict
        return _font_reading(_dict(spec_ref))
    reading = memo.get(spec_ref.objid)
    if reading is None:
        reading = memo[spec_ref.objid] = _font_reading(_dict(spec_ref))
    return reading


def _font_reading(spec: dict[str, Any]) -> tuple[FontInfo, frozenset[str]]:
    """A font dictionary's FontInfo, and its names as pdfium reports them (no subset tag)."""
    try:
        info = _font_info(spec)
    except (TypeError, ValueError, IndexError, KeyError):
        info = FontInfo("unknown", 0.0, None, supported=False)
    names = {_name(spec.get("BaseFont", "unknown"))}
    for ref in resolve1(spec.get("DescendantFonts")) or []:
        names.add(_name(_dict(ref).get("BaseFont", "unknown")))
    return info, frozenset(SUBSET_RE.sub("", name) for name in names)


def _same_reading(one: FontInfo | None, other: FontInfo) -> FontInfo | None:
    """What two same-named fonts have in common, or None when pdfminer reads them apart."""
    if one is None or replace(one, winansi=False) != replace(other, winansi=False):
        return None
    return one if one == other else replace(one, winansi=False)


# ----------------------------------------------------------------------------- pdfium calls


def _int_call(fn: Any, restype: Any, *argtypes: Any) -> Any:
    """pdfium's ``fn`` called with and returning plain ints (addresses).

    pypdfium2's binding type-checks every pointer argument and wraps every
    returned pointer in a new object: the four calls a glyph needs took 3.2
    microseconds that way, and take 1.3 this way. Like ``_glyph_call`` it keeps
    the GIL.
    """
    return ctypes.PYFUNCTYPE(restype, *argtypes)(_address(fn))


def _glyph_call(fn: Any, restype: Any) -> Any:
    """pdfium's ``fn`` with only its return type declared, for the calls made once a glyph.

    Declared argument types make ctypes convert each argument through a
    Python-level ``from_param``; undeclared ones are converted in C, which
    halves the cost of a call (0.5 against 0.9-1.2 microseconds). The price is
    that nothing is checked: pointers must be passed as ctypes objects
    (``c_void_p``, ``byref``), since a Python int goes over as a C int.

    ``PYFUNCTYPE``, not ``CFUNCTYPE``: the call keeps the GIL, where a C function
    type releases and takes it back around every call, a pair of mutex
    operations for a call of a fraction of a microsecond (0.41 -> 0.32
    microseconds for the origin). Nothing here runs pdfium in threads.
    """
    return ctypes.PYFUNCTYPE(restype)(_address(fn))


def _address(fn: Any) -> int:
    address = ctypes.cast(fn, ctypes.c_void_p).value
    assert address, fn  # a function pypdfium2 bound: never NULL
    return address


_INT, _PTR = ctypes.c_int, ctypes.c_void_p
# Once a glyph: (text page as c_void_p, index[, byref out-parameters]).
_TEXT_OBJECT = _glyph_call(pdfium_c.FPDFText_GetTextObject, _PTR)
_UNICODE = _glyph_call(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_MAP_ERROR = _glyph_call(pdfium_c.FPDFText_HasUnicodeMapError, _INT)
_ORIGIN = _glyph_call(pdfium_c.FPDFText_GetCharOrigin, _INT)
_LOOSE_BOX = _glyph_call(pdfium_c.FPDFText_GetLooseCharBox, _INT)
# The same four for the C loop, as addresses, in the order ``_glyphs.chars`` takes them.
_GLYPH_FUNCTIONS = tuple(_address(fn) for fn in (_TEXT_OBJECT, _MAP_ERROR, _ORIGIN, _LOOSE_BOX))
# Once an object.
_OBJ_FONT = _int_call(pdfium_c.FPDFTextObj_GetFont, _PTR, _PTR)
_OBJ_FONT_SIZE = _glyph_call(pdfium_c.FPDFTextObj_GetFontSize, _INT)  # (object, byref float)
_TEXT_MATRIX = _glyph_call(pdfium_c.FPDFText_GetMatrix, _INT)  # (text page, index, byref)
_PAGE_OBJECT = _int_call(pdfium_c.FPDFPage_GetObject, _PTR, _PTR, _INT)
_OBJECT_TYPE = _int_call(pdfium_c.FPDFPageObj_GetType, _INT, _PTR)


# ----------------------------------------------------------------------------- routing


def page_needs_layout(page: Any) -> bool:
    """True when a page must go to pdfplumber: it is a scan, has no text, or other coordinates.

    Images over half the page suggest a scan; form XObjects carry their own
    fonts and paths; rotated or offset pages use other coordinates. Ruling
    lines no longer decide: their tables are found from pdfium's paths
    (ruled_tables.py).
    """
    if page.get_rotation() % 360 or tuple(page.get_mediabox()[:2]) != (0, 0):
        return True
    area = page.get_width() * page.get_height()
    texts = 0
    for obj, kind in _top_objects(page):
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            return True
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = (ctypes.c_float() for _ in range(4))
            if not pdfium_c.FPDFPageObj_GetBounds(
                ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT), ctypes.byref(left),
                ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)
            ):
                return True  # an image pdfium cannot place: not worth the risk
            if (right.value - left.value) * (top.value - bottom.value) > area * IMAGE_SHARE:
                return True
    return texts == 0


# ----------------------------------------------------------------------------- characters


def _top_objects(page: Any) -> Iterator[tuple[int, int]]:
    """(address, pdfium type) of each object on a pypdfium2 page, forms not entered."""
    address = ctypes.cast(page.raw, ctypes.c_void_p).value
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = _PAGE_OBJECT(address, i)
        if obj:
            yield obj, _OBJECT_TYPE(obj)


def _text_objects(page: Any) -> set[int]:
    return {obj for obj, kind in _top_objects(page) if kind == pdfium_c.FPDF_PAGEOBJ_TEXT}


def page_chars(
    page: Any, fonts: FontTable, content: Callable[[], bytes | None] | None = None
) -> list[list[Char]]:
    """The page's chars as pdfplumber would list them; NeedsLayout when that is not sure.

    One list, or two when a standard-font bullet may be read by pdfminer either
    as a bullet or as a zero-width '(cid:127)': the page is then read both ways,
    unless the page's content stream (``content``) settles which.
    """
    textpage = page.get_textpage()
    try:
        plain, bullets = _chars(textpage.raw, page.get_mediabox()[3], fonts, _text_objects(page))
    finally:
        textpage.close()
    if not bullets:
        return [plain]
    verdict = None
    if content is not None and all(kind == WINANSI for kind in bullets.values()):
        verdict = winansi_bullets(content())
    if verdict == "bullet":
        return [plain]
    as_cid = [_as_cid(c) if i in bullets else c for i, c in enumerate(plain)]
    return [as_cid] if verdict == "cid" else [plain, as_cid]


def winansi_bullets(content: bytes | None) -> str | None:
    """How pdfminer reads the bullets of WinAnsi standard fonts on a page: 'bullet', 'cid' or None.

    pdfium reads code 149 and the codes WinAnsi leaves unused (127, 129, ...)
    as a bullet; pdfminer reads 149 as a bullet and the unused ones as
    '(cid:N)'. With no hex strings, a code in a string shows in the content
    stream as its byte or its three-digit octal escape: when none of the
    unused codes is present the bullets are code 149, and when 127 is the only
    candidate present they are '(cid:127)'. The same byte outside a string can
    make the answer None (unsure), never wrong.
    """
    if content is None or HEX_STRING_RE.search(content):
        return None
    unused = {code for code in WINANSI_UNUSED if _code_present(content, code)}
    if not unused:
        return "bullet"
    if unused == {127} and not _code_present(content, WINANSI_BULLET):
        return "cid"
    return None


def _code_present(content: bytes, code: int) -> bool:
    return bytes([code]) in content or b"\\%03o" % code in content


def content_bytes(page_obj: Any) -> bytes | None:
    """A pdfminer page's content streams, decoded and joined; None when they cannot be read."""
    try:
        return b"\n".join(resolve1(stream).get_data() for stream in page_obj.contents)
    except Exception:  # pdfminer raises many types on broken streams: then read both ways
        return None


def _as_cid(char: Char) -> Char:
    return {**char, "text": CID_BULLET, "x1": char["x0"], "width": 0.0}


class _ObjInfo(NamedTuple):
    """What the glyphs of one text object share, worked out once for all of them.

    A tuple, in this order, because the C loop (``_glyphs.c``) reads it by position.
    """

    fontname: str
    size: float  # font size times the vertical scale of the text matrix
    hscale: float  # font size times the horizontal scale
    drop: float  # pdfminer's descent in points: from the baseline down to the glyph's bottom
    afm: dict[str, int] | None  # as FontInfo.afm
    bullet: str  # WINANSI or OTHER: the kind of a bullet of this object in a standard font
    # pdfium maps every WinAnsi code from 32 up (tested): only a control character of
    # such a font can lack a mapping, so the other glyphs skip a call each.
    printable_mapped: bool


def _obj_info(
    page: Any, index: int, key: int, fonts: FontTable, by_font: dict[int, FontInfo]
) -> _ObjInfo:
    """What text object ``key``, whose first glyph is ``index``, gives all its glyphs.

    ``by_font`` holds the FontInfo of each pdfium font handle already seen on the
    page: a page's objects share a few fonts, whose names need not be read again.
    """
    font = _OBJ_FONT(key)
    info = by_font.get(font)
    if info is None:
        buf = ctypes.create_string_buffer(256)
        pdfium_c.FPDFFont_GetBaseFontName(ctypes.cast(font, pdfium_c.FPDF_FONT), buf, 256)
        found = fonts.get(SUBSET_RE.sub("", buf.value.decode("latin-1")))
        if found is None or not found.supported:
            raise NeedsLayout("font not in the page resources, ambiguous or unsupported")
        info = by_font[font] = found
    size = ctypes.c_float()
    _OBJ_FONT_SIZE(ctypes.c_void_p(key), ctypes.byref(size))
    matrix = pdfium_c.FS_MATRIX()
    _TEXT_MATRIX(page, index, ctypes.byref(matrix))
    if matrix.b or matrix.c or matrix.a <= 0 or matrix.d <= 0:
        raise NeedsLayout("rotated, skewed or mirrored text")
    vsize = size.value * matrix.d
    return _ObjInfo(info.fontname, vsize, size.value * matrix.a, info.descent * vsize, info.afm,
                    WINANSI if info.winansi else OTHER, info.winansi)


ObjInfoOf = Callable[[int, int], _ObjInfo]  # (text object's address, glyph index) -> its info


def _chars(
    tp: Any, height: float, fonts: FontTable, objects: set[int]
) -> tuple[list[Char], dict[int, str]]:
    """pdfplumber's char dicts for the page's glyphs, and {index: WINANSI or OTHER} for
    those that are standard-font bullets.

    The glyph loop runs in C (``_glyphs.c``) when that module was built, else in
    Python (``_py_glyphs``); both give the same chars (tests/test_pdfium_text.py).
    """
    count = pdfium_c.FPDFText_CountChars(tp)
    texts = _page_text(tp, count)
    infos: dict[int, _ObjInfo] = {}
    by_font: dict[int, FontInfo] = {}
    address = ctypes.cast(tp, ctypes.c_void_p).value or 0  # never NULL: pdfium loaded it
    page = ctypes.c_void_p(address)

    def info_of(key: int, index: int) -> _ObjInfo:
        info = infos.get(key)
        if info is None:
            info = infos[key] = _obj_info(page, index, key, fonts, by_font)
        return info

    if _glyphs is None:
        out, bullets = _py_glyphs(address, texts, height, info_of)
    else:
        out, bullets = _glyphs.chars(address, texts, height, _GLYPH_FUNCTIONS, info_of,
                                     NeedsLayout)
    if set(infos) != objects:
        raise NeedsLayout("pdfium dropped or added a text object")
    return out, bullets


def _py_glyphs(
    address: int, texts: str, height: float, info_of: ObjInfoOf
) -> tuple[list[Char], dict[int, str]]:
    """The glyph loop in Python: what ``_glyphs.chars`` does, for when it is not built.

    The hot loop of the reader (every glyph of every page), so it is written flat: one
    dict literal per glyph, in pdfplumber's top-left coordinates, PDF points.
    """
    out: list[Char] = []
    bullets: dict[int, str] = {}
    ox, oy = ctypes.c_double(), ctypes.c_double()
    box = pdfium_c.FS_RECTF()
    page = ctypes.c_void_p(address)
    x_at, y_at, box_at = ctypes.byref(ox), ctypes.byref(oy), ctypes.byref(box)
    last_key, last_x, last_y = 0, 0.0, 0.0
    for i, text in enumerate(texts):
        key = _TEXT_OBJECT(page, i)
        if not key:
            continue  # generated by pdfium: a line break or an implied space
        if key != last_key:  # a new text object: what its glyphs share, as locals
            fontname, size, hscale, drop, afm, kind, printable_mapped = info_of(key, i)
        if text == "\0" or ((text < " " or not printable_mapped) and _MAP_ERROR(page, i)):
            raise NeedsLayout("a glyph without a unicode mapping")
        text = HYPHEN_MARKS.get(text, text)
        _ORIGIN(page, i, x_at, y_at)
        x, y = ox.value, oy.value
        if key == last_key and x == last_x and y == last_y:
            raise NeedsLayout("one glyph read as several characters")
        last_key, last_x, last_y = key, x, y
        if afm is None:
            _LOOSE_BOX(page, i, box_at)
            x1 = box.right
        else:
            x1 = x + afm.get(text, 0) * hscale / 1000
            if text == BULLET:
                bullets[len(out)] = kind
        bottom = y + drop
        top = height - (bottom + size)
        out.append({
            "object_type": "char", "text": text, "fontname": fontname, "size": size,
            "upright": True, "x0": x, "x1": x1, "top": top, "bottom": height - bottom,
            "doctop": top,  # pages are read one at a time
            "width": x1 - x, "height": size,
        })
    return out, bullets


def _page_text(tp: Any, count: int) -> str:
    """The character at each index of a text page, from one pdfium call when it can be sure.

    ``FPDFText_GetText`` leaves out control characters and writes UTF-16, so its
    text lines up with the indices only when it has one unit per character and no
    surrogate pair; otherwise each character is asked for on its own, as before.
    """
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(tp, 0, count, buffer)
    text = bytes(buffer)[: 2 * count].decode("utf-16-le", "surrogatepass")
    if written == count + 1 and not SURROGATE_RE.search(text):
        return text
    page = ctypes.c_void_p(ctypes.cast(tp, ctypes.c_void_p).value)
    return "".join(chr(_UNICODE(page, i)) for i in range(count))


# ----------------------------------------------------------------------------- lines


def _lines(chars: list[Char], bbox: Bbox, number: int, settings: ReadSettings) -> list[Line]:
    """pdfplumber's ``Page.extract_text_lines`` over the chars of a page or crop box."""
    textmap = chars_to_textmap(chars, layout_bbox=bbox, x_tolerance=settings.x_tolerance)
    return text_row_lines(textmap.extract_text_lines(return_chars=True), number)


def column_lines(
    chars: list[Char], number: int, width: float, height: float, settings: ReadSettings
) -> list[Line]:
    """pdf._column_lines over char dicts: a two-column body is read left column first."""
    boxes = None
    if may_have_gutter(chars, width, height, settings.edge_band):
        boxes = column_boxes(extract_words(chars), width, height, settings.edge_band)
    if boxes is None:
        return _lines(chars, (0, 0, width, height), number, settings)
    lines: list[Line] = []
    for box in boxes:
        lines.extend(_lines(crop_to_bbox(chars, box), box, number, settings))
    return lines


# ----------------------------------------------------------------------------- entry points


def pdfium_page(
    page: Any, number: int, fonts: FontTable, settings: ReadSettings | None = None,
    content: Callable[[], bytes | None] | None = None,
) -> Page:
    """The Page (lines and ruled tables) pdf._read_page gives; NeedsLayout when not sure.

    ``fonts`` is ``font_table`` of the page's /Resources; ``content`` gives its
    content stream (``content_bytes``) should a bullet need it.
    """
    settings = settings or ReadSettings()
    _, _, width, height = page.get_mediabox()  # pdfplumber's page bbox; origin is (0, 0)
    edges = path_edges(page, height)
    first, *others = (
        _page_of(chars, edges, number, width, height, settings)
        for chars in page_chars(page, fonts, content)
    )
    if any(other != first for other in others):
        raise NeedsLayout("a bullet pdfminer may read as '(cid:127)' changes the page")
    return first


def _page_of(chars: list[Char], edges: list[Char], number: int, width: float, height: float,
             settings: ReadSettings) -> Page:
    """pdf._read_page over chars and edges: tables found, lines read outside them."""
    found = find_tables(chars, edges, width, height, settings.table_settings()) if edges else []
    if found:
        outside = outside_tables([t.bbox for t in found])
        chars = [c for c in chars if outside(c)]
    lines = mark_headings(column_lines(chars, number, width, height, settings))
    return Page(number=number, lines=lines, tables=table_grids(found, number))


def fast_page(
    page: Any, number: int, resources: Any, settings: ReadSettings | None = None,
    content: Callable[[], bytes | None] | None = None, fonts: FontMemo | None = None,
) -> Page | None:
    """A pdfium page read as pdfplumber would read it, or None when it needs pdfplumber.

    ``resources`` is the page's /Resources as pdfminer resolves them
    (``pdfplumber_page.page_obj.resources``); ``fonts`` is the document's
    ``font_table`` memo.
    """
    if page_needs_layout(page):
        return None
    try:
        return pdfium_page(page, number, font_table(resources, fonts), settings, content)
    except (NeedsLayout, PathNeedsLayout):
        return None


def read_fast_page(
    doc: Any, number: int, resources: Any, settings: ReadSettings | None = None,
    content: Callable[[], bytes | None] | None = None, fonts: FontMemo | None = None,
) -> Page | None:
    """``fast_page`` for page ``number`` (from 1) of an ``open_pdfium`` document.

    None (read it with pdfplumber) when there is no document, no such page or
    pdfium fails on it. The pdfium page is closed before returning.
    """
    if doc is None or not 0 < number <= len(doc):
        return None
    try:
        page = doc[number - 1]
    except pdfium.PdfiumError:
        return None
    try:
        return fast_page(page, number, resources, settings, content, fonts)
    except pdfium.PdfiumError:
        return None
    finally:
        page.close()


def open_pdfium(path: Any) -> Any:
    """A pypdfium2 document for ``path`` (the caller closes it), or None if pdfium cannot open it.

    The pdfplumber path then reads the file and reports why it is unreadable.
    """
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
