"""Use cases on a real ledger (each backend): receiving, lifecycle, recomputation, calendar
edits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

import pytest

from tests.backends import Ledger
from tthc_tracker.config import shipped_dir
from tthc_tracker.domain.calendar import DayKind
from tthc_tracker.domain.dossier import EventKind, Status
from tthc_tracker.domain.errors import (
    ChronologyError,
    EmptyFieldError,
    ExtensionError,
    InvalidChoiceError,
    NotFoundError,
)
from tthc_tracker.domain.timeliness import Timeliness
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.services import catalog, ledger
from tthc_tracker.services.calendar_admin import edit_day
from tthc_tracker.services.calendars import Calendars, load_calendars
from tthc_tracker.services.deadlines import explain_dossier, explain_limit
from tthc_tracker.storage.db import Database, make_engine, upgrade

DATA = shipped_dir("data")
YEARS = (2015, 2036)
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


def at(text: str) -> datetime:
    """``"dd/mm/yyyy HH:MM"`` in Vietnamese local time."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def db(ledger_db: Ledger) -> Iterator[Database]:
    engine = make_engine(ledger_db.url)
    upgrade(engine)
    database = Database(engine)
    catalog.add_agency(database, catalog.new_agency("STP-AG", name="SỞ TƯ PHÁP"), NOW)
    catalog.add_agency(
        database,
        catalog.new_agency("LX", name="PHƯỜNG LONG XUYÊN", office_hours="07:30-11:30,13:00-17:00"),
        NOW,
    )
    catalog.add_procedure(
        database,
        catalog.new_procedure(
            "1.001612", name="Khai sinh", field="Hộ tịch", limit="3 ngày làm việc"
        ),
        NOW,
    )
    yield database
    database.dispose()


@pytest.fixture
def calendars(db: Database) -> Calendars:
    return load_calendars(db, DATA, *YEARS)


def receive(
    db: Database, calendars: Calendars, code: str, received: str, agency: str = "STP-AG"
) -> ledger.DossierView:
    new = ledger.NewDossier(
        code=code,
        procedure="1.001612",
        agency=agency,
        applicant="Nguyễn Văn Đức",
        received_at=at(received),
        channel="truc-tiep",
    )
    return ledger.add_dossier(db, calendars, new, "test-clerk", NOW)


def test_receiving_computes_the_due_time_and_writes_the_first_event(
    db: Database, calendars: Calendars
) -> None:
    view = receive(db, calendars, "H-1", "02/03/2026 09:00")
    assert view.dossier.due_at == at("05/03/2026 09:00")
    assert view.dossier.original_due_at == at("05/03/2026 09:00")
    assert view.dossier.status is Status.IN_PROGRESS
    [event] = view.events
    assert (event.seq, event.event.kind, event.actor) == (1, EventKind.RECEIVED, "test-clerk")
    assert event.event.new_value == "2026-03-05T09:00:00+07:00"
    assert view.timeliness is Timeliness.OVERDUE


def test_the_view_after_receiving_is_the_view_read_back(db: Database, calendars: Calendars) -> None:
    # add_dossier builds its view from what it has just written, without reading it back
    added = receive(db, calendars, "H-1", "02/03/2026 09:00")
    shown = ledger.show_dossier(db, calendars, "H-1", NOW)
    assert added == shown
    with pytest.raises(NotFoundError):
        ledger.show_dossier(db, calendars, "H-404", NOW)


def test_agency_office_hours_are_used(db: Database, calendars: Calendars) -> None:
    # 07:30-11:30,13:00-17:00: counting starts at 07:30 and 3 whole days end on Wednesday.
    view = receive(db, calendars, "H-1", "02/03/2026 07:15", agency="LX")
    assert view.dossier.due_at == at("04/03/2026 17:00")
    default = receive(db, calendars, "H-2", "02/03/2026 07:15")
    assert default.dossier.due_at == at("05/03/2026 07:15")


def test_bad_input_is_refused_before_writing(db: Database, calendars: Calendars) -> None:
    good = ledger.NewDossier("H-1", "1.001612", "STP-AG", "A", at("02/03/2026 09:00"), "1")
    cases = [
        (replace(good, applicant=" "), EmptyFieldError),
        (replace(good, channel="fax"), InvalidChoiceError),
        (replace(good, procedure="9.9"), NotFoundError),
        (replace(good, agency="KHONG-CO"), NotFoundError),
        (replace(good, received_at=at("28/11/2026 09:00")), ChronologyError),
    ]
    for new, error in cases:
        with pytest.raises(error):
            ledger.add_dossier(db, calendars, new, "c", NOW)
    with db.transaction() as repo:
        assert repo.count_dossiers() == 0


def test_an_action_in_the_future_is_refused(db: Database, calendars: Calendars) -> None:
    receive(db, calendars, "H-1", "02/03/2026 09:00")
    with pytest.raises(ChronologyError):
        ledger.transition(
            db, calendars, "H-1", EventKind.COMPLETED, at("28/11/2026 09:00"), "", "c", NOW
        )


def test_supplement_restarts_and_keeps_the_766_figure(db: Database, calendars: Calendars) -> None:
    receive(db, calendars, "H-1", "02/03/2026 09:00")
    ledger.transition(
        db,
        calendars,
        "H-1",
        EventKind.SUPPLEMENT_REQUESTED,
        at("03/03/2026 09:00"),
        "Thiếu",
        "c",
        NOW,
    )
    view = ledger.transition(
        db, calendars, "H-1", EventKind.SUPPLEMENT_RECEIVED, at("04/03/2026 14:00"), "", "c", NOW
    )
    assert view.dossier.due_at == at("09/03/2026 14:00")
    assert view.dossier.original_due_at == at("09/03/2026 14:00")
    # QĐ 766: the 11 working hours awaiting the supplement count as a pause, no restart.
    assert view.deadline.supplement_seconds == 11 * 3600
    assert view.deadline.due_at_pause_method == at("06/03/2026 14:00")


def test_recompute_is_idempotent(db: Database, calendars: Calendars) -> None:
    receive(db, calendars, "H-1", "25/11/2026 09:00")
    assert ledger.recompute_open(db, calendars, "c", NOW) == []
    with db.transaction() as repo:
        repo.set_calendar_edit(date(2026, 11, 30), DayKind.OFF, "Nghỉ đột xuất", "c", NOW)
    changed_calendars = load_calendars(db, DATA, *YEARS)
    assert [r.code for r in ledger.recompute_open(db, changed_calendars, "c", NOW)] == ["H-1"]
    assert ledger.recompute_open(db, changed_calendars, "c", NOW) == []
    view = ledger.show_dossier(db, changed_calendars, "H-1", NOW)
    assert view.dossier.due_at == at("01/12/2026 09:00")
    assert [e.event.kind for e in view.events].count(EventKind.DUE_RECOMPUTED) == 2


def test_calendar_edit_recomputes_open_dossiers_only(db: Database, calendars: Calendars) -> None:
    receive(db, calendars, "OPEN", "25/11/2026 09:00")
    receive(db, calendars, "DONE", "25/11/2026 09:00")
    ledger.transition(
        db, calendars, "DONE", EventKind.COMPLETED, at("26/11/2026 09:00"), "", "c", NOW
    )
    change = edit_day(db, DATA, YEARS, date(2026, 11, 30), DayKind.OFF, "Nghỉ", "c", NOW)
    assert change.recomputed == ["OPEN"]
    assert change.replaced is None
    done = ledger.show_dossier(db, change.calendars, "DONE", NOW)
    assert done.dossier.due_at == at("30/11/2026 09:00")
    removed = edit_day(db, DATA, YEARS, date(2026, 11, 30), None, "", "c", NOW)
    assert removed.recomputed == ["OPEN"]
    assert ledger.show_dossier(db, removed.calendars, "OPEN", NOW).dossier.due_at == at(
        "30/11/2026 09:00"
    )


def test_a_calendar_edit_outside_the_years_writes_nothing(db: Database) -> None:
    from tthc_tracker.domain.errors import CalendarRangeError

    with pytest.raises(CalendarRangeError):
        edit_day(db, DATA, YEARS, date(2040, 1, 2), DayKind.OFF, "Nghỉ", "c", NOW)
    with db.transaction() as repo:
        assert repo.calendar_edits() == []


def test_extension_once_after_the_due_time_at_a_working_instant(
    db: Database, calendars: Calendars
) -> None:
    receive(db, calendars, "H-1", "02/03/2026 09:00")
    letter = at("04/03/2026 10:00")
    for new_due in ("05/03/2026 08:00", "07/03/2026 10:00", "09/03/2026 12:00"):
        with pytest.raises(ExtensionError):
            ledger.extend(db, calendars, "H-1", at(new_due), "Chờ xác minh", letter, "c", NOW)
    view = ledger.extend(
        db, calendars, "H-1", at("10/03/2026 16:00"), "Chờ xác minh", letter, "c", NOW
    )
    assert view.dossier.due_at == at("10/03/2026 16:00")
    assert view.dossier.original_due_at == at("05/03/2026 09:00")
    assert view.dossier.extended
    with pytest.raises(ExtensionError, match="một lần"):
        ledger.extend(db, calendars, "H-1", at("12/03/2026 16:00"), "Lần hai", letter, "c", NOW)


def test_explanation_leaves_out_pauses_and_counts_from_a_restart(
    db: Database, calendars: Calendars
) -> None:
    """The day-by-day table adds up to the limit: a pause's working time is shown apart, and
    after a supplement the count starts again from its return; it ends at the legal due time,
    not at an extension's."""
    receive(db, calendars, "P", "09/03/2026 09:00")  # 3 days: due Thu 12/03 09:00
    for kind, when in (
        (EventKind.PAUSED, "10/03/2026 09:00"),
        (EventKind.RESUMED, "11/03/2026 09:00"),
    ):
        ledger.transition(db, calendars, "P", kind, at(when), "Niêm yết", "c", NOW)
    ledger.extend(
        db, calendars, "P", at("17/03/2026 16:00"), "Chờ xác minh", at("12/03/2026 10:00"), "c", NOW
    )
    _, explanation = explain_dossier(db, calendars, "P", NOW)
    assert explanation.deadline.legal_due_at == at("13/03/2026 09:00")  # 8 h paused
    assert [(line.info.day.day, line.counted_seconds // 3600, line.paused_seconds // 3600)
            for line in explanation.days] == [
        (9, 6, 0), (10, 2, 6), (11, 6, 2), (12, 8, 0), (13, 2, 0),
    ]  # fmt: skip

    receive(db, calendars, "S", "02/03/2026 09:00")
    ledger.transition(db, calendars, "S", EventKind.SUPPLEMENT_REQUESTED, at("03/03/2026 09:00"),
                      "Thiếu", "c", NOW)  # fmt: skip
    ledger.transition(db, calendars, "S", EventKind.SUPPLEMENT_RECEIVED, at("04/03/2026 10:00"),
                      "", "c", NOW)  # fmt: skip
    _, restarted = explain_dossier(db, calendars, "S", NOW)
    assert restarted.deadline.legal_due_at == at("09/03/2026 10:00")
    assert [(line.info.day.day, line.counted_seconds // 3600) for line in restarted.days] == [
        (4, 5),
        (5, 8),
        (6, 8),
        (7, 0),
        (8, 0),
        (9, 3),
    ]  # fmt: skip  (from the day the count restarted)


def test_list_overdue_and_explanations(db: Database, calendars: Calendars) -> None:
    receive(db, calendars, "LATE", "02/03/2026 09:00")
    receive(db, calendars, "FRESH", "26/11/2026 09:00")
    overdue = ledger.list_dossiers(db, calendars, NOW, overdue=True)
    assert [v.dossier.code for v in overdue] == ["LATE"]
    assert overdue[0].remaining.startswith("Quá ")
    fresh = ledger.show_dossier(db, calendars, "FRESH", NOW)
    assert fresh.remaining == "Còn 1 ngày 7 giờ"
    view, explanation = explain_dossier(db, calendars, "LATE", NOW)
    assert explanation.deadline.due_at == view.dossier.due_at
    assert [line.counted_seconds for line in explanation.days] == [
        6 * 3600,
        8 * 3600,
        8 * 3600,
        2 * 3600,
    ]
    loose = explain_limit(None, calendars, at("25/04/2025 15:00"), "3 ngày làm việc")
    assert loose.deadline.due_at == at("29/04/2025 15:00")
