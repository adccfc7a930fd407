"""The scheduler: the lease (one scheduler per database), catch-up decided from our own recorded
runs, the APScheduler wiring, and stopping cleanly (issue 4)."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import time as clock
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok
from tests.workflow.conftest import SetNow, query, receive, tthc_argv
from tthc_tracker import scheduler
from tthc_tracker.bootstrap import App, build
from tthc_tracker.domain.errors import TthcError
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.services import scheduling
from tthc_tracker.services import sweep as sweep_service

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 3, 6, 8, 0, tzinfo=LOCAL_TZ)
PLAN = scheduler.Plan(sweep_at=time(0, 30), digest_at=time(7, 0), smtp=None)


@pytest.fixture
def app(ledger: Runner, db_url: str, set_now: SetNow) -> Iterator[App]:
    set_now("2026-03-06 08:00")
    application = build(db_url)
    try:
        yield application
    finally:
        application.close()


def record_run(app: App, as_of: datetime) -> None:
    sweep_service.sweep(app.db, app.calendars, as_of, "test", app.clock)


def lease_rows(ledger_db: Ledger) -> list[tuple[Any, ...]]:
    return query(ledger_db, "SELECT name, holder FROM lease")


# --- the lease ---------------------------------------------------------------------------


def test_a_live_lease_refuses_another_holder_until_it_expires(app: App, ledger_db: Ledger) -> None:
    scheduling.take_lease(app.db, "may-A:101", T0)
    with pytest.raises(scheduling.LeaseHeldError) as refused:
        scheduling.take_lease(app.db, "may-B:202", T0 + timedelta(minutes=1))
    assert isinstance(refused.value, TthcError)
    assert refused.value.holder == "may-A:101"
    message = refused.value.message()
    assert "may-A:101" in message and "bộ lập lịch" in message and "5 phút" in message
    scheduling.take_lease(app.db, "may-A:101", T0 + timedelta(minutes=1))  # A renews
    with pytest.raises(scheduling.LeaseHeldError):
        scheduling.take_lease(app.db, "may-B:202", T0 + timedelta(minutes=5, seconds=59))
    scheduling.take_lease(app.db, "may-B:202", T0 + timedelta(minutes=7))  # A's lease expired
    assert lease_rows(ledger_db) == [("scheduler", "may-B:202")]
    with pytest.raises(scheduling.LeaseHeldError, match="may-B:202"):
        scheduling.take_lease(app.db, "may-A:101", T0 + timedelta(minutes=8))


def test_release_frees_the_lease_only_for_its_holder(app: App, ledger_db: Ledger) -> None:
    scheduling.take_lease(app.db, "may-A:101", T0)
    scheduling.release_lease(app.db, "may-B:202")  # not the holder: nothing happens
    assert lease_rows(ledger_db) == [("scheduler", "may-A:101")]
    scheduling.release_lease(app.db, "may-A:101")
    assert lease_rows(ledger_db) == []
    scheduling.take_lease(app.db, "may-B:202", T0)


# --- slots and catch-up ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (datetime(2026, 3, 6, 0, 29, tzinfo=VN), datetime(2026, 3, 5, 0, 30, tzinfo=VN)),
        (datetime(2026, 3, 6, 0, 30, tzinfo=VN), datetime(2026, 3, 6, 0, 30, tzinfo=VN)),
        (datetime(2026, 3, 6, 23, 59, tzinfo=VN), datetime(2026, 3, 6, 0, 30, tzinfo=VN)),
        # 17:20 UTC on the 5th is 00:20 on the 6th in Việt Nam: before that day's slot.
        (
            datetime(2026, 3, 5, 17, 20, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 3, 5, 0, 30, tzinfo=VN),
        ),
        (
            datetime(2026, 3, 5, 17, 40, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 3, 6, 0, 30, tzinfo=VN),
        ),
        (datetime(2026, 1, 1, 0, 10, tzinfo=VN), datetime(2025, 12, 31, 0, 30, tzinfo=VN)),
    ],
)
def test_last_slot(now: datetime, slot: datetime) -> None:
    found = scheduling.last_slot(now, time(0, 30))
    assert found == slot
    assert found.utcoffset() == timedelta(hours=7)


def test_missed_sweep_is_decided_from_the_recorded_runs(app: App) -> None:
    slot = datetime(2026, 3, 6, 0, 30, tzinfo=VN)
    assert scheduling.missed_sweep(app.db, T0, time(0, 30)) == slot  # never ran
    record_run(app, datetime(2026, 3, 5, 0, 30, tzinfo=VN))  # yesterday's run only
    assert scheduling.missed_sweep(app.db, T0, time(0, 30)) == slot
    record_run(app, datetime(2026, 3, 6, 0, 29, tzinfo=VN))  # just before the slot
    assert scheduling.missed_sweep(app.db, T0, time(0, 30)) == slot
    record_run(app, slot)  # exactly the slot
    assert scheduling.missed_sweep(app.db, T0, time(0, 30)) is None
    assert scheduling.missed_sweep(app.db, T0 + timedelta(days=1), time(0, 30)) == (
        slot + timedelta(days=1)
    )


def test_a_failed_run_does_not_count(
    app: App, ledger: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(ledger, "HS-1")

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(sweep_service, "classify", broken)
    with pytest.raises(RuntimeError):
        record_run(app, T0)
    assert scheduling.missed_sweep(app.db, T0, time(0, 30)) is not None


def test_catch_up_after_three_missed_nights_runs_one_sweep(
    app: App, ledger: Runner, ledger_db: Ledger
) -> None:
    receive(ledger, "HS-1")  # at risk on Fri 06/03
    record_run(app, datetime(2026, 3, 3, 0, 30, tzinfo=VN))  # then the machine was off
    logs: list[str] = []
    assert scheduler.catch_up(app, PLAN, logs.append) is True
    assert scheduler.catch_up(app, PLAN, logs.append) is False
    runs = query(
        ledger_db, "SELECT trigger, outcome, at_risk, newly_flagged FROM sweep_run ORDER BY id"
    )
    assert runs == [("manual", "ok", 0, 0), ("catch-up", "ok", 1, 1)]
    assert logs == ["Bù lượt rà soát bị lỡ (06/03/2026 00:30)."]


def test_catch_up_does_nothing_after_tonights_sweep(app: App, ledger_db: Ledger) -> None:
    record_run(app, datetime(2026, 3, 6, 0, 30, tzinfo=VN))
    assert scheduler.catch_up(app, PLAN, lambda _line: None) is False
    assert query(ledger_db, "SELECT count(*) FROM sweep_run") == [(1,)]


def test_an_interrupted_sweep_is_recorded_as_failed(
    app: App, ledger: Runner, ledger_db: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(ledger, "HS-1")

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_service, "classify", interrupted)
    with pytest.raises(KeyboardInterrupt):
        record_run(app, T0)
    assert query(ledger_db, "SELECT outcome FROM sweep_run") == [("failed",)]


# --- `tthc scheduler run` ------------------------------------------------------------------


def test_a_second_scheduler_is_refused(app: App, ledger: Runner, ledger_db: Ledger) -> None:
    scheduling.take_lease(app.db, "may-khac:4242", app.clock())
    fails(ledger("scheduler", "run"), "may-khac:4242", "Một bộ lập lịch khác")
    assert lease_rows(ledger_db) == [("scheduler", "may-khac:4242")]
    assert query(ledger_db, "SELECT count(*) FROM sweep_run") == [(0,)]  # no catch-up either


def test_bad_times_are_refused(ledger: Runner) -> None:
    fails(ledger("scheduler", "run", "--sweep-at", "25:00"), "--sweep-at")


@pytest.fixture
def keep_signals() -> Iterator[None]:
    """``serve`` installs SIGTERM/SIGINT handlers: give pytest its own back afterwards."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@pytest.mark.usefixtures("keep_signals")
def test_serve_registers_coalesced_jobs_in_vietnam_time(
    app: App, ledger_db: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def start(self: BlockingScheduler, *args: object, **kwargs: object) -> None:
        BaseScheduler.start(self, paused=True)  # jobs get their defaults and next run times
        seen["timezone"] = self.timezone
        seen["jobs"] = {job.id: job for job in self.get_jobs()}
        seen["leases"] = lease_rows(ledger_db)
        BaseScheduler.shutdown(self, wait=False)

    monkeypatch.setattr(scheduler.BlockingScheduler, "start", start)
    logs: list[str] = []
    plan = scheduler.Plan(sweep_at=time(0, 30), digest_at=time(7, 0), smtp=None)
    scheduler.serve(app, plan, logs.append)

    assert str(seen["timezone"]) == "Asia/Ho_Chi_Minh"
    jobs = seen["jobs"]
    assert set(jobs) == {"sweep", "digest", "lease"}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 60  # not APScheduler's 1 s default
    for job_id, at in (("sweep", (0, 30)), ("digest", (7, 0))):
        trigger = jobs[job_id].trigger
        assert str(trigger.timezone) == "Asia/Ho_Chi_Minh", job_id
        fields = {f.name: str(f) for f in trigger.fields}
        assert (fields["hour"], fields["minute"]) == (str(at[0]), str(at[1]))
        next_run = jobs[job_id].next_run_time
        assert next_run.utcoffset() == timedelta(hours=7)
        assert (next_run.hour, next_run.minute) == at
    assert seen["leases"] == [("scheduler", scheduler.holder_name())]  # held while running
    assert lease_rows(ledger_db) == []  # released on the way out
    assert query(ledger_db, "SELECT trigger FROM sweep_run") == [("catch-up",)]
    started = [line for line in logs if line.startswith("Bộ lập lịch chạy")]
    assert len(started) == 1
    assert "rà soát 00:30" in started[0] and "bản tin 07:00" in started[0]
    assert logs[-1] == "Đã dừng bộ lập lịch."


@pytest.mark.usefixtures("keep_signals")
def test_serve_releases_the_lease_when_the_scheduler_fails(
    app: App, ledger_db: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def start(self: BlockingScheduler, *args: object, **kwargs: object) -> None:
        raise RuntimeError("không khởi động được")

    monkeypatch.setattr(scheduler.BlockingScheduler, "start", start)
    logs: list[str] = []
    with pytest.raises(RuntimeError):
        scheduler.serve(app, PLAN, logs.append)
    assert logs[-1] == "Đã dừng bộ lập lịch."
    assert lease_rows(ledger_db) == []


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_real_scheduler_cleanly(
    ledger: Runner, ledger_db: Ledger, db_url: str, stop: signal.Signals
) -> None:
    receive(ledger, "HS-1")
    child = subprocess.Popen(
        tthc_argv(db_url, "scheduler", "run", "--sweep-at", "00:30"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TTHC_NOW": "2026-03-06 08:00", "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    seen = b""
    try:
        deadline = clock.monotonic() + 60
        while "Bộ lập lịch chạy".encode() not in seen:  # printed once the handlers are set
            ready, _, _ = select.select([child.stdout], [], [], 0.5)
            if ready:
                seen += child.stdout.readline()
            assert child.poll() is None, (seen, child.communicate())
            assert clock.monotonic() < deadline, f"the scheduler did not start: {seen!r}"
        assert query(ledger_db, "SELECT trigger, outcome FROM sweep_run") == [("catch-up", "ok")]
        assert lease_rows(ledger_db) == [("scheduler", f"{socket.gethostname()}:{child.pid}")]
        clock.sleep(0.5)  # let it enter the scheduler's loop
        child.send_signal(stop)
        rest, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    out = seen + rest
    assert child.returncode == 0, err.decode()
    text = out.decode()
    assert "Bù lượt rà soát bị lỡ (06/03/2026 00:30)." in text
    assert "Đã dừng bộ lập lịch." in text
    assert lease_rows(ledger_db) == []  # a restart is not refused for five minutes
    runs = json.loads(ok(ledger("sweep", "history", "--json")).out)
    assert [(r["trigger"], r["outcome"], r["at_risk"]) for r in runs] == [("catch-up", "ok", 1)]
