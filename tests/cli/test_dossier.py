"""`tthc dossier …`: receiving, showing, listing and every lifecycle action, end to end.

The clock is pinned at Fri 27/11/2026 10:00 (conftest); Tue 24/11/2026 is a day off.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import (
    ACTOR,
    AGENCY_DEFAULT,
    AGENCY_LATE,
    P_3_DAYS,
    P_15_DAYS,
    P_HALF_DAY,
    P_SAME_DAY,
    Runner,
    add_dossier,
    fails,
    ok,
    show_json,
)

CODE = "000.00.53.H48-260302-0001"


def act(run: Runner, action: str, code: str, at: str, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        ok(run("dossier", action, code, "--at", at, "--json", *extra)).out
    )
    return data


def kinds(data: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in data["events"]]


def test_add_prints_the_due_time_as_the_receipt_would(seeded: Runner) -> None:
    out = ok(
        seeded(
            "dossier",
            "add",
            CODE,
            "--procedure",
            P_3_DAYS,
            "--agency",
            AGENCY_DEFAULT,
            "--applicant",
            "Nguyễn Văn Đức",
            "--received",
            "02/03/2026 09:00",
            "--channel",
            "truc-tiep",
        )
    ).out
    assert f"Đã tiếp nhận hồ sơ {CODE}." in out
    assert "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 05/03/2026" in out
    assert "cách đây hơn một năm" not in out


def test_a_receipt_more_than_a_year_ago_is_pointed_out(seeded: Runner) -> None:
    args = ("dossier", "add", "OLD-1", "--procedure", P_3_DAYS, "--agency", AGENCY_DEFAULT,
            "--applicant", "Lê Văn Tám", "--channel", "truc-tiep")  # fmt: skip
    out = ok(seeded(*args, "--received", "19/11/2019 08:00")).out
    assert "Lưu ý: thời điểm tiếp nhận 19/11/2019 08:00 cách đây hơn một năm" in out
    assert "tthc dossier correct OLD-1 --received" in out


def test_add_json_gives_local_instants_under_english_names(seeded: Runner) -> None:
    data = add_dossier(seeded, CODE, "2026-03-02 09:00")
    assert data["code"] == CODE
    assert data["status"] == "in_progress"
    assert data["received_at"] == "2026-03-02T09:00:00+07:00"
    assert data["due_at"] == "2026-03-05T09:00:00+07:00"
    assert data["original_due_at"] == "2026-03-05T09:00:00+07:00"
    assert data["completed_at"] is None
    assert data["returned_at"] is None
    assert data["procedure"] == P_3_DAYS
    assert data["processing_agency"] == AGENCY_DEFAULT
    assert data["channel"] == "truc-tiep"
    assert data["timeliness"] == "overdue"
    assert data["as_of"] == "2026-11-27T10:00:00+07:00"


def test_add_accepts_iso_8601_and_every_option(seeded: Runner) -> None:
    data = add_dossier(
        seeded,
        CODE,
        "2026-03-02T02:00:00Z",  # 09:00 in Việt Nam
        applicant="Công ty TNHH Thương mại Thoại Sơn",
        channel="buu-chinh",
        agency=AGENCY_LATE,
        extra=(
            "--applicant-kind",
            "to-chuc",
            "--id-number",
            "1602345678",
            "--address",
            "Thoại Sơn, An Giang",
            "--phone",
            "0912345678",
            "--email",
            "ketoan@example.vn",
            "--summary",
            "Đăng ký khai sinh cho con",
            "--receiving-agency",
            AGENCY_DEFAULT,
        ),
    )
    assert data["received_at"] == "2026-03-02T09:00:00+07:00"
    assert data["applicant_kind"] == "to-chuc"
    assert data["id_number"] == "1602345678"
    assert data["address"] == "Thoại Sơn, An Giang"
    assert data["phone"] == "0912345678"
    assert data["email"] == "ketoan@example.vn"
    assert data["summary"] == "Đăng ký khai sinh cho con"
    assert data["channel"] == "buu-chinh"
    assert data["receiving_agency"] == AGENCY_DEFAULT
    assert data["processing_agency"] == AGENCY_LATE
    assert data["returning_agency"] == AGENCY_LATE
    # PHUONG-B: Mon 09:00-17:00 is 6.5 h, Tue and Wed 16 h, Thu 07:30-09:00 the last 1.5 h.
    assert data["due_at"] == "2026-03-05T09:00:00+07:00"


@pytest.mark.parametrize(
    ("procedure", "agency", "received", "due"),
    [
        (P_3_DAYS, AGENCY_DEFAULT, "02/03/2026 07:15", "2026-03-05T07:15:00+07:00"),
        (P_3_DAYS, AGENCY_LATE, "02/03/2026 07:15", "2026-03-04T17:00:00+07:00"),
        (P_3_DAYS, AGENCY_DEFAULT, "02/03/2026 12:00", "2026-03-05T11:30:00+07:00"),
        (P_SAME_DAY, AGENCY_DEFAULT, "02/03/2026 14:59", "2026-03-02T17:00:00+07:00"),
        (P_SAME_DAY, AGENCY_DEFAULT, "02/03/2026 15:30", "2026-03-03T17:00:00+07:00"),
        (P_SAME_DAY, AGENCY_DEFAULT, "27/02/2026 16:00", "2026-03-02T17:00:00+07:00"),
        (P_15_DAYS, AGENCY_DEFAULT, "02/03/2026 09:00", "2026-03-17T17:00:00+07:00"),
        (P_15_DAYS, AGENCY_DEFAULT, "06/03/2026 09:00", "2026-03-23T17:00:00+07:00"),
        (P_HALF_DAY, AGENCY_DEFAULT, "23/11/2026 09:00", "2026-11-23T15:00:00+07:00"),
        (P_HALF_DAY, AGENCY_DEFAULT, "23/11/2026 16:00", "2026-11-25T10:00:00+07:00"),
    ],
)
def test_due_times_of_every_kind_of_limit(
    seeded: Runner, procedure: str, agency: str, received: str, due: str
) -> None:
    data = add_dossier(seeded, CODE, received, procedure=procedure, agency=agency)
    assert data["due_at"] == due


def test_show_text_says_time_left_in_working_time(seeded: Runner) -> None:
    add_dossier(seeded, "OPEN", "25/11/2026 09:00")  # due Mon 30/11 09:00
    out = ok(seeded("dossier", "show", "OPEN")).out
    assert "Hồ sơ OPEN — Đang giải quyết" in out
    assert "Hạn theo quy định: 30/11/2026 09:00" in out
    assert "Tình trạng: Còn 7 giờ" in out  # Fri 10:00-17:00 (5 h) + Mon 07:00-09:00 (2 h)
    assert "Lịch sử:" in out
    assert "Tiếp nhận" in out
    assert ACTOR in out


def test_an_open_dossier_due_in_a_year_not_announced_says_so(
    seeded: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTHC_NOW", "2029-12-28 10:30")
    note = "Lưu ý: Năm 2029, 2030 chưa có lịch nghỉ được công bố"
    adding = ("dossier", "add", "NEXT", "--procedure", P_3_DAYS, "--agency", AGENCY_DEFAULT,
              "--applicant", "Lê Văn A", "--channel", "truc-tiep")  # fmt: skip
    assert note in ok(seeded(*adding, "--received", "28/12/2029 10:00")).out
    assert note in ok(seeded("dossier", "show", "NEXT")).out
    assert any("2030" in n for n in show_json(seeded, "NEXT")["notes"])
    ok(seeded("dossier", "complete", "NEXT", "--at", "2029-12-28 10:20"))
    assert "chưa có lịch nghỉ" not in ok(seeded("dossier", "show", "NEXT")).out  # judged


def test_show_text_says_how_late_across_a_holiday(seeded: Runner) -> None:
    add_dossier(seeded, "LATE", "23/11/2026 09:00", procedure=P_HALF_DAY)  # due Mon 15:00
    out = ok(seeded("dossier", "show", "LATE")).out
    # Mon 15:00-17:00, Tue 24/11 off, Wed, Thu, Fri 07:00-10:00: 2 + 8 + 8 + 3 = 21 h.
    assert "Tình trạng: Quá 2 ngày 5 giờ" in out
    later = show_json(seeded, "LATE", "--as-of", "23/11/2026 14:00")
    assert later["remaining"] == "Còn 1 giờ"
    assert later["timeliness"] == "within_due"


def test_show_json_has_fields_and_events(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/03/2026 09:00")
    data = show_json(seeded, CODE)
    assert data["due_at"] == "2026-03-05T09:00:00+07:00"
    assert data["remaining"].startswith("Quá ")
    assert data["working_seconds_left"] < 0
    [event] = data["events"]
    assert event == {
        "seq": 1,
        "kind": "received",
        "at": "2026-03-02T09:00:00+07:00",
        "recorded_at": "2026-11-27T10:00:00+07:00",
        "actor": ACTOR,
        "field": "due_at",
        "old_value": None,
        "new_value": "2026-03-05T09:00:00+07:00",
        "reason": "",
    }


def test_show_explain_day_by_day(seeded: Runner) -> None:
    add_dossier(seeded, "OPEN", "25/11/2026 09:00")
    out = ok(seeded("dossier", "show", "OPEN", "--explain")).out
    assert "Hạn giải quyết: 30/11/2026 09:00 (Thứ Hai)" in out
    assert "Từng ngày:" in out
    assert "Thứ Bảy 28/11/2026: không tính — cuối tuần" in out
    assert "Thứ Hai 30/11/2026: tính 2 giờ" in out
    data = show_json(seeded, "OPEN", "--explain")
    explanation = data["explanation"]
    assert explanation["due_at"] == "2026-11-30T09:00:00+07:00"
    assert explanation["days"][0]["date"] == "2026-11-25"
    assert [d["counted_seconds"] for d in explanation["days"]] == [
        6 * 3600,
        8 * 3600,
        8 * 3600,
        0,
        0,
        2 * 3600,
    ]


def test_list_filters(seeded: Runner) -> None:
    add_dossier(seeded, "A-LATE", "23/11/2026 09:00", procedure=P_HALF_DAY)
    add_dossier(seeded, "A-OPEN", "25/11/2026 09:00")
    add_dossier(seeded, "B-OPEN", "26/11/2026 09:00", agency=AGENCY_LATE)
    add_dossier(seeded, "A-DONE", "23/11/2026 09:00")
    act(seeded, "complete", "A-DONE", "25/11/2026 09:00")

    def codes(*args: str) -> list[str]:
        return [d["code"] for d in json.loads(ok(seeded("dossier", "list", *args, "--json")).out)]

    assert codes() == ["A-DONE", "A-LATE", "A-OPEN", "B-OPEN"]  # by receipt, then code
    assert codes("--overdue") == ["A-LATE"]
    assert codes("--agency", AGENCY_LATE) == ["B-OPEN"]
    assert codes("--status", "completed") == ["A-DONE"]
    assert codes("--status", "in_progress", "--agency", AGENCY_DEFAULT) == ["A-LATE", "A-OPEN"]
    assert codes("--overdue", "--status", "completed") == []
    assert codes("--overdue", "--as-of", "30/11/2026 10:00") == ["A-LATE", "A-OPEN"]
    text = ok(seeded("dossier", "list", "--overdue")).out
    assert "A-LATE" in text
    assert "Quá 2 ngày 5 giờ" in text
    assert "Tổng: 1 hồ sơ." in text
    assert "Tổng: 4 hồ sơ." in ok(seeded("dossier", "list")).out


def test_complete_then_return(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/03/2026 09:00")
    done = act(seeded, "complete", CODE, "04/03/2026 10:00")
    assert done["status"] == "completed"
    assert done["completed_at"] == "2026-03-04T10:00:00+07:00"
    assert done["timeliness"] == "early"  # finished on a date before the due date
    returned = act(seeded, "return", CODE, "05/03/2026 08:00")
    assert returned["status"] == "returned"
    assert returned["returned_at"] == "2026-03-05T08:00:00+07:00"
    assert returned["due_at"] == "2026-03-05T09:00:00+07:00"
    assert kinds(show_json(seeded, CODE)) == ["received", "completed", "returned"]
    out = ok(seeded("dossier", "show", CODE)).out
    assert "Xử lý xong: 04/03/2026 10:00" in out
    assert "Trả kết quả: 05/03/2026 08:00" in out
    assert "Tình trạng: Trước hạn" in out


def test_supplement_restarts_the_limit_from_zero(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/03/2026 09:00")
    asked = act(seeded, "supplement-request", CODE, "03/03/2026 09:00", "--reason", "Thiếu tờ khai")
    assert asked["status"] == "awaiting_supplement"
    assert asked["clock_running"] is False
    assert asked["supplement_requests"] == 1
    back = act(seeded, "supplement-received", CODE, "04/03/2026 14:00")
    assert back["status"] == "in_progress"
    # 3 working days again from Wed 14:00: Wed 3 h + Thu 8 h + Fri 8 h + Mon 5 h.
    assert back["due_at"] == "2026-03-09T14:00:00+07:00"
    assert back["original_due_at"] == "2026-03-09T14:00:00+07:00"
    data = show_json(seeded, CODE, "--explain")
    assert kinds(data) == [
        "received",
        "supplement_requested",
        "supplement_received",
        "due_recomputed",
        "due_recomputed",
    ]
    due_change = next(e for e in data["events"] if e["field"] == "due_at" and e["seq"] > 1)
    assert due_change["old_value"] == "2026-03-05T09:00:00+07:00"
    assert due_change["new_value"] == "2026-03-09T14:00:00+07:00"
    # QĐ 766 figure: the 11 working hours awaiting the supplement counted as a pause.
    assert data["explanation"]["due_at_pause_method"] == "2026-03-06T14:00:00+07:00"


def test_paused_working_time_is_excluded(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/03/2026 09:00")
    paused = act(seeded, "pause", CODE, "03/03/2026 09:00", "--reason", "Chờ đo đạc địa chính")
    assert paused["status"] == "paused"
    assert paused["clock_running"] is False
    assert paused["remaining"] == "Tạm dừng"
    resumed = act(seeded, "resume", CODE, "04/03/2026 09:00")
    assert resumed["status"] == "in_progress"
    assert resumed["due_at"] == "2026-03-06T09:00:00+07:00"  # 8 paused working hours later
    events = show_json(seeded, CODE)["events"]
    assert events[1]["reason"] == "Chờ đo đạc địa chính"
    assert events[-1]["new_value"] == "2026-03-06T09:00:00+07:00"


@pytest.mark.parametrize(
    ("action", "status", "reason"),
    [("stop", "stopped", True), ("withdraw", "withdrawn", False), ("refuse", "refused", True)],
)
def test_closing_without_result_is_never_overdue(
    seeded: Runner, action: str, status: str, reason: bool
) -> None:
    add_dossier(seeded, CODE, "02/03/2026 09:00")
    extra = ("--reason", "Theo đề nghị của người nộp") if reason else ()
    data = act(seeded, action, CODE, "03/03/2026 09:00", *extra)
    assert data["status"] == status
    assert data["timeliness"] is None
    overdue = json.loads(ok(seeded("dossier", "list", "--overdue", "--json")).out)
    assert overdue == []
    assert show_json(seeded, CODE)["remaining"] == data["remaining"]


def test_an_action_without_at_happens_now(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "26/11/2026 09:00")
    out = ok(seeded("dossier", "complete", CODE)).out
    assert "lúc 27/11/2026 10:00" in out
    assert show_json(seeded, CODE)["completed_at"] == "2026-11-27T10:00:00+07:00"


def test_extend_only_once_after_the_due_time_at_a_working_instant(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/03/2026 09:00")  # due Thu 05/03/2026 09:00

    def extend(new_due: str, reason: str = "Chờ kết quả xác minh") -> Any:
        return seeded(
            "dossier",
            "extend",
            CODE,
            "--new-due",
            new_due,
            "--reason",
            reason,
            "--at",
            "04/03/2026 10:00",
            "--json",
        )

    before = show_json(seeded, CODE)
    fails(extend("05/03/2026 08:00"), CODE, "05/03/2026 08:00", "phải sau hạn hiện tại")
    fails(extend("07/03/2026 10:00"), CODE, "07/03/2026 10:00", "giờ làm việc")  # Saturday
    fails(extend("09/03/2026 12:00"), CODE, "09/03/2026 12:00", "giờ làm việc")  # lunch
    fails(extend("10/03/2026 16:00", reason=" "), "--reason", "không được để trống")
    assert show_json(seeded, CODE) == before

    data = json.loads(ok(extend("10/03/2026 16:00")).out)
    assert data["due_at"] == "2026-03-10T16:00:00+07:00"
    assert data["original_due_at"] == "2026-03-05T09:00:00+07:00"
    assert data["extended"] is True
    after = show_json(seeded, CODE)
    assert kinds(after) == ["received", "extended"]  # the extension is recorded once
    extended = after["events"][1]
    assert (extended["old_value"], extended["new_value"]) == (
        "2026-03-05T09:00:00+07:00",
        "2026-03-10T16:00:00+07:00",
    )
    assert extended["reason"] == "Chờ kết quả xác minh"

    fails(extend("12/03/2026 16:00"), CODE, "một lần")
    assert show_json(seeded, CODE) == after
    text = ok(seeded("dossier", "show", CODE)).out
    assert "Hạn theo quy định: 05/03/2026 09:00" in text
    assert "Hạn đã hẹn lại: 10/03/2026 16:00" in text

    # Finished after the legal due time but by the new one: late all the same (domain.md §2)
    ok(seeded("dossier", "complete", CODE, "--at", "09/03/2026 10:00"))
    done = show_json(seeded, CODE)
    assert done["timeliness"] == "late"
    assert done["remaining"] == "Quá hạn (trả đúng hẹn lại)"
    assert "Tình trạng: Quá hạn (trả đúng hẹn lại)" in ok(seeded("dossier", "show", CODE)).out


def test_history_reads_in_vietnamese(seeded: Runner) -> None:
    """The text history names fields, statuses and channels as clerks say them; `--json` keeps
    the stored names."""
    add_dossier(seeded, CODE, "02/03/2026 09:00")
    ok(seeded("dossier", "pause", CODE, "--at", "03/03/2026 09:00", "--reason", "Niêm yết"))
    text = ok(seeded("dossier", "show", CODE)).out
    assert "(trực tiếp)" in text
    assert "Tiếp nhận [hạn: — → 05/03/2026 09:00]" in text
    assert "[trạng thái: Đang giải quyết → Tạm dừng] — Niêm yết" in text
    for stored in ("due_at", "in_progress", "truc-tiep", "paused"):
        assert stored not in text
    events = show_json(seeded, CODE)["events"]
    assert (events[1]["field"], events[1]["old_value"], events[1]["new_value"]) == (
        "status",
        "in_progress",
        "paused",
    )


def test_list_as_of_leaves_out_dossiers_received_later(seeded: Runner) -> None:
    add_dossier(seeded, "EARLY", "02/03/2026 09:00")
    add_dossier(seeded, "LATER", "10/03/2026 09:00")
    listed = json.loads(ok(seeded("dossier", "list", "--as-of", "05/03/2026 08:00", "--json")).out)
    assert [d["code"] for d in listed] == ["EARLY"]
    assert listed[0]["remaining"] == "Còn 1 giờ"  # due Thu 05/03 09:00
    now = json.loads(ok(seeded("dossier", "list", "--json")).out)
    assert sorted(d["code"] for d in now) == ["EARLY", "LATER"]


def test_a_dossier_paused_after_its_due_time_still_shows_late(seeded: Runner) -> None:
    add_dossier(seeded, "LATE-PAUSE", "02/03/2026 09:00")  # due Thu 05/03 09:00
    add_dossier(seeded, "IN-TIME", "02/03/2026 09:00")
    ok(seeded("dossier", "pause", "LATE-PAUSE", "--at", "06/03/2026 09:00", "--reason", "Chờ"))
    ok(seeded("dossier", "pause", "IN-TIME", "--at", "03/03/2026 09:00", "--reason", "Chờ"))
    late = show_json(seeded, "LATE-PAUSE")
    assert late["remaining"] == "Tạm dừng (đã quá hạn từ 05/03/2026 09:00)"
    assert late["timeliness"] == "overdue"
    waiting = show_json(seeded, "IN-TIME")
    assert (waiting["remaining"], waiting["timeliness"]) == ("Tạm dừng", None)


# --- corrections -----------------------------------------------------------------------------


def test_correct_a_mistyped_receipt_recomputes_the_due_time(seeded: Runner) -> None:
    """Entered as Mon 02/11/2026 09:00 (due Thu 05/11 09:00), received in fact on Tue 03/11
    09:00: due Fri 06/11 09:00, each change in the history with its reason."""
    add_dossier(seeded, CODE, "02/11/2026 09:00")
    assert show_json(seeded, CODE)["due_at"] == "2026-11-05T09:00:00+07:00"
    fix = ("--received", "03/11/2026 09:00", "--phone", "0912 345 678")
    out = ok(seeded("dossier", "correct", CODE, *fix, "--reason", "Ghi nhầm ngày tiếp nhận")).out
    assert f"Đã sửa hồ sơ {CODE}." in out
    assert "Sửa thông tin: tiếp nhận: 02/11/2026 09:00 → 03/11/2026 09:00" in out
    assert "Tính lại hạn: hạn theo quy định: 05/11/2026 09:00 → 06/11/2026 09:00" in out
    data = show_json(seeded, CODE)
    assert data["received_at"] == "2026-11-03T09:00:00+07:00"
    assert (data["original_due_at"], data["due_at"]) == ("2026-11-06T09:00:00+07:00",) * 2
    assert data["phone"] == "0912 345 678"
    updated = [e for e in data["events"] if e["kind"] == "updated"]
    assert {(e["field"], e["reason"]) for e in updated} == {
        ("received_at", "Ghi nhầm ngày tiếp nhận"),
        ("phone", "Ghi nhầm ngày tiếp nhận"),
    }
    # the engine agrees with a fresh count from the corrected receipt
    fresh = json.loads(ok(seeded("deadline", "--received", "03/11/2026 09:00", "--limit",
                                 "3 ngày làm việc", "--json")).out)  # fmt: skip
    assert fresh["due_at"] == data["due_at"]
    assert "Lịch sử:" in ok(seeded("dossier", "show", CODE)).out
    ok(seeded("db", "check"))
    found = json.loads(ok(seeded("dossier", "search", "0912345678", "--json")).out)
    assert [d["code"] for d in found] == [CODE]


def test_correct_prints_only_what_this_correction_changed(
    seeded: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_dossier(seeded, CODE, "02/11/2026 09:00")
    ok(seeded("dossier", "correct", CODE, "--phone", "0912345678", "--reason", "Ghi nhầm"))
    monkeypatch.setenv("TTHC_NOW", "2026-11-27 10:05")
    out = ok(seeded("dossier", "correct", CODE, "--address", "Số 3", "--reason", "Thiếu")).out
    assert "Số 3" in out
    assert "0912345678" not in out


def test_explain_a_paused_dossier_of_calendar_days(seeded: Runner) -> None:
    """15 days from Mon 02/11/2026: Tue 17/11 17:00; a pause of Tue 03/11 (8 working hours)
    is shown on its day and made up on Wed 18/11, the new due day."""
    add_dossier(seeded, CODE, "02/11/2026 09:00", procedure=P_15_DAYS)
    act(seeded, "pause", CODE, "03/11/2026 07:00", "--reason", "Chờ xác minh")
    act(seeded, "resume", CODE, "04/11/2026 07:00")
    out = ok(seeded("dossier", "show", CODE, "--explain")).out
    assert "Thứ Ba 03/11/2026: ngày thứ 1 (tính cả ngày nghỉ); tạm dừng 8 giờ" in out
    assert "Thứ Ba 17/11/2026: ngày thứ 15 (tính cả ngày nghỉ) —" in out
    assert (
        "Thứ Tư 18/11/2026: sau ngày cuối của thời hạn: bù thời gian tạm dừng; "
        "hạn trả: lúc 17:00" in out
    )
    assert "chuyển sang" not in out
    days = show_json(seeded, CODE, "--explain")["explanation"]["days"]
    assert [d["paused_seconds"] for d in days if d["paused_seconds"]] == [8 * 3600]
    assert not any(d["moved"] for d in days)


def test_correct_the_procedure_recomputes_the_due_time(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/11/2026 09:00")
    ok(seeded("dossier", "correct", CODE, "--procedure", P_15_DAYS, "--reason", "Chọn nhầm"))
    data = show_json(seeded, CODE)
    assert data["procedure"] == P_15_DAYS
    assert data["due_at"] == "2026-11-17T17:00:00+07:00"  # 02/11 + 15 days, Tue 17/11
    ok(seeded("db", "check"))


def test_correct_refusals_change_nothing(seeded: Runner) -> None:
    add_dossier(seeded, CODE, "02/11/2026 09:00")
    ok(seeded("dossier", "complete", CODE, "--at", "04/11/2026 10:00"))
    before = show_json(seeded, CODE)
    fix = ("dossier", "correct", CODE)
    why = ("--reason", "Ghi nhầm")
    for args, fragments in (
        (
            ("--received", "05/11/2026 09:00", *why),
            ("--received", "05/11/2026 09:00 muộn hơn bước “Xử lý xong” (04/11/2026 10:00)"),
        ),
        (("--phone", "1", "--reason", "Ghi\nnhầm"), ("--reason", "xuống dòng")),
        (("--received", "01/12/2026 09:00", *why), ("--received", "muộn hơn thời điểm hiện tại")),
        (("--received", "02/11/2026 08:00", "--reason", " "), ("--reason",)),
        (("--received", "02/11/2026 09:00", *why), ("không có gì để sửa",)),
        (("--procedure", "9.999999", *why), ("9.999999",)),
        (("--applicant", " ", *why), ("--applicant",)),
        (("--email", "khong-phai-thu", *why), ("--email", "không phải địa chỉ thư điện tử")),
        (("--phone", "0912\n345", *why), ("--phone", "xuống dòng")),
        (("KHAC", *why), ("KHAC",)),
    ):
        fails(seeded(*fix, *args), *fragments)
    assert show_json(seeded, CODE) == before
    fails(seeded("dossier", "correct", "KHONG-CO", "--phone", "1", *why), "KHONG-CO")
