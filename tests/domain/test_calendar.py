"""WorkCalendar built the way the application builds it: holidays package + shipped file.

Expected days come from domain.md §5.1; expected due times from §5.2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tthc_tracker.domain.bulk import (
    add_working_bulk,
    instant_at_bulk,
    ordinal_bulk,
    working_between_bulk,
)
from tthc_tracker.domain.calendar import (
    DayInfo,
    DayKind,
    DayRule,
    DayStatus,
    OfficeHours,
    Origin,
    WorkCalendar,
    merge_rules,
)
from tthc_tracker.domain.errors import CalendarRangeError, InputError, InvalidOfficeHoursError
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import ShippedCalendar, load_shipped, package_rules

DATA = Path(__file__).parents[2] / "data"
FIRST_YEAR, LAST_YEAR = 2015, 2035
DEFAULT_HOURS = "07:00-11:30,13:30-17:00"
HOUR = 3600
WORKING_DAY = 8 * HOUR

SOURCE_2025 = "Lịch nghỉ CBCCVC năm 2025 (số hiệu văn bản chưa đối chiếu)"
SOURCE_2026 = "TB 9441/TB-BNV"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local (Asia/Ho_Chi_Minh) instant."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def epoch(instant: datetime) -> int:
    return int(instant.timestamp())


@pytest.fixture(scope="module")
def shipped() -> ShippedCalendar:
    return load_shipped(DATA / "calendar.toml")


@pytest.fixture(scope="module")
def rules(shipped: ShippedCalendar) -> dict[date, DayRule]:
    return merge_rules(package_rules(FIRST_YEAR, LAST_YEAR), shipped.rules)


@pytest.fixture(scope="module")
def calendar(rules: dict[date, DayRule]) -> WorkCalendar:
    return WorkCalendar(rules, FIRST_YEAR, LAST_YEAR, OfficeHours.parse(DEFAULT_HOURS))


# --- days (domain.md §5.1) -------------------------------------------------------------------

# (date, a word of its name, its source: the shipped document, or None for the package)
DAYS_OFF = [
    # 2025
    (date(2025, 1, 1), "Tết Dương lịch", None),
    (date(2025, 1, 27), "Tết", None),
    (date(2025, 1, 28), "Tết", None),
    (date(2025, 1, 29), "Tết", None),
    (date(2025, 1, 30), "Tết", None),
    (date(2025, 1, 31), "Tết", None),
    (date(2025, 4, 7), "Giỗ Tổ Hùng Vương", None),
    (date(2025, 4, 30), "Chiến thắng", None),
    (date(2025, 5, 1), "Lao động", None),
    (date(2025, 5, 2), "Nghỉ hoán đổi (làm bù Thứ Bảy 26/4/2025)", SOURCE_2025),
    (date(2025, 9, 1), "Quốc khánh", None),
    (date(2025, 9, 2), "Quốc khánh", None),
    # 2026
    (date(2026, 1, 1), "Tết Dương lịch", None),
    (date(2026, 2, 16), "Tết Nguyên Đán (nghỉ 14/02–22/02/2026)", SOURCE_2026),
    (date(2026, 2, 17), "Tết Nguyên Đán (nghỉ 14/02–22/02/2026)", SOURCE_2026),
    (date(2026, 2, 18), "Tết Nguyên Đán (nghỉ 14/02–22/02/2026)", SOURCE_2026),
    (date(2026, 2, 19), "Tết Nguyên Đán (nghỉ 14/02–22/02/2026)", SOURCE_2026),
    (date(2026, 2, 20), "Tết Nguyên Đán (nghỉ 14/02–22/02/2026)", SOURCE_2026),
    (
        date(2026, 4, 27),
        "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch rơi vào Chủ nhật 26/4/2026)",
        "Bộ luật Lao động 2019, Điều 111.3; TB 9441/TB-BNV",
    ),
    (date(2026, 4, 30), "Chiến thắng", None),
    (date(2026, 5, 1), "Lao động", None),
    (date(2026, 8, 31), "Nghỉ hoán đổi Quốc khánh (làm bù Thứ Bảy 22/8/2026)", SOURCE_2026),
    (date(2026, 9, 1), "Quốc khánh", None),
    (date(2026, 9, 2), "Quốc khánh", None),
    (date(2026, 11, 24), "Ngày Văn hóa Việt Nam", "Nghị quyết 28/2026/QH16 (nguồn thứ cấp)"),
]

WORKED_SATURDAYS = [
    (date(2025, 4, 26), "Làm bù cho Thứ Sáu 02/5/2025", SOURCE_2025),
    (date(2026, 8, 22), "Làm bù cho Thứ Hai 31/8/2026", SOURCE_2026),
]


@pytest.mark.parametrize(("day", "name", "source"), DAYS_OFF, ids=lambda v: str(v)[:10])
def test_official_weekday_off(
    calendar: WorkCalendar, rules: dict[date, DayRule], day: date, name: str, source: str | None
) -> None:
    info = calendar.day_info(day)
    assert day.weekday() < 5
    assert not calendar.is_working_day(day)
    assert info.status is DayStatus.HOLIDAY
    assert info.working_seconds == 0
    if source is None:  # from the holidays package: its (version-dependent) Vietnamese name
        assert rules[day].origin is Origin.PACKAGE
        assert name in info.name
        assert info.source.startswith("gói holidays")
    else:  # from data/calendar.toml: the announcing document is cited
        assert rules[day].origin is Origin.SHIPPED
        assert info.name == name
        assert info.source == source


@pytest.mark.parametrize(("day", "name", "source"), WORKED_SATURDAYS, ids=str)
def test_official_worked_saturday(
    calendar: WorkCalendar, day: date, name: str, source: str
) -> None:
    info = calendar.day_info(day)
    assert day.weekday() == 5
    assert calendar.is_working_day(day)
    assert info == DayInfo(day, DayStatus.WORKED_WEEKEND, WORKING_DAY, name, source)


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2025, 1, 25), date(2025, 2, 2)), (date(2026, 2, 14), date(2026, 2, 22))],
    ids=["Tết 2025", "Tết 2026"],
)
def test_whole_tet_period_is_off(calendar: WorkCalendar, first: date, last: date) -> None:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert not any(calendar.is_working_day(day) for day in days)
    assert calendar.is_working_day(calendar.previous_working_day(first))
    assert calendar.next_working_day(first) == last + timedelta(days=1)


def test_special_days_2026(calendar: WorkCalendar) -> None:
    special = {info.day: info for info in calendar.special_days(2026)}
    expected_off = {day for day, _, _ in DAYS_OFF if day.year == 2026}
    tet_saturdays = {date(2026, 2, 14), date(2026, 2, 21)}  # named weekend days of the break
    assert set(special) == expected_off | tet_saturdays | {date(2026, 4, 26), date(2026, 8, 22)}
    assert all(special[day].status is DayStatus.HOLIDAY for day in expected_off)
    assert all(special[day].status is DayStatus.WEEKEND for day in tet_saturdays)
    assert special[date(2026, 8, 22)].status is DayStatus.WORKED_WEEKEND
    # Giỗ Tổ falls on Sunday 26/4: listed (a named weekend day), the Monday after is off.
    sunday = special[date(2026, 4, 26)]
    assert sunday.status is DayStatus.WEEKEND
    assert "Giỗ Tổ Hùng Vương" in sunday.name
    assert all(info.source for info in special.values())
    assert list(special) == sorted(special)


def test_special_days_2025(calendar: WorkCalendar) -> None:
    special = {info.day: info.status for info in calendar.special_days(2025)}
    expected_off = {day for day, _, _ in DAYS_OFF if day.year == 2025}
    assert {day for day, status in special.items() if status is DayStatus.HOLIDAY} == expected_off
    assert [day for day, s in special.items() if s is DayStatus.WORKED_WEEKEND] == [
        date(2025, 4, 26)
    ]


def test_ordinary_days(calendar: WorkCalendar) -> None:
    assert calendar.day_info(date(2026, 3, 2)) == DayInfo(
        date(2026, 3, 2), DayStatus.WORKING, WORKING_DAY
    )
    assert calendar.day_info(date(2026, 3, 7)) == DayInfo(date(2026, 3, 7), DayStatus.WEEKEND, 0)
    assert calendar.day_info(date(2026, 3, 8)) == DayInfo(date(2026, 3, 8), DayStatus.WEEKEND, 0)


# --- due times (domain.md §5.2) --------------------------------------------------------------


def test_example_friday_before_reunification_day(calendar: WorkCalendar) -> None:
    # Fri 25/04/2025 15:00 + 3 working days: Sat 26/4 is worked, so Tue 29/04 15:00.
    assert calendar.add_working(at(2025, 4, 25, 15), 3 * WORKING_DAY) == at(2025, 4, 29, 15)


def test_example_monday_plus_three_days(calendar: WorkCalendar) -> None:
    assert calendar.add_working(at(2026, 3, 2, 9), 3 * WORKING_DAY) == at(2026, 3, 5, 9)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 3, 2, 5, 30), at(2026, 3, 2, 10)),  # before opening: from 07:00
        (at(2026, 3, 2, 17, 45), at(2026, 3, 3, 10)),  # after closing: next day 07:00
        (at(2026, 3, 7, 10), at(2026, 3, 9, 10)),  # Saturday: Monday 07:00
        (at(2026, 2, 13, 18), at(2026, 2, 23, 10)),  # Friday evening before Tết 2026
    ],
)
def test_receipt_outside_hours_starts_at_next_opening(
    calendar: WorkCalendar, received: datetime, expected: datetime
) -> None:
    assert calendar.add_working(received, 3 * HOUR) == expected
    assert calendar.add_working(received, 3 * HOUR) == calendar.add_working(
        calendar.next_opening(received), 3 * HOUR
    )


def test_receipt_during_lunch_starts_at_1330(calendar: WorkCalendar) -> None:
    assert calendar.add_working(at(2026, 3, 2, 12, 15), 2 * HOUR) == at(2026, 3, 2, 15, 30)
    assert calendar.add_working(at(2026, 3, 2, 12, 15), 2 * HOUR) == calendar.add_working(
        at(2026, 3, 2, 13, 30), 2 * HOUR
    )


def test_deadline_ending_at_session_end_is_that_end(calendar: WorkCalendar) -> None:
    assert calendar.add_working(at(2026, 3, 2, 7), 4 * HOUR + 30 * 60) == at(2026, 3, 2, 11, 30)
    assert calendar.add_working(at(2026, 3, 2, 9), 2 * HOUR + 30 * 60) == at(2026, 3, 2, 11, 30)
    # From lunch-time 13:30, one working day ends at 11:30 the next day, not 13:30.
    assert calendar.add_working(at(2026, 3, 2, 13, 30), WORKING_DAY) == at(2026, 3, 3, 11, 30)
    # A whole day from opening ends at that day's closing, not the next opening.
    assert calendar.add_working(at(2026, 3, 2, 7), WORKING_DAY) == at(2026, 3, 2, 17)
    # One second more spills into the next session.
    assert calendar.add_working(at(2026, 3, 2, 7), 4 * HOUR + 30 * 60 + 1) == datetime(
        2026, 3, 2, 13, 30, 1, tzinfo=LOCAL_TZ
    )


def test_gio_to_2026_compensatory_monday(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(date(2026, 4, 26))
    assert not calendar.is_working_day(date(2026, 4, 27))
    # Fri 24/4 09:00 + 1 working day: Sat, Sun (Giỗ Tổ), Mon 27/4 (nghỉ bù) are off.
    assert calendar.add_working(at(2026, 4, 24, 9), WORKING_DAY) == at(2026, 4, 28, 9)
    # Tue 28/4 09:00 + 2 working days: Thu 30/4, Fri 1/5 and the weekend are off.
    assert calendar.add_working(at(2026, 4, 28, 9), 2 * WORKING_DAY) == at(2026, 5, 4, 9)


def test_worked_saturday_22_8_2026_counts_in_full(calendar: WorkCalendar) -> None:
    assert calendar.sessions(date(2026, 8, 22)) == calendar.hours.sessions
    assert calendar.add_working(at(2026, 8, 21, 9), WORKING_DAY) == at(2026, 8, 22, 9)
    assert calendar.add_working(at(2026, 8, 22, 7), WORKING_DAY) == at(2026, 8, 22, 17)
    assert calendar.working_between(at(2026, 8, 22, 0), at(2026, 8, 23, 0)) == WORKING_DAY
    # Fri 28/8 09:00 + 1 working day: Mon 31/8, Tue 1/9 and Wed 2/9 are off.
    assert calendar.add_working(at(2026, 8, 28, 9), WORKING_DAY) == at(2026, 9, 3, 9)


def test_saturday_morning_counts_only_when_configured(calendar: WorkCalendar) -> None:
    receiving = calendar.with_hours(OfficeHours.parse(DEFAULT_HOURS, "07:30-11:30"))
    counting = calendar.with_hours(
        OfficeHours.parse(DEFAULT_HOURS, "07:30-11:30", saturday_counts=True)
    )
    saturday = date(2026, 3, 7)
    assert receiving.day_info(saturday).status is DayStatus.WEEKEND
    assert receiving.add_working(at(2026, 3, 6, 16), 2 * HOUR) == at(2026, 3, 9, 8)
    assert counting.day_info(saturday) == DayInfo(saturday, DayStatus.SATURDAY_COUNTED, 4 * HOUR)
    assert counting.add_working(at(2026, 3, 6, 16), 2 * HOUR) == at(2026, 3, 7, 8, 30)
    assert counting.add_working(at(2026, 3, 6, 16), 6 * HOUR) == at(2026, 3, 9, 8)
    # A Saturday holiday stays off; a worked Saturday counts a full day, not the morning.
    assert not counting.is_working_day(date(2025, 2, 1))
    assert counting.working_between(at(2026, 8, 22, 0), at(2026, 8, 23, 0)) == WORKING_DAY
    assert not counting.is_working_day(date(2026, 3, 8))  # Sunday


def test_saturdays_inside_the_tet_break_are_off_even_where_saturdays_count(
    calendar: WorkCalendar,
) -> None:
    """Tết 2026 is 14/02–22/02 with its weekends, Tết 2025 25/01–02/02 (domain.md §5.1): the
    Saturdays inside are no working time for an agency whose Saturday mornings count."""
    counting = calendar.with_hours(
        OfficeHours.parse(DEFAULT_HOURS, "07:30-11:30", saturday_counts=True)
    )
    for saturday in (date(2025, 1, 25), date(2026, 2, 14), date(2026, 2, 21)):
        assert not counting.is_working_day(saturday), saturday
    assert counting.is_working_day(date(2026, 2, 28))  # the Saturday after: counted again
    # Fri 13/02/2026 09:00 + 3 working days: Fri 6 h, Mon 23/02, Tue 24/02, 2 h on Wed 25/02
    assert counting.add_working(at(2026, 2, 13, 9), 3 * WORKING_DAY) == at(2026, 2, 25, 9)


def test_custom_office_hours_with_three_sessions(calendar: WorkCalendar) -> None:
    hours = OfficeHours.parse("07:30-11:30, 13:00-15:00; 15:30–17:30")
    assert hours.sessions == ((27000, 41400), (46800, 54000), (55800, 63000))
    assert hours.text() == "07:30-11:30,13:00-15:00,15:30-17:30"
    assert hours.seconds_per_day == WORKING_DAY
    three = calendar.with_hours(hours)
    monday = at(2026, 3, 2, 7, 30)
    assert three.add_working(monday, 4 * HOUR) == at(2026, 3, 2, 11, 30)
    assert three.add_working(monday, 5 * HOUR) == at(2026, 3, 2, 14)
    assert three.add_working(monday, 6 * HOUR) == at(2026, 3, 2, 15)  # not 15:30
    assert three.add_working(monday, 6 * HOUR + 30 * 60) == at(2026, 3, 2, 16)
    assert three.add_working(monday, WORKING_DAY) == at(2026, 3, 2, 17, 30)
    assert three.next_opening(at(2026, 3, 2, 15, 10)) == at(2026, 3, 2, 15, 30)
    assert three.add_working(at(2026, 3, 2, 15, 10), HOUR) == at(2026, 3, 2, 16, 30)
    assert three.closing(date(2026, 3, 2)) == at(2026, 3, 2, 17, 30)
    assert three.opening(date(2026, 3, 2)) == at(2026, 3, 2, 7, 30)


# --- merge_rules -----------------------------------------------------------------------------


def _rule(day: date, kind: DayKind, origin: Origin, name: str = "") -> DayRule:
    return DayRule(day, kind, name or f"{origin} {kind}", f"source {origin}", origin)


def test_merge_rules_later_layer_wins_and_remove_cancels() -> None:
    a, b, c, d = date(2026, 9, 2), date(2026, 9, 5), date(2026, 11, 24), date(2026, 3, 3)
    package = [
        _rule(a, DayKind.OFF, Origin.PACKAGE),
        _rule(b, DayKind.OFF, Origin.PACKAGE),
        _rule(c, DayKind.OFF, Origin.PACKAGE),
    ]
    shipped = [
        _rule(a, DayKind.REMOVE, Origin.SHIPPED),
        _rule(b, DayKind.WORKDAY, Origin.SHIPPED),
        _rule(d, DayKind.REMOVE, Origin.SHIPPED),  # removing an absent date is harmless
    ]
    admin = [
        _rule(a, DayKind.OFF, Origin.ADMIN),  # re-added after a removal
        _rule(c, DayKind.REMOVE, Origin.ADMIN),
    ]
    merged = merge_rules(package, shipped, admin)
    assert set(merged) == {a, b}
    assert merged[a].origin is Origin.ADMIN
    assert merged[a].kind is DayKind.OFF
    assert merged[b] == _rule(b, DayKind.WORKDAY, Origin.SHIPPED)
    assert all(rule.kind is not DayKind.REMOVE for rule in merged.values())
    # Within one layer the later entry wins too; no layers, no rules.
    same = [_rule(d, DayKind.OFF, Origin.ADMIN, "one"), _rule(d, DayKind.OFF, Origin.ADMIN, "two")]
    assert merge_rules(same)[d].name == "two"
    assert merge_rules() == {}


def test_merge_rules_drive_the_calendar(rules: dict[date, DayRule]) -> None:
    hours = OfficeHours.parse(DEFAULT_HOURS)
    removed = merge_rules(rules.values(), [_rule(date(2026, 11, 24), DayKind.REMOVE, Origin.ADMIN)])
    edited = WorkCalendar(removed, FIRST_YEAR, LAST_YEAR, hours)
    assert edited.day_info(date(2026, 11, 24)) == DayInfo(
        date(2026, 11, 24), DayStatus.WORKING, WORKING_DAY
    )
    worked_sunday = merge_rules(
        rules.values(), [_rule(date(2026, 3, 8), DayKind.WORKDAY, Origin.ADMIN, "Làm bù")]
    )
    edited = WorkCalendar(worked_sunday, FIRST_YEAR, LAST_YEAR, hours)
    assert edited.day_info(date(2026, 3, 8)).status is DayStatus.WORKED_WEEKEND
    assert edited.add_working(at(2026, 3, 6, 16), 2 * HOUR) == at(2026, 3, 8, 8)


# --- instants --------------------------------------------------------------------------------


def test_working_between(calendar: WorkCalendar) -> None:
    assert calendar.working_between(at(2026, 3, 2, 9), at(2026, 3, 5, 9)) == 3 * WORKING_DAY
    assert calendar.working_between(at(2026, 3, 5, 9), at(2026, 3, 2, 9)) == -3 * WORKING_DAY
    assert calendar.working_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == HOUR
    assert calendar.working_between(at(2026, 3, 2, 11, 30), at(2026, 3, 2, 13, 30)) == 0
    assert calendar.working_between(at(2026, 3, 2, 18), at(2026, 3, 3, 6)) == 0
    assert calendar.working_between(at(2026, 3, 6, 17), at(2026, 3, 9, 7)) == 0
    # Across Tết 2026: Fri 13/2 to Mon 23/2 is one working day.
    assert calendar.working_between(at(2026, 2, 13, 9), at(2026, 2, 23, 9)) == WORKING_DAY
    # A year has as many working seconds as working days × 8 hours.
    days_2026 = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    working_days = sum(calendar.is_working_day(day) for day in days_2026)
    assert calendar.working_between(at(2026, 1, 1), at(2027, 1, 1)) == working_days * WORKING_DAY


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(2026, 3, 2, 9, 15), at(2026, 3, 2, 9, 15)),  # open: the instant itself
        (at(2026, 3, 2, 7), at(2026, 3, 2, 7)),
        (at(2026, 3, 2, 6, 59), at(2026, 3, 2, 7)),
        (at(2026, 3, 2, 11, 30), at(2026, 3, 2, 13, 30)),  # a closing is not an opening
        (at(2026, 3, 2, 12), at(2026, 3, 2, 13, 30)),
        (at(2026, 3, 2, 17), at(2026, 3, 3, 7)),
        (at(2026, 3, 6, 20), at(2026, 3, 9, 7)),
        (at(2026, 2, 13, 17, 30), at(2026, 2, 23, 7)),  # Tết 2026
        (at(2026, 4, 24, 17, 30), at(2026, 4, 28, 7)),  # Giỗ Tổ + nghỉ bù
        (at(2026, 8, 21, 17, 30), at(2026, 8, 22, 7)),  # worked Saturday
    ],
)
def test_next_opening(calendar: WorkCalendar, instant: datetime, expected: datetime) -> None:
    assert calendar.next_opening(instant) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(2026, 3, 2, 7), True),
        (at(2026, 3, 2, 10), True),
        (at(2026, 3, 2, 11, 30), True),  # a session's closing time is included
        (at(2026, 3, 2, 11, 31), False),
        (at(2026, 3, 2, 13, 29), False),
        (at(2026, 3, 2, 17), True),
        (at(2026, 3, 2, 17, 1), False),
        (at(2026, 3, 2, 6, 59), False),
        (at(2026, 3, 7, 10), False),  # Saturday
        (at(2026, 8, 22, 10), True),  # worked Saturday
        (at(2026, 4, 27, 10), False),  # nghỉ bù Giỗ Tổ
        (at(2026, 11, 24, 10), False),  # Ngày Văn hóa Việt Nam
    ],
)
def test_is_working_instant(calendar: WorkCalendar, instant: datetime, expected: bool) -> None:
    assert calendar.is_working_instant(instant) is expected


def test_instants_in_utc_are_read_in_local_time(calendar: WorkCalendar) -> None:
    received = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    assert calendar.add_working(received, 3 * WORKING_DAY) == at(2026, 3, 5, 9)
    assert calendar.is_working_instant(datetime(2026, 3, 2, 0, 0, tzinfo=UTC))  # 07:00
    assert not calendar.is_working_instant(datetime(2026, 3, 1, 23, 59, tzinfo=UTC))


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_working(at(2014, 12, 31, 10), HOUR),
        lambda c: c.add_working(at(2036, 1, 1, 10), HOUR),
        lambda c: c.add_working(at(2035, 12, 28, 10), 10 * WORKING_DAY),
        lambda c: c.working_between(at(2026, 3, 2, 9), at(2036, 1, 2, 9)),
        lambda c: c.next_opening(at(2035, 12, 31, 18)),
        lambda c: c.day_info(date(2014, 12, 31)),
        lambda c: c.is_working_day(date(2036, 1, 1)),
        lambda c: c.is_working_instant(at(2036, 1, 1, 10)),
        lambda c: c.special_days(2036),
        lambda c: c.instant_at(-1),
    ],
    ids=[
        "start before",
        "start after",
        "due after",
        "between",
        "next_opening",
        "day_info",
        "is_working_day",
        "is_working_instant",
        "special_days",
        "negative ordinal",
    ],
)
def test_calendar_range_error(
    calendar: WorkCalendar, call: Callable[[WorkCalendar], object]
) -> None:
    with pytest.raises(CalendarRangeError) as caught:
        call(calendar)
    assert (caught.value.first_year, caught.value.last_year) == (FIRST_YEAR, LAST_YEAR)
    assert "2015–2035" in caught.value.message()


def test_calendar_range_error_names_the_date(calendar: WorkCalendar) -> None:
    with pytest.raises(CalendarRangeError) as caught:
        calendar.add_working(at(2014, 12, 31, 10), HOUR)
    assert caught.value.value == "2014-12-31"
    assert "2014-12-31" in str(caught.value)


def test_calendar_edges_are_usable(calendar: WorkCalendar) -> None:
    # 2/1/2015 was a bridge day off (made up on Sat 27/12/2014, before the range).
    assert calendar.next_working_day(date(2015, 1, 1)) == date(2015, 1, 5)
    assert calendar.add_working(at(2015, 1, 1, 7), HOUR) == at(2015, 1, 5, 8)
    assert calendar.add_working(at(2035, 12, 31, 9), HOUR) == at(2035, 12, 31, 10)


def test_zero_working_time_before_the_first_working_day_is_its_opening(
    calendar: WorkCalendar,
) -> None:
    # 1/1/2015 is a holiday and 2/1/2015 a bridge day: nothing has elapsed until 5/1 07:00.
    assert calendar.add_working(at(2015, 1, 1, 10), 0) == at(2015, 1, 5, 7)
    assert calendar.instant_at(0) == at(2015, 1, 5, 7)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "07:00",
        "07:00-",
        "07:00-11:30-12:00",
        "07:00-25:00",
        "7h-11h",
        "11:30-07:00",
        "07:00-07:00",
        "13:30-17:00,07:00-11:30",
        "07:00-11:30,11:00-12:00",
    ],
)
def test_invalid_office_hours(text: str) -> None:
    with pytest.raises(InvalidOfficeHoursError) as caught:
        OfficeHours.parse(text)
    assert isinstance(caught.value, InputError)
    assert caught.value.value == text
    assert f"“{text}”" in caught.value.message()


def test_invalid_saturday_hours() -> None:
    with pytest.raises(InvalidOfficeHoursError):
        OfficeHours.parse(DEFAULT_HOURS, "08:00-07:00")


def test_office_hours_accept_touching_sessions_and_short_clock() -> None:
    hours = OfficeHours.parse("7:00-11:30,11:30-12:00")
    assert hours.sessions == ((25200, 41400), (41400, 43200))
    assert OfficeHours.parse(DEFAULT_HOURS, "07:30-11:30").saturday_text() == "07:30-11:30"
    assert OfficeHours.parse(DEFAULT_HOURS).saturday_text() == ""


# --- the vectorised path (tthc_tracker.domain.bulk) ------------------------------------------


def test_bulk_examples(calendar: WorkCalendar) -> None:
    starts = np.array([epoch(at(2025, 4, 25, 15)), epoch(at(2026, 3, 2, 9))])
    due = add_working_bulk(calendar, starts, 3 * WORKING_DAY)  # seconds broadcast
    assert due.dtype == np.int64
    assert due.tolist() == [epoch(at(2025, 4, 29, 15)), epoch(at(2026, 3, 5, 9))]
    assert working_between_bulk(calendar, starts, due).tolist() == [3 * WORKING_DAY] * 2


def test_bulk_keeps_shape_and_accepts_empty_input(calendar: WorkCalendar) -> None:
    starts = np.full((2, 3), epoch(at(2026, 3, 2, 7)), dtype=np.int64)
    seconds = np.array([HOUR, 4 * HOUR + 30 * 60, WORKING_DAY])
    due = add_working_bulk(calendar, starts, seconds)
    assert due.shape == (2, 3)
    assert due[1].tolist() == [
        epoch(at(2026, 3, 2, 8)),
        epoch(at(2026, 3, 2, 11, 30)),
        epoch(at(2026, 3, 2, 17)),
    ]
    empty = np.array([], dtype=np.int64)
    assert add_working_bulk(calendar, empty, empty).shape == (0,)
    assert working_between_bulk(calendar, empty, empty).shape == (0,)


def test_bulk_ordinal_and_instant_at(calendar: WorkCalendar) -> None:
    instants = [at(2026, 3, 2, 12), at(2026, 8, 22, 9), at(2026, 4, 27, 10), at(2035, 12, 31, 23)]
    ordinals = ordinal_bulk(calendar, [epoch(i) for i in instants])
    assert ordinals.tolist() == [calendar.ordinal(i) for i in instants]
    back = instant_at_bulk(calendar, ordinals)
    assert back.tolist() == [epoch(calendar.instant_at(int(n))) for n in ordinals]


def test_bulk_uses_each_calendars_own_hours(calendar: WorkCalendar) -> None:
    three = calendar.with_hours(OfficeHours.parse("07:30-11:30,13:00-15:00,15:30-17:30"))
    start = np.array([epoch(at(2026, 3, 2, 7, 30))])
    assert add_working_bulk(calendar, start, 6 * HOUR).tolist() == [epoch(at(2026, 3, 2, 15, 30))]
    assert add_working_bulk(three, start, 6 * HOUR).tolist() == [epoch(at(2026, 3, 2, 15))]
    assert add_working_bulk(calendar, start, 6 * HOUR).tolist() == [epoch(at(2026, 3, 2, 15, 30))]


@pytest.mark.parametrize(
    ("starts", "seconds", "value"),
    [
        ([epoch(at(2026, 3, 2, 9)), epoch(at(2014, 12, 31, 10))], [HOUR, HOUR], "2014-12-31"),
        ([epoch(at(2036, 1, 1, 0))], [0], "2036-01-01"),
        ([epoch(at(2035, 12, 28, 10))], [10 * WORKING_DAY], None),
        ([epoch(at(2015, 1, 5, 9))], [-10 * WORKING_DAY], None),
        ([epoch(at(2015, 1, 1, 10))], [0], "0"),  # no working instant before 5/1/2015
    ],
)
def test_bulk_calendar_range_error(
    calendar: WorkCalendar, starts: list[int], seconds: list[int], value: str | None
) -> None:
    with pytest.raises(CalendarRangeError) as caught:
        add_working_bulk(calendar, np.array(starts), np.array(seconds))
    assert (caught.value.first_year, caught.value.last_year) == (FIRST_YEAR, LAST_YEAR)
    if value is not None:
        assert caught.value.value == value


def test_bulk_rejects_non_integer_input(calendar: WorkCalendar) -> None:
    with pytest.raises(TypeError, match="integers"):
        add_working_bulk(calendar, np.array([1.7e9]), np.array([3600]))
    with pytest.raises(TypeError, match="integers"):
        working_between_bulk(calendar, np.array([1_700_000_000]), np.array(["x"]))
