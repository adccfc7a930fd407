"""Reading and writing the ledger inside one transaction, with explicit row <-> value mapping."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tthc_tracker.domain.calendar import DayKind, DayRule, OfficeHours, Origin
from tthc_tracker.domain.catalog import Agency, Procedure
from tthc_tracker.domain.dossier import (
    ApplicantKind,
    Channel,
    Dossier,
    Event,
    EventKind,
    RecordedEvent,
    Status,
)
from tthc_tracker.domain.errors import DuplicateError, NotFoundError, TthcError
from tthc_tracker.domain.limits import limit_from_parts
from tthc_tracker.domain.search import query_terms, search_text
from tthc_tracker.domain.times import nfc
from tthc_tracker.i18n import _
from tthc_tracker.storage.models import (
    AgencyRow,
    CalendarEditRow,
    DossierEventRow,
    DossierRow,
    ProcedureRow,
)
from tthc_tracker.storage.search import matching
from tthc_tracker.storage.statistics import Statistics
from tthc_tracker.storage.workflow import Workflow, event_values


class ConcurrentUpdateError(TthcError):
    """Another writer changed the dossier between our read and our write."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def message(self) -> str:
        return _("Hồ sơ “{code}” vừa được người khác cập nhật; hãy thử lại.").format(code=self.code)


def _agency(row: Any) -> Agency:
    """An agency from its row (an AgencyRow, or a core row with the same column names)."""
    return Agency(
        code=row.code,
        name=row.name,
        parent=row.parent,
        place=row.place,
        signer_title=row.signer_title,
        signer_name=row.signer_name,
        letter_suffix=row.letter_suffix,
        hours=OfficeHours.parse(
            row.office_hours, row.saturday_hours, saturday_counts=row.saturday_counts
        ),
        apology_lead_days=row.apology_lead_days,
        email=row.email,
        short_name=row.short_name,
        letter_template=row.letter_template,
    )


def _procedure(row: Any, agency_code: str | None) -> Procedure:
    """A procedure from its row (a ProcedureRow, or a core row with the same names)."""
    return Procedure(
        code=row.code,
        name=row.name,
        field=row.field,
        level=row.level,
        limit=limit_from_parts(row.limit_amount, row.limit_unit),
        limit_text=row.limit_text,
        cutoff=time.fromisoformat(row.cutoff) if row.cutoff else None,
        agency_code=agency_code,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _event(row: Any) -> RecordedEvent:
    """An event from its row (a DossierEventRow, or a core row with the same names)."""
    return RecordedEvent(
        seq=row.seq,
        event=Event(
            kind=EventKind(row.kind),
            at=row.at,
            reason=row.reason,
            field=row.field,
            old_value=row.old_value,
            new_value=row.new_value,
        ),
        actor=row.actor,
        recorded_at=row.recorded_at,
    )


_DOSSIER_FIELDS = (
    "code",
    "applicant_name",
    "id_number",
    "address",
    "phone",
    "email",
    "summary",
    "received_at",
    "original_due_at",
    "due_at",
    "completed_at",
    "returned_at",
    "declared_due_at",
    "supplement_requests",
    "extended",
    "version",
)


@functools.cache
def _insert_dossier(dialect: str) -> Any:
    """INSERT of a new dossier returning its id, or nothing when its code is taken: no
    SELECT before it, and no failed statement to roll back inside an import's savepoint."""
    table = DossierRow.__table__  # type: ignore[attr-defined]
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert_of(table).on_conflict_do_nothing(index_elements=["code"]).returning(table.c.id)


_INSERT_EVENT = insert(DossierEventRow.__table__)  # type: ignore[attr-defined]


@functools.cache
def _agency_by_code() -> Any:
    table = AgencyRow.__table__  # type: ignore[attr-defined]
    return sa_select(table).where(table.c.code == bindparam("code"))


@functools.cache
def _procedures() -> Any:
    """Procedures with their agency's code, by code (built once, like the dossier SELECT)."""
    table = ProcedureRow.__table__  # type: ignore[attr-defined]
    return (
        sa_select(table, col(AgencyRow.code).label("agency_code_"))
        .join(AgencyRow, table.c.agency_id == AgencyRow.id, isouter=True)
        .order_by(table.c.code)
    )


@functools.cache
def _procedure_by_code() -> Any:
    return _procedures().where(ProcedureRow.__table__.c.code == bindparam("code"))  # type: ignore[attr-defined]


@functools.cache
def _dossier_by_code() -> Any:
    return _select_dossiers()[0].where(DossierRow.__table__.c.code == bindparam("code"))  # type: ignore[attr-defined]


@functools.cache
def _events_by_code() -> Any:
    """A dossier's history by its code, oldest first."""
    event = DossierEventRow.__table__  # type: ignore[attr-defined]
    dossier = DossierRow.__table__  # type: ignore[attr-defined]
    return (
        sa_select(event)
        .join(dossier, event.c.dossier_id == dossier.c.id)
        .where(dossier.c.code == bindparam("code"))
        .order_by(event.c.seq)
    )


@functools.cache
def _select_dossiers() -> tuple[Any, Any]:
    """Columns, not ORM objects: lists of many dossiers load several times faster.

    Built once per process: a statement is immutable (``.where`` returns a new one), and
    building the four-join select costs more client time than a lookup's query itself.
    """
    procedure = aliased(ProcedureRow)
    receiving = aliased(AgencyRow)
    processing = aliased(AgencyRow)
    returning = aliased(AgencyRow)
    table = DossierRow.__table__  # type: ignore[attr-defined]
    return (
        sa_select(
            *[c for c in table.c if c.name != "search_text"],
            col(procedure.code).label("procedure_code_"),
            col(receiving.code).label("receiving_code_"),
            col(processing.code).label("processing_code_"),
            col(returning.code).label("returning_code_"),
        )
        .join(procedure, col(DossierRow.procedure_id) == procedure.id)
        .join(receiving, col(DossierRow.receiving_agency_id) == receiving.id)
        .join(processing, col(DossierRow.processing_agency_id) == processing.id)
        .join(returning, col(DossierRow.returning_agency_id) == returning.id)
    ), processing


class Repository:
    """All ledger queries of one transaction. Raises domain errors, never SQLAlchemy ones."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.workflow = Workflow(session)
        self.statistics = Statistics(session)
        # Catalogue rows read in this transaction, by code: receiving a dossier needs its
        # procedure and agencies several times, and an import needs the same few again and
        # again. Agencies never change once added; a procedure changes only through
        # update_procedure, which forgets it. A rollback forgets everything.
        self._agencies: dict[str, tuple[int, Agency]] = {}
        self._procedure_cache: dict[str, tuple[int, Procedure]] = {}

    def _forget(self) -> None:
        self._agencies.clear()
        self._procedure_cache.clear()

    def _flush(self, kind: str, key: str) -> None:
        try:
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            self._forget()
            raise DuplicateError(kind, key) from exc

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an error inside undoes only what was written inside."""
        nested = self.session.begin_nested()
        try:
            yield
        except BaseException:
            nested.rollback()
            self.session.expire_all()
            self._forget()
            raise
        nested.commit()

    # -- agencies ---------------------------------------------------------------------------

    def _agency_entry(self, code: str) -> tuple[int, Agency]:
        code = nfc(code)  # codes are stored in NFC: look them up the same way
        entry = self._agencies.get(code)
        if entry is None:
            # core columns, not an ORM object: a model instance costs more than the query
            row = self._core(_agency_by_code(), code=code).first()
            if row is None:
                raise NotFoundError("agency", code)
            entry = self._agencies[code] = (row.id, _agency(row))
        return entry

    def _agency_id(self, code: str) -> int:
        return self._agency_entry(code)[0]

    def add_agency(self, agency: Agency, now: datetime) -> None:
        if self.session.exec(select(AgencyRow.id).where(AgencyRow.code == agency.code)).first():
            raise DuplicateError("agency", agency.code)
        self.session.add(
            AgencyRow(
                code=agency.code,
                name=agency.name,
                parent=agency.parent,
                place=agency.place,
                signer_title=agency.signer_title,
                signer_name=agency.signer_name,
                letter_suffix=agency.letter_suffix,
                office_hours=agency.hours.text(),
                saturday_hours=agency.hours.saturday_text(),
                saturday_counts=agency.hours.saturday_counts,
                apology_lead_days=agency.apology_lead_days,
                email=agency.email,
                short_name=agency.short_name,
                letter_template=agency.letter_template,
                created_at=now,
            )
        )
        self._flush("agency", agency.code)

    def get_agency(self, code: str) -> Agency:
        return self._agency_entry(code)[1]

    def list_agencies(self) -> list[Agency]:
        return [_agency(r) for r in self.session.exec(select(AgencyRow).order_by(AgencyRow.code))]

    # -- procedures -------------------------------------------------------------------------

    def add_procedure(self, procedure: Procedure, now: datetime) -> None:
        exists = select(ProcedureRow.id).where(ProcedureRow.code == procedure.code)
        if self.session.exec(exists).first():
            raise DuplicateError("procedure", procedure.code)
        agency_id = self._agency_id(procedure.agency_code) if procedure.agency_code else None
        self.session.add(
            ProcedureRow(
                code=procedure.code,
                name=procedure.name,
                field=procedure.field,
                level=procedure.level,
                limit_text=procedure.limit_text,
                limit_amount=str(procedure.limit.amount),
                limit_unit=procedure.limit.unit.value,
                cutoff=procedure.cutoff.strftime("%H:%M") if procedure.cutoff else None,
                agency_id=agency_id,
                valid_from=procedure.valid_from,
                valid_to=procedure.valid_to,
                created_at=now,
            )
        )
        self._flush("procedure", procedure.code)

    def update_procedure(self, procedure: Procedure) -> None:
        """Overwrite a stored procedure's catalogue fields (a catalogue file re-imported)."""
        row = self.session.exec(
            select(ProcedureRow).where(ProcedureRow.code == procedure.code)
        ).first()
        if row is None:
            raise NotFoundError("procedure", procedure.code)
        self._procedure_cache.pop(procedure.code, None)
        agency_id = self._agency_id(procedure.agency_code) if procedure.agency_code else None
        row.sqlmodel_update(
            {
                "name": procedure.name,
                "field": procedure.field,
                "level": procedure.level,
                "limit_text": procedure.limit_text,
                "limit_amount": str(procedure.limit.amount),
                "limit_unit": procedure.limit.unit.value,
                "cutoff": procedure.cutoff.strftime("%H:%M") if procedure.cutoff else None,
                "agency_id": agency_id,
            }
        )
        self.session.add(row)
        self._flush("procedure", procedure.code)

    def _core(self, statement: Any, **params: Any) -> Any:
        """A core statement on the session's connection (no ORM layer: rows, not objects)."""
        return self.session.connection().execute(statement, params)

    def _procedure_entry(self, code: str) -> tuple[int, Procedure]:
        code = nfc(code)
        entry = self._procedure_cache.get(code)
        if entry is None:
            row = self._core(_procedure_by_code(), code=code).first()
            if row is None:
                raise NotFoundError("procedure", code)
            entry = self._procedure_cache[code] = (row.id, _procedure(row, row.agency_code_))
        return entry

    def get_procedure(self, code: str) -> Procedure:
        return self._procedure_entry(code)[1]

    def list_procedures(self) -> list[Procedure]:
        return [_procedure(row, row.agency_code_) for row in self._core(_procedures())]

    # -- dossiers ---------------------------------------------------------------------------

    def _ids(self, dossier: Dossier) -> dict[str, Any]:
        return {
            "procedure_id": self._procedure_entry(dossier.procedure_code)[0],
            "receiving_agency_id": self._agency_id(dossier.receiving_agency),
            "processing_agency_id": self._agency_id(dossier.processing_agency),
            "returning_agency_id": self._agency_id(dossier.returning_agency),
        }

    def _insert(self, kind: str, key: str, statement: Any, rows: Any = None) -> Any:
        """Core INSERT (no ORM object to build and flush: a third of a clerk's CPU per
        dossier); a unique key already taken is a DuplicateError."""
        try:
            return self.session.connection().execute(statement, rows)
        except IntegrityError as exc:
            self.session.rollback()
            self._forget()
            raise DuplicateError(kind, key) from exc

    def add_dossier(
        self, dossier: Dossier, events: Sequence[Event], actor: str, now: datetime
    ) -> list[RecordedEvent]:
        """Write a new dossier and its first events; returns them as recorded."""
        values = {
            **{name: getattr(dossier, name) for name in _DOSSIER_FIELDS},
            **self._ids(dossier),
            "applicant_kind": dossier.applicant_kind.value,
            "channel": dossier.channel.value,
            "status": dossier.status.value,
            "created_at": now,
            "updated_at": now,
            "search_text": search_text(dossier.applicant_name, dossier.code, dossier.phone),
        }
        dialect = self.session.get_bind().dialect.name
        statement = _insert_dossier(dialect)
        dossier_id = self._insert("dossier", dossier.code, statement, values).scalar()
        if dossier_id is None:  # the code is taken: nothing was written
            raise DuplicateError("dossier", dossier.code)
        self._append_events(dossier_id, 0, events, actor, now)
        return [RecordedEvent(seq, event, actor, now) for seq, event in enumerate(events, start=1)]

    def _append_events(
        self, dossier_id: int, last_seq: int, events: Iterable[Event], actor: str, now: datetime
    ) -> None:
        rows = [
            event_values(dossier_id, last_seq + offset, event, actor, now)
            for offset, event in enumerate(events, start=1)
        ]
        if rows:
            self._insert("event", str(dossier_id), _INSERT_EVENT, rows)

    @staticmethod
    def _dossier(row: Any) -> Dossier:
        m = row._mapping
        return Dossier(
            **{name: m[name] for name in _DOSSIER_FIELDS},
            procedure_code=m["procedure_code_"],
            receiving_agency=m["receiving_code_"],
            processing_agency=m["processing_code_"],
            returning_agency=m["returning_code_"],
            applicant_kind=ApplicantKind(m["applicant_kind"]),
            channel=Channel(m["channel"]),
            status=Status(m["status"]),
        )

    def get_dossier(self, code: str, *, lock: bool = False) -> Dossier:
        """The stored dossier; ``lock``: hold its row until the commit first, so what is
        computed from it (the next state, the next event ``seq``) cannot be overtaken by
        another writer (PostgreSQL; SQLite writers are serialised anyway)."""
        code = nfc(code)
        if lock:
            self.workflow.lock_dossiers([self._dossier_id(code)])
        found = self._core(_dossier_by_code(), code=code).first()
        if found is None:
            raise NotFoundError("dossier", code)
        return self._dossier(found)

    def list_dossiers(
        self,
        statuses: Iterable[Status] | None = None,
        agency: str | None = None,
        due_before: datetime | None = None,
        limit: int | None = None,
        finished_late: bool = False,
        extended: bool | None = None,
        ordered: bool = True,
    ) -> list[Dossier]:
        """Dossiers by filters; ``ordered=False`` skips the ORDER BY (on a large ledger an
        index scan chosen for the ordering costs more than the filter saves)."""
        statement, processing = _select_dossiers()
        if statuses is not None:
            statement = statement.where(col(DossierRow.status).in_([s.value for s in statuses]))
        if agency is not None:
            self._agency_id(agency)  # an unknown agency is an error, not an empty list
            statement = statement.where(processing.code == nfc(agency))
        if due_before is not None:
            statement = statement.where(col(DossierRow.due_at) < due_before)
        if finished_late:
            finished = func.coalesce(DossierRow.completed_at, DossierRow.returned_at)
            statement = statement.where(finished > DossierRow.original_due_at)
        if extended is not None:
            statement = statement.where(col(DossierRow.extended) == extended)
        if ordered:
            statement = statement.order_by(col(DossierRow.received_at), col(DossierRow.code))
        if limit is not None:
            statement = statement.limit(limit)
        return [self._dossier(found) for found in self.session.execute(statement)]

    def search_dossiers(self, text: str, limit: int = 20) -> list[Dossier]:
        """Dossiers whose applicant name, code or phone match every word of ``text``, case
        and marks ignored (domain.search); best first. FTS5 on SQLite, LIKE elsewhere."""
        statement, _ = _select_dossiers()
        dialect = self.session.get_bind().dialect.name
        found = self.session.execute(matching(statement, query_terms(text), dialect).limit(limit))
        return [self._dossier(row) for row in found]

    def events(self, code: str) -> list[RecordedEvent]:
        """The dossier's history, oldest first (one query: a dossier always has its
        ``received`` event, so an empty answer means an unknown code)."""
        code = nfc(code)
        rows = self._core(_events_by_code(), code=code).all()
        if not rows:
            self._dossier_id(code)  # raises NotFoundError for an unknown code
        return [_event(r) for r in rows]

    def _dossier_id(self, code: str) -> int:
        code = nfc(code)
        dossier_id = self.session.exec(select(DossierRow.id).where(DossierRow.code == code)).first()
        if dossier_id is None:
            raise NotFoundError("dossier", code)
        return dossier_id

    def save_dossier(
        self, before: Dossier, after: Dossier, events: Sequence[Event], actor: str, now: datetime
    ) -> Dossier:
        """Write ``after`` if the stored version is still ``before.version`` (compare-and-set).

        The UPDATE locks the row until the commit, so the last ``seq`` read after it is final.
        """
        dossier_id = self._dossier_id(before.code)
        values = {name: getattr(after, name) for name in _DOSSIER_FIELDS if name != "code"}
        if after.procedure_code != before.procedure_code:  # a correction (tthc dossier correct)
            values["procedure_id"] = self._procedure_entry(after.procedure_code)[0]
        values.update(
            status=after.status.value,
            channel=after.channel.value,
            applicant_kind=after.applicant_kind.value,
            version=before.version + 1,
            updated_at=now,
            search_text=search_text(after.applicant_name, before.code, after.phone),
        )
        result = self.session.execute(
            update(DossierRow)
            .where(col(DossierRow.id) == dossier_id, col(DossierRow.version) == before.version)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdateError(before.code)
        last_seq = self.session.exec(
            select(func.max(DossierEventRow.seq)).where(DossierEventRow.dossier_id == dossier_id)
        ).one()
        self._append_events(dossier_id, last_seq or 0, events, actor, now)
        self.session.expire_all()
        return self.get_dossier(before.code)

    def append_events(self, code: str, events: Sequence[Event], actor: str, now: datetime) -> None:
        """Add events to a dossier's history without changing the dossier itself."""
        dossier_id = self._dossier_id(code)
        self.workflow.lock_dossiers([dossier_id])
        last_seq = self.session.exec(
            select(func.max(DossierEventRow.seq)).where(DossierEventRow.dossier_id == dossier_id)
        ).one()
        self._append_events(dossier_id, last_seq or 0, events, actor, now)

    def count_dossiers(self) -> int:
        return self.session.exec(select(func.count()).select_from(DossierRow)).one()

    # -- calendar edits ---------------------------------------------------------------------

    def calendar_edits(self) -> list[DayRule]:
        rows = self.session.exec(select(CalendarEditRow).order_by(col(CalendarEditRow.day)))
        return [
            DayRule(r.day, DayKind(r.kind), r.reason, f"quản trị viên {r.actor}", Origin.ADMIN)
            for r in rows
        ]

    def set_calendar_edit(
        self, day: date, kind: DayKind, reason: str, actor: str, now: datetime
    ) -> DayRule | None:
        """Add or replace the edit of ``day``; returns the edit it replaced."""
        row = self.session.exec(select(CalendarEditRow).where(CalendarEditRow.day == day)).first()
        previous = None
        if row is not None:
            previous = DayRule(row.day, DayKind(row.kind), row.reason, row.actor, Origin.ADMIN)
            self.session.delete(row)
            self.session.flush()
        self.session.add(
            CalendarEditRow(day=day, kind=kind.value, reason=reason, actor=actor, created_at=now)
        )
        self._flush("calendar_edit", day.isoformat())
        return previous

    def remove_calendar_edit(self, day: date) -> DayRule:
        row = self.session.exec(select(CalendarEditRow).where(CalendarEditRow.day == day)).first()
        if row is None:
            raise NotFoundError("calendar_edit", day.strftime("%d/%m/%Y"))
        rule = DayRule(row.day, DayKind(row.kind), row.reason, row.actor, Origin.ADMIN)
        self.session.delete(row)
        self.session.flush()
        return rule
