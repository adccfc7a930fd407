"""Letters, letter numbers, sweep flags, sweep runs and the scheduler lease.

Every write here is safe when two sweeps, two letter issuers and many clerks run at once,
on SQLite (writers serialised by ``BEGIN IMMEDIATE``) and on PostgreSQL at READ COMMITTED
(see :mod:`tthc_tracker.storage.db`): flags, drafts and counters are inserted with
``ON CONFLICT DO NOTHING`` and report what they really inserted; a letter number is one
``UPDATE … RETURNING`` on the locked counter row; the dossier rows are locked before their
next event ``seq`` is computed; the lease is one conditional upsert.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from tthc_tracker.domain.dossier import Event, EventKind, Status
from tthc_tracker.domain.errors import DuplicateError, NotFoundError
from tthc_tracker.domain.letters import LetterStatus
from tthc_tracker.domain.sweep import Candidate, FlagKind
from tthc_tracker.storage.models import (
    AgencyRow,
    DossierEventRow,
    DossierRow,
    FlagRow,
    LeaseRow,
    LetterCounterRow,
    LetterRow,
    SweepRunRow,
)
from tthc_tracker.storage.statistics import CLOCK_STOPPED, clock_stopped_at

T = TypeVar("T")

BULK_ARRAY_ROWS = 100
"""From this many rows on, PostgreSQL bulk inserts send one array per column (see
``Workflow._bulk_arrays``)."""


@dataclass(frozen=True, slots=True)
class StoredLetter:
    id: int
    dossier_code: str
    agency_code: str
    status: LetterStatus
    year: int | None
    number: int | None
    number_text: str | None
    reason: str
    new_due_at: datetime | None
    original_due_at: datetime
    apology_deadline: date | None
    late: bool
    issued_at: datetime | None
    recorded_at: datetime | None
    template: str
    path: str | None
    sha256: str | None
    created_at: datetime
    created_by: str
    issued_by: str | None


@dataclass(frozen=True, slots=True)
class SweepRun:
    id: int
    started_at: datetime
    finished_at: datetime | None
    as_of: datetime
    outcome: str
    at_risk: int
    overdue: int
    late_without_apology: int
    newly_flagged: int
    drafts_created: int
    error: str
    trigger: str
    supplement_expired: int = 0


def _letter_select(*where: object) -> Any:
    """Letters with their dossier's and agency's codes."""
    return (
        select(LetterRow, DossierRow.code, AgencyRow.code)
        .join(DossierRow, col(LetterRow.dossier_id) == DossierRow.id)
        .join(AgencyRow, col(LetterRow.agency_id) == AgencyRow.id)
        .where(*where)  # type: ignore[arg-type]
    )


def _letter(row: LetterRow, dossier_code: str, agency_code: str) -> StoredLetter:
    if row.id is None:  # pragma: no cover - rows read back always have an id
        raise RuntimeError("letter without id")
    return StoredLetter(
        id=row.id,
        dossier_code=dossier_code,
        agency_code=agency_code,
        status=LetterStatus(row.status),
        year=row.year,
        number=row.number,
        number_text=row.number_text,
        reason=row.reason,
        new_due_at=row.new_due_at,
        original_due_at=row.original_due_at,
        apology_deadline=row.apology_deadline,
        late=row.late,
        issued_at=row.issued_at,
        recorded_at=row.recorded_at,
        template=row.template,
        path=row.path,
        sha256=row.sha256,
        created_at=row.created_at,
        created_by=row.created_by,
        issued_by=row.issued_by,
    )


def _run(row: SweepRunRow) -> SweepRun:
    if row.id is None:  # pragma: no cover
        raise RuntimeError("run without id")
    return SweepRun(
        row.id,
        row.started_at,
        row.finished_at,
        row.as_of,
        row.outcome,
        row.at_risk,
        row.overdue,
        row.late_without_apology,
        row.newly_flagged,
        row.drafts_created,
        row.error,
        row.trigger,
        row.supplement_expired,
    )


class Workflow:
    """Queries of the sweep and letter capabilities, inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _dossier_id(self, code: str) -> int:
        found = self.session.exec(select(DossierRow.id).where(DossierRow.code == code)).first()
        if found is None:
            raise NotFoundError("dossier", code)
        return found

    def _agency_id(self, code: str) -> int:
        found = self.session.exec(select(AgencyRow.id).where(AgencyRow.code == code)).first()
        if found is None:
            raise NotFoundError("agency", code)
        return found

    def _insert(self, model: type[Any]) -> postgresql.Insert | sqlite.Insert:
        """An INSERT of the session's dialect, which knows ``ON CONFLICT``."""
        table: Table = model.__table__
        if self.session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _insert_new(
        self,
        model: type[Any],
        rows: Sequence[dict[str, Any]],
        unique: Sequence[str],
        returning: Sequence[str] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Insert the rows whose ``unique`` columns are not taken yet (by a row committed or
        being written by another transaction: PostgreSQL waits for it to end); returns the
        ``returning`` values (default: the ``unique`` ones) of the rows really inserted."""
        if not rows:
            return []
        table: Table = model.__table__
        back = [table.c[name] for name in returning or unique]
        connection = self.session.connection()
        if self._bulk_arrays(rows):
            arrays = self._insert_from_arrays(table, rows)
            arrays = arrays.on_conflict_do_nothing(index_elements=list(unique))
            return [tuple(r) for r in connection.execute(arrays.returning(*back))]
        statement = self._insert(model).on_conflict_do_nothing(index_elements=list(unique))
        return [tuple(r) for r in connection.execute(statement.returning(*back), list(rows))]

    def _among(self, column: Any, values: Sequence[Any]) -> Iterator[Any]:
        """WHERE clauses that together select ``column IN values``: on PostgreSQL one
        ``= ANY(array)`` (one parameter: tens of thousands of ids cost no client-side
        rendering of IN lists, and one plan); elsewhere IN lists of 500."""
        if not values:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            yield column == any_(_pg_array(column.type, values))
            return
        for chunk in _chunks(values):
            yield column.in_(chunk)

    def _bulk_arrays(self, rows: Sequence[dict[str, Any]]) -> bool:
        """Many rows on PostgreSQL: one ``INSERT … SELECT FROM unnest(arrays)``.

        A first sweep on a province writes tens of thousands of flags, events and drafts;
        as multi-row VALUES statements (SQLAlchemy's batches of 1,000) the server parses
        and plans thousands of parameters per batch. One array per column is one statement
        and one plan (74,000 flags: 2.8 s → 1.5 s measured on 10 M dossiers)."""
        return len(rows) >= BULK_ARRAY_ROWS and self.session.get_bind().dialect.name == (
            "postgresql"
        )

    @staticmethod
    def _insert_from_arrays(table: Table, rows: Sequence[dict[str, Any]]) -> postgresql.Insert:
        """``INSERT … SELECT`` from one array per column that varies; a column with one
        value in every row (the run, the actor, the time written) is one parameter."""
        names = list(rows[0])
        columns = {name: [r[name] for r in rows] for name in names}
        varying = [name for name, values in columns.items() if len(set(values)) > 1]
        varying = varying or names[:1]  # unnest needs an array (and rows a row count)
        arrays = [_pg_array(table.c[name].type, columns[name]) for name in varying]
        source = func.unnest(*arrays).table_valued(*varying).render_derived(name="u")
        selected = [
            source.c[name]
            if name in varying
            else bindparam(f"c_{name}", columns[name][0], type_=table.c[name].type)
            for name in names
        ]
        return postgresql.insert(table).from_select(names, sa_select(*selected))

    # -- letters ------------------------------------------------------------------------------

    def _letters(self, *where: object) -> list[StoredLetter]:
        statement = _letter_select(*where).order_by(
            col(LetterRow.year), col(LetterRow.number), col(LetterRow.id)
        )
        return [_letter(row, d, a) for row, d, a in self.session.exec(statement)]

    def letter_for(self, dossier_code: str) -> StoredLetter | None:
        found = self._letters(DossierRow.code == dossier_code)
        return found[0] if found else None

    def letter_by_number(
        self, agency_code: str | None, year: int | None, number_text: str
    ) -> list[StoredLetter]:
        where: list[object] = [LetterRow.number_text == number_text]
        if agency_code is not None:
            where.append(AgencyRow.code == agency_code)
        if year is not None:
            where.append(LetterRow.year == year)
        return self._letters(*where)

    def list_letters(
        self, status: LetterStatus | None = None, agency_code: str | None = None
    ) -> list[StoredLetter]:
        where: list[object] = []
        if status is not None:
            where.append(LetterRow.status == status.value)
        if agency_code is not None:
            self._agency_id(agency_code)
            where.append(AgencyRow.code == agency_code)
        return self._letters(*where)

    def add_draft(
        self,
        dossier_code: str,
        agency_code: str,
        original_due_at: datetime,
        deadline: date,
        actor: str,
        now: datetime,
    ) -> bool:
        """A draft for the dossier unless it already has a letter; True when created."""
        draft = (self._dossier_id(dossier_code), self._agency_id(agency_code))
        return self.add_drafts([(*draft, original_due_at, deadline)], actor, now) == 1

    def last_issued(self, agency_code: str, year: int) -> StoredLetter | None:
        """The agency's issued letter of ``year`` with the highest number, if any."""
        statement = _letter_select(
            AgencyRow.code == agency_code,
            LetterRow.year == year,
            LetterRow.status == LetterStatus.ISSUED.value,
        ).order_by(col(LetterRow.number).desc())
        found = self.session.exec(statement.limit(1)).first()
        return None if found is None else _letter(*found)

    def next_number(self, agency_code: str, year: int) -> int:
        """Take the next number of ``agency_code`` for ``year`` (gapless: rolled back with the
        transaction if issuing fails)."""
        agency_id = self._agency_id(agency_code)
        counter = {"agency_id": agency_id, "year": year, "last_number": 0}
        self._insert_new(LetterCounterRow, [counter], ("agency_id", "year"))
        # One statement: the row lock it takes is held to the commit, so a concurrent issuer
        # waits and then increments the committed value (READ COMMITTED re-reads the row).
        table: Table = LetterCounterRow.__table__  # type: ignore[attr-defined]
        number: int = self.session.execute(
            update(table)
            .where(table.c.agency_id == agency_id, table.c.year == year)
            .values(last_number=table.c.last_number + 1)
            .returning(table.c.last_number)
        ).scalar_one()
        return number

    def issue(
        self,
        dossier_code: str,
        agency_code: str,
        *,
        year: int,
        number: int,
        number_text: str,
        reason: str,
        new_due_at: datetime,
        original_due_at: datetime,
        deadline: date,
        late: bool,
        issued_at: datetime,
        template: str,
        path: str,
        sha256: str,
        actor: str,
        now: datetime,
    ) -> None:
        """Turn the dossier's draft (made now if it has none) into the issued letter."""
        dossier_id = self._dossier_id(dossier_code)
        agency_id = self._agency_id(agency_code)
        # A sweep may be writing the draft right now: insert-if-missing, then lock the row.
        self.add_drafts([(dossier_id, agency_id, original_due_at, deadline)], actor, now)
        row = self.session.exec(
            select(LetterRow)
            .where(LetterRow.dossier_id == dossier_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if row.status == LetterStatus.ISSUED.value:
            raise DuplicateError("letter", f"{dossier_code} ({row.number_text})")
        row.agency_id = agency_id
        row.status = LetterStatus.ISSUED.value
        row.year, row.number, row.number_text = year, number, number_text
        row.reason, row.new_due_at, row.original_due_at = reason, new_due_at, original_due_at
        row.apology_deadline, row.late, row.issued_at = deadline, late, issued_at
        row.recorded_at = now
        row.template, row.path, row.sha256, row.issued_by = template, path, sha256, actor
        self.session.add(row)
        self.session.flush()

    # -- sweep ------------------------------------------------------------------------------

    def add_flag(
        self, dossier_code: str, kind: FlagKind, due_at: datetime, run_id: int | None, now: datetime
    ) -> bool:
        """Record a flag once per dossier, kind and due-time version; True when new."""
        flag = (self._dossier_id(dossier_code), kind.value, due_at)
        return bool(self.add_flags([flag], run_id, now))

    def start_run(self, as_of: datetime, trigger: str, now: datetime) -> int:
        row = SweepRunRow(started_at=now, as_of=as_of, outcome="running", trigger=trigger)
        self.session.add(row)
        self.session.flush()
        if row.id is None:  # pragma: no cover
            raise RuntimeError("run without id")
        return row.id

    def finish_run(
        self, run_id: int, outcome: str, now: datetime, counts: dict[str, int], error: str = ""
    ) -> None:
        self.session.execute(
            update(SweepRunRow)
            .where(col(SweepRunRow.id) == run_id)
            .values(outcome=outcome, finished_at=now, error=error, **counts)
        )

    def runs(self, limit: int = 20) -> list[SweepRun]:
        rows = self.session.exec(
            select(SweepRunRow).order_by(col(SweepRunRow.id).desc()).limit(limit)
        )
        return [_run(r) for r in rows]

    def last_successful_as_of(self, trigger: str | None = None) -> datetime | None:
        statement = select(func.max(SweepRunRow.as_of)).where(SweepRunRow.outcome == "ok")
        if trigger is not None:
            statement = statement.where(SweepRunRow.trigger == trigger)
        return self.session.exec(statement).one()

    # -- lease --------------------------------------------------------------------------------

    def take_lease(
        self, name: str, holder: str, now: datetime, until: datetime, details: str = ""
    ) -> str | None:
        """Take or renew the lease; returns the other live holder's name when refused.

        One upsert: insert the lease, or take it over if it is ours or has expired; two
        schedulers starting at once cannot both get it.
        """
        table: Table = LeaseRow.__table__  # type: ignore[attr-defined]
        insert = self._insert(LeaseRow).values(
            name=name, holder=holder, expires_at=until, details=details
        )
        kept: ColumnElement[Any] = insert.excluded.details
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.name],
            set_={
                "holder": insert.excluded.holder,
                "expires_at": insert.excluded.expires_at,
                "details": case((kept != "", kept), else_=table.c.details),
            },
            where=or_(table.c.holder == holder, table.c.expires_at <= now),
        ).returning(table.c.holder)
        if self.session.execute(statement).first() is not None:
            return None
        other = self.session.execute(sa_select(table.c.holder).where(table.c.name == name))
        current: str = other.scalar_one()
        return current

    def lease(self, name: str) -> tuple[str, datetime, str] | None:
        """(holder, expires_at, details) of the lease, if any."""
        row = self.session.get(LeaseRow, name, populate_existing=True)
        return None if row is None else (row.holder, row.expires_at, row.details)

    def release_lease(self, name: str, holder: str) -> None:
        row = self.session.get(LeaseRow, name, populate_existing=True)
        if row is not None and row.holder == holder:
            self.session.delete(row)
            self.session.flush()

    def issued_codes(self) -> set[str]:
        """Codes of the dossiers whose apology letter was issued."""
        statement = (
            select(DossierRow.code)
            .join(LetterRow, col(LetterRow.dossier_id) == DossierRow.id)
            .where(LetterRow.status == LetterStatus.ISSUED.value)
        )
        return set(self.session.exec(statement))

    def letter_states(self) -> dict[str, LetterStatus]:
        """Dossier code → status of its letter, for every dossier that has one."""
        statement = select(DossierRow.code, LetterRow.status).join(
            LetterRow, col(LetterRow.dossier_id) == DossierRow.id
        )
        return {code: LetterStatus(status) for code, status in self.session.exec(statement)}

    # -- bulk writes of the sweep ----------------------------------------------------------

    def dossier_ids(self, codes: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for among in self._among(col(DossierRow.code), codes):
            rows = self.session.exec(select(DossierRow.code, DossierRow.id).where(among))
            found.update({code: dossier_id for code, dossier_id in rows if dossier_id})
        return found

    def existing_flags(self, ids: Sequence[int]) -> set[tuple[int, str, datetime]]:
        """(dossier id, kind, due-time version) of the flags the dossiers already have."""
        found: set[tuple[int, str, datetime]] = set()
        for among in self._among(col(FlagRow.dossier_id), ids):
            rows = self.session.exec(
                select(FlagRow.dossier_id, FlagRow.kind, FlagRow.due_at).where(among)
            )
            found.update((d, k, due) for d, k, due in rows)
        return found

    def add_flags(
        self, flags: Sequence[tuple[int, str, datetime]], run_id: int | None, now: datetime
    ) -> set[tuple[int, str, datetime]]:
        """Insert the flags (dossier id, kind, due-time version) that do not exist yet, even
        if another sweep is inserting them at the same moment; returns those inserted here."""
        rows = [
            {"dossier_id": d, "kind": k, "due_at": due, "run_id": run_id, "created_at": now}
            for d, k, due in flags
        ]
        unique = ("dossier_id", "kind", "due_at")
        due_of = {(d, k): due for d, k, due in flags}
        if len(due_of) < len(flags):  # two versions of one flag at once: ask for all three
            return {(d, k, due) for d, k, due in self._insert_new(FlagRow, rows, unique)}
        # One version per (dossier, kind), as in every sweep: the due time is not read back
        # (74,000 times parsed for nothing on a province's first sweep).
        inserted = self._insert_new(FlagRow, rows, unique, ("dossier_id", "kind"))
        return {(d, k, due_of[d, k]) for d, k in inserted}

    def lock_dossiers(self, ids: Sequence[int]) -> None:
        """Lock the dossier rows (ascending id, so two lockers cannot deadlock) until the
        commit: who appends events must hold the row before reading the last ``seq``.
        ``FOR NO KEY UPDATE`` lets rows that only reference a dossier be written meanwhile."""
        for among in self._among(col(DossierRow.id), sorted(set(ids))):
            self.session.execute(
                sa_select(col(DossierRow.id))
                .where(among)
                .order_by(col(DossierRow.id))
                .with_for_update(key_share=True)
            ).all()

    def add_events(
        self,
        events: Sequence[tuple[int, Event]],
        actor: str,
        now: datetime,
        *,
        locked: bool = False,
    ) -> None:
        """Append events to many dossiers at once (each gets its next ``seq``); ``locked``:
        the caller already holds the dossiers' rows (:meth:`lock_dossiers`)."""
        ids = sorted({d for d, _ in events})
        if not locked:
            self.lock_dossiers(ids)
        last: dict[int, int] = {}
        for among in self._among(col(DossierEventRow.dossier_id), ids):
            rows = self.session.exec(
                select(DossierEventRow.dossier_id, func.max(DossierEventRow.seq))
                .where(among)
                .group_by(col(DossierEventRow.dossier_id))
            )
            last.update({d: seq or 0 for d, seq in rows})
        values = []
        for dossier_id, event in events:
            last[dossier_id] = last.get(dossier_id, 0) + 1
            values.append(event_values(dossier_id, last[dossier_id], event, actor, now))
        table: Table = DossierEventRow.__table__  # type: ignore[attr-defined]
        if self._bulk_arrays(values):
            self.session.execute(self._insert_from_arrays(table, values))
        elif values:
            self.session.execute(self._insert(DossierEventRow), values)

    def dossiers_with_letters(self, ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for among in self._among(col(LetterRow.dossier_id), ids):
            rows = self.session.exec(select(LetterRow.dossier_id).where(among))
            found.update(rows)
        return found

    def add_drafts(
        self, drafts: Sequence[tuple[int, int, datetime, date]], actor: str, now: datetime
    ) -> int:
        """Drafts as (dossier id, agency id, original due, apology deadline), for the dossiers
        that have no letter yet (nor one being written by another transaction); returns how
        many were created."""
        rows = [
            {
                "dossier_id": d,
                "agency_id": a,
                "status": LetterStatus.DRAFT.value,
                "original_due_at": due,
                "apology_deadline": deadline,
                "created_at": now,
                "created_by": actor,
                "reason": "",
                "late": False,
                "template": "",
            }
            for d, a, due, deadline in drafts
        ]
        return len(self._insert_new(LetterRow, rows, ("dossier_id",)))

    def sweep_rows(self, open_due_before: datetime, finished_since: datetime) -> list[SweepRow]:
        """Open dossiers due before the horizon, and dossiers finished late since
        ``finished_since`` without extension: only the columns the sweep needs."""
        d = DossierRow
        rows = []
        open_columns = (
            col(d.id),
            col(d.processing_agency_id),
            col(d.code),
            col(d.due_at),
            col(d.original_due_at),
            col(d.extended),
        )
        for r in self.session.execute(
            sa_select(*open_columns).where(*_open_due_before(open_due_before))
        ):
            rows.append(
                SweepRow(
                    r[0],
                    r[1],
                    Candidate(r[2], Status.IN_PROGRESS, r[3], r[4], bool(r[5]), None, None),
                )
            )
        finished = func.coalesce(d.completed_at, d.returned_at).label("finished")
        late_columns = (
            col(d.id),
            col(d.processing_agency_id),
            col(d.code),
            col(d.original_due_at),
            finished,
        )
        late = sa_select(*late_columns).where(
            *_finished_late_unextended(finished_since, self.session.get_bind().dialect.name)
        )
        for r in self.session.execute(late):
            rows.append(
                SweepRow(
                    r[0], r[1], Candidate(r[2], Status.COMPLETED, r[3], r[3], False, r[4], None)
                )
            )
        return rows

    def stopped_past_due_rows(self, as_of: datetime) -> list[SweepRow]:
        """Dossiers paused or awaiting a supplement, due before ``as_of``, with the instant
        their clock stopped (few: the status index finds them)."""
        d = DossierRow
        statement = sa_select(
            col(d.id),
            col(d.processing_agency_id),
            col(d.code),
            col(d.status),
            col(d.due_at),
            col(d.original_due_at),
            col(d.extended),
            clock_stopped_at(),
        ).where(col(d.status).in_(CLOCK_STOPPED), col(d.due_at) < as_of)
        return [
            SweepRow(
                r[0],
                r[1],
                Candidate(r[2], Status(r[3]), r[4], r[5], bool(r[6]), None, None, r[7]),
            )
            for r in self.session.execute(statement)
        ]

    def received_after(self, instant: datetime) -> set[str]:
        """Codes of the dossiers received after ``instant`` (none for a sweep of today: the
        receipt index answers at once)."""
        statement = sa_select(col(DossierRow.code)).where(col(DossierRow.received_at) > instant)
        return {code for (code,) in self.session.execute(statement)}

    def awaiting_supplement_rows(self) -> list[tuple[int, int, str, datetime, datetime]]:
        """(dossier id, processing agency id, code, receipt, time of the request) of every dossier
        awaiting its supplement (few: the status index finds them).

        The request's time is a subquery per dossier, not a join with GROUP BY: SQLite's
        planner would then scan the whole table in id order to group without sorting (6.6 s
        on a province's 10 million dossiers) instead of using the status index. The subquery
        takes the last request by ``seq`` (the dossier's own index), not ``max(at)``, which
        PostgreSQL may answer by walking every request in the ``(kind, at)`` index until it
        meets one of this dossier."""
        d, e = DossierRow, DossierEventRow
        requested = (
            sa_select(col(e.at))
            .where(
                col(e.dossier_id) == col(d.id),
                col(e.kind) == EventKind.SUPPLEMENT_REQUESTED.value,
            )
            .order_by(col(e.seq).desc())
            .limit(1)
            .scalar_subquery()
        )
        columns = (col(d.id), col(d.processing_agency_id), col(d.code), col(d.received_at))
        statement = sa_select(*columns, requested).where(
            col(d.status) == Status.AWAITING_SUPPLEMENT.value
        )
        rows = self.session.execute(statement)
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows if r[4] is not None]

    def extended_without_letter_rows(self, finished_since: datetime) -> list[SweepRow]:
        """Dossiers rescheduled without an issued apology letter (``tthc dossier extend``),
        open or finished since ``finished_since``. Few: found from their ``extended`` events
        through the events' (kind, at) index."""
        d, e, letter = DossierRow, DossierEventRow, LetterRow
        extended = sa_select(col(e.dossier_id)).where(col(e.kind) == EventKind.EXTENDED.value)
        lettered = sa_select(col(letter.dossier_id)).where(
            col(letter.status) == LetterStatus.ISSUED.value
        )
        finished = func.coalesce(d.completed_at, d.returned_at)
        statement = sa_select(*_SWEEP_COLUMNS).where(
            col(d.id).in_(extended),
            col(d.id).not_in(lettered),
            col(d.extended).is_(True),
            or_(
                col(d.status) == Status.IN_PROGRESS.value,
                and_(
                    col(d.status).in_([Status.COMPLETED.value, Status.RETURNED.value]),
                    finished >= finished_since,
                ),
            ),
        )
        return [
            SweepRow(r[0], r[1], Candidate(r[2], Status(r[3]), r[4], r[5], bool(r[6]), r[7], r[8]))
            for r in self.session.execute(statement)
        ]

    def flags_of_candidates(
        self, open_due_before: datetime, finished_ids: Sequence[int]
    ) -> set[tuple[int, str, datetime]]:
        """(dossier id, kind, due-time version) of the flags the current candidates have:
        open ones by the same indexed filter, finished ones by id."""
        statement = (
            sa_select(col(FlagRow.dossier_id), col(FlagRow.kind), col(FlagRow.due_at))
            .join(DossierRow, col(DossierRow.id) == FlagRow.dossier_id)
            .where(*_open_due_before(open_due_before))
        )
        found = {(d, k, due) for d, k, due in self.session.execute(statement)}
        return found | self.existing_flags(finished_ids)

    def agency_ids(self) -> dict[str, int]:
        rows = self.session.exec(select(AgencyRow.code, AgencyRow.id))
        return {code: agency_id for code, agency_id in rows if agency_id is not None}


_SEPARATOR, _NULL = "\x1f", "\x1e"  # ASCII unit and record separators: never in our values


def _pg_text(value: Any) -> str | None:
    """PostgreSQL's text input form of a value, or None when there is no plain one."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):  # a datetime is a date: isoformat keeps its offset
        return value.isoformat() if isinstance(value, date) else str(value)
    return None


def _pg_array(item_type: Any, values: Sequence[Any]) -> Any:
    """An array parameter for PostgreSQL, sent as one text joined by a separator and split
    by the server (``string_to_array``), then cast to the column's type.

    psycopg sends a list as an array literal it builds element by element in Python (a
    regular-expression test for quoting each); on a province's first sweep, 760,000
    elements took a second. Values whose text contains a separator, or without a plain
    text form, are sent as a list after all.
    """
    texts = [None if v is None else _pg_text(v) for v in values]
    plain = [t for t in texts if t is not None]
    body = "".join(plain)
    joined = _SEPARATOR.join(_NULL if t is None else t for t in texts)
    if (
        len(plain) == sum(v is not None for v in values)  # every value has a text form
        and _SEPARATOR not in body
        and _NULL not in body
        and joined  # string_to_array('') is an empty array, not one empty string
    ):
        split = func.string_to_array(bindparam(None, joined, type_=String()), _SEPARATOR, _NULL)
        return cast(split, ARRAY(item_type))
    return bindparam(None, list(values), type_=ARRAY(item_type))


def event_values(
    dossier_id: int, seq: int, event: Event, actor: str, now: datetime
) -> dict[str, Any]:
    """The ``dossier_event`` row of one event, as INSERT parameters."""
    return {
        "dossier_id": dossier_id,
        "seq": seq,
        "kind": event.kind.value,
        "at": event.at,
        "recorded_at": now,
        "actor": actor,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
    }


def _chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, slots=True)
class SweepRow:
    """A sweep candidate with the ids the bulk writes need."""

    dossier_id: int
    agency_id: int
    candidate: Candidate


_SWEEP_COLUMNS: tuple[Any, ...] = tuple(
    col(c)
    for c in (
        DossierRow.id,
        DossierRow.processing_agency_id,
        DossierRow.code,
        DossierRow.status,
        DossierRow.due_at,
        DossierRow.original_due_at,
        DossierRow.extended,
        DossierRow.completed_at,
        DossierRow.returned_at,
    )
)


def _open_due_before(until: datetime) -> list[Any]:
    return [col(DossierRow.status) == Status.IN_PROGRESS.value, col(DossierRow.due_at) < until]


def _finished_late_unextended(since: datetime, dialect: str) -> list[Any]:
    """The partial index ix_dossier_late_finished (models.py, migration 0005) holds exactly
    these rows: its WHERE terms are repeated here word for word, or SQLite would not use it.
    On SQLite the status term is marked as true for most rows (``likelihood``): the status
    index would otherwise look better than the partial one to its planner (PostgreSQL keeps
    per-value statistics and needs no hint).
    """
    finished = func.coalesce(DossierRow.completed_at, DossierRow.returned_at)
    finished_status: Any = col(DossierRow.status).in_(
        [Status.COMPLETED.value, Status.RETURNED.value]
    )
    if dialect == "sqlite":
        finished_status = func.likelihood(finished_status, literal_column("0.9"))
    return [
        finished_status,
        col(DossierRow.extended).is_(False),
        finished > DossierRow.original_due_at,
        finished >= since,
    ]
