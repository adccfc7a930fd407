"""The database tables (SQLModel). Alembic migrations own the schema; these declare its shape.

Datetime columns use SQLModel's UTC type: aware values in, aware UTC values out, stored on
SQLite as ``'YYYY-MM-DD HH:MM:SS.ffffff'`` text in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, and_, func
from sqlmodel import Field, SQLModel


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    parent: str = ""
    place: str = ""
    signer_title: str = ""
    signer_name: str = ""
    letter_suffix: str = "PXL"
    office_hours: str = "07:00-11:30,13:30-17:00"
    saturday_hours: str = ""
    saturday_counts: bool = False
    apology_lead_days: int = 1
    email: str = ""
    short_name: str = ""
    letter_template: str = "tt03-2025"
    created_at: datetime


class ProcedureRow(SQLModel, table=True):
    __tablename__ = "procedure"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    field: str
    level: str = ""
    limit_text: str
    limit_amount: str  # a decimal written as text: "3", "0.5"
    limit_unit: str
    cutoff: str | None = None  # "15:00"
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    valid_from: date | None = None
    valid_to: date | None = None
    created_at: datetime


class DossierRow(SQLModel, table=True):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_status_due", "status", "due_at"),
        # statistics: finished since the period's start and received before its end; the
        # receipt is read from the index, so rows received later are never fetched (0007)
        Index("ix_dossier_completed_received", "completed_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    procedure_id: int = Field(foreign_key="procedure.id", index=True)
    receiving_agency_id: int = Field(foreign_key="agency.id")
    processing_agency_id: int = Field(foreign_key="agency.id", index=True)
    returning_agency_id: int = Field(foreign_key="agency.id")
    applicant_name: str
    applicant_kind: str = "ca-nhan"
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    summary: str = ""
    channel: str
    received_at: datetime = Field(index=True)
    original_due_at: datetime
    due_at: datetime
    declared_due_at: datetime | None = None  # as given by an imported file, kept beside ours
    status: str
    completed_at: datetime | None = None  # indexed with received_at (see above)
    returned_at: datetime | None = Field(default=None, index=True)
    supplement_requests: int = 0
    extended: bool = False
    version: int = 1  # incremented by every change: compare-and-set for concurrent writers
    created_at: datetime
    updated_at: datetime
    # domain.search.search_text(applicant_name, code, phone), written with every change;
    # on SQLite the FTS5 table dossier_fts indexes it (storage.search, migration 0004)
    search_text: str = Field(default="", sa_column_kwargs={"server_default": ""})


def _finished() -> Any:
    return func.coalesce(DossierRow.__table__.c.completed_at, DossierRow.__table__.c.returned_at)  # type: ignore[attr-defined]


def _late_unextended() -> Any:
    table = DossierRow.__table__  # type: ignore[attr-defined]
    return and_(table.c.extended.is_(False), _finished() > table.c.original_due_at)


# The sweep's "finished late without an extension" (workflow._finished_late_unextended): a
# few per cent of the finished dossiers, found without reading the others (migration 0005).
# The partial WHERE must stay the same terms as that query's, or SQLite will not use it.
Index(
    "ix_dossier_late_finished",
    _finished(),
    sqlite_where=_late_unextended(),
    postgresql_where=_late_unextended(),
)


class DossierEventRow(SQLModel, table=True):
    """Append-only history: who, when, what, old and new values, reason."""

    __tablename__ = "dossier_event"
    __table_args__ = (
        UniqueConstraint("dossier_id", "seq", name="uq_dossier_event_seq"),
        # statistics: dossiers withdrawn, refused or stopped since a date
        Index("ix_dossier_event_kind_at", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")  # indexed by the unique key it starts (0006)
    seq: int
    kind: str
    at: datetime  # when it happened
    recorded_at: datetime  # when it was written
    actor: str
    field: str = ""
    old_value: str | None = None
    new_value: str | None = None
    reason: str = ""


class CalendarEditRow(SQLModel, table=True):
    """An administrator's calendar edit; it wins over the package and the shipped file."""

    __tablename__ = "calendar_edit"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True, index=True)
    kind: str
    reason: str
    actor: str
    created_at: datetime


class LetterRow(SQLModel, table=True):
    """An apology letter: a draft (no number) until issued; issued letters never change."""

    __tablename__ = "letter"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", unique=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)  # the issuing agency
    status: str = Field(index=True)
    year: int | None = None
    number: int | None = None
    number_text: str | None = None
    reason: str = ""
    new_due_at: datetime | None = None
    original_due_at: datetime
    apology_deadline: date | None = None
    late: bool = False
    issued_at: datetime | None = None  # the date the letter bears (`letters issue --at`)
    recorded_at: datetime | None = None  # when the ledger learnt of it (migration 0009)
    template: str = ""
    path: str | None = None
    sha256: str | None = None
    created_at: datetime
    created_by: str
    issued_by: str | None = None


class LetterCounterRow(SQLModel, table=True):
    """The last number issued per agency and year: numbers are gapless, from 01."""

    __tablename__ = "letter_counter"

    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0


class FlagRow(SQLModel, table=True):
    """A sweep flag; unique per dossier, kind and due-time version, so re-runs add nothing."""

    __tablename__ = "sweep_flag"
    __table_args__ = (
        UniqueConstraint("dossier_id", "kind", "due_at", name="uq_sweep_flag_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")  # indexed by the unique key it starts (0006)
    kind: str
    due_at: datetime
    run_id: int | None = Field(default=None, foreign_key="sweep_run.id")
    created_at: datetime


class SweepRunRow(SQLModel, table=True):
    """One sweep: when, for which instant, what it found, and how it ended."""

    __tablename__ = "sweep_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    finished_at: datetime | None = None
    as_of: datetime = Field(index=True)
    outcome: str  # running | ok | failed
    at_risk: int = 0
    overdue: int = 0
    late_without_apology: int = 0
    supplement_expired: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    newly_flagged: int = 0
    drafts_created: int = 0
    error: str = ""
    trigger: str = "manual"  # manual | scheduled | catch-up


class LeaseRow(SQLModel, table=True):
    """One scheduler per database: the holder renews the lease; it expires if the holder dies."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime
    details: str = ""  # JSON: what the holder runs and when (for `tthc scheduler status`)


class StatsSnapshotRow(SQLModel, table=True):
    """A frozen Biểu 06 report: the numbers as sent, kept when old data is corrected later."""

    __tablename__ = "stats_snapshot"
    __table_args__ = (UniqueConstraint("period_key", "scope", name="uq_stats_snapshot_scope"),)

    id: int | None = Field(default=None, primary_key=True)
    period_key: str  # "report:2026-10", "calendar:2026-Q3", "range:2026-10-01..2026-10-31"
    scope: str = ""  # the agency code; "" for every agency
    first_day: date
    last_day: date
    data: str  # the report as JSON (tthc_tracker.domain.statistics_json)
    frozen_at: datetime
    frozen_by: str
    replaced: int = 0  # how many times it was frozen again with --replace
