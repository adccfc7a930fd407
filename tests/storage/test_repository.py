"""The repository on a real ledger (each backend): compare-and-set, event order, domain
errors, and the write paths that many writers share (numbers, flags, drafts, lease)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.backends import Ledger
from tthc_tracker.domain.calendar import DayKind, OfficeHours
from tthc_tracker.domain.catalog import Agency, Procedure
from tthc_tracker.domain.dossier import Channel, Dossier, Event, EventKind, Status
from tthc_tracker.domain.errors import DuplicateError, NotFoundError
from tthc_tracker.domain.letters import LetterStatus
from tthc_tracker.domain.limits import LimitUnit, TimeLimit
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.db import Database, make_engine, upgrade
from tthc_tracker.storage.repository import ConcurrentUpdateError, Repository

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)
DUE = datetime(2026, 3, 5, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def db(ledger_db: Ledger) -> Iterator[Database]:
    engine = make_engine(ledger_db.url)
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


# -- the write paths that concurrent writers share (tests/concurrency runs them at once) ------


def test_letter_numbers_count_per_agency_and_year_and_a_rollback_gives_back(
    ledger: Database,
) -> None:
    ledger.run(lambda repo: repo.add_agency(agency("SXD-AG"), NOW))
    taken = [
        ledger.run(lambda repo, a=a, y=y: repo.workflow.next_number(a, y))
        for a, y in [("STP-AG", 2026), ("STP-AG", 2026), ("SXD-AG", 2026), ("STP-AG", 2027)]
    ]
    assert taken == [1, 2, 1, 1]
    with pytest.raises(NotFoundError), ledger.transaction() as repo:
        assert repo.workflow.next_number("STP-AG", 2026) == 3
        repo.get_dossier("KHONG-CO")  # the issue fails: its number is not consumed
    assert ledger.run(lambda repo: repo.workflow.next_number("STP-AG", 2026)) == 3


def test_flags_and_drafts_are_written_once_and_report_what_was_new(ledger: Database) -> None:
    with ledger.transaction() as repo:
        dossier_id = repo.workflow.dossier_ids(["H48-260302-0001"])["H48-260302-0001"]
        agency_id = repo.workflow.agency_ids()["STP-AG"]
        flags = [(dossier_id, "at_risk", DUE), (dossier_id, "overdue", DUE)]
        assert repo.workflow.add_flags(flags, None, NOW) == set(flags)
        recomputed = (dossier_id, "overdue", DUE + timedelta(days=1))
        assert repo.workflow.add_flags([*flags, recomputed], None, NOW) == {recomputed}
        draft = (dossier_id, agency_id, DUE, date(2026, 3, 4))
        assert repo.workflow.add_drafts([draft], "sweep", NOW) == 1
        assert repo.workflow.add_drafts([draft, draft], "sweep", NOW) == 0
        assert not repo.workflow.add_draft("H48-260302-0001", "STP-AG", DUE, DUE.date(), "c", NOW)
    assert len(ledger.run(lambda repo: repo.workflow.existing_flags([dossier_id]))) == 3


def _issue(repo: Repository, number: int) -> None:
    repo.workflow.issue(
        "H48-260302-0001",
        "STP-AG",
        year=2026,
        number=number,
        number_text=f"{number:02d}/PXL",
        reason="Chờ xác minh",
        new_due_at=DUE + timedelta(days=5),
        original_due_at=DUE,
        deadline=date(2026, 3, 4),
        late=False,
        issued_at=NOW,
        template="tt03-2025",
        path="/letters/01.docx",
        sha256="0" * 64,
        actor="c",
        now=NOW,
    )


def test_a_letter_is_issued_once_with_or_without_a_draft(ledger: Database) -> None:
    ledger.run(lambda repo: _issue(repo, 1))  # no draft before: one is made and issued
    with pytest.raises(DuplicateError) as caught:
        ledger.run(lambda repo: _issue(repo, 2))
    assert "01/PXL" in caught.value.message()
    with ledger.transaction() as repo:
        [letter] = repo.workflow.list_letters()
    assert (letter.status, letter.number, letter.number_text) == (LetterStatus.ISSUED, 1, "01/PXL")


def test_the_lease_has_one_live_holder(ledger: Database) -> None:
    later = NOW + timedelta(minutes=5)
    minute = timedelta(minutes=1)
    with ledger.transaction() as repo:
        workflow = repo.workflow
        assert workflow.take_lease("scheduler", "a", NOW, later, '{"sweep": "00:30"}') is None
        assert workflow.take_lease("scheduler", "b", NOW, later) == "a"
        assert workflow.take_lease("scheduler", "a", NOW + minute, later + minute) is None
        assert workflow.lease("scheduler") == ("a", later + minute, '{"sweep": "00:30"}')
        assert workflow.take_lease("scheduler", "b", later + minute, later + 2 * minute) is None
        assert workflow.lease("scheduler") == ("b", later + 2 * minute, '{"sweep": "00:30"}')
        workflow.release_lease("scheduler", "a")  # not a's any more: kept
        assert workflow.lease("scheduler") is not None
        workflow.release_lease("scheduler", "b")
        assert workflow.lease("scheduler") is None
