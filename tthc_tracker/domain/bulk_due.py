"""Due times of many fresh receipts at once (numpy), for the bulk import.

``receipt_due_bulk`` gives, for each receipt instant, exactly what
``compute_deadline(calendar, limit, received, [], cutoff).legal_due_at`` gives (a dossier
with no event after its receipt; later lifecycle steps of an imported dossier — completion,
return, a pause or stop without resumption — do not move it):

- limits counted in working time: the receipt's working-time ordinal (the per-procedure
  cut-off moves a receipt after it on a working day to the end of that day's working time,
  which is the next working day's opening), plus the limit, mapped back to an instant;
- other limits (same day, calendar days, months) depend only on the receipt's local day,
  whether it came after the cut-off, and whether it came before the day's closing: each such
  class is computed once with the scalar engine and shared.

Rows the calendar cannot answer (a receipt or a due time outside its years) are reported in
the ``ok`` mask, never raised, so the caller can send them down the exact slow path.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt

from tthc_tracker.domain.bulk import Int64Array, instant_at_bulk, ordinal_bulk
from tthc_tracker.domain.calendar import DAY_SECONDS, WorkCalendar
from tthc_tracker.domain.deadline import compute_deadline
from tthc_tracker.domain.errors import CalendarRangeError
from tthc_tracker.domain.limits import TimeLimit
from tthc_tracker.domain.times import LOCAL_TZ

BoolArray = npt.NDArray[np.bool_]
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class _Days:
    first_epoch_day: int
    offset: int  # local time minus UTC, seconds (constant over the range: see domain.bulk)
    working: BoolArray  # per day of the calendar
    last_end: Int64Array  # end of the day's last session, seconds since local midnight
    cum_end: Int64Array  # working seconds up to the end of each day
    total: int  # working seconds in the whole calendar


_CACHE: weakref.WeakKeyDictionary[WorkCalendar, _Days] = weakref.WeakKeyDictionary()


def _days(calendar: WorkCalendar) -> _Days:
    found = _CACHE.get(calendar)
    if found is None:
        sessions, _, cum_end = calendar.tables()
        offset = datetime.combine(calendar.first_day, time(12), LOCAL_TZ).utcoffset()
        assert offset is not None  # a ZoneInfo always answers
        found = _Days(
            first_epoch_day=(calendar.first_day - _EPOCH).days,
            offset=int(offset.total_seconds()),
            working=np.array([bool(s) for s in sessions], dtype=np.bool_),
            last_end=np.array([s[-1][1] if s else 0 for s in sessions], dtype=np.int64),
            cum_end=np.asarray(cum_end, dtype=np.int64),
            total=int(cum_end[-1]) if cum_end else 0,
        )
        _CACHE[calendar] = found
    return found


def receipt_due_bulk(
    calendar: WorkCalendar, limit: TimeLimit, cutoff: time | None, received: npt.ArrayLike
) -> tuple[Int64Array, BoolArray]:
    """(due instants, ok) for receipts given as UTC epoch seconds; due is 0 where not ok."""
    instants = np.asarray(received, dtype=np.int64)
    days = _days(calendar)
    local = instants + days.offset
    index = local // DAY_SECONDS - days.first_epoch_day
    ok = (index >= 0) & (index < days.working.shape[0])
    index = np.where(ok, index, 0)
    of_day = local % DAY_SECONDS
    late = np.zeros(instants.shape, dtype=np.bool_)
    if cutoff is not None:
        cutoff_s = cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second
        late = days.working[index] & (of_day > cutoff_s)
    due = np.zeros(instants.shape, dtype=np.int64)
    if limit.counts_working_time:
        start = ordinal_bulk(calendar, np.where(ok, instants, _first_instant(days)))
        start = np.where(late, days.cum_end[index], start)
        target = start + limit.working_seconds
        ok &= target <= days.total
        due[ok] = instant_at_bulk(calendar, target[ok])
        return due, ok
    before_close = days.working[index] & (of_day < days.last_end[index])
    keys = index * 4 + late * 2 + before_close
    chosen = np.flatnonzero(ok)
    unique, first, inverse = np.unique(keys[chosen], return_index=True, return_inverse=True)
    values = np.zeros(unique.shape, dtype=np.int64)
    good = np.ones(unique.shape, dtype=np.bool_)
    for position, row in enumerate(chosen[first]):
        moment = datetime.fromtimestamp(int(instants[row]), UTC)
        try:
            legal = compute_deadline(calendar, limit, moment, [], cutoff).legal_due_at
        except CalendarRangeError:
            good[position] = False
            continue
        values[position] = int(legal.timestamp())
    due[chosen] = values[inverse]
    ok[chosen] = good[inverse]
    return due, ok


def _first_instant(days: _Days) -> int:
    """An instant inside the calendar (its first midnight), standing in for rows outside."""
    first = _EPOCH + timedelta(days=days.first_epoch_day)
    return int(datetime.combine(first, time(0), LOCAL_TZ).timestamp())


_PAIRS = np.array([[48 + n // 10, 48 + n % 10] for n in range(100)], dtype=np.uint8)


def civil_from_days(days: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
    """(year, month, day) of days since 1970-01-01 (H. Hinnant's algorithm)."""
    shifted = days + 719468
    era = shifted // 146097
    of_era = shifted - era * 146097
    year_of_era = (of_era - of_era // 1460 + of_era // 36524 - of_era // 146096) // 365
    of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * of_year + 2) // 153
    day = of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day


def stamps(epochs: npt.ArrayLike, offset: int, separator: str, tail: str) -> list[str]:
    """ "YYYY-MM-DD{separator}HH:MM:SS{tail}" of instants (UTC epoch seconds, years 1–9999)
    seen at ``offset`` seconds from UTC, built as one byte matrix."""
    local = np.asarray(epochs, dtype=np.int64) + offset
    if not local.size:
        return []
    sample = np.sort(local[:: max(1, local.size // 2048)])
    if local.size > 64 and np.count_nonzero(np.diff(sample)) < len(sample) // 4:
        distinct = np.sort(local)  # few values (due times, created_at): format each once
        distinct = distinct[np.flatnonzero(np.diff(distinct, prepend=distinct[0] - 1))]
        once = stamps(distinct - offset, offset, separator, tail)
        return [once[i] for i in np.searchsorted(distinct, local).tolist()]
    days, seconds = np.divmod(local, DAY_SECONDS)
    year, month, day = civil_from_days(days)
    template = f"0000-00-00{separator}00:00:00{tail}".encode("ascii")
    width = len(template)
    matrix = np.empty((local.size, width), dtype=np.uint8)
    matrix[:] = np.frombuffer(template, dtype=np.uint8)
    hour, rest = np.divmod(seconds, 3600)
    pairs = ((0, year // 100), (2, year % 100), (5, month), (8, day), (11, hour))
    for start, value in (*pairs, (14, rest // 60), (17, rest % 60)):
        matrix[:, start : start + 2] = _PAIRS[value]
    text = matrix.tobytes().decode("ascii")
    return [text[start : start + width] for start in range(0, len(text), width)]


def iso_bulk(epochs: npt.ArrayLike) -> list[str]:
    """``times.iso`` of many instants (UTC epoch seconds after 1975, when Vietnam's offset
    became +07:00 for good): "2026-11-05T09:00:00+07:00"."""
    return stamps(epochs, 7 * 3600, "T", "+07:00")
