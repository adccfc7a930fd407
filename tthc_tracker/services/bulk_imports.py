"""The fast path of ``tthc import dossiers`` for new dossiers (no ``--update``).

Lines are read by ``domain.dossier_fast.FastReader`` (``parse_dossier`` for those it does not
vouch for); a line whose write is certain to succeed — catalogue codes known, code new to the
ledger, no time after now, due time inside the calendar — is written in bulk: due times
vectorised per (agency calendar, procedure) by ``domain.bulk_due``, dossiers and events as
columns through ``storage.bulk_dossiers``. Every other valid line takes the exact path of
``services.imports`` (one savepoint each), which reports what is wrong with it.

The bulk rows are exactly what that path writes: the receipt event with its due time, one
event per lifecycle step the file gives (completed, returned, or the status entered at
``status_at``), and an ``updated`` event when the file's NgayHenTra differs from our due
time; the version counts each of these writes, as the ledger's compare-and-set does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import numpy as np

from tthc_tracker.documents.tabular import Cell
from tthc_tracker.domain.bulk_due import iso_bulk, receipt_due_bulk
from tthc_tracker.domain.dossier import EventKind, Status
from tthc_tracker.domain.dossier_fast import FastReader, FastRecord, search_texts
from tthc_tracker.domain.dossier_rows import FINISHED, DossierRecord, parse_dossier
from tthc_tracker.domain.imports import Layout, RowError
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.bulk_dossiers import BulkDossiers
from tthc_tracker.storage.repository import Repository

DECLARED_REASON = "NgayHenTra theo tệp nhập khác hạn tính theo quy định"
STATUS_EVENTS = {
    Status.AWAITING_SUPPLEMENT: EventKind.SUPPLEMENT_REQUESTED,
    Status.PAUSED: EventKind.PAUSED,
    Status.STOPPED: EventKind.STOPPED,
    Status.WITHDRAWN: EventKind.WITHDRAWN,
    Status.REFUSED: EventKind.REFUSED,
}
Columns = dict[str, list[Any]]


@dataclass
class Plan:
    """A file's lines sorted out: fast records, records for the exact path, and errors."""

    fast: list[FastRecord] = field(default_factory=list)
    slow: list[DossierRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Batch:
    """Fast records ready to write, with their due times (UTC epoch seconds)."""

    records: list[FastRecord]
    due: list[int]


@dataclass(frozen=True, slots=True)
class ImportedDossier:
    line: int
    code: str
    action: str  # added | updated | unchanged
    due_at: datetime
    declared_due_at: datetime | None = None  # the file's NgayHenTra where it differs from ours
    changes: tuple[str, ...] = ()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of cells and rows are alive (it would
    walk them all again and again, for nothing: they hold no cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_lines(layout: Layout, lines: Sequence[tuple[int, Sequence[Cell]]]) -> Plan:
    """Every line read once; a code seen twice in the file is an error, as in parse_lines."""
    reader = FastReader(layout)
    plan = Plan()
    first_line: dict[str, int] = {}
    for number, cells in lines:
        record = reader.read(number, cells)
        parsed = parse_dossier(layout, number, cells) if record is None else record
        if isinstance(parsed, list):
            plan.errors.extend(parsed)
            continue
        if parsed.code in first_line:
            reason = f"mã hồ sơ trùng với dòng {first_line[parsed.code]} của tệp"
            plan.errors.append(RowError(number, layout.column_name("code"), parsed.code, reason))
            continue
        first_line[parsed.code] = number
        if record is None:
            plan.slow.append(parsed)  # type: ignore[arg-type]  # parse_dossier's record
        else:
            plan.fast.append(record)
    return plan


def parse_lines(
    layout: Layout, lines: Sequence[tuple[int, Sequence[Cell]]]
) -> tuple[list[DossierRecord], list[RowError]]:
    """Records of the lines that pass the file-only rules; a code seen twice is an error."""
    records: list[DossierRecord] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for number, cells in lines:
        parsed = parse_dossier(layout, number, cells)
        if isinstance(parsed, list):
            errors.extend(parsed)
        elif parsed.code in first_line:
            reason = f"mã hồ sơ trùng với dòng {first_line[parsed.code]} của tệp"
            errors.append(RowError(number, layout.column_name("code"), parsed.code, reason))
        else:
            first_line[parsed.code] = number
            records.append(parsed)
    return records, errors


def results(batch: Batch) -> list[ImportedDossier]:
    """What the bulk rows report: added, with our due time and the file's where it differs."""
    results = []
    for record, due in zip(batch.records, batch.due, strict=True):
        declared = record.declared_due_at
        results.append(
            ImportedDossier(
                record.line,
                record.code,
                "added",
                datetime.fromtimestamp(due, UTC),
                None
                if declared is None or declared == due
                else datetime.fromtimestamp(declared, UTC),
            )
        )
    return results


def _steps_at(record: FastRecord) -> list[int]:
    if record.status in FINISHED:
        return [t for t in (record.completed_at, record.returned_at) if t is not None]
    return [] if record.status is Status.IN_PROGRESS else [record.status_at or 0]


def sort_out(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    lines: Sequence[tuple[int, Sequence[Cell]]],
    plan: Plan,
    now: datetime,
) -> Batch:
    """Keep in bulk the records certain to be written; move the others to ``plan.slow``."""
    procedures = {p.code: p for p in repo.list_procedures()}
    agencies = {a.code: a for a in repo.list_agencies()}
    existing = BulkDossiers(repo).existing_codes([r.code for r in plan.fast])
    limit = int(now.timestamp())
    groups: dict[tuple[str, str], list[int]] = {}
    for index, r in enumerate(plan.fast):
        if (
            r.procedure in procedures
            and r.processing_agency in agencies
            and r.receiving_agency in agencies
            and r.returning_agency in agencies
            and r.code not in existing
            and r.received_at <= limit
            and all(at <= limit for at in _steps_at(r))
        ):
            groups.setdefault((r.processing_agency, r.procedure), []).append(index)
    due = np.zeros(len(plan.fast), dtype=np.int64)
    good = np.zeros(len(plan.fast), dtype=np.bool_)
    for (agency, code), members in groups.items():
        procedure, rows = procedures[code], np.array(members, dtype=np.int64)
        received = np.array([plan.fast[i].received_at for i in members], dtype=np.int64)
        calendar = calendars.for_agency(agencies[agency])
        due[rows], good[rows] = receipt_due_bulk(
            calendar, procedure.limit, procedure.cutoff, received
        )
    unsure = {r.line for r, ok in zip(plan.fast, good.tolist(), strict=True) if not ok}
    _to_slow(layout, lines, plan, unsure)
    kept = np.flatnonzero(good)
    return Batch([plan.fast[i] for i in kept.tolist()], due[kept].tolist())


def _to_slow(
    layout: Layout,
    lines: Sequence[tuple[int, Sequence[Cell]]],
    plan: Plan,
    unsure: set[int],
) -> None:
    """The exact path reads these lines again, to write them or say what is wrong."""
    if not unsure:
        return
    for number, cells in lines:
        if number in unsure:
            parsed = parse_dossier(layout, number, cells)
            assert not isinstance(parsed, list)  # the fast reader accepted the line
            plan.slow.append(parsed)
    plan.slow.sort(key=lambda r: r.line)


def write(repo: Repository, batch: Batch, actor: str, now: datetime) -> None:
    """Insert the batch's dossiers and events (ids after the ledger's last)."""
    if not batch.records:
        return
    # In receipt order, the indexes on times (receipt, due, completion, events' times) grow
    # at their end instead of at random places: several times faster on a large file.
    order = sorted(range(len(batch.records)), key=lambda i: batch.records[i].received_at)
    batch = Batch([batch.records[i] for i in order], [batch.due[i] for i in order])
    bulk = BulkDossiers(repo)
    procedure_ids, agency_ids = bulk.catalogue_ids()
    first = bulk.next_id()
    ids = list(range(first, first + len(batch.records)))
    dossiers, declared = _dossier_columns(
        batch, ids, procedure_ids, agency_ids, int(now.timestamp())
    )
    events = _event_columns(batch, ids, declared, actor, int(now.timestamp()))
    bulk.insert(dossiers, events)


def _dossier_columns(
    batch: Batch,
    ids: list[int],
    procedure_ids: dict[str, int],
    agency_ids: dict[str, int],
    now: int,
) -> tuple[Columns, list[int | None]]:
    records, size = batch.records, len(batch.records)
    c: Any = FastRecord._make(map(list, zip(*records, strict=True)))  # columns by name
    declared = [
        d if d is not None and d != due else None
        for d, due in zip(c.declared_due_at, batch.due, strict=True)
    ]
    steps = [len(_steps_at(r)) for r in records]
    columns: Columns = {
        "id": ids,
        "code": c.code,
        "procedure_id": [procedure_ids[p] for p in c.procedure],
        "receiving_agency_id": [agency_ids[a] for a in c.receiving_agency],
        "processing_agency_id": [agency_ids[a] for a in c.processing_agency],
        "returning_agency_id": [agency_ids[a] for a in c.returning_agency],
        "applicant_name": c.applicant_name,
        "applicant_kind": [k.value for k in c.applicant_kind],
        "channel": [k.value for k in c.channel],
        "received_at": c.received_at,
        "original_due_at": batch.due,
        "due_at": batch.due,
        "declared_due_at": declared,
        "status": [s.value for s in c.status],
        "completed_at": c.completed_at,
        "returned_at": c.returned_at,
        "supplement_requests": [int(s is Status.AWAITING_SUPPLEMENT) for s in c.status],
        "extended": [False] * size,
        "version": [1 + n + (d is not None) for n, d in zip(steps, declared, strict=True)],
        "created_at": [now] * size,
        "updated_at": [now] * size,
        "search_text": search_texts(c.applicant_name, c.code, c.phone),
    }
    for name in ("id_number", "address", "phone", "email", "summary"):
        columns[name] = getattr(c, name)
    return columns, declared


EVENT_FIELDS = ("dossier_id", "seq", "kind", "at", "field", "old_value", "new_value", "reason")


def _extend(columns: Columns, size: int, values: dict[str, Any]) -> None:
    """Append ``size`` events; a value that is not a list is the same for all of them."""
    for name in EVENT_FIELDS:
        value = values[name]
        columns[name].extend(value if isinstance(value, list) else repeat(value, size))


def _event_columns(
    batch: Batch, ids: list[int], declared: list[int | None], actor: str, now: int
) -> Columns:
    """The events the exact path writes, grouped by kind (each dossier's ``seq`` in order)."""
    records = batch.records
    columns: Columns = {name: [] for name in EVENT_FIELDS}
    received = {"seq": 1, "kind": EventKind.RECEIVED.value, "field": "due_at", "old_value": None}
    _extend(columns, len(records), received | {
        "dossier_id": ids, "at": [r.received_at for r in records],
        "new_value": iso_bulk(batch.due), "reason": "",
    })  # fmt: skip
    finished = [i for i, r in enumerate(records) if r.status in FINISHED]
    returned = [i for i in finished if records[i].status is Status.RETURNED]
    others = [i for i, r in enumerate(records) if r.status in STATUS_EVENTS]
    for rows, seq, kind, old, new, at in (
        (finished, 2, EventKind.COMPLETED, Status.IN_PROGRESS, Status.COMPLETED, "completed_at"),
        (returned, 3, EventKind.RETURNED, Status.COMPLETED, Status.RETURNED, "returned_at"),
    ):
        _extend(columns, len(rows), {
            "dossier_id": [ids[i] for i in rows], "seq": seq, "kind": kind.value,
            "at": [getattr(records[i], at) for i in rows], "field": "status",
            "old_value": old.value, "new_value": new.value, "reason": "",
        })  # fmt: skip
    _extend(columns, len(others), {
        "dossier_id": [ids[i] for i in others], "seq": 2,
        "kind": [STATUS_EVENTS[records[i].status].value for i in others],
        "at": [records[i].status_at for i in others], "field": "status",
        "old_value": Status.IN_PROGRESS.value,
        "new_value": [records[i].status.value for i in others],
        "reason": [records[i].status_reason for i in others],
    })  # fmt: skip
    differs = [i for i, d in enumerate(declared) if d is not None]
    _extend(columns, len(differs), {
        "dossier_id": [ids[i] for i in differs],
        "seq": [2 + len(_steps_at(records[i])) for i in differs],
        "kind": EventKind.UPDATED.value,
        "at": [max([records[i].received_at, *_steps_at(records[i])]) for i in differs],
        "field": "declared_due_at", "old_value": None,
        "new_value": iso_bulk([declared[i] or 0 for i in differs]), "reason": DECLARED_REASON,
    })  # fmt: skip
    size = len(columns["dossier_id"])
    columns["recorded_at"] = [now] * size
    columns["actor"] = [actor] * size
    return columns
