"""Due times from the law's counting rules and a dossier's event history (domain.md §5).

The result is always replayed from the receipt instant and the events, so a calendar edit or
a corrected procedure limit gives the right due time for old dossiers too.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from tthc_tracker.domain.calendar import DayInfo, DayStatus, WorkCalendar
from tthc_tracker.domain.dossier import Event, EventKind
from tthc_tracker.domain.errors import ExtensionError
from tthc_tracker.domain.limits import LimitUnit, TimeLimit
from tthc_tracker.domain.times import local, show


@dataclass(frozen=True, slots=True)
class Start:
    """When the clock starts for a receipt, and why it may differ from the receipt."""

    received_at: datetime
    counting_from: datetime
    base_date: date  # the date calendar-day limits count from
    note: str


def effective_start(calendar: WorkCalendar, received_at: datetime, cutoff: time | None) -> Start:
    """Apply the office hours and the per-procedure cut-off (e.g. 15:00) to a receipt."""
    moment = local(received_at)
    day = moment.date()
    if (
        cutoff is not None
        and calendar.is_working_day(day)
        and moment.time().replace(tzinfo=None) > cutoff
    ):
        next_day = calendar.next_working_day(day + timedelta(days=1))
        opening = calendar.opening(next_day)
        return Start(
            received_at,
            opening,
            next_day,
            f"Nhận sau {cutoff:%H:%M}: tính từ ngày làm việc tiếp theo ({show(opening)})",
        )
    opening = calendar.next_opening(received_at)
    if opening != moment:
        # With a cut-off, a receipt on a day off counts from the next working day, as one
        # after the cut-off does (so a later receipt is never due earlier).
        base = local(opening).date() if cutoff is not None else day
        note = f"Nhận ngoài giờ làm việc: tính từ {show(opening)}"
        return Start(received_at, opening, base, note)
    return Start(received_at, opening, day, "")


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def due_from(calendar: WorkCalendar, start: Start, limit: TimeLimit) -> datetime:
    """The due instant of ``limit`` counted from ``start`` (no pauses, no extension)."""
    if limit.counts_working_time:
        return calendar.add_working(start.counting_from, limit.working_seconds)
    if limit.unit is LimitUnit.SAME_DAY:
        return calendar.closing(local(start.counting_from).date())
    if limit.unit is LimitUnit.CALENDAR_DAYS:
        end = start.base_date + timedelta(days=int(limit.amount))
    else:
        end = _add_months(start.base_date, int(limit.amount))
    return calendar.closing(calendar.next_working_day(end))


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """Everything the engine decided about one dossier's due time."""

    start: Start
    legal_due_at: datetime  # by the law: limit, restarts and pauses; never an extension
    due_at: datetime  # the promised time: the extension if there is one, else legal_due_at
    extended_to: datetime | None
    clock_running: bool
    paused_seconds: int  # working time excluded by pauses counted in legal_due_at
    supplement_seconds: int  # working time spent awaiting a supplement (766 figure)
    due_at_pause_method: datetime | None  # QĐ 766: supplement counted as a pause, no restart
    steps: tuple[Step, ...] = field(default=())
    # the pauses whose working time legal_due_at leaves out (begun before the due time)
    excluded: tuple[tuple[datetime, datetime], ...] = field(default=())


def compute_deadline(
    calendar: WorkCalendar,
    limit: TimeLimit,
    received_at: datetime,
    events: Iterable[Event],
    cutoff: time | None = None,
) -> Deadline:
    """Replay a dossier's history and compute its due time.

    - a supplement received restarts the limit from zero (ND 118 Art. 19.5); the 766-style
      figure (the supplement interval counted as a pause) is kept beside it. A supplement
      asked once the limit was used up restarts nothing and pushes nothing: the dossier is
      late already, and a restart would turn it into an early one (domain.md §2);
    - pauses exclude their working time, each one begun before the due time it pushes (a
      pause begun once the limit was used up changes nothing: the dossier is late already);
    - an extension (the apology letter's new return time) sets the promised due time; the
      legal due time is kept.
    """
    first = effective_start(calendar, received_at, cutoff)
    start = first
    steps = [Step(received_at, f"Tiếp nhận; thời hạn {limit.text()}")]
    if first.note:
        steps.append(Step(first.counting_from, first.note))
    pauses: list[tuple[datetime, datetime, int]] = []  # since the last restart; step index
    intervals_all: list[tuple[datetime, datetime, int]] = []  # 766 figure: supplements too
    supplement = 0
    supplemented = False
    open_pause: datetime | None = None
    open_supplement: datetime | None = None
    late_request = False  # asked once the limit was used up: no restart
    extended_to: datetime | None = None
    running = True
    for event in sorted(events, key=lambda e: e.at):
        kind = event.kind
        if kind is EventKind.SUPPLEMENT_REQUESTED:
            open_supplement, running = event.at, False
            late_request, step = _request_step(calendar, start, limit, pauses, event.at)
            steps.append(step)
        elif kind is EventKind.SUPPLEMENT_RECEIVED and open_supplement is not None:
            supplement += calendar.working_between(open_supplement, event.at)
            intervals_all.append((open_supplement, event.at, -1))
            open_supplement, running = None, True
            if not late_request:  # once late, a restart would hide it: none then
                pauses, supplemented = [], True
                start = effective_start(calendar, event.at, cutoff)
            steps.extend(_supplied_steps(event.at, start, late_request))
        elif kind is EventKind.PAUSED:
            open_pause, running = event.at, False
            steps.append(Step(event.at, f"Tạm dừng: {event.reason}"))
        elif kind is EventKind.RESUMED and open_pause is not None:
            pauses.append((open_pause, event.at, len(steps)))
            intervals_all.append((open_pause, event.at, -1))
            open_pause, running = None, True
            steps.append(Step(event.at, "Tiếp tục: không tính thời gian tạm dừng"))
        elif kind is EventKind.EXTENDED and event.new_value:
            extended_to = datetime.fromisoformat(event.new_value)
            steps.append(Step(event.at, f"Gia hạn đến {show(extended_to)}: {event.reason}"))
        elif kind in (
            EventKind.STOPPED,
            EventKind.WITHDRAWN,
            EventKind.REFUSED,
            EventKind.COMPLETED,
            EventKind.RETURNED,
        ):
            running = False
    legal, counted, late_pauses = _after_pauses(
        calendar, due_from(calendar, start, limit), pauses, start.counting_from
    )
    paused = sum(calendar.working_between(a, b) for a, b in counted)
    for at, index in late_pauses:
        steps[index] = Step(
            steps[index].at,
            f"Tiếp tục: tạm dừng từ {show(at)}, khi đã hết thời hạn, nên không lùi hạn",
        )
    pause_method = None
    if supplemented:  # even when no working time was spent awaiting (e.g. over a weekend)
        base = due_from(calendar, first, limit)
        pause_method = _after_pauses(calendar, base, intervals_all, first.counting_from)[0]
    steps.append(Step(legal, "Hạn giải quyết theo quy định"))
    return Deadline(
        start=start,
        legal_due_at=legal,
        due_at=extended_to or legal,
        extended_to=extended_to,
        clock_running=running,
        paused_seconds=paused,
        supplement_seconds=supplement,
        due_at_pause_method=pause_method,
        steps=tuple(steps),
        excluded=tuple(counted),
    )


def _request_step(
    calendar: WorkCalendar,
    start: Start,
    limit: TimeLimit,
    pauses: list[tuple[datetime, datetime, int]],
    at: datetime,
) -> tuple[bool, Step]:
    """Whether a supplement asked at ``at`` comes once the limit was used up (against the due
    time in force then), and the step that says so."""
    due_then = _after_pauses(
        calendar, due_from(calendar, start, limit), pauses, start.counting_from
    )[0]
    if at >= due_then:
        return True, Step(
            at, f"Yêu cầu bổ sung khi đã hết thời hạn ({show(due_then)}): hồ sơ đã trễ hạn"
        )
    return False, Step(at, "Yêu cầu bổ sung: dừng tính thời hạn")


def _supplied_steps(at: datetime, start: Start, late_request: bool) -> list[Step]:
    if late_request:
        return [Step(at, "Nhận đủ hồ sơ bổ sung: không tính lại thời hạn đã hết")]
    steps = [Step(at, "Nhận đủ hồ sơ bổ sung: tính lại thời hạn từ đầu")]
    if start.note:
        steps.append(Step(start.counting_from, start.note))
    return steps


def _after_pauses(
    calendar: WorkCalendar,
    due: datetime,
    intervals: list[tuple[datetime, datetime, int]],
    counting_from: datetime,
) -> tuple[datetime, list[tuple[datetime, datetime]], list[tuple[datetime, int]]]:
    """``due`` pushed by the working time of each interval begun before it, in order: the
    time counted towards the limit stops there and goes on at the end. An interval begun at
    or after the due time changes nothing; only its part after ``counting_from`` counts (a
    pause the evening of a receipt after the cut-off stops no clock: none runs yet).
    Returns the due time, the intervals left out, and (start, step index) of each interval
    that changed nothing."""
    counted = []
    ignored = []
    for paused_at, end, index in sorted(intervals, key=lambda i: i[0]):
        begin = max(paused_at, counting_from)
        if end <= begin:
            continue
        if begin >= due:
            ignored.append((paused_at, index))
            continue
        seconds = calendar.working_between(begin, end)
        counted.append((begin, end))
        if seconds:
            due = calendar.add_working(due, seconds)
    return due, counted, ignored


def check_extension(
    calendar: WorkCalendar, code: str, deadline: Deadline, new_due: datetime
) -> None:
    """The one allowed extension: after the current due time and at a working instant."""
    if deadline.extended_to is not None:
        raise ExtensionError(code, "hồ sơ đã được hẹn lại một lần (chỉ được hẹn lại một lần)")
    if new_due <= deadline.due_at:
        raise ExtensionError(
            code, f"thời hạn mới {show(new_due)} phải sau hạn hiện tại {show(deadline.due_at)}"
        )
    if not calendar.is_working_instant(new_due):
        raise ExtensionError(code, f"thời hạn mới {show(new_due)} không nằm trong giờ làm việc")


@dataclass(frozen=True, slots=True)
class DayLine:
    """One day of an explanation: its status, the working time counted on it, and the working
    time left out by a pause."""

    info: DayInfo
    counted_seconds: int
    paused_seconds: int = 0
    calendar_day: int | None = None  # the day's rank in a limit of calendar days or months
    moved: bool = False  # after the last calendar day, which is a day off (Civil Code 148)


def explain_days(
    calendar: WorkCalendar,
    start: datetime,
    end: datetime,
    excluded: Iterable[tuple[datetime, datetime]] = (),
    first_day: date | None = None,
) -> list[DayLine]:
    """Day by day from ``first_day`` (default: the date of ``start``) to ``end``: the working
    time counted from ``start`` on, the time left out by the ``excluded`` intervals, and
    skipped days with why."""
    pauses = [(max(a, start), min(b, end)) for a, b in excluded if a < end and b > start]
    lines = []
    day = first_day or local(start).date()
    last = local(end).date()
    while day <= last:
        info = calendar.day_info(day)
        counted = paused = 0
        if info.working_seconds:
            day_start = max(start, calendar.opening(day))
            day_end = min(end, calendar.closing(day))
            if day_start < day_end:
                within = calendar.working_between(day_start, day_end)
                paused = _paused_between(calendar, day_start, day_end, pauses)
                counted = within - paused
        lines.append(DayLine(info, counted, paused))
        day += timedelta(days=1)
    return lines


def _paused_between(
    calendar: WorkCalendar,
    begin: datetime,
    end: datetime,
    pauses: Iterable[tuple[datetime, datetime]],
) -> int:
    """The working seconds between ``begin`` and ``end`` that the pauses cover."""
    return sum(
        calendar.working_between(max(a, begin), min(b, end))
        for a, b in pauses
        if a < end and b > begin
    )


def explain_calendar_days(
    calendar: WorkCalendar,
    start: Start,
    limit: TimeLimit,
    due: datetime,
    excluded: Iterable[tuple[datetime, datetime]] = (),
) -> list[DayLine]:
    """Day by day for a limit of calendar days or months (Civil Code Art. 147–148): the
    receipt day does not count, every following day does, working or not, up to the last
    day; a last day off moves the time to the end of the next working day (those days are
    ``moved``). The working time of a pause (``excluded``) is shown on its days and made up
    after that end, on the days that follow."""
    last = (
        start.base_date + timedelta(days=int(limit.amount))
        if limit.unit is LimitUnit.CALENDAR_DAYS
        else _add_months(start.base_date, int(limit.amount))
    )
    moved_to = calendar.next_working_day(last)
    pauses = list(excluded)
    lines = []
    day = start.base_date
    while day <= local(due).date():
        rank = (day - start.base_date).days
        info = calendar.day_info(day)
        counted = rank if rank > 0 and day <= last else None
        paused = 0
        if info.working_seconds:
            paused = _paused_between(calendar, calendar.opening(day), calendar.closing(day), pauses)
        lines.append(DayLine(info, 0, paused, counted, last < day <= moved_to))
        day += timedelta(days=1)
    return lines


def day_reason(info: DayInfo) -> str:
    """Why a day counts or not, in Vietnamese, with its source when there is one."""
    source = f" ({info.source})" if info.source else ""
    if info.status is DayStatus.HOLIDAY:
        return f"nghỉ: {info.name}{source}"
    if info.status is DayStatus.WEEKEND:
        return f"cuối tuần{': ' + info.name if info.name else ''}{source}"
    if info.status is DayStatus.WORKED_WEEKEND:
        return f"làm việc bù: {info.name}{source}"
    if info.status is DayStatus.SATURDAY_COUNTED:
        return "sáng thứ Bảy có tính thời hạn"
    return "ngày làm việc"
