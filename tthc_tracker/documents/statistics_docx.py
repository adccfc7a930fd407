"""The statistics report as .docx (python-docx): A4 landscape, Times New Roman in all four font
slots and vi-VN (the letters' set-up), Biểu 06, the figures beyond it, the late list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from tthc_tracker.documents.letters import LANGUAGE, _element, _set_up_styles
from tthc_tracker.documents.statistics_xlsx import (
    FIELD_HEADING,
    FORM_NUMBER,
    FORM_TITLE,
    GROUPS,
    ROMAN,
    TOTAL,
    UNIT,
)
from tthc_tracker.domain.statistics import FORM_KEYS, Counts, Report, Row
from tthc_tracker.domain.statistics_json import count, delay_text, extra_lines, letter_text
from tthc_tracker.domain.times import show

PAGE = (Mm(297), Mm(210))  # A4 landscape
MARGINS_MM = {"top": 15, "bottom": 15, "left": 20, "right": 15}
FORM_WIDTHS_MM = (12, 58, *([17.0] * len(FORM_KEYS)))  # 257 mm of the 262 mm line
LATE_HEADINGS = (
    ("STT", 12), ("Mã hồ sơ", 46), ("Thủ tục", 52), ("Đơn vị xử lý", 40), ("Chủ hồ sơ", 30),
    ("Hạn giải quyết", 20), ("Xử lý xong", 20), ("Thời gian trễ", 20), ("Văn bản xin lỗi", 20),
)  # fmt: skip
LEFT_COLUMNS = (2, 3, 4)  # procedure, agency and applicant read better from the left
# Who signs the report, as report forms end (left: who drew it up; right: the head of unit).
SIGNATURES = (
    ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
    ("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký tên, đóng dấu)"),
)
TABLE_PT = 10


def _new_document(title: str) -> DocxDocument:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    _set_up_styles(document)
    document.styles["Normal"].font.size = Pt(13)
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = "tthc-tracker"
    props.language = LANGUAGE
    return document


def _line(
    document: DocxDocument,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    size: int = 13,
) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _cell(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(TABLE_PT)


def _table(document: DocxDocument, rows: int, widths_mm: Sequence[float]) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def _repeat_on_each_page(table: Table, rows: int) -> None:
    """Mark the first ``rows`` rows as the table's heading, printed again on every page."""
    for row in table.rows[:rows]:
        row._tr.get_or_add_trPr().append(_element("w:tblHeader", val="true"))


def _form_header(table: Table) -> None:
    top, below = table.rows[0].cells, table.rows[1].cells
    for index, text in enumerate(("STT", FIELD_HEADING)):
        _cell(top[index].merge(below[index]), text, bold=True)
    column = 2
    for group, headings in GROUPS:
        _cell(top[column].merge(top[column + len(headings) - 1]), group, bold=True)
        for offset, heading in enumerate(headings):
            _cell(below[column + offset], heading, bold=True)
        column += len(headings)
    for number, cell in enumerate(table.rows[2].cells, start=1):
        _cell(cell, f"({number})", italic=True)
    _repeat_on_each_page(table, 3)


def _counts_cells(
    cells: Sequence[_Cell], label: tuple[str, str], counts: Counts, bold: bool
) -> None:
    values = [*label, *(count(getattr(counts, key)) for key in FORM_KEYS)]
    for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
        _cell(cell, value, bold=bold)
        if index == 1:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT


def _form_rows(report: Report) -> list[tuple[tuple[str, str], Counts, bool]]:
    levels: dict[str, list[Row]] = {}
    for row in report.rows:
        levels.setdefault(row.level, []).append(row)
    lines: list[tuple[tuple[str, str], Counts, bool]] = []
    for index, (level, rows) in enumerate(levels.items()):
        subtotal = Counts()
        for row in rows:
            subtotal = subtotal + row.counts
        roman = ROMAN[index] if index < len(ROMAN) else str(index + 1)
        lines.append(((roman, level), subtotal, True))
        lines.extend(((str(n), r.field), r.counts, False) for n, r in enumerate(rows, start=1))
    lines.append((("", TOTAL), report.total, True))
    return lines


def _form(document: DocxDocument, report: Report) -> None:
    lines = _form_rows(report)
    table = _table(document, 3 + len(lines), FORM_WIDTHS_MM)
    _form_header(table)
    for row, (label, counts, bold) in zip(table.rows[3:], lines, strict=True):
        _counts_cells(row.cells, label, counts, bold)


def _late(document: DocxDocument, report: Report, names: Mapping[str, str]) -> None:
    _line(document, f"DANH SÁCH HỒ SƠ TRỄ HẠN ({len(report.late)})", bold=True)
    if not report.late:
        _line(document, "Không có hồ sơ trễ hạn trong kỳ.", italic=True)
        return
    table = _table(document, 1 + len(report.late), [w for _, w in LATE_HEADINGS])
    for cell, (heading, _width) in zip(table.rows[0].cells, LATE_HEADINGS, strict=True):
        _cell(cell, heading, bold=True)
    _repeat_on_each_page(table, 1)
    for index, (row, entry) in enumerate(zip(table.rows[1:], report.late, strict=True), 1):
        finished = show(entry.finished_at) if entry.finished_at else "Chưa xong (hết kỳ)"
        values = (
            str(index),
            entry.code,
            entry.procedure,
            names.get(entry.agency, entry.agency),
            entry.applicant,
            show(entry.original_due_at),
            finished,
            delay_text(entry),
            letter_text(entry),
        )
        for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            _cell(cell, value)
            if column in LEFT_COLUMNS:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT


def _signatures(document: DocxDocument) -> None:
    """The place-and-date line and the two signature blocks, in a table without borders."""
    table: Table = document.add_table(rows=1, cols=len(SIGNATURES))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, (cell, (title, how)) in enumerate(zip(table.rows[0].cells, SIGNATURES, strict=True)):
        cell.text = ""
        lines = [("…, ngày … tháng … năm …", False, True)] if index == 1 else [("", False, False)]
        lines += [(title, True, False), (how, False, True)]
        for number, (text, bold, italic) in enumerate(lines):
            paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold, run.italic, run.font.size = bold, italic, Pt(12)


def write_docx(
    report: Report,
    path: Path,
    scope: str,
    chart: Path | None = None,
    names: Mapping[str, str] | None = None,
) -> Path:
    """The report of ``report`` for ``scope`` (the reporting unit); ``chart``: a PNG to add;
    ``names``: how the late list names each agency code (default: the code)."""
    document = _new_document(f"{FORM_NUMBER} — {report.period.name}")
    _line(document, FORM_NUMBER, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, size=12)
    _line(document, f"ĐƠN VỊ BÁO CÁO: {scope}", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(document, FORM_TITLE, bold=True, size=14)
    _line(document, f"Kỳ báo cáo: {report.period.name}", bold=True)
    _line(document, f"({report.period.dates_text()})", italic=True)
    _line(document, UNIT, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, size=12)
    _form(document, report)
    _line(document, "")
    _line(document, "CHỈ SỐ NGOÀI BIỂU", bold=True)
    for label, value in extra_lines(report.total):
        _line(document, f"{label}: {value}", align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(document, "")
    _signatures(document)
    if chart is not None:
        document.add_picture(str(chart), width=Mm(250))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _late(document, report, names or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
