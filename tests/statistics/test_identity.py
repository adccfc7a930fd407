"""The Biểu 06 identity and the pure counting rules, on random and on edge-case records."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_tracker.domain.calendar import OfficeHours, WorkCalendar, merge_rules
from tthc_tracker.domain.dossier import Channel, Status
from tthc_tracker.domain.periods import PeriodKind, parse_month
from tthc_tracker.domain.statistics import Counts, StatRecord, build_report, fate
from tthc_tracker.domain.statistics_json import (
    differences,
    report_from_json,
    report_json,
)
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import load_shipped, package_rules

DATA = Path(__file__).parents[2] / "data"
OCTOBER = parse_month("2026-10", PeriodKind.REPORT)  # 15/09 – 14/10/2026
BASE = datetime(2026, 8, 1, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def calendars() -> dict[str, WorkCalendar]:
    rules = merge_rules(package_rules(2025, 2027), load_shipped(DATA / "calendar.toml").rules)
    calendar = WorkCalendar(rules, 2025, 2027, OfficeHours.parse("07:00-11:30,13:30-17:00"))
    return {"A": calendar, "B": calendar}


def record(
    code: str,
    received: datetime,
    status: Status = Status.IN_PROGRESS,
    due: datetime | None = None,
    **extra: object,
) -> StatRecord:
    due_at = due or received + timedelta(days=3)
    values: dict[str, object] = {
        "code": code,
        "procedure": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "level": "Cấp xã",
        "agency": "A",
        "applicant": "Nguyễn Văn A",
        "channel": Channel.DIRECT,
        "received_at": received,
        "original_due_at": due_at,
        "due_at": due_at,
        "status": status,
    }
    values.update(extra)
    return StatRecord(**values)  # type: ignore[arg-type]


minutes = st.integers(min_value=0, max_value=120 * 24 * 60)


@st.composite
def records(draw: st.DrawFn, code: str) -> StatRecord:
    received = BASE + timedelta(minutes=draw(minutes))
    due = received + timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
    status = draw(st.sampled_from(list(Status)))
    end = received + timedelta(minutes=draw(st.integers(0, 40 * 24 * 60)))
    extra: dict[str, object] = {
        "channel": draw(st.sampled_from(list(Channel))),
        "agency": draw(st.sampled_from(["A", "B"])),
        "field": draw(st.sampled_from(["Hộ tịch", "Đất đai"])),
        "level": draw(st.sampled_from(["Cấp xã", "Cấp tỉnh", ""])),
    }
    if status is Status.COMPLETED:
        extra["completed_at"] = end
    elif status is Status.RETURNED:
        extra["completed_at"] = end if draw(st.booleans()) else None
        extra["returned_at"] = end + timedelta(hours=1)
    elif status in (Status.WITHDRAWN, Status.REFUSED, Status.STOPPED):
        extra["closed_at"] = end if draw(st.booleans()) else None
    if draw(st.booleans()):
        issued = received + timedelta(minutes=draw(st.integers(0, 30 * 24 * 60)))
        extra.update(
            letter_number="01/PXL", letter_issued_at=issued, letter_late=draw(st.booleans())
        )
        extra.update(extended=True, due_at=due + timedelta(days=2))
    return record(code, received, status, due, **extra)


@st.composite
def ledgers(draw: st.DrawFn) -> list[StatRecord]:
    size = draw(st.integers(0, 40))
    return [draw(records(f"H{i:03d}")) for i in range(size)]


@settings(max_examples=150, deadline=None)
@given(ledger=ledgers())
def test_the_identity_holds_for_any_ledger(
    calendars: dict[str, WorkCalendar], ledger: list[StatRecord]
) -> None:
    report = build_report(ledger, OCTOBER, calendars)
    rows = [report.total, *(r.counts for r in report.rows)]
    for table in report.agencies:
        rows += [table.total, *(r.counts for r in table.rows)]
    for counts in rows:
        assert counts.identity_holds(), counts
        late = counts.resolved_late + counts.pending_overdue
        assert late == counts.late_with_apology + counts.late_without_apology
        assert counts.apology_late <= counts.late_with_apology
        assert counts.rescheduled_met_new_date <= counts.resolved_late
    counted = sum(fate(r, OCTOBER) is not None for r in ledger)
    assert report.total.received_total == counted
    assert len(report.late) == report.total.resolved_late + report.total.pending_overdue
    # the snapshot format keeps every number
    again = report_from_json(report_json(report))
    assert again == report
    assert differences(report, again) == []


def test_a_closure_without_its_event_is_dated_at_the_receipt(
    calendars: dict[str, WorkCalendar],
) -> None:
    inside = record("X1", datetime(2026, 10, 1, 9, tzinfo=LOCAL_TZ), Status.WITHDRAWN)
    before = record("X2", datetime(2026, 9, 1, 9, tzinfo=LOCAL_TZ), Status.REFUSED)
    total = build_report([inside, before], OCTOBER, calendars).total
    assert total == Counts(1, 0, 1, 0, withdrawn_refused_stopped=1)


def test_a_letter_issued_after_the_period_does_not_count_in_it(
    calendars: dict[str, WorkCalendar],
) -> None:
    received = datetime(2026, 10, 1, 9, tzinfo=LOCAL_TZ)
    late = record(
        "L1",
        received,
        due=datetime(2026, 10, 6, 9, tzinfo=LOCAL_TZ),
        letter_number="01/PXL",
        letter_issued_at=datetime(2026, 10, 16, 9, tzinfo=LOCAL_TZ),
    )
    report = build_report([late], OCTOBER, calendars)
    assert report.total.pending_overdue == 1
    assert report.total.late_without_apology == 1
    assert report.late[0].letter_number is None
    issued_in_time = late._replace(letter_issued_at=datetime(2026, 10, 5, 9, tzinfo=LOCAL_TZ))
    assert build_report([issued_in_time], OCTOBER, calendars).total.late_with_apology == 1
    # the period ends at 15/10 00:00: a letter of that instant belongs to the next one
    at_the_end = late._replace(letter_issued_at=OCTOBER.end)
    assert build_report([at_the_end], OCTOBER, calendars).total.late_with_apology == 0
    just_before = late._replace(letter_issued_at=OCTOBER.end - timedelta(seconds=1))
    assert build_report([just_before], OCTOBER, calendars).total.late_with_apology == 1


def test_rescheduled_and_met_counts_only_late_dossiers(
    calendars: dict[str, WorkCalendar],
) -> None:
    """ "Hẹn lại và trả đúng hẹn mới" reports late dossiers that kept their new time; one
    rescheduled but finished by its legal due time was never late (domain.md §2)."""
    received = datetime(2026, 10, 1, 9, tzinfo=LOCAL_TZ)
    legal, new = (datetime(2026, 10, day, 9, tzinfo=LOCAL_TZ) for day in (6, 9))
    early = record(
        "R1", received, Status.COMPLETED, due=legal, due_at=new, extended=True,
        completed_at=datetime(2026, 10, 5, 9, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    kept = early._replace(code="R2", completed_at=datetime(2026, 10, 8, 9, tzinfo=LOCAL_TZ))
    missed = early._replace(code="R3", completed_at=datetime(2026, 10, 12, 9, tzinfo=LOCAL_TZ))
    at_the_new_time = early._replace(code="R4", completed_at=new)  # kept, to the minute
    total = build_report([early, kept, missed, at_the_new_time], OCTOBER, calendars).total
    assert (total.resolved_early, total.resolved_late) == (1, 3)
    assert total.rescheduled_met_new_date == 2


def test_no_resolved_dossier_means_no_rate(calendars: dict[str, WorkCalendar]) -> None:
    total = build_report([], OCTOBER, calendars).total
    assert (total.on_time_rate, total.qd766_indicator_2_1) == (None, None)
    assert total.avg_processing_working_days is None
    assert report_json(build_report([], OCTOBER, calendars))["total"]["on_time_rate"] is None


def test_indicator_2_1_counts_a_supplement_as_a_pause(
    calendars: dict[str, WorkCalendar],
) -> None:
    """QĐ 766 (domain.md §5.3): judged against the due time with the supplement a pause; a
    second request is late; a dossier without supplement as the law counts it. A snapshot
    frozen before reads back with the indicator it showed then."""
    received = datetime(2026, 10, 1, 9, tzinfo=LOCAL_TZ)
    law_due = datetime(2026, 10, 8, 9, tzinfo=LOCAL_TZ)  # the restarted limit
    pause_due = datetime(2026, 10, 6, 9, tzinfo=LOCAL_TZ)  # the wait a pause
    done = datetime(2026, 10, 7, 9, tzinfo=LOCAL_TZ)
    finished = record("S1", received, Status.COMPLETED, law_due, completed_at=done,
                      supplement_requests=1, due_at_766=pause_due)  # fmt: skip
    open_ = record("S2", received, Status.IN_PROGRESS, datetime(2026, 10, 20, 9, tzinfo=LOCAL_TZ),
                   supplement_requests=1, due_at_766=pause_due)  # fmt: skip
    twice = record("S3", received, Status.COMPLETED, law_due, completed_at=done,
                   supplement_requests=2, due_at_766=law_due)  # fmt: skip
    plain = record("S4", received, Status.COMPLETED, law_due, completed_at=done)
    total = build_report([finished, open_, twice, plain], OCTOBER, calendars).total
    assert (total.resolved_early, total.pending_within_due) == (3, 1)  # by the law: all in time
    assert total.on_time_rate == 100.0
    assert total.qd766_within == 1  # S4 only: S1 done after 06/10, S2 open at 14/10 past it
    assert total.qd766_indicator_2_1 == 25.0
    data = report_json(build_report([finished, plain], OCTOBER, calendars))
    for counts in (data["total"], *data["rows"]):
        del counts["qd766_within"]
    assert report_from_json(data).total.qd766_indicator_2_1 == 100.0
