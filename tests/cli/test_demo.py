"""`tthc demo`, `python -m tthc_tracker`, and every command's help."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.main import get_command

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok, row_counts
from tthc_tracker.cli import app


def command_paths() -> Iterator[list[str]]:
    """Every command and command group of ``tthc``, as argument lists."""

    def walk(command: object, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(get_command(app), [])


COMMANDS = list(command_paths())


def test_the_contract_commands_exist() -> None:
    names = {" ".join(path) for path in COMMANDS}
    expected = {
        "init",
        "demo",
        "deadline",
        "agency add",
        "agency list",
        "procedure add",
        "procedure list",
        "calendar add-off",
        "calendar add-workday",
        "calendar remove",
        "calendar show",
        "calendar check",
    } | {
        f"dossier {name}"
        for name in (
            "add",
            "show",
            "list",
            "complete",
            "return",
            "supplement-request",
            "supplement-received",
            "pause",
            "resume",
            "stop",
            "withdraw",
            "refuse",
            "extend",
        )
    }
    assert expected <= names


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "tthc" for p in COMMANDS])
def test_every_help_exits_0_with_an_example(cli: Runner, path: list[str]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    assert result.err == ""
    assert f"Cách dùng: tthc {' '.join(path)}".rstrip() in result.out
    assert "Ví dụ" in result.out
    # the frame around our texts is Vietnamese too
    assert "Tùy chọn:" in result.out and "--help" in result.out
    assert "In trang hướng dẫn này." in result.out
    english = ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message")
    english += ("[required]", "[default:", "[OPTIONS]", "COMMAND [ARGS]")
    assert not [word for word in english if word in result.out], result.out


def test_python_m_tthc_tracker_help(tmp_path: Path) -> None:
    environment = {**os.environ, "TTHC_NOW": "2026-11-27 10:00"}
    done = subprocess.run(
        [sys.executable, "-m", "tthc_tracker", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=environment,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Cách dùng: tthc" in done.stdout
    assert "dossier" in done.stdout
    assert not list(tmp_path.iterdir())  # --help creates no database


def test_python_m_tthc_tracker_reports_errors_with_exit_1(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tthc_tracker",
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "deadline",
            "--received",
            "hôm qua",
            "--limit",
            "3 ngày làm việc",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Lỗi: ")
    assert "Traceback" not in done.stderr


def test_demo_builds_a_fresh_ledger_and_prints_the_overdue_list(
    cli: Runner, tmp_path: Path
) -> None:
    directory = tmp_path / "demo"
    result = ok(cli("demo", "--dir", str(directory), "--count", "40"))
    database = directory / "tthc-demo.db"
    assert database.exists()
    assert "40 hồ sơ" in result.out
    assert "Năm 2027 chưa có lịch nghỉ" in result.out
    assert "Hạn giải quyết: 29/04/2025 15:00" in result.out
    assert "— Hồ sơ đang quá hạn:" in result.out
    assert str(database) in result.out
    counts = row_counts(demo_ledger := Ledger("sqlite", f"sqlite:///{database}", path=database))
    assert counts["dossier"] == 40
    data = Path(__file__).parents[2] / "data"
    for table, name in (("agency", "agencies.csv"), ("procedure", "procedures.csv")):
        lines = (data / name).read_text(encoding="utf-8-sig").splitlines()
        assert counts[table] == len(lines) - 1, table  # every row of the sample catalogue
    assert (counts["agency"], counts["procedure"]) == (6, 35)  # as README.md says
    assert counts["dossier_event"] > counts["dossier"]  # receipts, and the steps after them

    url = f"sqlite:///{database}"
    overdue = json.loads(ok(cli("dossier", "list", "--overdue", "--json", db=url)).out)
    # The tour then issues late apologies for some overdue dossiers: each is rescheduled
    # into the future, so it leaves the overdue list.
    printed = re.search(r"— Hồ sơ đang quá hạn: (\d+) —", result.out)
    assert printed is not None
    late_letters = result.out.count("xin lỗi muộn):")
    assert late_letters >= 1
    assert len(overdue) == int(printed.group(1)) - late_letters
    for dossier in overdue:
        assert dossier["remaining"].startswith("Quá ")

    again = ok(cli("demo", "--dir", str(directory), "--count", "40"))
    assert row_counts(demo_ledger) == counts  # a fresh ledger each run, the same sample
    assert again.out == result.out


def test_demo_refuses_a_zero_count(cli: Runner, tmp_path: Path) -> None:
    fails(cli("demo", "--dir", str(tmp_path / "demo"), "--count", "0"), "--count", "0")


@pytest.mark.parametrize("group", [[], ["dossier"], ["calendar"]])
def test_a_bare_group_shows_its_help(cli: Runner, group: list[str]) -> None:
    result = ok(cli(*group))
    assert result.out.startswith("Cách dùng: tthc")
    assert "Ví dụ" in result.out
