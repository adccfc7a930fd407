"""Vectorised working-time arithmetic over many instants at once (numpy).

The scalar :class:`~tthc_tracker.domain.calendar.WorkCalendar` maps an instant onto a
"working seconds" axis (``ordinal``) and back (``instant_at``). This module does the same
for whole arrays, from the calendar's own tables, so that recomputing every due time after
a calendar edit is a handful of array operations instead of a Python loop. Results are
exactly those of the scalar methods; instants are integer UTC epoch seconds.

Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, so local time is UTC
plus a constant offset; :func:`_build` checks that the offset is the same at both ends of
the calendar's range.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt

from tthc_tracker.domain.calendar import DAY_SECONDS, WorkCalendar
from tthc_tracker.domain.errors import CalendarRangeError
from tthc_tracker.domain.times import LOCAL_TZ

__all__ = [
    "add_working_bulk",
    "instant_at_bulk",
    "ordinal_bulk",
    "working_between_bulk",
]

Int64Array = npt.NDArray[np.int64]

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class _BulkTables:
    """The calendar's tables as padded numpy arrays (one row per day, one column per session).

    Days with fewer sessions than the widest day are padded with empty ``(0, 0)`` sessions,
    which contribute nothing to an ordinal and are never selected by the inverse.
    """

    first_epoch_day: int  # days from 1970-01-01 to the calendar's first day
    offset: int  # local time minus UTC, in seconds
    starts: Int64Array  # (days, K) session starts, seconds since local midnight
    lengths: Int64Array  # (days, K) session lengths in seconds
    ends_cum: Int64Array  # (days, K) working seconds of the day up to each session's end
    to_clock: Int64Array  # (days, K) start - working seconds before the session
    cum_start: Int64Array  # (days,) working seconds before each day
    cum_end: Int64Array  # (days,) working seconds up to the end of each day
    first_year: int
    last_year: int


_CACHE: weakref.WeakKeyDictionary[WorkCalendar, _BulkTables] = weakref.WeakKeyDictionary()


def _utc_offset(day: date) -> int:
    offset = datetime.combine(day, time(12), tzinfo=LOCAL_TZ).utcoffset()
    if offset is None:  # pragma: no cover - LOCAL_TZ is a ZoneInfo, which always answers
        raise ValueError(f"{LOCAL_TZ} has no UTC offset on {day}")
    return int(offset.total_seconds())


def _build(calendar: WorkCalendar) -> _BulkTables:
    """Pad ``calendar.tables()`` into 2-D arrays (built once per calendar, then cached)."""
    sessions, cum_start, cum_end = calendar.tables()
    offset = _utc_offset(calendar.first_day)
    if _utc_offset(calendar.last_day) != offset:
        raise ValueError(f"{LOCAL_TZ} changes its UTC offset inside the calendar's range")
    width = max((len(day) for day in sessions), default=0) or 1
    starts = np.zeros((len(sessions), width), dtype=np.int64)
    ends = np.zeros((len(sessions), width), dtype=np.int64)
    for index, day in enumerate(sessions):
        for column, (start, end) in enumerate(day):
            starts[index, column] = start
            ends[index, column] = end
    lengths = ends - starts
    ends_cum = np.cumsum(lengths, axis=1)
    return _BulkTables(
        first_epoch_day=(calendar.first_day - _EPOCH).days,
        offset=offset,
        starts=starts,
        lengths=lengths,
        ends_cum=ends_cum,
        to_clock=starts - (ends_cum - lengths),
        cum_start=np.asarray(cum_start, dtype=np.int64),
        cum_end=np.asarray(cum_end, dtype=np.int64),
        first_year=calendar.first_year,
        last_year=calendar.last_year,
    )


def _tables(calendar: WorkCalendar) -> _BulkTables:
    tables = _CACHE.get(calendar)
    if tables is None:
        tables = _build(calendar)
        _CACHE[calendar] = tables
    return tables


def _as_int64(values: npt.ArrayLike, name: str) -> Int64Array:
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers (epoch or working seconds), not {array.dtype}")
    return array.astype(np.int64, copy=False)


def _day_range_error(tables: _BulkTables, epoch_day: int) -> CalendarRangeError:
    day = _EPOCH + timedelta(days=epoch_day)
    return CalendarRangeError(day.isoformat(), tables.first_year, tables.last_year)


def _ordinals(tables: _BulkTables, instants: Int64Array) -> Int64Array:
    local = instants + tables.offset
    epoch_day = local // DAY_SECONDS
    index = epoch_day - tables.first_epoch_day
    outside = (index < 0) | (index >= tables.cum_start.shape[0])
    if outside.any():
        raise _day_range_error(tables, int(epoch_day[np.argmax(outside)]))
    of_day = (local - epoch_day * DAY_SECONDS)[:, np.newaxis]
    elapsed = np.clip(of_day - tables.starts[index], 0, tables.lengths[index])
    result: Int64Array = tables.cum_start[index] + elapsed.sum(axis=1)
    return result


def _instants(tables: _BulkTables, ordinals: Int64Array) -> Int64Array:
    index = np.searchsorted(tables.cum_end, ordinals, side="left")
    outside = (ordinals < 0) | (index >= tables.cum_end.shape[0])
    if outside.any():
        raise CalendarRangeError(
            str(int(ordinals[np.argmax(outside)])), tables.first_year, tables.last_year, "due"
        )
    remaining = ordinals - tables.cum_start[index]
    ends_cum = tables.ends_cum[index]
    if ends_cum[:, -1].min(initial=1) == 0:
        # Only an ordinal of 0 before the first working session lands on a day without
        # sessions: no working instant has 0 working seconds behind it.
        raise CalendarRangeError(
            str(int(ordinals[np.argmin(ends_cum[:, -1])])),
            tables.first_year,
            tables.last_year,
            "due",
        )
    column = (ends_cum < remaining[:, np.newaxis]).sum(axis=1)
    clock = tables.to_clock[index, column] + remaining
    result: Int64Array = (index + tables.first_epoch_day) * DAY_SECONDS + clock - tables.offset
    return result


def ordinal_bulk(calendar: WorkCalendar, instants_utc_epoch_s: npt.ArrayLike) -> Int64Array:
    """Working seconds from the calendar's start up to each instant (``calendar.ordinal``).

    Raises :class:`CalendarRangeError` if any instant's local date is outside the calendar.
    """
    instants = _as_int64(instants_utc_epoch_s, "instants_utc_epoch_s")
    return _ordinals(_tables(calendar), instants.ravel()).reshape(instants.shape)


def instant_at_bulk(calendar: WorkCalendar, ordinals: npt.ArrayLike) -> Int64Array:
    """The earliest instant (UTC epoch seconds) at which each ordinal is reached.

    The vectorised ``calendar.instant_at``. Raises :class:`CalendarRangeError` for an ordinal
    below 0 or past the calendar's end, and for 0 when the calendar opens with days off
    (no working instant has 0 working seconds behind it; the scalar method fails there too).
    """
    values = _as_int64(ordinals, "ordinals")
    return _instants(_tables(calendar), values.ravel()).reshape(values.shape)


def add_working_bulk(
    calendar: WorkCalendar,
    starts_utc_epoch_s: npt.ArrayLike,
    seconds: npt.ArrayLike,
) -> Int64Array:
    """Due instants for many (start, working seconds) pairs: ``calendar.add_working`` each.

    ``starts_utc_epoch_s`` and ``seconds`` are integer arrays (broadcast against each other);
    the result holds, for each pair, the earliest instant, in UTC epoch seconds, at which
    ``seconds`` of working time counted from the start are used up. Raises
    :class:`CalendarRangeError` if any start or due instant falls outside the calendar.
    """
    starts, amounts = np.broadcast_arrays(
        _as_int64(starts_utc_epoch_s, "starts_utc_epoch_s"), _as_int64(seconds, "seconds")
    )
    tables = _tables(calendar)
    ordinals = _ordinals(tables, starts.ravel()) + amounts.ravel()
    return _instants(tables, ordinals).reshape(starts.shape)


def working_between_bulk(
    calendar: WorkCalendar,
    starts_utc_epoch_s: npt.ArrayLike,
    ends_utc_epoch_s: npt.ArrayLike,
) -> Int64Array:
    """Working seconds from each start to each end (``calendar.working_between``).

    Negative where the end is earlier than the start. Raises :class:`CalendarRangeError` if
    any instant's local date is outside the calendar.
    """
    starts, ends = np.broadcast_arrays(
        _as_int64(starts_utc_epoch_s, "starts_utc_epoch_s"),
        _as_int64(ends_utc_epoch_s, "ends_utc_epoch_s"),
    )
    tables = _tables(calendar)
    result: Int64Array = _ordinals(tables, ends.ravel()) - _ordinals(tables, starts.ravel())
    return result.reshape(starts.shape)
