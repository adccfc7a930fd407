"""`tthc export dossiers` round-trips through `tthc import dossiers`; `tthc export sqlite`."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from tests.backends import Ledger
from tests.conftest import (
    AGENCY_DEFAULT,
    P_3_DAYS,
    MakeLedger,
    Runner,
    fails,
    ok,
    runner_for,
)
from tests.imports.files import HEADER, write_csv

NAME = "Nguyễn Văn Đức"
EXTRA = ["NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "status_at", "status_reason",
         "NgayHenTra", "SoDinhDanh"]  # fmt: skip
ROWS = [
    ["0012", P_3_DAYS, AGENCY_DEFAULT, NAME, "1", "02/11/2026 09:00", *[""] * 6, "0012"],
    ["1.010", P_3_DAYS, AGENCY_DEFAULT, "Trần Thị Ánh", "2", "02/11/2026 10:00",
     "04/11/2026 10:00", "06/11/2026 08:00", "10", "", "", "", ""],
    ["H3", P_3_DAYS, AGENCY_DEFAULT, "Lê Văn Sơn", "3", "03/11/2026 08:00", "", "", "6",
     "04/11/2026 09:00", "Chờ thực hiện nghĩa vụ tài chính", "", ""],
    ["H4", P_3_DAYS, AGENCY_DEFAULT, "Công ty A & B", "1", "03/11/2026 08:30", "", "", "", "",
     "", "10/11/2026 17:00", ""],
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "names"), [("csv", "dvcqg"), ("json", "native"),
                                            ("csv", "native"), ("json", "dvcqg")])  # fmt: skip
def test_export_import_export_gives_the_same_file(
    seeded: Runner,
    make_ledger: MakeLedger,
    seeded_template: Ledger,
    tmp_path: Path,
    fmt: str,
    names: str,
) -> None:
    source = write_csv(tmp_path / "in.csv", [*HEADER, *EXTRA], ROWS)
    ok(seeded("import", "dossiers", str(source)))
    first = tmp_path / f"one.{fmt}"
    ok(seeded("export", "dossiers", "--format", fmt, "--names", names, "-o", str(first)))
    other = runner_for(make_ledger(seeded_template).url)
    ok(other("import", "dossiers", str(first)))
    second = tmp_path / f"two.{fmt}"
    ok(other("export", "dossiers", "--format", fmt, "--names", names, "-o", str(second)))
    assert second.read_bytes() == first.read_bytes()
    assert "0012" in first.read_text(encoding="utf-8-sig")


def test_text_beginning_with_equals_stays_text_through_xlsx(
    seeded: Runner, make_ledger: MakeLedger, seeded_template: Ledger, tmp_path: Path
) -> None:
    """openpyxl would store "=> …" as a formula: lost on the way back, or run by Excel."""
    from openpyxl import load_workbook

    header = [*HEADER, "TrichYeuHoSo", "DiaChi"]
    row = ["F-1", P_3_DAYS, AGENCY_DEFAULT, "=HYPERLINK(\"x\")", "1", "02/11/2026 09:00",
           "=> Cấp đổi giấy phép", "=SUM(1;2)"]  # fmt: skip
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "in.csv", header, [row]))))
    book = tmp_path / "one.xlsx"
    ok(seeded("export", "dossiers", "--format", "xlsx", "-o", str(book)))
    sheet = load_workbook(book).active
    assert sheet is not None
    assert {c.data_type for c in sheet[2] if isinstance(c.value, str)} == {"s"}
    other = runner_for(make_ledger(seeded_template).url)
    ok(other("import", "dossiers", str(book)))
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    ok(seeded("export", "dossiers", "-o", str(first)))
    ok(other("export", "dossiers", "-o", str(second)))
    assert second.read_bytes() == first.read_bytes()
    assert "=> Cấp đổi giấy phép" in second.read_text(encoding="utf-8-sig")


def test_export_filters_and_xlsx(seeded: Runner, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "in.csv", [*HEADER, *EXTRA], ROWS))))
    out = tmp_path / "r.xlsx"
    result = ok(seeded("export", "dossiers", "--format", "xlsx", "--status", "returned",
                       "-o", str(out)))  # fmt: skip
    assert "1 hồ sơ" in result.out
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "MaHoSo"
    assert rows[1][0] == "1.010"
    dated = tmp_path / "d.csv"
    ok(seeded("export", "dossiers", "--from", "03/11/2026", "--to", "03/11/2026", "-o", str(dated)))
    assert len(dated.read_text(encoding="utf-8-sig").splitlines()) == 3
    fails(seeded("export", "dossiers", "--format", "pdf", "-o", str(out)), "--format")
    # the format follows the file name unless given; a name and a format that disagree are
    # refused (CSV text in a .xlsx file would not open); so is a reversed range
    by_name = tmp_path / "theo-ten.xlsx"
    ok(seeded("export", "dossiers", "-o", str(by_name)))
    assert load_workbook(by_name).active is not None
    fails(seeded("export", "dossiers", "--format", "csv", "-o", str(by_name)), "--format",
          "theo-ten.xlsx", ".xlsx")  # fmt: skip
    fails(seeded("export", "dossiers", "-o", str(tmp_path / "x.xls")), "x.xls", ".csv, .xlsx")
    fails(seeded("export", "dossiers", "--from", "01/12/2026", "--to", "01/11/2026", "-o",
                 str(tmp_path / "r.csv")), "--to", "01/11/2026", "--from")  # fmt: skip
    assert not (tmp_path / "r.csv").exists() and not (tmp_path / "x.xls").exists()


def test_export_sqlite_snapshot(seeded: Runner, tmp_path: Path) -> None:
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "in.csv", [*HEADER, *EXTRA], ROWS))))
    path = tmp_path / "phan-tich.db"
    ok(seeded("export", "sqlite", str(path)))
    db = sqlite_utils.Database(path)
    assert {"agencies", "procedures", "dossiers", "events", "letters"} <= set(db.table_names())
    assert {"late_dossiers", "open_overdue"} <= set(db.view_names())
    assert [r["code"] for r in db["dossiers"].search("Đức")] == ["0012"]
    # without marks too, as `tthc dossier search` finds it (Đ as D)
    assert [r["code"] for r in db["dossiers"].search("nguyen van duc")] == ["0012"]
    assert db.execute("select code from dossiers where code = '1.010'").fetchone() == ("1.010",)
    overdue = [r[0] for r in db.execute("select code from open_overdue order by code")]
    assert overdue == ["0012", "H4"]
    late = [r[0] for r in db.execute("select code from late_dossiers")]
    assert late == []
    received = db.execute("select received_at from dossiers where code='0012'").fetchone()[0]
    assert received == "2026-11-02 02:00:00.000000"
    fails(seeded("export", "sqlite", str(path)), "--force")
    ok(seeded("export", "sqlite", str(path), "--force"))
