"""Statistics periods (domain.md §6): report periods and calendar periods, in local time.

A *report* period follows ND 09/2019: the month runs from the 15th of the previous month to
the 14th; a quarter from the 15th of the month before it to the 14th of its last month; the
6-month, 9-month and yearly periods from 15/12 of the previous year to the 14th of June,
September and December. A *calendar* period runs from the 1st to the last day of its months.
Any other range is given by its first and last day.

A period covers the instants ``[start, end)``: ``start`` is 00:00 of its first day and ``end``
00:00 of the day after its last day, both in Asia/Ho_Chi_Minh time, never UTC.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from tthc_tracker.domain.errors import InputError
from tthc_tracker.domain.times import LOCAL_TZ, nfc, parse_date
from tthc_tracker.i18n import _

REPORT_DAY = 15  # a report period starts on the 15th and ends on the 14th
ROMAN = ("I", "II", "III", "IV")


class PeriodKind(StrEnum):
    REPORT = "report"  # kỳ báo cáo: 15th to 14th
    CALENDAR = "calendar"  # tháng/quý/năm dương lịch
    RANGE = "range"  # any first and last day

    @classmethod
    def parse(cls, text: str) -> PeriodKind:
        value = nfc(text).lower()
        if value in (cls.REPORT, cls.CALENDAR):
            return cls(value)
        raise InputError("--period", text, _("chỉ nhận “report” hoặc “calendar”"))


@dataclass(frozen=True, slots=True)
class Period:
    """A statistics period. Month-based periods keep their year, first month and length in
    months, so the previous period (for a trend) is the same span one step earlier."""

    kind: PeriodKind
    first: date  # first day, included
    last: date  # last day, included
    year: int = 0
    month: int = 0  # the first calendar month of a month-based period (1-12); 0 for a range
    months: int = 0  # how many months: 1, 3, 6, 9, 12; 0 for a range
    # 00:00 of the first day and of the day after the last one, computed once (compared for
    # every record of a report)
    start: datetime = field(init=False, repr=False, compare=False)
    end: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        midnight = datetime.min.time()
        object.__setattr__(self, "start", datetime.combine(self.first, midnight, LOCAL_TZ))
        end = datetime.combine(self.last + timedelta(days=1), midnight, LOCAL_TZ)
        object.__setattr__(self, "end", end)

    @property
    def label(self) -> str:
        """``2026-10``, ``2026-Q3``, ``2026-6T``, ``2026-9T``, ``2026``, or a range
        ``2026-10-01..2026-10-31``."""
        if self.kind is PeriodKind.RANGE:
            return f"{self.first.isoformat()}..{self.last.isoformat()}"
        if self.months == 1:
            return f"{self.year}-{self.month:02d}"
        if self.months == 3:
            return f"{self.year}-Q{(self.month - 1) // 3 + 1}"
        if self.months in (6, 9):
            return f"{self.year}-{self.months}T"
        return str(self.year)

    @property
    def short_name(self) -> str:
        """For a chart's axis, as Vietnamese write them: ``10/2026``, ``Q3/2026``,
        ``6T/2026``, ``2026``, ``01/10–31/10/2026``."""
        if self.kind is PeriodKind.RANGE:
            return f"{self.first:%d/%m}–{self.last:%d/%m/%Y}"
        if self.months == 1:
            return f"{self.month:02d}/{self.year}"
        if self.months == 3:
            return f"Q{(self.month - 1) // 3 + 1}/{self.year}"
        if self.months in (6, 9):
            return f"{self.months}T/{self.year}"
        return str(self.year)

    @property
    def key(self) -> str:
        """What a snapshot is stored under: ``report:2026-10``, ``range:2026-10-01..…``."""
        return f"{self.kind.value}:{self.label}"

    @property
    def name(self) -> str:
        """``Tháng 10/2026``, ``Quý III/2026``, ``6 tháng đầu năm 2026``, ``Năm 2026``."""
        if self.kind is PeriodKind.RANGE:
            return self.dates_text()
        if self.months == 1:
            return _("Tháng {m}/{y}").format(m=self.month, y=self.year)
        if self.months == 3:
            return _("Quý {q}/{y}").format(q=ROMAN[(self.month - 1) // 3], y=self.year)
        if self.months in (6, 9):
            return _("{n} tháng đầu năm {y}").format(n=self.months, y=self.year)
        return _("Năm {y}").format(y=self.year)

    def dates_text(self) -> str:
        """``Từ ngày 15/09/2026 đến ngày 14/10/2026``."""
        return _("Từ ngày {first} đến ngày {last}").format(
            first=f"{self.first:%d/%m/%Y}", last=f"{self.last:%d/%m/%Y}"
        )

    def is_closed(self, now: datetime) -> bool:
        return now >= self.end

    def shifted(self, steps: int) -> Period:
        """The same kind of period ``steps`` periods earlier (negative: later)."""
        if self.kind is PeriodKind.RANGE:
            length = (self.last - self.first).days + 1
            offset = timedelta(days=length * steps)
            return Period(self.kind, self.first - offset, self.last - offset)
        index = self.year * 12 + self.month - 1 - self.months * steps
        return month_based(self.kind, index // 12, index % 12 + 1, self.months)

    def trend(self, count: int = 12) -> list[Period]:
        """The ``count`` periods ending with this one, oldest first."""
        return [self.shifted(steps) for steps in range(count - 1, -1, -1)]


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _month_end(year: int, month: int) -> date:
    return date(year, month, _stdlib_calendar.monthrange(year, month)[1])


def month_based(kind: PeriodKind, year: int, month: int, months: int) -> Period:
    """The period of ``months`` calendar months starting with ``month`` of ``year``."""
    last_index = year * 12 + month - 1 + months - 1
    last_year, last_month = last_index // 12, last_index % 12 + 1
    if kind is PeriodKind.CALENDAR:
        first, last = _month_start(year, month), _month_end(last_year, last_month)
    else:
        before = year * 12 + month - 2
        first = date(before // 12, before % 12 + 1, REPORT_DAY)
        last = date(last_year, last_month, REPORT_DAY - 1)
    return Period(kind, first, last, year, month, months)


_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-[Qq](\d)")
_PART_YEAR = re.compile(r"(\d{4})-(6|9)[TtMm]")
_YEAR = re.compile(r"\d{4}")
_RANGE = re.compile(r"(.+?)\s*(?:\.\.|→)\s*(.+)")


def parse_month(text: str, kind: PeriodKind) -> Period:
    match = _MONTH.fullmatch(nfc(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(_("tháng"), text, _("cần dạng YYYY-MM với tháng từ 1 đến 12"))
    return month_based(kind, int(match.group(1)), int(match.group(2)), 1)


def parse_quarter(text: str, kind: PeriodKind) -> Period:
    match = _QUARTER.fullmatch(nfc(text))
    if not match or not 1 <= int(match.group(2)) <= 4:
        raise InputError(_("quý"), text, _("cần dạng YYYY-Qn với quý từ 1 đến 4"))
    return month_based(kind, int(match.group(1)), (int(match.group(2)) - 1) * 3 + 1, 3)


def parse_year(text: str, kind: PeriodKind, months: int = 12) -> Period:
    if not _YEAR.fullmatch(nfc(text)):
        raise InputError(_("năm"), text, _("cần dạng YYYY"))
    if months not in (6, 9, 12):
        raise InputError("--months", months, _("chỉ nhận 6, 9 hoặc 12"))
    return month_based(kind, int(nfc(text)), 1, months)


def parse_range(first_text: str, last_text: str) -> Period:
    first = parse_date(first_text, "--from")
    last = parse_date(last_text, "--to")
    if first > last:
        raise InputError(
            "--from",
            first_text,
            _("ngày bắt đầu {first} sau ngày kết thúc {last}").format(
                first=f"{first:%d/%m/%Y}", last=f"{last:%d/%m/%Y}"
            ),
        )
    return Period(PeriodKind.RANGE, first, last)


def parse_period(text: str, kind: PeriodKind) -> Period:
    """Any period written as its label: ``2026-10``, ``2026-Q3``, ``2026-6T``, ``2026-9T``,
    ``2026`` or ``2026-10-01..2026-10-31`` (a range ignores ``kind``)."""
    raw = nfc(text)
    if _YEAR.fullmatch(raw):
        return parse_year(raw, kind)
    if match := _PART_YEAR.fullmatch(raw):
        return parse_year(match.group(1), kind, int(match.group(2)))
    if _QUARTER.fullmatch(raw):
        return parse_quarter(raw, kind)
    if _MONTH.fullmatch(raw):
        return parse_month(raw, kind)
    if match := _RANGE.fullmatch(raw):
        return parse_range(match.group(1), match.group(2))
    raise InputError(
        _("kỳ"),
        text,
        _("cần dạng 2026-10, 2026-Q3, 2026-6T, 2026-9T, 2026 hoặc 2026-10-01..2026-10-31"),
    )


def last_closed(now: datetime, kind: PeriodKind = PeriodKind.REPORT) -> Period:
    """The latest month-long period that has ended at ``now``."""
    today = now.astimezone(LOCAL_TZ).date()
    period = month_based(kind, today.year, today.month, 1)
    while not period.is_closed(now):
        period = period.shifted(1)
    return period
