"""Exporting dossiers to a file the import reads back exactly, and the analysis snapshot.

The columns are those of the import (``DOSSIER_COLUMNS``), named as the portal does
(``dvcqg``) or as the product does (``native``). NgayHenTra/``due_at`` is the due time the
file declared when the dossier was imported with a different one, else our due time; so
export → import → export gives the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tthc_tracker.documents.tabular import Cell, write_table
from tthc_tracker.domain.dossier import Dossier, Status
from tthc_tracker.domain.dossier_rows import DOSSIER_COLUMNS, STATUS_DVCQG
from tthc_tracker.domain.errors import FileExistsRefusal, InvalidChoiceError
from tthc_tracker.domain.times import local
from tthc_tracker.services.imports import STATUS_EVENTS
from tthc_tracker.storage import snapshot
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository

NAMES = ("dvcqg", "native")


@dataclass(frozen=True, slots=True)
class ExportFilter:
    agency: str | None = None
    status: Status | None = None
    date_from: date | None = None
    date_to: date | None = None

    def keeps(self, dossier: Dossier) -> bool:
        day = local(dossier.received_at).date()
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )


def headers(names: str) -> list[str]:
    return [c.dvcqg if names == "dvcqg" else c.field for c in DOSSIER_COLUMNS]


def _time(value: datetime | None) -> datetime | None:
    return local(value) if value is not None else None


def _status_step(repo: Repository, dossier: Dossier) -> tuple[datetime | None, str]:
    kind = STATUS_EVENTS.get(dossier.status)
    if kind is None:
        return None, ""
    last = [e.event for e in repo.events(dossier.code) if e.event.kind is kind][-1]
    return local(last.at), last.reason


def _row(repo: Repository, dossier: Dossier, names: str) -> list[Cell]:
    dvcqg = names == "dvcqg"
    status_at, reason = _status_step(repo, dossier)
    values: dict[str, Cell] = {
        "procedure": dossier.procedure_code,
        "applicant_kind": dossier.applicant_kind.value,
        "channel": dossier.channel.dvcqg_code if dvcqg else dossier.channel.value,
        "received_at": _time(dossier.received_at),
        "due_at": _time(dossier.declared_due_at or dossier.due_at),
        "completed_at": _time(dossier.completed_at),
        "returned_at": _time(dossier.returned_at),
        "status": STATUS_DVCQG[dossier.status] if dvcqg else dossier.status.value,
        "status_at": status_at,
        "status_reason": reason,
    }
    return [
        values[c.field] if c.field in values else getattr(dossier, c.field) for c in DOSSIER_COLUMNS
    ]


def export_dossiers(db: Database, path: Path, kind: str, names: str, keep: ExportFilter) -> int:
    """Write the chosen dossiers (ordered by receipt, then code); returns how many."""
    if names not in NAMES:
        raise InvalidChoiceError("--names", names, list(NAMES))
    with db.transaction() as repo:
        statuses = [keep.status] if keep.status else None
        dossiers = [d for d in repo.list_dossiers(statuses, keep.agency) if keep.keeps(d)]
        rows = [_row(repo, d, names) for d in dossiers]
    write_table(path, headers(names), rows, kind)
    return len(rows)


def export_sqlite(db: Database, path: Path, now: datetime, force: bool = False) -> dict[str, int]:
    """A standalone SQLite file for sqlite-utils or Datasette; returns rows per table."""
    if path.exists() and not force:
        raise FileExistsRefusal(str(path))
    return snapshot.write_snapshot(db.engine, path, now)
