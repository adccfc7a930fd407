"""Shared fixtures: a real ledger per test, on each backend, driven through the real entry point.

Tests that ask for a ledger (``db_url``, ``run``, ``seeded`` …) run twice: on a SQLite file in
``tmp_path`` and on a fresh PostgreSQL database (see ``tests/backends.py``; skipped with a
reason when no server is configured, failed when ``TTHC_REQUIRE_POSTGRES=1``). Tests about
SQLite itself (its files, WAL, locking) carry ``@pytest.mark.sqlite_only``.

The schema always comes from the migrations (``tthc init``), never from ``create_all``. The
clock is pinned with ``TTHC_NOW`` (read by ``bootstrap.system_clock``), the actor with
``TTHC_ACTOR``; only the clock is "mocked", as the conventions allow.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.backends import (
    BACKENDS,
    Ledger,
    Ledgers,
    PostgresServer,
    connect_postgres,
    copy_sqlite,
)
from tthc_tracker.cli import main

NOW = "2026-11-27 10:00"  # a Friday; Tue 24/11/2026 (Ngày Văn hóa Việt Nam) is a day off
ACTOR = "test-clerk"
TABLES = ("agency", "procedure", "dossier", "dossier_event", "calendar_edit")

# The seeded catalogue: two agencies with different office hours, four kinds of limit.
AGENCY_DEFAULT = "UBND-A"  # 07:00-11:30,13:30-17:00
AGENCY_LATE = "PHUONG-B"  # 07:30-11:30,13:00-17:00: also 8 working hours
P_3_DAYS = "1.001612"  # "3 ngày làm việc"
P_SAME_DAY = "2.000884"  # "Trong ngày", cut-off 15:00
P_15_DAYS = "1.000015"  # "15 ngày" (calendar days)
P_HALF_DAY = "1.000005"  # "0,5 ngày làm việc"


class Result(NamedTuple):
    code: int
    out: str
    err: str


Runner = Callable[..., Result]


def _pin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTHC_NOW", NOW)
    monkeypatch.setenv("TTHC_ACTOR", ACTOR)
    for name in ("TTHC_DATABASE_URL", "TTHC_LANG", "TTHC_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Pinned clock and actor, no stray settings, and ``tmp_path`` as the working directory."""
    _pin_environment(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses a ledger runs on each backend (session-scoped parameter)."""
    if "backend" in metafunc.fixturenames:
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        names = ["sqlite"] if only_sqlite else list(BACKENDS)
        metafunc.parametrize("backend", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = connect_postgres()
    yield server
    server.dispose()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> Ledgers:
    """Creates ledgers of the backend this test runs on."""
    name: str = request.param
    if name == "sqlite":
        return Ledgers(name, None)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return Ledgers(name, server)


@pytest.fixture
def ledger_db(backend: Ledgers, env: Path) -> Iterator[Ledger]:
    """This test's database (empty: no schema until ``tthc init``)."""
    ledger = backend.new(env)
    yield ledger
    backend.drop(ledger)


MakeLedger = Callable[..., Ledger]


@pytest.fixture
def make_ledger(backend: Ledgers, env: Path) -> Iterator[MakeLedger]:
    """More ledgers of this test's backend: ``make_ledger(template=None)``; dropped afterwards."""
    made: list[Ledger] = []

    def _make(template: Ledger | None = None) -> Ledger:
        folder = env / f"ledger-{len(made) + 2}"
        folder.mkdir()
        made.append(backend.new(folder, template))
        return made[-1]

    yield _make
    for ledger in made:
        backend.drop(ledger)


@pytest.fixture
def db_path(ledger_db: Ledger) -> Path:
    """The SQLite file of this test; only for tests marked ``sqlite_only``."""
    if ledger_db.path is None:
        raise RuntimeError("db_path is SQLite's; use ledger_db or mark the test sqlite_only")
    return ledger_db.path


@pytest.fixture
def db_url(ledger_db: Ledger) -> str:
    return ledger_db.url


def invoke(argv: list[str]) -> Result:
    """Run ``tthc_tracker.cli.main(argv)`` in-process; it always ends with ``sys.exit``.

    stdout and stderr are captured separately (click's ``echo`` writes to whatever
    ``sys.stdout`` / ``sys.stderr`` are at the time of the call).
    """
    out, err = io.StringIO(), io.StringIO()
    code: object = None
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exit_:
            code = exit_.code
        else:  # pragma: no cover - main always exits
            pytest.fail("tthc_tracker.cli.main returned without sys.exit")
    code = 0 if code is None else code
    assert isinstance(code, int), code
    return Result(code, out.getvalue(), err.getvalue())


def runner_for(db_url: str | None) -> Runner:
    """``run(*args)`` → (exit code, stdout, stderr) of ``tthc --db <db_url> *args``.

    ``run(*args, db=None)`` leaves out ``--db``; ``db=URL`` uses another database.
    """

    def _run(*args: str, db: str | None = db_url) -> Result:
        return invoke(["--db", db, *args] if db is not None else list(args))

    return _run


@pytest.fixture
def run(db_url: str) -> Runner:
    return runner_for(db_url)


@pytest.fixture
def cli(env: Path) -> Runner:
    """The CLI without a ledger of the test's backend (``--db`` only where a call gives one)."""
    return runner_for(None)


def ok(result: Result) -> Result:
    """Assert a successful run (showing stderr if not) and pass the result on."""
    assert result.code == 0, f"exit {result.code}\nstdout: {result.out}\nstderr: {result.err}"
    assert result.err == "", result.err
    return result


def fails(result: Result, *fragments: str) -> Result:
    """Assert a refused run: exit 1, one Vietnamese "Lỗi: …" line naming the fragments."""
    assert result.code == 1, f"exit {result.code}\nstdout: {result.out}\nstderr: {result.err}"
    assert result.err.startswith("Lỗi: "), result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
    return result


def build_template(
    factory: pytest.TempPathFactory,
    backend: Ledgers,
    base: Ledger | None,
    build: Callable[[Runner], object],
) -> Ledger:
    """A ledger built once (from a copy of ``base``, else from ``tthc init``) for many tests.

    Every command still goes through the CLI with the pinned clock; tests get a copy
    (``use_template``). PostgreSQL templates stay until the server is thrown away.
    """
    folder = factory.mktemp("template")
    ledger = backend.new(folder, base)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _pin_environment(monkeypatch)
        monkeypatch.chdir(folder)  # whatever the commands write by default stays in there
        run = runner_for(ledger.url)
        if base is None:
            ok(run("init"))
        build(run)
    return ledger


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite ledger file (with its WAL) for ``sqlite_only`` tests."""
    copy_sqlite(source, target)


@pytest.fixture
def initialised(run: Runner) -> Runner:
    ok(run("init"))
    return run


def _seed_catalogue(run: Runner) -> None:
    agencies = (
        (AGENCY_DEFAULT, "ỦY BAN NHÂN DÂN XÃ THOẠI GIANG", "UBND TỈNH AN GIANG", "Thoại Giang",
         ("--signer-title", "CHỦ TỊCH", "--signer-name", "Huỳnh Thị Ngọc Hân")),
        (AGENCY_LATE, "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN",
         "Long Xuyên", ("--office-hours", "07:30-11:30,13:00-17:00")),
    )  # fmt: skip
    for code, name, parent, place, extra in agencies:
        ok(run("agency", "add", code, "--name", name, "--parent", parent, "--place", place, *extra))
    procedures = (
        (P_3_DAYS, "Đăng ký khai sinh", "Hộ tịch", "3 ngày làm việc", ()),
        (P_SAME_DAY, "Chứng thực chữ ký", "Chứng thực", "Trong ngày", ("--cutoff", "15:00")),
        (P_15_DAYS, "Cấp giấy phép xây dựng", "Xây dựng", "15 ngày", ()),
        (P_HALF_DAY, "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "0,5 ngày làm việc", ()),
    )
    for code, name, field, limit, extra in procedures:
        args = ("--name", name, "--field", field, "--limit", limit, *extra)
        ok(run("procedure", "add", code, *args))


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, backend: Ledgers) -> Ledger:
    return build_template(tmp_path_factory, backend, None, _seed_catalogue)


@pytest.fixture
def seeded(run: Runner, backend: Ledgers, ledger_db: Ledger, seeded_template: Ledger) -> Runner:
    """An initialised ledger with two agencies and four procedures (a copy of a template)."""
    backend.copy(seeded_template, ledger_db)
    return run


def add_dossier(
    run: Runner,
    code: str,
    received: str,
    *,
    procedure: str = P_3_DAYS,
    agency: str = AGENCY_DEFAULT,
    applicant: str = "Nguyễn Văn Đức",
    channel: str = "truc-tiep",
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Receive a dossier through the CLI and return its ``--json`` output."""
    result = ok(
        run(
            "dossier",
            "add",
            code,
            "--procedure",
            procedure,
            "--agency",
            agency,
            "--applicant",
            applicant,
            "--received",
            received,
            "--channel",
            channel,
            "--json",
            *extra,
        )
    )
    data: dict[str, Any] = json.loads(result.out)
    return data


def show_json(run: Runner, code: str, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("dossier", "show", code, "--json", *extra)).out)
    return data


def row_counts(ledger: Ledger) -> dict[str, int]:
    """Rows per table, read with plain SQL to check "nothing changed"."""
    return {table: ledger.query(f'SELECT count(*) FROM "{table}"')[0][0] for table in TABLES}


def snapshot(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, to compare a database before and after a command."""
    return {table: ledger.query(f'SELECT * FROM "{table}" ORDER BY id') for table in TABLES}
