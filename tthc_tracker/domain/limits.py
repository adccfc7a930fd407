"""Time limits (thời hạn giải quyết) as procedure catalogues write them.

"03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", "0,5 ngày làm việc", "4 giờ làm việc",
"15 ngày", "1 tháng", "Trong ngày", and English aliases ("3 working days").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from tthc_tracker.domain.errors import InputError, InvalidLimitError
from tthc_tracker.domain.search import fold

WORKING_DAY_SECONDS = 8 * 3600
"""A working day is 8 working hours (domain.md §5.2)."""


class LimitUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    SAME_DAY = "same_day"


_UNIT_WORDS_VI = {
    LimitUnit.WORKING_DAYS: "ngày làm việc",
    LimitUnit.WORKING_HOURS: "giờ làm việc",
    LimitUnit.CALENDAR_DAYS: "ngày",
    LimitUnit.MONTHS: "tháng",
}


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A legal time limit: a positive amount of a unit (``SAME_DAY`` has amount 0)."""

    amount: Decimal
    unit: LimitUnit

    @property
    def working_seconds(self) -> int:
        """The limit in working seconds, for the working-time units."""
        if self.unit is LimitUnit.WORKING_DAYS:
            return int(self.amount * WORKING_DAY_SECONDS)
        if self.unit is LimitUnit.WORKING_HOURS:
            return int(self.amount * 3600)
        raise ValueError(f"{self.unit} is not counted in working time")

    @property
    def counts_working_time(self) -> bool:
        return self.unit in (LimitUnit.WORKING_DAYS, LimitUnit.WORKING_HOURS)

    def text(self) -> str:
        """The limit in Vietnamese catalogue style: "3 ngày làm việc", "0,5 ngày làm việc"."""
        if self.unit is LimitUnit.SAME_DAY:
            return "Trong ngày"
        amount = format(self.amount.normalize(), "f").replace(".", ",")
        return f"{amount} {_UNIT_WORDS_VI[self.unit]}"


_SAME_DAY = re.compile(r"^(ngay )?trong (ngay lam viec|ngay)\b|^same day$|^within the day$")
_AMOUNT_UNIT = re.compile(
    r"^(?:trong (?:vong |thoi han |thoi gian )?|khong qua |toi da |within )?"
    r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?:\([a-z ]+\)\s*)?"  # "05 (năm) ngày làm việc"
    r"(?P<unit>ngay lam viec|ngay \(lam viec\)|working days?|gio lam viec|working hours?|"
    r"gio|hours?|ngay|calendar days?|days?|thang|months?)"
    r"(?P<rest>\b.*)?$"
)
# Text after the unit may say from when the limit counts ("kể từ ngày nhận đủ hồ sơ"), but
# never add another amount or unit: "1 giờ 30 phút", "3 ngày 4 giờ", "1 ngày rưỡi".
_MORE_AMOUNT = re.compile(r"^\W*(\d|ruoi|gio\b|phut\b|ngay\b|thang\b|hours?\b|minutes?\b|days?\b)")
# … nor another case with its own limit ("15 ngày làm việc; trường hợp phải xác minh 20
# ngày", "1 ngày làm việc hoặc 2 ngày"), nor a next day ("trong ngày làm việc tiếp theo"):
# which one applies is the catalogue editor's call, never the parser's.
_ANOTHER_AMOUNT = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:\([a-z ]+\)\s*)?(?:ngay|gio|thang|tuan|phut|working|hours?|days?|"
    r"months?)\b"
)
_ALTERNATIVE = re.compile(
    _ANOTHER_AMOUNT.pattern + r"|\btruong hop\b|\bhoac\b|\bdoi voi\b|\btiep theo\b|"
    r"\bke tiep\b|\bhom sau\b|\bnext\b|\bor\b"
)
# The one case kept: the next working day for a receipt after 15:00 ("Trong ngày …, hoặc
# trong ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ") is the procedure's cut-off
# (ND 23/2015 Art. 7), set apart as such (`--cutoff 15:00`), not a second limit.
_CUTOFF_CLAUSE = re.compile(r"\bsau \d+\s*(?:gio|h)\b(?:\s*\d+\s*phut\b)?")


def _has_alternative(rest: str) -> bool:
    if _CUTOFF_CLAUSE.search(rest):
        return bool(_ANOTHER_AMOUNT.search(_CUTOFF_CLAUSE.sub(" ", rest)))
    return bool(_ALTERNATIVE.search(rest))


_UNITS = {
    "ngay lam viec": LimitUnit.WORKING_DAYS,
    "ngay (lam viec)": LimitUnit.WORKING_DAYS,
    "working day": LimitUnit.WORKING_DAYS,
    "working days": LimitUnit.WORKING_DAYS,
    "gio lam viec": LimitUnit.WORKING_HOURS,
    "working hour": LimitUnit.WORKING_HOURS,
    "working hours": LimitUnit.WORKING_HOURS,
    # "giờ" in a catalogue means office hours: procedures are handled in working time.
    "gio": LimitUnit.WORKING_HOURS,
    "hour": LimitUnit.WORKING_HOURS,
    "hours": LimitUnit.WORKING_HOURS,
    "ngay": LimitUnit.CALENDAR_DAYS,
    "day": LimitUnit.CALENDAR_DAYS,
    "days": LimitUnit.CALENDAR_DAYS,
    "calendar day": LimitUnit.CALENDAR_DAYS,
    "calendar days": LimitUnit.CALENDAR_DAYS,
    "thang": LimitUnit.MONTHS,
    "month": LimitUnit.MONTHS,
    "months": LimitUnit.MONTHS,
}


def parse_limit(text: str) -> TimeLimit:
    """Parse a catalogue time limit; raise :class:`InvalidLimitError` if it cannot be read."""
    folded = fold(text)
    if not folded:
        raise InvalidLimitError(text)
    same_day = _SAME_DAY.match(folded)
    if same_day:
        if _has_alternative(folded[same_day.end() :]):
            raise InvalidLimitError(text, alternatives=True)
        return TimeLimit(Decimal(0), LimitUnit.SAME_DAY)
    match = _AMOUNT_UNIT.match(folded)
    if not match:
        raise InvalidLimitError(text)
    if _has_alternative(match.group("rest") or ""):
        raise InvalidLimitError(text, alternatives=True)
    try:
        amount = Decimal(match.group("amount").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise InvalidLimitError(text) from exc
    unit = _UNITS[match.group("unit")]
    if amount <= 0 or _MORE_AMOUNT.match(match.group("rest") or ""):
        raise InvalidLimitError(text)
    if unit in (LimitUnit.CALENDAR_DAYS, LimitUnit.MONTHS) and amount != amount.to_integral():
        raise InvalidLimitError(text)
    limit = TimeLimit(amount, unit)
    if limit.counts_working_time and limit.working_seconds < 60:
        raise InvalidLimitError(text)
    if amount > _LONGEST[unit]:
        raise InputError(
            "thời hạn",
            text,
            f"dài quá {_LONGEST[unit]} {_UNIT_WORDS_VI[unit]}: không thủ tục nào có thời hạn "
            "như vậy",
        )
    return limit


# Longer than about two years is a typing mistake, not a procedure's time limit.
_LONGEST = {
    LimitUnit.WORKING_DAYS: Decimal(500),
    LimitUnit.WORKING_HOURS: Decimal(4000),
    LimitUnit.CALENDAR_DAYS: Decimal(730),
    LimitUnit.MONTHS: Decimal(24),
    LimitUnit.SAME_DAY: Decimal(0),
}


def limit_from_parts(amount: str | Decimal, unit: str) -> TimeLimit:
    """Rebuild a stored limit (amount + unit)."""
    return TimeLimit(Decimal(amount), LimitUnit(unit))
