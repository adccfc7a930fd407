"""The fast path of ``tthc import dossiers`` for new dossiers (no ``--update``).

Lines are read column by column by ``domain.dossier_fast.read_columns`` (``parse_dossier``
reads the lines it does not vouch for); a line whose write is certain to succeed — catalogue
codes known, code new to the ledger, no time after now, due time inside the calendar — is
written in bulk: due times vectorised per (agency calendar, procedure) by
``domain.bulk_due``, dossiers and events as columns through ``storage.bulk_dossiers``.
Every other valid line takes the exact path of ``services.imports`` (one savepoint each),
which reports what is wrong with it.

The bulk rows are exactly what that path writes: the receipt event with its due time, one
event per lifecycle step the file gives (completed, returned, or the status entered at
``status_at``), and an ``updated`` event when the file's NgayHenTra differs from our due
time; the version counts each of these writes, as the ledger's compare-and-set does.
Dossiers go in receipt order and events in (dossier, seq) order, so that the indexes on
times and on the dossier grow at their end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from tthc_tracker.documents.tabular import Cell
from tthc_tracker.domain.bulk_due import iso_bulk, receipt_due_bulk
from tthc_tracker.domain.dossier import EventKind, Status
from tthc_tracker.domain.dossier_fast import (
    NONE,
    STATUS_CODE,
    STATUS_VALUES,
    FastColumns,
    Int64Array,
    read_columns,
    search_texts,
)
from tthc_tracker.domain.dossier_rows import DossierRecord, parse_dossier
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
_COMPLETED, _RETURNED = STATUS_CODE[Status.COMPLETED], STATUS_CODE[Status.RETURNED]
_EVENT_OF = np.array(  # the event kind a status entered at status_at writes, by status code
    [STATUS_EVENTS[s].value if s in STATUS_EVENTS else "" for s in STATUS_CODE], dtype=object
)
Columns = dict[str, Any]


@dataclass
class Plan:
    """A file's lines sorted out: fast records, records for the exact path, and errors."""

    fast: FastColumns = field(default_factory=FastColumns.empty)
    slow: list[DossierRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Batch:
    """Fast records ready to write, with their due times (UTC epoch seconds)."""

    records: FastColumns | list[Any]  # [] for none
    due: Int64Array | list[int]


class ImportedDossier(NamedTuple):
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
    fast, unsure = read_columns(layout, lines)
    plan = Plan(fast=fast)
    slow: list[DossierRecord] = []
    for position in unsure:
        parsed = parse_dossier(layout, *lines[position])
        if isinstance(parsed, list):
            plan.errors.extend(parsed)
        else:
            slow.append(parsed)
    codes, slow_codes = set(fast.code), {r.code for r in slow}
    if len(codes) == len(fast) and len(slow_codes) == len(slow) and codes.isdisjoint(slow_codes):
        plan.slow = slow
        return plan
    return _without_repeats(layout, plan, slow)


def _without_repeats(layout: Layout, plan: Plan, slow: list[DossierRecord]) -> Plan:
    """The plan without the lines whose code an earlier line already has (an error each)."""
    fast = plan.fast
    entries = sorted(
        [(line, code, index, None) for index, (line, code) in
         enumerate(zip(fast.line.tolist(), fast.code, strict=True))]
        + [(r.line, r.code, -1, r) for r in slow]
    )  # fmt: skip
    first_line: dict[str, int] = {}
    keep = np.zeros(len(fast), dtype=np.bool_)
    plan.slow = []
    for line, code, index, record in entries:
        if code in first_line:
            reason = f"mã hồ sơ trùng với dòng {first_line[code]} của tệp"
            plan.errors.append(RowError(line, layout.column_name("code"), code, reason))
            continue
        first_line[code] = line
        if record is None:
            keep[index] = True
        else:
            plan.slow.append(record)
    plan.fast = fast.take(np.flatnonzero(keep))
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
    """What the bulk rows report, in file order: added, with our due time and the file's
    where it differs."""
    records = batch.records
    if not isinstance(records, FastColumns) or not len(records):
        return []
    due = np.asarray(batch.due, dtype=np.int64)
    declared = records.declared_due_at
    differs = (declared != NONE) & (declared != due)
    moments: dict[int, datetime | None] = {NONE: None}
    for epoch in {*due.tolist(), *declared[differs].tolist()}:
        moments[epoch] = datetime.fromtimestamp(epoch, UTC)
    in_file_order = np.argsort(records.line, kind="stable").tolist()
    size = len(records)
    return list(
        map(
            ImportedDossier._make,
            zip(
                records.line[in_file_order].tolist(),
                [records.code[i] for i in in_file_order],
                ["added"] * size,
                [moments[e] for e in due[in_file_order].tolist()],
                [moments[e] for e in np.where(differs, declared, NONE)[in_file_order].tolist()],
                [()] * size,
                strict=True,
            ),
        )
    )


def sort_out(
    repo: Repository,
    calendars: Calendars,
    layout: Layout,
    lines: Sequence[tuple[int, Sequence[Cell]]],
    plan: Plan,
    now: datetime,
) -> Batch:
    """Keep in bulk the records certain to be written; move the others to ``plan.slow``."""
    fast = plan.fast
    if not len(fast):
        return Batch([], [])
    procedures = {p.code: p for p in repo.list_procedures()}
    agencies = {a.code: a for a in repo.list_agencies()}
    existing = BulkDossiers(repo).existing_codes(fast.code)
    limit = int(now.timestamp())
    certain = _known(fast.procedure, procedures)
    for column in (fast.processing_agency, fast.receiving_agency, fast.returning_agency):
        certain &= _known(column, agencies)
    if existing:
        certain &= ~_known(fast.code, existing)
    certain &= fast.received_at <= limit
    for at in (fast.completed_at, fast.returned_at, fast.status_at):
        certain &= (at == NONE) | (at <= limit)
    due = np.zeros(len(fast), dtype=np.int64)
    good = np.zeros(len(fast), dtype=np.bool_)
    for (agency, code), rows in _groups(fast, np.flatnonzero(certain)):
        procedure = procedures[code]
        calendar = calendars.for_agency(agencies[agency])
        due[rows], good[rows] = receipt_due_bulk(
            calendar, procedure.limit, procedure.cutoff, fast.received_at[rows]
        )
    _to_slow(layout, lines, plan, fast.position[~good])
    if good.all():
        return Batch(fast, due)
    kept = np.flatnonzero(good)
    return Batch(fast.take(kept), due[kept])


def _known(column: list[str], known: Any) -> npt.NDArray[np.bool_]:
    """Which cells are keys of ``known``: looked up once per distinct value."""
    found = {value: value in known for value in set(column)}
    if all(found.values()):
        return np.ones(len(column), dtype=np.bool_)
    return np.fromiter((found[v] for v in column), dtype=np.bool_, count=len(column))


def _groups(fast: FastColumns, rows: Int64Array) -> Iterator[tuple[tuple[str, str], Int64Array]]:
    """The rows of each (processing agency, procedure)."""
    if not len(rows):
        return
    pairs: dict[tuple[str, str], int] = {}
    agency, procedure = fast.processing_agency, fast.procedure
    keys = np.fromiter(
        (pairs.setdefault((agency[i], procedure[i]), len(pairs)) for i in rows.tolist()),
        dtype=np.int64,
        count=len(rows),
    )
    order = np.argsort(keys, kind="stable")
    starts = np.flatnonzero(np.diff(keys[order], prepend=-1))
    ends = [*starts[1:].tolist(), len(order)]
    names = list(pairs)
    for start, end in zip(starts.tolist(), ends, strict=True):
        members = order[start:end]
        yield names[int(keys[members[0]])], rows[members]


def _to_slow(
    layout: Layout,
    lines: Sequence[tuple[int, Sequence[Cell]]],
    plan: Plan,
    positions: Int64Array,
) -> None:
    """The exact path reads these lines again, to write them or say what is wrong."""
    if not len(positions):
        return
    for position in positions.tolist():
        parsed = parse_dossier(layout, *lines[position])
        if isinstance(parsed, list):  # never: the fast reader accepted the line
            plan.errors.extend(parsed)
        else:
            plan.slow.append(parsed)
    plan.slow.sort(key=lambda r: r.line)


def write(repo: Repository, batch: Batch, actor: str, now: datetime) -> None:
    """Insert the batch's dossiers and events (ids after the ledger's last)."""
    records = batch.records
    if not isinstance(records, FastColumns) or not len(records):
        return
    # In receipt order, the indexes on times (receipt, due, completion, events' times) grow
    # at their end instead of at random places: several times faster on a large file. The
    # columns are put in that order first, so that the texts made from them lie in memory
    # in the order the driver reads them.
    due = np.asarray(batch.due, dtype=np.int64)
    if (np.diff(records.received_at) < 0).any():
        order = np.argsort(records.received_at, kind="stable")
        records, due = records.take(order), due[order]
    bulk = BulkDossiers(repo)
    procedure_ids, agency_ids = bulk.catalogue_ids()
    ids = bulk.new_ids(len(records))
    moment = int(now.timestamp())
    declared = np.where(
        (records.declared_due_at != NONE) & (records.declared_due_at != due),
        records.declared_due_at,
        NONE,
    )
    dossiers = _dossier_columns(records, due, declared, ids, procedure_ids, agency_ids, moment)
    with bulk.writing(dossiers) as write_events:  # the events are built while SQLite indexes
        write_events(_event_columns(records, due, declared, ids, actor, moment))


def _steps(records: FastColumns) -> Int64Array:
    """How many lifecycle events each dossier gets after its receipt."""
    status = records.status
    steps = np.where(status == STATUS_CODE[Status.IN_PROGRESS], 0, 1)
    return steps + (status == _RETURNED)  # type: ignore[no-any-return]


def _dossier_columns(
    records: FastColumns,
    due: Int64Array,
    declared: Int64Array,
    ids: Int64Array,
    procedure_ids: dict[str, int],
    agency_ids: dict[str, int],
    now: int,
) -> Columns:
    size = len(records)
    constant = np.full(size, now, dtype=np.int64)
    supplement = records.status == STATUS_CODE[Status.AWAITING_SUPPLEMENT]
    return {
        "id": ids,
        "code": records.code,
        "procedure_id": [procedure_ids[p] for p in records.procedure],
        "receiving_agency_id": [agency_ids[a] for a in records.receiving_agency],
        "processing_agency_id": [agency_ids[a] for a in records.processing_agency],
        "returning_agency_id": [agency_ids[a] for a in records.returning_agency],
        "applicant_name": records.applicant_name,
        "applicant_kind": records.applicant_kind,
        "id_number": records.id_number,
        "address": records.address,
        "phone": records.phone,
        "email": records.email,
        "summary": records.summary,
        "channel": records.channel,
        "received_at": records.received_at,
        "original_due_at": due,
        "due_at": due,
        "declared_due_at": declared,
        "status": STATUS_VALUES[records.status].tolist(),
        "completed_at": records.completed_at,
        "returned_at": records.returned_at,
        "supplement_requests": supplement.astype(np.int64),
        "extended": [False] * size,
        "version": 1 + _steps(records) + (declared != NONE),
        "created_at": constant,
        "updated_at": constant,
        "search_text": search_texts(records.applicant_name, records.code, records.phone),
    }


EVENT_FIELDS = ("dossier_id", "seq", "kind", "at", "field", "old_value", "new_value", "reason")


def _event_columns(
    records: FastColumns,
    due: Int64Array,
    declared: Int64Array,
    ids: Int64Array,
    actor: str,
    now: int,
) -> Columns:
    """The events the exact path writes, in (dossier, seq) order."""
    size = len(records)
    status = records.status
    finished = np.flatnonzero((status == _COMPLETED) | (status == _RETURNED))
    returned = np.flatnonzero(status == _RETURNED)
    others = np.flatnonzero(_EVENT_OF[status] != "")
    differs = np.flatnonzero(declared != NONE)
    steps = _steps(records)
    last_step = records.received_at.copy()  # when the file's last step happened
    last_step[finished] = np.maximum(records.completed_at, records.returned_at)[finished]
    last_step[others] = records.status_at[others]
    parts: list[tuple[Int64Array, Any, Any, Any, str, Any, Any, Any]] = [
        (np.arange(size), 1, EventKind.RECEIVED.value, records.received_at, "due_at", None,
         iso_bulk(due), ""),
        (finished, 2, EventKind.COMPLETED.value, records.completed_at[finished], "status",
         Status.IN_PROGRESS.value, Status.COMPLETED.value, ""),
        (returned, 3, EventKind.RETURNED.value, records.returned_at[returned], "status",
         Status.COMPLETED.value, Status.RETURNED.value, ""),
        (others, 2, _EVENT_OF[status[others]], records.status_at[others], "status",
         Status.IN_PROGRESS.value, STATUS_VALUES[status[others]],
         np.array(records.status_reason, dtype=object)[others]),
        (differs, 2 + steps[differs], EventKind.UPDATED.value, last_step[differs],
         "declared_due_at", None, iso_bulk(declared[differs]), DECLARED_REASON),
    ]  # fmt: skip
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_FIELDS}
    for rows, seq, kind, at, name, old, new, reason in parts:
        values = (ids[rows], seq, kind, at, name, old, new, reason)
        for column, value in zip(EVENT_FIELDS, values, strict=True):
            columns[column].append(_spread(value, len(rows)))
    flat = {name: np.concatenate(parts_) for name, parts_ in columns.items()}
    order = np.lexsort((flat["seq"], flat["dossier_id"]))
    events: Columns = {name: flat[name][order] for name in EVENT_FIELDS}
    for name in ("kind", "field", "old_value", "new_value", "reason"):
        events[name] = events[name].tolist()
    events["recorded_at"] = np.full(len(order), now, dtype=np.int64)
    events["actor"] = [actor] * len(order)
    return events


def _spread(value: Any, size: int) -> npt.NDArray[Any]:
    """``value`` as an array of ``size`` entries (one value is repeated)."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list):
        return np.array(value, dtype=object)
    if isinstance(value, int) and not isinstance(value, bool):
        return np.full(size, value, dtype=np.int64)
    array = np.empty(size, dtype=object)
    array[:] = [value] * size if size else []
    return array
