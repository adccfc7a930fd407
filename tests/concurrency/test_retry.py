"""``Database.run`` re-runs a unit of work on real transient conflicts, and says when they last.

The conflicts are real: another connection holds the SQLite write lock or a PostgreSQL row
lock (with a short lock timeout here), two transactions deadlock, a REPEATABLE READ
transaction loses a concurrent update. Nothing about the database is mocked.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from tests.backends import Ledger, Ledgers
from tests.concurrency.conftest import CODES, NOW, QUICK, MakeDb, event
from tthc_tracker.domain.dossier import Dossier, EventKind, Status
from tthc_tracker.domain.errors import DatabaseError, NotFoundError
from tthc_tracker.storage.db import (
    LOCK_TIMEOUT,
    Database,
    LedgerBusyError,
    RetryPolicy,
    require_schema,
)
from tthc_tracker.storage.repository import Repository


def test_the_pause_between_tries_grows_and_is_capped_with_full_jitter() -> None:
    policy = RetryPolicy(attempts=8, first_delay=0.05, max_delay=2.0, budget=45.0)
    assert (RetryPolicy(), LOCK_TIMEOUT) == (policy, 10.0)  # as docs/concurrency.md says
    assert [policy.ceiling(n) for n in range(1, 8)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0]
    rng = random.Random(7)
    for attempt in range(1, 8):
        pauses = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(0 <= p <= policy.ceiling(attempt) for p in pauses)
        assert max(pauses) - min(pauses) > policy.ceiling(attempt) / 2  # spread, not fixed


def test_the_busy_message_is_vietnamese_and_says_nothing_was_written() -> None:
    once = LedgerBusyError("SQLITE_BUSY")
    final = LedgerBusyError("deadlock_detected", attempts=8, seconds=12.4, final=True)
    assert isinstance(final, DatabaseError)
    assert "Sổ hồ sơ đang bận" in once.message() and "lần" not in once.message()
    assert "đã thử 8 lần trong 12 giây" in final.message()
    for error in (once, final):
        assert "Không có thay đổi nào được ghi" in error.message()
        assert "hãy chạy lại lệnh" in error.message()


class Holder:
    """Another connection holding what a write to dossier HS-1 needs: the SQLite write lock,
    or the PostgreSQL row lock of the dossier."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.released = False
        if ledger.path is not None:
            self.sqlite = sqlite3.connect(
                ledger.path, isolation_level=None, check_same_thread=False
            )
            self.sqlite.execute("BEGIN IMMEDIATE")
            return
        self.engine = ledger.engine()
        self.connection = self.engine.connect()
        self.connection.execute(text("SELECT id FROM dossier WHERE code = 'HS-1' FOR UPDATE"))

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        if self.ledger.path is not None:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()
            return
        self.connection.rollback()
        self.connection.close()
        self.engine.dispose()


@pytest.fixture
def holder(ledger_db: Ledger, make_db: MakeDb) -> Iterator[Holder]:
    held = Holder(ledger_db)
    yield held
    held.release()


def _events(db: Database, code: str = "HS-1") -> list[int]:
    with db.transaction() as repo:
        return [e.seq for e in repo.events(code)]


def test_a_conflict_that_lasts_is_reported_after_the_last_try(
    make_db: MakeDb, holder: Holder
) -> None:
    db = make_db()
    calls: list[int] = []

    def work(repo: Repository) -> None:
        calls.append(1)
        repo.append_events("HS-1", [event()], "c", NOW)

    with pytest.raises(LedgerBusyError) as caught:
        db.run(work)
    assert (caught.value.final, caught.value.attempts, len(calls)) == (True, 4, 4)
    assert caught.value.detail in ("SQLITE_BUSY", "lock_not_available")
    assert "đã thử 4 lần" in caught.value.message()
    holder.release()
    assert _events(db) == [1]  # nothing of the four tries was kept


def test_a_unit_of_work_is_run_again_until_the_lock_is_free(
    make_db: MakeDb, holder: Holder, caplog: pytest.LogCaptureFixture
) -> None:
    db = make_db()
    calls: list[int] = []

    def work(repo: Repository) -> int:
        calls.append(1)
        if len(calls) == 3:
            holder.release()  # the other writer commits meanwhile
        repo.append_events("HS-1", [event()], "c", NOW)
        return len(calls)

    with caplog.at_level(logging.INFO, logger="tthc_tracker.storage.db"):
        assert db.run(work) == 3
    assert len(caplog.records) == 2  # two silent retries, logged for the operator
    assert _events(db) == [1, 2]  # written once


def test_a_plain_transaction_tries_once_and_says_the_ledger_is_busy(
    make_db: MakeDb, holder: Holder
) -> None:
    db = make_db()
    with pytest.raises(LedgerBusyError) as caught, db.transaction() as repo:
        repo.append_events("HS-1", [event()], "c", NOW)
    assert not caught.value.final
    assert "Sổ hồ sơ đang bận" in caught.value.message()


def test_errors_that_are_not_conflicts_are_not_retried(make_db: MakeDb) -> None:
    db = make_db()
    calls: list[int] = []

    def work(repo: Repository) -> None:
        calls.append(1)
        repo.append_events("KHONG-CO", [event()], "c", NOW)

    with pytest.raises(NotFoundError):
        db.run(work)
    assert calls == [1]


def test_a_lost_compare_and_set_is_run_again_on_fresh_data(
    make_db: MakeDb,
) -> None:
    db = make_db()
    with db.transaction() as repo:
        stale = repo.get_dossier("HS-1")
        repo.save_dossier(stale, replace(stale, summary="a"), [], "other", NOW)
    calls: list[int] = []

    def work(repo: Repository) -> Dossier:
        calls.append(1)
        before = stale if len(calls) == 1 else repo.get_dossier("HS-1")
        return repo.save_dossier(before, replace(before, status=Status.PAUSED), [], "c", NOW)

    saved = db.run(work)
    assert (len(calls), saved.version, saved.summary) == (2, 3, "a")


def _postgresql_only(backend: Ledgers) -> None:
    if backend.backend != "postgresql":
        pytest.skip("SQLite serialises writers: no deadlock or serialization failure exists")


def test_a_postgresql_deadlock_is_retried(
    backend: Ledgers, make_db: MakeDb, caplog: pytest.LogCaptureFixture
) -> None:
    _postgresql_only(backend)
    db = make_db(lock_timeout=20)  # longer than deadlock_timeout (1 s): detection ends it
    with db.transaction() as repo:
        first, second = (repo.workflow.dossier_ids(CODES)[c] for c in CODES)
    both_hold_one = threading.Barrier(2, timeout=15)
    calls: list[str] = []
    failures: list[BaseException] = []

    def lock(mine: int, theirs: int) -> None:
        def work(repo: Repository) -> None:
            calls.append(str(mine))
            repo.workflow.lock_dossiers([mine])
            if calls.count(str(mine)) == 1:
                both_hold_one.wait()
            repo.workflow.lock_dossiers([theirs])

        try:
            db.run(work)
        except BaseException as error:  # reported by the test thread
            failures.append(error)

    threads = [
        threading.Thread(target=lock, args=(first, second)),
        threading.Thread(target=lock, args=(second, first)),
    ]
    with caplog.at_level(logging.INFO, logger="tthc_tracker.storage.db"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []
    assert len(calls) == 3  # one of the two was chosen as the victim and ran again
    assert ["deadlock_detected" in r.getMessage() for r in caplog.records] == [True]


def test_a_postgresql_serialization_failure_is_retried(
    backend: Ledgers, make_db: MakeDb, caplog: pytest.LogCaptureFixture
) -> None:
    _postgresql_only(backend)
    db, other = make_db(), make_db()
    calls: list[int] = []

    def work(repo: Repository) -> Dossier:
        calls.append(1)
        repo.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        before = repo.get_dossier("HS-1")  # the snapshot is taken here
        if len(calls) == 1:  # another clerk changes the dossier and commits meanwhile
            with other.transaction() as theirs:
                current = theirs.get_dossier("HS-1")
                theirs.save_dossier(current, replace(current, summary="b"), [], "other", NOW)
        after = replace(before, status=Status.PAUSED)
        return repo.save_dossier(before, after, [event(EventKind.PAUSED)], "c", NOW)

    with caplog.at_level(logging.INFO, logger="tthc_tracker.storage.db"):
        saved = db.run(work)
    assert (len(calls), saved.version, saved.summary, saved.status) == (2, 3, "b", Status.PAUSED)
    assert ["serialization_failure" in r.getMessage() for r in caplog.records] == [True]
    assert _events(db) == [1, 2]


def test_readers_do_not_wait_for_writers(make_db: MakeDb, holder: Holder) -> None:
    db = make_db(lock_timeout=0.05)
    require_schema(db.engine)  # every command checks the schema first
    assert _events(db) == [1]  # reads beside the writer (SQLite: its WAL snapshot)


def test_engines_are_set_up_as_documented(make_db: MakeDb, ledger_db: Ledger) -> None:
    db = make_db(lock_timeout=1.5)
    with db.engine.connect() as connection:
        if ledger_db.backend == "sqlite":
            settings = ["PRAGMA busy_timeout", "PRAGMA journal_mode", "PRAGMA foreign_keys"]
            expected = [1500, "wal", 1]
        else:
            settings = ["SHOW transaction_isolation", "SHOW lock_timeout"]
            expected = ["read committed", "1500ms"]
        assert [connection.exec_driver_sql(s).scalar() for s in settings] == expected


@pytest.mark.sqlite_only  # the inner writer waits for the outer one's SQLite write lock
def test_a_unit_nested_in_another_is_not_retried_twice_over(make_db: MakeDb) -> None:
    db = make_db()
    outer: list[int] = []

    def work(repo: Repository) -> None:
        outer.append(repo.count_dossiers())  # the outer unit now holds the write lock
        db.run(lambda inner: inner.append_events("HS-1", [event()], "c", NOW))

    with pytest.raises(LedgerBusyError) as caught:
        db.run(work)
    assert (len(outer), caught.value.attempts) == (1, QUICK.attempts)
