"""The scheduler writes the report files once after a report period closes."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from openpyxl import load_workbook

from tests.conftest import Runner
from tthc_tracker import scheduler
from tthc_tracker.bootstrap import App, build
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.services.report_files import closing_periods, produce_closed_reports


@pytest.fixture
def app(stats_ledger: Runner, db_url: str) -> Iterator[App]:
    application = build(db_url)
    yield application
    application.close()


def test_the_periods_that_close_with_a_report_month() -> None:
    labels = [p.label for p in closing_periods(datetime(2026, 11, 27, 10, tzinfo=LOCAL_TZ))]
    assert labels == ["2026-11"]
    december = closing_periods(datetime(2026, 12, 15, 1, tzinfo=LOCAL_TZ))
    assert [p.label for p in december] == ["2026-12", "2026-Q4", "2026"]
    assert [(p.first.isoformat(), p.last.isoformat()) for p in december] == [
        ("2026-11-15", "2026-12-14"),
        ("2026-09-15", "2026-12-14"),
        ("2025-12-15", "2026-12-14"),
    ]


def test_files_are_written_once(app: App, env: Path) -> None:
    outbox = env / "outbox"
    now = datetime(2026, 11, 27, 10, tzinfo=LOCAL_TZ)
    first = produce_closed_reports(app.db, app.calendars, outbox, now)
    folder = outbox / "thong-ke" / "2026-11"
    assert [p.period.label for p in first] == ["2026-11"]
    assert sorted(p.name for p in first[0].files) == [
        "bieu06-2026-11.docx",
        "bieu06-2026-11.png",
        "bieu06-2026-11.xlsx",
    ]
    assert all(p.parent == folder for p in first[0].files)
    sheet = load_workbook(folder / "bieu06-2026-11.xlsx")["Biểu 06"]
    assert sheet["A4"].value == "(Từ ngày 15/10/2026 đến ngày 14/11/2026)"
    again = produce_closed_reports(app.db, app.calendars, outbox, now)
    assert [p.files for p in again] == [[]]


def test_serve_registers_the_stats_job_and_catches_up(
    app: App, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def start(self: BlockingScheduler, *args: object, **kwargs: object) -> None:
        BaseScheduler.start(self, paused=True)
        seen["jobs"] = {job.id: job for job in self.get_jobs()}
        BaseScheduler.shutdown(self, wait=False)

    saved = {n: signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.setattr(scheduler.BlockingScheduler, "start", start)
    plan = scheduler.Plan(time(0, 30), time(7, 0), None, stats_at=time(1, 0))
    logs: list[str] = []
    try:
        scheduler.serve(app, plan, logs.append)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    job = seen["jobs"]["stats"]
    assert {f.name: str(f) for f in job.trigger.fields}["hour"] == "1"
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
    assert (env / "outbox" / "thong-ke" / "2026-11" / "bieu06-2026-11.xlsx").exists()
    assert any(line.startswith("Thống kê kỳ 2026-11") for line in logs)


def test_the_lists_name_agencies_by_short_name_else_with_their_parent(
    app: App, stats_ledger: Runner
) -> None:
    from tthc_tracker.services.report_files import agency_names

    ok_add = stats_ledger("agency", "add", "HCC-X", "--name", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
                          "--parent", "ỦY BAN NHÂN DÂN XÃ X")  # fmt: skip
    assert ok_add.code == 0, ok_add.err
    short = ("--short-name", "Sở Tư pháp tỉnh X")
    ok_add = stats_ledger("agency", "add", "STP-X", "--name", "SỞ TƯ PHÁP",
                          "--parent", "UBND TỈNH X", *short)  # fmt: skip
    assert ok_add.code == 0, ok_add.err
    names = agency_names(app.db)
    assert names["HCC-X"] == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG — ỦY BAN NHÂN DÂN XÃ X"
    assert names["STP-X"] == "Sở Tư pháp tỉnh X"
    assert names["XA-A"] == "ỦY BAN NHÂN DÂN XÃ A"
