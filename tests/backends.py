"""The two database backends the suite runs on: a SQLite file and a PostgreSQL database.

Every test that asks for a ledger (``db_url``, ``run``, ``seeded`` …) runs once per backend
through the session-scoped ``backend`` parameter (see ``tests/conftest.py``). PostgreSQL
tests need a server: ``TTHC_TEST_POSTGRES`` holds an administrator URL, e.g.
``postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=5433`` (``scripts/pg-throwaway``
starts such a server). Without it they are skipped with the reason shown by ``pytest -rs``;
with ``TTHC_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) a missing server fails them instead.

Each test gets a database of its own: a new SQLite file in ``tmp_path`` or a new PostgreSQL
database (dropped afterwards); templates built once per session are copied (file copy, or
``CREATE DATABASE … TEMPLATE``).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

PG_ENV = "TTHC_TEST_POSTGRES"
REQUIRE_ENV = "TTHC_REQUIRE_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Ledger:
    """One test database, reachable by ``url``; ``query`` reads it with plain SQL."""

    backend: str
    url: str
    path: Path | None = None  # the SQLite file
    name: str | None = None  # the PostgreSQL database

    def engine(self) -> Engine:
        return create_engine(self.url, poolclass=NullPool)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows as tuples; instants as SQLite stores them (naive UTC text) on both backends."""
        engine = self.engine()
        try:
            with engine.connect() as connection:
                found = connection.execute(text(sql), params or {})
                return [tuple(_as_stored(value) for value in row) for row in found]
        finally:
            engine.dispose()

    def execute(self, *statements: str) -> None:
        engine = self.engine()
        try:
            with engine.begin() as connection:
                for statement in statements:
                    connection.execute(text(statement))
        finally:
            engine.dispose()

    def dicts(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        engine = self.engine()
        try:
            with engine.connect() as connection:
                result = connection.execute(text(sql), params or {})
                return [{k: _as_stored(v) for k, v in row._mapping.items()} for row in result]
        finally:
            engine.dispose()


def _as_stored(value: Any) -> Any:
    """A PostgreSQL ``timestamptz`` as the text SQLite holds for the same instant."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


class PostgresServer:
    """The administrator connection to the test server; creates and drops databases."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self._engine = create_engine(
            self.admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )

    def check(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def url_of(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None, name: str | None = None) -> Ledger:
        name = name or f"tthc_test_{uuid.uuid4().hex[:16]}"
        clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with self._engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return Ledger("postgresql", self.url_of(name), name=name)

    def drop(self, ledger: Ledger) -> None:
        with self._engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{ledger.name}" WITH (FORCE)'))

    def dispose(self) -> None:
        self._engine.dispose()


def connect_postgres() -> PostgresServer:
    """The server named by ``TTHC_TEST_POSTGRES``; skip (or fail in CI) when there is none."""
    required = os.environ.get(REQUIRE_ENV) == "1"
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        reason = f"PostgreSQL tests need {PG_ENV}=<admin URL> (scripts/pg-throwaway starts one)"
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(admin_url)
    try:
        server.check()
    except Exception as exc:  # any driver or network failure means "no server"
        reason = f"PostgreSQL server {PG_ENV} is not reachable: {exc}"
        if required:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return server


class Ledgers:
    """Creates test databases of one backend; ``tmp`` is where SQLite files go."""

    def __init__(self, backend: str, server: PostgresServer | None) -> None:
        self.backend = backend
        self.server = server

    def new(self, folder: Path, template: Ledger | None = None) -> Ledger:
        if self.server is None:
            path = folder / "tthc.db"
            if template is not None:
                assert template.path is not None
                copy_sqlite(template.path, path)
            return Ledger("sqlite", f"sqlite:///{path}", path=path)
        return self.server.create(template.name if template is not None else None)

    def drop(self, ledger: Ledger) -> None:
        if self.server is not None:
            self.server.drop(ledger)

    def copy(self, template: Ledger, ledger: Ledger) -> None:
        """Make ``ledger`` (same URL) a copy of ``template``."""
        if self.server is None:
            assert template.path is not None and ledger.path is not None
            copy_sqlite(template.path, ledger.path)
            return
        self.server.drop(ledger)
        self.server.create(template.name, ledger.name)


def copy_sqlite(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def row_count(ledger: Ledger, tables: Sequence[str]) -> dict[str, int]:
    return {table: ledger.query(f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}
