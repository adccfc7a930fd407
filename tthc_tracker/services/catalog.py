"""Agencies and procedures: adding and listing them."""

from __future__ import annotations

from datetime import datetime

from tthc_tracker.domain.calendar import OfficeHours
from tthc_tracker.domain.catalog import (
    DEFAULT_OFFICE_HOURS,
    Agency,
    Procedure,
    code,
    email_address,
    level_text,
    required,
)
from tthc_tracker.domain.errors import InputError
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.times import nfc, parse_clock
from tthc_tracker.storage.db import Database


def new_agency(
    agency_code: str,
    *,
    name: str,
    parent: str = "",
    place: str = "",
    signer_title: str = "",
    signer_name: str = "",
    letter_suffix: str = "PXL",
    office_hours: str = DEFAULT_OFFICE_HOURS,
    saturday_hours: str = "",
    saturday_counts: bool = False,
    apology_lead_days: int = 1,
    email: str = "",
    short_name: str = "",
    letter_template: str = "tt03-2025",
) -> Agency:
    """Validate and normalise an agency's fields (NFC, required names, office hours)."""
    if apology_lead_days < 1:
        raise InputError("--apology-lead-days", apology_lead_days, "phải từ 1 ngày làm việc")
    return Agency(
        code=code(agency_code, "mã cơ quan"),
        name=required(name, "--name"),
        parent=nfc(parent),
        place=nfc(place),
        signer_title=nfc(signer_title),
        signer_name=nfc(signer_name),
        letter_suffix=code(letter_suffix, "--letter-suffix"),
        hours=OfficeHours.parse(
            nfc(office_hours), nfc(saturday_hours), saturday_counts=saturday_counts
        ),
        apology_lead_days=apology_lead_days,
        email=email_address(email, "--email"),
        short_name=nfc(short_name),
        letter_template=required(letter_template, "--letter-template"),
    )


def add_agency(db: Database, agency: Agency, now: datetime) -> Agency:
    db.run(lambda repo: repo.add_agency(agency, now))
    return agency


def list_agencies(db: Database) -> list[Agency]:
    with db.transaction() as repo:
        return repo.list_agencies()


def new_procedure(
    procedure_code: str,
    *,
    name: str,
    field: str,
    limit: str,
    level: str = "",
    cutoff: str | None = None,
    agency: str | None = None,
) -> Procedure:
    """Validate a procedure; the limit is parsed the way catalogues write it."""
    limit_text = required(limit, "--limit")
    return Procedure(
        code=code(procedure_code, "mã thủ tục"),
        name=required(name, "--name"),
        field=required(field, "--field"),
        level=level_text(level, "--level"),
        limit=parse_limit(limit_text),
        limit_text=limit_text,
        cutoff=parse_clock(cutoff, "--cutoff") if cutoff is not None else None,
        agency_code=code(agency, "--agency") if agency else None,
    )


def add_procedure(db: Database, procedure: Procedure, now: datetime) -> Procedure:
    db.run(lambda repo: repo.add_procedure(procedure, now))
    return procedure


def list_procedures(db: Database) -> list[Procedure]:
    with db.transaction() as repo:
        return repo.list_procedures()
