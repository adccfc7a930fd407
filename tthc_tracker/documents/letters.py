"""Apology letters as .docx: the shipped templates, rendering, template checks, print bundles.

The only module importing docx/docxtpl for letters. Every value comes ready-made from
:func:`tthc_tracker.domain.letters.letter_fields`; this module decides the layout (ND 30/2020,
Phụ lục I) and the wording around the fields, which an office may then edit in Word.

Rendering uses docxtpl with ``autoescape=True`` and ``StrictUndefined``: "&" and "<" print as
typed, and a field the template needs but the data lacks is an error, never a blank.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO, Any

import docx
import jinja2
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.document import DocumentPart
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate

from tthc_tracker.domain.errors import InvalidChoiceError, TthcError
from tthc_tracker.domain.letters import Template
from tthc_tracker.i18n import _

FONT = "Times New Roman"
LANGUAGE = "vi-VN"

# A4 portrait, ND 30/2020: top/bottom 20 mm, left 30 mm, right 15 mm → 165 mm of text.
_PAGE = (Mm(210), Mm(297))
_MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}
_COLUMNS_MM = (70, 95)  # header and signature tables: ~42 % | ~58 % of 165 mm
_CELL_PADDING_MM = 1.9  # Word's default left/right cell margin (108 twips) on each side
_UNIT_RULE_MM = 24  # 1/3 to 1/2 of the issuing unit's line
_MOTTO_RULE_MM = 56  # as wide as "Độc lập - Tự do - Hạnh phúc" in 13 pt bold

_PLACEHOLDER = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


class TemplateError(TthcError):
    """A letter template (or a letter file) cannot be used: unreadable, bad syntax, a field
    missing from the data."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(str(path), problem)
        self.path = path
        self.problem = problem

    def message(self) -> str:
        return _("Mẫu văn bản “{path}”: {problem}.").format(path=self.path, problem=self.problem)


# --- wording ---------------------------------------------------------------------------

_TITLES = {
    Template.TT03_2025: "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    Template.TT01_2018: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
}
_SUBJECT = "V/v xin lỗi đối với hồ sơ giải quyết quá hạn và hẹn lại thời gian trả kết quả"

# BM.04 (QĐ 3621/QĐ-BYT, TT 03/2025), domain.md §3.1, with the fields substituted.
_FORM_BODY = (
    "Vào {{ ngay_tiep_nhan }}, {{ ten_co_quan }} tiếp nhận giải quyết hồ sơ đề nghị giải "
    "quyết thủ tục hành chính {{ ten_thu_tuc }} của {{ xung_ho }}; số định danh: "
    "{{ so_dinh_danh }}; mã số hồ sơ: {{ ma_ho_so }}.",
    "Thời gian hẹn trả kết quả giải quyết hồ sơ: {{ han_tra_cu }}.",
    "Tuy nhiên đến nay, {{ ten_co_quan }} chưa trả kết quả giải quyết hồ sơ của {{ xung_ho }} "
    "đúng thời hạn quy định ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
    "Lý do: {{ ly_do }}",
    "{{ ten_co_quan }} xin trân trọng gửi lời xin lỗi đến {{ xung_ho }} vì sự chậm trễ trong "
    "quá trình giải quyết hồ sơ có thể gây phiền hà, tốn kém về chi phí, công sức của "
    "{{ xung_ho }}.",
    "{{ ten_co_quan }} xin lỗi {{ xung_ho }} và {{ tra_ket_qua }} {{ han_tra_moi }}.",
    "Mong nhận được sự thông cảm của {{ xung_ho }} vì sự chậm trễ này./.",
)

# The công văn of a provincial centre (Thanh Hóa): the same facts, in letter form.
_CONG_VAN_BODY = (
    "Vào {{ ngay_tiep_nhan }}, {{ ten_co_quan }} tiếp nhận hồ sơ đề nghị giải quyết thủ tục "
    "hành chính {{ ten_thu_tuc }} của {{ xung_ho }} (số định danh: {{ so_dinh_danh }}; mã số "
    "hồ sơ: {{ ma_ho_so }}), thời gian hẹn trả kết quả: {{ han_tra_cu }}.",
    "Tuy nhiên đến nay, hồ sơ của {{ xung_ho }} chưa được giải quyết đúng thời hạn ghi trên "
    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
    "Lý do: {{ ly_do }}",
    "{{ ten_co_quan }} trân trọng xin lỗi {{ xung_ho }} vì sự chậm trễ này, có thể gây phiền "
    "hà, tốn kém về chi phí, công sức của {{ xung_ho }}, và {{ tra_ket_qua }} "
    "{{ han_tra_moi }}.",
    "Mong nhận được sự thông cảm của {{ xung_ho }}./.",
)


# --- paragraph looks -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Look:
    size: float
    bold: bool = False
    italic: bool = False
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER
    before: float = 0
    after: float = 0
    first_line: Length | None = None
    line: float = 1.0


_PARENT = _Look(13)
_UNIT = _Look(13, bold=True)
_NUMBER = _Look(13, before=6)
_SUBJECT_LOOK = _Look(12, before=2)
_NATION = _Look(12, bold=True)
_MOTTO = _Look(13, bold=True)
_DATE = _Look(14, italic=True, before=6)
_TITLE = _Look(14, bold=True, before=18, after=6)
_ADDRESSEE = _Look(14, before=6, after=12)
_BODY = _Look(14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, first_line=Cm(1.27), line=1.15)
_SIGNER_TITLE = _Look(14, bold=True, before=6)
_SIGN_HINT = _Look(13, italic=True)
_SIGNER = _Look(14, bold=True, before=72)
_CC_HEAD = _Look(12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
_CC = _Look(11, align=WD_ALIGN_PARAGRAPH.LEFT)


def _write(paragraph: Paragraph, text: str, look: _Look) -> Paragraph:
    """Fill ``paragraph``: each ``{{ … }}`` / ``{% … %}`` tag in a run of its own."""
    fmt = paragraph.paragraph_format
    fmt.alignment = look.align
    fmt.space_before = Pt(look.before)
    fmt.space_after = Pt(look.after)
    fmt.line_spacing = look.line
    if look.first_line is not None:
        fmt.first_line_indent = look.first_line
    for piece in _PLACEHOLDER.split(text):
        if piece:
            run = paragraph.add_run(piece)
            run.font.size = Pt(look.size)
            run.bold = look.bold or None
            run.italic = look.italic or None
    return paragraph


def _fill_cell(cell: _Cell, lines: Sequence[tuple[str, _Look]]) -> None:
    for index, (text, look) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _write(paragraph, text, look)


# --- low-level XML ---------------------------------------------------------------------

_PBDR_SUCCESSORS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_TBLBORDERS_SUCCESSORS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
    "w:tblPrChange",
)  # fmt: skip
_LANG_SUCCESSORS = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def _element(tag: str, **attributes: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _rule(cell: _Cell, width_mm: float, cell_mm: float) -> None:
    """A short centred horizontal line: the top border of a tiny empty paragraph whose
    indents leave ``width_mm`` between them."""
    side = Mm(max(cell_mm - 2 * _CELL_PADDING_MM - width_mm, 0) / 2)
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before = Pt(3)  # a gap between the words and the line
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = _element("w:pBdr")
    borders.append(_element("w:top", val="single", sz="6", space="1", color="000000"))
    ppr.insert_element_before(borders, *_PBDR_SUCCESSORS)
    mark = _element("w:rPr")
    mark.append(_element("w:sz", val="4"))
    ppr.insert_element_before(mark, "w:sectPr", "w:pPrChange")


def _borderless_table(document: DocxDocument, rows: int) -> Table:
    """A table without borders, fixed column widths on the grid, the cells and the table."""
    table: Table = document.add_table(rows=rows, cols=len(_COLUMNS_MM))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = _element("w:tblW")
        successors = ("w:jc", "w:tblInd", "w:tblBorders", *_TBLBORDERS_SUCCESSORS)
        tbl_pr.insert_element_before(width, *successors)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(Mm(sum(_COLUMNS_MM)).twips))
    borders = _element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(f"w:{side}", val="nil"))
    tbl_pr.insert_element_before(borders, *_TBLBORDERS_SUCCESSORS)
    for column, mm in zip(table.columns, _COLUMNS_MM, strict=True):
        column.width = Mm(mm)
        for cell in column.cells:
            cell.width = Mm(mm)
    return table


# --- document set-up -------------------------------------------------------------------


def _fix_fonts(rpr: BaseOxmlElement) -> None:
    """Times New Roman in all four slots, no theme fonts, language vi-VN."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _element("w:rFonts")
        rpr.insert(0, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = _element("w:lang")
        rpr.insert_element_before(lang, *_LANG_SUCCESSORS)
    for name in list(lang.attrib):
        del lang.attrib[name]
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _set_up_defaults(styles: BaseOxmlElement) -> None:
    """docDefaults: Times New Roman 14 pt vi-VN, no paragraph spacing, single lines."""
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}") if defaults is not None else None
    if rpr is None or ppr is None:
        raise RuntimeError("python-docx's default template has no w:docDefaults")
    _fix_fonts(rpr)
    for size in (*rpr.findall(qn("w:sz")), *rpr.findall(qn("w:szCs"))):
        size.set(qn("w:val"), "28")
    for spacing in ppr.findall(qn("w:spacing")):
        spacing.attrib.clear()
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")


def _set_up_styles(document: DocxDocument) -> None:
    styles = document.styles.element
    for fonts in styles.iter(qn("w:rFonts")):  # headings etc.: drop theme fonts too
        for name in [n for n in fonts.attrib if n.endswith(("Theme", "theme"))]:
            del fonts.attrib[name]
    _set_up_defaults(styles)
    normal = document.styles["Normal"]
    _fix_fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _new_document(title: str) -> DocxDocument:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = _PAGE
    section.top_margin = Mm(_MARGINS["top"])
    section.bottom_margin = Mm(_MARGINS["bottom"])
    section.left_margin = Mm(_MARGINS["left"])
    section.right_margin = Mm(_MARGINS["right"])
    section.header_distance = section.footer_distance = Mm(10)
    _set_up_styles(document)
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = "tthc-tracker"
    props.language = LANGUAGE
    props.comments = "Mẫu văn bản xin lỗi: giữ nguyên các trường trong ngoặc nhọn kép."
    return document


# --- the three templates ---------------------------------------------------------------


def _header(document: DocxDocument, cong_van: bool) -> None:
    left_mm, right_mm = _COLUMNS_MM
    table = _borderless_table(document, rows=2)
    names, motto = table.rows[0].cells
    _fill_cell(names, [("{{ co_quan_chu_quan }}", _PARENT), ("{{ don_vi }}", _UNIT)])
    _rule(names, _UNIT_RULE_MM, left_mm)
    _fill_cell(
        motto,
        [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _NATION), ("Độc lập - Tự do - Hạnh phúc", _MOTTO)],
    )
    _rule(motto, _MOTTO_RULE_MM, right_mm)
    number, place_date = table.rows[1].cells
    lines = [("Số: {{ so }}", _NUMBER)]
    if cong_van:
        lines.append((_SUBJECT, _SUBJECT_LOOK))
    _fill_cell(number, lines)
    _fill_cell(place_date, [("{{ dia_danh_ngay }}", _DATE)])


def _signature(document: DocxDocument) -> None:
    table = _borderless_table(document, rows=1)
    recipients, signer = table.rows[0].cells
    _fill_cell(
        recipients,
        [
            ("Nơi nhận:", _CC_HEAD),
            ("{%p for x in noi_nhan %}", _CC),
            ("- {{ x }};", _CC),
            ("{%p endfor %}", _CC),
            ("- Lưu: VT.", _CC),
        ],
    )
    _fill_cell(
        signer,
        [
            ("{{ chuc_danh_ky }}", _SIGNER_TITLE),
            ("(Ký và ghi rõ họ tên)", _SIGN_HINT),
            ("{{ nguoi_ky }}", _SIGNER),
        ],
    )
    # Word wants a paragraph after a final table; keep it tiny so it never adds a page.
    _write(document.add_paragraph(), "", _Look(1))


def _variant(name: str) -> Template:
    try:
        return Template(name)
    except ValueError as exc:
        raise InvalidChoiceError(_("mẫu văn bản"), name, [t.value for t in Template]) from exc


def build_template(variant: str, path: Path) -> None:
    """Write the shipped template ``variant`` (see :class:`Template`) to ``path``."""
    chosen = _variant(variant)
    cong_van = chosen is Template.CONG_VAN
    title = _SUBJECT if cong_van else _TITLES[chosen]
    document = _new_document(title)
    _header(document, cong_van)
    if not cong_van:
        _write(document.add_paragraph(), title, _TITLE)
    addressee = _Look(14, before=18, after=12) if cong_van else _ADDRESSEE
    _write(document.add_paragraph(), "Kính gửi: {{ kinh_gui }}", addressee)
    for text in _CONG_VAN_BODY if cong_van else _FORM_BODY:
        _write(document.add_paragraph(), text, _BODY)
    _signature(document)
    _save(document, path)


# --- rendering and checking ------------------------------------------------------------


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _nfc(value: object) -> object:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {key: _nfc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(item) for item in value]
    return value


@contextmanager
def _jinja_errors(path: Path) -> Iterator[None]:
    """Turn Jinja failures (a missing field, bad tag syntax) into a :class:`TemplateError`."""
    try:
        yield
    except jinja2.UndefinedError as exc:
        found = _UNDEFINED.search(str(exc))
        problem = (
            _("thiếu trường “{name}” trong dữ liệu").format(name=found.group(1))
            if found
            else _("trường không có trong dữ liệu ({detail})").format(detail=exc)
        )
        raise TemplateError(path, problem) from exc
    except jinja2.TemplateSyntaxError as exc:
        problem = _("sai cú pháp trường ({detail})").format(detail=exc.message)
        raise TemplateError(path, problem) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(path, _("lỗi mẫu ({detail})").format(detail=exc)) from exc


@contextmanager
def _file_errors(path: Path) -> Iterator[None]:
    """Turn a missing or unreadable .docx into a :class:`TemplateError`."""
    try:
        if not path.is_file():
            raise FileNotFoundError(_("không có tệp"))
        yield
    except (
        OSError,
        zipfile.BadZipFile,
        PackageNotFoundError,
        KeyError,
        ValueError,
        SyntaxError,  # lxml's XMLSyntaxError: a part that is not XML
    ) as exc:
        if isinstance(exc, zipfile.BadZipFile | PackageNotFoundError):
            problem = _("không phải tệp Word .docx, hoặc tệp đã hỏng")
        elif isinstance(exc, FileNotFoundError):
            problem = _("không có tệp")
        else:
            problem = _("không đọc được tệp .docx ({detail})").format(detail=exc)
        raise TemplateError(path, problem) from exc


def _load_template(template: Path) -> DocxTemplate:
    with _file_errors(template):
        letter = DocxTemplate(str(template))
        letter.init_docx()
    return letter


def _context(fields: Mapping[str, object]) -> dict[str, object]:
    return {key: _nfc(value) for key, value in fields.items()}


def render_letter(template: Path, fields: Mapping[str, object], out: Path) -> str:
    """Render ``template`` with ``fields`` into ``out`` (atomically); return its SHA-256.

    The template is read, patched and compiled once and kept while its file is unchanged
    (see :func:`_compiled`): a letter then costs one Jinja render, one XML parse and one
    compressed zip entry. ``word/document.xml`` is docxtpl's byte for byte, the other parts
    are the template's as python-docx saves it, and the same fields give the same bytes.
    """
    context = _context(fields)
    compiled = _compiled(template)
    if compiled.document is None:
        return _render_with_docxtpl(template, context, out)
    with _jinja_errors(template):
        tree = _render_tree(compiled, context)
    _number_drawings(tree, _FIRST_DRAWING_ID)
    return _write_atomically(out, _with_document(compiled, serialize_part_xml(tree)))


def _render_with_docxtpl(template: Path, context: Mapping[str, object], out: Path) -> str:
    """docxtpl's own path, uncached: for templates with placeholders outside the body."""
    letter = _load_template(template)
    with _jinja_errors(template):
        letter.render(context, jinja_env=_environment(), autoescape=True)
    for text in letter.docx.element.body.iter(_T):  # the template's own words too
        if text.text:
            text.text = unicodedata.normalize("NFC", text.text)
    buffer = io.BytesIO()
    letter.save(buffer)
    return _write_atomically(out, buffer.getvalue())


def template_fields(template: Path) -> set[str]:
    """The names of the fields (placeholders) ``template`` uses."""
    with _file_errors(template), _jinja_errors(template):
        names = DocxTemplate(str(template)).get_undeclared_template_variables(
            jinja_env=_environment()
        )
    return {str(name) for name in names}


def check_template(template: Path, known: frozenset[str]) -> tuple[set[str], set[str]]:
    """``(unknown, unused)``: fields the template uses that are not in ``known`` (misspelt),
    and known fields the template does not use."""
    used = template_fields(template)
    return used - known, set(known) - used


# --- compiled templates: repeated renders of one template -------------------------------

_T = qn("w:t")
_W_BODY = qn("w:body")
_SECT_PR = qn("w:sectPr")
_DOC_PR = qn("wp:docPr")
_R_ATTRIBUTE = "{" + nsmap["r"] + "}"
_MARK = re.compile(r"<w:p([ >])")  # docxtpl renders with a line break before each paragraph
_UNMARK = re.compile(r"\n<w:p([ >])")
_ESCAPED_TAGS = (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}"))
_LISTING = ("\t", "\a", "\n", "\f")  # what docxtpl's resolve_listing turns into markup
_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_RENDERED_PARTS = (CT.WML_HEADER, CT.WML_FOOTER, CT.WML_FOOTNOTES)
_FIRST_DRAWING_ID = 1000  # docxtpl numbers drawings from 1001
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same letter gives the same bytes
_CACHE_SIZE = 16


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A template parsed, patched and compiled once, for many renders."""

    helper: Any  # the loaded DocxTemplate, for docxtpl's listing and table fixes
    document: jinja2.Template | None  # the main part as docxtpl patches it; None: use docxtpl
    member: str  # the main part's name in the zip (word/document.xml)
    package: bytes  # a .docx (zip) of every other part, each compressed once


_ENV = _environment()
_CACHE: dict[str, tuple[tuple[int, int, int], _Compiled]] = {}


def _compiled(template: Path) -> _Compiled:
    """``template`` compiled, from memory while its file keeps its mtime, size and inode."""
    with _file_errors(template):
        stat = template.stat()
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    name = str(template.absolute())
    cached = _CACHE.get(name)
    if cached is not None and cached[0] == key:
        return cached[1]
    compiled = _compile(template)
    if len(_CACHE) >= _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[name] = (key, compiled)
    return compiled


def _compile(template: Path) -> _Compiled:
    with _file_errors(template):
        helper = DocxTemplate(str(template))
        helper.init_docx()
        document: DocxDocument = helper.docx
        member = document.part.partname.membername
        package = _package_without(document, member)
    if _placeholders_outside_body(document):
        return _Compiled(helper, None, member, package)
    source = helper.patch_xml(helper.xml_to_string(document.element))
    with _jinja_errors(template):
        compiled = _ENV.from_string(_MARK.sub(r"\n<w:p\1", source))
    return _Compiled(helper, compiled, member, package)


def _placeholders_outside_body(document: DocxDocument) -> bool:
    """docxtpl also renders headers, footers, footnotes and six core properties; a "{" in
    any of them (a tag may be split across runs) sends the template down docxtpl's path."""
    props = document.core_properties
    if any("{" in (getattr(props, name) or "") for name in _CORE_PROPERTIES):
        return True
    return any(
        part.content_type in _RENDERED_PARTS and b"{" in part.blob
        for part in document.part.package.iter_parts()
    )


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # as python-docx writes its members
    return info


def _package_without(document: DocxDocument, member: str) -> bytes:
    """The template as python-docx saves it, less ``member``: written and compressed once."""
    saved = io.BytesIO()
    document.save(saved)
    package = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(package, "w") as target:
        for name in source.namelist():
            if name != member:
                target.writestr(_zip_info(name), source.read(name))
    return package.getvalue()


def _with_document(compiled: _Compiled, xml: bytes) -> bytes:
    """The cached package with the rendered main part appended: one entry to compress."""
    buffer = io.BytesIO(compiled.package)
    with zipfile.ZipFile(buffer, "a") as package:
        package.writestr(_zip_info(compiled.member), xml)
    return buffer.getvalue()


def _render_tree(compiled: _Compiled, context: Mapping[str, object]) -> Any:
    """The rendered main part as an XML tree, exactly as docxtpl makes it, all text NFC."""
    if compiled.document is None:  # pragma: no cover - callers take docxtpl's path
        raise RuntimeError("template has placeholders outside the body")
    xml = _UNMARK.sub(r"<w:p\1", compiled.document.render(context))
    for escaped, tag in _ESCAPED_TAGS:
        xml = xml.replace(escaped, tag)
    if any(char in xml for char in _LISTING):  # otherwise resolve_listing changes nothing
        xml = compiled.helper.resolve_listing(xml)
    tree = compiled.helper.fix_tables(xml)  # parses (as docxtpl does) and fixes table grids
    for text in tree.iter(_T):  # the template's own words too
        if text.text:
            text.text = unicodedata.normalize("NFC", text.text)
    return tree


def _number_drawings(tree: Any, last: int) -> int:
    """Give every drawing a fresh id after ``last`` (as docxtpl does); return the last one."""
    for drawing in tree.iter(_DOC_PR):
        last += 1
        drawing.set("id", str(last))
    return last


# --- print bundles ---------------------------------------------------------------------


def _open(path: Path) -> DocxDocument:
    with _file_errors(path):
        return docx.Document(str(path))


# A paragraph holding only a page break, 1 pt high so it never shows.
_PAGE_BREAK = (
    "<w:p{ns}><w:pPr>"
    '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr>'
    '<w:r><w:rPr><w:sz w:val="2"/></w:rPr><w:br w:type="page"/></w:r></w:p>'
)
_PAGE_BREAK_XML = _PAGE_BREAK.format(ns="").encode()  # inside a document that declares w:


def _page_break() -> BaseOxmlElement:
    return parse_xml(_PAGE_BREAK.format(ns=" " + nsdecls("w")))


def _relink(element: BaseOxmlElement, source: Part, target: DocumentPart, path: Path) -> None:
    """Point the relationship ids in a copied element at ``target``'s relationships."""
    prefix = "{" + nsmap["r"] + "}"
    for node in element.iter():
        for name, rid in list(node.attrib.items()):
            if not name.startswith(prefix):
                continue
            rel = source.rels[rid]
            if rel.is_external:
                new = target.relate_to(rel.target_ref, rel.reltype, is_external=True)
            elif rel.reltype == RT.IMAGE:
                new, _image = target.get_or_add_image(io.BytesIO(rel.target_part.blob))
            else:
                kind = rel.reltype.rsplit("/", 1)[-1]
                problem = _("có đối tượng không gộp được ({kind})").format(kind=kind)
                raise TemplateError(path, problem)
            node.set(name, new)


def merge_letters(paths: Sequence[Path], out: Path) -> None:
    """One printable .docx: each letter on its own page, page set-up of the first.

    Each later letter's body is read straight from its zip and parsed once, no deep copy;
    only a letter whose body refers to its own parts (pictures, links) is opened whole and
    its references relinked.
    """
    if not paths:
        raise ValueError("merge_letters needs at least one letter")
    bundle = _open(paths[0])
    body = bundle.element.body
    anchor = body.sectPr
    for path in paths[1:]:
        for part in [_page_break(), *_letter_body(path, bundle.part)]:
            if anchor is not None:
                anchor.addprevious(part)
            else:
                body.append(part)
    _save(bundle, out)


def _letter_body(path: Path, target: DocumentPart) -> list[BaseOxmlElement]:
    """The elements of a letter's body, without its section properties, ready for ``target``."""
    plain = _plain_body(path)
    if plain is not None:
        return plain
    letter = _open(path)
    copied = []
    for child in letter.element.body.iterchildren():
        if child.tag != _SECT_PR:
            element = deepcopy(child)
            _relink(element, letter.part, target, path)
            copied.append(element)
    return copied


def _plain_body(path: Path) -> list[BaseOxmlElement] | None:
    """The body's elements read from the zip alone; None when they use relationship ids (or
    the main part is not where Word puts it) and python-docx must relink them."""
    with _file_errors(path), zipfile.ZipFile(path) as package:
        if "word/document.xml" not in package.namelist():
            return None
        root = parse_xml(package.read("word/document.xml"))
    body = root.find(_W_BODY)
    if body is None or any(
        name.startswith(_R_ATTRIBUTE) for node in body.iter() for name in node.attrib
    ):
        return None
    return [child for child in body if child.tag != _SECT_PR]


def render_bundle(template: Path, letters: Iterable[Mapping[str, object]], out: Path) -> int:
    """ONE printable .docx of many letters rendered fresh from ``template``; return how many.

    Each letter is laid out exactly as :func:`render_letter` lays it out (same body, same page
    set-up), one per page, separated by the page-break paragraph of :func:`merge_letters`.
    Per letter: one Jinja render of the cached template and its body XML streamed into the
    one compressed main part; no document is copied.
    """
    compiled = _compiled(template)
    pending = iter(letters)
    first = next(pending, None)
    if first is None:
        raise ValueError("render_bundle needs at least one letter")
    if compiled.document is None:
        return _bundle_through_files(template, chain([first], pending), out)
    buffer = io.BytesIO(compiled.package)
    with (
        zipfile.ZipFile(buffer, "a") as package,
        package.open(_zip_info(compiled.member), "w", force_zip64=True) as stream,
    ):
        count = _stream_letters(compiled, template, chain([first], pending), stream)
    _write_atomically(out, buffer.getvalue())
    return count


def _stream_letters(
    compiled: _Compiled,
    template: Path,
    letters: Iterable[Mapping[str, object]],
    stream: IO[bytes],
) -> int:
    count, drawings, tail = 0, _FIRST_DRAWING_ID, b""
    for fields in letters:
        with _jinja_errors(template):
            tree = _render_tree(compiled, _context(fields))
        drawings = _number_drawings(tree, drawings)
        head, inner, end = _split_document(tree, template, whole=not count)
        stream.write(_PAGE_BREAK_XML if count else head)
        stream.write(inner)
        tail = tail or end
        count += 1
    stream.write(tail)
    return count


_BODY_OPEN, _BODY_CLOSE = b"<w:body>", b"</w:body></w:document>"


def _split_document(tree: Any, template: Path, whole: bool) -> tuple[bytes, bytes, bytes]:
    """``(head, inner, tail)`` of a rendered main part: up to ``<w:body>``, the body's
    elements but its final section properties, and from those to the end (``whole`` only)."""
    body = tree.find(_W_BODY)
    full = serialize_part_xml(tree) if whole else b""
    if body is not None and len(body) and body[-1].tag == _SECT_PR:
        body.remove(body[-1])
    bare = serialize_part_xml(tree)
    start = bare.find(_BODY_OPEN) + len(_BODY_OPEN)
    if start < len(_BODY_OPEN) or not bare.endswith(_BODY_CLOSE):
        problem = _("cấu trúc word/document.xml lạ, không gộp được nhiều văn bản")
        raise TemplateError(template, problem)
    inner = bare[start : -len(_BODY_CLOSE)]
    return bare[:start], inner, full[start + len(inner) :]


def _bundle_through_files(
    template: Path, letters: Iterable[Mapping[str, object]], out: Path
) -> int:
    """Templates with placeholders outside the body: one file per letter, then merged."""
    with tempfile.TemporaryDirectory(prefix="tthc-bundle-") as folder:
        paths = []
        for index, fields in enumerate(letters):
            paths.append(Path(folder) / f"{index:06d}.docx")
            render_letter(template, fields, paths[-1])
        merge_letters(paths, out)
    return len(paths)


def _save(document: DocxDocument, out: Path) -> str:
    buffer = io.BytesIO()
    document.save(buffer)
    return _write_atomically(out, buffer.getvalue())


def _write_atomically(out: Path, data: bytes) -> str:
    """Write ``data`` through a temporary file in the same folder and a rename; return its
    SHA-256."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(8)}.tmp")
    try:
        with temporary.open("xb") as stream:  # "x": never someone else's file; umask applies
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()
