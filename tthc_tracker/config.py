"""Settings: where the database, the shipped data and the templates are.

The database URL comes from the global ``--db`` option, else ``TTHC_DATABASE_URL``, else
``sqlite:///tthc.db`` in the current directory. Issued letters go to ``letters/`` and digests
to ``outbox/`` beside a SQLite database file (``TTHC_LETTERS_DIR``, ``TTHC_OUTBOX_DIR`` to
choose other folders).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from tthc_tracker.domain.errors import ConfigError

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
    letters_dir: Path
    outbox_dir: Path
    smtp_host: str = ""  # TTHC_SMTP_HOST; empty: digests only go to the outbox folder
    smtp_port: int = 25
    smtp_sender: str = "tthc-tracker@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    reporting_unit: str = ""  # TTHC_REPORTING_UNIT: who reports for all agencies together
    first_year: int = 2015  # oldest receipts the calendar covers (ND 61/2018 era included)
    years_ahead: int = 10  # the calendar reaches this many years past the current one

    @classmethod
    def load(cls, database_url: str | None = None) -> Settings:
        url = database_url or os.environ.get("TTHC_DATABASE_URL") or DEFAULT_DATABASE_URL
        actor = os.environ.get("TTHC_ACTOR") or _login_name()
        files = _files_dir(url)
        return cls(
            database_url=url,
            data_dir=Path(os.environ.get("TTHC_DATA_DIR") or shipped_dir("data")),
            templates_dir=shipped_dir("templates"),
            actor=actor,
            letters_dir=Path(os.environ.get("TTHC_LETTERS_DIR") or files / "letters"),
            outbox_dir=Path(os.environ.get("TTHC_OUTBOX_DIR") or files / "outbox"),
            smtp_host=os.environ.get("TTHC_SMTP_HOST", ""),
            smtp_port=_port(os.environ.get("TTHC_SMTP_PORT", "25")),
            smtp_sender=os.environ.get("TTHC_SMTP_FROM", "tthc-tracker@localhost"),
            smtp_user=os.environ.get("TTHC_SMTP_USER", ""),
            smtp_password=os.environ.get("TTHC_SMTP_PASSWORD", ""),
            smtp_starttls=os.environ.get("TTHC_SMTP_STARTTLS", "") in ("1", "true", "yes"),
            reporting_unit=" ".join(os.environ.get("TTHC_REPORTING_UNIT", "").split()),
        )


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError("TTHC_SMTP_PORT", f"“{text}” không phải số cổng 1–65535")
    return int(text)


def _files_dir(url: str) -> Path:
    """Letters and the outbox live beside a SQLite file; for a server, in the current folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
        return Path(url[len(prefix) :]).resolve().parent
    return Path.cwd()


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "tthc"
