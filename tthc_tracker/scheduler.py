"""APScheduler wiring only: the nightly sweep, the morning digest, the lease renewal.

Decisions (catch-up, the lease) are made by :mod:`tthc_tracker.services.scheduling` from the
database; APScheduler 3.x only triggers the jobs.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from tthc_tracker.bootstrap import App
from tthc_tracker.services import digest, scheduling, sweep


@dataclass(frozen=True, slots=True)
class Plan:
    sweep_at: time
    digest_at: time
    smtp: digest.Smtp | None


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_sweep(app: App, trigger: str) -> sweep.SweepResult:
    now = app.clock()
    return sweep.sweep(app.db, app.calendars, now, app.settings.actor, app.clock, trigger=trigger)


def run_digest(app: App, plan: Plan) -> list[digest.Delivery]:
    digests = digest.build(app.db, app.calendars, app.clock())
    return digest.deliver(digests, app.settings.outbox_dir, plan.smtp)


def catch_up(app: App, plan: Plan, log: Callable[[str], None]) -> bool:
    """Run the sweep once now if its last slot has no successful run (machine was off)."""
    slot = scheduling.missed_sweep(app.db, app.clock(), plan.sweep_at)
    if slot is None:
        return False
    log(f"Bù lượt rà soát bị lỡ ({slot:%d/%m/%Y %H:%M}).")
    run_sweep(app, "catch-up")
    return True


def serve(app: App, plan: Plan, log: Callable[[str], None]) -> None:
    """Hold the lease, catch up, then run the jobs in the foreground until interrupted."""
    holder = holder_name()
    scheduling.take_lease(app.db, holder, app.clock())
    try:
        catch_up(app, plan, log)
        scheduler = BlockingScheduler(
            timezone="Asia/Ho_Chi_Minh",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        scheduler.add_job(
            lambda: log(_report(run_sweep(app, "scheduled"))),
            CronTrigger(hour=plan.sweep_at.hour, minute=plan.sweep_at.minute),
            id="sweep",
            name="nightly sweep",
        )
        scheduler.add_job(
            lambda: log(f"Bản tin: {len(run_digest(app, plan))} cơ quan."),
            CronTrigger(hour=plan.digest_at.hour, minute=plan.digest_at.minute),
            id="digest",
            name="morning digest",
        )
        scheduler.add_job(
            lambda: scheduling.take_lease(app.db, holder, app.clock()),
            "interval",
            seconds=60,
            id="lease",
            name="lease renewal",
        )
        log(
            f"Bộ lập lịch chạy: rà soát {plan.sweep_at:%H:%M}, bản tin {plan.digest_at:%H:%M} "
            "(giờ Việt Nam). Ctrl+C để dừng."
        )
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log("Đã dừng bộ lập lịch.")
    finally:
        scheduling.release_lease(app.db, holder)


def _report(result: sweep.SweepResult) -> str:
    return (
        f"Rà soát: {len(result.at_risk)} sắp quá hạn, {len(result.overdue)} quá hạn, "
        f"{result.newly_flagged} cảnh báo mới, {result.drafts_created} dự thảo mới."
    )
