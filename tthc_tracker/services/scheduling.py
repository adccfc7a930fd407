"""What the scheduler decides from our own records: the lease and the catch-up.

APScheduler only triggers; whether a sweep was missed while the machine was off is decided
from the recorded sweep runs, not from APScheduler's misfire settings (1 s grace by default).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from tthc_tracker.domain.errors import TthcError
from tthc_tracker.domain.times import LOCAL_TZ, local
from tthc_tracker.storage.db import Database

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


def take_lease(db: Database, holder: str, now: datetime) -> None:
    """Take or renew the lease; raise :class:`LeaseHeldError` if another live holder has it."""
    with db.transaction() as repo:
        other = repo.workflow.take_lease(LEASE_NAME, holder, now, now + LEASE_TTL)
    if other is not None:
        raise LeaseHeldError(other)


def release_lease(db: Database, holder: str) -> None:
    with db.transaction() as repo:
        repo.workflow.release_lease(LEASE_NAME, holder)


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
