"""Agencies (cơ quan, đơn vị) and procedures (thủ tục hành chính) as domain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from tthc_tracker.domain.calendar import OfficeHours
from tthc_tracker.domain.errors import EmptyFieldError, InputError
from tthc_tracker.domain.limits import TimeLimit
from tthc_tracker.domain.times import nfc

DEFAULT_OFFICE_HOURS = "07:00-11:30,13:30-17:00"


def required(value: str, field: str) -> str:
    """NFC text that must not be empty."""
    clean = nfc(value)
    if not clean:
        raise EmptyFieldError(field)
    return clean


def code(value: str, field: str) -> str:
    """An opaque code (mã): NFC, no blanks inside, never parsed as a number."""
    clean = required(value, field)
    if any(ch.isspace() for ch in clean):
        raise InputError(field, clean, "mã không được chứa khoảng trắng")
    return clean


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    parent: str = ""
    place: str = ""
    signer_title: str = ""
    signer_name: str = ""
    letter_suffix: str = "PXL"
    hours: OfficeHours = field(default_factory=lambda: OfficeHours.parse(DEFAULT_OFFICE_HOURS))
    apology_lead_days: int = 1
    email: str = ""
    short_name: str = ""  # how the body of a letter names the agency ("Sở Tư pháp")
    letter_template: str = "tt03-2025"  # a shipped template name or a .docx path


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    name: str
    field: str
    limit: TimeLimit
    limit_text: str
    level: str = ""
    cutoff: time | None = None
    agency_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
