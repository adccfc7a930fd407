"""The shared write paths hammered by threads, each with its own connection, on each backend:
numbers stay gapless, event ``seq`` consecutive, flags and drafts single, the lease single."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from tests.concurrency.conftest import CODES, NOW, RECEIVED, MakeDb, event
from tthc_tracker.storage.db import Database, RetryPolicy
from tthc_tracker.storage.repository import Repository

T = TypeVar("T")
THREADS = 6
PATIENT = RetryPolicy(attempts=8, first_delay=0.01, max_delay=0.2, budget=60.0)


def together(
    db: Database, work: Callable[[int], Callable[[Repository], T]], rounds: int
) -> list[T]:
    """``THREADS`` threads released at once, each running ``db.run(work(thread))`` ``rounds``
    times; every result (a failure in a thread fails the test)."""
    start = threading.Barrier(THREADS, timeout=30)
    results: list[T] = []
    failures: list[BaseException] = []

    def body(thread: int) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                results.append(db.run(work(thread)))
        except BaseException as error:  # reported by the test thread
            failures.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert failures == []
    return results


def test_letter_numbers_taken_at_once_are_gapless_and_unique(make_db: MakeDb) -> None:
    db = make_db(lock_timeout=10, policy=PATIENT)
    numbers = together(db, lambda _t: lambda repo: repo.workflow.next_number("STP-AG", 2026), 5)
    assert sorted(numbers) == list(range(1, THREADS * 5 + 1))


def test_events_appended_at_once_get_consecutive_seq(make_db: MakeDb) -> None:
    db = make_db(lock_timeout=10, policy=PATIENT)
    together(db, lambda _t: lambda repo: repo.append_events("HS-1", [event()], "c", NOW), 4)
    sweep_like = together(  # many dossiers at once, as the sweep appends its flag events
        db,
        lambda _t: (
            lambda repo: repo.workflow.add_events(
                [(d, event()) for d in repo.workflow.dossier_ids(CODES).values()], "sweep", NOW
            )
        ),
        2,
    )
    assert len(sweep_like) == THREADS * 2
    with db.transaction() as repo:
        assert [e.seq for e in repo.events("HS-1")] == list(range(1, 1 + THREADS * 6 + 1))
        assert [e.seq for e in repo.events("HS-2")] == list(range(1, 1 + THREADS * 2 + 1))


def test_the_same_flags_and_drafts_written_at_once_are_stored_and_counted_once(
    make_db: MakeDb,
) -> None:
    db = make_db(lock_timeout=10, policy=PATIENT)
    with db.transaction() as repo:
        ids = repo.workflow.dossier_ids(CODES)
        agency = repo.workflow.agency_ids()["STP-AG"]
    flags = [
        (ids[code], kind, RECEIVED + timedelta(hours=hours))
        for code in CODES
        for kind in ("at_risk", "overdue")
        for hours in range(3)
    ]
    drafts = [(ids[code], agency, RECEIVED, RECEIVED.date()) for code in CODES]

    def sweep(_thread: int) -> Callable[[Repository], tuple[int, int]]:
        def work(repo: Repository) -> tuple[int, int]:
            return (
                len(repo.workflow.add_flags(flags, None, NOW)),
                repo.workflow.add_drafts(drafts, "sweep", NOW),
            )

        return work

    reported = together(db, sweep, 2)
    assert sum(f for f, _ in reported) == len(flags)  # each inserted by exactly one writer
    assert sum(d for _, d in reported) == len(drafts)
    with db.transaction() as repo:
        assert len(repo.workflow.existing_flags(list(ids.values()))) == len(flags)
        assert len(repo.workflow.list_letters()) == len(drafts)


def test_one_scheduler_of_many_starting_at_once_gets_the_lease(make_db: MakeDb) -> None:
    db = make_db(lock_timeout=10, policy=PATIENT)
    until = NOW + timedelta(minutes=5)
    answers = together(
        db,
        lambda t: lambda repo: repo.workflow.take_lease("scheduler", f"host:{t}", NOW, until),
        1,
    )
    winners = [a for a in answers if a is None]
    with db.transaction() as repo:
        lease = repo.workflow.lease("scheduler")
    assert len(winners) == 1 and lease is not None
    assert set(answers) == {None, lease[0]}  # every other one was told who holds it
