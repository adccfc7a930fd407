"""What the scheduler decides from our own records: the lease and the catch-up.

APScheduler only triggers; whether a sweep was missed while the machine was off is decided
from the recorded sweep runs, not from APScheduler's misfire settings (1 s grace by default).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from tthc_tracker.domain.errors import TthcError
from tthc_tracker.domain.times import LOCAL_TZ, local
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.workflow import SweepRun

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(minutes=5)


class LeaseHeldError(TthcError):
    """Another scheduler holds the lease of this database."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder

    def message(self) -> str:
        return (
            f"Một bộ lập lịch khác ({self.holder}) đang chạy với cơ sở dữ liệu này; mỗi cơ sở "
            "dữ liệu chỉ một bộ lập lịch. Nếu tiến trình đó đã dừng, khóa tự hết hạn sau "
            f"{int(LEASE_TTL.total_seconds() // 60)} phút."
        )


def take_lease(
    db: Database, holder: str, now: datetime, plan: dict[str, str] | None = None
) -> None:
    """Take or renew the lease; raise :class:`LeaseHeldError` if another live holder has it.

    ``plan`` (job name → "HH:MM") is kept with the lease for `tthc scheduler status`.
    """
    details = json.dumps(plan) if plan else ""
    other = db.run(
        lambda repo: repo.workflow.take_lease(LEASE_NAME, holder, now, now + LEASE_TTL, details)
    )
    if other is not None:
        raise LeaseHeldError(other)


def release_lease(db: Database, holder: str) -> None:
    db.run(lambda repo: repo.workflow.release_lease(LEASE_NAME, holder))


def last_slot(now: datetime, at: time) -> datetime:
    """The latest daily slot at local time ``at`` not after ``now``."""
    moment = local(now)
    slot = datetime.combine(moment.date(), at, tzinfo=LOCAL_TZ)
    return slot if slot <= moment else slot - timedelta(days=1)


def missed_sweep(db: Database, now: datetime, at: time) -> datetime | None:
    """The scheduled slot a sweep should have run for, if no successful run covers it."""
    slot = last_slot(now, at)
    with db.transaction() as repo:
        last = repo.workflow.last_successful_as_of()
    if last is None or last < slot:
        return slot
    return None


def next_slot(now: datetime, at: time) -> datetime:
    """The next daily slot at local time ``at`` strictly after ``now``."""
    return last_slot(now, at) + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Status:
    holder: str | None
    lease_expires_at: datetime | None
    alive: bool
    next_runs: dict[str, datetime]
    runs: list[SweepRun]


def status(db: Database, now: datetime, limit: int = 5) -> Status:
    """Who holds the lease, when its jobs run next, and the last sweep runs."""
    with db.transaction() as repo:
        lease = repo.workflow.lease(LEASE_NAME)
        runs = repo.workflow.runs(limit)
    if lease is None:
        return Status(None, None, False, {}, runs)
    holder, expires_at, details = lease
    plan: dict[str, str] = json.loads(details) if details else {}
    next_runs = {job: next_slot(now, time.fromisoformat(at)) for job, at in plan.items()}
    return Status(holder, expires_at, expires_at > now, next_runs, runs)
