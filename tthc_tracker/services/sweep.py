"""The nightly sweep: flag dossiers at risk, overdue, late without apology or past the 15
days for a supplement; make drafts (for the first two).

Safe to re-run and to run twice at once: flags and drafts are unique rows (dossier, kind,
due-time version), inserted once; all of a run's writes are one transaction, so a crash
loses nothing and the next run completes the work. Each run is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from tthc_tracker.domain.catalog import Agency
from tthc_tracker.domain.dossier import Event, EventKind, Status
from tthc_tracker.domain.errors import FutureTimeError
from tthc_tracker.domain.letters import apology_deadline
from tthc_tracker.domain.sweep import (
    Candidate,
    Flag,
    FlagKind,
    classify,
    classify_awaiting,
    classify_unlettered,
)
from tthc_tracker.domain.times import LOCAL_TZ, iso, local, show
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository
from tthc_tracker.storage.workflow import SweepRow, SweepRun

LATE_WINDOW = timedelta(days=92)
"""Late-without-apology looks back this far (a quarter and a report period's overlap): the
sweep is for action; older late dossiers are the statistics' business."""


@dataclass
class SweepResult:
    as_of: datetime
    at_risk: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    late_without_apology: list[str] = field(default_factory=list)
    supplement_expired: list[str] = field(default_factory=list)
    newly_flagged: int = 0
    drafts_created: int = 0
    run_id: int | None = None
    flags: list[Flag] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "at_risk": len(self.at_risk),
            "overdue": len(self.overdue),
            "late_without_apology": len(self.late_without_apology),
            "supplement_expired": len(self.supplement_expired),
            "newly_flagged": self.newly_flagged,
            "drafts_created": self.drafts_created,
        }


def _at_risk_horizon(calendars: Calendars, agencies: list[Agency], as_of: datetime) -> datetime:
    """Open dossiers due after this instant cannot be at risk yet: the end of the latest
    "lead-th working day after today" over all agencies."""
    today = local(as_of).date()
    last = today
    for agency in agencies:
        calendar = calendars.for_agency(agency)
        day = today
        for _ in range(agency.apology_lead_days):
            day = calendar.next_working_day(day + timedelta(days=1))
        last = max(last, day)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def find_flags(repo: Repository, calendars: Calendars, as_of: datetime) -> list[Flag]:
    """Every flag the dossiers deserve at ``as_of`` (reads only)."""
    return _find(repo, calendars, as_of)[0]


def _find(
    repo: Repository, calendars: Calendars, as_of: datetime
) -> tuple[list[Flag], dict[str, SweepRow], datetime]:
    """The flags, the flagged rows by code, and the at-risk horizon used.

    SQL narrows the candidates (open dossiers due before the at-risk horizon; finished late
    without extension; paused or awaiting a supplement past their due time);
    :func:`tthc_tracker.domain.sweep.classify` decides each one.
    """
    issued = repo.workflow.issued_codes()
    # A run for a past instant (a catch-up) leaves out what did not exist yet then.
    later = repo.workflow.received_after(as_of)
    agencies = {a.code: a for a in repo.list_agencies()}
    by_id = {repo.workflow.agency_ids()[code]: agency for code, agency in agencies.items()}
    horizon = max(_at_risk_horizon(calendars, list(agencies.values()), as_of), as_of)
    rows = sorted(
        repo.workflow.sweep_rows(horizon, as_of - LATE_WINDOW), key=lambda r: r.candidate.code
    )
    calendars_by_id = {i: calendars.for_agency(a) for i, a in by_id.items()}
    flags = []
    flagged: dict[str, SweepRow] = {}
    for row in rows:
        if row.candidate.code in later:
            continue
        agency = by_id[row.agency_id]
        apologised = row.candidate.code in issued
        flag = classify(
            row.candidate,
            calendars_by_id[row.agency_id],
            as_of,
            agency.apology_lead_days,
            apologised,
        )
        if flag is not None:
            flags.append(flag)
            flagged[flag.code] = row
    for row in sorted(
        repo.workflow.extended_without_letter_rows(as_of - LATE_WINDOW),
        key=lambda r: r.candidate.code,
    ):
        if row.candidate.code in flagged or row.candidate.code in later:
            continue  # flagged as overdue against the new time; or not received yet
        agency = by_id[row.agency_id]
        flag = classify_unlettered(
            row.candidate, calendars_by_id[row.agency_id], as_of, agency.apology_lead_days
        )
        if flag is not None:
            flags.append(flag)
            flagged[flag.code] = row
    for row in sorted(repo.workflow.stopped_past_due_rows(as_of), key=lambda r: r.candidate.code):
        if row.candidate.code in later:
            continue
        agency = by_id[row.agency_id]
        flag = classify(
            row.candidate,
            calendars_by_id[row.agency_id],
            as_of,
            agency.apology_lead_days,
            row.candidate.code in issued,
        )
        if flag is not None:
            flags.append(flag)
            flagged[flag.code] = row
    for dossier_id, agency_id, code, received_at, requested_at in sorted(
        repo.workflow.awaiting_supplement_rows(), key=lambda r: r[2]
    ):
        calendar = calendars_by_id[agency_id]
        flag = classify_awaiting(
            code, received_at, requested_at, calendar, calendars.supplement, as_of
        )
        if flag is not None:
            flags.append(flag)
            waiting = Candidate(
                code, Status.AWAITING_SUPPLEMENT, flag.due_at, flag.due_at, False, None, None
            )
            # an overdue flag's row (the real due times, for its draft letter) is kept
            flagged.setdefault(code, SweepRow(dossier_id, agency_id, waiting))
    return flags, flagged, horizon


def _record(
    repo: Repository,
    calendars: Calendars,
    result: SweepResult,
    flagged: dict[str, SweepRow],
    horizon: datetime,
    actor: str,
    now: datetime,
) -> None:
    """Write each new flag with its event, and a draft letter where one is missing, in bulk."""
    # flags of candidates the open filter does not reach: finished, or extended (due later)
    finished = sorted(
        row.dossier_id
        for row in flagged.values()
        if row.candidate.status is not Status.IN_PROGRESS or row.candidate.extended
    )
    existing = repo.workflow.flags_of_candidates(horizon, finished)
    new = [
        f
        for f in result.flags
        if (flagged[f.code].dossier_id, f.kind.value, f.due_at) not in existing
    ]
    # The dossiers' rows first (ascending id), held until the commit: the events need them
    # for their numbers, and with them held the foreign-key checks of the flags, events
    # and drafts below find each row already locked by us (on PostgreSQL a third of the
    # time of the flags' INSERT on a province's first sweep).
    repo.workflow.lock_dossiers([flagged[f.code].dossier_id for f in new])
    inserted = repo.workflow.add_flags(
        [(flagged[f.code].dossier_id, f.kind.value, f.due_at) for f in new], result.run_id, now
    )
    # A sweep running at the same time may have written some of them first: its events too.
    new = [f for f in new if (flagged[f.code].dossier_id, f.kind.value, f.due_at) in inserted]
    repo.workflow.add_events(
        [
            (
                flagged[f.code].dossier_id,
                Event(EventKind.FLAGGED, result.as_of, f.kind.label, "flag", None, f.kind.value),
            )
            for f in new
        ],
        actor,
        now,
        locked=True,
    )
    result.newly_flagged = len(new)
    apology_kinds = (FlagKind.AT_RISK, FlagKind.OVERDUE)
    needing = [flagged[f.code] for f in result.flags if f.kind in apology_kinds]
    lettered = repo.workflow.dossiers_with_letters(sorted({r.dossier_id for r in needing}))
    agencies = {repo.workflow.agency_ids()[a.code]: a for a in repo.list_agencies()}
    drafts = []
    for row in needing:
        if row.dossier_id in lettered:
            continue
        agency = agencies[row.agency_id]
        deadline = apology_deadline(
            calendars.for_agency(agency), row.candidate.original_due_at, agency.apology_lead_days
        )
        drafts.append((row.dossier_id, row.agency_id, row.candidate.original_due_at, deadline))
        lettered.add(row.dossier_id)
    result.drafts_created = repo.workflow.add_drafts(drafts, actor, now)


def sweep(
    db: Database,
    calendars: Calendars,
    as_of: datetime,
    actor: str,
    clock: Callable[[], datetime],
    *,
    dry_run: bool = False,
    trigger: str = "manual",
) -> SweepResult:
    """Run the sweep for ``as_of``; ``dry_run`` reports without writing anything. A run that
    writes may not judge a future instant: its flags would stand in the history before what
    they say has happened (and, written once, never come again when it does)."""
    now = clock()
    if not dry_run and as_of > now:
        raise FutureTimeError("--as-of", show(as_of), show(now))
    result = SweepResult(as_of=as_of)

    def find_and_record(repo: Repository) -> None:  # re-run whole on a transient conflict
        result.at_risk, result.overdue, result.late_without_apology = [], [], []
        result.supplement_expired = []
        result.flags, flagged, horizon = _find(repo, calendars, as_of)
        for flag in result.flags:
            {
                FlagKind.AT_RISK: result.at_risk,
                FlagKind.OVERDUE: result.overdue,
                FlagKind.LATE_WITHOUT_APOLOGY: result.late_without_apology,
                FlagKind.SUPPLEMENT_EXPIRED: result.supplement_expired,
            }[flag.kind].append(flag.code)
        if not dry_run:
            _record(repo, calendars, result, flagged, horizon, actor, clock())
        if result.run_id is not None:  # "ok" commits with the run's writes, or neither does
            repo.workflow.finish_run(result.run_id, "ok", clock(), result.counts())

    if not dry_run:
        result.run_id = db.run(lambda repo: repo.workflow.start_run(as_of, trigger, clock()))
    run_id = result.run_id
    try:
        db.run(find_and_record)
    except BaseException as error:  # Ctrl+C or SIGTERM too: the run is not left "running"
        if run_id is not None:
            failed = repr(error)
            db.run(lambda repo: repo.workflow.finish_run(run_id, "failed", clock(), {}, failed))
        raise
    return result


def history(db: Database, limit: int = 20) -> list[SweepRun]:
    with db.transaction() as repo:
        return repo.workflow.runs(limit)


def sweep_json(result: SweepResult) -> dict[str, object]:
    """Issue 4's keys, and ``supplement_expired`` for the kind added after it: without that
    list, ``newly_flagged`` would count flags the output does not show."""
    return {
        "as_of": iso(result.as_of),
        "at_risk": result.at_risk,
        "overdue": result.overdue,
        "late_without_apology": result.late_without_apology,
        "supplement_expired": result.supplement_expired,
        "newly_flagged": result.newly_flagged,
        "drafts_created": result.drafts_created,
    }
