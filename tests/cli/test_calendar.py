"""`tthc deadline` and `tthc calendar …`: explanations, edits and the recomputation they cause."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.backends import Ledger
from tests.conftest import (
    ACTOR,
    AGENCY_LATE,
    P_3_DAYS,
    Runner,
    add_dossier,
    fails,
    ok,
    show_json,
    snapshot,
)


def deadline(run: Runner, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("deadline", *args, "--json")).out)
    return data


def test_deadline_json_for_the_law_example_2025(initialised: Runner) -> None:
    data = deadline(initialised, "--received", "25/04/2025 15:00", "--limit", "3 ngày làm việc")
    assert data["due_at"] == "2025-04-29T15:00:00+07:00"
    assert data["legal_due_at"] == "2025-04-29T15:00:00+07:00"
    assert data["limit"] == "3 ngày làm việc"
    assert data["office_hours"] == "07:00-11:30,13:30-17:00"
    days = {d["date"]: d for d in data["days"]}
    assert days["2025-04-26"]["status"] == "worked_weekend"  # Sat 26/4/2025 was worked
    assert days["2025-04-26"]["counted_seconds"] == 8 * 3600
    assert days["2025-04-27"]["status"] == "weekend"
    assert sum(d["counted_seconds"] for d in data["days"]) == 24 * 3600


def test_deadline_text_explains_day_by_day(initialised: Runner) -> None:
    out = ok(
        initialised("deadline", "--received", "25/04/2025 15:00", "--limit", "3 ngày làm việc")
    ).out
    assert "Hạn giải quyết: 29/04/2025 15:00 (Thứ Ba)" in out
    assert "Thứ Bảy 26/04/2025: tính 8 giờ — làm việc bù" in out
    assert "Chủ nhật 27/04/2025: không tính — cuối tuần" in out


def test_deadline_in_calendar_days_counts_days_not_hours(initialised: Runner) -> None:
    """A limit of "15 ngày": every day after the receipt counts, 2/9 and weekends too."""
    run = ("deadline", "--received", "01/09/2026 16:00", "--limit", "15 ngày")
    out = ok(initialised(*run)).out
    assert "Hạn giải quyết: 16/09/2026 17:00 (Thứ Tư)" in out
    assert "Thứ Ba 01/09/2026: không tính: thời hạn tính từ ngày hôm sau" in out
    assert "Thứ Tư 02/09/2026: ngày thứ 1 (tính cả ngày nghỉ) — nghỉ: Quốc khánh" in out
    assert "Thứ Tư 16/09/2026: ngày thứ 15 (tính cả ngày nghỉ); hạn trả: hết giờ làm việc" in out
    assert "tính 8 giờ" not in out and "tính 1 giờ" not in out
    data = json.loads(ok(initialised(*run, "--json")).out)
    assert [d["calendar_day"] for d in data["days"]] == [None, *range(1, 16)]
    month = ok(initialised("deadline", "--received", "29/01/2027 10:00", "--limit", "1 tháng")).out
    assert "Thứ Hai 01/03/2027: ngày cuối của thời hạn là ngày nghỉ: chuyển sang" in month


def test_a_due_time_across_a_year_not_announced_is_pointed_out(initialised: Runner) -> None:
    """domain.md §5.1: the days off of a year without an announced schedule are a forecast;
    the clerk is told wherever such a due time is shown. 2026 is announced (TB 9441)."""
    note = "Lưu ý: Năm 2029, 2030 chưa có lịch nghỉ được công bố"
    across = ("deadline", "--received", "28/12/2029 10:00", "--limit", "5 ngày làm việc")
    assert note in ok(initialised(*across)).out
    data = json.loads(ok(initialised(*across, "--json")).out)
    assert data["notes"] and data["notes"][0].startswith(note[len("Lưu ý: ") :])
    announced = ("deadline", "--received", "02/11/2026 10:00", "--limit", "5 ngày làm việc")
    assert "Lưu ý" not in ok(initialised(*announced)).out
    assert json.loads(ok(initialised(*announced, "--json")).out)["notes"] == []
    assert (
        "Năm 2030 chưa có lịch nghỉ được công bố" in ok(initialised("calendar", "show", "2030")).out
    )
    assert "Lưu ý" not in ok(initialised("calendar", "show", "2026")).out


def test_deadline_across_tet_names_the_holiday_and_its_source(initialised: Runner) -> None:
    out = ok(
        initialised("deadline", "--received", "13/02/2026 09:00", "--limit", "1 ngày làm việc")
    ).out
    assert "Hạn giải quyết: 23/02/2026 09:00 (Thứ Hai)" in out
    assert "Thứ Hai 16/02/2026: không tính — nghỉ: Tết Nguyên Đán" in out
    assert "TB 9441/TB-BNV" in out


@pytest.mark.parametrize(
    ("args", "due"),
    [
        (
            ("--received", "02/03/2026 09:00", "--limit", "3 ngày làm việc"),
            "2026-03-05T09:00:00+07:00",
        ),
        (
            ("--received", "2026-03-02 09:00", "--limit", "3 working days"),
            "2026-03-05T09:00:00+07:00",
        ),
        (
            ("--received", "02/03/2026 09:00", "--limit", "4 giờ làm việc"),
            "2026-03-02T15:00:00+07:00",
        ),
        (("--received", "02/03/2026 09:00", "--limit", "15 ngày"), "2026-03-17T17:00:00+07:00"),
        (("--received", "02/03/2026 09:00", "--limit", "1 tháng"), "2026-04-02T17:00:00+07:00"),
        (("--received", "02/03/2026 15:30", "--limit", "Trong ngày"), "2026-03-02T17:00:00+07:00"),
        (
            ("--received", "02/03/2026 15:30", "--limit", "Trong ngày", "--cutoff", "15:00"),
            "2026-03-03T17:00:00+07:00",
        ),
        (
            ("--received", "02/03/2026 14:30", "--limit", "Trong ngày", "--cutoff", "15:00"),
            "2026-03-02T17:00:00+07:00",
        ),
        (
            ("--received", "02/03/2026 07:15", "--limit", "3 ngày làm việc"),
            "2026-03-05T07:15:00+07:00",
        ),
        (
            (
                "--received",
                "02/03/2026 07:15",
                "--limit",
                "3 ngày làm việc",
                "--agency",
                AGENCY_LATE,
            ),
            "2026-03-04T17:00:00+07:00",
        ),
    ],
)
def test_deadline_examples(seeded: Runner, args: tuple[str, ...], due: str) -> None:
    assert deadline(seeded, *args)["due_at"] == due


def test_deadline_cutoff_and_agency_are_reported(seeded: Runner) -> None:
    cut = deadline(
        seeded, "--received", "02/03/2026 15:30", "--limit", "Trong ngày", "--cutoff", "15:00"
    )
    assert cut["counting_from"] == "2026-03-03T07:00:00+07:00"
    assert any("15:00" in step["text"] for step in cut["steps"])
    late = deadline(
        seeded, "--received", "02/03/2026 07:15", "--limit", "1 ngày", "--agency", AGENCY_LATE
    )
    assert late["office_hours"] == "07:30-11:30,13:00-17:00"
    assert late["due_at"] == "2026-03-03T17:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--received", "02/03/2026 09:00", "--limit", "ba ngày"), ("thời hạn", "ba ngày")),
        (
            ("--received", "32/13/2026 25:00", "--limit", "3 ngày làm việc"),
            ("--received", "32/13/2026 25:00"),
        ),
        (
            ("--received", "02/03/2026 09:00", "--limit", "1 ngày", "--cutoff", "chiều"),
            ("--cutoff", "chiều"),
        ),
        (
            ("--received", "02/03/2026 09:00", "--limit", "1 ngày", "--agency", "KHONG-CO"),
            ("Cơ quan", "KHONG-CO"),
        ),
        (("--received", "02/03/2060 09:00", "--limit", "1 ngày"), ("2060", "ngoài lịch làm việc")),
        (
            ("--received", "20/12/2036 09:00", "--limit", "15 ngày làm việc"),
            ("Hạn giải quyết rơi ra ngoài lịch làm việc đã dựng",),
        ),
        (("--limit", "1 ngày"), ("lệnh viết chưa đúng", "--received")),
    ],
)
def test_deadline_bad_input(
    seeded: Runner, ledger_db: Ledger, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    before = snapshot(ledger_db)
    fails(seeded("deadline", *args), *fragments)
    assert snapshot(ledger_db) == before


@pytest.fixture
def open_ledger(seeded: Runner) -> Runner:
    """OPEN due Mon 30/11/2026 09:00; LATE-B at the other agency; DONE already completed."""
    add_dossier(seeded, "OPEN", "25/11/2026 09:00")
    add_dossier(seeded, "LATE-B", "25/11/2026 09:00", agency=AGENCY_LATE)
    add_dossier(seeded, "DONE", "25/11/2026 09:00")
    ok(seeded("dossier", "complete", "DONE", "--at", "26/11/2026 09:00"))
    return seeded


def recomputed(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in data["events"] if e["kind"] == "due_recomputed"]


def test_add_off_recomputes_open_dossiers_with_audited_events(open_ledger: Runner) -> None:
    run = open_ledger
    done_before = show_json(run, "DONE")["events"]
    late_b_due = show_json(run, "LATE-B")["due_at"]
    out = ok(run("calendar", "add-off", "2026-11-30", "--reason", "Nghỉ đột xuất (QĐ 12/QĐ-UBND)"))
    assert "Đã thêm ngày nghỉ: Thứ Hai 30/11/2026." in out.out
    assert "Đã tính lại hạn của 2 hồ sơ đang mở." in out.out
    assert "OPEN" in out.out
    assert "DONE" not in out.out
    data = show_json(run, "OPEN")
    assert data["due_at"] == "2026-12-01T09:00:00+07:00"
    assert data["original_due_at"] == "2026-12-01T09:00:00+07:00"
    changes = {e["field"]: e for e in recomputed(data)}
    assert set(changes) == {"due_at", "original_due_at"}
    for event in changes.values():
        assert event["old_value"] == "2026-11-30T09:00:00+07:00"
        assert event["new_value"] == "2026-12-01T09:00:00+07:00"
        assert event["actor"] == ACTOR
        assert event["reason"]
    assert show_json(run, "LATE-B")["due_at"] != late_b_due
    done = show_json(run, "DONE")
    assert done["due_at"] == "2026-11-30T09:00:00+07:00"  # closed dossiers keep their due time
    assert done["events"] == done_before


def test_remove_restores_and_records_the_change_back(open_ledger: Runner) -> None:
    run = open_ledger
    ok(run("calendar", "add-off", "30/11/2026", "--reason", "Nghỉ đột xuất"))
    out = ok(run("calendar", "remove", "2026-11-30")).out
    assert "Đã bỏ điều chỉnh: Thứ Hai 30/11/2026." in out
    assert "Đã tính lại hạn của 2 hồ sơ đang mở." in out
    data = show_json(run, "OPEN")
    assert data["due_at"] == "2026-11-30T09:00:00+07:00"
    last = [e for e in recomputed(data) if e["field"] == "due_at"][-1]
    assert (last["old_value"], last["new_value"]) == (
        "2026-12-01T09:00:00+07:00",
        "2026-11-30T09:00:00+07:00",
    )
    assert len(recomputed(data)) == 4


def test_add_workday_json_and_a_repeated_edit_changes_nothing(open_ledger: Runner) -> None:
    run = open_ledger
    first = json.loads(
        ok(run("calendar", "add-workday", "2026-11-28", "--reason", "Làm bù", "--json")).out
    )
    assert first == {"date": "2026-11-28", "kind": "workday", "recomputed": ["LATE-B", "OPEN"]}
    assert show_json(run, "OPEN")["due_at"] == "2026-11-28T09:00:00+07:00"  # a worked Saturday
    again = json.loads(
        ok(run("calendar", "add-workday", "2026-11-28", "--reason", "Làm bù", "--json")).out
    )
    assert again["recomputed"] == []
    assert len(recomputed(show_json(run, "OPEN"))) == 2


def test_calendar_show_lists_worked_saturdays_and_days_off_with_sources(
    initialised: Runner,
) -> None:
    out = ok(initialised("calendar", "show", "2026")).out
    line = next(line for line in out.splitlines() if "22/08/2026" in line)
    assert "Thứ Bảy" in line
    assert "TB 9441/TB-BNV" in line
    assert "Thứ Hai 31/08/2026" in out
    assert "Thứ Hai 16/02/2026" in out
    assert "Thứ Ba 24/11/2026" in out
    days = {
        d["date"]: d for d in json.loads(ok(initialised("calendar", "show", "2026", "--json")).out)
    }
    assert days["2026-08-22"]["status"] == "worked_weekend"
    assert days["2026-08-22"]["source"] == "TB 9441/TB-BNV"
    assert days["2026-04-27"]["status"] == "holiday"
    assert "2026-03-02" not in days  # an ordinary working day is not listed


def test_calendar_show_includes_admin_edits(initialised: Runner) -> None:
    ok(initialised("calendar", "add-off", "2026-12-04", "--reason", "Nghỉ theo QĐ 99/QĐ-UBND"))
    days = {
        d["date"]: d for d in json.loads(ok(initialised("calendar", "show", "2026", "--json")).out)
    }
    assert days["2026-12-04"]["name"] == "Nghỉ theo QĐ 99/QĐ-UBND"
    assert ACTOR in days["2026-12-04"]["source"]


def test_calendar_check_warns_about_next_year(initialised: Runner) -> None:
    out = ok(initialised("calendar", "check")).out
    assert "Cảnh báo: Năm 2027 chưa có lịch nghỉ được công bố" in out
    codes = [w["code"] for w in json.loads(ok(initialised("calendar", "check", "--json")).out)]
    assert codes == ["unannounced_year"]


def test_calendar_check_reports_a_contradiction_with_the_package(initialised: Runner) -> None:
    ok(initialised("calendar", "add-workday", "2026-09-02", "--reason", "Thử"))
    warnings = json.loads(ok(initialised("calendar", "check", "--json")).out)
    contradiction = next(w for w in warnings if w["code"] == "contradicts_package")
    assert "02/09/2026" in contradiction["text"]


def test_calendar_check_is_quiet_when_next_year_is_announced(
    initialised: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTHC_NOW", "2025-06-02 09:00")
    assert ok(initialised("calendar", "check")).out.strip() == "Lịch làm việc không có cảnh báo."


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ("calendar", "remove", "2026-12-07"),
            ("Điều chỉnh lịch ngày", "07/12/2026", "không tồn tại"),
        ),
        (("calendar", "add-off", "31/02/2026", "--reason", "x"), ("DATE", "31/02/2026")),
        (("calendar", "add-off", "2060-01-02", "--reason", "x"), ("2060", "ngoài lịch làm việc")),
        (
            ("calendar", "add-off", "2026-12-07", "--reason", " "),
            ("--reason", "không được để trống"),
        ),
        (("calendar", "add-off", "2026-12-07"), ("lệnh viết chưa đúng", "--reason")),
        (("calendar", "show", "2060"), ("Năm 2060", "ngoài lịch làm việc")),
        # a day off that is off already, a working day worked already: a typing mistake
        (
            ("calendar", "add-off", "2026-11-21", "--reason", "x"),
            ("21/11/2026", "đã là ngày nghỉ", "cuối tuần"),
        ),
        (
            ("calendar", "add-off", "2026-09-02", "--reason", "x"),
            ("02/09/2026", "đã là ngày nghỉ", "Quốc khánh"),
        ),
        (
            ("calendar", "add-workday", "2026-11-23", "--reason", "x"),
            ("23/11/2026", "đã là ngày làm việc"),
        ),
        (("calendar", "show", "99999"), ("Năm 99999", "ngoài lịch làm việc")),
        (("calendar", "show", "0"), ("Năm 0", "ngoài lịch làm việc")),
        (("calendar", "show", "năm"), ("lệnh viết chưa đúng", "year")),
    ],
)
def test_calendar_bad_input_changes_nothing(
    open_ledger: Runner, ledger_db: Ledger, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    before = snapshot(ledger_db)
    fails(open_ledger(*args), *fragments)
    assert snapshot(ledger_db) == before


def test_p_3_days_is_the_procedure_used_above(seeded: Runner) -> None:
    [procedure] = [
        p
        for p in json.loads(ok(seeded("procedure", "list", "--json")).out)
        if p["code"] == P_3_DAYS
    ]
    assert procedure["limit"] == "3 ngày làm việc"


def test_db_recompute_brings_stored_due_times_in_line(
    open_ledger: Runner, ledger_db: Ledger
) -> None:
    """Due times stored by an older engine (simulated: OPEN and DONE given LATER's due time)
    are recomputed for open dossiers only, each change an audited event; a dry run writes
    nothing and a second run changes nothing."""
    run = open_ledger
    add_dossier(run, "LATER", "27/11/2026 09:00")
    ledger_db.execute(
        "UPDATE dossier SET due_at = (SELECT due_at FROM dossier WHERE code = 'LATER'),"
        " original_due_at = (SELECT due_at FROM dossier WHERE code = 'LATER')"
        " WHERE code IN ('OPEN', 'DONE')"
    )
    before = snapshot(ledger_db)
    preview = ok(run("db", "recompute", "--dry-run")).out
    assert "Xem trước (--dry-run, chưa ghi gì): 1 hồ sơ đang mở sẽ đổi hạn." in preview
    assert "  OPEN (" in preview
    assert "hạn 02/12/2026 09:00 → 30/11/2026 09:00" in preview
    assert "DONE" not in preview
    assert snapshot(ledger_db) == before

    data = json.loads(ok(run("db", "recompute", "--json")).out)
    assert data["dry_run"] is False
    assert [(r["code"], r["due_at"]) for r in data["recomputed"]] == [
        ("OPEN", {"before": "2026-12-02T09:00:00+07:00", "after": "2026-11-30T09:00:00+07:00"})
    ]
    opened = show_json(run, "OPEN")
    assert opened["due_at"] == opened["original_due_at"] == "2026-11-30T09:00:00+07:00"
    assert {e["field"] for e in recomputed(opened)} == {"due_at", "original_due_at"}
    assert all(e["reason"] and e["actor"] == ACTOR for e in recomputed(opened))
    assert show_json(run, "DONE")["due_at"] == "2026-12-02T09:00:00+07:00"  # kept as judged

    assert "Đã tính lại hạn: 0 hồ sơ đang mở đổi hạn." in ok(run("db", "recompute")).out
