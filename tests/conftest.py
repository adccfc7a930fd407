"""Shared fixtures: a real SQLite ledger in ``tmp_path``, driven through the real entry point.

The schema always comes from the migrations (``tthc init``), never from ``create_all``. The
clock is pinned with ``TTHC_NOW`` (read by ``bootstrap.system_clock``), the actor with
``TTHC_ACTOR``; only the clock is "mocked", as the conventions allow.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NamedTuple

import pytest

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


@pytest.fixture
def db_path(env: Path) -> Path:
    return env / "tthc.db"


@pytest.fixture
def db_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


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


def runner_for(db_url: str) -> Runner:
    """``run(*args)`` → (exit code, stdout, stderr) of ``tthc --db <db_url> *args``.

    ``run(*args, db=None)`` leaves out ``--db``; ``db=URL`` uses another database.
    """

    def _run(*args: str, db: str | None = db_url) -> Result:
        return invoke(["--db", db, *args] if db is not None else list(args))

    return _run


@pytest.fixture
def run(db_url: str) -> Runner:
    return runner_for(db_url)


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
    factory: pytest.TempPathFactory, base: Path | None, build: Callable[[Runner], object]
) -> Path:
    """A ledger built once (from a copy of ``base``, else from ``tthc init``) for many tests.

    Every command still goes through the CLI with the pinned clock; tests get a copy.
    """
    path = factory.mktemp("template") / "tthc.db"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _pin_environment(monkeypatch)
        run = runner_for(f"sqlite:///{path}")
        if base is None:
            ok(run("init"))
        else:
            copy_database(base, path)
        build(run)
    return path


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


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
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory, None, _seed_catalogue)


@pytest.fixture
def seeded(run: Runner, db_path: Path, seeded_template: Path) -> Runner:
    """An initialised ledger with two agencies and four procedures (a copy of a template)."""
    copy_database(seeded_template, db_path)
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


def row_counts(db_path: Path) -> dict[str, int]:
    """Rows per table, read with the standard library to check "nothing changed"."""
    connection = sqlite3.connect(db_path)
    try:
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in TABLES
        }
    finally:
        connection.close()


def snapshot(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, to compare a database before and after a command."""
    connection = sqlite3.connect(db_path)
    try:
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
            for table in TABLES
        }
    finally:
        connection.close()
