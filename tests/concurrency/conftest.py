"""A small ledger for the concurrency tests, and databases on it with their own timeouts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from tests.backends import Ledger
from tthc_tracker.domain.calendar import OfficeHours
from tthc_tracker.domain.catalog import Agency, Procedure
from tthc_tracker.domain.dossier import Channel, Dossier, Event, EventKind
from tthc_tracker.domain.limits import LimitUnit, TimeLimit
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.db import Database, RetryPolicy, make_engine, upgrade

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)
QUICK = RetryPolicy(attempts=4, first_delay=0.01, max_delay=0.05, budget=60.0)
CODES = ("HS-1", "HS-2")

MakeDb = Callable[..., Database]


def dossier(code: str) -> Dossier:
    return Dossier(
        code=code,
        procedure_code="1.001612",
        receiving_agency="STP-AG",
        processing_agency="STP-AG",
        returning_agency="STP-AG",
        applicant_name="Nguyễn Văn Đức",
        channel=Channel.DIRECT,
        received_at=RECEIVED,
        original_due_at=RECEIVED,
        due_at=RECEIVED,
    )


def event(kind: EventKind = EventKind.UPDATED) -> Event:
    return Event(kind, NOW, "ghi chú", "summary", None, "x")


@pytest.fixture
def make_db(ledger_db: Ledger) -> Iterator[MakeDb]:
    """``make_db(lock_timeout=0.1, policy=QUICK)``: a Database on this test's ledger, which
    holds one agency, one procedure and the dossiers ``CODES``; disposed afterwards."""
    made: list[Database] = []

    def _make(lock_timeout: float = 0.1, policy: RetryPolicy = QUICK) -> Database:
        made.append(Database(make_engine(ledger_db.url, lock_timeout=lock_timeout), policy))
        return made[-1]

    try:
        setup = _make()
        upgrade(setup.engine)
        hours = OfficeHours.parse("07:00-11:30,13:30-17:00")
        limit = TimeLimit(Decimal(3), LimitUnit.WORKING_DAYS)
        procedure = Procedure(
            code="1.001612",
            name="Khai sinh",
            field="Hộ tịch",
            limit=limit,
            limit_text="3 ngày làm việc",
            cutoff=None,
            agency_code="STP-AG",
        )
        with setup.transaction() as repo:
            repo.add_agency(Agency(code="STP-AG", name="SỞ TƯ PHÁP", hours=hours), NOW)
            repo.add_procedure(procedure, NOW)
            for code in CODES:
                repo.add_dossier(dossier(code), [event(EventKind.RECEIVED)], "c", NOW)
        yield _make
    finally:
        for db in made:
            db.dispose()
