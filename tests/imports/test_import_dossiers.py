"""`tthc import dossiers`: encodings, formats, validation, all-or-nothing, rejects, updates."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.backends import Ledger
from tests.conftest import (
    AGENCY_DEFAULT,
    AGENCY_LATE,
    P_3_DAYS,
    Runner,
    fails,
    ok,
    row_counts,
    show_json,
)
from tests.imports.files import HEADER, dossier_rows, events_of, write_csv

NAME = "Nguyễn Văn Đức"


def naive(*parts: int) -> datetime:
    """A spreadsheet's date/time cell: no time zone (the import reads it as Vietnam time)."""
    return datetime(*parts)  # noqa: DTZ001 - Excel cells carry no time zone


ROW = ["H01-0001", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_in_each_encoding_is_read_as_nfc(seeded: Runner, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "ho-so.csv", HEADER, [ROW], encoding)
    ok(seeded("import", "dossiers", str(path)))
    data = show_json(seeded, "H01-0001")
    assert data["applicant_name"] == NAME
    assert data["channel"] == "truc-tiep"
    assert data["due_at"] == "2026-11-05T09:00:00+07:00"


@pytest.mark.parametrize(
    ("text", "encoding", "name"),
    [
        ("NguyÔn V¨n §øc", "latin-1", "TCVN3"),
        ("NguyÔn V¨n §øc", "utf-8", "TCVN3"),
        ("Nguyeãn Vaên Ñöùc", "latin-1", "VNI"),
        ("Nguyeãn Vaên Ñöùc", "utf-8", "VNI"),
    ],
)
def test_legacy_encodings_are_refused_with_a_hint(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path, text: str, encoding: str, name: str
) -> None:
    before = row_counts(ledger_db)
    path = write_csv(tmp_path / "cu.csv", HEADER, [[*ROW[:3], text, *ROW[4:]]], encoding)
    result = fails(seeded("import", "dossiers", str(path)), name, "Unikey", "Chuyển mã")
    assert "dòng 2, cột 4" in result.err
    assert row_counts(ledger_db) == before


def test_xlsx_with_serial_dates_datetime_cells_title_rows_and_text_codes(
    seeded: Runner, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    ok(seeded("procedure", "add", "1.010", "--name", "Thủ tục", "--field", "Hộ tịch",
              "--limit", "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"))  # fmt: skip
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN"])
    sheet.merge_cells("A1:F1")
    sheet.append([*HEADER, "NgayTra", "NgayKetThucXuLy"])
    # 46328.375 = 02/11/2026 09:00 (Excel serial date)
    sheet.append(["0012", "1.010", AGENCY_DEFAULT, NAME, 2, 46328.375])
    sheet.append(["0013", "1.010", AGENCY_DEFAULT, NAME, "3", naive(2026, 11, 2, 9, 30),
                  naive(2026, 11, 4, 10, 0), naive(2026, 11, 3, 15, 0)])  # fmt: skip
    path = tmp_path / "ho-so.xlsx"
    book.save(path)
    ok(seeded("import", "dossiers", str(path)))
    first = show_json(seeded, "0012")
    assert first["procedure"] == "1.010"
    assert first["received_at"] == "2026-11-02T09:00:00+07:00"
    assert first["channel"] == "truc-tuyen"
    second = show_json(seeded, "0013")
    assert second["status"] == "returned"
    assert second["completed_at"] == "2026-11-03T15:00:00+07:00"
    assert second["returned_at"] == "2026-11-04T10:00:00+07:00"


def test_a_code_turned_into_a_number_by_excel_is_refused(seeded: Runner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([12, P_3_DAYS, AGENCY_DEFAULT, NAME, 1, "02/11/2026 09:00"])
    path = tmp_path / "so.xlsx"
    book.save(path)
    fails(seeded("import", "dossiers", str(path)), "Dòng 2, cột “MaHoSo”", "định dạng cột là Text")


def test_time_formats_and_native_names(seeded: Runner, tmp_path: Path) -> None:
    header = ["code", "procedure", "processing_agency", "applicant_name", "channel",
              "received_at", "completed_at"]  # fmt: skip
    rows = [
        ["A1", P_3_DAYS, AGENCY_DEFAULT, NAME, "truc-tuyen", "2026-11-02T09:00:00+07:00", ""],
        ["A2", P_3_DAYS, AGENCY_DEFAULT, NAME, "buu-chinh", "2026-11-02 09:00", "03/11/2026"],
        ["A3", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00:30", ""],
        ["A4", P_3_DAYS, AGENCY_DEFAULT, NAME, "2", "20261102090000", ""],
        ["A5", P_3_DAYS, AGENCY_DEFAULT, NAME, "2", "02/11/2026", "02/11/2026"],
    ]
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "t.csv", header, rows))))
    assert show_json(seeded, "A2")["completed_at"] == "2026-11-03T00:00:00+07:00"
    assert show_json(seeded, "A3")["received_at"] == "2026-11-02T09:00:30+07:00"
    assert show_json(seeded, "A4")["received_at"] == "2026-11-02T09:00:00+07:00"
    # a bare completion date on the day of receipt means "when received", not midnight before
    assert show_json(seeded, "A5")["completed_at"] == "2026-11-02T00:00:00+07:00"


INVALID = [
    (["B1", "9.999", AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00"], "MaTTHC", "9.999",
     "không tồn tại"),
    (["B2", P_3_DAYS, "KHONG-CO", NAME, "1", "02/11/2026 09:00"], "DonViXuLy", "KHONG-CO",
     "không tồn tại"),
    (["B3", P_3_DAYS, AGENCY_DEFAULT, "", "1", "02/11/2026 09:00"], "ChuHoSo", "",
     "không được để trống"),
    (["B4", P_3_DAYS, AGENCY_DEFAULT, NAME, "4", "02/11/2026 09:00"], "KenhThucHien", "4",
     "kênh thực hiện"),
    (["B5", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "31/02/2026 09:00"], "NgayTiepNhan",
     "31/02/2026 09:00", "không đọc được thời điểm"),
    (["B6", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/12/2026 09:00"], "NgayTiepNhan", "",
     "muộn hơn thời điểm hiện tại"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"), INVALID, ids=[r[0][0] for r in INVALID]
)
def test_an_invalid_row_is_reported_and_nothing_is_written(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path, row: list[str], column: str, value: str,
    reason: str,
) -> None:  # fmt: skip
    before = row_counts(ledger_db)
    path = write_csv(tmp_path / "x.csv", HEADER, [ROW, row])
    result = fails(seeded("import", "dossiers", str(path)), "không ghi gì")
    assert f"Dòng 3, cột “{column}”" in result.err
    assert value in result.err
    assert reason in result.err
    assert row_counts(ledger_db) == before


def test_completion_before_receipt_and_inconsistent_status(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    header = [*HEADER, "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo"]
    rows = [
        ["C1", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00", "01/11/2026 09:00", "", ""],
        ["C2", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00", "04/11/2026 09:00",
         "03/11/2026 09:00", ""],
        ["C3", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00", "", "", "9"],
        ["C4", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00", "", "", "Chờ phê duyệt"],
        ["C5", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00", "", "", "1"],
    ]  # fmt: skip
    result = fails(seeded("import", "dossiers", str(write_csv(tmp_path / "c.csv", header, rows))))
    assert "Dòng 2, cột “NgayKetThucXuLy”" in result.err
    assert "Dòng 3, cột “NgayTra”" in result.err
    assert "Dòng 4, cột “TrangThaiHoSo”" in result.err
    assert "Dòng 5, cột “TrangThaiHoSo”, giá trị “Chờ phê duyệt”" in result.err
    assert "Mới đăng ký" in result.err
    assert dossier_rows(ledger_db) == []


def test_skip_invalid_writes_valid_rows_and_rejects_with_reason(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    bad = ["D2", "9.999", AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00"]
    path = write_csv(tmp_path / "d.csv", [*HEADER, "GhiChu"], [[*ROW, "x"], [*bad, "y"]])
    rejects = tmp_path / "loi.csv"
    fails(seeded("import", "dossiers", str(path), "--skip-invalid"), "--rejects")
    result = seeded("import", "dossiers", str(path), "--skip-invalid", "--rejects", str(rejects),
                    "--json")  # fmt: skip
    assert result.code == 0
    summary = json.loads(result.out)
    assert (summary["added"], summary["rejected"], summary["written"]) == (1, 1, True)
    assert summary["unknown_columns"] == ["GhiChu"]
    assert [r["code"] for r in dossier_rows(ledger_db)] == ["H01-0001"]
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == [*HEADER, "GhiChu", "ly_do"]
    assert lines[1][:-1] == [*bad, "y"]
    assert "Dòng 3, cột “MaTTHC”" in lines[1][-1]


@pytest.mark.parametrize("update", [False, True], ids=["new", "update"])
def test_a_rejects_file_that_cannot_be_written_keeps_nothing(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path, update: bool
) -> None:
    """The rejects file is written before the import commits: when its folder is missing the
    valid line is not kept either, and the message names the file."""
    bad = ["D2", "9.999", AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00"]
    path = write_csv(tmp_path / "d.csv", HEADER, [ROW, bad])
    rejects = tmp_path / "khong-co" / "loi.csv"
    before = row_counts(ledger_db)
    extra = ("--update",) if update else ()
    args = ("import", "dossiers", str(path), "--skip-invalid", "--rejects", str(rejects))
    fails(seeded(*args, *extra), str(rejects), "không tồn tại")
    assert row_counts(ledger_db) == before
    assert not rejects.parent.exists()
    # a folder where the file was meant: refused the same way
    fails(
        seeded("import", "dossiers", str(path), "--skip-invalid", "--rejects", str(tmp_path)),
        str(tmp_path),
        "thư mục",
    )
    assert row_counts(ledger_db) == before


def test_dry_run_writes_nothing(seeded: Runner, ledger_db: Ledger, tmp_path: Path) -> None:
    before = row_counts(ledger_db)
    path = write_csv(tmp_path / "d.csv", HEADER, [ROW])
    assert "1 dòng hợp lệ" in ok(seeded("import", "dossiers", str(path), "--dry-run")).out
    assert row_counts(ledger_db) == before
    # with --skip-invalid too: a check, not even the rejects file is written
    bad = ["D2", "9.999", AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00"]
    mixed = write_csv(tmp_path / "m.csv", HEADER, [ROW, bad])
    rejects = tmp_path / "loi.csv"
    result = seeded("import", "dossiers", str(mixed), "--dry-run", "--skip-invalid",
                    "--rejects", str(rejects))  # fmt: skip
    assert result.code == 0
    assert "Kiểm tra xong (--dry-run): 1 dòng hợp lệ, 1 dòng lỗi; không ghi gì." in result.out
    assert "Dòng 3, cột “MaTTHC”" in result.err and "Lỗi:" not in result.err
    assert not rejects.exists()
    assert row_counts(ledger_db) == before


def test_the_rejects_file_may_not_be_the_file_imported(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    bad = ["D2", "9.999", AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00"]
    path = write_csv(tmp_path / "d.csv", HEADER, [ROW, bad])
    content = path.read_bytes()
    before = row_counts(ledger_db)
    same = str(tmp_path / "." / "d.csv")
    fails(seeded("import", "dossiers", str(path), "--skip-invalid", "--rejects", same),
          "--rejects", "chính tệp đang nhập")  # fmt: skip
    assert path.read_bytes() == content
    assert row_counts(ledger_db) == before


def test_existing_code_conflicts_unless_update_and_updates_are_audited(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    header = [*HEADER, "SoDienThoai", "NgayKetThucXuLy"]
    first = write_csv(tmp_path / "a.csv", header, [[*ROW, "0912", ""]])
    ok(seeded("import", "dossiers", str(first)))
    changed = write_csv(tmp_path / "b.csv", header, [[*ROW, "0987", "03/11/2026 10:00"]])
    fails(seeded("import", "dossiers", str(changed)), "Dòng 2, cột “MaHoSo”", "--update")
    summary = json.loads(ok(seeded("import", "dossiers", str(changed), "--update", "--json")).out)
    assert summary["updated"] == 1
    events = events_of(ledger_db, "H01-0001")
    updated = [e for e in events if e["kind"] == "updated"]
    assert [(e["field"], e["old_value"], e["new_value"]) for e in updated] == [
        ("phone", "0912", "0987")
    ]
    assert updated[0]["actor"] == "test-clerk"
    assert events[-1]["kind"] == "completed"
    again = json.loads(ok(seeded("import", "dossiers", str(changed), "--update", "--json")).out)
    assert again["unchanged"] == 1
    other = write_csv(tmp_path / "c.csv", header, [[ROW[0], ROW[1], AGENCY_LATE, *ROW[3:], "", ""]])
    fails(seeded("import", "dossiers", str(other), "--update"), "quyết định hạn")
    # a time is shown as a clerk types it, not in ISO
    later = write_csv(tmp_path / "d.csv", header, [[*ROW[:5], "02/11/2026 10:00", "", ""]])
    refused = fails(seeded("import", "dossiers", str(later), "--update"), "NgayTiepNhan",
                    "“02/11/2026 10:00”", "dossier correct")  # fmt: skip
    assert "+07:00" not in refused.err


def test_declared_due_time_that_differs_is_reported_and_kept(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    header = [*HEADER, "NgayHenTra"]
    rows = [[*ROW, "06/11/2026 17:00"], ["H01-0002", *ROW[1:], "05/11/2026 09:00"]]
    result = ok(seeded("import", "dossiers", str(write_csv(tmp_path / "h.csv", header, rows))))
    assert "tệp hẹn trả 06/11/2026 17:00, hạn theo quy định 05/11/2026 09:00" in result.out
    stored = {r["code"]: r for r in dossier_rows(ledger_db)}
    assert stored["H01-0001"]["declared_due_at"] == "2026-11-06 10:00:00.000000"
    assert stored["H01-0001"]["due_at"] == "2026-11-05 02:00:00.000000"
    assert stored["H01-0002"]["declared_due_at"] is None
    assert events_of(ledger_db, "H01-0001")[-1]["field"] == "declared_due_at"


def test_finished_dossiers_get_lifecycle_events(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    header = [*HEADER, "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "status_at"]
    rows = [
        [*ROW, "04/11/2026 10:00", "05/11/2026 08:00", "10", ""],
        ["H01-0002", *ROW[1:], "", "", "8", "03/11/2026 08:00"],
    ]
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "f.csv", header, rows))))
    kinds = [e["kind"] for e in events_of(ledger_db, "H01-0001")]
    assert kinds == ["received", "completed", "returned"]
    stopped = events_of(ledger_db, "H01-0002")
    assert [e["kind"] for e in stopped] == ["received", "stopped"]
    assert stopped[-1]["reason"] == "nhập từ tệp"


def test_missing_required_column_and_unknown_format(seeded: Runner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", HEADER[:-1], [ROW[:-1]])
    fails(seeded("import", "dossiers", str(path)), "thiếu cột bắt buộc", "NgayTiepNhan")
    other = tmp_path / "a.txt"
    other.write_text("x")
    fails(seeded("import", "dossiers", str(other)), ".csv, .xlsx hoặc .json")
    # the portal's name and the product's for one field: both named
    both = write_csv(tmp_path / "b.csv", [*HEADER, "applicant_name"], [[*ROW, NAME]])
    fails(seeded("import", "dossiers", str(both)), "“ChuHoSo” và cột “applicant_name”")
    twice = write_csv(tmp_path / "t.csv", [*HEADER, "ChuHoSo"], [[*ROW, NAME]])
    fails(seeded("import", "dossiers", str(twice)), "“ChuHoSo” xuất hiện hai lần")


def test_json_with_half_a_utf16_pair_is_refused_naming_the_cell(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    record = dict(zip(HEADER, ROW, strict=True)) | {"ChuHoSo": "Nguy\ud800n"}
    path = tmp_path / "ho-so.json"
    path.write_text(json.dumps([record]), encoding="utf-8")  # ASCII: the escape stays "\ud800"
    before = row_counts(ledger_db)
    fails(
        seeded("import", "dossiers", str(path)),
        "dòng 2, cột “ChuHoSo”",
        "\\ud800",
        "một nửa cặp UTF-16",
    )
    assert row_counts(ledger_db) == before


def test_a_name_on_two_lines_keeps_the_list_aligned(seeded: Runner, tmp_path: Path) -> None:
    """A spreadsheet cell typed on two lines (Alt+Enter) is kept as imported; the text lists
    show it on one line, so each dossier stays one row."""
    two_lines = ["H01-0002", P_3_DAYS, AGENCY_DEFAULT, "Lê Thị\nHà", "1", "02/11/2026 10:00"]
    path = write_csv(tmp_path / "d.csv", HEADER, [ROW, two_lines])
    ok(seeded("import", "dossiers", str(path)))
    assert show_json(seeded, "H01-0002")["applicant_name"] == "Lê Thị\nHà"
    listed = ok(seeded("dossier", "list")).out.splitlines()
    rows = [line for line in listed if line.startswith("H01-")]
    assert len(rows) == 2 and "Lê Thị Hà" in rows[1]


def test_numbers_in_a_time_column(seeded: Runner, ledger_db: Ledger, tmp_path: Path) -> None:
    """The portal's yyyyMMddHHmmss that Excel or JSON keeps as a number is read; another
    number (a phone number in the wrong column, a year) is refused naming row, column, value."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["N-1", P_3_DAYS, AGENCY_DEFAULT, NAME, 1, 20261102090000])
    path = tmp_path / "so.xlsx"
    book.save(path)
    ok(seeded("import", "dossiers", str(path)))
    assert show_json(seeded, "N-1")["received_at"] == "2026-11-02T09:00:00+07:00"
    before = row_counts(ledger_db)
    for number, file in ((912345678, "phone.xlsx"), (2026, "year.xlsx")):
        sheet.cell(2, 1, f"N-{number}")
        sheet.cell(2, 6, number)
        book.save(tmp_path / file)
        fails(seeded("import", "dossiers", str(tmp_path / file)), "NgayTiepNhan", str(number),
              "không đọc được thời điểm")  # fmt: skip
    data = [dict(zip(HEADER, ["N-J", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", 1e300], strict=True))]
    (tmp_path / "big.json").write_text(json.dumps(data), encoding="utf-8")
    fails(seeded("import", "dossiers", str(tmp_path / "big.json")), "NgayTiepNhan", "1e+300")
    assert row_counts(ledger_db) == before


def test_a_quote_never_closed_is_refused_naming_its_line(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """A quote opening a cell and never closed would take in the rest of the file as that
    cell: refused, naming the line; so is one closed only rows later."""
    before = row_counts(ledger_db)
    header = ",".join([*HEADER, "DiaChi"])
    good = f"{','.join(ROW)},Số 1"
    for name, third, fourth, line in (
        ("open.csv", '"Số 12 đường B', ",".join(["H01-0003", *ROW[1:], "x"]), 3),
        ("late.csv", '"Số 12 đường B', ",".join(["H01-0003", *ROW[1:], 'x"']), 3),
    ):
        row3 = ",".join(["H01-0002", *ROW[1:], third])
        text = "\n".join([header, good, row3, fourth, ",".join(["H01-0004", *ROW[1:], "y"])])
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
        fails(seeded("import", "dossiers", str(tmp_path / name)), f"dòng {line}", "ngoặc kép")
    assert row_counts(ledger_db) == before


def test_phones_keep_spaces_and_codes_refuse_hidden_characters(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """ "0912 345 678" is how a phone is written; a code with a zero-width space (pasted from
    a web page) would be a second dossier looking the same as the first in every list."""
    header = [*HEADER, "SoDienThoai"]
    spaced = write_csv(tmp_path / "p.csv", header, [[*ROW, "0912 345 678"]])
    ok(seeded("import", "dossiers", str(spaced)))
    assert show_json(seeded, "H01-0001")["phone"] == "0912 345 678"
    before = row_counts(ledger_db)
    for cells, column in (
        (["H01-0002\u200b", *ROW[1:], ""], "MaHoSo"),
        (["H01-0003", f"{P_3_DAYS}\ufeff", *ROW[2:], ""], "MaTTHC"),
        (["H01-0004", *ROW[1:], "0912\u200b345"], "SoDienThoai"),
        (["H01-0005", *ROW[1:], "0912\t345"], "SoDienThoai"),
    ):
        path = write_csv(tmp_path / "h.csv", header, [cells])
        fails(seeded("import", "dossiers", str(path)), column, "ký tự ẩn")
    assert row_counts(ledger_db) == before
    fails(seeded("dossier", "add", "H\u200b1", "--procedure", P_3_DAYS, "--applicant", NAME,
                 "--agency", AGENCY_DEFAULT, "--channel", "truc-tiep",
                 "--received", "02/11/2026 09:00"), "ký tự ẩn")  # fmt: skip


def test_files_as_offices_save_them(seeded: Runner, ledger_db: Ledger, tmp_path: Path) -> None:
    """Semicolons under title lines (Excel in a Vietnamese locale), Excel's "sep=;" line, a
    workbook whose first sheet is hidden: read as a person sees them."""
    from openpyxl import Workbook

    lines = [";".join(HEADER), ";".join(["S-1", *ROW[1:]])]
    titled = tmp_path / "tieu-de.csv"
    titled.write_text("SỔ THEO DÕI HỒ SƠ TTHC\nTừ ngày 01/11/2026\n\n" + "\n".join(lines) + "\n",
                      encoding="utf-8")  # fmt: skip
    ok(seeded("import", "dossiers", str(titled)))
    declared = tmp_path / "sep.csv"
    declared.write_text("sep=;\n" + lines[0] + "\n" + ";".join(["S-2", *ROW[1:]]) + "\n",
                        encoding="utf-8")  # fmt: skip
    ok(seeded("import", "dossiers", str(declared)))
    book = Workbook()
    old = book.active
    assert old is not None
    old.append(HEADER)
    old.append(["OLD-1", *ROW[1:]])
    old.sheet_state = "hidden"
    new = book.create_sheet("Mới")
    new.append(HEADER)
    new.append(["S-3", *ROW[1:]])
    book.active = 1
    book.save(tmp_path / "an.xlsx")
    ok(seeded("import", "dossiers", str(tmp_path / "an.xlsx")))
    assert [r["code"] for r in dossier_rows(ledger_db)] == ["S-1", "S-2", "S-3"]


def test_files_that_are_not_tables_are_refused_in_vietnamese(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    before = row_counts(ledger_db)
    renamed = tmp_path / "cu.xlsx"
    renamed.write_bytes(b"\xd0\xcf\x11\xe0 an old .xls")
    fails(seeded("import", "dossiers", str(renamed)), "không phải tệp Excel .xlsx", ".xls cũ")
    folder = tmp_path / "thu-muc.csv"
    folder.mkdir()
    fails(seeded("import", "dossiers", str(folder)), "thư mục")
    assert row_counts(ledger_db) == before


def test_a_code_excel_saved_in_scientific_form_is_refused(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """Excel saves 487534001234 as "4.87534E+11" in a CSV: the digits are gone."""
    before = row_counts(ledger_db)
    path = write_csv(tmp_path / "e.csv", [*HEADER, "SoDinhDanh"], [[*ROW, "4.87534E+11"]])
    fails(seeded("import", "dossiers", str(path)), "SoDinhDanh", "4.87534E+11", "định dạng cột")
    assert row_counts(ledger_db) == before


def test_a_fixed_rejects_file_imports_as_the_original_would(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """An Excel date cell (no time) is written back as a date: once the refused line is
    fixed, the rejects file reads as the original line did."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER, "NgayKetThucXuLy"])
    sheet.append(["R-1", P_3_DAYS, "KHONG-CO", NAME, 1, naive(2026, 11, 2, 9), naive(2026, 11, 2)])
    book.save(tmp_path / "a.xlsx")
    rejects = tmp_path / "loi.csv"
    refused = seeded("import", "dossiers", str(tmp_path / "a.xlsx"), "--skip-invalid",
                     "--rejects", str(rejects))  # fmt: skip
    assert refused.code == 0 and refused.err.count("KHONG-CO") == 2  # one line: value, reason
    text = rejects.read_text(encoding="utf-8-sig")
    assert "02/11/2026 09:00:00,02/11/2026," in text
    fixed = text.replace("KHONG-CO", AGENCY_DEFAULT).splitlines()
    header, line = fixed[0].split(",")[:-1], fixed[1].split(",")[:7]
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "sua.csv", header, [line]))))
    assert show_json(seeded, "R-1")["completed_at"] == "2026-11-02T09:00:00+07:00"
