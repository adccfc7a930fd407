"""The two time limits around a supplement request (ND 118 Art. 19.5; domain.md §5.3).

- The agency asks for a supplement within **03 working days of receipt**, counted as the
  dossier's own limit is (office hours, lunch break, days off, the procedure's cut-off).
- The applicant then has **15 days** to bring the complete dossier; if not, the dossier is
  closed. "15 ngày" counts calendar days like any "N ngày" limit (Civil Code Art. 147–148):
  the period ends on the request's date + 15, moved to the next working day if that is a day
  off, at its closing hour.

Both are data (``data/rules.toml``, a :class:`SupplementRule` per version), versioned by the
date they take effect: ND 118 from 01/7/2025. A dossier received before the first version
follows ND 61 (domain.md §1), whose own supplement rule is not in the rulebook, so no limit is
applied to it.

Neither limit stops what the agency records: a late request is recorded like any other and
pointed out wherever the dossier is shown; an expired wait is flagged by the nightly sweep
for the clerk to close the dossier (the law does not say by which act, so the product does
not choose one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.deadline import Start, due_from, effective_start
from tthc_tracker.domain.dossier import Event, EventKind
from tthc_tracker.domain.limits import TimeLimit
from tthc_tracker.domain.times import local, show

_CLOSING = frozenset(
    {EventKind.STOPPED, EventKind.WITHDRAWN, EventKind.REFUSED}
    | {EventKind.COMPLETED, EventKind.RETURNED}
)


@dataclass(frozen=True, slots=True)
class SupplementRule:
    """The supplement limits of one version of the law."""

    effective_from: date  # receipts on or after this local date follow it
    request_within: TimeLimit  # the agency asks within this, from the receipt
    answer_within: TimeLimit  # the applicant answers within this, from the request
    source: str
    request_text: str  # the limits as the law writes them ("03 ngày làm việc")
    answer_text: str


@dataclass(frozen=True, slots=True)
class SupplementRules:
    """Every version, oldest first."""

    versions: tuple[SupplementRule, ...]

    def for_receipt(self, received_at: datetime) -> SupplementRule | None:
        """The version in force on the receipt's local date; None before the first."""
        day = local(received_at).date()
        chosen = None
        for rule in sorted(self.versions, key=lambda r: r.effective_from):
            if rule.effective_from <= day:
                chosen = rule
        return chosen


def request_by(
    calendar: WorkCalendar, rule: SupplementRule, received_at: datetime, cutoff: time | None
) -> datetime:
    """The end of the working days after receipt in which a supplement may be asked."""
    start = effective_start(calendar, received_at, cutoff)
    return due_from(calendar, start, rule.request_within)


def answer_by(calendar: WorkCalendar, rule: SupplementRule, requested_at: datetime) -> datetime:
    """The end of the days the applicant has to complete the dossier."""
    start = Start(requested_at, requested_at, local(requested_at).date(), "")
    return due_from(calendar, start, rule.answer_within)


@dataclass(frozen=True, slots=True)
class SupplementRequest:
    """One supplement request of a dossier, with its two limits."""

    requested_at: datetime
    request_by: datetime  # the request was due by then
    answer_by: datetime  # the complete dossier is due by then
    answered_at: datetime | None  # when the complete dossier came back, if it did
    rule: SupplementRule
    closed_at: datetime | None = None  # stopped, withdrawn, refused … while awaiting it

    @property
    def late(self) -> bool:
        """Asked after the 03 working days."""
        return self.requested_at > self.request_by

    def expired(self, as_of: datetime) -> bool:
        """Still unanswered after the 15 days."""
        return self.answered_at is None and self.closed_at is None and as_of > self.answer_by


def supplement_requests(
    calendar: WorkCalendar,
    rules: SupplementRules,
    received_at: datetime,
    cutoff: time | None,
    events: Iterable[Event],
) -> list[SupplementRequest]:
    """A dossier's supplement requests in time order, each with its limits and answer (none
    for a dossier received before the first version of the rule)."""
    found: list[SupplementRequest] = []
    rule = rules.for_receipt(received_at)
    if rule is None:
        return found
    window: datetime | None = None
    asked: datetime | None = None
    for event in sorted(events, key=lambda e: e.at):
        if event.kind is EventKind.SUPPLEMENT_REQUESTED:
            if window is None:  # most dossiers have no request: counted only when needed
                window = request_by(calendar, rule, received_at, cutoff)
            asked = event.at
            found.append(
                SupplementRequest(asked, window, answer_by(calendar, rule, asked), None, rule)
            )
        elif event.kind is EventKind.SUPPLEMENT_RECEIVED and asked is not None:
            found[-1] = replace(found[-1], answered_at=event.at)
            asked = None
        elif event.kind in _CLOSING and asked is not None:
            found[-1] = replace(found[-1], closed_at=event.at)
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
        rule = request.rule
        if request.late:
            said.append(
                f"Yêu cầu bổ sung lúc {show(request.requested_at)}: sau thời hạn"
                f" {rule.request_text} kể từ khi tiếp nhận (hết lúc {show(request.request_by)};"
                f" {rule.source})."
            )
        if request.answered_at is not None and request.answered_at > request.answer_by:
            said.append(
                f"Nhận đủ hồ sơ bổ sung lúc {show(request.answered_at)}: sau {rule.answer_text}"
                f" kể từ khi yêu cầu bổ sung (hết lúc {show(request.answer_by)})."
            )
        if request.expired(as_of):
            said.append(
                f"Quá {rule.answer_text} chưa nhận đủ hồ sơ bổ sung (hết lúc"
                f" {show(request.answer_by)}): xem xét kết thúc hồ sơ."
            )
    return said
