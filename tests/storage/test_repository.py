"""The repository on a real SQLite ledger: compare-and-set, event order, domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tthc_tracker.domain.calendar import DayKind, OfficeHours
from tthc_tracker.domain.catalog import Agency, Procedure
from tthc_tracker.domain.dossier import Channel, Dossier, Event, EventKind, Status
from tthc_tracker.domain.errors import DuplicateError, NotFoundError
from tthc_tracker.domain.limits import LimitUnit, TimeLimit
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.db import Database, make_engine, upgrade
from tthc_tracker.storage.repository import ConcurrentUpdateError

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)
DUE = datetime(2026, 3, 5, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    upgrade(engine)
    database = Database(engine)
    yield database
    database.dispose()


def agency(code: str = "STP-AG", hours: str = "07:00-11:30,13:30-17:00") -> Agency:
    return Agency(code=code, name="SỞ TƯ PHÁP", hours=OfficeHours.parse(hours))


def procedure(code: str = "1.001612", agency_code: str | None = None) -> Procedure:
    return Procedure(
        code=code,
        name="Đăng ký khai sinh",
        field="Hộ tịch",
        limit=TimeLimit(Decimal(3), LimitUnit.WORKING_DAYS),
        limit_text="03 ngày làm việc",
        cutoff=None,
        agency_code=agency_code,
    )


def dossier(code: str = "H48-260302-0001", **changes: object) -> Dossier:
    value = Dossier(
        code=code,
        procedure_code="1.001612",
        receiving_agency="STP-AG",
        processing_agency="STP-AG",
        returning_agency="STP-AG",
        applicant_name="Nguyễn Văn Đức",
        channel=Channel.DIRECT,
        received_at=RECEIVED,
        original_due_at=DUE,
        due_at=DUE,
    )
    return replace(value, **changes)  # type: ignore[arg-type]


def received(at: datetime = RECEIVED) -> Event:
    return Event(EventKind.RECEIVED, at, "", "due_at", None, DUE.isoformat())


@pytest.fixture
def ledger(db: Database) -> Database:
    """One agency, one procedure, one dossier with its receipt event."""
    with db.transaction() as repo:
        repo.add_agency(agency(), NOW)
        repo.add_procedure(procedure(agency_code="STP-AG"), NOW)
        repo.add_dossier(dossier(), [received()], "test-clerk", NOW)
    return db


def test_catalogue_round_trips(ledger: Database) -> None:
    with ledger.transaction() as repo:
        assert repo.get_agency("STP-AG") == agency()
        assert repo.get_procedure("1.001612") == procedure(agency_code="STP-AG")
        assert [a.code for a in repo.list_agencies()] == ["STP-AG"]
        assert [p.code for p in repo.list_procedures()] == ["1.001612"]


def test_dossier_round_trips_with_aware_instants(ledger: Database) -> None:
    with ledger.transaction() as repo:
        stored = repo.get_dossier("H48-260302-0001")
    assert stored == dossier()
    assert stored.received_at == RECEIVED
    assert stored.received_at.utcoffset() is not None


def test_save_dossier_is_compare_and_set(ledger: Database) -> None:
    with ledger.transaction() as repo:
        before = repo.get_dossier("H48-260302-0001")
        assert before.version == 1
        done = NOW + timedelta(hours=1)
        after = replace(before, status=Status.COMPLETED, completed_at=done)
        event = Event(EventKind.COMPLETED, done, "", "status", "in_progress", "completed")
        saved = repo.save_dossier(before, after, [event], "test-clerk", NOW)
    assert saved.version == 2
    assert saved.status is Status.COMPLETED
    with ledger.transaction() as repo:  # a writer still holding version 1 is refused
        stale = replace(before, status=Status.WITHDRAWN)
        with pytest.raises(ConcurrentUpdateError) as caught:
            repo.save_dossier(before, stale, [], "other-clerk", NOW)
    assert "H48-260302-0001" in caught.value.message()
    with ledger.transaction() as repo:
        current = repo.get_dossier("H48-260302-0001")
        assert current.status is Status.COMPLETED
        assert current.version == 2
        assert len(repo.events("H48-260302-0001")) == 2


def test_a_refused_write_rolls_back_the_whole_transaction(ledger: Database) -> None:
    with ledger.transaction() as repo:
        before = repo.get_dossier("H48-260302-0001")
    with pytest.raises(ConcurrentUpdateError), ledger.transaction() as repo:
        repo.add_agency(agency("NEW-AG"), NOW)
        repo.save_dossier(replace(before, version=7), before, [], "test-clerk", NOW)
    with ledger.transaction() as repo, pytest.raises(NotFoundError):
        repo.get_agency("NEW-AG")


def test_events_get_consecutive_seq(ledger: Database) -> None:
    at = RECEIVED
    for kind, target in (
        (EventKind.PAUSED, Status.PAUSED),
        (EventKind.RESUMED, Status.IN_PROGRESS),
        (EventKind.COMPLETED, Status.COMPLETED),
    ):
        at += timedelta(hours=1)
        with ledger.transaction() as repo:
            before = repo.get_dossier("H48-260302-0001")
            events = [Event(kind, at, "lý do", "status", before.status.value, target.value)]
            if kind is EventKind.RESUMED:
                events.append(Event(EventKind.DUE_RECOMPUTED, at, "", "due_at", "a", "b"))
            repo.save_dossier(before, replace(before, status=target), events, "c", NOW)
    with ledger.transaction() as repo:
        history = repo.events("H48-260302-0001")
    assert [e.seq for e in history] == [1, 2, 3, 4, 5]
    assert [e.event.kind for e in history] == [
        EventKind.RECEIVED,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.DUE_RECOMPUTED,
        EventKind.COMPLETED,
    ]
    assert history[1].event.reason == "lý do"
    assert history[0].actor == "test-clerk"
    assert history[0].recorded_at == NOW


def test_each_dossier_numbers_its_own_events(ledger: Database) -> None:
    with ledger.transaction() as repo:
        repo.add_dossier(dossier("H48-260302-0002"), [received()], "test-clerk", NOW)
        assert [e.seq for e in repo.events("H48-260302-0002")] == [1]


@pytest.mark.parametrize(
    ("kind", "add"),
    [
        ("agency", lambda repo: repo.add_agency(agency(), NOW)),
        ("procedure", lambda repo: repo.add_procedure(procedure(), NOW)),
        ("dossier", lambda repo: repo.add_dossier(dossier(), [received()], "c", NOW)),
    ],
)
def test_duplicate_codes_raise_duplicate_error(ledger: Database, kind: str, add: object) -> None:
    with pytest.raises(DuplicateError) as caught, ledger.transaction() as repo:
        add(repo)  # type: ignore[operator]
    assert caught.value.kind == kind
    assert "đã tồn tại" in caught.value.message()
    with ledger.transaction() as repo:
        assert repo.count_dossiers() == 1


@pytest.mark.parametrize(
    ("kind", "lookup"),
    [
        ("agency", lambda repo: repo.get_agency("KHONG-CO")),
        ("procedure", lambda repo: repo.get_procedure("KHONG-CO")),
        ("dossier", lambda repo: repo.get_dossier("KHONG-CO")),
        ("dossier", lambda repo: repo.events("KHONG-CO")),
        ("agency", lambda repo: repo.list_dossiers(agency="KHONG-CO")),
        ("agency", lambda repo: repo.add_procedure(procedure("9.9", "KHONG-CO"), NOW)),
        (
            "procedure",
            lambda repo: repo.add_dossier(dossier("X", procedure_code="KHONG-CO"), [], "c", NOW),
        ),
        (
            "agency",
            lambda repo: repo.add_dossier(dossier("X", processing_agency="KHONG-CO"), [], "c", NOW),
        ),
    ],
)
def test_unknown_codes_raise_not_found(ledger: Database, kind: str, lookup: object) -> None:
    with pytest.raises(NotFoundError) as caught, ledger.transaction() as repo:
        lookup(repo)  # type: ignore[operator]
    assert caught.value.kind == kind
    assert caught.value.key == "KHONG-CO"
    assert "KHONG-CO" in caught.value.message()
    with ledger.transaction() as repo:
        assert repo.count_dossiers() == 1


def test_list_dossiers_filters(ledger: Database) -> None:
    with ledger.transaction() as repo:
        repo.add_agency(agency("SXD-AG"), NOW)
        late = dossier("H48-260302-0002", processing_agency="SXD-AG", due_at=RECEIVED)
        repo.add_dossier(late, [received()], "c", NOW)
        assert [d.code for d in repo.list_dossiers()] == ["H48-260302-0001", "H48-260302-0002"]
        assert [d.code for d in repo.list_dossiers(agency="SXD-AG")] == ["H48-260302-0002"]
        assert [d.code for d in repo.list_dossiers(due_before=NOW)] == ["H48-260302-0002"]
        assert repo.list_dossiers([Status.COMPLETED]) == []
        assert len(repo.list_dossiers(limit=1)) == 1


def test_calendar_edits_replace_and_remove(db: Database) -> None:
    day = date(2027, 2, 11)
    with db.transaction() as repo:
        assert repo.set_calendar_edit(day, DayKind.OFF, "Tết", "a", NOW) is None
        replaced = repo.set_calendar_edit(day, DayKind.WORKDAY, "làm bù", "a", NOW)
        assert replaced is not None
        assert replaced.kind is DayKind.OFF
        [edit] = repo.calendar_edits()
        assert (edit.day, edit.kind, edit.name) == (day, DayKind.WORKDAY, "làm bù")
        assert repo.remove_calendar_edit(day).kind is DayKind.WORKDAY
        assert repo.calendar_edits() == []
        with pytest.raises(NotFoundError) as caught:
            repo.remove_calendar_edit(day)
    assert caught.value.key == "11/02/2027"
