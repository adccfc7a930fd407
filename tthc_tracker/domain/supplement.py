"""The two time limits around a supplement request (ND 118 Art. 19.5; domain.md §5.3).

- The agency asks for a supplement within **03 working days of receipt**, counted as the
  dossier's own limit is (office hours, lunch break, days off, the procedure's cut-off).
- The applicant then has **15 days** to bring the complete dossier; if not, the dossier is
  closed. "15 ngày" counts calendar days like any "N ngày" limit (Civil Code Art. 147–148):
  the period ends on the request's date + 15, moved to the next working day if that is a day
  off, at its closing hour.

Both come from ND 118, in force from 01/7/2025: a dossier received before then follows ND 61
(domain.md §1), whose own supplement rule is not in the rulebook, so no limit is applied to it.

Neither limit stops what the agency records: a late request is recorded like any other and
pointed out wherever the dossier is shown; an expired wait is flagged by the nightly sweep
for the clerk to close the dossier (the law does not say by which act, so the product does
not choose one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.deadline import Start, due_from, effective_start
from tthc_tracker.domain.dossier import Event, EventKind
from tthc_tracker.domain.limits import LimitUnit, TimeLimit
from tthc_tracker.domain.times import local, show

_CLOSING = frozenset(
    {EventKind.STOPPED, EventKind.WITHDRAWN, EventKind.REFUSED}
    | {EventKind.COMPLETED, EventKind.RETURNED}
)
ND_118_IN_FORCE = date(2025, 7, 1)
REQUEST_WINDOW = TimeLimit(Decimal(3), LimitUnit.WORKING_DAYS)
ANSWER_WINDOW = TimeLimit(Decimal(15), LimitUnit.CALENDAR_DAYS)


def applies(received_at: datetime) -> bool:
    """Whether the dossier falls under ND 118 (received on or after 01/7/2025, local time)."""
    return local(received_at).date() >= ND_118_IN_FORCE


def request_by(calendar: WorkCalendar, received_at: datetime, cutoff: time | None) -> datetime:
    """The end of the 03 working days after receipt in which a supplement may be asked."""
    return due_from(calendar, effective_start(calendar, received_at, cutoff), REQUEST_WINDOW)


def answer_by(calendar: WorkCalendar, requested_at: datetime) -> datetime:
    """The end of the 15 days the applicant has to complete the dossier."""
    start = Start(requested_at, requested_at, local(requested_at).date(), "")
    return due_from(calendar, start, ANSWER_WINDOW)


@dataclass(frozen=True, slots=True)
class SupplementRequest:
    """One supplement request of a dossier, with its two limits."""

    requested_at: datetime
    request_by: datetime  # the request was due by then
    answer_by: datetime  # the complete dossier is due by then
    answered_at: datetime | None  # when the complete dossier came back, if it did
    closed_at: datetime | None = None  # stopped, withdrawn, refused … while awaiting it

    @property
    def late(self) -> bool:
        """Asked after the 03 working days."""
        return self.requested_at > self.request_by

    def expired(self, as_of: datetime) -> bool:
        """Still unanswered after the 15 days."""
        return self.answered_at is None and self.closed_at is None and as_of > self.answer_by


def supplement_requests(
    calendar: WorkCalendar, received_at: datetime, cutoff: time | None, events: Iterable[Event]
) -> list[SupplementRequest]:
    """A dossier's supplement requests in time order, each with its limits and answer (none
    for a dossier received before ND 118)."""
    found: list[SupplementRequest] = []
    if not applies(received_at):
        return found
    window: datetime | None = None
    asked: datetime | None = None
    for event in sorted(events, key=lambda e: e.at):
        if event.kind is EventKind.SUPPLEMENT_REQUESTED:
            if window is None:  # most dossiers have no request: counted only when needed
                window = request_by(calendar, received_at, cutoff)
            asked = event.at
            found.append(SupplementRequest(asked, window, answer_by(calendar, asked), None))
        elif event.kind is EventKind.SUPPLEMENT_RECEIVED and asked is not None:
            last = found[-1]
            found[-1] = SupplementRequest(
                last.requested_at, last.request_by, last.answer_by, event.at
            )
            asked = None
        elif event.kind in _CLOSING and asked is not None:
            last = found[-1]
            found[-1] = SupplementRequest(
                last.requested_at, last.request_by, last.answer_by, None, event.at
            )
            asked = None
    return found


def past_text(end: datetime, as_of: datetime) -> str:
    """How long the 15 days are over, in calendar days as they are counted ("Quá 3 ngày")."""
    days = (local(as_of).date() - local(end).date()).days
    return f"Quá {days} ngày" if days > 0 else "Vừa quá hạn"


def notes(requests: Iterable[SupplementRequest], as_of: datetime) -> list[str]:
    """What a clerk should be told about the requests, in Vietnamese (empty when in order)."""
    said: list[str] = []
    for request in requests:
        if request.late:
            said.append(
                f"Yêu cầu bổ sung lúc {show(request.requested_at)}: sau thời hạn 03 ngày làm"
                f" việc kể từ khi tiếp nhận (hết lúc {show(request.request_by)};"
                " NĐ 118/2025, Điều 19.5)."
            )
        if request.answered_at is not None and request.answered_at > request.answer_by:
            said.append(
                f"Nhận đủ hồ sơ bổ sung lúc {show(request.answered_at)}: sau 15 ngày kể từ khi"
                f" yêu cầu bổ sung (hết lúc {show(request.answer_by)})."
            )
        if request.expired(as_of):
            said.append(
                f"Quá 15 ngày chưa nhận đủ hồ sơ bổ sung (hết lúc {show(request.answer_by)}):"
                " xem xét kết thúc hồ sơ."
            )
    return said
