"""Calendar data at rest: the `holidays` package and the shipped override file.

Administrator edits live in the database (:mod:`tthc_tracker.storage.repository`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import holidays

from tthc_tracker.domain.calendar import DayKind, DayRule, Origin
from tthc_tracker.domain.errors import ConfigError


def package_source() -> str:
    return f"gói holidays {version('holidays')} (Việt Nam)"


def package_rules(first_year: int, last_year: int) -> list[DayRule]:
    """Public holidays and worked Saturdays from the `holidays` package, in Vietnamese."""
    calendar = holidays.country_holidays(
        "VN", years=range(first_year, last_year + 1), language="vi"
    )
    source = package_source()
    rules = [
        DayRule(day, DayKind.OFF, str(name), source, Origin.PACKAGE)
        for day, name in sorted(calendar.items())
    ]
    rules.extend(
        DayRule(day, DayKind.WORKDAY, "Ngày làm bù", source, Origin.PACKAGE)
        for day in sorted(calendar.weekend_workdays)
        if first_year <= day.year <= last_year
    )
    return rules


@dataclass(frozen=True, slots=True)
class ShippedCalendar:
    """The shipped override file: announced years and dated entries with their sources."""

    announced: dict[int, str]
    rules: list[DayRule]


def load_shipped(path: Path) -> ShippedCalendar:
    """Read ``data/calendar.toml``; a malformed file is a :class:`ConfigError` naming the entry."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), str(exc)) from exc
    announced = {
        int(year): str(entry["announced"]) for year, entry in document.get("years", {}).items()
    }
    rules = []
    for number, entry in enumerate(document.get("days", []), start=1):
        day = entry.get("date")
        kind = entry.get("kind")
        if not isinstance(day, date) or kind not in {k.value for k in DayKind}:
            raise ConfigError(f"{path} [[days]] #{number}", f"date={day!r}, kind={kind!r}")
        if not entry.get("source"):
            raise ConfigError(f"{path} [[days]] #{number}", "thiếu 'source'")
        rules.append(
            DayRule(
                day, DayKind(kind), str(entry.get("name", "")), str(entry["source"]), Origin.SHIPPED
            )
        )
    return ShippedCalendar(announced, rules)
