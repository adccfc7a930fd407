"""`tthc init`, `tthc agency …` and `tthc procedure …` through the real entry point."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.backends import Ledger
from tests.conftest import (
    AGENCY_DEFAULT,
    AGENCY_LATE,
    P_3_DAYS,
    P_HALF_DAY,
    P_SAME_DAY,
    Runner,
    fails,
    ok,
    row_counts,
    snapshot,
)
from tthc_tracker.storage.db import head_revision


def test_init_twice_creates_then_reports_up_to_date(run: Runner, ledger_db: Ledger) -> None:
    assert f"trống → {head_revision()}" in ok(run("init")).out
    assert ledger_db.path is None or ledger_db.path.exists()
    assert "đã ở phiên bản mới nhất" in ok(run("init")).out
    assert row_counts(ledger_db) == dict.fromkeys(row_counts(ledger_db), 0)


def test_agency_add_and_list(initialised: Runner) -> None:
    run = initialised
    added = ok(run("agency", "add", "STP-AG", "--name", "SỞ TƯ PHÁP", "--parent", "UBND TỈNH"))
    assert added.out.strip() == "Đã thêm cơ quan STP-AG: SỞ TƯ PHÁP."
    listing = ok(run("agency", "list")).out
    assert "STP-AG" in listing
    assert "SỞ TƯ PHÁP" in listing
    assert "07:00-11:30,13:30-17:00" in listing  # the default office hours


def test_agency_add_and_list_json(initialised: Runner) -> None:
    run = initialised
    added = json.loads(
        ok(
            run(
                "agency",
                "add",
                "HCC-AG",
                "--name",
                "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
                "--parent",
                "UBND TỈNH AN GIANG",
                "--place",
                "Rạch Giá",
                "--signer-title",
                "GIÁM ĐỐC",
                "--signer-name",
                "Nguyễn Văn Thành",
                "--letter-suffix",
                "HCC-HCTH",
                "--office-hours",
                "07:30-11:30,13:00-17:00",
                "--saturday-hours",
                "07:30-11:30",
                "--email",
                "hcc@example.gov.vn",
                "--json",
            )
        ).out
    )
    expected = {
        "code": "HCC-AG",
        "name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "parent": "UBND TỈNH AN GIANG",
        "place": "Rạch Giá",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Thành",
        "letter_suffix": "HCC-HCTH",
        "office_hours": "07:30-11:30,13:00-17:00",
        "saturday_hours": "07:30-11:30",
        "saturday_counts": False,
        "apology_lead_days": 1,
        "email": "hcc@example.gov.vn",
    }
    assert {key: added[key] for key in expected} == expected  # later issues may add fields
    listed = json.loads(ok(run("agency", "list", "--json")).out)
    assert [a["code"] for a in listed] == ["HCC-AG"]
    assert listed[0]["office_hours"] == "07:30-11:30,13:00-17:00"


def test_seeded_catalogue_lists_both_agencies_and_all_procedures(seeded: Runner) -> None:
    agencies = json.loads(ok(seeded("agency", "list", "--json")).out)
    hours = {a["code"]: a["office_hours"] for a in agencies}
    assert hours == {
        AGENCY_LATE: "07:30-11:30,13:00-17:00",
        AGENCY_DEFAULT: "07:00-11:30,13:30-17:00",
    }
    procedures = {p["code"]: p for p in json.loads(ok(seeded("procedure", "list", "--json")).out)}
    assert len(procedures) == 4
    assert procedures[P_3_DAYS]["limit_unit"] == "working_days"
    assert procedures[P_3_DAYS]["limit_amount"] == "3"
    assert procedures[P_SAME_DAY]["limit_unit"] == "same_day"
    assert procedures[P_SAME_DAY]["cutoff"] == "15:00"
    assert procedures[P_HALF_DAY]["limit_amount"] == "0.5"
    assert procedures[P_HALF_DAY]["limit"] == "0,5 ngày làm việc"
    text = ok(seeded("procedure", "list")).out
    assert "0,5 ngày làm việc" in text
    assert "Trong ngày" in text
    assert "15:00" in text


def test_procedure_add_prints_and_json(seeded: Runner) -> None:
    out = ok(
        seeded(
            "procedure",
            "add",
            "1.004227",
            "--name",
            "Cấp phiếu lý lịch tư pháp",
            "--field",
            "Lý lịch tư pháp",
            "--limit",
            "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
            "--level",
            "Cấp tỉnh",
            "--agency",
            AGENCY_DEFAULT,
        )
    ).out
    assert out.strip() == "Đã thêm thủ tục 1.004227: Cấp phiếu lý lịch tư pháp (3 ngày làm việc)."
    data = json.loads(
        ok(
            seeded(
                "procedure",
                "add",
                "1.000001",
                "--name",
                "Thủ tục theo giờ",
                "--field",
                "Khác",
                "--limit",
                "4 giờ làm việc",
                "--cutoff",
                "15h30",
                "--json",
            )
        ).out
    )
    assert data["code"] == "1.000001"
    assert data["limit_unit"] == "working_hours"
    assert data["cutoff"] == "15:30"
    assert data["agency"] is None
    listed = {p["code"]: p for p in json.loads(ok(seeded("procedure", "list", "--json")).out)}
    assert listed["1.004227"]["agency"] == AGENCY_DEFAULT
    assert listed["1.004227"]["limit"] == "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"


def test_nfd_agency_name_is_stored_in_nfc(initialised: Runner) -> None:
    nfd = unicodedata.normalize("NFD", "SỞ TƯ PHÁP TỈNH AN GIANG")
    assert nfd != unicodedata.normalize("NFC", nfd)
    ok(initialised("agency", "add", "STP-AG", "--name", nfd))
    [agency] = json.loads(ok(initialised("agency", "list", "--json")).out)
    assert agency["name"] == "SỞ TƯ PHÁP TỈNH AN GIANG"
    assert unicodedata.is_normalized("NFC", agency["name"])


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ("agency", "add", AGENCY_DEFAULT, "--name", "Trùng mã"),
            ("Cơ quan", AGENCY_DEFAULT, "đã tồn tại"),
        ),
        (("agency", "add", "NEW", "--name", "  "), ("--name", "không được để trống")),
        (("agency", "add", "MÃ CÓ CÁCH", "--name", "X"), ("mã cơ quan", "MÃ CÓ CÁCH")),
        (
            ("agency", "add", "NEW", "--name", "X", "--office-hours", "7-11"),
            ("giờ làm việc", "7-11"),
        ),
        (
            ("agency", "add", "NEW", "--name", "X", "--office-hours", "13:00-17:00,07:00-11:00"),
            ("giờ làm việc", "13:00-17:00,07:00-11:00", "không chồng"),
        ),
        (
            ("agency", "add", "NEW", "--name", "X", "--office-hours", "17:00-07:00"),
            ("giờ làm việc", "17:00-07:00"),
        ),
        (
            ("agency", "add", "NEW", "--name", "X", "--apology-lead-days", "0"),
            ("--apology-lead-days", "0"),
        ),
        (
            ("procedure", "add", "9.9", "--name", "X", "--field", "Y", "--limit", "ba ngày"),
            ("thời hạn", "ba ngày", "3 ngày làm việc"),
        ),
        (
            ("procedure", "add", "9.9", "--name", "X", "--field", "Y", "--limit", "3 ngày 4 giờ"),
            ("thời hạn", "3 ngày 4 giờ"),
        ),
        (
            (
                "procedure",
                "add",
                "9.9",
                "--name",
                "X",
                "--field",
                "Y",
                "--limit",
                "3 ngày làm việc",
                "--cutoff",
                "25:00",
            ),
            ("--cutoff", "25:00", "HH:MM"),
        ),
        (
            (
                "procedure",
                "add",
                "9.9",
                "--name",
                "X",
                "--field",
                "Y",
                "--limit",
                "1 ngày",
                "--cutoff",
                " ",
            ),
            ("--cutoff", "không được để trống"),
        ),
        (
            (
                "procedure",
                "add",
                "9.9",
                "--name",
                "X",
                "--field",
                "Y",
                "--limit",
                "3 ngày làm việc",
                "--agency",
                "KHONG-CO",
            ),
            ("Cơ quan", "KHONG-CO", "không tồn tại"),
        ),
        (
            ("procedure", "add", P_3_DAYS, "--name", "X", "--field", "Y", "--limit", "1 ngày"),
            ("Thủ tục", P_3_DAYS, "đã tồn tại"),
        ),
        (
            ("procedure", "add", "9.9", "--name", "X", "--field", "", "--limit", "1 ngày"),
            ("--field", "không được để trống"),
        ),
        (("agency", "add", "NEW"), ("lệnh viết chưa đúng", "--name")),
        (
            ("procedure", "add", "9.9", "--name", "X", "--field", "Y"),
            ("lệnh viết chưa đúng", "--limit"),
        ),
        (
            ("agency", "add", "NEW", "--name", "X", "--apology-lead-days", "một"),
            ("lệnh viết chưa đúng", "--apology-lead-days"),
        ),
        (
            ("agency", "add", "NEW", "--name", "X", "--email", "vanphong"),
            ("--email", "vanphong", "thư điện tử"),
        ),
        (
            (
                "procedure",
                "add",
                "9.9",
                "--name",
                "X",
                "--field",
                "Y",
                "--limit",
                "1 ngày",
                "--level",
                "foo",
            ),
            ("--level", "foo", "Cấp tỉnh"),
        ),
    ],
)
def test_bad_catalogue_input_changes_nothing(
    seeded: Runner, ledger_db: Ledger, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    before = snapshot(ledger_db)
    result = fails(seeded(*args), *fragments)
    assert result.out == ""
    assert snapshot(ledger_db) == before


def test_a_level_is_written_as_bieu_06_groups_it(seeded: Runner) -> None:
    args = ("--name", "X", "--field", "Y", "--limit", "1 ngày", "--level", "  cấp   tỉnh ")
    ok(seeded("procedure", "add", "9.9", *args))
    listed = json.loads(ok(seeded("procedure", "list", "--json")).out)
    assert {p["code"]: p["level"] for p in listed}["9.9"] == "Cấp tỉnh"


def test_a_long_name_is_cut_with_an_ellipsis_in_the_list(seeded: Runner) -> None:
    name = "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền"
    ok(seeded("procedure", "add", "9.9", "--name", name, "--field", "Đất đai", "--limit", "1 ngày"))
    line = next(x for x in ok(seeded("procedure", "list")).out.splitlines() if "9.9" in x)
    assert name[:59] + "…" in line and name not in line
