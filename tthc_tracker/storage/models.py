"""The database tables (SQLModel). Alembic migrations own the schema; these declare its shape.

Datetime columns use SQLModel's UTC type: aware values in, aware UTC values out, stored on
SQLite as ``'YYYY-MM-DD HH:MM:SS.ffffff'`` text in UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
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
    __table_args__ = (Index("ix_dossier_status_due", "status", "due_at"),)

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
    completed_at: datetime | None = None
    returned_at: datetime | None = None
    supplement_requests: int = 0
    extended: bool = False
    version: int = 1  # incremented by every change: compare-and-set for concurrent writers
    created_at: datetime
    updated_at: datetime


class DossierEventRow(SQLModel, table=True):
    """Append-only history: who, when, what, old and new values, reason."""

    __tablename__ = "dossier_event"
    __table_args__ = (UniqueConstraint("dossier_id", "seq", name="uq_dossier_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
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
