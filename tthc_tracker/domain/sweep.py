"""What the nightly sweep flags (domain.md §2): at risk before the deadline, overdue after it,
finished late without an apology letter, and still awaiting a supplement after the 15 days
the applicant has (domain/supplement.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.dossier import Dossier, Status
from tthc_tracker.domain.letters import apology_deadline
from tthc_tracker.domain.supplement import SupplementRules, answer_by
from tthc_tracker.domain.times import local


class FlagKind(StrEnum):
    AT_RISK = "at_risk"  # sắp quá hạn: the apology is due today or earlier
    OVERDUE = "overdue"  # quá hạn: open, clock running, due time passed
    LATE_WITHOUT_APOLOGY = "late_without_apology"  # finished late, no letter
    SUPPLEMENT_EXPIRED = "supplement_expired"  # quá hạn bổ sung: 15 days, no supplement

    @property
    def label(self) -> str:
        return {
            FlagKind.AT_RISK: "Sắp quá hạn",
            FlagKind.OVERDUE: "Quá hạn",
            FlagKind.LATE_WITHOUT_APOLOGY: "Trễ hạn chưa xin lỗi",
            FlagKind.SUPPLEMENT_EXPIRED: "Quá hạn bổ sung",
        }[self]


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    kind: FlagKind
    due_at: datetime  # the due-time version the flag is about (for a supplement: its end)


@dataclass(frozen=True, slots=True)
class Candidate:
    """The part of a dossier the sweep looks at."""

    code: str
    status: Status
    due_at: datetime
    original_due_at: datetime
    extended: bool
    completed_at: datetime | None
    returned_at: datetime | None
    stopped_at: datetime | None = None  # paused or awaiting a supplement: when it stopped

    @classmethod
    def of(cls, dossier: Dossier) -> Candidate:
        return cls(
            dossier.code,
            dossier.status,
            dossier.due_at,
            dossier.original_due_at,
            dossier.extended,
            dossier.completed_at,
            dossier.returned_at,
        )


def classify(
    dossier: Candidate | Dossier,
    calendar: WorkCalendar,
    as_of: datetime,
    lead_days: int,
    apologised: bool,
) -> Flag | None:
    """The flag a dossier deserves at ``as_of``, if any.

    - at risk: in progress, not extended, due time ahead, and the local date of ``as_of`` on
      or after the apology deadline date (``lead_days`` working days before the due date);
    - overdue: in progress and the due time before ``as_of``; or paused or awaiting a
      supplement since an instant at or after the due time (the limit was used up before
      the clock stopped, so the stop moves nothing: domain.md §5.3);
    - late without apology: completed (else returned) after its legal due time, no extension
      and no letter issued.
    An extension without a letter is judged by :func:`classify_unlettered`. A clock stopped
    before the due time, and stopped, withdrawn and refused dossiers, are never flagged.
    """
    if dossier.status in (Status.PAUSED, Status.AWAITING_SUPPLEMENT):
        return _stopped_past_due(dossier, as_of)
    if dossier.status is Status.IN_PROGRESS:
        return _running(dossier, calendar, as_of, lead_days, apologised)
    if dossier.status in (Status.COMPLETED, Status.RETURNED):
        finished = dossier.completed_at or dossier.returned_at
        late = finished is not None and finished > dossier.original_due_at
        if late and not dossier.extended and not apologised:
            return Flag(dossier.code, FlagKind.LATE_WITHOUT_APOLOGY, dossier.original_due_at)
    return None


def _running(
    dossier: Candidate | Dossier,
    calendar: WorkCalendar,
    as_of: datetime,
    lead_days: int,
    apologised: bool,
) -> Flag | None:
    if dossier.due_at < as_of:
        return Flag(dossier.code, FlagKind.OVERDUE, dossier.due_at)
    if dossier.extended or apologised:
        return None
    if local(as_of).date() >= apology_deadline(calendar, dossier.due_at, lead_days):
        return Flag(dossier.code, FlagKind.AT_RISK, dossier.due_at)
    return None


def _stopped_past_due(dossier: Candidate | Dossier, as_of: datetime) -> Flag | None:
    stopped = dossier.stopped_at if isinstance(dossier, Candidate) else None
    if stopped is not None and dossier.due_at <= stopped and dossier.due_at < as_of:
        return Flag(dossier.code, FlagKind.OVERDUE, dossier.due_at)
    return None


def classify_unlettered(
    dossier: Candidate, calendar: WorkCalendar, as_of: datetime, lead_days: int
) -> Flag | None:
    """A dossier rescheduled without an issued apology letter (``tthc dossier extend``). The
    letter is what the law reschedules by (domain.md §2), so the sweep goes on asking for
    it, against the legal due time: at risk from the apology deadline, late without apology
    once that due time has passed (open or finished after it)."""
    due = dossier.original_due_at
    if dossier.status is Status.IN_PROGRESS:
        if due < as_of:
            return Flag(dossier.code, FlagKind.LATE_WITHOUT_APOLOGY, due)
        if local(as_of).date() >= apology_deadline(calendar, due, lead_days):
            return Flag(dossier.code, FlagKind.AT_RISK, due)
        return None
    finished = dossier.completed_at or dossier.returned_at
    if finished is not None and finished > due:
        return Flag(dossier.code, FlagKind.LATE_WITHOUT_APOLOGY, due)
    return None


def classify_awaiting(
    code: str,
    received_at: datetime,
    requested_at: datetime,
    calendar: WorkCalendar,
    rules: SupplementRules,
    as_of: datetime,
) -> Flag | None:
    """A dossier awaiting its supplement: flagged once the applicant's 15 days are over (for
    a dossier under a version of the rule: see domain/supplement.py)."""
    rule = rules.for_receipt(received_at)
    if rule is None:
        return None
    end = answer_by(calendar, rule, requested_at)
    return Flag(code, FlagKind.SUPPLEMENT_EXPIRED, end) if as_of > end else None
