"""The province benchmark's ledgers: built once and cached, copied fresh for each run.

SQLite: ``bench_sweep.generate`` stopped at migration 0003 as ``bench_search`` does, names and
phones from ``bench_search``, then the real upgrade to head. PostgreSQL: an empty database
whose schema ``tthc init`` creates, every table copied from that SQLite file with COPY (the
secondary indexes set aside and rebuilt from their own definitions), then VACUUM ANALYZE.
:class:`Raw` is the raw driver access the baselines use.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import bench_search
import bench_sweep
import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from tthc_tracker.storage import models  # noqa: F401  (registers the tables)
from tthc_tracker.storage.db import current_revision, head_revision, make_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
TABLES = [t.name for t in SQLModel.metadata.sorted_tables]  # parents before children


@dataclass(frozen=True)
class Shape:
    dossiers: int
    open: int
    overdue: int
    seed: int

    @property
    def tag(self) -> str:
        return f"{self.dossiers}-{self.open}-{self.overdue}-{self.seed}"


def build_sqlite(path: Path, shape: Shape) -> None:
    """bench_sweep.generate stopped at 0003, names and phones as bench_search gives them, then
    the real upgrade to head (0004 fills search_text and builds the FTS5 index)."""
    bench_sweep.init_schema = bench_search._schema_at_0003  # type: ignore[assignment]
    started = time.perf_counter()
    bench_sweep.generate(path, shape.dossiers, shape.open, shape.overdue, shape.seed)
    print(f"  rows generated and loaded: {time.perf_counter() - started:.0f} s")
    rng = random.Random(shape.seed)
    db = sqlite3.connect(path)
    db.executemany(
        "UPDATE dossier SET applicant_name = ?, phone = ? WHERE id = ?",
        (
            (bench_search._name(rng), bench_search._phone(rng), number)
            for number in range(1, shape.dossiers + 1)
        ),
    )
    db.commit()
    db.close()
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    before, after = upgrade(engine)
    print(f"  upgrade {before} -> {after}: {time.perf_counter() - started:.0f} s")
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("ANALYZE")
    db.close()


def sqlite_ledger(folder: Path, shape: Shape) -> Path:
    """The pristine SQLite ledger of ``shape``, built when missing, upgraded when behind."""
    pristine = folder / f"ledger-{shape.tag}.db"
    if not pristine.exists():
        print(f"building {pristine} …")
        started = time.perf_counter()
        building = folder / "building.db"
        for leftover in folder.glob("building.db*"):
            leftover.unlink()
        build_sqlite(building, shape)
        building.rename(pristine)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    engine = make_engine(f"sqlite:///{pristine}")
    if current_revision(engine) != head_revision():
        started = time.perf_counter()
        print(f"upgrading {pristine}: {upgrade(engine)} in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return pristine


def conninfo(url: str, database: str | None = None) -> str:
    """libpq URI of a SQLAlchemy URL (``?host=`` and ``&port=`` are understood by libpq)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def sa_url(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def admin(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(conninfo(url, "postgres"), autocommit=True)


def database_note(url: str, name: str) -> str | None:
    with admin(url) as pg:
        row = pg.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
    return None if row is None else (row[0] or "")


def tthc_init(url: str) -> None:
    """The real CLI: ``tthc --db URL init``."""
    subprocess.run(
        [sys.executable, "-m", "tthc_tracker", "--db", url, "init"], check=True, cwd=ROOT
    )


def copy_table(source: sqlite3.Connection, pg: psycopg.Connection[Any], table: str) -> int:
    columns = [c.name for c in SQLModel.metadata.tables[table].columns]
    names = ", ".join(f'"{c}"' for c in columns)
    rows = source.execute(f"SELECT {names} FROM {table} ORDER BY rowid")
    done = 0
    with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)  # text form: '…HH:MM:SS.ffffff' read in TimeZone UTC, 0/1 booleans
            done += 1
    return done


def load_postgres(url: str, name: str, sqlite_path: Path) -> None:
    """Schema by ``tthc init``; rows by COPY with the secondary indexes set aside."""
    with admin(url) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"')
    target = sa_url(url, name)
    tthc_init(target)
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(conninfo(url, name)) as pg:
        pg.execute("SET TimeZone = 'UTC'")
        pg.execute("SET maintenance_work_mem = '1GB'")
        indexes = pg.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for index, _ in indexes:
            pg.execute(f'DROP INDEX "{index}"')
        # foreign keys are checked by triggers: off for the copy of rows already checked
        pg.execute("SET session_replication_role = replica")
        for table in TABLES:
            started = time.perf_counter()
            count = copy_table(source, pg, table)
            if count:
                print(f"  COPY {table}: {count:,} rows, {time.perf_counter() - started:.0f} s")
        pg.execute("SET session_replication_role = DEFAULT")
        started = time.perf_counter()
        for _, definition in indexes:
            pg.execute(definition)
        print(f"  {len(indexes)} indexes built: {time.perf_counter() - started:.0f} s")
        for table in TABLES:
            if "id" in SQLModel.metadata.tables[table].columns:
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
    source.close()
    with psycopg.connect(conninfo(url, name), autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")


def postgres_ledger(url: str, shape: Shape, sqlite_path: Path) -> str:
    """The pristine PostgreSQL ledger (``<database>_<dossiers>``), loaded when missing."""
    base = make_url(url).database or "tthc_province"
    name = f"{base}_{shape.dossiers}"
    note = f"bench_province {shape.tag}"
    if database_note(url, name) != note:
        print(f"loading PostgreSQL database {name} from {sqlite_path.name} …")
        started = time.perf_counter()
        load_postgres(url, name, sqlite_path)
        with admin(url) as pg:
            pg.execute(f"COMMENT ON DATABASE \"{name}\" IS '{note}'")
        print(f"  loaded in {time.perf_counter() - started:.0f} s")
    else:
        tthc_init(sa_url(url, name))  # upgrades a cached ledger when a migration was added
    return name


def fresh_copy(backend: str, pristine: str, folder: Path, pg_url: str, settings: str) -> str:
    """A work copy of the pristine ledger; returns its SQLAlchemy URL. On PostgreSQL the
    ``settings`` (``name=value,…``) are set on the copy: every session there gets them."""
    if backend == "sqlite":
        work = folder / "work.db"
        for leftover in folder.glob("work.db*"):
            leftover.unlink()
        shutil.copyfile(pristine, work)
        return f"sqlite:///{work}"
    work_name = f"{make_url(pg_url).database or 'tthc_province'}_work"
    with admin(pg_url) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{work_name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{work_name}" TEMPLATE "{pristine}" STRATEGY FILE_COPY')
        for item in filter(None, (i.strip() for i in settings.split(","))):
            name, value = (part.strip() for part in item.split("=", 1))
            pg.execute(f"ALTER DATABASE \"{work_name}\" SET {name} = '{value}'")
    return sa_url(pg_url, work_name)


def drop_copy(folder: Path, url: str) -> None:
    if url.startswith("sqlite"):
        for leftover in folder.glob("work.db*"):
            leftover.unlink()
        return
    with admin(url) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


# -- raw driver access (the baselines) ----------------------------------------------------------


class Raw:
    """One raw DB-API connection (sqlite3 or psycopg) and the two dialects' differences."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        self.conn: Any
        if self.sqlite:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=60)
            self.conn.isolation_level = None
            self.mark = "?"
        else:
            self.conn = psycopg.connect(conninfo(url), autocommit=True)
            self.mark = "%s"

    def sql(self, text: str) -> str:
        return text.replace("?", self.mark)

    def time(self, moment: datetime) -> object:
        return bench_sweep.utc_text(moment) if self.sqlite else moment

    def all(self, text: str, params: Sequence[object] = ()) -> list[Any]:
        return list(self.conn.execute(self.sql(text), params).fetchall())

    def run(self, text: str) -> None:
        self.conn.execute(text)

    def write(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        """One transaction (BEGIN IMMEDIATE on SQLite, as the product takes its write lock)."""
        if self.sqlite:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self._run(statements)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                self._run(statements)

    def _run(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        last: object = None
        for text, params in statements:
            values = [last if p is LAST_ID else p for p in params]
            last = self.conn.execute(self.sql(text), values).fetchone()
            last = None if last is None else last[0]

    def close(self) -> None:
        self.conn.close()


LAST_ID = object()  # in Raw.write: the id returned by the previous statement
