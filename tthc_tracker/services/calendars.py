"""Working calendars built from their three layers, one per set of office hours, with the
law's supplement limits (``data/rules.toml``) beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tthc_tracker.domain.calendar import DayRule, OfficeHours, WorkCalendar, merge_rules
from tthc_tracker.domain.catalog import DEFAULT_OFFICE_HOURS, Agency
from tthc_tracker.domain.supplement import SupplementRules
from tthc_tracker.storage.calendar_data import ShippedCalendar, load_shipped, package_rules
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.rules_data import RULES_FILE, load_rules

CALENDAR_FILE = "calendar.toml"


@dataclass
class Calendars:
    """The merged calendar and its per-agency variants (office hours differ by agency)."""

    base: WorkCalendar
    shipped: ShippedCalendar
    supplement: SupplementRules
    _by_hours: dict[OfficeHours, WorkCalendar] = field(default_factory=dict)

    def for_hours(self, hours: OfficeHours) -> WorkCalendar:
        if hours == self.base.hours:
            return self.base
        if hours not in self._by_hours:
            self._by_hours[hours] = self.base.with_hours(hours)
        return self._by_hours[hours]

    def for_agency(self, agency: Agency) -> WorkCalendar:
        return self.for_hours(agency.hours)


def build_calendars(
    edits: list[DayRule], data_dir: Path, first_year: int, last_year: int
) -> Calendars:
    """Package holidays, then the shipped file, then the administrator's edits."""
    shipped = load_shipped(data_dir / CALENDAR_FILE)
    rules = merge_rules(package_rules(first_year, last_year), shipped.rules, edits)
    hours = OfficeHours.parse(DEFAULT_OFFICE_HOURS)
    announced = frozenset(shipped.announced)  # the years data/calendar.toml vouches for
    base = WorkCalendar(rules, first_year, last_year, hours, announced=announced)
    return Calendars(base, shipped, load_rules(data_dir / RULES_FILE))


def load_calendars(db: Database, data_dir: Path, first_year: int, last_year: int) -> Calendars:
    with db.transaction() as repo:
        edits = repo.calendar_edits()
    return build_calendars(edits, data_dir, first_year, last_year)
