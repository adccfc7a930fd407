"""Reading the shipped sample agencies (``data/agencies.csv``; the procedures go through
``tthc import procedures``)."""

from __future__ import annotations

import csv
from pathlib import Path

from tthc_tracker.domain.errors import ConfigError


def read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file whose header has at least ``columns``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(str(path), "thiếu cột " + ", ".join(missing))
            return [dict(row) for row in reader]
    except OSError as exc:
        raise ConfigError(str(path), str(exc)) from exc


AGENCY_COLUMNS = (
    "code",
    "name",
    "parent",
    "place",
    "signer_title",
    "signer_name",
    "letter_suffix",
    "office_hours",
    "email",
)


def read_agencies(data_dir: Path) -> list[dict[str, str]]:
    return read_csv(data_dir / "agencies.csv", AGENCY_COLUMNS)
