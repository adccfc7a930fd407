"""Properties of working-time arithmetic (domain.md §5.2), checked with Hypothesis.

Instants are drawn in whole seconds between 2016 and 2033, well inside the calendar's
2015–2035 range, so that adding up to a year of working time never leaves it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tthc_tracker.domain.bulk import add_working_bulk, working_between_bulk
from tthc_tracker.domain.calendar import (
    DayKind,
    DayRule,
    OfficeHours,
    Origin,
    WorkCalendar,
    merge_rules,
)
from tthc_tracker.domain.errors import CalendarRangeError
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import load_shipped, package_rules

DATA = Path(__file__).parents[2] / "data"
FIRST_YEAR, LAST_YEAR = 2015, 2035
WORKING_DAY = 8 * 3600

RULES = merge_rules(
    package_rules(FIRST_YEAR, LAST_YEAR), load_shipped(DATA / "calendar.toml").rules
)
CALENDAR = WorkCalendar(RULES, FIRST_YEAR, LAST_YEAR, OfficeHours.parse("07:00-11:30,13:30-17:00"))

_LOW = int(datetime(2016, 1, 1, tzinfo=LOCAL_TZ).timestamp())
_HIGH = int(datetime(2034, 1, 1, tzinfo=LOCAL_TZ).timestamp())

epoch_seconds = st.integers(_LOW, _HIGH)
instants = epoch_seconds.map(lambda s: datetime.fromtimestamp(s, LOCAL_TZ))
# Up to a year of working time, biased toward catalogue limits (half days) and the small.
amounts = st.one_of(
    st.integers(1, 250 * WORKING_DAY),
    st.integers(1, 60).map(lambda half_days: half_days * WORKING_DAY // 2),
    st.integers(1, 3600),
)
days = st.dates(date(2016, 1, 1), date(2034, 12, 31))

PROPERTY = settings(max_examples=200, deadline=None)


def epoch(instant: datetime) -> int:
    return int(instant.timestamp())


@PROPERTY
@given(instants, st.integers(0, 250 * WORKING_DAY))
def test_due_is_a_working_instant(start: datetime, seconds: int) -> None:
    assert CALENDAR.is_working_instant(CALENDAR.add_working(start, seconds))


@PROPERTY
@given(instants, amounts)
def test_due_is_after_start(start: datetime, seconds: int) -> None:
    assert CALENDAR.add_working(start, seconds) > start


@PROPERTY
@given(instants, amounts, amounts)
def test_adding_is_associative(start: datetime, a: int, b: int) -> None:
    assert CALENDAR.add_working(CALENDAR.add_working(start, a), b) == CALENDAR.add_working(
        start, a + b
    )


@PROPERTY
@given(instants, amounts, amounts)
def test_monotonic_in_the_limit(start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert CALENDAR.add_working(start, low) <= CALENDAR.add_working(start, high)


@PROPERTY
@given(instants, instants, amounts)
def test_monotonic_in_the_start(a: datetime, b: datetime, seconds: int) -> None:
    early, late = sorted((a, b))
    assert CALENDAR.add_working(early, seconds) <= CALENDAR.add_working(late, seconds)


@PROPERTY
@given(instants, st.integers(0, 250 * WORKING_DAY))
def test_working_between_inverts_adding(start: datetime, seconds: int) -> None:
    # Holds for any start: the working-seconds ordinal is constant outside office hours.
    due = CALENDAR.add_working(start, seconds)
    assert CALENDAR.working_between(start, due) == seconds


@PROPERTY
@given(instants, amounts)
def test_due_is_the_earliest_such_instant(start: datetime, seconds: int) -> None:
    due = CALENDAR.add_working(start, seconds)
    assert CALENDAR.working_between(start, due - timedelta(seconds=1)) == seconds - 1


@PROPERTY
@given(instants, instants, instants)
def test_working_between_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    between = CALENDAR.working_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(a, b) == -between(b, a)


@PROPERTY
@given(instants)
def test_next_opening_is_a_working_instant_not_earlier(instant: datetime) -> None:
    opening = CALENDAR.next_opening(instant)
    assert opening >= instant
    assert CALENDAR.is_working_instant(opening)
    assert CALENDAR.working_between(instant, opening) == 0


@settings(max_examples=100, deadline=None)
@given(instants, amounts, days, st.sampled_from([DayKind.OFF, DayKind.WORKDAY]))
def test_edit_outside_the_period_leaves_the_due_unchanged(
    start: datetime, seconds: int, day: date, kind: DayKind
) -> None:
    due = CALENDAR.add_working(start, seconds)
    assume(not start.date() <= day <= due.date())
    edit = DayRule(day, kind, "Điều chỉnh thử", "test", Origin.ADMIN)
    edited = WorkCalendar(
        merge_rules(RULES.values(), [edit]), FIRST_YEAR, LAST_YEAR, CALENDAR.hours
    )
    assert edited.add_working(start, seconds) == due


@PROPERTY
@given(st.lists(st.tuples(epoch_seconds, st.integers(0, 250 * WORKING_DAY)), min_size=1))
def test_bulk_equals_scalar(pairs: list[tuple[int, int]]) -> None:
    starts = np.array([s for s, _ in pairs], dtype=np.int64)
    seconds = np.array([n for _, n in pairs], dtype=np.int64)
    expected = [epoch(CALENDAR.add_working(datetime.fromtimestamp(s, UTC), n)) for s, n in pairs]
    assert add_working_bulk(CALENDAR, starts, seconds).tolist() == expected


@PROPERTY
@given(st.lists(st.tuples(epoch_seconds, epoch_seconds), min_size=1))
def test_working_between_bulk_equals_scalar(pairs: list[tuple[int, int]]) -> None:
    starts = np.array([s for s, _ in pairs], dtype=np.int64)
    ends = np.array([e for _, e in pairs], dtype=np.int64)
    expected = [
        CALENDAR.working_between(datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC))
        for s, e in pairs
    ]
    assert working_between_bulk(CALENDAR, starts, ends).tolist() == expected


@st.composite
def office_hours(draw: st.DrawFn) -> OfficeHours:
    """One to three ordered, non-overlapping sessions (minute precision) and a Saturday."""
    marks = sorted(draw(st.sets(st.integers(5 * 60, 20 * 60), min_size=2, max_size=6)))
    if len(marks) % 2:
        marks = marks[:-1]
    clocks = [f"{m // 60:02d}:{m % 60:02d}" for m in marks]
    text = ",".join(f"{a}-{b}" for a, b in zip(clocks[::2], clocks[1::2], strict=True))
    saturday = draw(st.sampled_from(["", "07:30-11:30", "08:00-09:00,09:30-12:00"]))
    return OfficeHours.parse(text, saturday, saturday_counts=draw(st.booleans()))


@settings(max_examples=40, deadline=None)
@given(office_hours(), st.lists(st.tuples(epoch_seconds, amounts), min_size=1, max_size=50))
def test_bulk_equals_scalar_for_any_office_hours(
    hours: OfficeHours, pairs: list[tuple[int, int]]
) -> None:
    calendar = CALENDAR.with_hours(hours)
    starts = np.array([s for s, _ in pairs], dtype=np.int64)
    seconds = np.array([n for _, n in pairs], dtype=np.int64)
    try:
        expected = [
            epoch(calendar.add_working(datetime.fromtimestamp(s, UTC), n)) for s, n in pairs
        ]
    except CalendarRangeError:  # short office hours: a long limit runs past 2035
        with pytest.raises(CalendarRangeError):
            add_working_bulk(calendar, starts, seconds)
        return
    assert add_working_bulk(calendar, starts, seconds).tolist() == expected


def _zone_ordinal(calendar: WorkCalendar, instant: datetime) -> int:
    """ordinal() as the time-zone conversion computes it (the path without a fixed offset)."""
    moment = instant.astimezone(LOCAL_TZ)
    index = (moment.date() - calendar.first_day).days
    of_day = moment.hour * 3600 + moment.minute * 60 + moment.second
    sessions, cum_start, _ = calendar.tables()
    elapsed = cum_start[index]
    for start, end in sessions[index]:
        if of_day <= start:
            break
        elapsed += min(of_day, end) - start
    return elapsed


@PROPERTY
@given(
    epoch_seconds,
    st.integers(0, 999_999),
    st.sampled_from([UTC, LOCAL_TZ, timezone(timedelta(hours=7)), timezone(-timedelta(hours=5))]),
)
def test_ordinal_by_fixed_offset_equals_the_zone_conversion(
    seconds: int, micro: int, zone: tzinfo
) -> None:
    instant = datetime.fromtimestamp(seconds, zone).replace(microsecond=micro)
    assert CALENDAR.ordinal(instant) == _zone_ordinal(CALENDAR, instant)


def test_ordinal_outside_the_range_is_still_refused() -> None:
    with pytest.raises(CalendarRangeError):
        CALENDAR.ordinal(datetime(2036, 1, 1, 3, tzinfo=UTC))
    with pytest.raises(CalendarRangeError):
        CALENDAR.ordinal(datetime(2014, 12, 31, 16, 59, tzinfo=UTC))  # 23:59 local
