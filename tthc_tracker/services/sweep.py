"""The nightly sweep: flag dossiers at risk, overdue or late without apology; make drafts.

Safe to re-run and to run twice at once: flags and drafts are unique rows (dossier, kind,
due-time version), inserted once; all of a run's writes are one transaction, so a crash
loses nothing and the next run completes the work. Each run is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tthc_tracker.domain.dossier import Dossier, Event, EventKind, Status
from tthc_tracker.domain.letters import LetterStatus, apology_deadline
from tthc_tracker.domain.sweep import Flag, FlagKind, classify
from tthc_tracker.domain.times import iso
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository
from tthc_tracker.storage.workflow import SweepRun

LOOKAHEAD = timedelta(days=45)
"""Open dossiers due further ahead than this cannot be at risk yet (lead time ≤ 10 days
plus the longest holiday run)."""


@dataclass
class SweepResult:
    as_of: datetime
    at_risk: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    late_without_apology: list[str] = field(default_factory=list)
    newly_flagged: int = 0
    drafts_created: int = 0
    run_id: int | None = None
    flags: list[Flag] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "at_risk": len(self.at_risk),
            "overdue": len(self.overdue),
            "late_without_apology": len(self.late_without_apology),
            "newly_flagged": self.newly_flagged,
            "drafts_created": self.drafts_created,
        }


def find_flags(repo: Repository, calendars: Calendars, as_of: datetime) -> list[Flag]:
    """Every flag the dossiers deserve at ``as_of`` (reads only)."""
    letters = repo.workflow.letter_states()
    agencies = {a.code: a for a in repo.list_agencies()}
    candidates: list[Dossier] = [
        *repo.list_dossiers([Status.IN_PROGRESS], due_before=as_of + LOOKAHEAD),
        *repo.list_dossiers([Status.COMPLETED, Status.RETURNED], finished_late=True),
    ]
    flags = []
    for dossier in candidates:
        agency = agencies[dossier.processing_agency]
        apologised = letters.get(dossier.code) is LetterStatus.ISSUED
        flag = classify(
            dossier, calendars.for_agency(agency), as_of, agency.apology_lead_days, apologised
        )
        if flag is not None:
            flags.append(flag)
    return flags


def _record(
    repo: Repository, calendars: Calendars, result: SweepResult, actor: str, now: datetime
) -> None:
    agencies = {a.code: a for a in repo.list_agencies()}
    letters = repo.workflow.letter_states()
    for flag in result.flags:
        if repo.workflow.add_flag(flag.code, flag.kind, flag.due_at, result.run_id, now):
            result.newly_flagged += 1
            repo.append_events(
                flag.code,
                [
                    Event(
                        EventKind.FLAGGED,
                        result.as_of,
                        flag.kind.label,
                        "flag",
                        None,
                        flag.kind.value,
                    )
                ],
                actor,
                now,
            )
        if flag.kind is FlagKind.LATE_WITHOUT_APOLOGY or flag.code in letters:
            continue
        dossier = repo.get_dossier(flag.code)
        agency = agencies[dossier.processing_agency]
        deadline = apology_deadline(
            calendars.for_agency(agency), dossier.original_due_at, agency.apology_lead_days
        )
        if repo.workflow.add_draft(
            flag.code, agency.code, dossier.original_due_at, deadline, actor, now
        ):
            result.drafts_created += 1


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
    """Run the sweep for ``as_of``; ``dry_run`` reports without writing anything."""
    result = SweepResult(as_of=as_of)
    if not dry_run:
        with db.transaction() as repo:
            result.run_id = repo.workflow.start_run(as_of, trigger, clock())
    try:
        with db.transaction() as repo:
            result.flags = find_flags(repo, calendars, as_of)
            for flag in result.flags:
                {
                    FlagKind.AT_RISK: result.at_risk,
                    FlagKind.OVERDUE: result.overdue,
                    FlagKind.LATE_WITHOUT_APOLOGY: result.late_without_apology,
                }[flag.kind].append(flag.code)
            if not dry_run:
                _record(repo, calendars, result, actor, clock())
    except BaseException as error:  # Ctrl+C or SIGTERM too: the run is not left "running"
        if result.run_id is not None:
            with db.transaction() as repo:
                repo.workflow.finish_run(result.run_id, "failed", clock(), {}, repr(error))
        raise
    if result.run_id is not None:
        with db.transaction() as repo:
            repo.workflow.finish_run(result.run_id, "ok", clock(), result.counts())
    return result


def history(db: Database, limit: int = 20) -> list[SweepRun]:
    with db.transaction() as repo:
        return repo.workflow.runs(limit)


def sweep_json(result: SweepResult) -> dict[str, object]:
    return {
        "as_of": iso(result.as_of),
        "at_risk": result.at_risk,
        "overdue": result.overdue,
        "late_without_apology": result.late_without_apology,
        "newly_flagged": result.newly_flagged,
        "drafts_created": result.drafts_created,
    }
