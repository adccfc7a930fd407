"""Backups of a whole ledger and their restoration, one way per backend.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page in one step,
inside one read transaction: a consistent copy while clerks keep writing (WAL mode lets
them). The copy is written to a temporary file beside ``FILE``, switched to a plain rollback
journal (one self-contained file), checked (``PRAGMA quick_check``) and only then renamed to
``FILE``. Restoring runs the same API the other way, into the ledger's own connection: SQLite
replaces the destination's pages in one write transaction, so other connections see either the
old ledger or the restored one, never a mixture.

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot taken by the server) and
``pg_restore --single-transaction --exit-on-error``: a failing restore leaves the ledger as it
was. The tools are looked up on ``PATH``, then in ``/usr/lib/postgresql/*/bin`` (newest
first); the password goes to them through ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, make_url

from tthc_tracker.domain.errors import ConfigError, DatabaseError, FileFormatError, TthcError
from tthc_tracker.i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PG_BIN_GLOBS = ("/usr/lib/postgresql/*/bin",)  # Debian/Ubuntu keep each version's tools here
TOOL_TIMEOUT = 6 * 3600  # seconds; a province's dump is minutes, never hours


class MissingToolError(TthcError):
    """A PostgreSQL client program (pg_dump, pg_restore) is not installed."""

    def __init__(self, tool: str) -> None:
        super().__init__(tool)
        self.tool = tool

    def message(self) -> str:
        return _(
            "Không tìm thấy chương trình {tool} (công cụ dòng lệnh của PostgreSQL) trong PATH "
            "hay trong /usr/lib/postgresql/*/bin. Hãy cài gói postgresql-client cùng phiên bản "
            "với máy chủ (apt-get install -y postgresql-client) hoặc thêm thư mục chứa {tool} "
            "vào PATH."
        ).format(tool=self.tool)


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: which backend's backup the file holds."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise FileFormatError(str(path), exc.strerror or str(exc)) from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise FileFormatError(
        str(path),
        _("không phải bản sao lưu của tthc (tệp SQLite hoặc pg_dump dạng custom)"),
    )


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed to it if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


# -- SQLite --------------------------------------------------------------------------------


def sqlite_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:":
        raise ConfigError("--db", _("cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được"))
    return Path(name)


def backup_sqlite(engine: Engine, target: Path) -> None:
    source_path = sqlite_file(engine)
    if not source_path.is_file():
        raise ConfigError("--db", _("không có tệp {path}").format(path=source_path))
    if target.resolve() == source_path.resolve():
        raise ConfigError(str(target), _("tệp sao lưu không được trùng với tệp sổ hồ sơ"))
    with _replacing(target) as temporary:
        source = engine.raw_connection()
        try:
            copy = sqlite3.connect(temporary)
            try:
                source.driver_connection.backup(copy)  # type: ignore[union-attr]
                copy.execute("PRAGMA journal_mode=DELETE")
                _quick_check(copy, temporary)
            finally:
                copy.close()
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc
        finally:
            source.close()


def _quick_check(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA quick_check").fetchone()
    if verdict is None or verdict[0] != "ok":
        raise FileFormatError(str(path), _("tệp SQLite hỏng ({detail})").format(detail=verdict))


def _damaged(path: Path, exc: sqlite3.Error) -> FileFormatError:
    """SQLite's words ("database disk image is malformed", "file is not a database") for a
    backup cut short or not a database at all, said in Vietnamese with them kept."""
    return FileFormatError(
        str(path),
        _(
            "tệp SQLite hỏng hoặc không trọn vẹn (SQLite: {detail}); hãy dùng một bản sao lưu khác"
        ).format(detail=exc),
    )


def sqlite_backup_revision(path: Path) -> str | None:
    """The Alembic revision inside a SQLite backup (None: not a tthc ledger), after a check."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _damaged(path, exc) from exc
    try:
        _quick_check(connection, path)
        found = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if found is None:
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.Error as exc:
        raise _damaged(path, exc) from exc
    finally:
        connection.close()


def restore_sqlite(engine: Engine, source: Path) -> None:
    """Replace the ledger's content by the backup's, in one write transaction."""
    target_path = sqlite_file(engine)
    if target_path.exists() and target_path.resolve() == source.resolve():
        raise ConfigError(str(source), _("tệp sao lưu không được trùng với tệp sổ hồ sơ"))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        target = engine.raw_connection()
        try:
            backup.backup(target.driver_connection)  # type: ignore[arg-type]
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise DatabaseError(str(exc)) from exc
    finally:
        backup.close()


# -- PostgreSQL ----------------------------------------------------------------------------


def find_tool(tool: str) -> Path:
    """A PostgreSQL client program: on ``PATH``, else the newest Debian versioned copy."""
    found = shutil.which(tool)
    if found:
        return Path(found)
    candidates = [Path(d) / tool for pattern in PG_BIN_GLOBS for d in glob.glob(pattern)]
    usable = [c for c in candidates if c.is_file() and os.access(c, os.X_OK)]
    if not usable:
        raise MissingToolError(tool)
    return max(usable, key=lambda c: _version_key(c.parent.parent.name))


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)


def libpq_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """(a libpq connection string for ``--dbname``, environment with the password)."""
    url = make_url(engine.url)
    params: dict[str, str] = {}
    for key, part in (
        ("dbname", url.database),
        ("user", url.username),
        ("host", url.host),
        ("port", url.port),
    ):
        if part not in (None, ""):
            params[key] = str(part)
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else ",".join(value)
    conninfo = " ".join(f"{key}={_quoted(value)}" for key, value in params.items())
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _run(tool: str, args: list[str], env: dict[str, str]) -> str:
    program = find_tool(tool)
    try:
        done = subprocess.run(
            [str(program), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DatabaseError(f"{tool}: {exc}") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        detail = " | ".join(lines[-3:]) or f"mã thoát {done.returncode}"
        raise DatabaseError(f"{tool}: {detail}")
    return done.stdout


def backup_postgresql(engine: Engine, target: Path) -> None:
    conninfo, env = libpq_target(engine)
    with _replacing(target) as temporary:
        _run("pg_dump", ["--format=custom", f"--file={temporary}", f"--dbname={conninfo}"], env)


def postgresql_backup_revision(path: Path) -> str | None:
    """The Alembic revision inside a pg_dump archive (None: no ``alembic_version`` data)."""
    script = _run(
        "pg_restore",
        ["--data-only", "--table=alembic_version", "--file=-", str(path)],
        dict(os.environ),
    )
    lines = script.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            following = lines[number + 1] if number + 1 < len(lines) else "\\."
            return None if following == "\\." else following.strip()
    return None


def restore_postgresql(engine: Engine, source: Path) -> None:
    """``pg_restore`` in one transaction: the archive's objects are dropped if they exist
    (an initialised or ``--force``-d ledger), then created and filled; any error undoes all."""
    conninfo, env = libpq_target(engine)
    _run(
        "pg_restore",
        [
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--no-comments",
            f"--dbname={conninfo}",
            str(source),
        ],
        env,
    )
