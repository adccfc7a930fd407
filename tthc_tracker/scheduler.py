"""APScheduler wiring only: the nightly sweep, the morning digest, the lease renewal.

Decisions (catch-up, the lease) are made by :mod:`tthc_tracker.services.scheduling` from the
database; APScheduler 3.x only triggers the jobs.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from tthc_tracker.bootstrap import App
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.services import digest, mail, report_files, scheduling, sweep


@dataclass(frozen=True, slots=True)
class Plan:
    sweep_at: time
    digest_at: time
    smtp: mail.Smtp | None
    stats_at: time | None = None  # daily check for a closed report period; None: no job


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_sweep(app: App, trigger: str) -> sweep.SweepResult:
    now = app.clock()
    return sweep.sweep(app.db, app.calendars, now, app.settings.actor, app.clock, trigger=trigger)


def run_digest(app: App, plan: Plan) -> list[digest.Delivery]:
    digests = digest.build(app.db, app.calendars, app.clock())
    return digest.deliver(digests, app.settings.outbox_dir, plan.smtp)


def run_stats(app: App, log: Callable[[str], None]) -> None:
    """Report files of the report periods that closed last, once (idempotent)."""
    settings = app.settings
    for produced in report_files.produce_closed_reports(
        app.db, app.calendars, settings.outbox_dir, app.clock(), settings.reporting_unit
    ):
        if produced.files:
            log(f"Thống kê kỳ {produced.period.label}: {', '.join(map(str, produced.files))}")


def catch_up(app: App, plan: Plan, log: Callable[[str], None]) -> bool:
    """Run the sweep once now if its last slot has no successful run (machine was off)."""
    slot = scheduling.missed_sweep(app.db, app.clock(), plan.sweep_at)
    if slot is None:
        return False
    log(f"Bù lượt rà soát bị lỡ ({slot:%d/%m/%Y %H:%M}).")
    run_sweep(app, "catch-up")
    return True


def serve(app: App, plan: Plan, log: Callable[[str], None]) -> None:
    """Hold the lease, catch up, then run the jobs in the foreground until SIGTERM/SIGINT.

    A signal stops the scheduler between jobs: a running job finishes first.
    """
    holder = holder_name()
    times = {"sweep": f"{plan.sweep_at:%H:%M}", "digest": f"{plan.digest_at:%H:%M}"}
    if plan.stats_at is not None:
        times["stats"] = f"{plan.stats_at:%H:%M}"
    scheduling.take_lease(app.db, holder, app.clock(), times)
    scheduler = BlockingScheduler(
        timezone=LOCAL_TZ,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    try:
        catch_up(app, plan, log)
        if plan.stats_at is not None:
            run_stats(app, log)  # a period that closed while the machine was off
        _add_jobs(scheduler, app, plan, holder, times, log)
        scheduler.add_listener(_job_logger(log), EVENT_JOB_ERROR)
        previous = _stop_on_signals(scheduler, log)
        log(
            f"Bộ lập lịch chạy ({holder}): rà soát {times['sweep']}, bản tin "
            f"{times['digest']} (giờ Việt Nam). Ctrl+C hoặc SIGTERM để dừng."
        )
        try:
            scheduler.start()
        except KeyboardInterrupt:
            pass  # a signal before the scheduler started: stop all the same
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    finally:
        scheduling.release_lease(app.db, holder)
        log("Đã dừng bộ lập lịch.")


def _add_jobs(
    scheduler: BlockingScheduler,
    app: App,
    plan: Plan,
    holder: str,
    times: dict[str, str],
    log: Callable[[str], None],
) -> None:
    scheduler.add_job(
        lambda: log(_report(run_sweep(app, "scheduled"))),
        # A trigger built here takes the machine's zone unless told: 00:30 must be Việt Nam's.
        CronTrigger(
            hour=plan.sweep_at.hour,
            minute=plan.sweep_at.minute,
            second=plan.sweep_at.second,
            timezone=LOCAL_TZ,
        ),
        id="sweep",
        name="nightly sweep",
    )
    scheduler.add_job(
        lambda: log(f"Bản tin: {len(run_digest(app, plan))} cơ quan có hồ sơ cần chú ý."),
        CronTrigger(
            hour=plan.digest_at.hour,
            minute=plan.digest_at.minute,
            second=plan.digest_at.second,
            timezone=LOCAL_TZ,
        ),
        id="digest",
        name="morning digest",
    )
    if plan.stats_at is not None:
        scheduler.add_job(
            lambda: run_stats(app, log),
            CronTrigger(hour=plan.stats_at.hour, minute=plan.stats_at.minute, timezone=LOCAL_TZ),
            id="stats",
            name="report files after a report period closes",
        )
    scheduler.add_job(
        lambda: scheduling.take_lease(app.db, holder, app.clock(), times),
        "interval",
        seconds=60,
        id="lease",
        name="lease renewal",
    )


def _job_logger(log: Callable[[str], None]) -> Callable[[JobExecutionEvent], None]:
    def listener(event: JobExecutionEvent) -> None:
        log(f"Lỗi khi chạy việc {event.job_id}: {event.exception!r}")

    return listener


def _stop_on_signals(scheduler: BlockingScheduler, log: Callable[[str], None]) -> dict[int, Any]:
    """SIGTERM/SIGINT stop the scheduler after the running job; returns the old handlers."""

    def stop(signum: int, _frame: object) -> None:
        log(f"Nhận tín hiệu {signal.Signals(signum).name}: dừng sau việc đang chạy.")
        if scheduler.running:
            scheduler.shutdown(wait=True)
        else:  # arrived before start(): leave through serve's clean-up
            raise KeyboardInterrupt

    return {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}


def _report(result: sweep.SweepResult) -> str:
    return (
        f"Rà soát: {len(result.at_risk)} sắp quá hạn, {len(result.overdue)} quá hạn, "
        f"{len(result.late_without_apology)} trễ hạn chưa xin lỗi, "
        f"{len(result.supplement_expired)} quá hạn bổ sung; "
        f"{result.newly_flagged} cảnh báo mới, {result.drafts_created} dự thảo mới."
    )
