"""Settings: where the database, the shipped data and the templates are.

The database URL comes from the global ``--db`` option, else ``TTHC_DATABASE_URL``, else
``sqlite:///tthc.db`` in the current directory.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///tthc.db"
PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """``data/`` or ``templates/``: inside the installed wheel, else at the source checkout."""
    installed = PACKAGE_DIR / "_shipped" / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    data_dir: Path
    templates_dir: Path
    actor: str
    first_year: int = 2015  # oldest receipts the calendar covers (ND 61/2018 era included)
    years_ahead: int = 10  # the calendar reaches this many years past the current one

    @classmethod
    def load(cls, database_url: str | None = None) -> Settings:
        url = database_url or os.environ.get("TTHC_DATABASE_URL") or DEFAULT_DATABASE_URL
        actor = os.environ.get("TTHC_ACTOR") or _login_name()
        return cls(
            database_url=url,
            data_dir=Path(os.environ.get("TTHC_DATA_DIR") or shipped_dir("data")),
            templates_dir=shipped_dir("templates"),
            actor=actor,
        )


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "tthc"
