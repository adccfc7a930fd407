"""Biểu 06 at a period's end for dossiers whose clock is stopped (domain.md §5.3, §6).

All four received Mon 02/03/2026 09:00 with "3 ngày làm việc": due Thu 05/03 09:00.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Runner, add_dossier, ok

RECEIVED = "02/03/2026 09:00"


def stats(run: Runner, start: str, end: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        ok(run("stats", "range", "--from", start, "--to", end, "--json")).out
    )
    return data


def test_a_clock_stopped_before_the_due_time_is_pending_within_due(seeded: Runner) -> None:
    run = seeded
    for code in ("PAUSED", "AWAITING", "PAUSED-LATE", "RUNNING"):
        add_dossier(run, code, RECEIVED)
    # stopped after 8 of the 24 working hours: the clock waits, nothing is late
    ok(run("dossier", "pause", "PAUSED", "--at", "03/03/2026 09:00", "--reason", "Niêm yết"))
    ok(
        run(
            "dossier",
            "supplement-request",
            "AWAITING",
            "--at",
            "03/03/2026 09:00",
            "--reason",
            "Thiếu bản sao giấy khai sinh",
        )
    )
    # stopped once the due time had passed: late already, like the one still running
    ok(run("dossier", "pause", "PAUSED-LATE", "--at", "06/03/2026 09:00", "--reason", "Chờ"))

    march = stats(run, "2026-03-01", "2026-03-31")
    total = march["total"]
    assert total["pending_total"] == 4
    assert total["pending_within_due"] == 2
    assert total["pending_overdue"] == 2
    assert total["late_without_apology"] == 2
    assert sorted(entry["code"] for entry in march["late"]) == ["PAUSED-LATE", "RUNNING"]

    # a period ending before PAUSED-LATE's pause: it was running then, and past its due time
    early = stats(run, "2026-03-01", "2026-03-05")["total"]
    assert (early["pending_within_due"], early["pending_overdue"]) == (2, 2)
    # a period ending before the due time: all four within it
    first = stats(run, "2026-03-01", "2026-03-04")["total"]
    assert (first["pending_within_due"], first["pending_overdue"]) == (4, 0)


def test_a_period_not_over_yet_judges_open_dossiers_now(seeded: Runner) -> None:
    """The clock is at Fri 27/11/2026 10:00 (tests/conftest.py). Received Wed 25/11 09:00 with
    3 working days, due Mon 30/11 09:00: within due now, though the calendar month runs to
    30/11 23:59. One received Mon 23/11 09:00 is due Fri 27/11 09:00 (Tue 24/11, Ngày Văn hóa
    Việt Nam, is off): overdue now, by an hour."""
    run = seeded
    add_dossier(run, "NOT-YET", "25/11/2026 09:00")
    add_dossier(run, "LATE-NOW", "23/11/2026 09:00")
    november = stats(run, "2026-11-01", "2026-11-30")
    assert november["as_of"] == "2026-11-27T10:00:00+07:00"
    total = november["total"]
    assert (total["pending_within_due"], total["pending_overdue"]) == (1, 1)
    assert [entry["code"] for entry in november["late"]] == ["LATE-NOW"]
    assert november["late"][0]["delay"] == "Quá 1 giờ"  # to now, not to the month's end
    text = ok(run("stats", "range", "--from", "2026-11-01", "--to", "2026-11-30")).out
    assert "Kỳ chưa kết thúc: số liệu đến 27/11/2026 10:00" in text
    # a period that is over judges at its end and says nothing of the kind
    october = stats(run, "2026-10-01", "2026-10-31")
    assert october["as_of"] is None
