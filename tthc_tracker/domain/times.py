"""Instants as users write them, and as the product prints them.

All instants are timezone-aware. Local time is Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tthc_tracker.domain.errors import EmptyFieldError, InvalidClockError, InvalidTimeError

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_LOCAL_PATTERNS = (
    ("%Y-%m-%d %H:%M", r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}"),
    ("%Y-%m-%d %H:%M:%S", r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}"),
    ("%d/%m/%Y %H:%M", r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}"),
    ("%d/%m/%Y %H:%M:%S", r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}"),
)
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def nfc(text: str) -> str:
    """Unicode NFC with surrounding blanks removed: every stored text goes through this."""
    return unicodedata.normalize("NFC", text).strip()


def parse_instant(text: str, field: str) -> datetime:
    """Parse a user-written instant.

    Accepts ``YYYY-MM-DD HH:MM[:SS]`` and ``DD/MM/YYYY HH:MM[:SS]`` as local Vietnamese time,
    and ISO 8601 with an explicit offset (``2026-03-02T09:00:00+07:00``, ``…Z``).
    """
    raw = nfc(text)
    if not raw:
        raise EmptyFieldError(field)
    for fmt, pattern in _LOCAL_PATTERNS:
        if re.fullmatch(pattern, raw):
            try:
                return datetime.strptime(raw, fmt).replace(tzinfo=LOCAL_TZ)
            except ValueError as exc:
                raise InvalidTimeError(field, raw) from exc
    if "T" in raw and _OFFSET.search(raw):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidTimeError(field, raw) from exc
        return parsed.astimezone(LOCAL_TZ)
    raise InvalidTimeError(field, raw)


def parse_date(text: str, field: str) -> date:
    """Parse ``YYYY-MM-DD`` or ``DD/MM/YYYY``."""
    raw = nfc(text)
    if not raw:
        raise EmptyFieldError(field)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    raise InvalidTimeError(field, raw, date_only=True)


def parse_clock(text: str, field: str) -> time:
    """Parse a clock time ``HH:MM`` or ``HH:MM:SS`` (also ``15h``, ``15h30``)."""
    raw = nfc(text).lower()
    if not raw:
        raise EmptyFieldError(field)
    match = re.fullmatch(r"(\d{1,2})(?::|h)(\d{2})?(?::(\d{2}))?|(\d{1,2})h", raw)
    if not match or (match.group(3) and not match.group(2)):
        raise InvalidClockError(field, raw)
    hour = int(match.group(1) or match.group(4))
    minute = int(match.group(2) or 0)
    second = int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidClockError(field, raw)
    return time(hour, minute, second)


def local(instant: datetime) -> datetime:
    """The instant in Vietnamese local time."""
    return instant.astimezone(LOCAL_TZ)


def iso(instant: datetime | None) -> str | None:
    """ISO 8601 with ``+07:00``, as ``--json`` prints instants."""
    return None if instant is None else local(instant).isoformat()


def show(instant: datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` in local time, as clerks read it."""
    return "" if instant is None else local(instant).strftime("%d/%m/%Y %H:%M")


WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def weekday_name(day: date) -> str:
    return WEEKDAY_NAMES[day.weekday()]
