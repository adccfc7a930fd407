"""The one place that builds the engine, the calendars and the clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tthc_tracker.config import Settings
from tthc_tracker.domain.times import parse_instant
from tthc_tracker.services.calendars import Calendars, load_calendars
from tthc_tracker.services.mail import Smtp
from tthc_tracker.storage.db import Database, make_engine, require_schema, upgrade

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, to the second. ``TTHC_NOW`` (any accepted time format) pins it, for replays."""
    pinned = os.environ.get("TTHC_NOW")
    if pinned:
        return parse_instant(pinned, "TTHC_NOW")
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class App:
    settings: Settings
    db: Database
    clock: Clock
    _calendars: Calendars | None = None

    @property
    def calendars(self) -> Calendars:
        """Built on first use from the package, the shipped file and the stored edits."""
        if self._calendars is None:
            self._calendars = load_calendars(
                self.db,
                self.settings.data_dir,
                self.settings.first_year,
                self.clock().year + self.settings.years_ahead,
            )
        return self._calendars

    @property
    def smtp(self) -> Smtp | None:
        """The SMTP server for digests and citizen notices, when ``TTHC_SMTP_HOST`` is set."""
        s = self.settings
        if not s.smtp_host:
            return None
        return Smtp(
            s.smtp_host, s.smtp_port, s.smtp_sender, s.smtp_user, s.smtp_password, s.smtp_starttls
        )

    def reload_calendars(self) -> Calendars:
        self._calendars = None
        return self.calendars

    def close(self) -> None:
        self.db.dispose()


def build(database_url: str | None = None, *, schema_required: bool = True) -> App:
    settings = Settings.load(database_url)
    db = Database(make_engine(settings.database_url))
    if schema_required:
        try:
            require_schema(db.engine)
        except BaseException:
            db.dispose()  # no pooled connection outlives a refused command
            raise
    return App(settings, db, system_clock)


def init_schema(app: App) -> tuple[str | None, str | None]:
    return upgrade(app.db.engine)
