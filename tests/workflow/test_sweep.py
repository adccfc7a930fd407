"""`tthc sweep`: at risk from the apology deadline, overdue after the due instant, late without
apology; re-runs, dry runs, new due-time versions, concurrent runs and crashes (issue 4).

Wed 04/03/2026 09:00 + 3 working days = Mon 09/03/2026 09:00; apology deadline Fri 06/03.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok, show_json
from tests.workflow.conftest import (
    AG_B,
    P2,
    SetNow,
    counts,
    issue_json,
    query,
    receive,
    sweep_json,
    tthc_argv,
)
from tthc_tracker.bootstrap import build
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.services import sweep as sweep_service
from tthc_tracker.storage import workflow

JSON_KEYS = {
    "as_of",
    "at_risk",
    "overdue",
    "late_without_apology",
    "supplement_expired",  # the one key beyond issue 4's contract: a flag kind added later
    "newly_flagged",
    "drafts_created",
}


def lists(data: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    return data["at_risk"], data["overdue"], data["late_without_apology"]


# --- at risk: from the apology deadline date -------------------------------------------------


def test_json_has_exactly_the_contract_keys(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    data = sweep_json(ledger, "2026-03-06 00:30")
    assert set(data) == JSON_KEYS
    assert data["as_of"] == "2026-03-06T00:30:00+07:00"
    assert data == {
        "as_of": "2026-03-06T00:30:00+07:00",
        "at_risk": ["HS-1"],
        "overdue": [],
        "late_without_apology": [],
        "supplement_expired": [],
        "newly_flagged": 1,
        "drafts_created": 1,
    }


@pytest.mark.parametrize(
    ("as_of", "at_risk"),
    [
        ("2026-03-05 00:30", False),
        ("2026-03-05 23:59", False),  # the day before the apology deadline, to the minute
        ("2026-03-06 00:00", True),  # the apology deadline date starts at local midnight
        ("2026-03-06 00:30", True),  # the nightly sweep of that day already lists it
        ("2026-03-08 12:00", True),  # Sunday before the due date
        ("2026-03-09 09:00", True),  # exactly at the due instant: not yet overdue
    ],
)
def test_at_risk_from_the_last_working_day_before_a_monday_due_date(
    ledger: Runner, as_of: str, at_risk: bool
) -> None:
    assert receive(ledger, "HS-1")["due_at"] == "2026-03-09T09:00:00+07:00"
    data = sweep_json(ledger, as_of, "--dry-run")
    assert lists(data) == ((["HS-1"], [], []) if at_risk else ([], [], []))


def test_a_utc_as_of_is_judged_by_its_local_date(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    # 05/03 17:30 UTC is Fri 06/03 00:30 in Việt Nam; 16:59 UTC is still Thu 05/03.
    assert sweep_json(ledger, "2026-03-05T17:30:00Z", "--dry-run")["at_risk"] == ["HS-1"]
    assert sweep_json(ledger, "2026-03-05T16:59:00Z", "--dry-run")["at_risk"] == []


def test_a_lead_of_two_working_days_starts_one_working_day_earlier(ledger: Runner) -> None:
    receive(ledger, "HS-B", agency=AG_B)
    assert sweep_json(ledger, "2026-03-04 23:59", "--dry-run")["at_risk"] == []
    assert sweep_json(ledger, "2026-03-05 00:30", "--dry-run")["at_risk"] == ["HS-B"]


def test_across_the_30_4_and_1_5_holidays(ledger: Runner) -> None:
    # Tue 28/04/2026 09:00 + 2 working days: Wed 29/04, (Thu 30/04, Fri 01/05 off, weekend)
    # → Mon 04/05 09:00. The apology deadline is Wed 29/04, with two days' lead Tue 28/04.
    assert receive(ledger, "HS-1", "2026-04-28 09:00", procedure=P2)["due_at"] == (
        "2026-05-04T09:00:00+07:00"
    )
    receive(ledger, "HS-B", "2026-04-28 09:00", procedure=P2, agency=AG_B)
    assert lists(sweep_json(ledger, "2026-04-28 18:00", "--dry-run")) == (["HS-B"], [], [])
    assert lists(sweep_json(ledger, "2026-04-29 00:30", "--dry-run")) == (
        ["HS-1", "HS-B"],
        [],
        [],
    )
    # On the holidays both are at risk (late apology), neither is overdue yet.
    assert sweep_json(ledger, "2026-05-01 00:30", "--dry-run")["at_risk"] == ["HS-1", "HS-B"]


# --- overdue, never flagged, late without apology -----------------------------------------------


def test_overdue_one_minute_after_the_due_instant(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    assert lists(sweep_json(ledger, "2026-03-09 09:01")) == ([], ["HS-1"], [])


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("pause", ("--reason", "Chờ thẩm định")),
        ("supplement-request", ("--reason", "Thiếu tờ khai")),
        ("stop", ("--reason", "Công dân đề nghị dừng")),
        ("withdraw", ("--reason", "Công dân rút hồ sơ")),
        ("refuse", ("--reason", "Không thuộc thẩm quyền")),
    ],
)
def test_paused_waiting_stopped_withdrawn_refused_are_never_flagged(
    ledger: Runner, ledger_db: Ledger, action: str, extra: tuple[str, ...]
) -> None:
    receive(ledger, "HS-1", "2026-03-02 09:00")  # due Thu 05/03 09:00
    ok(ledger("dossier", action, "HS-1", "--at", "2026-03-03 10:00", *extra))
    # 18/03 17:00: the last instant of the 15 days for a supplement asked on 03/03
    for as_of in ("2026-03-04 00:30", "2026-03-05 09:01", "2026-03-18 17:00"):
        data = sweep_json(ledger, as_of)
        assert lists(data) == ([], [], [])
        assert data["newly_flagged"] == data["drafts_created"] == 0
    assert counts(ledger_db)["sweep_flag"] == counts(ledger_db)["letter"] == 0


def test_a_clock_stopped_once_the_due_time_had_passed_is_still_overdue(
    ledger: Runner, ledger_db: Ledger
) -> None:
    """Due Thu 05/03 09:00 (received Mon 02/03 09:00). Paused, or asked for a supplement, on
    Fri 06/03: the limit was used up, the stop moves nothing, the dossier stays overdue; its
    draft letter is made. One stopped before the due time is not flagged."""
    for code in ("HS-PAUSED", "HS-ASKED", "HS-EARLY"):
        receive(ledger, code, "2026-03-02 09:00")
    ok(ledger("dossier", "pause", "HS-PAUSED", "--at", "2026-03-06 10:00", "--reason", "Chờ"))
    ask = ("--at", "2026-03-06 10:00", "--reason", "Thiếu giấy tờ")
    ok(ledger("dossier", "supplement-request", "HS-ASKED", *ask))
    ok(ledger("dossier", "pause", "HS-EARLY", "--at", "2026-03-04 10:00", "--reason", "Chờ"))
    data = sweep_json(ledger, "2026-03-09 00:30")
    assert data["overdue"] == ["HS-ASKED", "HS-PAUSED"]
    assert data["drafts_created"] == 2
    assert sweep_json(ledger, "2026-03-09 08:00")["newly_flagged"] == 0  # re-runnable
    listed = json.loads(ok(ledger("dossier", "list", "--overdue", "--as-of",
                                  "2026-03-09 08:00", "--json")).out)  # fmt: skip
    assert sorted(d["code"] for d in listed) == ["HS-ASKED", "HS-PAUSED"]
    # the supplement comes back: no restart (the dossier was late already), still overdue
    ok(ledger("dossier", "supplement-received", "HS-ASKED", "--at", "2026-03-10 09:00"))
    assert show_json(ledger, "HS-ASKED")["due_at"] == "2026-03-05T09:00:00+07:00"
    assert "HS-ASKED" in sweep_json(ledger, "2026-03-11 00:30")["overdue"]
    assert counts(ledger_db)["letter"] == 2  # no second draft for either


def test_late_without_apology_when_completed_after_the_due_time(ledger: Runner) -> None:
    receive(ledger, "HS-LATE")
    receive(ledger, "HS-ONTIME")
    ok(ledger("dossier", "complete", "HS-LATE", "--at", "2026-03-09 10:00"))
    ok(ledger("dossier", "complete", "HS-ONTIME", "--at", "2026-03-09 09:00"))
    data = sweep_json(ledger, "2026-03-10 00:30")
    assert lists(data) == ([], [], ["HS-LATE"])
    assert data["drafts_created"] == 0  # a finished dossier gets no draft


def test_not_late_without_apology_when_a_letter_was_issued(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    ok(
        ledger(
            "letters", "issue", "HS-1",
            "--reason", "Chờ xác minh",
            "--new-due", "2026-03-12 09:00",
            "--at", "2026-03-06 10:00",
        )
    )  # fmt: skip
    ok(ledger("dossier", "complete", "HS-1", "--at", "2026-03-10 10:00"))  # after the original
    assert lists(sweep_json(ledger, "2026-03-11 00:30")) == ([], [], [])


def test_a_flag_does_not_block_recording_what_happened_before_the_sweep(
    ledger: Runner,
) -> None:
    # Flagged overdue by the 00:30 sweep; the clerk records the next morning that the dossier
    # was finished the afternoon before: the flag is an observation, not a dossier step.
    receive(ledger, "HS-1", "2026-03-02 09:00")  # due Thu 05/03 09:00
    assert sweep_json(ledger, "2026-03-06 00:30")["overdue"] == ["HS-1"]
    data = json.loads(
        ok(ledger("dossier", "complete", "HS-1", "--at", "2026-03-05 16:00", "--json")).out
    )
    assert data["completed_at"] == "2026-03-05T16:00:00+07:00"
    assert lists(sweep_json(ledger, "2026-03-06 08:00")) == ([], [], ["HS-1"])
    # A real step still keeps the order: nothing before the completion.
    fails(
        ledger("dossier", "return", "HS-1", "--at", "2026-03-05 15:00"), "sớm hơn sự kiện gần nhất"
    )


def test_no_letter_for_an_extended_dossier_withdrawn_since(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    ok(ledger("dossier", "extend", "HS-1", "--new-due", "2026-03-12 09:00", "--reason", "Chờ",
              "--at", "2026-03-05 10:00"))  # fmt: skip
    ok(ledger("dossier", "withdraw", "HS-1", "--at", "2026-03-06 10:00"))
    fails(
        ledger(
            "letters",
            "issue",
            "HS-1",
            "--reason",
            "Chờ",
            "--new-due",
            "12/03/2026 09:00",
            "--at",
            "2026-03-06 11:00",
        ),
        "HS-1",
        "Rút hồ sơ",
    )
    numbers = json.loads(ok(ledger("letters", "list", "--status", "issued", "--json")).out)
    assert numbers == []  # no number used up


def test_a_dossier_extended_by_its_letter_is_not_at_risk_but_can_be_overdue(
    ledger: Runner,
) -> None:
    receive(ledger, "HS-1")
    issue_json(
        ledger, "HS-1",
        "--reason", "Chờ xác minh",
        "--new-due", "2026-03-12 09:00",
        "--at", "2026-03-05 10:00",
    )  # fmt: skip
    for as_of in ("2026-03-06 00:30", "2026-03-11 00:30", "2026-03-12 09:00"):
        assert lists(sweep_json(ledger, as_of)) == ([], [], [])
    data = sweep_json(ledger, "2026-03-12 09:01")
    assert lists(data) == ([], ["HS-1"], [])


def test_an_extension_without_its_letter_is_still_asked_for_the_letter(
    ledger: Runner, set_now: SetNow
) -> None:
    """`dossier extend` records the new time, but the law reschedules by the apology letter:
    until one is issued the sweep goes on asking for it, against the legal due time (Mon
    09/03 09:00), as the statistics count it; once issued, only the new time matters."""
    receive(ledger, "HS-1")
    ok(
        ledger(
            "dossier", "extend", "HS-1",
            "--new-due", "2026-03-12 09:00",
            "--reason", "Chờ xác minh",
            "--at", "2026-03-05 10:00",
        )
    )  # fmt: skip
    assert lists(sweep_json(ledger, "2026-03-05 00:30")) == ([], [], [])
    assert lists(sweep_json(ledger, "2026-03-06 00:30")) == (["HS-1"], [], [])
    assert lists(sweep_json(ledger, "2026-03-09 09:00")) == (["HS-1"], [], [])
    assert lists(sweep_json(ledger, "2026-03-09 09:01")) == ([], [], ["HS-1"])
    assert lists(sweep_json(ledger, "2026-03-12 09:01")) == ([], ["HS-1"], [])
    march = json.loads(ok(ledger("stats", "range", "--from", "2026-03-01", "--to",
                                 "2026-03-10", "--json")).out)  # fmt: skip
    assert march["total"]["late_without_apology"] == 1

    # The letter has the checks of an extension: a reason, a time not before it …
    issuing = ("letters", "issue", "HS-1", "--new-due", "12/03/2026 09:00")
    fails(ledger(*issuing, "--reason", " ", "--at", "2026-03-06 10:00"), "--reason")
    fails(ledger(*issuing, "--reason", "Chờ", "--at", "2026-03-05 09:00"), "--at", "lúc hẹn lại")
    # The letter can only state the time already set: the one extension allowed.
    fails(
        ledger(
            "letters", "issue", "HS-1",
            "--reason", "Chờ xác minh",
            "--new-due", "2026-03-13 09:00",
            "--at", "2026-03-06 10:00",
        ),
        "HS-1", "đã được hẹn lại đến 12/03/2026 09:00", '--new-due "12/03/2026 09:00"',
    )  # fmt: skip
    set_now("2026-03-06 10:00")
    letter = issue_json(
        ledger, "HS-1",
        "--reason", "Chờ xác minh",
        "--new-due", "12/03/2026 09:00",
        "--at", "2026-03-06 10:00",
    )  # fmt: skip
    assert letter["late"] is False  # on the apology deadline date
    assert show_json(ledger, "HS-1")["due_at"] == "2026-03-12T09:00:00+07:00"
    set_now("2026-03-12 09:05")
    for as_of in ("2026-03-06 00:30", "2026-03-11 00:30", "2026-03-12 09:00"):
        assert lists(sweep_json(ledger, as_of)) == ([], [], [])
    assert lists(sweep_json(ledger, "2026-03-12 09:01")) == ([], ["HS-1"], [])


def test_a_run_for_a_past_instant_leaves_out_dossiers_received_after_it(
    ledger: Runner,
) -> None:
    """A catch-up run for Sat 07/03 made after Mon 09/03: HS-DAY ("Trong ngày", received Mon
    09/03 10:00, due 17:00, apology deadline Fri 06/03) did not exist on 07/03. Flagging it
    would write its history before its receipt, which `tthc db check` refuses."""
    ok(ledger("procedure", "add", "1.000009", "--name", "Chứng thực bản sao", "--field",
              "Chứng thực", "--limit", "Trong ngày"))  # fmt: skip
    receive(ledger, "HS-1")  # Wed 04/03 09:00, due Mon 09/03 09:00: at risk on 07/03
    receive(ledger, "HS-DAY", "2026-03-09 10:00", procedure="1.000009")
    assert show_json(ledger, "HS-DAY")["due_at"] == "2026-03-09T17:00:00+07:00"
    data = sweep_json(ledger, "2026-03-07 10:00")
    assert lists(data) == (["HS-1"], [], [])
    assert data["drafts_created"] == 1
    ok(ledger("db", "check"))
    # judged on its own day, it is flagged as the day's runs flag it
    assert "HS-DAY" in sweep_json(ledger, "2026-03-09 10:30")["at_risk"]
    ok(ledger("db", "check"))


# --- re-runs, dry runs, due-time versions, history ---------------------------------------


@pytest.mark.parametrize("bulk_from", [1, workflow.BULK_ARRAY_ROWS], ids=["arrays", "rows"])
def test_a_second_run_changes_nothing(
    ledger: Runner, ledger_db: Ledger, bulk_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "arrays": PostgreSQL writes flags, events and drafts as one INSERT … unnest(…) each,
    # the path of a province's first sweep; SQLite has one path whatever the threshold
    monkeypatch.setattr(workflow, "BULK_ARRAY_ROWS", bulk_from)
    receive(ledger, "HS-1")
    receive(ledger, "HS-2", "2026-03-02 09:00")  # due Thu 05/03: overdue on 06/03
    receive(ledger, "HS-3")
    ok(ledger("dossier", "complete", "HS-3", "--at", "2026-03-09 10:00"))
    first = sweep_json(ledger, "2026-03-10 00:30")
    assert (first["at_risk"], sorted(first["overdue"])) == ([], ["HS-1", "HS-2"])
    assert first["late_without_apology"] == ["HS-3"]
    assert (first["newly_flagged"], first["drafts_created"]) == (3, 2)
    before = counts(ledger_db)
    assert before["sweep_flag"] == before["flagged_events"] == 3
    second = sweep_json(ledger, "2026-03-10 00:30")
    assert (second["newly_flagged"], second["drafts_created"]) == (0, 0)
    assert sorted(second["overdue"]) == sorted(first["overdue"])
    after = counts(ledger_db)
    assert after == {**before, "sweep_run": before["sweep_run"] + 1}
    events = [e["kind"] for e in show_json(ledger, "HS-1")["events"]]
    assert events.count("flagged") == 1


def test_dry_run_writes_nothing(ledger: Runner, ledger_db: Ledger) -> None:
    receive(ledger, "HS-1")
    before = counts(ledger_db)
    data = sweep_json(ledger, "2026-03-06 00:30", "--dry-run")
    assert data["at_risk"] == ["HS-1"]
    assert (data["newly_flagged"], data["drafts_created"]) == (0, 0)
    assert counts(ledger_db) == before
    assert json.loads(ok(ledger("sweep", "history", "--json")).out) == []
    out = ok(ledger("sweep", "--as-of", "2026-03-06 00:30", "--dry-run")).out
    assert "chạy thử, không ghi" in out
    assert counts(ledger_db) == before


def test_a_new_due_after_supplement_is_flagged_once_more(ledger: Runner, ledger_db: Ledger) -> None:
    receive(ledger, "HS-1")
    assert sweep_json(ledger, "2026-03-06 00:30")["newly_flagged"] == 1
    ok(ledger("dossier", "supplement-request", "HS-1", "--at", "2026-03-06 08:00", "--reason", "x"))
    assert lists(sweep_json(ledger, "2026-03-09 09:30")) == ([], [], [])  # waiting: no flag
    received = json.loads(
        ok(
            ledger("dossier", "supplement-received", "HS-1", "--at", "2026-03-10 09:00", "--json")
        ).out
    )
    assert received["due_at"] == "2026-03-13T09:00:00+07:00"  # the clock restarted
    assert sweep_json(ledger, "2026-03-11 00:30")["at_risk"] == []
    data = sweep_json(ledger, "2026-03-12 00:30")
    assert data["at_risk"] == ["HS-1"]
    assert (data["newly_flagged"], data["drafts_created"]) == (1, 0)  # the draft exists
    again = sweep_json(ledger, "2026-03-12 08:00")
    assert (again["newly_flagged"], again["drafts_created"]) == (0, 0)
    assert counts(ledger_db)["flagged_events"] == 2
    assert sorted(r[0] for r in query(ledger_db, "SELECT due_at FROM sweep_flag")) == [
        "2026-03-09 02:00:00.000000",
        "2026-03-13 02:00:00.000000",
    ]


def test_a_calendar_day_off_moving_the_due_gives_a_new_flag_once(
    ledger: Runner, ledger_db: Ledger
) -> None:
    receive(ledger, "HS-1")
    assert sweep_json(ledger, "2026-03-06 00:30")["newly_flagged"] == 1
    ok(ledger("calendar", "add-off", "2026-03-09", "--reason", "Nghỉ đột xuất theo quyết định"))
    assert show_json(ledger, "HS-1")["due_at"] == "2026-03-10T09:00:00+07:00"
    data = sweep_json(ledger, "2026-03-06 12:00")  # still at risk: Mon 09/03 is now off
    assert data["at_risk"] == ["HS-1"]
    assert (data["newly_flagged"], data["drafts_created"]) == (1, 0)
    assert sweep_json(ledger, "2026-03-06 13:00")["newly_flagged"] == 0
    assert counts(ledger_db)["sweep_flag"] == 2


def test_at_risk_then_overdue_are_two_flags_of_one_version(
    ledger: Runner, ledger_db: Ledger
) -> None:
    receive(ledger, "HS-1")
    assert sweep_json(ledger, "2026-03-06 00:30")["newly_flagged"] == 1
    data = sweep_json(ledger, "2026-03-10 00:30")
    assert (data["overdue"], data["newly_flagged"], data["drafts_created"]) == (["HS-1"], 1, 0)
    assert query(ledger_db, "SELECT kind FROM sweep_flag ORDER BY id") == [
        ("at_risk",),
        ("overdue",),
    ]


def test_a_future_instant_is_previewed_but_never_written(
    ledger: Runner, ledger_db: Ledger, set_now: SetNow, env: Path
) -> None:
    """Flags for 09/03 written on 06/03 would stand in the history before the dossier was
    late, and (written once) never come again when it is; the morning digest of a future
    day would stop that day's real one. A dry run may look ahead."""
    receive(ledger, "HS-1")  # due Mon 09/03 09:00
    set_now("2026-03-06 10:00")
    before = counts(ledger_db)
    fails(ledger("sweep", "--as-of", "2026-03-10 00:30"), "--as-of", "10/03/2026 00:30",
          "muộn hơn thời điểm hiện tại")  # fmt: skip
    fails(ledger("digest", "--as-of", "2026-03-10 07:00"), "--as-of", "10/03/2026 07:00")
    assert counts(ledger_db) == before
    assert not (env / "outbox").exists() or not any((env / "outbox").rglob("*"))
    assert sweep_json(ledger, "2026-03-10 00:30", "--dry-run")["overdue"] == ["HS-1"]
    assert counts(ledger_db) == before


def test_history_shows_each_run_with_outcome_ok(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    sweep_json(ledger, "2026-03-05 00:30")
    sweep_json(ledger, "2026-03-06 00:30")
    runs = json.loads(ok(ledger("sweep", "history", "--json")).out)
    assert [r["outcome"] for r in runs] == ["ok", "ok"]
    assert [r["as_of"] for r in runs] == ["2026-03-06T00:30:00+07:00", "2026-03-05T00:30:00+07:00"]
    assert (runs[0]["at_risk"], runs[0]["newly_flagged"], runs[0]["drafts_created"]) == (1, 1, 1)
    assert runs[0]["trigger"] == "manual" and runs[0]["finished_at"] is not None
    text = ok(ledger("sweep", "history")).out
    assert "chạy tay  xong" in text and "06/03/2026 00:30" in text
    assert len(json.loads(ok(ledger("sweep", "history", "--limit", "1", "--json")).out)) == 1


def test_a_bad_as_of_is_refused_in_vietnamese(ledger: Runner) -> None:
    fails(ledger("sweep", "--as-of", "hôm qua"), "--as-of")


# --- two processes at once, a crash mid-run ------------------------------------------------


def test_two_concurrent_processes_flag_and_draft_once(
    ledger: Runner, ledger_db: Ledger, db_url: str
) -> None:
    codes = [f"HS-{i:02d}" for i in range(12)]
    for code in codes:
        receive(ledger, code)
    argv = tthc_argv(db_url, "sweep", "--as-of", "2026-03-06 00:30", "--json")
    children = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ)
        for _ in range(2)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
        results.append(json.loads(out))
    assert all(sorted(r["at_risk"]) == codes for r in results)
    assert sum(r["newly_flagged"] for r in results) == len(codes)
    assert sum(r["drafts_created"] for r in results) == len(codes)
    found = counts(ledger_db)
    assert found["sweep_flag"] == found["letter"] == found["flagged_events"] == len(codes)
    assert found["sweep_run"] == 2
    assert query(ledger_db, "SELECT outcome FROM sweep_run") == [("ok",), ("ok",)]


def test_a_run_failing_midway_leaves_nothing_and_the_next_completes(
    ledger: Runner, ledger_db: Ledger, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code in ("HS-1", "HS-2", "HS-3"):
        receive(ledger, code)
    real = sweep_service.apology_deadline
    calls: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the flags and their events are written by now
            raise RuntimeError("mất điện giữa chừng")
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_service, "apology_deadline", failing)
    app = build(db_url)
    as_of = datetime(2026, 3, 6, 0, 30, tzinfo=LOCAL_TZ)
    try:
        with pytest.raises(RuntimeError, match="mất điện"):
            sweep_service.sweep(app.db, app.calendars, as_of, "test", app.clock)
    finally:
        app.close()
    assert len(calls) == 2
    found = counts(ledger_db)
    assert (found["sweep_flag"], found["letter"], found["flagged_events"]) == (0, 0, 0)
    runs = json.loads(ok(ledger("sweep", "history", "--json")).out)
    assert [r["outcome"] for r in runs] == ["failed"]
    assert "mất điện" in runs[0]["error"]
    assert runs[0]["finished_at"] is not None

    monkeypatch.setattr(sweep_service, "apology_deadline", real)
    data = sweep_json(ledger, "2026-03-06 00:30")
    assert (data["newly_flagged"], data["drafts_created"]) == (3, 3)
    found = counts(ledger_db)
    assert (found["sweep_flag"], found["letter"], found["flagged_events"]) == (3, 3, 3)
    runs = json.loads(ok(ledger("sweep", "history", "--json")).out)
    assert [r["outcome"] for r in runs] == ["ok", "failed"]
