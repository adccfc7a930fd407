"""The Excel workbook, the Word report and the chart, reopened and checked cell by cell."""

from __future__ import annotations

import struct
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import Runner, ok
from tests.statistics.conftest import D_EXT_LATE, D_LATE, D_OVERDUE, EXPECTED_TOTAL, MONTH
from tthc_tracker.domain.statistics import FORM_KEYS
from tthc_tracker.domain.times import LOCAL_TZ

FORM_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("stats-files")
    return {s: folder / f"bieu06.{s}" for s in ("xlsx", "docx", "png")}


@pytest.fixture
def written(stats_ledger: Runner, files: dict[str, Path]) -> dict[str, Path]:
    if not files["xlsx"].exists():
        out = ok(
            stats_ledger(
                "stats", "month", MONTH,
                "--xlsx", str(files["xlsx"]),
                "--docx", str(files["docx"]),
                "--chart", str(files["png"]),
            )
        ).out  # fmt: skip
        for path in files.values():
            assert f"Đã ghi {path}" in out
    return files


def _row_of(sheet: Worksheet, label: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 2).value == label:
            return row
    raise AssertionError(f"no row {label!r}")


def test_form_sheet_layout(written: dict[str, Path]) -> None:
    book = load_workbook(written["xlsx"])
    assert book.sheetnames == ["Biểu 06", "Hồ sơ trễ hạn", "Chỉ số bổ sung"]
    sheet = book["Biểu 06"]
    assert sheet["A2"].value == FORM_TITLE
    assert sheet["J1"].value == "Biểu số 06/VPCP/KSTT"
    assert sheet["A4"].value == "(Từ ngày 15/09/2026 đến ngày 14/10/2026)"
    assert sheet["K5"].value == "Đơn vị tính: Số hồ sơ TTHC"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A6:A7", "B6:B7", "C6:F6", "G6:J6", "K6:M6", "A2:M2"} <= merged
    assert sheet["C6"].value == "Số hồ sơ nhận giải quyết"
    assert sheet["G6"].value == "Số hồ sơ đã giải quyết"
    assert sheet["K6"].value == "Số hồ sơ đang giải quyết"
    headings = [sheet.cell(7, c).value for c in range(3, 14)]
    assert headings == [
        "Tổng số", "Trực tuyến", "Trực tiếp và dịch vụ bưu chính", "Từ kỳ trước",
        "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn",
        "Tổng số", "Trong hạn", "Quá hạn",
    ]  # fmt: skip
    assert sheet["A8"].value == "(1)" and sheet["M8"].value == "(13)"
    assert sheet.freeze_panes == "C9"
    assert sheet.column_dimensions["B"].width == 42
    assert sheet["C6"].font.bold and sheet["C6"].font.name == "Times New Roman"


def test_form_sheet_numbers(written: dict[str, Path]) -> None:
    sheet = load_workbook(written["xlsx"])["Biểu 06"]
    assert [sheet.cell(r, 2).value for r in range(9, 13)] == [
        "Cấp tỉnh", "Xây dựng", "Cấp xã", "Hộ tịch",
    ]  # fmt: skip
    assert [sheet.cell(r, 1).value for r in range(9, 13)] == ["I", "1", "II", "1"]
    total = _row_of(sheet, "Tổng cộng")
    values = [sheet.cell(total, c).value for c in range(3, 14)]
    assert values == [EXPECTED_TOTAL[key] for key in FORM_KEYS]
    assert sheet.cell(total, 3).font.bold
    assert sheet.cell(total, 3).number_format == "#,##0"
    commune = [sheet.cell(11, c).value for c in range(3, 14)]
    assert commune == [17, 4, 11, 2, 10, 3, 3, 4, 5, 4, 1]


def test_late_sheet(written: dict[str, Path]) -> None:
    sheet = load_workbook(written["xlsx"])["Hồ sơ trễ hạn"]
    assert sheet["B3"].value == "Mã hồ sơ"
    assert sheet.freeze_panes == "A4"
    rows = {sheet.cell(r, 2).value: r for r in range(4, sheet.max_row + 1)}
    assert set(rows) == {"D03-LATE", "D05-CARRIED", "D12-EXTMET", "D13-EXTLATE", "D08-OVERDUE"}
    late = rows[D_LATE]
    wall_clock = datetime(2026, 9, 28, 9, 0, tzinfo=LOCAL_TZ).replace(tzinfo=None)
    assert sheet.cell(late, 6).value == wall_clock  # Excel has no zones: Vietnamese time
    assert sheet.cell(late, 6).number_format == "dd/mm/yyyy hh:mm"
    assert sheet.cell(late, 8).value == "Quá 1 phút"
    assert sheet.cell(late, 4).value == "ỦY BAN NHÂN DÂN XÃ A"
    assert sheet.cell(late, 10).value == "chưa xin lỗi"
    assert sheet.cell(rows[D_OVERDUE], 7).value == "Chưa xong (hết kỳ)"
    assert sheet.cell(rows[D_OVERDUE], 9).value == 38.0  # working hours late at period end
    assert sheet.cell(rows[D_EXT_LATE], 10).value == "02/PXL (muộn)"
    _prints_on_a4_landscape_with_its_heading(sheet, "$3:$3")


def _prints_on_a4_landscape_with_its_heading(sheet: Worksheet, title_rows: str) -> None:
    """Every column on the page width, as many pages down as needed, the heading on each."""
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # 9: A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == title_rows


def test_a_long_wrapped_cell_gets_a_row_tall_enough() -> None:
    from openpyxl import Workbook

    from tthc_tracker.documents.statistics_xlsx import LINE_HEIGHT, _fit_height

    sheet = Workbook().active
    sheet.cell(1, 1, "x" * 10)
    sheet.cell(1, 2, "Cấp giấy chứng nhận quyền sử dụng đất " * 4)  # 152 characters
    sheet.cell(2, 1, "ngắn")
    _fit_height(sheet, 1, [20, 48])
    _fit_height(sheet, 2, [20, 48])
    assert sheet.row_dimensions[1].height == 4 * LINE_HEIGHT  # 50 characters a line
    assert sheet.row_dimensions[2].height is None


def test_extras_sheet(written: dict[str, Path]) -> None:
    sheet = load_workbook(written["xlsx"])["Chỉ số bổ sung"]
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Tổng cộng"
    assert [sheet.cell(last, c).value for c in range(2, 9)] == [18, 11, 2, 1, 3, 1, 2]
    assert sheet.cell(last, 9).value == pytest.approx(0.6364)
    assert sheet.cell(last, 9).number_format == "0.00%"
    assert sheet.cell(last, 10).value == pytest.approx(0.625)
    assert sheet.cell(last, 11).value == 4.93
    assert [sheet.cell(r, 1).value for r in range(4, last)] == [  # by name, not by code
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG B",
        "ỦY BAN NHÂN DÂN XÃ A",
    ]
    _prints_on_a4_landscape_with_its_heading(sheet, "$3:$3")


def test_word_report(written: dict[str, Path]) -> None:
    document = docx.Document(str(written["docx"]))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    text = "\n".join(p.text for p in document.paragraphs)
    assert FORM_TITLE in text
    assert "(Từ ngày 15/09/2026 đến ngày 14/10/2026)" in text
    assert "Tỷ lệ giải quyết đúng hạn: 63,64 %" in text
    form, signatures, late = document.tables
    assert [c.text.split("\n") for c in signatures.rows[0].cells] == [
        ["", "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"],
        ["…, ngày … tháng … năm …", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký tên, đóng dấu)"],
    ]
    assert form.cell(0, 2).text == "Số hồ sơ nhận giải quyết"
    assert form.cell(1, 2).text == "Tổng số"
    total = [c.text for c in form.rows[-1].cells]
    assert total[1] == "Tổng cộng"
    assert total[2:] == [str(EXPECTED_TOTAL[key]) for key in FORM_KEYS]
    codes = [row.cells[1].text for row in late.rows[1:]]
    assert len(codes) == 5 and D_OVERDUE in codes
    assert {row.cells[3].text for row in late.rows[1:]} == {"ỦY BAN NHÂN DÂN XÃ A"}
    fonts = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    assert len(document.inline_shapes) == 1  # the chart

    def repeated(table: docx.table.Table) -> list[bool]:
        return [row._tr.find(".//" + qn("w:tblHeader")) is not None for row in table.rows]

    assert repeated(form)[:4] == [True, True, True, False]  # the two-row heading and (1)…(13)
    assert repeated(late)[:2] == [True, False]


def test_chart_png(written: dict[str, Path]) -> None:
    data = written["png"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1430, 572)
    assert len(data) > 20_000


def test_the_reporting_unit_heads_a_report_of_every_agency(
    written: dict[str, Path],
    stats_ledger: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """For all agencies together the header names ``TTHC_REPORTING_UNIT`` (the province);
    without it, "TẤT CẢ CƠ QUAN, ĐƠN VỊ"; for one agency, its name."""
    assert load_workbook(written["xlsx"])["Biểu 06"]["A1"].value == (
        "ĐƠN VỊ BÁO CÁO: TẤT CẢ CƠ QUAN, ĐƠN VỊ"
    )
    monkeypatch.setenv("TTHC_REPORTING_UNIT", "  Ủy ban nhân dân tỉnh An Giang ")
    province = tmp_path / "tinh.xlsx"
    ok(stats_ledger("stats", "month", MONTH, "--xlsx", str(province)))
    assert load_workbook(province)["Biểu 06"]["A1"].value == (
        "ĐƠN VỊ BÁO CÁO: ỦY BAN NHÂN DÂN TỈNH AN GIANG"
    )
    one = tmp_path / "xa-a.xlsx"
    ok(stats_ledger("stats", "month", MONTH, "--agency", "XA-A", "--xlsx", str(one)))
    assert load_workbook(one)["Biểu 06"]["A1"].value == "ĐƠN VỊ BÁO CÁO: ỦY BAN NHÂN DÂN XÃ A"
