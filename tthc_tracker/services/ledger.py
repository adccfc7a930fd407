"""The dossier ledger: receiving, lifecycle actions, extensions, views and recomputation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tthc_tracker.domain.calendar import WorkCalendar, forecast_note
from tthc_tracker.domain.catalog import (
    Procedure,
    code,
    email_address,
    one_line,
    phone_text,
    required,
)
from tthc_tracker.domain.deadline import Deadline, check_extension, compute_deadline
from tthc_tracker.domain.dossier import (
    BOOKKEEPING,
    OPEN_STATUSES,
    ApplicantKind,
    Channel,
    Dossier,
    Event,
    EventKind,
    RecordedEvent,
    Status,
)
from tthc_tracker.domain.errors import (
    ChronologyError,
    CorrectionError,
    EmptyFieldError,
    FutureTimeError,
    NothingToCorrectError,
    TransitionError,
)
from tthc_tracker.domain.letters import LetterStatus
from tthc_tracker.domain.supplement import SupplementRules, supplement_requests
from tthc_tracker.domain.supplement import notes as supplement_notes
from tthc_tracker.domain.timeliness import (
    Timeliness,
    classify_finished,
    classify_open,
    remaining_text,
)
from tthc_tracker.domain.times import iso, nfc, show
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class DossierView:
    """A dossier with its deadline as of a moment: what `dossier show` prints."""

    dossier: Dossier
    procedure: Procedure
    deadline: Deadline
    events: tuple[RecordedEvent, ...]
    as_of: datetime
    # None while the clock is stopped (paused, supplement) before the due time
    timeliness: Timeliness | None
    working_seconds_left: int
    remaining: str
    notes: tuple[str, ...] = ()  # what the law's side limits say (late supplement request …)


@dataclass(frozen=True, slots=True)
class NewDossier:
    code: str
    procedure: str
    agency: str
    applicant: str
    received_at: datetime
    channel: str
    applicant_kind: str = ApplicantKind.PERSON.value
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    summary: str = ""
    receiving_agency: str | None = None
    returning_agency: str | None = None


EventMaker = Callable[
    [Dossier, datetime, list[Event], WorkCalendar, Procedure], tuple[Dossier, Event]
]
"""Turns a stored dossier into its next state and the event that records the change."""


def _calendar(repo: Repository, calendars: Calendars, agency_code: str) -> WorkCalendar:
    return calendars.for_agency(repo.get_agency(agency_code))


def _deadline(
    calendar: WorkCalendar, procedure: Procedure, dossier: Dossier, events: list[Event]
) -> Deadline:
    return compute_deadline(
        calendar, procedure.limit, dossier.received_at, events, procedure.cutoff
    )


_TYPED = {
    "applicant_name": ("--applicant", 200),
    "id_number": ("--id-number", 40),
    "address": ("--address", 500),
    "phone": ("--phone", 40),
    "summary": ("--summary", 2000),
}
"""The typed fields of a dossier with their options and longest lengths (`dossier add`,
`dossier correct`)."""


def _typed(name: str, value: str) -> str:
    """A typed field as `dossier add` and `dossier correct` accept it."""
    option, longest = _TYPED[name]
    if name == "phone":
        return phone_text(value, option)
    return one_line(value, option, longest)


def add_dossier(
    db: Database, calendars: Calendars, new: NewDossier, actor: str, now: datetime
) -> DossierView:
    """Receive a dossier: validate, compute its due time, write it and its first event."""

    typed = replace(
        new,
        applicant=_typed("applicant_name", new.applicant),
        id_number=_typed("id_number", new.id_number),
        address=_typed("address", new.address),
        phone=_typed("phone", new.phone),
        email=email_address(new.email, "--email"),
        summary=_typed("summary", new.summary),
    )

    def work(repo: Repository) -> DossierView:
        dossier, events = receive_in(repo, calendars, typed, actor, now)
        calendar = _calendar(repo, calendars, dossier.processing_agency)
        return _view(repo, calendars.supplement, calendar, dossier, now, events)

    return db.run(work)


def receive_in(
    repo: Repository, calendars: Calendars, new: NewDossier, actor: str, now: datetime
) -> tuple[Dossier, list[RecordedEvent]]:
    """Receive a dossier inside a caller's transaction (a file import writes many in one);
    returns it and its history as written."""
    dossier_code = code(new.code, "mã hồ sơ")
    applicant = required(new.applicant, "--applicant")
    if new.received_at > now:
        raise FutureTimeError("--received", show(new.received_at), show(now))
    received_at = new.received_at.replace(microsecond=0)
    procedure = repo.get_procedure(code(new.procedure, "--procedure"))
    processing = code(new.agency, "--agency")
    calendar = _calendar(repo, calendars, processing)
    draft = Dossier(
        code=dossier_code,
        procedure_code=procedure.code,
        receiving_agency=code(new.receiving_agency or processing, "--receiving-agency"),
        processing_agency=processing,
        returning_agency=code(new.returning_agency or processing, "--returning-agency"),
        applicant_name=applicant,
        applicant_kind=ApplicantKind.parse(new.applicant_kind),
        id_number=nfc(new.id_number),
        address=nfc(new.address),
        phone=nfc(new.phone),
        email=nfc(new.email),
        summary=nfc(new.summary),
        channel=Channel.parse(new.channel),
        received_at=received_at,
        original_due_at=received_at,
        due_at=received_at,
    )
    deadline = _deadline(calendar, procedure, draft, [])
    dossier = replace(draft, original_due_at=deadline.legal_due_at, due_at=deadline.due_at)
    event = Event(EventKind.RECEIVED, received_at, "", "due_at", None, iso(deadline.due_at))
    return dossier, repo.add_dossier(dossier, [event], actor, now)


def _view(
    repo: Repository,
    rules: SupplementRules,
    calendar: WorkCalendar,
    dossier: Dossier,
    as_of: datetime,
    history: list[RecordedEvent] | None = None,
) -> DossierView:
    """``dossier`` as just read or written in this transaction (not read a second time);
    ``history``: its events when the caller has just written all of them."""
    procedure = repo.get_procedure(dossier.procedure_code)
    events = tuple(repo.events(dossier.code) if history is None else history)
    deadline = _deadline(calendar, procedure, dossier, [e.event for e in events])
    due = dossier.due_at
    left = calendar.working_between(as_of, due)
    timeliness: Timeliness | None
    finished = dossier.completed_at or dossier.returned_at
    if finished is not None:
        # judged against the legal due time: an extension never makes a late dossier on time
        # (domain.md §2); meeting the new time is said beside it
        legal = dossier.original_due_at
        timeliness = classify_finished(finished, legal)
        left = calendar.working_between(finished, legal)
        remaining = timeliness.label
        if timeliness is Timeliness.LATE and dossier.extended and finished <= due:
            remaining += " (trả đúng hẹn lại)"
    elif dossier.status is Status.IN_PROGRESS:
        timeliness = classify_open(as_of, due)
        remaining = remaining_text(left, overdue=timeliness is Timeliness.OVERDUE)
    else:
        timeliness = None
        remaining = dossier.status.label
        stopped = _clock_stopped_at(dossier, events)
        if stopped is not None and stopped >= dossier.original_due_at:
            # stopped once the limit was used up: still late, say so (the statistics count it)
            timeliness = Timeliness.OVERDUE
            remaining += f" (đã quá hạn từ {show(dossier.original_due_at)})"
    requests = supplement_requests(
        calendar, rules, dossier.received_at, procedure.cutoff, [e.event for e in events]
    )
    notes = tuple(supplement_notes(requests, as_of)) if requests else ()
    forecast = calendar.forecast_years(dossier.received_at, dossier.due_at)
    if forecast and dossier.status.is_open:
        notes += (forecast_note(forecast),)
    return DossierView(
        dossier, procedure, deadline, events, as_of, timeliness, left, remaining, notes
    )


def _clock_stopped_at(dossier: Dossier, events: tuple[RecordedEvent, ...]) -> datetime | None:
    """For a dossier now paused or awaiting a supplement, when its clock stopped."""
    kind = {
        Status.PAUSED: EventKind.PAUSED,
        Status.AWAITING_SUPPLEMENT: EventKind.SUPPLEMENT_REQUESTED,
    }.get(dossier.status)
    stops = [e.event.at for e in events if e.event.kind is kind]
    return stops[-1] if stops else None


def show_dossier(
    db: Database, calendars: Calendars, dossier_code: str, as_of: datetime
) -> DossierView:
    """The dossier as stored, its time left measured at ``as_of`` (not before its receipt)."""
    with db.transaction() as repo:
        dossier = repo.get_dossier(dossier_code)
        if as_of < dossier.received_at:
            raise ChronologyError(
                "--as-of", show(as_of), "thời điểm tiếp nhận", show(dossier.received_at)
            )
        return view_in(repo, calendars, dossier, as_of)


def view_in(
    repo: Repository, calendars: Calendars, dossier: Dossier, as_of: datetime
) -> DossierView:
    """The view of ``dossier`` as read in the caller's transaction."""
    calendar = _calendar(repo, calendars, dossier.processing_agency)
    return _view(repo, calendars.supplement, calendar, dossier, as_of)


def list_dossiers(
    db: Database,
    calendars: Calendars,
    as_of: datetime,
    status: Status | None = None,
    agency: str | None = None,
    overdue: bool = False,
) -> list[DossierView]:
    """Dossiers by status and processing agency; ``overdue``: open past the due time (a
    paused one or one awaiting a supplement if its clock stopped once that time had passed).
    ``as_of`` is the instant the time left is measured at: dossiers received after it are
    left out; the statuses are the ledger's current ones (no history is replayed)."""
    with db.transaction() as repo:
        statuses = [status] if status else None
        if overdue:  # running past the due time, or stopped once it had passed
            statuses = [s for s in sorted(OPEN_STATUSES) if status in (None, s)]
        found = repo.list_dossiers(statuses, agency, as_of if overdue else None)
        views = [
            _view(
                repo,
                calendars.supplement,
                _calendar(repo, calendars, d.processing_agency),
                d,
                as_of,
            )
            for d in found
            if d.received_at <= as_of
        ]
        if overdue:
            views = [v for v in views if v.timeliness is Timeliness.OVERDUE]
        return views


def search_dossiers(
    db: Database, calendars: Calendars, text: str, as_of: datetime, limit: int = 20
) -> list[DossierView]:
    """Dossiers by applicant name, code or phone, case and marks ignored; best first. A text
    with nothing to search for (blank, only punctuation) is refused, not answered empty."""
    if not any(ch.isalnum() for ch in text):
        raise EmptyFieldError("TEXT")
    with db.transaction() as repo:
        return [
            _view(
                repo,
                calendars.supplement,
                _calendar(repo, calendars, d.processing_agency),
                d,
                as_of,
            )
            for d in repo.search_dossiers(text, limit)
        ]


def _due_events(before: Dossier, deadline: Deadline, at: datetime) -> list[Event]:
    events = []
    for name, old, new in (
        ("original_due_at", before.original_due_at, deadline.legal_due_at),
        ("due_at", before.due_at, deadline.due_at),
    ):
        if old != new:
            events.append(Event(EventKind.DUE_RECOMPUTED, at, "", name, iso(old), iso(new)))
    return events


def _apply(
    repo: Repository,
    calendars: Calendars,
    dossier_code: str,
    make_event: EventMaker,
    actor: str,
    now: datetime,
) -> DossierView:
    dossier = repo.get_dossier(dossier_code, lock=True)  # held until the commit
    history = repo.events(dossier_code)
    calendar = _calendar(repo, calendars, dossier.processing_agency)
    procedure = repo.get_procedure(dossier.procedure_code)
    # A sweep's flag is an observation, not a step of the dossier: recording late what
    # happened before the nightly sweep (a completion entered next morning) stays allowed.
    last_at = max(e.event.at for e in history if e.event.kind not in BOOKKEEPING)
    after, event = make_event(dossier, last_at, [e.event for e in history], calendar, procedure)
    deadline = _deadline(calendar, procedure, after, [*(e.event for e in history), event])
    after = replace(after, original_due_at=deadline.legal_due_at, due_at=deadline.due_at)
    # An event that records a due time itself (the extension) needs no second record of it.
    recomputed = [e for e in _due_events(dossier, deadline, event.at) if e.field != event.field]
    saved = repo.save_dossier(dossier, after, [event, *recomputed], actor, now)
    return _view(repo, calendars.supplement, calendar, saved, now)


def _transition_maker(kind: EventKind, at: datetime, reason: str) -> EventMaker:
    def make(
        dossier: Dossier,
        last_at: datetime,
        _history: list[Event],
        _calendar: WorkCalendar,
        _procedure: Procedure,
    ) -> tuple[Dossier, Event]:
        state, event = dossier.lifecycle(last_at).apply(kind, at, reason)
        after = replace(dossier, status=state.status, supplement_requests=state.supplement_requests)
        if kind is EventKind.COMPLETED:
            after = replace(after, completed_at=at)
        if kind is EventKind.RETURNED:
            after = replace(after, returned_at=at)
        return after, event

    return make


def transition(
    db: Database,
    calendars: Calendars,
    dossier_code: str,
    kind: EventKind,
    at: datetime,
    reason: str,
    actor: str,
    now: datetime,
) -> DossierView:
    """A lifecycle action (complete, return, supplement request/receipt, pause, …)."""
    return db.run(
        lambda repo: transition_in(repo, calendars, dossier_code, kind, at, reason, actor, now)
    )


def transition_in(
    repo: Repository,
    calendars: Calendars,
    dossier_code: str,
    kind: EventKind,
    at: datetime,
    reason: str,
    actor: str,
    now: datetime,
) -> DossierView:
    """A lifecycle action inside a caller's transaction."""
    if at > now:
        raise FutureTimeError("--at", show(at), show(now))
    maker = _transition_maker(kind, at.replace(microsecond=0), reason)
    return _apply(repo, calendars, dossier_code, maker, actor, now)


def _extension_maker(new_due: datetime, at: datetime, reason: str) -> EventMaker:
    def make(
        dossier: Dossier,
        last_at: datetime,
        history: list[Event],
        calendar: WorkCalendar,
        procedure: Procedure,
    ) -> tuple[Dossier, Event]:
        if dossier.status not in OPEN_STATUSES:
            raise TransitionError(dossier.code, dossier.status.label, EventKind.EXTENDED.label)
        clean_reason = nfc(reason)
        if not clean_reason:
            raise EmptyFieldError("--reason")
        if at < last_at:
            raise ChronologyError("--at", show(at), "sự kiện gần nhất", show(last_at))
        current = _deadline(calendar, procedure, dossier, history)
        check_extension(calendar, dossier.code, current, new_due)
        event = Event(
            EventKind.EXTENDED, at, clean_reason, "due_at", iso(current.due_at), iso(new_due)
        )
        return replace(dossier, extended=True), event

    return make


def extend(
    db: Database,
    calendars: Calendars,
    dossier_code: str,
    new_due: datetime,
    reason: str,
    at: datetime,
    actor: str,
    now: datetime,
) -> DossierView:
    """Record the one allowed extension (hẹn lại ngày trả kết quả, ND 118 Art. 19.6)."""
    return db.run(
        lambda repo: extend_in(repo, calendars, dossier_code, new_due, reason, at, actor, now)
    )


def extend_in(
    repo: Repository,
    calendars: Calendars,
    dossier_code: str,
    new_due: datetime,
    reason: str,
    at: datetime,
    actor: str,
    now: datetime,
) -> DossierView:
    """The extension inside a caller's transaction (the apology letter issues it with its
    number, so both commit or neither does)."""
    if at > now:
        raise FutureTimeError("--at", show(at), show(now))
    maker = _extension_maker(new_due.replace(microsecond=0), at.replace(microsecond=0), reason)
    return _apply(repo, calendars, dossier_code, maker, actor, now)


@dataclass(frozen=True, slots=True)
class Recomputed:
    """One open dossier whose stored due times differed from the engine's replay."""

    code: str
    agency: str
    before: tuple[datetime, datetime]  # (legal, current) due time as stored
    after: tuple[datetime, datetime]  # as the calendar and the counting rules give them now


RECOMPUTE_REASON = "tính lại theo lịch làm việc hiện hành"


def recompute_open(
    db: Database,
    calendars: Calendars,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    reason: str = RECOMPUTE_REASON,
) -> list[Recomputed]:
    """Replay every open dossier against the current calendar, procedure limits and counting
    rules; returns those that changed. ``dry_run``: nothing is written."""
    return db.run(lambda repo: recompute_in(repo, calendars, actor, now, dry_run, reason))


def recompute_in(
    repo: Repository,
    calendars: Calendars,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    reason: str = RECOMPUTE_REASON,
    procedures: frozenset[str] | None = None,
) -> list[Recomputed]:
    """Recompute inside a caller's transaction; each change gets a ``due_recomputed`` event.
    ``procedures``: only the dossiers of these procedure codes (a catalogue update)."""
    changed = []
    for dossier in repo.list_dossiers(OPEN_STATUSES):
        if procedures is not None and dossier.procedure_code not in procedures:
            continue
        calendar = _calendar(repo, calendars, dossier.processing_agency)
        procedure = repo.get_procedure(dossier.procedure_code)
        history = [e.event for e in repo.events(dossier.code)]
        deadline = _deadline(calendar, procedure, dossier, history)
        events = _due_events(dossier, deadline, now)
        if events:
            after = replace(dossier, original_due_at=deadline.legal_due_at, due_at=deadline.due_at)
            if not dry_run:
                repo.save_dossier(
                    dossier, after, [replace(e, reason=reason) for e in events], actor, now
                )
            changed.append(
                Recomputed(
                    dossier.code,
                    dossier.processing_agency,
                    (dossier.original_due_at, dossier.due_at),
                    (after.original_due_at, after.due_at),
                )
            )
    return changed


@dataclass(frozen=True, slots=True)
class Correction:
    """What a clerk corrects on a dossier entered wrongly; None: unchanged."""

    received_at: datetime | None = None
    procedure: str | None = None
    applicant_name: str | None = None
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    summary: str | None = None


def correct(
    db: Database,
    calendars: Calendars,
    dossier_code: str,
    correction: Correction,
    reason: str,
    actor: str,
    now: datetime,
) -> DossierView:
    """Correct what was entered wrongly (`tthc dossier correct`)."""
    return db.run(
        lambda repo: correct_in(repo, calendars, dossier_code, correction, reason, actor, now)
    )


def correct_in(
    repo: Repository,
    calendars: Calendars,
    dossier_code: str,
    correction: Correction,
    reason: str,
    actor: str,
    now: datetime,
) -> DossierView:
    """One ``updated`` event per changed field (old and new value, the reason), then the due
    times replayed from the corrected receipt and procedure (``due_recomputed`` events). A
    receipt may not move after the dossier's first step, nor into the future."""
    clean_reason = required(one_line(reason, "--reason", 500), "--reason")
    dossier = repo.get_dossier(dossier_code, lock=True)  # held until the commit
    history = [e.event for e in repo.events(dossier_code)]
    changes: list[tuple[str, str | None, str | None]] = []
    texts: dict[str, Any] = {}
    for name, value in _typed_values(correction):
        if value != getattr(dossier, name):
            changes.append((name, getattr(dossier, name), value))
            texts[name] = value
    after = replace(dossier, **texts)
    if correction.procedure is not None:
        chosen = code(correction.procedure, "--procedure")
        repo.get_procedure(chosen)  # it must exist
        if chosen != dossier.procedure_code:
            _promise_still_open(repo, dossier, "--procedure")
            changes.append(("procedure", dossier.procedure_code, chosen))
            after = replace(after, procedure_code=chosen)
    if correction.received_at is not None:
        received = _corrected_receipt(dossier.code, correction.received_at, history, now)
        if received != dossier.received_at:
            _promise_still_open(repo, dossier, "--received")
            changes.append(("received_at", iso(dossier.received_at), iso(received)))
            after = replace(after, received_at=received)
    if not changes:
        raise NothingToCorrectError(dossier_code)
    last_at = max(e.at for e in history if e.kind not in BOOKKEEPING)
    at = max(last_at, after.received_at)  # never before the (corrected) receipt
    events = [Event(EventKind.UPDATED, at, clean_reason, n, old, new) for n, old, new in changes]
    calendar = _calendar(repo, calendars, dossier.processing_agency)
    deadline = _deadline(calendar, repo.get_procedure(after.procedure_code), after, history)
    after = replace(after, original_due_at=deadline.legal_due_at, due_at=deadline.due_at)
    why = f"tính lại theo thông tin đã sửa: {clean_reason}"
    recomputed = [replace(e, reason=why) for e in _due_events(dossier, deadline, at)]
    saved = repo.save_dossier(dossier, after, [*events, *recomputed], actor, now)
    return _view(repo, calendars.supplement, calendar, saved, now)


def _typed_values(correction: Correction) -> list[tuple[str, str]]:
    """The typed fields given, checked as `dossier add` checks them."""
    values = []
    for name, (option, _longest) in _TYPED.items():
        value = getattr(correction, name)
        if value is not None:
            clean = _typed(name, value)
            values.append((name, required(clean, option) if name == "applicant_name" else clean))
    if correction.email is not None:
        values.append(("email", email_address(correction.email, "--email")))
    return values


def _promise_still_open(repo: Repository, dossier: Dossier, option: str) -> None:
    """The receipt and the procedure fix the legal due time; once an extension or an issued
    apology letter has told the citizen a new return time computed from them, correcting them
    would leave that promise resting on times the ledger no longer holds."""
    letter = repo.workflow.letter_for(dossier.code)
    if letter is not None and letter.status is LetterStatus.ISSUED:
        raise CorrectionError(
            dossier.code,
            option,
            f"đã phát hành phiếu xin lỗi số {letter.number_text} tính từ thông tin cũ",
        )
    if dossier.extended:
        raise CorrectionError(
            dossier.code,
            option,
            "hồ sơ đã được gia hạn, thời hạn mới đã báo cho người nộp tính từ thông tin cũ",
        )


def _corrected_receipt(
    dossier_code: str, value: datetime, history: list[Event], now: datetime
) -> datetime:
    received = value.replace(microsecond=0)
    if received > now:
        raise FutureTimeError("--received", show(received), show(now))
    steps = [
        e for e in history if e.kind not in BOOKKEEPING | {EventKind.RECEIVED, EventKind.UPDATED}
    ]
    if steps:
        first = min(steps, key=lambda e: e.at)
        if received > first.at:
            raise CorrectionError(
                dossier_code,
                "--received",
                f"thời điểm {show(received)} muộn hơn bước “{first.kind.label}” "
                f"({show(first.at)}) đã ghi",
            )
    return received
