"""Due times from the law's counting rules and a dossier's history (domain.md §5.2, §5.3, §2).

Every expectation is an exact local instant (Asia/Ho_Chi_Minh), default office hours
07:00–11:30 and 13:30–17:00, calendar = holidays package + data/calendar.toml.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from tthc_tracker.domain.calendar import DayInfo, DayStatus, OfficeHours, WorkCalendar, merge_rules
from tthc_tracker.domain.deadline import (
    Deadline,
    check_extension,
    compute_deadline,
    day_reason,
    effective_start,
    explain_calendar_days,
    explain_days,
)
from tthc_tracker.domain.dossier import Event, EventKind
from tthc_tracker.domain.errors import ExtensionError, RuleError
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import load_shipped, package_rules

DATA = Path(__file__).parents[2] / "data"
HOUR = 3600
WORKING_DAY = 8 * HOUR
CUTOFF = time(15, 0)
TB_2026 = "TB 9441/TB-BNV"


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules = merge_rules(package_rules(2015, 2035), load_shipped(DATA / "calendar.toml").rules)
    return WorkCalendar(rules, 2015, 2035, OfficeHours.parse("07:00-11:30,13:30-17:00"))


def due(
    cal: WorkCalendar,
    received: datetime,
    limit: str,
    events: tuple[Event, ...] = (),
    cutoff: time | None = None,
) -> Deadline:
    return compute_deadline(cal, parse_limit(limit), received, events, cutoff)


def ev(kind: EventKind, instant: datetime, reason: str = "", new: str | None = None) -> Event:
    return Event(kind, instant, reason, new_value=new)


# --- working days and working hours ---------------------------------------------------------

WORKING_CASES = [
    # the law's examples (issue 3)
    (at(2025, 4, 25, 15), "3 ngày làm việc", at(2025, 4, 29, 15)),  # Sat 26/4/2025 worked
    (at(2026, 3, 2, 9), "3 ngày làm việc", at(2026, 3, 5, 9)),
    (at(2026, 3, 2, 9), "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", at(2026, 3, 5, 9)),
    (datetime(2026, 3, 2, 2, tzinfo=UTC), "3 ngày làm việc", at(2026, 3, 5, 9)),  # UTC in
    (at(2026, 3, 2, 9, 0, 30), "1 ngày làm việc", at(2026, 3, 3, 9, 0, 30)),
    # fractions and hours
    (at(2026, 3, 2, 7), "0,5 ngày làm việc", at(2026, 3, 2, 11)),
    (at(2026, 3, 2, 13, 30), "0,5 ngày làm việc", at(2026, 3, 3, 7, 30)),
    (at(2026, 3, 2, 9), "1,5 ngày làm việc", at(2026, 3, 3, 15)),
    (at(2026, 3, 2, 9), "4 giờ làm việc", at(2026, 3, 2, 15)),
    (at(2026, 3, 2, 9), "8 giờ làm việc", at(2026, 3, 3, 9)),
    (at(2026, 3, 2, 7), "4,5 giờ làm việc", at(2026, 3, 2, 11, 30)),  # ends at 11:30 exactly
    # receipt outside hours, at lunch, on a weekend or a holiday
    (at(2026, 3, 2, 6), "1 ngày làm việc", at(2026, 3, 2, 17)),
    (at(2026, 3, 2, 17, 30), "1 ngày làm việc", at(2026, 3, 3, 17)),
    (at(2026, 3, 2, 17), "4 giờ làm việc", at(2026, 3, 3, 11)),  # 17:00 is closed
    (at(2026, 3, 2, 11, 30), "4 giờ làm việc", at(2026, 3, 3, 7, 30)),  # 11:30 → 13:30
    (at(2026, 3, 2, 12), "4 giờ làm việc", at(2026, 3, 3, 7, 30)),
    (at(2026, 3, 2, 12), "3,5 giờ làm việc", at(2026, 3, 2, 17)),
    (at(2026, 3, 7, 10), "1 ngày làm việc", at(2026, 3, 9, 17)),  # Saturday
    # Tết 2026: Mon 16/2 – Fri 20/2 off
    (at(2026, 2, 13, 9), "3 ngày làm việc", at(2026, 2, 25, 9)),
    (at(2026, 2, 13, 16), "4 giờ làm việc", at(2026, 2, 23, 10)),
    (at(2026, 2, 17, 10), "1 ngày làm việc", at(2026, 2, 23, 17)),  # received during Tết
    # Giỗ Tổ 2026 on Sunday 26/4: Monday 27/4 off; 30/4 and 1/5 off
    (at(2026, 4, 24, 9), "1 ngày làm việc", at(2026, 4, 28, 9)),
    (at(2026, 4, 24, 15), "4 giờ làm việc", at(2026, 4, 28, 9)),
    (at(2026, 4, 27, 10), "4 giờ làm việc", at(2026, 4, 28, 11)),
    (at(2026, 4, 28, 9), "3 ngày làm việc", at(2026, 5, 5, 9)),
    # Quốc khánh 2026: Sat 22/8 worked; Mon 31/8, Tue 1/9, Wed 2/9 off
    (at(2026, 8, 21, 9), "1 ngày làm việc", at(2026, 8, 22, 9)),
    (at(2026, 8, 22, 15), "4 giờ làm việc", at(2026, 8, 24, 9)),
    (at(2026, 8, 28, 16), "0,5 ngày làm việc", at(2026, 9, 3, 10)),
    (at(2026, 8, 28, 16), "3 ngày làm việc", at(2026, 9, 7, 16)),
    (at(2026, 8, 31, 9), "1 ngày làm việc", at(2026, 9, 3, 17)),
    # Quốc khánh 2025: Mon 1/9 + Tue 2/9
    (at(2025, 8, 29, 9), "1 ngày làm việc", at(2025, 9, 3, 9)),
]


@pytest.mark.parametrize(("received", "limit", "expected"), WORKING_CASES)
def test_working_time_limits(
    cal: WorkCalendar, received: datetime, limit: str, expected: datetime
) -> None:
    result = due(cal, received, limit)
    assert result.due_at == expected
    assert result.legal_due_at == expected
    assert result.extended_to is None
    assert result.clock_running
    assert (
        cal.working_between(result.start.counting_from, expected)
        == parse_limit(limit).working_seconds
    )


@pytest.mark.parametrize(
    ("received", "counting_from", "note"),
    [
        (at(2026, 3, 2, 9), at(2026, 3, 2, 9), ""),
        (at(2026, 3, 2, 12), at(2026, 3, 2, 13, 30), "tính từ 02/03/2026 13:30"),
        (at(2026, 3, 2, 17, 30), at(2026, 3, 3, 7), "tính từ 03/03/2026 07:00"),
        (at(2026, 2, 14, 9), at(2026, 2, 23, 7), "tính từ 23/02/2026 07:00"),
    ],
)
def test_effective_start_without_cutoff(
    cal: WorkCalendar, received: datetime, counting_from: datetime, note: str
) -> None:
    start = effective_start(cal, received, None)
    assert start.received_at == received
    assert start.counting_from == counting_from
    assert start.base_date == received.date()
    assert note in start.note
    assert bool(start.note) == bool(note)


# --- calendar days, months, "Trong ngày" ----------------------------------------------------

CALENDAR_CASES = [
    (at(2026, 3, 2, 9), "15 ngày", at(2026, 3, 17, 17)),  # Tue 17/3
    (at(2026, 3, 2, 17, 30), "15 ngày", at(2026, 3, 17, 17)),  # date(receipt) + N
    (at(2026, 3, 6, 9), "15 ngày", at(2026, 3, 23, 17)),  # Sat 21/3 → Mon 23/3
    (at(2026, 2, 6, 10), "15 ngày", at(2026, 2, 23, 17)),  # Sat 21/2 in Tết → Mon 23/2
    (at(2026, 2, 10, 10), "7 ngày", at(2026, 2, 23, 17)),  # Tue 17/2 (Tết) → Mon 23/2
    (at(2026, 8, 17, 10), "15 ngày", at(2026, 9, 3, 17)),  # Tue 1/9 off → Thu 3/9
    (at(2026, 8, 7, 10), "15 ngày", at(2026, 8, 22, 17)),  # Sat 22/8/2026 is worked
    (at(2026, 4, 12, 10), "15 ngày", at(2026, 4, 28, 17)),  # Mon 27/4 nghỉ bù → Tue 28/4
    (at(2026, 3, 2, 9), "1 tháng", at(2026, 4, 2, 17)),
    (at(2023, 1, 31, 10), "1 tháng", at(2023, 2, 28, 17)),  # 31 Jan → end of Feb
    (at(2024, 1, 31, 10), "1 tháng", at(2024, 2, 29, 17)),  # leap year
    (at(2026, 1, 30, 10), "1 tháng", at(2026, 3, 2, 17)),  # Sat 28/2/2026 → Mon 2/3
    (at(2026, 11, 30, 10), "3 tháng", at(2027, 3, 1, 17)),  # across a year end
    (at(2026, 3, 2, 9), "Trong ngày", at(2026, 3, 2, 17)),
    (at(2026, 3, 2, 16, 59), "Trong ngày", at(2026, 3, 2, 17)),
    (at(2026, 3, 2, 17, 30), "Trong ngày", at(2026, 3, 3, 17)),  # after closing
    (at(2026, 3, 7, 9), "Trong ngày", at(2026, 3, 9, 17)),  # Saturday
    (at(2026, 2, 13, 17, 30), "Trong ngày", at(2026, 2, 23, 17)),  # before Tết
    (at(2026, 8, 22, 10), "Trong ngày", at(2026, 8, 22, 17)),  # worked Saturday
]


@pytest.mark.parametrize(("received", "limit", "expected"), CALENDAR_CASES)
def test_calendar_day_month_and_same_day_limits(
    cal: WorkCalendar, received: datetime, limit: str, expected: datetime
) -> None:
    assert due(cal, received, limit).due_at == expected


# --- 15:00 cut-off --------------------------------------------------------------------------

CUTOFF_CASES = [
    (at(2026, 3, 2, 15), "1 ngày làm việc", at(2026, 3, 2, 15), at(2026, 3, 3, 15)),
    (at(2026, 3, 2, 15, 1), "1 ngày làm việc", at(2026, 3, 3, 7), at(2026, 3, 3, 17)),
    (at(2026, 3, 2, 15, 0, 1), "4 giờ làm việc", at(2026, 3, 3, 7), at(2026, 3, 3, 11)),
    (at(2026, 3, 2, 14, 59), "4 giờ làm việc", at(2026, 3, 2, 14, 59), at(2026, 3, 3, 8, 59)),
    (at(2026, 3, 6, 16), "1 ngày làm việc", at(2026, 3, 9, 7), at(2026, 3, 9, 17)),  # Friday
    (at(2026, 8, 21, 15, 30), "4 giờ làm việc", at(2026, 8, 22, 7), at(2026, 8, 22, 11)),
    (at(2026, 8, 28, 15, 30), "4 giờ làm việc", at(2026, 9, 3, 7), at(2026, 9, 3, 11)),
    (at(2026, 2, 13, 15, 30), "Trong ngày", at(2026, 2, 23, 7), at(2026, 2, 23, 17)),
    (at(2026, 3, 2, 15, 30), "Trong ngày", at(2026, 3, 3, 7), at(2026, 3, 3, 17)),
    (at(2026, 3, 2, 16), "15 ngày", at(2026, 3, 3, 7), at(2026, 3, 18, 17)),  # base Tue 3/3
    (at(2026, 3, 1, 16), "1 ngày làm việc", at(2026, 3, 2, 7), at(2026, 3, 2, 17)),  # Sunday
    (at(2026, 3, 1, 16), "15 ngày", at(2026, 3, 2, 7), at(2026, 3, 17, 17)),  # Sunday: Mon 2/3 + 15
]


@pytest.mark.parametrize(("received", "limit", "counting_from", "expected"), CUTOFF_CASES)
def test_cutoff(
    cal: WorkCalendar, received: datetime, limit: str, counting_from: datetime, expected: datetime
) -> None:
    result = due(cal, received, limit, cutoff=CUTOFF)
    assert result.start.counting_from == counting_from
    assert result.due_at == expected


def test_cutoff_note_and_base_date(cal: WorkCalendar) -> None:
    late = effective_start(cal, at(2026, 3, 2, 15, 1), CUTOFF)
    assert late.base_date == date(2026, 3, 3)
    assert late.note == "Nhận sau 15:00: tính từ ngày làm việc tiếp theo (03/03/2026 07:00)"
    sharp = effective_start(cal, at(2026, 3, 2, 15), CUTOFF)
    assert (sharp.counting_from, sharp.base_date, sharp.note) == (
        at(2026, 3, 2, 15),
        date(2026, 3, 2),
        "",
    )
    # without a cut-off the same receipt counts from 15:01
    assert due(cal, at(2026, 3, 2, 15, 1), "1 ngày làm việc").due_at == at(2026, 3, 3, 15, 1)


# --- supplement requests (ND 118 Art. 19.5; QĐ 766 pause figure) ----------------------------

REQ, GOT = EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED


def test_supplement_restarts_the_limit_from_zero(cal: WorkCalendar) -> None:
    events = (ev(REQ, at(2026, 3, 3, 9), "thiếu bản sao"), ev(GOT, at(2026, 3, 4, 10)))
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    assert result.start.counting_from == at(2026, 3, 4, 10)
    assert result.legal_due_at == result.due_at == at(2026, 3, 9, 10)
    assert result.supplement_seconds == cal.working_between(at(2026, 3, 3, 9), at(2026, 3, 4, 10))
    assert result.supplement_seconds == 9 * HOUR
    # 766: the original due (Thu 5/3 09:00) shifted by the 9 working hours awaited
    assert result.due_at_pause_method == at(2026, 3, 6, 10)
    assert result.clock_running
    assert result.paused_seconds == 0


def test_supplement_received_after_cutoff_counts_from_next_working_day(cal: WorkCalendar) -> None:
    events = (ev(REQ, at(2026, 3, 3, 9), "x"), ev(GOT, at(2026, 3, 4, 15, 30)))
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events, CUTOFF)
    assert result.start.counting_from == at(2026, 3, 5, 7)
    assert result.legal_due_at == at(2026, 3, 9, 17)
    assert result.supplement_seconds == 6 * HOUR + 6 * HOUR + 30 * 60  # Tue 6 h, Wed 6.5 h


def test_supplement_across_tet(cal: WorkCalendar) -> None:
    events = (ev(REQ, at(2026, 2, 12, 10), "x"), ev(GOT, at(2026, 2, 24, 10)))
    result = due(cal, at(2026, 2, 11, 10), "2 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 2, 26, 10)
    # Thu 12/2 10:00 → Tue 24/2 10:00: Thu 5 h, Fri 8 h, (Tết), Mon 23/2 8 h, Tue 3 h
    assert result.supplement_seconds == 24 * HOUR
    # 766: the original due Fri 13/2 10:00 plus 24 working hours
    assert result.due_at_pause_method == at(2026, 2, 25, 10)


def test_awaiting_supplement_stops_the_clock(cal: WorkCalendar) -> None:
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (ev(REQ, at(2026, 3, 3, 9), "x"),))
    assert not result.clock_running
    assert result.legal_due_at == at(2026, 3, 5, 9)
    assert result.supplement_seconds == 0
    assert result.due_at_pause_method is None


def test_supplement_over_a_weekend_keeps_the_766_figure(cal: WorkCalendar) -> None:
    # requested Fri 17:00, back Mon 06:30: no working time awaited, but a supplement happened
    events = (ev(REQ, at(2026, 3, 6, 17), "x"), ev(GOT, at(2026, 3, 9, 6, 30)))
    result = due(cal, at(2026, 3, 5, 9), "3 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 3, 11, 17)
    assert result.supplement_seconds == 0
    assert result.due_at_pause_method == at(2026, 3, 10, 9)  # the original due, unshifted


def test_restart_forgets_earlier_pauses_but_the_766_figure_keeps_them(cal: WorkCalendar) -> None:
    events = (
        ev(EventKind.PAUSED, at(2026, 3, 2, 10), "thẩm định"),
        ev(EventKind.RESUMED, at(2026, 3, 2, 11)),
        ev(REQ, at(2026, 3, 3, 9), "x"),
        ev(GOT, at(2026, 3, 3, 10)),
    )
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 3, 6, 10)
    assert result.paused_seconds == 0
    assert result.due_at_pause_method == at(2026, 3, 5, 11)  # +1 h pause +1 h supplement


def test_a_supplement_asked_once_the_limit_is_used_up_restarts_nothing(cal: WorkCalendar) -> None:
    """Mon 02/03 09:00 + 3 working days: Thu 05/03 09:00. A request on Fri 06/03 comes too
    late: the dossier is late already, and a restart on its return (Mon 09/03) would make it
    due Thu 12/03 and turn a late dossier into an early one."""
    events = (ev(REQ, at(2026, 3, 6, 10), "x"), ev(GOT, at(2026, 3, 9, 9)))
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 3, 5, 9)
    assert result.clock_running
    assert result.due_at_pause_method is None
    texts = [step.text for step in result.steps]
    assert "Yêu cầu bổ sung khi đã hết thời hạn (05/03/2026 09:00): hồ sơ đã trễ hạn" in texts
    assert "Nhận đủ hồ sơ bổ sung: không tính lại thời hạn đã hết" in texts
    # exactly at the due time is already too late; a minute before still restarts
    back = ev(GOT, at(2026, 3, 9, 9))
    at_due = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (ev(REQ, at(2026, 3, 5, 9)), back))
    assert at_due.legal_due_at == at(2026, 3, 5, 9)
    ask = ev(REQ, at(2026, 3, 5, 8, 59))
    assert due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (ask, back)).legal_due_at == at(
        2026, 3, 12, 9
    )
    # a pause before the request moved the due time: judged against the moved one
    paused = (
        ev(EventKind.PAUSED, at(2026, 3, 3, 9), "p"),
        ev(EventKind.RESUMED, at(2026, 3, 4, 9)),
        ev(REQ, at(2026, 3, 5, 10)),
        ev(GOT, at(2026, 3, 9, 9)),
    )
    assert due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", paused).legal_due_at == at(2026, 3, 12, 9)


# --- pauses ---------------------------------------------------------------------------------

PAUSE, RESUME = EventKind.PAUSED, EventKind.RESUMED


def test_pause_excludes_its_working_time(cal: WorkCalendar) -> None:
    events = (ev(PAUSE, at(2026, 3, 2, 10), "niêm yết"), ev(RESUME, at(2026, 3, 2, 14)))
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    assert result.paused_seconds == 2 * HOUR  # 10:00–11:30 and 13:30–14:00
    assert result.legal_due_at == at(2026, 3, 5, 11)
    assert result.clock_running
    assert result.due_at_pause_method is None


def test_two_pauses_add_up(cal: WorkCalendar) -> None:
    events = (
        ev(PAUSE, at(2026, 3, 2, 10), "a"),
        ev(RESUME, at(2026, 3, 2, 14)),
        ev(PAUSE, at(2026, 3, 3, 9), "b"),
        ev(RESUME, at(2026, 3, 3, 10)),
    )
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    assert result.paused_seconds == 3 * HOUR
    assert result.legal_due_at == at(2026, 3, 5, 14)  # 09:00 + 2.5 h to 11:30, then 0.5 h


def test_pause_over_quoc_khanh_2026_counts_only_working_time(cal: WorkCalendar) -> None:
    events = (ev(PAUSE, at(2026, 8, 28, 16), "x"), ev(RESUME, at(2026, 9, 3, 8)))
    result = due(cal, at(2026, 8, 27, 9), "2 ngày làm việc", events)
    assert result.paused_seconds == 2 * HOUR
    assert result.legal_due_at == at(2026, 9, 3, 11)  # Thu 3/9 09:00 + 2 h


def test_pause_begun_after_the_due_time_changes_nothing(cal: WorkCalendar) -> None:
    """Mon 02/03/2026 09:00 + 1 working day is due Tue 03/03 09:00. A pause from Wed 04/03 to
    Fri 06/03 comes once the limit is used up: the dossier is late already, and stays so."""
    events = (ev(PAUSE, at(2026, 3, 4, 8), "chờ thẩm định"), ev(RESUME, at(2026, 3, 6, 8)))
    result = due(cal, at(2026, 3, 2, 9), "1 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 3, 3, 9)
    assert result.paused_seconds == 0
    assert result.clock_running
    texts = [step.text for step in result.steps]
    assert "Tiếp tục: tạm dừng từ 04/03/2026 08:00, khi đã hết thời hạn, nên không lùi hạn" in texts


def test_pause_begun_exactly_at_the_due_time_changes_nothing(cal: WorkCalendar) -> None:
    events = (ev(PAUSE, at(2026, 3, 3, 9), "x"), ev(RESUME, at(2026, 3, 4, 9)))
    result = due(cal, at(2026, 3, 2, 9), "1 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 3, 3, 9)


def test_pause_across_the_due_time_pushes_it_by_all_its_working_time(cal: WorkCalendar) -> None:
    """Begun an hour before the due time (Tue 08:00), ended Wed 08:00: 8 working hours out,
    so the hour left is counted from Wed 08:00."""
    events = (ev(PAUSE, at(2026, 3, 3, 8), "x"), ev(RESUME, at(2026, 3, 4, 8)))
    result = due(cal, at(2026, 3, 2, 9), "1 ngày làm việc", events)
    assert result.paused_seconds == 8 * HOUR
    assert result.legal_due_at == at(2026, 3, 4, 9)


def test_second_pause_is_judged_against_the_due_time_the_first_pushed(cal: WorkCalendar) -> None:
    """The first pause (Mon 10:00–14:00, 2 working hours) moves Tue 09:00 to Tue 11:00; a
    second one begun Tue 10:00 is before that, so it counts too (1 h)."""
    events = (
        ev(PAUSE, at(2026, 3, 2, 10), "a"),
        ev(RESUME, at(2026, 3, 2, 14)),
        ev(PAUSE, at(2026, 3, 3, 10), "b"),
        ev(RESUME, at(2026, 3, 3, 11)),
    )
    result = due(cal, at(2026, 3, 2, 9), "1 ngày làm việc", events)
    assert result.paused_seconds == 3 * HOUR
    assert result.legal_due_at == at(2026, 3, 3, 14)  # 11:00 + 0.5 h, lunch, 13:30 + 0.5 h


def test_events_are_replayed_in_time_order(cal: WorkCalendar) -> None:
    events = (ev(RESUME, at(2026, 3, 2, 14)), ev(PAUSE, at(2026, 3, 2, 10), "a"))
    assert due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events).legal_due_at == at(2026, 3, 5, 11)


def test_open_pause_stops_the_clock(cal: WorkCalendar) -> None:
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (ev(PAUSE, at(2026, 3, 3, 9), "x"),))
    assert not result.clock_running
    assert result.legal_due_at == at(2026, 3, 5, 9)
    assert result.paused_seconds == 0


CLOSING = ("stopped", "withdrawn", "refused", "completed", "returned")


@pytest.mark.parametrize("kind", [EventKind(k) for k in CLOSING])
def test_closing_events_stop_the_clock(cal: WorkCalendar, kind: EventKind) -> None:
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (ev(kind, at(2026, 3, 3, 9), "x"),))
    assert not result.clock_running
    assert result.legal_due_at == at(2026, 3, 5, 9)


def test_unmatched_resume_and_supplement_received_are_ignored(cal: WorkCalendar) -> None:
    events = (ev(RESUME, at(2026, 3, 3, 9)), ev(GOT, at(2026, 3, 3, 10)))
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    assert result.legal_due_at == at(2026, 3, 5, 9)
    assert result.start.counting_from == at(2026, 3, 2, 9)


# --- extension (ND 118 Art. 19.6: once only) ------------------------------------------------


def test_extension_sets_due_but_keeps_the_legal_due(cal: WorkCalendar) -> None:
    new = "2026-03-10T09:00:00+07:00"
    extension = ev(EventKind.EXTENDED, at(2026, 3, 4, 9), "chờ ý kiến", new)
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (extension,))
    assert result.due_at == result.extended_to == at(2026, 3, 10, 9)
    assert result.legal_due_at == at(2026, 3, 5, 9)
    assert any("Gia hạn đến 10/03/2026 09:00" in step.text for step in result.steps)


@pytest.fixture
def plain(cal: WorkCalendar) -> Deadline:
    return due(cal, at(2026, 3, 2, 9), "3 ngày làm việc")  # due Thu 05/03/2026 09:00


@pytest.mark.parametrize(
    ("new_due", "words"),
    [
        (at(2026, 3, 5, 9), "phải sau hạn hiện tại 05/03/2026 09:00"),  # equal
        (at(2026, 3, 4, 9), "phải sau hạn hiện tại"),  # earlier
        (at(2026, 3, 8, 9), "không nằm trong giờ làm việc"),  # Sunday
        (at(2026, 3, 9, 12), "không nằm trong giờ làm việc"),  # lunch
        (at(2026, 8, 31, 9), "không nằm trong giờ làm việc"),  # swapped day off
        (at(2026, 3, 9, 17, 0, 1), "không nằm trong giờ làm việc"),
    ],
)
def test_check_extension_refuses(
    cal: WorkCalendar, plain: Deadline, new_due: datetime, words: str
) -> None:
    with pytest.raises(ExtensionError) as caught:
        check_extension(cal, "000.00.53.H48-260302-0001", plain, new_due)
    assert isinstance(caught.value, RuleError)
    assert "000.00.53.H48-260302-0001" in caught.value.message()
    assert words in caught.value.message()


@pytest.mark.parametrize(
    "new_due", [at(2026, 3, 5, 9, 0, 1), at(2026, 3, 9, 17), at(2026, 3, 9, 11, 30)]
)
def test_check_extension_accepts(cal: WorkCalendar, plain: Deadline, new_due: datetime) -> None:
    check_extension(cal, "HS-1", plain, new_due)


def test_second_extension_is_refused(cal: WorkCalendar) -> None:
    first = ev(EventKind.EXTENDED, at(2026, 3, 4, 9), "x", "2026-03-10T09:00:00+07:00")
    extended = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", (first,))
    with pytest.raises(ExtensionError) as caught:
        check_extension(cal, "HS-2", extended, at(2026, 3, 12, 9))
    assert "HS-2" in caught.value.message()
    assert "một lần" in caught.value.message()


# --- explanation ----------------------------------------------------------------------------


def test_explain_law_example_2025(cal: WorkCalendar) -> None:
    lines = explain_days(cal, at(2025, 4, 25, 15), at(2025, 4, 29, 15))
    assert [(line.info.day.day, line.counted_seconds) for line in lines] == [
        (25, 2 * HOUR),
        (26, WORKING_DAY),
        (27, 0),
        (28, WORKING_DAY),
        (29, 6 * HOUR),
    ]
    assert sum(line.counted_seconds for line in lines) == 3 * WORKING_DAY
    assert lines[1].info.status is DayStatus.WORKED_WEEKEND
    assert day_reason(lines[1].info).startswith("làm việc bù: Làm bù cho Thứ Sáu 02/5/2025 (")
    assert day_reason(lines[2].info) == "cuối tuần"


@pytest.mark.parametrize(
    ("received", "limit", "last_counted", "due_day"),
    [
        # 15 days from Wed 01/09/2027: 2–3/9 and weekends count; the 15th, Thu 16/09, works
        (at(2027, 9, 1, 16), "15 ngày", date(2027, 9, 16), date(2027, 9, 16)),
        # one month from Fri 29/01/2027: the last day, Sun 28/02, is off: Mon 01/03
        (at(2027, 1, 29, 10), "1 tháng", date(2027, 2, 28), date(2027, 3, 1)),
        # 3 days from Fri 27/08/2027: Sat, Sun count; Mon 30/08 is the third
        (at(2027, 8, 27, 10), "3 ngày", date(2027, 8, 30), date(2027, 8, 30)),
    ],
)
def test_explain_calendar_days_counts_every_day_after_the_receipt(
    cal: WorkCalendar, received: datetime, limit: str, last_counted: date, due_day: date
) -> None:
    """Civil Code Art. 147–148: not the receipt day; every day after it, off or not; a last
    day off moves the time to the next working day. No working hours are shown."""
    result = due(cal, received, limit)
    assert result.legal_due_at.date() == due_day
    lines = explain_calendar_days(cal, result.start, parse_limit(limit), result.legal_due_at)
    assert lines[0].info.day == received.date() and lines[0].calendar_day is None
    ranked = [line for line in lines if line.calendar_day is not None]
    assert [line.calendar_day for line in ranked] == list(range(1, len(ranked) + 1))
    assert ranked[-1].info.day == last_counted
    assert all(line.counted_seconds == 0 for line in lines)
    moved = [line.info.day for line in lines if line.moved]
    assert moved == ([] if last_counted == due_day else [due_day])
    if limit == "15 ngày":
        assert len(ranked) == 15
        assert {line.info.status for line in ranked[:4]} == {DayStatus.HOLIDAY, DayStatus.WEEKEND}


def test_explain_calendar_days_shows_a_pause_and_what_it_adds(cal: WorkCalendar) -> None:
    """One month from Fri 29/01/2027, last day Sun 28/02 (off): Mon 01/03 17:00. A pause of
    Mon 22/02 (8 working hours) makes the due time Tue 02/03 17:00: 22/02 keeps its rank and
    shows the pause, Mon 01/03 is the day the time moved to, Tue 02/03 is the made-up time."""
    pause = (
        ev(EventKind.PAUSED, at(2027, 2, 22, 7)),
        ev(EventKind.RESUMED, at(2027, 2, 23, 7)),
    )
    result = due(cal, at(2027, 1, 29, 10), "1 tháng", pause)
    assert result.legal_due_at == at(2027, 3, 2, 17)
    limit = parse_limit("1 tháng")
    lines = explain_calendar_days(cal, result.start, limit, result.legal_due_at, result.excluded)
    by_day = {line.info.day: line for line in lines}
    assert by_day[date(2027, 2, 22)].paused_seconds == 8 * 3600
    assert by_day[date(2027, 2, 22)].calendar_day == 24
    assert sum(line.paused_seconds for line in lines) == 8 * 3600
    assert [line.info.day for line in lines if line.moved] == [date(2027, 3, 1)]
    assert lines[-1].info.day == date(2027, 3, 2)
    assert (lines[-1].calendar_day, lines[-1].moved) == (None, False)


def test_explain_quoc_khanh_2026(cal: WorkCalendar) -> None:
    result = due(cal, at(2026, 8, 28, 16), "3 ngày làm việc")
    lines = explain_days(cal, result.start.counting_from, result.due_at)
    assert [line.info.day for line in lines][0::10] == [date(2026, 8, 28), date(2026, 9, 7)]
    assert len(lines) == 11
    assert sum(line.counted_seconds for line in lines) == 3 * WORKING_DAY
    by_day = {line.info.day: line for line in lines}
    swapped = by_day[date(2026, 8, 31)]
    assert swapped.counted_seconds == 0
    assert swapped.info.source == TB_2026
    assert day_reason(swapped.info) == (
        "nghỉ: Nghỉ hoán đổi Quốc khánh (làm bù Thứ Bảy 22/8/2026) (TB 9441/TB-BNV)"
    )
    for day in (date(2026, 9, 1), date(2026, 9, 2)):
        assert by_day[day].info.status is DayStatus.HOLIDAY
        assert day_reason(by_day[day].info).startswith("nghỉ: Quốc khánh (")
    assert by_day[date(2026, 9, 7)].counted_seconds == 7 * HOUR
    assert day_reason(by_day[date(2026, 9, 3)].info) == "ngày làm việc"


def test_explain_tet_2026_and_gio_to(cal: WorkCalendar) -> None:
    lines = explain_days(cal, at(2026, 2, 13, 9), at(2026, 2, 25, 9))
    assert sum(line.counted_seconds for line in lines) == 3 * WORKING_DAY
    tet = [line for line in lines if line.info.status is DayStatus.HOLIDAY]
    assert [line.info.day.day for line in tet] == [16, 17, 18, 19, 20]
    assert all(line.info.source == TB_2026 for line in tet)
    gio_to = {
        line.info.day: line.info
        for line in explain_days(cal, at(2026, 4, 24, 9), at(2026, 4, 28, 9))
    }
    assert "Giỗ Tổ Hùng Vương" in day_reason(gio_to[date(2026, 4, 26)])
    assert day_reason(gio_to[date(2026, 4, 26)]).startswith("cuối tuần: ")
    assert day_reason(gio_to[date(2026, 4, 27)]).startswith("nghỉ: Nghỉ bù Giỗ Tổ Hùng Vương")
    assert "Điều 111.3" in day_reason(gio_to[date(2026, 4, 27)])


def test_explain_from_receipt_outside_hours_counts_nothing_before_opening(
    cal: WorkCalendar,
) -> None:
    lines = explain_days(cal, at(2026, 3, 2, 18), at(2026, 3, 3, 17))
    assert [line.counted_seconds for line in lines] == [0, WORKING_DAY]


def test_day_reason_texts(cal: WorkCalendar) -> None:
    day = date(2026, 3, 7)
    assert day_reason(DayInfo(day, DayStatus.WORKING, WORKING_DAY)) == "ngày làm việc"
    assert day_reason(DayInfo(day, DayStatus.WEEKEND, 0)) == "cuối tuần"
    assert day_reason(DayInfo(day, DayStatus.WEEKEND, 0, "Tết", "TB")) == "cuối tuần: Tết (TB)"
    assert day_reason(DayInfo(day, DayStatus.HOLIDAY, 0, "Lễ", "")) == "nghỉ: Lễ"
    assert day_reason(DayInfo(day, DayStatus.WORKED_WEEKEND, 1, "Bù", "TB")) == (
        "làm việc bù: Bù (TB)"
    )
    saturday = cal.with_hours(
        OfficeHours.parse("07:00-11:30,13:30-17:00", "07:00-11:30", saturday_counts=True)
    )
    info = saturday.day_info(day)
    assert info.status is DayStatus.SATURDAY_COUNTED
    assert day_reason(info) == "sáng thứ Bảy có tính thời hạn"


def test_steps_tell_the_story(cal: WorkCalendar) -> None:
    events = (ev(REQ, at(2026, 3, 3, 9), "x"), ev(GOT, at(2026, 3, 4, 12)))
    result = due(cal, at(2026, 3, 2, 9), "3 ngày làm việc", events)
    texts = [step.text for step in result.steps]
    assert texts[0] == "Tiếp nhận; thời hạn 3 ngày làm việc"
    assert "Nhận đủ hồ sơ bổ sung: tính lại thời hạn từ đầu" in texts
    assert "Nhận ngoài giờ làm việc: tính từ 04/03/2026 13:30" in texts
    assert result.steps[-1].at == result.legal_due_at == at(2026, 3, 9, 11, 30)  # used up at 11:30
