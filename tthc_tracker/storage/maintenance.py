"""What `tthc db …` reads from a ledger: its tables and row counts, a consistent read-only
view of it, orphaned rows, and every dossier with its history for the event-chain check.

A check or a copy reads inside one transaction that sees a single state of the ledger while
clerks go on writing: on SQLite a deferred ``BEGIN`` in WAL mode (the ledger's own engine
starts every transaction with ``BEGIN IMMEDIATE``, which would hold the writers off for the
whole read), on PostgreSQL a read-only ``REPEATABLE READ`` transaction.

Foreign keys: SQLite checks them itself (``PRAGMA foreign_key_check``); on PostgreSQL the
constraints could have been disabled while a dump was restored, so every declared key is
checked with an orphan query instead of being taken on trust.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    URL,
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    exists,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from tthc_tracker.domain.errors import DatabaseError
from tthc_tracker.domain.history import History, Step
from tthc_tracker.storage import models
from tthc_tracker.storage.db import MIGRATIONS, head_revision

BATCH = 5_000
STREAM: dict[str, Any] = {"stream_results": True, "yield_per": BATCH}  # per statement
EXAMPLES = 5  # row ids shown per problem

ALEMBIC_VERSION = Table(
    "alembic_version", MetaData(), Column("version_num", String(32), primary_key=True)
)
"""Alembic's own table: not a model, but part of a ledger (copied and verified with it)."""


def ledger_tables() -> list[Table]:
    """Every model table, parents before children (the order to copy or fill them in)."""
    return list(SQLModel.metadata.sorted_tables)  # registered by importing ``models``


def display_url(engine: Engine) -> str:
    """The engine's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def existing_tables(engine: Engine) -> set[str]:
    try:
        return set(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        raise DatabaseError(_detail(exc)) from exc


def _detail(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


def data_tables_with_rows(engine: Engine) -> list[str]:
    """The model tables that hold at least one row (an initialised, unused ledger: none)."""
    present = existing_tables(engine)
    try:
        with engine.connect() as connection:
            return [
                t.name
                for t in ledger_tables()
                if t.name in present
                and connection.execute(select(exists().select_from(t))).scalar()
            ]
    except SQLAlchemyError as exc:
        raise DatabaseError(_detail(exc)) from exc


def known_revisions() -> set[str]:
    """Every revision of the migrations this version of the software ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def same_database(first: Engine, second: Engine) -> bool:
    """Whether two engines reach the same database (same file, or same server and name)."""
    a, b = first.url, second.url
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return Path(a.database or "").resolve() == Path(b.database or "").resolve()

    def place(url: URL) -> tuple[str, ...]:
        host = url.host or url.query.get("host") or "localhost"
        port = url.port or url.query.get("port") or 5432
        return (str(host), str(port), str(url.database))

    return place(a) == place(b)


def revisions(engine: Engine) -> tuple[str | None, str | None]:
    """(the ledger's Alembic revision, the newest migration's), read without a write lock."""
    with snapshot(engine) as connection:
        try:
            current = MigrationContext.configure(connection).get_current_revision()
        except SQLAlchemyError as exc:
            raise DatabaseError(_detail(exc)) from exc
    return current, head_revision()


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection seeing one state of the ledger until the block ends."""
    if engine.dialect.name == "sqlite":
        reader = _sqlite_reader(engine)
        try:
            with reader.connect() as connection, connection.begin():
                yield connection
        except SQLAlchemyError as exc:
            raise DatabaseError(_detail(exc)) from exc
        finally:
            reader.dispose()
        return
    try:
        with engine.connect() as plain:
            connection = plain.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with connection.begin():
                yield connection
    except SQLAlchemyError as exc:
        raise DatabaseError(_detail(exc)) from exc


def _sqlite_reader(engine: Engine) -> Engine:
    """An engine on the same file whose transactions are deferred (readers never block)."""
    reader = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(reader, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return reader


# -- foreign keys --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Orphans:
    """Rows of ``table`` whose ``column`` names a ``parent`` row that does not exist."""

    table: str
    column: str
    parent: str
    count: int
    examples: tuple[str, ...]  # primary keys (SQLite: rowids) of the first few


def orphans(engine: Engine) -> list[Orphans]:
    try:
        if engine.dialect.name == "sqlite":
            return _sqlite_orphans(engine)
        return _orphan_queries(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(_detail(exc)) from exc


def _sqlite_orphans(engine: Engine) -> list[Orphans]:
    found: dict[tuple[str, int], list[str]] = {}
    parents: dict[tuple[str, int], str] = {}
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        for table, rowid, parent, fkid in rows:
            found.setdefault((table, fkid), []).append(str(rowid))
            parents[(table, fkid)] = parent
        columns = {}
        for table, fkid in found:
            keys = connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all()
            columns[(table, fkid)] = next((k[3] for k in keys if k[0] == fkid), "?")
    return [
        Orphans(key[0], columns[key], parents[key], len(ids), tuple(ids[:EXAMPLES]))
        for key, ids in sorted(found.items())
    ]


def _orphan_queries(engine: Engine) -> list[Orphans]:
    present = existing_tables(engine)
    found = []
    with engine.connect() as connection:
        for table in ledger_tables():
            if table.name not in present:
                continue
            for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
                child, target = key.parent, key.column
                if target.table.name not in present:
                    continue
                missing = child.isnot(None) & ~exists().where(target == child).correlate(table)
                count = connection.execute(
                    select(func.count()).select_from(table).where(missing)
                ).scalar_one()
                if count:
                    pk = list(table.primary_key.columns)
                    ids = connection.execute(
                        select(*pk).where(missing).order_by(*pk).limit(EXAMPLES)
                    ).all()
                    examples = tuple("/".join(str(v) for v in row) for row in ids)
                    found.append(
                        Orphans(table.name, child.name, target.table.name, count, examples)
                    )
    return found


# -- dossiers and their histories -------------------------------------------------------------


def chains(connection: Connection) -> Iterator[History]:
    """Every dossier with its history, by id; two ordered streams merged (bounded memory)."""
    dossier = models.DossierRow.__table__  # type: ignore[attr-defined]
    event_table = models.DossierEventRow.__table__  # type: ignore[attr-defined]
    dossiers = connection.execute(
        select(
            dossier.c.id,
            dossier.c.code,
            dossier.c.status,
            dossier.c.received_at,
            dossier.c.supplement_requests,
            dossier.c.extended,
            dossier.c.completed_at,
            dossier.c.returned_at,
        )
        .order_by(dossier.c.id)
        .execution_options(**STREAM)
    )
    events = connection.execute(
        select(
            event_table.c.dossier_id,
            event_table.c.seq,
            event_table.c.kind,
            event_table.c.at,
            event_table.c.reason,
            event_table.c.field,
            event_table.c.new_value,
        )
        .order_by(event_table.c.dossier_id, event_table.c.seq)
        .execution_options(**STREAM)
    )
    stream = iter(events)
    try:
        pending = next(stream, None)
        for d in dossiers:
            steps: list[Step] = []
            while pending is not None and pending.dossier_id <= d.id:
                if pending.dossier_id == d.id:
                    steps.append(
                        Step(
                            pending.seq,
                            pending.kind,
                            pending.at,
                            pending.reason,
                            pending.field,
                            pending.new_value,
                        )
                    )
                pending = next(stream, None)
            yield History(
                d.code,
                d.status,
                d.received_at,
                d.supplement_requests,
                bool(d.extended),
                d.completed_at,
                d.returned_at,
                tuple(steps),
            )
    except SQLAlchemyError as exc:
        raise DatabaseError(_detail(exc)) from exc
    finally:
        events.close()
        dossiers.close()
