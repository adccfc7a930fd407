"""Engines, schema migrations and transactions.

SQLite is the embedded default (WAL journal, foreign keys on, write transactions taken with
``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way); PostgreSQL goes through
the same SQLAlchemy expressions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from tthc_tracker.domain.errors import ConfigError, DatabaseError
from tthc_tracker.storage.repository import Repository

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and immediate write transactions."""
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConfigError("--db", f"{url}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see "begin" below) instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Create or upgrade the schema to the newest migration; idempotent.

    Returns the revision before and after.
    """
    try:
        before = current_revision(engine)
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except OperationalError as exc:
        raise ConfigError("--db", str(exc.orig)) from exc
    return before, head_revision()


def require_schema(engine: Engine) -> None:
    """Fail with a clear message when the database was never initialised or is outdated."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise ConfigError("--db", str(exc.orig)) from exc
    if current != head_revision():
        raise ConfigError(
            "--db",
            "cơ sở dữ liệu chưa được khởi tạo hoặc chưa nâng cấp; hãy chạy “tthc init”",
        )


class Database:
    """A unit of work factory: ``with db.transaction() as repo: …`` commits or rolls back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield Repository(session)
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise DatabaseError(str(exc.orig)) from exc
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
