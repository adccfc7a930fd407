"""`tthc stats` on bad input: one Vietnamese line, exit code 1, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Runner, fails, ok


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("month", "2026-13"), ("2026-13", "tháng từ 1 đến 12")),
        (("month", "13/2026"), ("13/2026",)),
        (("month", "2026-10", "--period", "weekly"), ("weekly", "report", "calendar")),
        (("quarter", "2026-Q5"), ("2026-Q5", "quý từ 1 đến 4")),
        (("quarter", "2026-3"), ("2026-3",)),
        (("year", "26"), ("26", "YYYY")),
        (("year", "2026", "--months", "7"), ("--months", "6, 9 hoặc 12")),
        (("range", "--from", "2026-10-31", "--to", "2026-10-01"), ("31/10/2026", "01/10/2026")),
        (("range", "--from", "2026-02-30", "--to", "2026-03-01"), ("2026-02-30",)),
        (("freeze", "quý 3"), ("quý 3",)),
        # the clock is at 27/11/2026: March 2027 has not begun
        (("month", "2027-03"), ("Tháng 3/2027", "chưa bắt đầu", "15/02/2027 00:00")),
    ],
)
def test_bad_input(initialised: Runner, args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    result = fails(initialised("stats", *args), *fragments)
    assert result.err.count("\n") == 1
    assert result.out == ""


def test_missing_argument_is_a_usage_error(initialised: Runner) -> None:
    result = initialised("stats", "month")
    assert result.code == 1
    assert result.err.startswith("Lỗi: lệnh viết chưa đúng")


def test_an_uninitialised_database_is_one_line(run: Runner) -> None:
    fails(run("stats", "month", "2026-10"), "tthc init")


def test_no_file_is_written_when_the_input_is_bad(initialised: Runner, env: Path) -> None:
    target = env / "b.xlsx"
    fails(initialised("stats", "month", "2026-13", "--xlsx", str(target)))
    assert not target.exists()


def test_an_empty_ledger_reports_zeros(initialised: Runner) -> None:
    out = ok(initialised("stats", "month", "2026-10")).out
    assert "Tổng cộng" in out
    assert "Tỷ lệ giải quyết đúng hạn: –" in out
    assert "Hồ sơ trễ hạn trong kỳ: 0" in out


def test_help_has_an_example(initialised: Runner) -> None:
    for command in ("month", "quarter", "year", "range", "freeze", "diff", "snapshots"):
        out = ok(initialised("stats", command, "--help")).out
        assert "Ví dụ: tthc stats" in out, command


def test_the_demo_ends_with_a_monthly_report(env: Path) -> None:
    from tests.conftest import invoke

    result = ok(invoke(["demo", "--dir", str(env / "demo"), "--count", "60"]))
    tour = result.out.split("— Thống kê: Biểu 06 kỳ báo cáo gần nhất —", 1)[1]
    assert "BIỂU 06 — TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC — Tháng 11/2026" in tour
    assert "Từ ngày 15/10/2026 đến ngày 14/11/2026" in tour
    assert "Tổng cộng" in tour and "Tỷ lệ giải quyết đúng hạn:" in tour
    assert "tthc stats month 2026-11 --xlsx" in tour
