"""domain.sweep.classify at its boundaries (the CLI tests reach it through a database query
that already narrows the candidates, so its own comparisons are pinned here)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tthc_tracker.domain.calendar import OfficeHours, WorkCalendar, merge_rules
from tthc_tracker.domain.dossier import Status
from tthc_tracker.domain.sweep import Candidate, FlagKind, classify
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.calendar_data import load_shipped, package_rules

DATA = Path(__file__).parents[2] / "data"
DUE = datetime(2026, 3, 9, 9, tzinfo=LOCAL_TZ)  # Mon; apology deadline Fri 06/03
MINUTE = timedelta(minutes=1)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules = merge_rules(package_rules(2025, 2027), load_shipped(DATA / "calendar.toml").rules)
    return WorkCalendar(rules, 2025, 2027, OfficeHours.parse("07:00-11:30,13:30-17:00"))


def finished(at: datetime, status: Status = Status.COMPLETED) -> Candidate:
    completed = at if status is Status.COMPLETED else None
    returned = at if status is Status.RETURNED else None
    return Candidate("HS-1", status, DUE, DUE, False, completed, returned)


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.RETURNED])
def test_finished_exactly_at_the_due_time_is_not_late(cal: WorkCalendar, status: Status) -> None:
    later = DUE + timedelta(days=3)
    assert classify(finished(DUE, status), cal, later, 1, False) is None
    flag = classify(finished(DUE + MINUTE, status), cal, later, 1, False)
    assert flag is not None and flag.kind is FlagKind.LATE_WITHOUT_APOLOGY
    assert classify(finished(DUE + MINUTE, status), cal, later, 1, True) is None  # a letter


def test_open_dossier_boundaries(cal: WorkCalendar) -> None:
    open_ = Candidate("HS-1", Status.IN_PROGRESS, DUE, DUE, False, None, None)
    thursday = datetime(2026, 3, 5, 23, 59, tzinfo=LOCAL_TZ)
    assert classify(open_, cal, thursday, 1, False) is None
    at_risk = classify(open_, cal, thursday + MINUTE, 1, False)  # Fri 06/03 00:00
    assert at_risk is not None and at_risk.kind is FlagKind.AT_RISK
    at_due = classify(open_, cal, DUE, 1, False)
    assert at_due is not None and at_due.kind is FlagKind.AT_RISK  # not overdue at the instant
    overdue = classify(open_, cal, DUE + MINUTE, 1, False)
    assert overdue is not None and overdue.kind is FlagKind.OVERDUE
