"""Imports of the real files in tests/fixtures/ (written by tests/fixtures/make_fixtures.py):
each encoding, an .xlsx with Excel dates and a merged title, legacy TCVN3 and VNI text, a
procedure catalogue, and files with one line for every rejection path."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok, row_counts, show_json
from tests.imports.files import dossier_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    "name",
    ["dossiers-utf8.csv", "dossiers-utf8-bom.csv", "dossiers-utf16.csv", "dossiers-cp1258.csv"],
)
def test_each_encoding_imports_the_same_dossiers(seeded: Runner, name: str) -> None:
    summary = json.loads(ok(seeded("import", "dossiers", str(FIXTURES / name), "--json")).out)
    assert (summary["added"], summary["errors"]) == (3, [])
    first = show_json(seeded, "000.00.10.H01-261102-0001")
    assert first["applicant_name"] == "Nguyễn Văn Đức"
    assert first["address"] == "Ấp Trung Bình, xã Thoại Giang"
    assert first["phone"] == "0912345678"
    assert first["due_at"] == "2026-11-05T09:00:00+07:00"
    second = show_json(seeded, "000.00.10.H01-261102-0002")
    assert (second["applicant_name"], second["status"]) == ("Trần Thị Mỹ Hạnh", "returned")
    assert second["returned_at"] == "2026-11-05T08:00:00+07:00"
    third = show_json(seeded, "000.00.10.H01-261103-0003")
    assert third["applicant_name"] == "Huỳnh Thị Ngọc Hân"
    assert (third["received_at"], third["channel"]) == ("2026-11-03T00:00:00+07:00", "buu-chinh")


def test_xlsx_with_merged_title_and_excel_serial_dates(seeded: Runner) -> None:
    result = ok(seeded("import", "dossiers", str(FIXTURES / "dossiers.xlsx"), "--json"))
    assert json.loads(result.out)["added"] == 2
    first = show_json(seeded, "0012")
    assert first["received_at"] == "2026-11-02T09:00:00+07:00"
    assert first["channel"] == "truc-tuyen"
    second = show_json(seeded, "0013")
    assert second["completed_at"] == "2026-11-03T15:00:00+07:00"
    assert second["returned_at"] == "2026-11-04T10:00:00+07:00"
    assert second["status"] == "returned"


@pytest.mark.parametrize(
    ("name", "encoding"), [("dossiers-tcvn3.csv", "TCVN3"), ("dossiers-vni.csv", "VNI")]
)
def test_legacy_encodings_are_refused_with_a_hint(
    seeded: Runner, ledger_db: Ledger, name: str, encoding: str
) -> None:
    before = row_counts(ledger_db)
    result = fails(seeded("import", "dossiers", str(FIXTURES / name)), encoding, "Unikey")
    assert "dòng 2, cột 4" in result.err
    assert row_counts(ledger_db) == before


EXPECTED_REJECTIONS = {
    3: ("MaTTHC", "9.999", "không tồn tại"),
    4: ("DonViXuLy", "KHONG-CO", "không tồn tại"),
    5: ("ChuHoSo", "", "không được để trống"),
    6: ("KenhThucHien", "7", "kênh thực hiện"),
    7: ("NgayTiepNhan", "31/02/2026 09:00", "không đọc được thời điểm"),
    8: ("NgayTiepNhan", "", "muộn hơn thời điểm hiện tại"),
    9: ("NgayKetThucXuLy", "01/11/2026 09:00", "sớm hơn thời điểm tiếp nhận"),
    10: ("TrangThaiHoSo", "9", "cần thời điểm xử lý xong"),
    11: ("TrangThaiHoSo", "1", "Mới đăng ký"),
    12: ("MaHoSo", "000.00.10.H01-261102-0001", "trùng với dòng 2"),
    13: ("MaHoSo", "B 12", "khoảng trắng"),
    14: ("TrangThaiHoSo", "Đang dừng", "trạng thái không nhận ra"),
}


def test_every_rejection_is_reported_and_nothing_is_written(
    seeded: Runner, ledger_db: Ledger
) -> None:
    before = row_counts(ledger_db)
    path = FIXTURES / "dossiers-invalid.csv"
    result = seeded("import", "dossiers", str(path), "--json")
    assert result.code == 1
    summary = json.loads(result.out)
    assert summary["written"] is False
    assert summary["invalid_lines"] == len(EXPECTED_REJECTIONS)
    found = {(e["line"], e["column"]): e for e in summary["errors"]}
    for line, (column, value, reason) in EXPECTED_REJECTIONS.items():
        error = found[(line, column)]
        assert value in error["value"], (line, error)
        assert reason in error["reason"], (line, error)
    # a phone keeps its plain spaces ("09 12"): only the code beside it is refused
    assert "SoDienThoai" not in {c for line, c in found if line == 13}
    assert row_counts(ledger_db) == before
    message = fails(seeded("import", "dossiers", str(path)), "12 dòng không hợp lệ", "không ghi gì")
    assert "Dòng 8, cột “NgayTiepNhan”" in message.err


def test_skip_invalid_writes_the_valid_lines_and_every_refused_line_to_rejects(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    source = tmp_path / "ho-so.csv"
    shutil.copyfile(FIXTURES / "dossiers-invalid.csv", source)
    rejects = tmp_path / "loi.csv"
    result = ok(seeded("import", "dossiers", str(source), "--skip-invalid", "--rejects",
                       str(rejects), "--json"))  # fmt: skip
    summary = json.loads(result.out)
    assert (summary["added"], summary["rejected"]) == (2, len(EXPECTED_REJECTIONS))
    assert [r["code"] for r in dossier_rows(ledger_db)] == [
        "000.00.10.H01-261102-0001",
        "000.00.10.H01-261102-0002",
    ]
    with (FIXTURES / "dossiers-invalid.csv").open(encoding="utf-8", newline="") as handle:
        original = list(csv.reader(handle))
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == [*original[0], "ly_do"]
    assert [line[:-1] for line in written[1:]] == [original[n - 1] for n in EXPECTED_REJECTIONS]
    for line, (column, _value, reason) in zip(EXPECTED_REJECTIONS, EXPECTED_REJECTIONS.values(),
                                               strict=True):  # fmt: skip
        reasons = written[list(EXPECTED_REJECTIONS).index(line) + 1][-1]
        assert f"Dòng {line}, cột “{column}”" in reasons
        assert reason in reasons


def test_procedure_catalogue_with_vietnamese_headers(seeded: Runner, ledger_db: Ledger) -> None:
    path = FIXTURES / "procedures.csv"
    ok(seeded("import", "procedures", str(path), "--dry-run"))
    summary = json.loads(ok(seeded("import", "procedures", str(path), "--json")).out)
    assert (summary["added"], summary["written"]) == (4, True)
    listed = {p["code"]: p for p in json.loads(ok(seeded("procedure", "list", "--json")).out)}
    assert listed["1.010"]["limit_unit"] == "working_days"
    assert listed["1.010"]["agency"] == "UBND-A"
    assert listed["0012"]["cutoff"] == "15:00"
    assert listed["2.000488.000.00.00.H01"]["limit_unit"] == "calendar_days"
    fails(seeded("import", "procedures", str(path)), "Dòng 2, cột “MaTTHC”", "--update")
    again = json.loads(ok(seeded("import", "procedures", str(path), "--update", "--json")).out)
    assert again["unchanged"] == 4


PROCEDURE_REJECTIONS = {
    3: ("ThoiHanGiaiQuyet", "tùy trường hợp", "không đọc được thời hạn"),
    4: ("CoQuanThucHien", "KHONG-CO", "không tồn tại"),
    5: ("TenTTHC", "", "không được để trống"),
    6: ("MaTTHC", "1.010", "trùng với dòng 2"),
    7: ("GioChot", "25:00", ""),
    8: ("MaTTHC", "2 005", "khoảng trắng"),
}


def test_procedure_rejections_write_nothing(seeded: Runner, ledger_db: Ledger) -> None:
    before = row_counts(ledger_db)
    result = seeded("import", "procedures", str(FIXTURES / "procedures-invalid.csv"), "--json")
    assert result.code == 1
    errors = {(e["line"], e["column"]): e for e in json.loads(result.out)["errors"]}
    assert {line for line, _ in errors} == set(PROCEDURE_REJECTIONS)
    for line, (column, value, reason) in PROCEDURE_REJECTIONS.items():
        assert errors[(line, column)]["value"] == value
        assert reason in errors[(line, column)]["reason"]
    assert row_counts(ledger_db) == before
    fails(seeded("import", "procedures", str(FIXTURES / "procedures-invalid.csv")),
          "6 dòng không hợp lệ", "Dòng 3, cột “ThoiHanGiaiQuyet”")  # fmt: skip


def test_updated_limit_recomputes_open_dossiers(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    ok(seeded("import", "procedures", str(FIXTURES / "procedures.csv")))
    ok(seeded("dossier", "add", "KH-1", "--procedure", "1.010", "--agency", "UBND-A",
              "--applicant", "Nguyễn Văn Đức", "--received", "02/11/2026 09:00",
              "--channel", "truc-tiep"))  # fmt: skip
    assert show_json(seeded, "KH-1")["due_at"] == "2026-11-05T09:00:00+07:00"
    # another procedure's dossier with a due time stored by an older version: a catalogue
    # update of 1.010 leaves it alone (tthc db recompute is for that)
    ok(seeded("dossier", "add", "KH-OTHER", "--procedure", "1.004227", "--agency", "UBND-A",
              "--applicant", "Lê Thị Hà", "--received", "02/11/2026 09:00",
              "--channel", "truc-tiep"))  # fmt: skip
    ledger_db.execute(
        "UPDATE dossier SET due_at = (SELECT received_at FROM dossier WHERE code = 'KH-OTHER')"
        " WHERE code = 'KH-OTHER'"
    )
    stale = show_json(seeded, "KH-OTHER")["due_at"]
    changed = tmp_path / "thu-tuc.csv"
    text = (FIXTURES / "procedures.csv").read_text(encoding="utf-8-sig")
    changed.write_text(text.replace("03 ngày làm việc kể từ", "05 ngày làm việc kể từ"), "utf-8")
    preview = ok(seeded("import", "procedures", str(changed), "--update", "--dry-run")).out
    assert "Sẽ tính lại hạn của 1 hồ sơ đang mở:" in preview
    assert show_json(seeded, "KH-1")["due_at"] == "2026-11-05T09:00:00+07:00"  # dry run
    result = ok(seeded("import", "procedures", str(changed), "--update"))
    assert "  1.010: thời hạn (nguyên văn): 03 ngày làm việc kể từ" in result.out
    assert "→ 05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ" in result.out
    assert "Đã tính lại hạn của 1 hồ sơ đang mở:" in result.out
    assert "  KH-1 (UBND-A): 05/11/2026 09:00 → 09/11/2026 09:00" in result.out
    summary = json.loads(ok(seeded("import", "procedures", str(FIXTURES / "procedures.csv"),
                                   "--update", "--json")).out)  # fmt: skip
    assert summary["changes"]["1.010"] == ["limit_text", "limit"]  # back to 03 days
    assert summary["changed_values"]["1.010"]["limit"] == {
        "before": "5 ngày làm việc",
        "after": "3 ngày làm việc",
    }
    assert summary["recomputed"] == [
        {
            "code": "KH-1",
            "agency": "UBND-A",
            "due_at": {"before": "2026-11-09T09:00:00+07:00", "after": "2026-11-05T09:00:00+07:00"},
        }
    ]
    ok(seeded("import", "procedures", str(changed), "--update"))
    shown = show_json(seeded, "KH-1")
    assert shown["due_at"] == "2026-11-09T09:00:00+07:00"
    assert shown["limit"] == "05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"
    assert show_json(seeded, "KH-OTHER")["due_at"] == stale
    events = json.loads(ok(seeded("dossier", "show", "KH-1", "--json")).out)["events"]
    assert {e["kind"] for e in events} == {"received", "due_recomputed"}
    assert events[-1]["reason"] == "tính lại theo thời hạn thủ tục mới (nhập danh mục)"
