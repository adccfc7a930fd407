"""Administrator calendar edits, the yearly view and the consistency check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tthc_tracker.domain.calendar import DayInfo, DayKind, DayRule, Origin, WorkCalendar
from tthc_tracker.domain.catalog import required
from tthc_tracker.domain.deadline import day_reason
from tthc_tracker.domain.errors import CalendarRangeError, InputError
from tthc_tracker.domain.times import nfc
from tthc_tracker.services.calendars import Calendars, build_calendars
from tthc_tracker.services.ledger import recompute_in
from tthc_tracker.storage.calendar_data import package_rules
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class CalendarChange:
    day: date
    kind: DayKind | None  # None: an edit was removed
    replaced: DayRule | None
    recomputed: list[str]
    calendars: Calendars


def edit_day(
    db: Database,
    data_dir: Path,
    years: tuple[int, int],
    day: date,
    kind: DayKind | None,
    reason: str,
    actor: str,
    now: datetime,
) -> CalendarChange:
    """Add (``kind``) or remove (``None``) an edit, then recompute every open dossier.

    The edit and the recomputed due times are written in one transaction.
    """

    def work(repo: Repository) -> CalendarChange:
        if kind is not None:
            others = [e for e in repo.calendar_edits() if e.day != day]
            _refuse_no_effect(build_calendars(others, data_dir, *years).base, day, kind)
        if kind is None:
            replaced: DayRule | None = repo.remove_calendar_edit(day)
        else:
            replaced = repo.set_calendar_edit(day, kind, required(reason, "--reason"), actor, now)
        calendars = build_calendars(repo.calendar_edits(), data_dir, *years)
        calendars.base.day_info(day)  # a date outside the built years fails before writing
        changed = [r.code for r in recompute_in(repo, calendars, actor, now)]
        return CalendarChange(day, kind, replaced, changed, calendars)

    return db.run(work)


def _refuse_no_effect(calendar: WorkCalendar, day: date, kind: DayKind) -> None:
    """A day off that is off already (a Sunday, a holiday), or a working day that is worked
    already, would change nothing: most likely the wrong date was typed."""
    info = calendar.day_info(day)  # a date outside the built years fails here
    worked = info.working_seconds > 0
    if (kind is DayKind.OFF and not worked) or (kind is DayKind.WORKDAY and worked):
        why = day_reason(info)
        state = "đã là ngày nghỉ" if kind is DayKind.OFF else "đã là ngày làm việc"
        raise InputError("DATE", day.strftime("%d/%m/%Y"), f"{state} ({why}); kiểm tra lại ngày")


def year_view(calendars: Calendars, year: int) -> list[DayInfo]:
    """Every weekday off and every worked weekend day of ``year``, with its source."""
    base = calendars.base
    if not base.first_year <= year <= base.last_year:
        raise CalendarRangeError(str(year), base.first_year, base.last_year, "year")
    return base.special_days(year)


@dataclass(frozen=True, slots=True)
class Warning:
    code: str  # "unannounced_year" | "contradicts_package" | "no_effect"
    text: str


def check(calendars: Calendars, today: date) -> list[Warning]:
    """Warn when next year's schedule is not announced and when overrides contradict the package."""
    warnings = []
    next_year = today.year + 1
    if next_year not in calendars.shipped.announced:
        warnings.append(
            Warning(
                "unannounced_year",
                f"Năm {next_year} chưa có lịch nghỉ được công bố trong dữ liệu: ngày nghỉ của "
                f"năm {next_year} chỉ là dự tính theo quy tắc (gói holidays), cần bổ sung khi "
                "Bộ Nội vụ thông báo.",
            )
        )
    base = calendars.base
    package = {r.day: r for r in package_rules(base.first_year, base.last_year)}
    overrides = [r for r in base.rules.values() if r.origin is not Origin.PACKAGE]
    removed = [
        r for r in calendars.shipped.rules if r.kind is DayKind.REMOVE and r.day not in base.rules
    ]
    for rule in sorted(overrides + removed, key=lambda r: r.day):
        theirs = package.get(rule.day)
        label = "tệp dữ liệu" if rule.origin is Origin.SHIPPED else "quản trị viên"
        when = rule.day.strftime("%d/%m/%Y")
        if rule.kind is DayKind.REMOVE and theirs is None:
            warnings.append(
                Warning("no_effect", f"{when}: {label} bỏ một ngày nghỉ mà gói holidays không có.")
            )
        elif theirs is not None and theirs.kind is not rule.kind:
            warnings.append(
                Warning(
                    "contradicts_package",
                    f"{when}: {label} ghi “{nfc(rule.name)}” ({_kind_text(rule.kind)}), gói "
                    f"holidays ghi “{theirs.name}” ({_kind_text(theirs.kind)}).",
                )
            )
    return warnings


def _kind_text(kind: DayKind) -> str:
    return {
        DayKind.OFF: "ngày nghỉ",
        DayKind.WORKDAY: "ngày làm việc",
        DayKind.REMOVE: "bỏ ngày nghỉ",
    }[kind]
