"""Importing dossiers from a file: every line checked, all written in one transaction or none.

``import_dossiers`` takes the lines already read and returns ``(results, errors)`` in the
beancount manner: it never stops at the first bad line. Each line is written inside a
savepoint, so a line the ledger refuses (unknown procedure, code already used, a lifecycle
step out of order) is undone alone and reported; at the end the whole transaction is kept
only if there is no error (or ``skip_invalid``) and this is not a dry run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path

from tthc_tracker.documents.tabular import Cell, RawTable, read_table, write_table
from tthc_tracker.domain.dossier import BOOKKEEPING, Dossier, Event, EventKind, Status
from tthc_tracker.domain.dossier_rows import DOSSIER_COLUMNS, FINISHED, DossierRecord
from tthc_tracker.domain.errors import NotFoundError, TthcError
from tthc_tracker.domain.imports import Layout, RowError, RowInvalid, locate_header
from tthc_tracker.domain.times import iso, show
from tthc_tracker.services import bulk_imports, ledger
from tthc_tracker.services.bulk_imports import ImportedDossier, parse_lines
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository

Progress = Callable[[int], None]
Checked = Callable[[list[RowError]], None]
STATUS_EVENTS = {
    Status.AWAITING_SUPPLEMENT: EventKind.SUPPLEMENT_REQUESTED,
    Status.PAUSED: EventKind.PAUSED,
    Status.STOPPED: EventKind.STOPPED,
    Status.WITHDRAWN: EventKind.WITHDRAWN,
    Status.REFUSED: EventKind.REFUSED,
}
EDITABLE = (
    "applicant_name",
    "applicant_kind",
    "id_number",
    "address",
    "phone",
    "email",
    "summary",
    "channel",
)
FIXED = ("procedure", "processing_agency", "receiving_agency", "returning_agency", "received_at")
REJECT_REASON_COLUMN = "ly_do"


@dataclass
class DossierFile:
    table: RawTable
    layout: Layout
    lines: list[tuple[int, list[Cell]]] = field(default_factory=list)


class _Discard(Exception):
    """Leaves the transaction without keeping anything (dry run, or errors)."""


def read_dossier_file(path: Path) -> DossierFile:
    with bulk_imports.paused_gc():
        table = read_table(path)
        layout = locate_header(table.path, table.lines, DOSSIER_COLUMNS)
        lines = [(n, cells) for n, cells in table.lines if n > layout.header_line]
    return DossierFile(table, layout, lines)


def import_dossiers(
    db: Database,
    calendars: Calendars,
    source: DossierFile,
    *,
    actor: str,
    now: datetime,
    update: bool = False,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    on_checked: Checked | None = None,
) -> tuple[list[ImportedDossier], list[RowError]]:
    """Check and write every line in one transaction; keep it only if all is well.

    New dossiers go through the bulk path (services.bulk_imports) where they can; with
    ``update`` every line takes the exact path, one savepoint each. ``on_checked`` gets the
    errors once every line is checked, inside the transaction, before it commits or is
    discarded: if it fails (the rejects file cannot be written), nothing is kept.
    """
    if update:
        return _import_each(
            db, calendars, source, actor, now, skip_invalid, dry_run, progress, on_checked
        )
    with bulk_imports.paused_gc():
        plan = bulk_imports.read_lines(source.layout, source.lines)
        errors, results = plan.errors, []
        if progress:
            progress(len(source.lines) - len(plan.fast) - len(plan.slow))
        batch = bulk_imports.Batch([], [])

        def work(repo: Repository) -> None:  # re-run whole on a transient conflict
            nonlocal batch, errors, results
            attempt = replace(plan, slow=list(plan.slow), errors=list(plan.errors))
            errors = attempt.errors
            batch = bulk_imports.sort_out(
                repo, calendars, source.layout, source.lines, attempt, now
            )
            results = _write_each(repo, calendars, source.layout, attempt.slow, errors,
                                  False, actor, now, progress)  # fmt: skip
            if on_checked is not None:
                on_checked(errors)
            if dry_run or (errors and not skip_invalid):
                raise _Discard
            bulk_imports.write(repo, batch, actor, now)

        with suppress(_Discard):
            db.run(work)
        results.extend(bulk_imports.results(batch))
        if progress:
            progress(len(batch.records))
        results.sort(key=lambda r: r.line)
    errors.sort(key=lambda e: e.line)
    return results, errors


def _write_each(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    records: Sequence[DossierRecord],
    errors: list[RowError],
    update: bool,
    actor: str,
    now: datetime,
    progress: Progress | None,
) -> list[ImportedDossier]:
    """The exact path: each record in its own savepoint; a refused one adds its errors."""
    results = []
    for record in records:
        try:
            with repo.savepoint():
                results.append(_write(repo, calendars, layout, record, update, actor, now))
        except RowInvalid as invalid:
            errors.extend(invalid.errors)
        if progress:
            progress(1)
    return results


def _import_each(
    db: Database,
    calendars: Calendars,
    source: DossierFile,
    actor: str,
    now: datetime,
    skip_invalid: bool,
    dry_run: bool,
    progress: Progress | None,
    on_checked: Checked | None,
) -> tuple[list[ImportedDossier], list[RowError]]:
    records, file_errors = parse_lines(source.layout, source.lines)
    if progress:
        progress(len(source.lines) - len(records))
    results: list[ImportedDossier] = []
    errors = file_errors

    def work(repo: Repository) -> None:  # re-run whole on a transient conflict
        nonlocal errors, results
        errors = list(file_errors)
        results = _write_each(repo, calendars, source.layout, records, errors, True,
                              actor, now, progress)  # fmt: skip
        if on_checked is not None:
            on_checked(errors)
        if dry_run or (errors and not skip_invalid):
            raise _Discard

    with suppress(_Discard):
        db.run(work)
    errors.sort(key=lambda e: e.line)
    return results, errors


def _invalid(record: DossierRecord, column: str, error: TthcError) -> RowInvalid:
    return RowInvalid([RowError.from_error(record.line, column, error)])


def _check_catalogue(repo: Repository, layout: Layout, record: DossierRecord) -> None:
    checks: list[tuple[str, str, Callable[[str], object]]] = [
        ("procedure", record.procedure, repo.get_procedure)
    ]
    for name in ("processing_agency", "receiving_agency", "returning_agency"):
        checks.append((name, getattr(record, name), repo.get_agency))
    errors = []
    missing: set[tuple[object, str]] = set()  # said once: the receiving and returning agency
    for name, value, get in checks:  # default to the processing one, not in the file then
        try:
            get(value)
        except NotFoundError as exc:
            if (get, value) not in missing:
                missing.add((get, value))
                errors.append(RowError(record.line, layout.column_name(name), value, exc.message()))
    if errors:
        raise RowInvalid(errors)


def _existing(repo: Repository, code: str) -> Dossier | None:
    try:
        return repo.get_dossier(code)
    except NotFoundError:
        return None


def _write(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    record: DossierRecord,
    update: bool,
    actor: str,
    now: datetime,
) -> ImportedDossier:
    _check_catalogue(repo, layout, record)
    existing = _existing(repo, record.code)
    if existing is not None and not update:
        reason = "mã hồ sơ đã có trong sổ; dùng --update để cập nhật hồ sơ đã có"
        raise RowInvalid([RowError(record.line, layout.column_name("code"), record.code, reason)])
    if existing is not None:
        return _update(repo, calendars, layout, record, existing, actor, now)
    new = ledger.NewDossier(
        code=record.code,
        procedure=record.procedure,
        agency=record.processing_agency,
        applicant=record.applicant_name,
        received_at=record.received_at,
        channel=record.channel.value,
        applicant_kind=record.applicant_kind.value,
        id_number=record.id_number,
        address=record.address,
        phone=record.phone,
        email=record.email,
        summary=record.summary,
        receiving_agency=record.receiving_agency,
        returning_agency=record.returning_agency,
    )
    try:
        ledger.receive_in(repo, calendars, new, actor, now)
    except TthcError as exc:
        raise _invalid(record, layout.column_name("received_at"), exc) from exc
    _play(repo, calendars, layout, record, Status.IN_PROGRESS, actor, now)
    dossier, declared = _declare(repo, record, actor, now)
    return ImportedDossier(record.line, record.code, "added", dossier.due_at, declared)


def _steps(record: DossierRecord) -> list[tuple[EventKind, datetime | None, str, str]]:
    if record.status in FINISHED:
        steps = [(EventKind.COMPLETED, record.completed_at, "", "completed_at")]
        if record.status is Status.RETURNED:
            steps.append((EventKind.RETURNED, record.returned_at, "", "returned_at"))
        return steps
    if record.status is Status.IN_PROGRESS:
        return []
    kind = STATUS_EVENTS[record.status]
    return [(kind, record.status_at, record.status_reason, "status_at")]


def _play(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    record: DossierRecord,
    since: Status,
    actor: str,
    now: datetime,
) -> None:
    """The lifecycle steps that lead from ``since`` to the file's status, as normal events."""
    steps = _steps(record)
    if since is Status.COMPLETED:
        steps = [s for s in steps if s[0] is not EventKind.COMPLETED]
    for kind, at, reason, column in steps:
        assert at is not None  # the record's rules require the time of every step
        try:
            ledger.transition_in(repo, calendars, record.code, kind, at, reason, actor, now)
        except TthcError as exc:
            raise _invalid(record, layout.column_name(column), exc) from exc


def _declare(
    repo: Repository, record: DossierRecord, actor: str, now: datetime
) -> tuple[Dossier, datetime | None]:
    """Keep the file's NgayHenTra beside our due time where they differ (an audited event)."""
    dossier = repo.get_dossier(record.code)
    declared = record.declared_due_at
    if declared is None or declared in (dossier.due_at, dossier.declared_due_at):
        return dossier, None
    events = repo.events(record.code)
    at = max(e.event.at for e in events if e.event.kind is not EventKind.FLAGGED)
    event = Event(
        EventKind.UPDATED,
        at,
        "NgayHenTra theo tệp nhập khác hạn tính theo quy định",
        "declared_due_at",
        iso(dossier.declared_due_at),
        iso(declared),
    )
    after = repo.save_dossier(
        dossier, replace(dossier, declared_due_at=declared), [event], actor, now
    )
    return after, declared


def write_rejects(
    path: Path, source: DossierFile, errors: Sequence[RowError], kind: str = "csv"
) -> int:
    """The refused lines as they were, with a ``ly_do`` column; returns how many."""
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.line, []).append(error.message())
    width = len(source.layout.headers)
    rows: list[list[Cell]] = []
    for number, cells in source.lines:
        if number in reasons:
            padded = [*cells, *[None] * (width - len(cells))][:width]
            rows.append([*map(_as_read, padded), "; ".join(reasons[number])])
    write_table(path, [*source.layout.headers, REJECT_REASON_COLUMN], rows, kind)
    return len(rows)


def _as_read(cell: Cell) -> Cell:
    """A spreadsheet's date cell (a time of 00:00, no zone) is read as a date alone; it is
    written back as one, so the fixed line is read again as the original was."""
    if isinstance(cell, datetime) and cell.tzinfo is None and cell.time() == time(0):
        return cell.date()
    return cell


def _shown(value: object) -> str:
    """A value as a clerk reads it in a message: a time as "dd/mm/yyyy HH:MM"."""
    return show(value) if isinstance(value, datetime) else str(value)


def _value(item: object, name: str) -> str:
    value = getattr(item, name)
    return str(value.value) if hasattr(value, "value") else str(value)


def _update(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    record: DossierRecord,
    existing: Dossier,
    actor: str,
    now: datetime,
) -> ImportedDossier:
    """Bring a stored dossier to what the file says; every change is an audited event."""
    stored = {"procedure": existing.procedure_code, "received_at": existing.received_at}
    reason = "không sửa được bằng nhập tệp: trường này quyết định hạn giải quyết"
    hint = "; sửa từng hồ sơ bằng tthc dossier correct"
    fixed = [
        RowError(
            record.line,
            layout.column_name(name),
            _shown(getattr(record, name)),
            reason + (hint if name in ("procedure", "received_at") else ""),
        )
        for name in FIXED
        if getattr(record, name) != stored.get(name, getattr(existing, name, None))
    ]
    if fixed:
        raise RowInvalid(fixed)
    changes = [n for n in EDITABLE if _value(record, n) != _value(existing, n)]
    if changes:
        at = max(e.event.at for e in repo.events(record.code) if e.event.kind in _LIFECYCLE)
        events = [
            Event(
                EventKind.UPDATED,
                at,
                "cập nhật từ tệp nhập",
                n,
                _value(existing, n),
                _value(record, n),
            )
            for n in changes
        ]
        after = replace(existing, **{n: getattr(record, n) for n in changes})
        existing = repo.save_dossier(existing, after, events, actor, now)
    _advance(repo, calendars, layout, record, existing, actor, now)
    dossier, declared = _declare(repo, record, actor, now)
    if dossier.status is not existing.status:
        changes.append("status")
    if declared is not None:
        changes.append("declared_due_at")
    action = "updated" if changes else "unchanged"
    return ImportedDossier(
        record.line, record.code, action, dossier.due_at, declared, tuple(changes)
    )


_LIFECYCLE = frozenset(EventKind) - BOOKKEEPING - {EventKind.UPDATED}


def _advance(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    record: DossierRecord,
    existing: Dossier,
    actor: str,
    now: datetime,
) -> None:
    """Lifecycle steps the file has and the ledger has not yet; recorded times never change."""
    done = [("completed_at", existing.completed_at, record.completed_at)]
    if existing.status is Status.RETURNED:
        done.append(("returned_at", existing.returned_at, record.returned_at))
    for name, old, new in done:
        if old is not None and old != new:
            reason = f"đã ghi {iso(old)}; thời điểm đã ghi không sửa bằng nhập tệp"
            raise RowInvalid(
                [RowError(record.line, layout.column_name(name), iso(new) or "", reason)]
            )
    if record.status is existing.status:
        return
    if existing.status in (Status.IN_PROGRESS, Status.COMPLETED):
        _play(repo, calendars, layout, record, existing.status, actor, now)
        return
    reason = (
        f"hồ sơ đang ở trạng thái “{existing.status.label}”, không chuyển sang "
        f"“{record.status.label}” bằng nhập tệp; dùng lệnh tthc dossier …"
    )
    column = layout.column_name("status")
    raise RowInvalid([RowError(record.line, column, record.status.value, reason)])
