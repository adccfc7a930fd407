"""Report and calendar periods, their local-midnight boundaries, and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tthc_tracker.domain.errors import InputError
from tthc_tracker.domain.periods import (
    Period,
    PeriodKind,
    last_closed,
    parse_month,
    parse_period,
    parse_quarter,
    parse_range,
    parse_year,
)
from tthc_tracker.domain.times import LOCAL_TZ

REPORT, CALENDAR = PeriodKind.REPORT, PeriodKind.CALENDAR


def days(period: Period) -> tuple[date, date]:
    return period.first, period.last


@pytest.mark.parametrize(
    ("text", "kind", "first", "last"),
    [
        ("2026-10", REPORT, date(2026, 9, 15), date(2026, 10, 14)),
        ("2026-01", REPORT, date(2025, 12, 15), date(2026, 1, 14)),
        ("2026-02", CALENDAR, date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", CALENDAR, date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-Q1", REPORT, date(2025, 12, 15), date(2026, 3, 14)),
        ("2026-Q3", REPORT, date(2026, 6, 15), date(2026, 9, 14)),
        ("2026-Q3", CALENDAR, date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-6T", REPORT, date(2025, 12, 15), date(2026, 6, 14)),
        ("2026-9T", REPORT, date(2025, 12, 15), date(2026, 9, 14)),
        ("2026-9T", CALENDAR, date(2026, 1, 1), date(2026, 9, 30)),
        ("2026", REPORT, date(2025, 12, 15), date(2026, 12, 14)),
        ("2026", CALENDAR, date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-10-03..2026-10-09", REPORT, date(2026, 10, 3), date(2026, 10, 9)),
    ],
)
def test_periods(text: str, kind: PeriodKind, first: date, last: date) -> None:
    period = parse_period(text, kind)
    assert days(period) == (first, last)
    assert parse_period(period.label, kind) == period


def test_boundaries_are_local_midnight_not_utc() -> None:
    october = parse_month("2026-10", REPORT)
    assert october.start == datetime(2026, 9, 15, tzinfo=LOCAL_TZ)
    assert october.end == datetime(2026, 10, 15, tzinfo=LOCAL_TZ)
    assert october.end == datetime(2026, 10, 14, 17, tzinfo=UTC)
    assert october.dates_text() == "Từ ngày 15/09/2026 đến ngày 14/10/2026"


def test_names_and_keys() -> None:
    assert parse_month("2026-10", REPORT).name == "Tháng 10/2026"
    assert parse_quarter("2026-Q3", REPORT).name == "Quý III/2026"
    assert parse_year("2026", REPORT, 6).name == "6 tháng đầu năm 2026"
    assert parse_year("2026", CALENDAR).name == "Năm 2026"
    assert parse_month("2026-10", CALENDAR).key == "calendar:2026-10"
    assert parse_range("2026-10-01", "31/10/2026").key == "range:2026-10-01..2026-10-31"


def test_trend_goes_back_by_the_period_length() -> None:
    labels = [p.label for p in parse_month("2026-02", REPORT).trend(12)]
    assert labels[0] == "2025-03" and labels[-1] == "2026-02" and len(labels) == 12
    quarters = [p.label for p in parse_quarter("2026-Q1", CALENDAR).trend(3)]
    assert quarters == ["2025-Q3", "2025-Q4", "2026-Q1"]
    week = parse_range("2026-10-08", "2026-10-14").shifted(1)
    assert days(week) == (date(2026, 10, 1), date(2026, 10, 7))
    # a chart's axis writes them the Vietnamese way
    assert [p.short_name for p in parse_month("2026-02", REPORT).trend(2)] == ["01/2026", "02/2026"]
    assert [p.short_name for p in parse_quarter("2026-Q1", CALENDAR).trend(2)] == [
        "Q4/2025",
        "Q1/2026",
    ]
    assert week.short_name == "01/10–07/10/2026"


def test_closed_and_last_closed() -> None:
    october = parse_month("2026-10", REPORT)
    assert not october.is_closed(datetime(2026, 10, 14, 23, 59, tzinfo=LOCAL_TZ))
    assert october.is_closed(datetime(2026, 10, 15, tzinfo=LOCAL_TZ))
    assert last_closed(datetime(2026, 10, 15, 1, tzinfo=LOCAL_TZ)) == october
    assert last_closed(datetime(2026, 10, 14, 23, tzinfo=LOCAL_TZ)).label == "2026-09"
    assert last_closed(datetime(2026, 11, 1, tzinfo=LOCAL_TZ), CALENDAR).label == "2026-10"


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (lambda: parse_month("2026-13", REPORT), "2026-13"),
        (lambda: parse_month("2026-00", REPORT), "2026-00"),
        (lambda: parse_month("10/2026", REPORT), "10/2026"),
        (lambda: parse_quarter("2026-Q5", REPORT), "2026-Q5"),
        (lambda: parse_quarter("2026-Q0", REPORT), "2026-Q0"),
        (lambda: parse_year("26", REPORT), "26"),
        (lambda: parse_year("2026", REPORT, 7), "7"),
        (lambda: parse_range("2026-10-10", "2026-10-01"), "2026-10-10"),
        (lambda: parse_range("2026-02-30", "2026-03-01"), "2026-02-30"),
        (lambda: parse_period("tháng mười", REPORT), "tháng mười"),
        (lambda: PeriodKind.parse("weekly"), "weekly"),
    ],
)
def test_bad_input_is_one_vietnamese_line(parse: object, text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse()  # type: ignore[operator]
    message = caught.value.message()
    assert text in message
    assert "\n" not in message
