"""Trước hạn / đúng hạn / quá hạn, and "Còn … / Quá … ngày … giờ" in working time (§6)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tthc_tracker.domain.limits import WORKING_DAY_SECONDS
from tthc_tracker.domain.times import local


class Timeliness(StrEnum):
    EARLY = "early"  # trước hạn: finished on a date before the due date
    ON_TIME = "on_time"  # đúng hạn: on the due date, at or before the due time
    LATE = "late"  # quá hạn: after the due time
    WITHIN_DUE = "within_due"  # open, due time not passed
    OVERDUE = "overdue"  # open, due time passed

    @property
    def label(self) -> str:
        return {
            Timeliness.EARLY: "Trước hạn",
            Timeliness.ON_TIME: "Đúng hạn",
            Timeliness.LATE: "Quá hạn",
            Timeliness.WITHIN_DUE: "Trong hạn",
            Timeliness.OVERDUE: "Quá hạn",
        }[self]


def classify_finished(finished_at: datetime, due_at: datetime) -> Timeliness:
    if finished_at > due_at:
        return Timeliness.LATE
    if local(finished_at).date() < local(due_at).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def classify_open(as_of: datetime, due_at: datetime) -> Timeliness:
    return Timeliness.OVERDUE if as_of > due_at else Timeliness.WITHIN_DUE


def format_working(seconds: int) -> str:
    """``2 ngày 3 giờ``: working days of 8 hours, hours, and minutes under a day."""
    seconds = abs(seconds)
    days, rest = divmod(seconds, WORKING_DAY_SECONDS)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} ngày")
    if hours:
        parts.append(f"{hours} giờ")
    if minutes and not days:
        parts.append(f"{minutes} phút")
    return " ".join(parts) or "0 phút"


def format_hours(seconds: int) -> str:
    """``6 giờ 30 phút``: working time within one day, in hours and minutes."""
    hours, rest = divmod(abs(seconds), 3600)
    minutes = rest // 60
    parts = [f"{hours} giờ"] if hours else []
    if minutes:
        parts.append(f"{minutes} phút")
    return " ".join(parts) or "0 phút"


def remaining_text(working_seconds_left: int, *, overdue: bool) -> str:
    """``Còn 1 ngày 3 giờ`` before the due time, ``Quá 2 ngày 3 giờ`` after it.

    ``overdue`` comes from comparing instants: at a weekend just after a Friday deadline the
    working time is still zero, but the dossier is already late: ``Quá hạn``.
    """
    if overdue:
        if abs(working_seconds_left) < 60:  # past the due instant, no working minute since
            return "Quá hạn"
        return f"Quá {format_working(working_seconds_left)}"
    return f"Còn {format_working(working_seconds_left)}"
