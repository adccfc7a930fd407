"""Explaining a due time: from a receipt and a limit, or for a stored dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tthc_tracker.domain.calendar import WorkCalendar, forecast_note
from tthc_tracker.domain.deadline import (
    DayLine,
    Deadline,
    compute_deadline,
    explain_calendar_days,
    explain_days,
)
from tthc_tracker.domain.limits import LimitUnit, TimeLimit, parse_limit
from tthc_tracker.domain.times import local, parse_clock
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.services.ledger import DossierView, show_dossier
from tthc_tracker.storage.db import Database


@dataclass(frozen=True, slots=True)
class Explanation:
    limit: TimeLimit
    deadline: Deadline
    days: list[DayLine]
    hours_text: str
    notes: tuple[str, ...] = ()  # a due time counted across years not announced yet


def explain(calendar: WorkCalendar, deadline: Deadline, limit: TimeLimit) -> Explanation:
    """Day by day from the receipt (or the supplement that restarted the count) to the legal
    due time: counted hours from the counting start, pauses left out, skipped days and why."""
    start = deadline.start
    if limit.unit in (LimitUnit.CALENDAR_DAYS, LimitUnit.MONTHS):
        days = explain_calendar_days(
            calendar, start, limit, deadline.legal_due_at, deadline.excluded
        )
    else:
        days = explain_days(
            calendar,
            start.counting_from,
            deadline.legal_due_at,
            deadline.excluded,
            local(start.received_at).date(),
        )
    years = calendar.forecast_years(start.received_at, deadline.due_at)
    notes = (forecast_note(years),) if years else ()
    return Explanation(limit, deadline, days, calendar.hours.text(), notes)


def explain_limit(
    db: Database | None,
    calendars: Calendars,
    received_at: datetime,
    limit_text: str,
    agency: str | None = None,
    cutoff: str | None = None,
) -> Explanation:
    """`tthc deadline`: the due time of a receipt and a limit, with office hours of ``agency``."""
    limit = parse_limit(limit_text)
    clock = parse_clock(cutoff, "--cutoff") if cutoff is not None else None
    calendar = calendars.base
    if agency is not None and db is not None:
        with db.transaction() as repo:
            calendar = calendars.for_agency(repo.get_agency(agency))
    deadline = compute_deadline(calendar, limit, received_at.replace(microsecond=0), [], clock)
    return explain(calendar, deadline, limit)


def explain_dossier(
    db: Database, calendars: Calendars, dossier_code: str, as_of: datetime
) -> tuple[DossierView, Explanation]:
    """`tthc dossier show --explain`: the stored dossier and how its due time was counted."""
    view = show_dossier(db, calendars, dossier_code, as_of)
    with db.transaction() as repo:
        calendar = calendars.for_agency(repo.get_agency(view.dossier.processing_agency))
    return view, explain(calendar, view.deadline, view.procedure.limit)
