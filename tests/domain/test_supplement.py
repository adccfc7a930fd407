"""The two limits around a supplement request, counted by the engine (domain/supplement.py)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest

from tthc_tracker.domain.calendar import OfficeHours, WorkCalendar, merge_rules
from tthc_tracker.domain.dossier import Event, EventKind
from tthc_tracker.domain.supplement import (
    SupplementRule,
    answer_by,
    notes,
    past_text,
    request_by,
    supplement_requests,
)
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import load_shipped, package_rules
from tthc_tracker.storage.rules_data import load_rules

DATA = Path(__file__).parents[2] / "data"
RULES = load_rules(DATA / "rules.toml")  # ND 118 from 01/7/2025: 03 working days, 15 days
ND_118 = RULES.for_receipt(datetime(2026, 1, 1, tzinfo=LOCAL_TZ))
assert isinstance(ND_118, SupplementRule)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules = merge_rules(package_rules(2015, 2035), load_shipped(DATA / "calendar.toml").rules)
    return WorkCalendar(rules, 2015, 2035, OfficeHours.parse("07:00-11:30,13:30-17:00"))


def test_request_window_is_three_working_days_from_the_receipt(cal: WorkCalendar) -> None:
    assert request_by(cal, ND_118, at(3, 2, 9), None) == at(3, 5, 9)  # Mon 09:00 → Thu 09:00
    assert request_by(cal, ND_118, at(3, 6, 16), None) == at(3, 11, 16)  # over the weekend
    assert request_by(cal, ND_118, at(3, 7, 10), None) == at(3, 11, 17)  # received on a Saturday
    # after a 15:00 cut-off the receipt counts from the next working day's opening
    assert request_by(cal, ND_118, at(3, 2, 15, 30), time(15, 0)) == at(3, 5, 17)


def test_fifteen_days_end_at_the_closing_hour_of_a_working_day(cal: WorkCalendar) -> None:
    assert answer_by(cal, ND_118, at(3, 3, 10)) == at(3, 18, 17)
    assert answer_by(cal, ND_118, at(3, 6, 10)) == at(3, 23, 17)  # Sat 21/03 → Mon 23/03
    # 15/04/2026 + 15 = Thu 30/04, Reunification Day; 01/05 Labour Day, then a weekend
    assert answer_by(cal, ND_118, at(4, 15, 9)) == at(5, 4, 17)


def test_requests_with_their_answers_and_closings(cal: WorkCalendar) -> None:
    events = [
        Event(EventKind.SUPPLEMENT_REQUESTED, at(3, 3, 10), "Thiếu tờ khai"),
        Event(EventKind.SUPPLEMENT_RECEIVED, at(3, 9, 10)),
        Event(EventKind.SUPPLEMENT_REQUESTED, at(3, 10, 10), "Thiếu ảnh"),  # late
        Event(EventKind.WITHDRAWN, at(3, 30, 10)),
    ]
    first, second = supplement_requests(cal, RULES, at(3, 2, 9), None, reversed(events))
    assert (first.late, first.answered_at, first.closed_at) == (False, at(3, 9, 10), None)
    assert (second.late, second.answered_at, second.closed_at) == (True, None, at(3, 30, 10))
    assert not first.expired(at(12, 31)) and not second.expired(at(12, 31))
    assert notes([first, second], at(12, 31)) == [
        "Yêu cầu bổ sung lúc 10/03/2026 10:00: sau thời hạn 03 ngày làm việc kể từ khi tiếp"
        " nhận (hết lúc 05/03/2026 09:00; NĐ 118/2025, Điều 19.5)."
    ]


def test_a_supplement_brought_after_the_fifteen_days_is_pointed_out(cal: WorkCalendar) -> None:
    events = [
        Event(EventKind.SUPPLEMENT_REQUESTED, at(3, 3, 10)),
        Event(EventKind.SUPPLEMENT_RECEIVED, at(3, 19, 8)),
    ]
    (late,) = supplement_requests(cal, RULES, at(3, 2, 9), None, events)
    assert notes([late], at(3, 20)) == [
        "Nhận đủ hồ sơ bổ sung lúc 19/03/2026 08:00: sau 15 ngày kể từ khi yêu cầu bổ sung"
        " (hết lúc 18/03/2026 17:00)."
    ]
    on_time = supplement_requests(
        cal,
        RULES,
        at(3, 2, 9),
        None,
        [events[0], Event(EventKind.SUPPLEMENT_RECEIVED, at(3, 18, 17))],
    )
    assert notes(on_time, at(3, 20)) == []


def test_time_past_the_fifteen_days_is_told_in_calendar_days() -> None:
    assert past_text(at(3, 18, 17), at(3, 18, 17, 30)) == "Vừa quá hạn"
    assert past_text(at(3, 18, 17), at(3, 19, 7)) == "Quá 1 ngày"
    assert past_text(at(3, 18, 17), at(4, 2, 9)) == "Quá 15 ngày"


def test_dossiers_received_before_nd_118_have_no_supplement_limits(cal: WorkCalendar) -> None:
    events = [Event(EventKind.SUPPLEMENT_REQUESTED, at(7, 20, 9, year=2025))]
    assert supplement_requests(cal, RULES, at(6, 30, 23, 59, year=2025), None, events) == []
    (request,) = supplement_requests(cal, RULES, at(7, 1, 0, 0, year=2025), None, events)
    assert request.late
    assert RULES.for_receipt(at(6, 30, 23, 59, year=2025)) is None
    assert RULES.for_receipt(at(7, 1, year=2025)) == ND_118
    assert (ND_118.request_text, ND_118.answer_text) == ("03 ngày làm việc", "15 ngày")


def test_an_unanswered_request_expires_after_its_last_instant(cal: WorkCalendar) -> None:
    events = [Event(EventKind.SUPPLEMENT_REQUESTED, at(3, 3, 10))]
    (waiting,) = supplement_requests(cal, RULES, at(3, 2, 9), None, events)
    assert not waiting.expired(at(3, 18, 17))
    assert waiting.expired(at(3, 18, 17, 1))
    assert supplement_requests(cal, RULES, at(3, 2, 9), None, []) == []
