"""Queries of the statistics capability: slim per-dossier records, and report snapshots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    type_coerce,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tthc_tracker.domain.dossier import (
    CLOSED_WITHOUT_RESULT,
    OPEN_STATUSES,
    Channel,
    EventKind,
    Status,
)
from tthc_tracker.domain.letters import LetterStatus
from tthc_tracker.domain.statistics import StatRecord
from tthc_tracker.storage.models import (
    AgencyRow,
    DossierEventRow,
    DossierRow,
    LetterRow,
    ProcedureRow,
    StatsSnapshotRow,
)

CLOSING_EVENTS = (EventKind.WITHDRAWN.value, EventKind.REFUSED.value, EventKind.STOPPED.value)
CLOCK_STOPPED = (Status.PAUSED.value, Status.AWAITING_SUPPLEMENT.value)
STOPPING_EVENTS = (EventKind.PAUSED.value, EventKind.SUPPLEMENT_REQUESTED.value)


@dataclass(frozen=True, slots=True)
class Snapshot:
    period_key: str
    scope: str  # "" for every agency, else the agency code
    first_day: date
    last_day: date
    data: str  # the report as JSON (tthc_tracker.domain.statistics_json)
    frozen_at: datetime
    frozen_by: str
    replaced: int


def _snapshot(row: StatsSnapshotRow) -> Snapshot:
    return Snapshot(
        row.period_key,
        row.scope,
        row.first_day,
        row.last_day,
        row.data,
        row.frozen_at,
        row.frozen_by,
        row.replaced,
    )


_TIME = DateTime(timezone=True)
"""The time columns of the records are read as plain datetimes and made UTC by :func:`_utc`
(on SQLite as their stored text, made UTC datetimes by :func:`_utc_text`): SQLModel's UTC
type does the same per value through several layers, which on a month of a province
(hundreds of thousands of rows, eight times each) costs more than the query."""


def _columns(closed_at: Any, time_type: Any, stopped_at: Any = None) -> tuple[Any, ...]:
    """The record's columns; ``stopped_at``: when the clock stopped, for open dossiers (NULL
    for the others)."""
    d, letter = DossierRow, LetterRow

    def _time(column: Any) -> Any:
        return type_coerce(column, time_type)

    return (
        col(d.code),
        col(d.procedure_id),  # its name, field and level: from a map read once
        col(d.processing_agency_id),  # its code: likewise
        col(d.applicant_name),
        col(d.channel),
        _time(col(d.received_at)),
        _time(col(d.original_due_at)),
        _time(col(d.due_at)),
        col(d.status),
        _time(col(d.completed_at)),
        _time(col(d.returned_at)),
        _time(closed_at),
        col(d.extended),
        col(letter.number_text),
        _time(col(letter.issued_at)),
        col(letter.late),
        _time(col(letter.new_due_at)),
        _time(_no_time("stopped_at") if stopped_at is None else stopped_at),
        col(d.supplement_requests),
    )


def clock_stopped_at() -> Any:
    """For a dossier now paused or awaiting a supplement, when its clock stopped: the last
    pause or request (a subquery through the (dossier_id, seq) key, run only for those few
    dossiers); NULL for the others."""
    d, event = DossierRow, DossierEventRow
    last_stop = (
        sa_select(col(event.at))
        .where(col(event.dossier_id) == d.id, col(event.kind).in_(STOPPING_EVENTS))
        .order_by(col(event.seq).desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((col(d.status).in_(CLOCK_STOPPED), last_stop), else_=_no_time("stopped_at"))


def _no_time(label: str) -> Any:
    """NULL typed as an event time.

    A real CAST, not only a Python-side type: PostgreSQL refuses a UNION of an untyped NULL
    (text) and a ``timestamp with time zone`` column.
    """
    return cast(null(), _TIME).label(label)


def _no_closing() -> Any:
    return _no_time("closed_at")


def _utc_text(value: str | None) -> datetime | None:
    """A time as SQLite stores it (``'YYYY-MM-DD HH:MM:SS.ffffff'``, UTC) as an aware UTC
    datetime: parsed with its offset in one C call (``replace(tzinfo=…)`` on a parsed value
    costs six times as much)."""
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC, as the UTC type gives it: SQLite returns naive UTC, PostgreSQL aware times
    in the session's time zone."""
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_CHANNELS = {c.value: c for c in Channel}
_STATUSES = {s.value: s for s in Status}


def _few(condition: Any, session: Session) -> Any:
    """``condition``, marked on SQLite as true for few rows.

    SQLite's statistics (``sqlite_stat1``) know only the average number of rows per status:
    millions on a provincial ledger, so with any other usable index (the receipt range) or
    none, it scans the whole table instead of using the status index for the few open
    dossiers (measured on 10,000,000 dossiers: 19 s instead of well under a second).
    ``likelihood()`` is SQLite's own planner hint; PostgreSQL keeps per-value statistics.
    """
    if session.get_bind().dialect.name != "sqlite":
        return condition
    # the probability must be written in the SQL: SQLite refuses a bound parameter there
    # no boolean type: SQLAlchemy would write "likelihood(…) = 1", which SQLite cannot see into
    return func.likelihood(condition, literal_column("0.001"))


def _likely(condition: Any, session: Session) -> Any:
    """``condition``, marked on SQLite as true for most rows (see :func:`_few`)."""
    if session.get_bind().dialect.name != "sqlite":
        return condition
    return func.likelihood(condition, literal_column("0.9"))


def _joined(statement: Any) -> Any:
    """The issued letter of each dossier. Procedures and agencies are not joined: a few
    hundred rows read once into maps, where joining them repeated their names in every one
    of hundreds of thousands of rows (decoded, and on SQLite looked up, each time)."""
    return statement.join(
        LetterRow,
        and_(
            col(LetterRow.dossier_id) == DossierRow.id,
            col(LetterRow.status) == LetterStatus.ISSUED.value,
        ),
        isouter=True,
    )


def _record(
    row: Any,
    _utc: Callable[[Any], datetime | None],
    procedures: dict[int, tuple[str, str, str]],
    agencies: dict[int, str],
) -> StatRecord:
    name, field, level = procedures[row[1]]
    return StatRecord(  # positional, in the fields' order: the fastest way to build one
        row[0],  # code
        name,
        field,
        level,
        agencies[row[2]],
        row[3],  # applicant
        _CHANNELS[row[4]],
        _utc(row[5]),  # type: ignore[arg-type]  # received_at, never NULL
        _utc(row[6]),  # type: ignore[arg-type]  # original_due_at
        _utc(row[7]),  # type: ignore[arg-type]  # due_at
        _STATUSES[row[8]],
        _utc(row[9]),  # completed_at
        _utc(row[10]),  # returned_at
        _utc(row[11]),  # closed_at
        bool(row[12]),  # extended
        row[13],  # letter_number
        _utc(row[14]),  # letter_issued_at
        bool(row[15]),  # letter_late
        _utc(row[16]),  # new_due_at
        _utc(row[17]),  # stopped_at
        row[18],  # supplement_requests
    )


class Statistics:
    """Statistics queries inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def records(
        self, start: datetime, end: datetime, agency: str | None = None
    ) -> list[StatRecord]:
        """Every dossier that may have been open during ``[start, end)``, as slim records.

        Four disjoint parts, each served by its own index (status, completed_at, returned_at,
        the closing events by kind and time); the domain then decides exactly.
        """
        d = DossierRow
        text_times = self.session.get_bind().dialect.name == "sqlite"
        time_type = String() if text_times else _TIME
        to_utc = _utc_text if text_times else _utc
        a, p = AgencyRow, ProcedureRow
        agencies: dict[int, str] = {
            row[0]: row[1] for row in self.session.execute(sa_select(col(a.id), col(a.code)))
        }
        procedures = {
            row[0]: (row[1], row[2], row[3])
            for row in self.session.execute(
                sa_select(col(p.id), col(p.name), col(p.field), col(p.level))
            )
        }
        agency_ids = [i for i, code in agencies.items() if code == agency]
        by_agency = [] if agency is None else [col(d.processing_agency_id).in_(agency_ids)]
        # Received before the end: true of nearly every dossier (a hint for SQLite, whose
        # statistics would rather range over the receipt index than the completion one).
        received = _likely(col(d.received_at) < end, self.session)
        filters = [received, *by_agency]
        no_closing = _no_closing()
        # Open now, received before the end (for a past month most open dossiers were received
        # after it): by the status index, the receipt only filtered.
        open_now = _few(col(d.status).in_([s.value for s in OPEN_STATUSES]), self.session)
        open_columns = _columns(no_closing, time_type, clock_stopped_at())
        parts = [_joined(sa_select(*open_columns)).where(open_now, *filters)]
        parts += [
            _joined(sa_select(*_columns(no_closing, time_type))).where(*filters, condition)
            for condition in (
                col(d.completed_at) >= start,
                and_(col(d.completed_at).is_(None), col(d.returned_at) >= start),
            )
        ]
        event = DossierEventRow
        closing = _joined(
            sa_select(*_columns(col(event.at).label("closed_at"), time_type)).join(
                event, col(event.dossier_id) == d.id
            )
        ).where(
            *filters,
            _few(col(event.kind).in_(CLOSING_EVENTS), self.session),
            col(event.at) >= start,
            _few(col(d.status).in_([s.value for s in CLOSED_WITHOUT_RESULT]), self.session),
        )
        unexplained = self._unexplained(start, filters, self.session, time_type)
        statement = union_all(*parts, closing, unexplained)
        # The DB-API rows as the driver gives them, in one fetch: every column is converted
        # by _record anyway, building SQLAlchemy rows first cost a second on a province's
        # month, and row by row psycopg's per-fetch checks cost as much as the rows.
        result = self.session.connection().execute(statement)
        rows = result.cursor.fetchall()
        result.close()
        return [_record(row, to_utc, procedures, agencies) for row in rows]

    @staticmethod
    def _unexplained(start: datetime, filters: list[Any], session: Session, time_type: Any) -> Any:
        """Closed without a result but without a closing event (an odd import): by receipt."""
        d = DossierRow
        has_event = (
            sa_select(literal(1))
            .where(col(DossierEventRow.dossier_id) == d.id)
            .where(col(DossierEventRow.kind).in_(CLOSING_EVENTS))
            .exists()
        )
        return _joined(sa_select(*_columns(_no_closing(), time_type))).where(
            *filters,
            col(d.received_at) >= start,
            _few(col(d.status).in_([s.value for s in CLOSED_WITHOUT_RESULT]), session),
            ~has_event,
        )

    # -- snapshots ----------------------------------------------------------------------------

    def snapshot(self, period_key: str, scope: str) -> Snapshot | None:
        row = self._snapshot_row(period_key, scope)
        return None if row is None else _snapshot(row)

    def _snapshot_row(self, period_key: str, scope: str) -> StatsSnapshotRow | None:
        return self.session.exec(
            select(StatsSnapshotRow).where(
                StatsSnapshotRow.period_key == period_key, StatsSnapshotRow.scope == scope
            )
        ).first()

    def save_snapshot(self, snapshot: Snapshot) -> Snapshot:
        """Insert, or replace the stored one of the same period and scope (counting it)."""
        row = self._snapshot_row(snapshot.period_key, snapshot.scope)
        if row is None:
            row = StatsSnapshotRow(
                period_key=snapshot.period_key,
                scope=snapshot.scope,
                first_day=snapshot.first_day,
                last_day=snapshot.last_day,
                data=snapshot.data,
                frozen_at=snapshot.frozen_at,
                frozen_by=snapshot.frozen_by,
            )
        else:
            row.data, row.frozen_at, row.frozen_by = (
                snapshot.data,
                snapshot.frozen_at,
                snapshot.frozen_by,
            )
            row.replaced += 1
        self.session.add(row)
        self.session.flush()
        return _snapshot(row)

    def snapshots(self) -> list[Snapshot]:
        rows = self.session.exec(
            select(StatsSnapshotRow).order_by(
                col(StatsSnapshotRow.first_day), col(StatsSnapshotRow.period_key)
            )
        )
        return [_snapshot(r) for r in rows]
