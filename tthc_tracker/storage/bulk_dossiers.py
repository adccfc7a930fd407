"""Writing many new dossiers and their events in the caller's transaction (the bulk import).

Values come column by column (a sequence per column name of the ``dossier`` and
``dossier_event`` tables; the event ids are left to the database); instants come as arrays
of UTC epoch seconds, ``NONE`` where there is none. On SQLite the rows go through the
driver's own ``executemany`` (one prepared INSERT per table, plain tuples, no SQLAlchemy
in between), instants in exactly the text form SQLModel's datetime type stores
(``'YYYY-MM-DD HH:MM:SS.ffffff'`` in UTC, see shared/libraries.md: any other form breaks
range queries). Other backends get the same rows through a Core ``insert`` with aware
datetimes. Column names come from the models.

On SQLite two things make a large import several times faster, both undone before the
transaction ends: a larger page cache for this connection, and the full-text index trigger
(``dossier_fts_ai``, migration 0004) set aside while the rows go in, the new rows then indexed
in one statement and the trigger created again from its own stored SQL. SQLite's DDL is
transactional: a rolled-back import leaves the trigger as it was, and other connections,
held off by the write lock, never see the table without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, insert, select
from sqlmodel import Session, col

from tthc_tracker.domain.bulk_due import stamps
from tthc_tracker.domain.dossier_fast import NONE, Int64Array
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
CHUNK = 100_000  # rows bound at a time: bounded memory for the text forms
Columns = Mapping[str, Sequence[Any]]


def utc_text(epochs: Sequence[int] | np.ndarray[Any, Any]) -> list[str | None]:
    """Instants (UTC epoch seconds, ``NONE`` for none) in the stored text form."""
    values = np.asarray(epochs, dtype=np.int64)
    present = np.flatnonzero(values != NONE)
    if len(present) < values.size:
        texts = np.full(values.size, None, dtype=object)
        texts[present] = utc_text(values[present])
        return texts.tolist()
    return stamps(values, 0, " ", ".000000")  # type: ignore[return-value]  # str is str | None


def aware(epochs: Sequence[int] | np.ndarray[Any, Any]) -> list[datetime | None]:
    """Instants (UTC epoch seconds, ``NONE`` for none) as aware datetimes."""
    return [
        None if e == NONE else datetime.fromtimestamp(e, UTC)
        for e in np.asarray(epochs, dtype=np.int64).tolist()
    ]


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
        if not stored:
            return set()
        if stored <= 4 * len(codes):  # cheaper to read them all than to ask in batches
            return set(self.session.execute(select(col(DossierRow.code))).scalars()) & set(codes)
        found: set[str] = set()
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            query = select(col(DossierRow.code)).where(col(DossierRow.code).in_(chunk))
            found.update(self.session.execute(query).scalars())
        return found

    def new_ids(self, count: int) -> Int64Array:
        """Ids for ``count`` new dossiers, increasing. SQLite: after the ledger's last (the
        write lock is held); PostgreSQL: taken from the id sequence, as other writers do."""
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            last = self.session.execute(select(func.max(col(DossierRow.id)))).scalar()
            return np.arange(int(last or 0) + 1, int(last or 0) + 1 + count, dtype=np.int64)
        taken = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('dossier', 'id'))"
            " FROM generate_series(1, %(count)s)",
            {"count": count},
        ).scalars()
        return np.sort(np.fromiter(taken, dtype=np.int64, count=count))

    @contextmanager
    def writing(self, dossiers: Columns) -> Iterator[Callable[[Columns], None]]:
        """Insert the dossiers (rows in column order, ids given) and yield the function that
        inserts their events, which the caller builds meanwhile.

        On SQLite the full-text index of the new rows is built in that meantime, by a
        thread: it is one statement, during which the driver does not hold Python's
        interpreter lock, so SQLite indexes on one core while the caller builds the events
        on the other. The events are inserted once the index is done (one connection)."""
        connection = self.session.connection()
        if connection.dialect.name != "sqlite":
            _insert_core(connection, DossierRow, DOSSIER_COLUMNS, dossiers)
            yield lambda events: _insert_core(connection, DossierEventRow, EVENT_COLUMNS, events)
            return
        with _large_cache(connection), _fts_deferred(connection) as index:
            _executemany(connection, "dossier", DOSSIER_COLUMNS, dossiers, None)
            indexing = index(dossiers["id"])

            def write_events(events: Columns) -> None:
                rows = list(_rows(EVENT_COLUMNS, events, stored=True))  # while indexing
                indexing.wait()
                _executemany(connection, "dossier_event", EVENT_COLUMNS, events, rows)

            try:
                yield write_events
            finally:
                indexing.wait()


def _rows(
    names: tuple[str, ...], columns: Columns, stored: bool
) -> Iterator[list[tuple[Any, ...]]]:
    """Row tuples, a chunk at a time; instants as stored text (``stored``) or datetimes."""
    size = len(columns[names[0]])
    for start in range(0, size, CHUNK):
        chunk = [_values(n, columns[n][start : start + CHUNK], stored) for n in names]
        yield list(zip(*chunk, strict=True))


def _values(name: str, column: Sequence[Any], stored: bool) -> Sequence[Any]:
    """A column ready to bind: instants as stored text (``stored``) or as datetimes."""
    if name in TIMES:
        return utc_text(column) if stored else aware(column)
    if isinstance(column, np.ndarray):
        return column.tolist()  # numpy scalars do not bind
    return column


def _executemany(
    connection: Connection,
    table: str,
    names: tuple[str, ...],
    columns: Columns,
    rows: list[list[tuple[Any, ...]]] | None,
) -> None:
    """Insert the rows (made from ``columns`` unless given, a chunk at a time)."""
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for chunk in rows if rows is not None else _rows(names, columns, stored=True):
            cursor.executemany(sql, chunk)
    finally:
        cursor.close()


def _insert_core(
    connection: Connection, model: type[Any], names: tuple[str, ...], columns: Columns
) -> None:
    for rows in _rows(names, columns, stored=False):
        if rows:
            connection.execute(insert(model), [dict(zip(names, r, strict=True)) for r in rows])


@contextmanager
def _large_cache(connection: Connection) -> Iterator[None]:
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={before}")


class _Indexing:
    """The full-text index of the new rows, built by a thread on the same connection."""

    def __init__(self, connection: Connection, ids: Sequence[int]) -> None:
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        if not len(ids):
            return
        driver = connection.connection.driver_connection
        span = (int(np.min(ids)), int(np.max(ids)))

        def build() -> None:
            try:
                driver.execute(  # type: ignore[union-attr]
                    f"INSERT INTO {FTS_TABLE} (rowid, search_text)"
                    " SELECT id, search_text FROM dossier WHERE id BETWEEN ? AND ?",
                    span,
                )
            except BaseException as exc:  # any failure: raised again by wait()
                self.failure = exc

        self.thread = threading.Thread(target=build, name="tthc-fts-index", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure


@contextmanager
def _fts_deferred(connection: Connection) -> Iterator[Callable[[Sequence[int]], _Indexing]]:
    """Index the new rows in one statement instead of one trigger call per row; yields the
    function that starts that statement (see ``_Indexing``)."""
    trigger = f"{FTS_TABLE}_ai"
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).scalar()
    if found is None:
        yield lambda _ids: _Indexing(connection, [])
        return
    connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield lambda ids: _Indexing(connection, ids)
    connection.exec_driver_sql(found)
