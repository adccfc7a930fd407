"""Monthly statistics: Biểu 06 of a period, its trend, frozen snapshots and their differences.

A closed period can be *frozen*: its report is stored as sent, and later prints of the period
show the frozen numbers with every difference a fresh computation finds (old data corrected
after the report went out). Freezing again needs ``replace=True``: a report already sent is
never overwritten by accident.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.errors import RuleError
from tthc_tracker.domain.periods import Period
from tthc_tracker.domain.statistics import (
    Counts,
    Report,
    StatRecord,
    build_report,
    on_time_trend,
)
from tthc_tracker.domain.statistics_json import (
    Difference,
    differences,
    report_from_json,
    report_json,
)
from tthc_tracker.domain.times import nfc, show
from tthc_tracker.i18n import _
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.services.ledger import view_in
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository
from tthc_tracker.storage.statistics import Snapshot

TREND_PERIODS = 12


class PeriodOpenError(RuleError):
    """A period that has not ended cannot be frozen."""

    def __init__(self, label: str, end: datetime) -> None:
        super().__init__(label, end)
        self.label = label
        self.end = end

    def message(self) -> str:
        return _("Kỳ {label} chưa kết thúc (kết thúc lúc {end}): chưa thể chốt số liệu.").format(
            label=self.label, end=show(self.end)
        )


class PeriodNotStartedError(RuleError):
    """A period that has not begun has nothing to count yet."""

    def __init__(self, label: str, start: datetime) -> None:
        super().__init__(label, start)
        self.label = label
        self.start = start

    def message(self) -> str:
        return _("Kỳ {label} chưa bắt đầu (bắt đầu lúc {start}): chưa có số liệu.").format(
            label=self.label, start=show(self.start)
        )


class AlreadyFrozenError(RuleError):
    """The period and scope already have a snapshot; replacing it must be asked for."""

    def __init__(self, label: str, frozen_at: datetime) -> None:
        super().__init__(label, frozen_at)
        self.label = label
        self.frozen_at = frozen_at

    def message(self) -> str:
        return _(
            "Kỳ {label} đã được chốt số liệu lúc {at}; thêm --replace để chốt lại bằng số liệu "
            "hiện tại."
        ).format(label=self.label, at=show(self.frozen_at))


@dataclass(frozen=True, slots=True)
class Shown:
    """A report as printed: the frozen one when the period has a snapshot (unless ``live``),
    with every difference from a fresh computation."""

    report: Report
    snapshot: Snapshot | None
    differences: list[Difference]


def _scope(agency: str | None) -> str:
    return agency or ""


def _calendars(repo: Repository, calendars: Calendars) -> dict[str, WorkCalendar]:
    return {a.code: calendars.for_agency(a) for a in repo.list_agencies()}


def _agency(repo: Repository, agency: str | None) -> str | None:
    return None if agency is None else repo.get_agency(nfc(agency)).code


def compute_in(
    repo: Repository,
    calendars: Calendars,
    period: Period,
    agency: str | None = None,
    now: datetime | None = None,
) -> Report:
    """The report from the ledger as it is; ``now``: a period not over yet judges its open
    dossiers then (one due in three days is not overdue today), not at its end."""
    code = _agency(repo, agency)
    records = _with_766(repo, calendars, repo.statistics.records(period.start, period.end, code))
    return build_report(records, period, _calendars(repo, calendars), code, now)


def _with_766(
    repo: Repository, calendars: Calendars, records: list[StatRecord]
) -> list[StatRecord]:
    """Each record of a dossier that had a supplement, with its due time as QĐ 766 counts it
    (the wait a pause, not a restart), replayed from its history; they are few."""
    found = []
    for record in records:
        if record.supplement_requests:
            dossier = repo.get_dossier(record.code)
            deadline = view_in(repo, calendars, dossier, dossier.received_at).deadline
            found.append(record._replace(due_at_766=deadline.due_at_pause_method))
        else:
            found.append(record)
    return found


def compute(
    db: Database, calendars: Calendars, period: Period, agency: str | None = None
) -> Report:
    """Biểu 06 of ``period`` from the ledger as it is now."""
    with db.transaction() as repo:
        return compute_in(repo, calendars, period, agency)


def show_report(
    db: Database,
    calendars: Calendars,
    period: Period,
    agency: str | None = None,
    live: bool = False,
    now: datetime | None = None,
) -> Shown:
    """The report of ``period``: the frozen one if there is one, with the differences."""
    if now is not None and now < period.start:
        raise PeriodNotStartedError(period.name, period.start)
    with db.transaction() as repo:
        fresh = compute_in(repo, calendars, period, agency, now)
        stored = repo.statistics.snapshot(period.key, _scope(fresh.agency))
    if stored is None:
        return Shown(fresh, None, [])
    frozen = report_from_json(json.loads(stored.data))
    return Shown(fresh if live else frozen, stored, differences(frozen, fresh))


def trend(
    db: Database,
    calendars: Calendars,
    period: Period,
    agency: str | None = None,
    count: int = TREND_PERIODS,
    now: datetime | None = None,
) -> list[tuple[Period, Counts]]:
    """The total row of the ``count`` periods ending with ``period`` (one query)."""
    periods = period.trend(count)
    with db.transaction() as repo:
        code = _agency(repo, agency)
        records = _with_766(
            repo, calendars, repo.statistics.records(periods[0].start, periods[-1].end, code)
        )
        return on_time_trend(records, periods, _calendars(repo, calendars), code, now)


@dataclass(frozen=True, slots=True)
class Frozen:
    report: Report
    snapshot: Snapshot
    replaced: Snapshot | None
    differences: list[Difference]  # from the snapshot it replaced


def freeze(
    db: Database,
    calendars: Calendars,
    period: Period,
    agency: str | None,
    actor: str,
    now: datetime,
    replace: bool = False,
) -> Frozen:
    """Store the report of a closed period as sent. A second freeze needs ``replace``."""
    if not period.is_closed(now):
        raise PeriodOpenError(period.label, period.end)

    def work(repo: Repository) -> tuple[Report, Snapshot, Snapshot | None]:
        report = compute_in(repo, calendars, period, agency)
        scope = _scope(report.agency)
        before = repo.statistics.snapshot(period.key, scope)
        if before is not None and not replace:
            raise AlreadyFrozenError(period.label, before.frozen_at)
        data = json.dumps(report_json(report), ensure_ascii=False, sort_keys=True)
        snapshot = Snapshot(period.key, scope, period.first, period.last, data, now, actor, 0)
        return report, repo.statistics.save_snapshot(snapshot), before

    report, saved, before = db.run(work)
    changed = (
        [] if before is None else differences(report_from_json(json.loads(before.data)), report)
    )
    return Frozen(report, saved, before, changed)


def snapshots(db: Database) -> list[Snapshot]:
    with db.transaction() as repo:
        return repo.statistics.snapshots()
