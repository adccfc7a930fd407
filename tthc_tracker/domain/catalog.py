"""Agencies (cơ quan, đơn vị) and procedures (thủ tục hành chính) as domain values."""

from __future__ import annotations

import re
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


HIDDEN = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
CODE_BLANK = re.compile(f"[\\s{HIDDEN}]")
"""A blank, or a character that shows as nothing (zero-width space, BOM, soft hyphen,
direction marks), inside a code: "ZW-1" with a hidden U+200B would be a second dossier that
looks the same as "ZW-1" in every list."""
CODE_BLANK_REASON = "mã không được chứa khoảng trắng hay ký tự ẩn (như dấu cách độ rộng 0)"


def code(value: str, field: str) -> str:
    """An opaque code (mã): NFC, no blanks or invisible characters inside, never parsed as a
    number."""
    clean = required(value, field)
    if CODE_BLANK.search(clean):
        raise InputError(field, clean, CODE_BLANK_REASON)
    return clean


def one_line(value: str, field: str, longest: int) -> str:
    """Typed free text (a name, an address): NFC, on one line, no longer than ``longest``
    characters. A tab, a line break or another control character is refused, not kept:
    it would break every list and table the text is printed in."""
    clean = nfc(value)
    if any(_control(ch) for ch in clean):
        shown = "".join(repr(ch)[1:-1] if _control(ch) else ch for ch in clean)
        raise InputError(field, shown, "không được chứa ký tự xuống dòng, tab hay ký tự điều khiển")
    if len(clean) > longest:
        raise InputError(field, clean[:40] + "…", f"dài {len(clean)} ký tự, tối đa {longest}")
    return clean


def _control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0


def email_address(value: str, field: str) -> str:
    """An e-mail address, or empty: one "@", something before it, a dotted domain after."""
    clean = one_line(value, field, 254)
    if clean and not _EMAIL.fullmatch(clean):
        raise InputError(field, clean, "không phải địa chỉ thư điện tử (ví dụ: ten@example.vn)")
    return clean


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def level_text(value: str, field: str) -> str:
    """A procedure's level (cấp thực hiện), or empty: "Cấp tỉnh", "Cấp xã", "Cấp bộ" … with its
    first letter in capitals. A level is a row group of Biểu 06: a stray word there would
    print as a group of its own."""
    clean = " ".join(nfc(value).split())
    if not clean:
        return ""
    if not clean.casefold().startswith("cấp "):
        raise InputError(field, clean, "cấp thực hiện phải là “Cấp tỉnh”, “Cấp xã”, “Cấp bộ” …")
    return "Cấp " + clean[4:]


def phone_text(value: str, field: str) -> str:
    """A typed phone number, or empty: digits with the usual separators ("0912 345 678",
    "(028) 3822 1234", "+84 912.345.678")."""
    clean = one_line(value, field, 40)
    if clean and (not _PHONE.fullmatch(clean) or not any(ch.isdigit() for ch in clean)):
        raise InputError(field, clean, "số điện thoại chỉ gồm chữ số và các dấu + ( ) . - /")
    return clean


_PHONE = re.compile(r"[0-9 +().\-/]+")


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
