"""Biểu số 06/VPCP/KSTT as an Excel workbook (openpyxl): layout only, numbers come decided.

Sheet 1 follows the official form: title, "Từ ngày … đến ngày …", "Đơn vị tính: Số hồ sơ
TTHC", a two-row header merged into the three column groups, rows by level (I, II, …) then
field (1, 2, …), a totals row, whole-number formats, frozen header. Sheet 2 lists the late
dossiers; sheet 3 the figures beyond the form, per agency and in total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tthc_tracker.documents.tabular import keep_text
from tthc_tracker.domain.statistics import FORM_KEYS, Counts, Report, Row
from tthc_tracker.domain.statistics_json import delay_text, letter_text
from tthc_tracker.domain.times import local

FORM_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"
FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
UNIT = "Đơn vị tính: Số hồ sơ TTHC"
GROUPS = (
    ("Số hồ sơ nhận giải quyết", ("Tổng số", "Trực tuyến", "Trực tiếp và dịch vụ bưu chính",
                                  "Từ kỳ trước")),
    ("Số hồ sơ đã giải quyết", ("Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn")),
    ("Số hồ sơ đang giải quyết", ("Tổng số", "Trong hạn", "Quá hạn")),
)  # fmt: skip
FIELD_HEADING = "Lĩnh vực, công việc giải quyết theo cấp"
TOTAL = "Tổng cộng"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
HEADER_ROW = 6  # the two header rows are 6 and 7, the column numbers row 8
FIRST_DATA_ROW = 9
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
TIME_FORMAT = "dd/mm/yyyy hh:mm"
FONT = "Times New Roman"

_thin = Side(style="thin")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _font(bold: bool = False, italic: bool = False, size: int = 12) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size)


def _merged(
    sheet: Worksheet, cells: str, value: object, font: Font, align: Alignment = CENTER
) -> None:
    sheet.merge_cells(cells)
    first = sheet[cells.split(":", maxsplit=1)[0]]
    first.value = value
    first.font = font
    first.alignment = align


def _header(sheet: Worksheet, scope: str, report: Report) -> None:
    last = get_column_letter(2 + len(FORM_KEYS))
    _merged(sheet, "A1:E1", f"ĐƠN VỊ BÁO CÁO: {scope}", _font(bold=True), LEFT)
    _merged(sheet, f"J1:{last}1", FORM_NUMBER, _font(bold=True), Alignment(horizontal="right"))
    _merged(sheet, f"A2:{last}2", FORM_TITLE, _font(bold=True, size=14))
    _merged(sheet, f"A3:{last}3", f"Kỳ báo cáo: {report.period.name}", _font(bold=True))
    _merged(sheet, f"A4:{last}4", f"({report.period.dates_text()})", _font(italic=True))
    _merged(sheet, f"K5:{last}5", UNIT, _font(italic=True), Alignment(horizontal="right"))
    top, below = HEADER_ROW, HEADER_ROW + 1
    for column, text in ((1, "STT"), (2, FIELD_HEADING)):
        letter = get_column_letter(column)
        _merged(sheet, f"{letter}{top}:{letter}{below}", text, _font(bold=True))
    column = 3
    for group, headings in GROUPS:
        span = f"{get_column_letter(column)}{top}:{get_column_letter(column + len(headings) - 1)}"
        _merged(sheet, f"{span}{top}", group, _font(bold=True))
        for offset, heading in enumerate(headings):
            cell = sheet.cell(below, column + offset, heading)
            cell.font, cell.alignment = _font(bold=True), CENTER
        column += len(headings)
    for number in range(1, 2 + len(FORM_KEYS) + 1):
        cell = sheet.cell(below + 1, number, f"({number})")
        cell.font, cell.alignment = _font(italic=True, size=10), CENTER
    for row in range(top, below + 2):
        for col in range(1, 3 + len(FORM_KEYS)):
            sheet.cell(row, col).border = BORDER
            if row < below + 1:
                sheet.cell(row, col).fill = HEADER_FILL
    sheet.row_dimensions[below].height = 48


def _write_counts(
    sheet: Worksheet, row: int, label: tuple[str, str], counts: Counts, bold: bool
) -> None:
    values = [*label, *(getattr(counts, key) for key in FORM_KEYS)]
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value)
        keep_text(cell)
        cell.font = _font(bold=bold)
        cell.border = BORDER
        cell.alignment = LEFT if column == 2 else CENTER
        if column > 2:
            cell.number_format = COUNT_FORMAT


def _level_total(rows: Sequence[Row]) -> Counts:
    total = Counts()
    for row in rows:
        total = total + row.counts
    return total


def form_sheet(sheet: Worksheet, report: Report, scope: str) -> None:
    sheet.title = "Biểu 06"
    _header(sheet, scope, report)
    row = FIRST_DATA_ROW
    levels: dict[str, list[Row]] = {}
    for one in report.rows:
        levels.setdefault(one.level, []).append(one)
    for index, (level, rows) in enumerate(levels.items()):
        roman = ROMAN[index] if index < len(ROMAN) else str(index + 1)
        _write_counts(sheet, row, (roman, level), _level_total(rows), bold=True)
        row += 1
        for number, one in enumerate(rows, start=1):
            _write_counts(sheet, row, (str(number), one.field), one.counts, bold=False)
            row += 1
    _write_counts(sheet, row, ("", TOTAL), report.total, bold=True)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 42
    for column in range(3, 3 + len(FORM_KEYS)):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    _print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW + 2}")


def _print_setup(sheet: Worksheet, title_rows: str) -> None:
    """A4 landscape, the columns fitted to the page width (as many pages down as needed),
    the table's heading repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows


LINE_HEIGHT = 16.5  # points per line of 12-point Times New Roman


def _fit_height(sheet: Worksheet, row: int, widths: Sequence[float]) -> None:
    """Give a row the height of its longest wrapped cell: Excel and LibreOffice keep the
    default height of a row written by a program, so wrapped text would overprint the next."""
    lines = 1
    for column, width in enumerate(widths, start=1):
        value = sheet.cell(row, column).value
        if isinstance(value, str) and value:
            per_line = max(int(width * 1.1) - 2, 1)  # characters of 12 pt in a column of width
            lines = max(lines, -(-len(value) // per_line))
    if lines > 1:
        sheet.row_dimensions[row].height = lines * LINE_HEIGHT


LATE_HEADINGS = (
    ("STT", 6), ("Mã hồ sơ", 28), ("Thủ tục", 44), ("Đơn vị xử lý", 30), ("Chủ hồ sơ", 26),
    ("Hạn giải quyết", 18), ("Thời điểm xử lý xong", 22), ("Thời gian trễ", 20),
    ("Số giờ làm việc trễ", 14), ("Văn bản xin lỗi", 20),
)  # fmt: skip


def _table_heading(sheet: Worksheet, row: int, headings: Sequence[tuple[str, float]]) -> None:
    for column, (text, width) in enumerate(headings, start=1):
        cell = sheet.cell(row, column, text)
        cell.font, cell.alignment, cell.border, cell.fill = (
            _font(bold=True),
            CENTER,
            BORDER,
            HEADER_FILL,
        )
        sheet.column_dimensions[get_column_letter(column)].width = width


def _naive_local(instant: datetime) -> datetime:
    """Excel has no time zones: write the Vietnamese wall-clock time."""
    return local(instant).replace(tzinfo=None)


def late_sheet(sheet: Worksheet, report: Report, names: Mapping[str, str]) -> None:
    last = get_column_letter(len(LATE_HEADINGS))
    title = f"DANH SÁCH HỒ SƠ TRỄ HẠN — {report.period.name} ({report.period.dates_text()})"
    _merged(sheet, f"A1:{last}1", title, _font(bold=True, size=13))
    _table_heading(sheet, 3, LATE_HEADINGS)
    for index, entry in enumerate(report.late, start=1):
        finished: object = (
            _naive_local(entry.finished_at) if entry.finished_at else "Chưa xong (hết kỳ)"
        )
        values = (
            index,
            entry.code,
            entry.procedure,
            names.get(entry.agency, entry.agency),
            entry.applicant,
            _naive_local(entry.original_due_at),
            finished,
            delay_text(entry),
            round(entry.delay_seconds / 3600, 2),
            letter_text(entry),
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(3 + index, column, value)
            keep_text(cell)  # names and codes as typed: never a formula
            cell.font, cell.border = _font(), BORDER
            cell.alignment = LEFT if column in (2, 3, 4, 5) else CENTER
            if isinstance(value, datetime):
                cell.number_format = TIME_FORMAT
            elif column == 9:
                cell.number_format = "0.00"
        _fit_height(sheet, 3 + index, [width for _, width in LATE_HEADINGS])
    sheet.freeze_panes = "A4"
    _print_setup(sheet, "3:3")
    if report.late:
        sheet.auto_filter.ref = f"A3:{last}{3 + len(report.late)}"


EXTRA_HEADINGS = (
    ("Cơ quan", 22), ("Tiếp nhận", 11), ("Đã giải quyết", 12), ("Trễ hạn có xin lỗi", 13),
    ("Xin lỗi muộn", 11), ("Trễ hạn chưa xin lỗi", 13), ("Hẹn lại, trả đúng hẹn mới", 14),
    ("Rút, từ chối, dừng", 12), ("Tỷ lệ đúng hạn", 12), ("Chỉ số 2.1 QĐ 766", 12),
    ("Thời gian xử lý TB (ngày làm việc)", 16),
)  # fmt: skip
EXTRA_KEYS = (
    "received_total", "resolved_total", "late_with_apology", "apology_late",
    "late_without_apology", "rescheduled_met_new_date", "withdrawn_refused_stopped",
)  # fmt: skip


def _extra_row(sheet: Worksheet, row: int, name: str, counts: Counts, bold: bool) -> None:
    rates = (counts.on_time_rate, counts.qd766_indicator_2_1)
    values: list[object] = [name, *(getattr(counts, key) for key in EXTRA_KEYS)]
    values += [None if r is None else r / 100 for r in rates]
    values.append(counts.avg_processing_working_days)
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value)
        keep_text(cell)
        cell.font, cell.border = _font(bold=bold), BORDER
        cell.alignment = LEFT if column == 1 else CENTER
        if column in (9, 10):
            cell.number_format = PERCENT_FORMAT
        elif column == 11:
            cell.number_format = "0.00"
        elif column > 1:
            cell.number_format = COUNT_FORMAT


def extras_sheet(sheet: Worksheet, report: Report, names: Mapping[str, str]) -> None:
    last = get_column_letter(len(EXTRA_HEADINGS))
    title = f"CHỈ SỐ BỔ SUNG (NGOÀI BIỂU 06) — {report.period.name}"
    _merged(sheet, f"A1:{last}1", title, _font(bold=True, size=13))
    _table_heading(sheet, 3, EXTRA_HEADINGS)
    sheet.row_dimensions[3].height = 48
    row = 4
    for table in report.agencies:
        _extra_row(sheet, row, names.get(table.agency, table.agency), table.total, bold=False)
        row += 1
    _extra_row(sheet, row, TOTAL, report.total, bold=True)
    for data_row in range(4, row + 1):
        _fit_height(sheet, data_row, [width for _, width in EXTRA_HEADINGS])
    sheet.freeze_panes = "B4"
    _print_setup(sheet, "3:3")


def write_xlsx(
    report: Report, path: Path, scope: str, names: Mapping[str, str] | None = None
) -> Path:
    """The workbook of ``report``; ``scope`` is the reporting unit's name for the header;
    ``names``: how the lists name each agency code (default: the code)."""
    workbook = Workbook()
    form_sheet(workbook.active, report, scope)
    late_sheet(workbook.create_sheet("Hồ sơ trễ hạn"), report, names or {})
    extras_sheet(workbook.create_sheet("Chỉ số bổ sung"), report, names or {})
    workbook.properties.creator = "tthc-tracker"
    workbook.properties.title = f"{FORM_NUMBER} — {report.period.name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
