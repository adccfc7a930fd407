"""Writing many new dossiers and their events in the caller's transaction (the bulk import).

Values come column by column (a sequence per column name of the ``dossier`` and
``dossier_event`` tables; the event ids are left to the database), with instants as UTC epoch
seconds (or None). On SQLite they are written with the driver's ``executemany`` in
exactly the text form SQLModel's datetime type stores (``'YYYY-MM-DD HH:MM:SS.ffffff'`` in
UTC, see shared/libraries.md: any other form breaks range queries); other backends get the
same rows through a Core ``insert`` with aware datetimes. Column names come from the models.

On SQLite two things make a large import several times faster, both undone before the
transaction ends: a larger page cache for this connection, and the full-text index trigger
(``dossier_fts_ai``, migration 0004) set aside while the rows go in, the new rows then indexed
in one statement and the trigger created again from its own stored SQL. SQLite's DDL is
transactional: a rolled-back import leaves the trigger as it was, and other connections,
held off by the write lock, never see the table without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, insert, select
from sqlmodel import Session, col

from tthc_tracker.storage.models import AgencyRow, DossierEventRow, DossierRow, ProcedureRow
from tthc_tracker.storage.repository import Repository
from tthc_tracker.storage.search import FTS_TABLE

DOSSIER_COLUMNS = tuple(c.name for c in DossierRow.__table__.c)  # type: ignore[attr-defined]
EVENT_COLUMNS = tuple(
    c.name
    for c in DossierEventRow.__table__.c  # type: ignore[attr-defined]
    if c.name != "id"
)
TIMES = frozenset(
    {"received_at", "original_due_at", "due_at", "declared_due_at", "completed_at"}
    | {"returned_at", "created_at", "updated_at", "at", "recorded_at"}
)
CACHE_KIB = 512 * 1024  # page cache for the import's connection on SQLite
CHUNK = 100_000
Row = tuple[Any, ...]
Columns = Mapping[str, Sequence[Any]]


def _texts(epochs: Sequence[int]) -> list[str]:
    values = np.array(epochs, dtype="datetime64[s]")
    return [t.replace("T", " ") + ".000000" for t in np.datetime_as_string(values).tolist()]


def utc_text(epochs: Sequence[int | None]) -> list[str | None]:
    """Instants (UTC epoch seconds) in the stored text form, vectorised."""
    if not epochs:
        return []
    first = epochs[0]
    if epochs.count(first) == len(epochs):  # a column of one value (created_at, …)
        return [None if first is None else _texts([first])[0]] * len(epochs)
    texts = _texts([0 if e is None else e for e in epochs])
    if None in epochs:
        return [None if e is None else t for e, t in zip(epochs, texts, strict=True)]
    return texts  # type: ignore[return-value]  # list[str] is a list of str | None


class BulkDossiers:
    """The bulk import's reads and writes, inside the repository's transaction."""

    def __init__(self, repo: Repository) -> None:
        self.session: Session = repo.session

    def catalogue_ids(self) -> tuple[dict[str, int], dict[str, int]]:
        """(procedure code → id, agency code → id)."""
        procedures = self.session.execute(select(col(ProcedureRow.code), col(ProcedureRow.id)))
        agencies = self.session.execute(select(col(AgencyRow.code), col(AgencyRow.id)))
        return {c: i for c, i in procedures}, {c: i for c, i in agencies}  # noqa: C416 - rows

    def existing_codes(self, codes: Sequence[str]) -> set[str]:
        """Which of ``codes`` the ledger already has."""
        stored = self.session.execute(select(func.count()).select_from(DossierRow)).scalar_one()
        if stored <= 4 * len(codes):  # cheaper to read them all than to ask in batches
            return set(self.session.execute(select(col(DossierRow.code))).scalars()) & set(codes)
        found: set[str] = set()
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            query = select(col(DossierRow.code)).where(col(DossierRow.code).in_(chunk))
            found.update(self.session.execute(query).scalars())
        return found

    def next_id(self) -> int:
        last = self.session.execute(select(func.max(col(DossierRow.id)))).scalar()
        return int(last or 0) + 1

    def insert(self, dossiers: Columns, events: Columns) -> None:
        """Write the rows: the dossiers' ids are given, and the events name them."""
        connection = self.session.connection()
        if connection.dialect.name != "sqlite":
            _insert_core(connection, DossierRow, DOSSIER_COLUMNS, dossiers)
            _insert_core(connection, DossierEventRow, EVENT_COLUMNS, events)
            return
        with _large_cache(connection), _fts_deferred(connection, dossiers["id"]):
            _executemany(connection, "dossier", DOSSIER_COLUMNS, dossiers)
            _executemany(connection, "dossier_event", EVENT_COLUMNS, events)


def _rows(names: tuple[str, ...], columns: Columns, stored: bool) -> list[Row]:
    """Row tuples in ``names`` order; instants as stored text (``stored``) or datetimes."""
    values: list[Sequence[Any]] = []
    for name in names:
        column = columns[name]
        if name in TIMES:
            column = utc_text(column) if stored else [_aware(e) for e in column]
        values.append(column)
    return list(zip(*values, strict=True))


def _aware(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _executemany(
    connection: Connection, table: str, names: tuple[str, ...], columns: Columns
) -> None:
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    size = len(columns[names[0]])
    for start in range(0, size, CHUNK):  # bounded memory for the text forms
        chunk = {name: columns[name][start : start + CHUNK] for name in names}
        connection.exec_driver_sql(sql, _rows(names, chunk, True))


def _insert_core(
    connection: Connection, model: type[Any], names: tuple[str, ...], columns: Columns
) -> None:
    rows = _rows(names, columns, False)
    if rows:
        connection.execute(insert(model), [dict(zip(names, row, strict=True)) for row in rows])


@contextmanager
def _large_cache(connection: Connection) -> Iterator[None]:
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={before}")


@contextmanager
def _fts_deferred(connection: Connection, ids: Sequence[int]) -> Iterator[None]:
    """Index the new rows in one statement instead of one trigger call per row."""
    trigger = f"{FTS_TABLE}_ai"
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).scalar()
    if found is None or not ids:
        yield
        return
    connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield
    connection.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE} (rowid, search_text)"
        " SELECT id, search_text FROM dossier WHERE id BETWEEN ? AND ?",
        (min(ids), max(ids)),
    )
    connection.exec_driver_sql(found)
