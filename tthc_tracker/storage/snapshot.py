"""A standalone analysis copy of the ledger, built with sqlite-utils (for Datasette & co.).

Plain tables with codes instead of ids (agencies, procedures, dossiers, events, letters),
instants as UTC text in the same form the ledger stores (``2026-11-24 10:00:00.000000``, so
text order is time order), the views ``late_dossiers`` (finished after the legal due time)
and ``open_overdue`` (in progress and past the due time at the snapshot's ``as_of``), and
a full-text index on applicant names and dossier codes.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from tthc_tracker.domain.errors import FileAccessError
from tthc_tracker.storage.models import (
    AgencyRow,
    DossierEventRow,
    DossierRow,
    LetterRow,
    ProcedureRow,
)

UTC_TEXT = "%Y-%m-%d %H:%M:%S.%f"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(UTC_TEXT)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(engine: Engine, statement: Any) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [
            {k: _plain(v) for k, v in row._mapping.items()} for row in connection.execute(statement)
        ]


def _queries() -> dict[str, Any]:
    agency = AgencyRow.__table__  # type: ignore[attr-defined]
    procedure = ProcedureRow.__table__  # type: ignore[attr-defined]
    dossier = DossierRow.__table__  # type: ignore[attr-defined]
    event = DossierEventRow.__table__  # type: ignore[attr-defined]
    letter = LetterRow.__table__  # type: ignore[attr-defined]
    rec, proc, ret, owner = (aliased(agency) for _ in range(4))
    # search_text (name and code folded: no case, no marks, Đ as D; the phone's digits) goes
    # too: the full-text index over it finds "nguyen van duc" as `tthc dossier search` does
    dossier_columns = [c for c in dossier.c if not c.name.endswith("_id") and c.name != "id"]
    return {
        "agencies": select(*[c for c in agency.c if c.name != "id"]),
        "procedures": select(
            *[c for c in procedure.c if c.name not in ("id", "agency_id")],
            owner.c.code.label("agency"),
        ).outerjoin(owner, procedure.c.agency_id == owner.c.id),
        "dossiers": select(
            *dossier_columns,
            procedure.c.code.label("procedure"),
            rec.c.code.label("receiving_agency"),
            proc.c.code.label("processing_agency"),
            ret.c.code.label("returning_agency"),
        )
        .join(procedure, dossier.c.procedure_id == procedure.c.id)
        .join(rec, dossier.c.receiving_agency_id == rec.c.id)
        .join(proc, dossier.c.processing_agency_id == proc.c.id)
        .join(ret, dossier.c.returning_agency_id == ret.c.id),
        "events": select(
            dossier.c.code.label("dossier"), *[c for c in event.c if c.name != "dossier_id"]
        ).join(dossier, event.c.dossier_id == dossier.c.id),
        "letters": select(
            dossier.c.code.label("dossier"),
            agency.c.code.label("agency"),
            *[c for c in letter.c if c.name not in ("dossier_id", "agency_id")],
        )
        .join(dossier, letter.c.dossier_id == dossier.c.id)
        .join(agency, letter.c.agency_id == agency.c.id),
    }


def write_snapshot(engine: Engine, path: Path, now: datetime) -> dict[str, int]:
    """Build the snapshot at ``path`` (replaced if it exists, only once it is complete: it is
    built beside it and renamed); returns rows per table."""
    if not path.parent.is_dir():
        raise FileAccessError(str(path), errno.ENOENT, "")
    if path.is_dir():
        raise FileAccessError(str(path), errno.EISDIR, "")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        target = sqlite_utils.Database(temporary)
    except sqlite3.OperationalError as exc:
        raise FileAccessError(str(path), errno.EACCES, str(exc)) from exc
    try:
        counts = _fill(engine, target, now)
        target.close()
        os.replace(temporary, path)
    except OSError as exc:  # named by the path asked for, not the file beside it
        target.close()
        temporary.unlink(missing_ok=True)
        raise FileAccessError(str(path), exc.errno, exc.strerror or str(exc)) from exc
    except BaseException:
        target.close()
        temporary.unlink(missing_ok=True)
        raise
    return counts


def _fill(engine: Engine, target: sqlite_utils.Database, now: datetime) -> dict[str, int]:
    counts = {}
    for name, statement in _queries().items():
        rows = _rows(engine, statement)
        pk = "code" if name in ("agencies", "procedures", "dossiers") else None
        table = target.table(name)
        if rows:
            table.insert_all(rows, pk=pk)
        else:
            table.create({c.name: str for c in statement.selected_columns}, pk=pk)
        counts[name] = len(rows)
    as_of = _plain(now)
    target.table("snapshot").insert({"as_of": as_of, "source": str(engine.url)})
    target.create_view(
        "late_dossiers",
        "SELECT * FROM dossiers WHERE coalesce(completed_at, returned_at) > original_due_at",
    )
    target.create_view(
        "open_overdue",
        f"SELECT * FROM dossiers WHERE status = 'in_progress' AND due_at < '{as_of}'",
    )
    target.table("dossiers").enable_fts(["applicant_name", "code", "search_text"])
    return counts
