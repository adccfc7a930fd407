"""WorkCalendar: working days, office hours, holidays and worked Saturdays, as data.

Working time is counted on a single axis: the number of working seconds since the start of
the calendar's first year. ``ordinal(t)`` maps an instant onto it (constant outside office
hours) and ``instant_at(n)`` maps back to the *earliest* instant at which ``n`` working
seconds have elapsed. Adding working time is then an addition, and the working time between
two instants a subtraction (domain.md §5.2). The same tables drive a vectorised path for bulk
recomputation (:mod:`tthc_tracker.domain.bulk`).
"""

from __future__ import annotations

import bisect
import calendar as _stdlib_calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from tthc_tracker.domain.errors import CalendarRangeError, InvalidOfficeHoursError
from tthc_tracker.domain.times import LOCAL_TZ, local
from tthc_tracker.i18n import _

SATURDAY = 5
SUNDAY = 6
DAY_SECONDS = 86400


class DayKind(StrEnum):
    OFF = "off"  # a weekday off: holiday, compensatory day, swapped day
    WORKDAY = "workday"  # a day worked although it would be off (worked Saturday)
    REMOVE = "remove"  # cancels what an earlier layer said of the date


class Origin(StrEnum):
    PACKAGE = "package"  # the `holidays` package
    SHIPPED = "shipped"  # data/calendar.toml, with the announcing document
    ADMIN = "admin"  # an administrator's edit stored in the database


@dataclass(frozen=True, slots=True)
class DayRule:
    """What one layer of calendar data says of one date."""

    day: date
    kind: DayKind
    name: str
    source: str
    origin: Origin


def merge_rules(*layers: Iterable[DayRule]) -> dict[date, DayRule]:
    """Combine layers; a later layer wins for the same date and REMOVE cancels the date."""
    merged: dict[date, DayRule] = {}
    for layer in layers:
        for rule in layer:
            if rule.kind is DayKind.REMOVE:
                merged.pop(rule.day, None)
            else:
                merged[rule.day] = rule
    return merged


Session = tuple[int, int]  # seconds since local midnight: [start, end)


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def _parse_sessions(text: str) -> tuple[Session, ...]:
    sessions: list[Session] = []
    for part in text.replace(";", ",").split(","):
        chunk = part.strip()
        if not chunk:
            continue
        pieces = [p.strip() for p in chunk.replace("–", "-").split("-")]
        if len(pieces) != 2:
            raise InvalidOfficeHoursError(text, _("mỗi buổi viết dạng HH:MM-HH:MM"))
        try:
            opens, closes = (time.fromisoformat(p if len(p) > 4 else "0" + p) for p in pieces)
        except ValueError as exc:
            raise InvalidOfficeHoursError(text, _("giờ viết dạng HH:MM")) from exc
        sessions.append((_seconds(opens), _seconds(closes)))
    if not sessions:
        raise InvalidOfficeHoursError(text, _("cần ít nhất một buổi làm việc"))
    previous_end = -1
    for start, end in sessions:
        if end <= start or start < previous_end:
            raise InvalidOfficeHoursError(
                text, _("các buổi phải theo thứ tự, không chồng lên nhau")
            )
        previous_end = end
    return tuple(sessions)


def _format_sessions(sessions: Sequence[Session]) -> str:
    def clock(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"

    return ",".join(f"{clock(a)}-{clock(b)}" for a, b in sessions)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Office sessions of an agency (default 07:00–11:30 and 13:30–17:00).

    ``saturday`` lists Saturday-morning reception sessions; they count toward deadlines
    only when ``saturday_counts`` is set (domain.md §5.1, a per-agency setting).
    """

    sessions: tuple[Session, ...]
    saturday: tuple[Session, ...] = ()
    saturday_counts: bool = False

    @classmethod
    def parse(cls, text: str, saturday: str = "", *, saturday_counts: bool = False) -> OfficeHours:
        return cls(
            _parse_sessions(text),
            _parse_sessions(saturday) if saturday.strip() else (),
            saturday_counts,
        )

    def text(self) -> str:
        return _format_sessions(self.sessions)

    def saturday_text(self) -> str:
        return _format_sessions(self.saturday) if self.saturday else ""

    @property
    def seconds_per_day(self) -> int:
        return sum(b - a for a, b in self.sessions)


class DayStatus(StrEnum):
    WORKING = "working"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a weekday off (holiday, compensatory day, swap)
    WORKED_WEEKEND = "worked_weekend"  # a weekend day worked (swap), counted in full
    SATURDAY_COUNTED = "saturday_counted"  # Saturday-morning sessions that count


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    status: DayStatus
    working_seconds: int
    name: str = ""
    source: str = ""


@dataclass(slots=True)
class _Tables:
    sessions: list[tuple[Session, ...]] = field(default_factory=list)
    cum_start: list[int] = field(default_factory=list)
    cum_end: list[int] = field(default_factory=list)
    # The local zone's UTC offset (seconds) when it is the same on every day of the range
    # (Asia/Ho_Chi_Minh: +07:00 since 1975), else None; and the range's first day as days
    # since 1970-01-01. With both, ordinal() finds the local day and time by integer
    # arithmetic instead of a time-zone conversion (statistics call it millions of times).
    offset: int | None = None
    first_epoch_day: int = 0


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class WorkCalendar:
    """Working days and hours over a range of years, built from data (never literals)."""

    def __init__(
        self,
        rules: Mapping[date, DayRule],
        first_year: int,
        last_year: int,
        hours: OfficeHours,
        weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY}),
        announced: frozenset[int] | None = None,
    ) -> None:
        self.rules = dict(rules)
        # years whose days off are announced (the data file's [years]); None: not known
        self.announced = announced
        self.first_year = first_year
        self.last_year = last_year
        self.hours = hours
        self.weekend = weekend
        self.first_day = date(first_year, 1, 1)
        self.last_day = date(last_year, 12, 31)
        self._tables = self._build()

    def with_hours(self, hours: OfficeHours) -> WorkCalendar:
        """The same days with another agency's office hours."""
        return WorkCalendar(
            self.rules, self.first_year, self.last_year, hours, self.weekend, self.announced
        )

    def forecast_years(self, start: datetime, end: datetime) -> list[int]:
        """The years from ``start`` to ``end`` whose days off are only forecast by the rules
        (no announced schedule yet): a due time across them may move when it is announced."""
        if self.announced is None:
            return []
        years = range(local(start).year, local(end).year + 1)
        return [year for year in years if year not in self.announced]

    # -- days -------------------------------------------------------------------------------

    def _day_sessions(self, day: date) -> tuple[Session, ...]:
        rule = self.rules.get(day)
        if rule is not None and rule.kind is DayKind.OFF:
            return ()
        if rule is not None and rule.kind is DayKind.WORKDAY:
            return self.hours.sessions
        if day.weekday() in self.weekend:
            if day.weekday() == SATURDAY and self.hours.saturday_counts:
                return self.hours.saturday
            return ()
        return self.hours.sessions

    def _build(self) -> _Tables:
        tables = _Tables()
        total = 0
        offsets = set()
        day = self.first_day
        while day <= self.last_day:
            sessions = self._day_sessions(day)
            tables.sessions.append(sessions)
            tables.cum_start.append(total)
            total += sum(b - a for a, b in sessions)
            tables.cum_end.append(total)
            for hour in (0, 12):  # a change of offset shows at one of the two
                offsets.add(datetime.combine(day, time(hour), LOCAL_TZ).utcoffset())
            day += timedelta(days=1)
        if len(offsets) == 1 and (offset := offsets.pop()) is not None:
            tables.offset = int(offset.total_seconds())
        tables.first_epoch_day = (self.first_day - _EPOCH.date()).days
        return tables

    def _index(self, day: date) -> int:
        if not self.first_day <= day <= self.last_day:
            raise CalendarRangeError(day.isoformat(), self.first_year, self.last_year)
        return (day - self.first_day).days

    def sessions(self, day: date) -> tuple[Session, ...]:
        return self._tables.sessions[self._index(day)]

    def is_working_day(self, day: date) -> bool:
        return bool(self.sessions(day))

    def day_info(self, day: date) -> DayInfo:
        """Whether ``day`` is worked, and why (holiday name, weekend, swap and its document)."""
        seconds = sum(b - a for a, b in self.sessions(day))
        rule = self.rules.get(day)
        weekend = day.weekday() in self.weekend
        if rule is not None and rule.kind is DayKind.OFF:
            status = DayStatus.WEEKEND if weekend else DayStatus.HOLIDAY
            return DayInfo(day, status, 0, rule.name, rule.source)
        if rule is not None and rule.kind is DayKind.WORKDAY:
            status = DayStatus.WORKED_WEEKEND if weekend else DayStatus.WORKING
            return DayInfo(day, status, seconds, rule.name, rule.source)
        if weekend:
            status = DayStatus.SATURDAY_COUNTED if seconds else DayStatus.WEEKEND
            return DayInfo(day, status, seconds)
        return DayInfo(day, DayStatus.WORKING, seconds)

    def next_working_day(self, day: date) -> date:
        """``day`` itself if worked, else the next working day."""
        index = self._index(day)
        sessions = self._tables.sessions
        while not sessions[index]:
            index += 1
            if index >= len(sessions):
                raise CalendarRangeError(day.isoformat(), self.first_year, self.last_year)
        return self.first_day + timedelta(days=index)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        index = self._index(day) - 1
        sessions = self._tables.sessions
        while index >= 0 and not sessions[index]:
            index -= 1
        if index < 0:
            raise CalendarRangeError(day.isoformat(), self.first_year, self.last_year)
        return self.first_day + timedelta(days=index)

    def closing(self, day: date) -> datetime:
        """The closing instant of a working day (end of its last session)."""
        sessions = self.sessions(day)
        if not sessions:
            raise ValueError(f"{day} is not a working day")
        return _at(day, sessions[-1][1])

    def opening(self, day: date) -> datetime:
        sessions = self.sessions(day)
        if not sessions:
            raise ValueError(f"{day} is not a working day")
        return _at(day, sessions[0][0])

    # -- instants ---------------------------------------------------------------------------

    def ordinal(self, instant: datetime) -> int:
        """Working seconds elapsed from the calendar's start up to ``instant``.

        Counting is to the whole second: fractions of a second are dropped.
        """
        tables = self._tables
        if tables.offset is not None and instant.tzinfo is not None:
            since = instant - _EPOCH
            local = since.days * 86400 + since.seconds + tables.offset
            index = local // 86400 - tables.first_epoch_day
            if 0 <= index < len(tables.sessions):
                of_day = local % 86400
                elapsed = tables.cum_start[index]
                for start, end in tables.sessions[index]:
                    if of_day <= start:
                        break
                    elapsed += min(of_day, end) - start
                return elapsed
        moment = instant.astimezone(LOCAL_TZ)
        index = self._index(moment.date())
        of_day = moment.hour * 3600 + moment.minute * 60 + moment.second
        elapsed = self._tables.cum_start[index]
        for start, end in self._tables.sessions[index]:
            if of_day <= start:
                break
            elapsed += min(of_day, end) - start
        return elapsed

    def instant_at(self, ordinal: int) -> datetime:
        """The earliest instant at which ``ordinal`` working seconds have elapsed."""
        tables = self._tables
        index = bisect.bisect_left(tables.cum_end, ordinal)
        if index >= len(tables.cum_end) or ordinal < 0:
            raise CalendarRangeError(str(ordinal), self.first_year, self.last_year, "due")
        remaining = ordinal - tables.cum_start[index]
        if not tables.sessions[index]:
            # Only before the first working day of the range: no working time elapsed yet.
            day = self.next_working_day(self.first_day + timedelta(days=index))
            return self.opening(day)
        day = self.first_day + timedelta(days=index)
        sessions = tables.sessions[index]
        for start, end in sessions:
            if remaining <= end - start:
                return _at(day, start + remaining)
            remaining -= end - start
        return _at(day, sessions[-1][1])  # pragma: no cover - cum tables guarantee a session

    def add_working(self, start: datetime, seconds: int) -> datetime:
        """The earliest instant at which ``seconds`` of working time from ``start`` are used."""
        return self.instant_at(self.ordinal(start) + seconds)

    def working_between(self, start: datetime, end: datetime) -> int:
        """Working seconds from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        return self.ordinal(end) - self.ordinal(start)

    def next_opening(self, instant: datetime) -> datetime:
        """``instant`` if a session is running then, else the next session's start.

        A session's closing instant itself (11:30, 17:00) is not open for new work: a receipt
        at 11:30 starts counting at 13:30.
        """
        moment = instant.astimezone(LOCAL_TZ)
        day = moment.date()
        of_day = moment.hour * 3600 + moment.minute * 60 + moment.second
        for start, end in self.sessions(day):
            if of_day < end:
                return moment if of_day >= start else _at(day, start)
        return self.opening(self.next_working_day(day + timedelta(days=1)))

    def is_working_instant(self, instant: datetime) -> bool:
        """True when the office is open at ``instant`` (a session's closing time included)."""
        moment = instant.astimezone(LOCAL_TZ)
        of_day = moment.hour * 3600 + moment.minute * 60 + moment.second
        return any(a <= of_day <= b for a, b in self.sessions(moment.date()))

    # -- whole-range views ------------------------------------------------------------------

    def tables(self) -> tuple[list[tuple[Session, ...]], list[int], list[int]]:
        """Per-day sessions and cumulative working seconds, for the vectorised path."""
        return self._tables.sessions, self._tables.cum_start, self._tables.cum_end

    def special_days(self, year: int) -> list[DayInfo]:
        """Every weekday off and every weekend day worked in ``year``, with its source."""
        result = []
        for day_number in range(1, 367 if _stdlib_calendar.isleap(year) else 366):
            day = date(year, 1, 1) + timedelta(days=day_number - 1)
            info = self.day_info(day)
            if info.status in (DayStatus.HOLIDAY, DayStatus.WORKED_WEEKEND) or (
                info.status is DayStatus.WEEKEND and info.name
            ):
                result.append(info)
        return result


def _at(day: date, seconds: int) -> datetime:
    return datetime(
        day.year,
        day.month,
        day.day,
        seconds // 3600,
        seconds % 3600 // 60,
        seconds % 60,
        tzinfo=LOCAL_TZ,
    )


def forecast_note(years: Sequence[int]) -> str:
    """What a clerk is told when a due time counts across years not announced yet."""
    return _(
        "Năm {years} chưa có lịch nghỉ được công bố trong dữ liệu: ngày nghỉ của năm đó chỉ "
        "là dự tính theo quy tắc, hạn có thể đổi khi Bộ Nội vụ thông báo (ghi lịch bằng tthc "
        "calendar add-off / add-workday)."
    ).format(years=", ".join(str(year) for year in years))
