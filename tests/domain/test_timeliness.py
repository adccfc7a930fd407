"""Trước hạn / đúng hạn / quá hạn and "Còn … / Quá … ngày … giờ" (domain.md §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tthc_tracker.domain.calendar import OfficeHours, WorkCalendar, merge_rules
from tthc_tracker.domain.deadline import compute_deadline
from tthc_tracker.domain.limits import WORKING_DAY_SECONDS, parse_limit
from tthc_tracker.domain.timeliness import (
    Timeliness,
    classify_finished,
    classify_open,
    format_hours,
    format_working,
    remaining_text,
)
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import load_shipped, package_rules

DATA = Path(__file__).parents[2] / "data"
HOUR = 3600
DAY = WORKING_DAY_SECONDS
SECOND = timedelta(seconds=1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules = merge_rules(package_rules(2024, 2028), load_shipped(DATA / "calendar.toml").rules)
    return WorkCalendar(rules, 2024, 2028, OfficeHours.parse("07:00-11:30,13:30-17:00"))


DUE = at(2026, 3, 5, 9)  # Mon 02/03/2026 09:00 + 3 ngày làm việc


# --- finished dossiers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (DUE, Timeliness.ON_TIME),  # at the due instant
        (DUE - SECOND, Timeliness.ON_TIME),
        (at(2026, 3, 5, 7), Timeliness.ON_TIME),  # same date, earlier time
        (at(2026, 3, 5, 0), Timeliness.ON_TIME),  # local midnight of the due date
        (DUE + SECOND, Timeliness.LATE),  # one second later
        (at(2026, 3, 5, 17), Timeliness.LATE),  # same date, after the due time
        (at(2026, 3, 9, 9), Timeliness.LATE),
        (DUE - timedelta(days=1), Timeliness.EARLY),  # a day before
        (at(2026, 3, 4, 23, 59), Timeliness.EARLY),  # the last minute of the previous date
        (at(2026, 3, 2, 9), Timeliness.EARLY),
    ],
)
def test_classify_finished(finished: datetime, expected: Timeliness) -> None:
    assert classify_finished(finished, DUE) is expected


def test_classify_finished_uses_local_dates_not_utc() -> None:
    # 04/03 17:30 UTC is 05/03 00:30 in Hà Nội: the due date, so on time, not early
    assert classify_finished(datetime(2026, 3, 4, 17, 30, tzinfo=UTC), DUE) is Timeliness.ON_TIME
    assert classify_finished(datetime(2026, 3, 4, 16, 59, tzinfo=UTC), DUE) is Timeliness.EARLY
    # a due instant stored in UTC is read in local time too
    due_utc = datetime(2026, 3, 5, 2, tzinfo=UTC)
    assert classify_finished(at(2026, 3, 5, 8), due_utc) is Timeliness.ON_TIME
    assert classify_finished(at(2026, 3, 5, 9, 1), due_utc) is Timeliness.LATE


def test_classify_finished_with_a_real_deadline(cal: WorkCalendar) -> None:
    deadline = compute_deadline(cal, parse_limit("3 ngày làm việc"), at(2025, 4, 25, 15), [])
    assert deadline.due_at == at(2025, 4, 29, 15)
    assert classify_finished(at(2025, 4, 29, 15), deadline.due_at) is Timeliness.ON_TIME
    assert classify_finished(at(2025, 4, 29, 15, 1), deadline.due_at) is Timeliness.LATE
    assert classify_finished(at(2025, 4, 28, 16), deadline.due_at) is Timeliness.EARLY


# --- open dossiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (DUE - timedelta(days=2), Timeliness.WITHIN_DUE),
        (DUE, Timeliness.WITHIN_DUE),
        (DUE + SECOND, Timeliness.OVERDUE),
        (DUE + timedelta(days=30), Timeliness.OVERDUE),
    ],
)
def test_classify_open(as_of: datetime, expected: Timeliness) -> None:
    assert classify_open(as_of, DUE) is expected


def test_labels() -> None:
    assert [t.label for t in Timeliness] == [
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Trong hạn",
        "Quá hạn",
    ]


# --- "2 ngày 3 giờ" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 phút"),
        (59, "0 phút"),
        (60, "1 phút"),
        (45 * 60, "45 phút"),
        (HOUR, "1 giờ"),
        (3 * HOUR + 30 * 60, "3 giờ 30 phút"),
        (7 * HOUR + 59 * 60 + 59, "7 giờ 59 phút"),
        (DAY, "1 ngày"),  # a working day is 8 hours
        (DAY + 30 * 60, "1 ngày"),  # minutes only under a day
        (DAY + HOUR + 30 * 60, "1 ngày 1 giờ"),
        (2 * DAY + 3 * HOUR, "2 ngày 3 giờ"),
        (-(2 * DAY + 3 * HOUR), "2 ngày 3 giờ"),  # the sign is for Còn/Quá to say
        (-45 * 60, "45 phút"),
        (25 * DAY, "25 ngày"),
    ],
)
def test_format_working(seconds: int, text: str) -> None:
    assert format_working(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 phút"), (6 * HOUR + 30 * 60, "6 giờ 30 phút"), (DAY, "8 giờ"), (-HOUR, "1 giờ")],
)
def test_format_hours(seconds: int, text: str) -> None:
    assert format_hours(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "overdue", "text"),
    [
        (DAY + 3 * HOUR, False, "Còn 1 ngày 3 giờ"),
        (90 * 60, False, "Còn 1 giờ 30 phút"),
        (-(2 * DAY + 3 * HOUR), True, "Quá 2 ngày 3 giờ"),
        (-15 * 60, True, "Quá 15 phút"),
        (0, False, "Còn 0 phút"),
        (0, True, "Quá hạn"),  # past the instant, no working minute yet
        (-59, True, "Quá hạn"),
        (-60, True, "Quá 1 phút"),
    ],
)
def test_remaining_text(seconds: int, overdue: bool, text: str) -> None:
    assert remaining_text(seconds, overdue=overdue) == text


def test_remaining_over_a_weekend_after_a_friday_deadline(cal: WorkCalendar) -> None:
    # received Thu 05/03/2026 after closing, 1 ngày làm việc → Fri 06/03/2026 17:00
    due = compute_deadline(cal, parse_limit("1 ngày làm việc"), at(2026, 3, 5, 17, 30), []).due_at
    assert due == at(2026, 3, 6, 17)
    friday = at(2026, 3, 6, 16)
    assert cal.working_between(friday, due) == HOUR
    assert classify_open(friday, due) is Timeliness.WITHIN_DUE
    assert remaining_text(HOUR, overdue=False) == "Còn 1 giờ"
    saturday = at(2026, 3, 7, 10)
    left = cal.working_between(saturday, due)
    assert left == 0  # no working time has passed since the deadline …
    status = classify_open(saturday, due)
    assert status is Timeliness.OVERDUE  # … but the instant has: the dossier is late
    assert remaining_text(left, overdue=status is Timeliness.OVERDUE) == "Quá hạn"


def test_remaining_late_by_days_and_hours_across_a_holiday(cal: WorkCalendar) -> None:
    # due Fri 28/08/2026 17:00; as of Thu 03/09/2026 10:00: 31/8, 1/9, 2/9 are off
    due = at(2026, 8, 28, 17)
    as_of = at(2026, 9, 3, 10)
    left = cal.working_between(as_of, due)
    assert left == -3 * HOUR
    assert remaining_text(left, overdue=classify_open(as_of, due) is Timeliness.OVERDUE) == (
        "Quá 3 giờ"
    )
    as_of = at(2026, 9, 7, 10)  # Mon: Thu 8 h + Fri 8 h + Mon 3 h
    left = cal.working_between(as_of, due)
    assert remaining_text(left, overdue=True) == "Quá 2 ngày 3 giờ"
