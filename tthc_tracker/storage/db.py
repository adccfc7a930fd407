"""Engines, schema migrations, transactions and the retry of transient conflicts.

Concurrency (docs/concurrency.md tells the whole story):

* **SQLite** runs every write transaction as ``BEGIN IMMEDIATE``: writers queue on the
  database lock before reading anything, so a unit of work never computes from data another
  one is changing, never fails half-way upgrading a read to a write, and cannot deadlock. A
  writer waits up to ``lock_timeout`` for the lock (``PRAGMA busy_timeout``); then SQLite
  answers ``SQLITE_BUSY``. Readers (:meth:`Database.transaction`, the schema check) start
  with a plain ``BEGIN`` and read their WAL snapshot without waiting for the writers.
* **PostgreSQL** runs at ``READ COMMITTED``, set explicitly so that a server configured
  otherwise does not change our semantics. Chosen over ``REPEATABLE READ`` and
  ``SERIALIZABLE`` because the nightly sweep reads every open dossier while clerks keep
  writing: under snapshot isolation each clerk's commit would abort the sweep
  (serialization failure) and a busy office could starve it. Instead every write path that
  computes from what it read takes the row lock first or writes atomically: dossier rows
  are locked (``FOR NO KEY UPDATE``) before an event ``seq`` is computed, dossier updates
  are compare-and-set on ``version``, letter numbers are one ``UPDATE … RETURNING`` on the
  counter row, flags, drafts and counters are ``INSERT … ON CONFLICT DO NOTHING``, and the
  scheduler lease is one upsert. Locks are taken in one order (dossier, then counter, then
  letter; many dossiers by ascending id), so deadlocks are not expected; a lock wait ends
  after ``lock_timeout`` (``SET lock_timeout``) instead of hanging on a stuck session.

Whatever remains transient (SQLite busy or locked; PostgreSQL serialization failure 40001,
deadlock 40P01, lock timeout 55P03; a compare-and-set lost to another writer) is retried by
:meth:`Database.run`, which re-runs the *whole* unit of work with exponential backoff and
full jitter, bounded in attempts and in time. When it persists, :class:`LedgerBusyError`
(a :class:`DatabaseError`) tells the user in Vietnamese that the ledger is busy and nothing
was written.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import Session

from tthc_tracker.domain.errors import ConfigError, DatabaseError
from tthc_tracker.i18n import _
from tthc_tracker.storage.repository import ConcurrentUpdateError, Repository

MIGRATIONS = Path(__file__).parent / "migrations"

LOCK_TIMEOUT = 10.0
"""Seconds one statement waits for a lock held by another writer before it is a conflict."""
READ_ONLY = "tthc_read_only"
"""Execution option of a connection that only reads: on SQLite it does not take the write lock."""

log = logging.getLogger(__name__)
T = TypeVar("T")

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6  # primary result codes; extended codes keep them in 8 bits
_PG_TRANSIENT = {
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "55P03": "lock_not_available",
}


def make_engine(url: str, *, lock_timeout: float | None = None) -> Engine:
    """Build an engine: SQLite gets WAL, foreign keys and immediate write transactions;
    PostgreSQL gets READ COMMITTED; both wait ``lock_timeout`` seconds for a lock
    (:data:`LOCK_TIMEOUT` when not given)."""
    lock_timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    try:
        backend = make_url(url).get_backend_name()
        engine = create_engine(url)
    except ArgumentError as exc:
        raise ConfigError(
            "--db", _("{url}: không đọc được địa chỉ cơ sở dữ liệu").format(url=_masked(url))
        ) from exc
    except NoSuchModuleError as exc:
        raise ConfigError(
            "--db", _("{url}: không có loại cơ sở dữ liệu này").format(url=_masked(url))
        ) from exc
    except ImportError as exc:  # the driver is not installed
        extra = "pip install 'tthc-tracker[postgresql]'"
        if exc.name is None:  # installed but unusable (psycopg without libpq): its own words
            raise ConfigError(
                "--db",
                _("{url}: thư viện kết nối không dùng được ({detail}); {hint}").format(
                    url=_masked(url), detail=exc, hint=extra
                ),
            ) from exc
        hint = {
            "psycopg": extra,
            "psycopg2": f"dùng địa chỉ postgresql+psycopg://… và {extra}",
        }.get(exc.name, f"pip install {exc.name}")
        raise ConfigError(
            "--db",
            _("{url}: thiếu thư viện kết nối {name}; {hint}").format(
                url=_masked(url), name=exc.name, hint=hint
            ),
        ) from exc
    if backend == "sqlite":
        _configure_sqlite(engine, lock_timeout)
    elif backend == "postgresql":
        _configure_postgresql(engine, lock_timeout)
    return engine


def _masked(url: str) -> str:
    """``url`` with its password replaced by ***, when it parses as a URL at all."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _configure_sqlite(engine: Engine, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see "begin" below) instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reader that says so (READ_ONLY) reads its WAL snapshot without queueing.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine, lock_timeout: float) -> None:
    engine.update_execution_options(isolation_level="READ COMMITTED")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {max(1, int(lock_timeout * 1000))}")
        # Times are UTC in the ledger whatever the server's zone. psycopg prepares a
        # statement run 5 times; the server's "generic" plan of a prepared statement
        # ignores the values, and for the sweep's long id lists that plan is a full scan
        # (a second sweep took 34 s instead of 3 s on 10 M dossiers): plan each run.
        # JIT compiles big aggregates for longer than they run on a ledger's queries.
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute("SET plan_cache_mode = force_custom_plan")
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()  # session settings, kept for the connection's life


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
        connection.execution_options(**{READ_ONLY: True})
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Create or upgrade the schema to the newest migration; idempotent.

    Returns the revision before and after.
    """
    try:
        before = current_revision(engine)
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except SADatabaseError as exc:
        raise ConfigError("--db", opening_problem(exc)) from exc
    return before, head_revision()


def require_schema(engine: Engine) -> None:
    """Fail with a clear message when the database was never initialised or is outdated.
    A SQLite file that does not exist is not created by asking (a mistyped ``--db`` would
    leave an empty file behind)."""
    database = engine.url.database or ""
    in_a_file = engine.dialect.name == "sqlite" and database not in ("", ":memory:")
    if in_a_file and not database.startswith("file:") and not Path(database).exists():
        raise ConfigError(
            "--db",
            _("không có tệp cơ sở dữ liệu {path}; hãy chạy “tthc init” để tạo").format(
                path=database
            ),
        )
    try:
        current = current_revision(engine)
    except SADatabaseError as exc:
        reason = transient_reason(exc)
        if reason is not None:  # a writer holds the database: busy, not misconfigured
            raise LedgerBusyError(reason) from exc
        raise ConfigError("--db", opening_problem(exc)) from exc
    if current != head_revision():
        raise ConfigError(
            "--db",
            "cơ sở dữ liệu chưa được khởi tạo hoặc chưa nâng cấp; hãy chạy “tthc init”",
        )


class LedgerBusyError(DatabaseError):
    """Other writers kept the ledger busy (lock wait, deadlock, serialization failure) and
    the unit of work was rolled back. ``final``: :meth:`Database.run` tried ``attempts``
    times in ``seconds`` and gave up (a plain transaction tries once and is not final)."""

    def __init__(
        self, detail: str, attempts: int = 1, seconds: float = 0.0, *, final: bool = False
    ) -> None:
        super().__init__(detail)
        self.attempts = attempts
        self.seconds = seconds
        self.final = final

    def message(self) -> str:
        if not self.final:
            return _(
                "Sổ hồ sơ đang bận vì nhiều người cùng ghi. Không có thay đổi nào được ghi; "
                "hãy chạy lại lệnh sau ít phút. Chi tiết: {detail}"
            ).format(detail=self.detail)
        return _(
            "Sổ hồ sơ đang bận vì nhiều người cùng ghi (đã thử {attempts} lần trong {seconds} "
            "giây). Không có thay đổi nào được ghi; hãy chạy lại lệnh sau ít phút. "
            "Chi tiết: {detail}"
        ).format(attempts=self.attempts, seconds=round(self.seconds), detail=self.detail)


_OPENING_PROBLEMS = {
    "unable to open database file": "không mở được tệp cơ sở dữ liệu (thư mục không tồn tại "
    "hoặc không có quyền)",
    "file is not a database": "tệp này không phải cơ sở dữ liệu SQLite",
    "database disk image is malformed": "tệp cơ sở dữ liệu bị hỏng; khôi phục từ bản sao lưu "
    "(tthc db restore)",
    "attempt to write a readonly database": "cơ sở dữ liệu chỉ cho đọc (không có quyền ghi)",
}


def opening_problem(error: DBAPIError) -> str:
    """Why the database could not be opened, in Vietnamese when SQLite's reason is known
    (its English text kept in brackets), else the driver's own words."""
    text = str(error.orig).strip()
    known = _OPENING_PROBLEMS.get(text.lower())
    return f"{known} ({text})" if known else text


def transient_reason(error: DBAPIError) -> str | None:
    """Why ``error`` is a conflict that re-running the unit of work may clear, else None."""
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return "SQLITE_BUSY" if code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED) else None
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate in _PG_TRANSIENT:
        return _PG_TRANSIENT[sqlstate]
    text = str(original).lower()
    return "SQLITE_BUSY" if "database is locked" in text or "table is locked" in text else None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How :meth:`Database.run` retries: at most ``attempts`` tries, and no new try once
    ``budget`` seconds have gone by; between tries a random pause of up to
    ``first_delay * 2**(n-1)`` seconds, capped at ``max_delay`` ("full jitter")."""

    attempts: int = 8
    first_delay: float = 0.05
    max_delay: float = 2.0
    budget: float = 45.0

    def ceiling(self, attempt: int) -> float:
        """The longest pause after the ``attempt``-th failed try (1-based)."""
        return min(self.max_delay, self.first_delay * 2.0 ** (attempt - 1))

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, self.ceiling(attempt))


class Database:
    """A unit of work factory.

    ``db.run(work)`` calls ``work(repo)`` in a write transaction and re-runs it on a transient
    conflict: every write goes through it. ``with db.transaction() as repo: …`` is one
    attempt meant for reading: on SQLite it reads its snapshot without queueing behind the
    writers (a write inside it takes the lock only then, and may find the ledger busy).
    """

    def __init__(
        self,
        engine: Engine,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        self._reader = engine.execution_options(**{READ_ONLY: True})

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The database URL with any password masked, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    def transaction(self) -> AbstractContextManager[Repository]:
        """One transaction, committed at the end unless an error leaves it (rolled back)."""
        return self._transaction(self._reader)

    @contextmanager
    def _transaction(self, bind: Engine) -> Iterator[Repository]:
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield Repository(session)
                session.commit()
            except DBAPIError as exc:
                session.rollback()
                reason = transient_reason(exc)
                if reason is not None:
                    raise LedgerBusyError(reason) from exc
                raise DatabaseError(str(exc.orig)) from exc
            except BaseException:
                session.rollback()
                raise

    def run(self, work: Callable[[Repository], T]) -> T:
        """``work(repo)`` in one transaction, committed; re-run from the start (in a new
        transaction) while the database reports a transient conflict, per :attr:`policy`.

        ``work`` must not keep state across attempts: anything it collects it starts afresh.
        """
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._transaction(self.engine) as repo:
                    return work(repo)
            except (LedgerBusyError, ConcurrentUpdateError) as exc:
                if isinstance(exc, LedgerBusyError) and exc.final:
                    raise  # a nested unit already retried it
                detail = exc.detail if isinstance(exc, LedgerBusyError) else exc.message()
                elapsed = time.monotonic() - started
                pause = self.policy.delay(attempt, self._rng)
                if attempt >= self.policy.attempts or elapsed + pause > self.policy.budget:
                    raise LedgerBusyError(detail, attempt, elapsed, final=True) from exc
                log.info("transient conflict (%s), try %d again in %.3f s", detail, attempt, pause)
                time.sleep(pause)

    def dispose(self) -> None:
        self.engine.dispose()
