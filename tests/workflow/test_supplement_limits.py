"""The limits around a supplement request (ND 118 Art. 19.5; domain/supplement.py):

- asked within 03 working days of receipt: a later request is recorded and pointed out;
- 15 days for the applicant: then the sweep flags the dossier (`supplement_expired`) and
  `dossier show` says to consider closing it.

HS-1 is received Mon 02/03/2026 09:00: the request window ends Thu 05/03/2026 09:00.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.backends import Ledger
from tests.conftest import Runner, ok
from tests.workflow.conftest import counts, query, receive, sweep_json

REASON = ("--reason", "Thiếu bản sao giấy khai sinh")
LATE_NOTE = "sau thời hạn 03 ngày làm việc kể từ khi tiếp nhận (hết lúc 05/03/2026 09:00"


def request(run: Runner, code: str, at: str) -> Any:
    return ok(run("dossier", "supplement-request", code, "--at", at, *REASON))


def show(run: Runner, code: str, as_of: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        ok(run("dossier", "show", code, "--as-of", as_of, "--json")).out
    )
    return data


@pytest.mark.parametrize(("at", "late"), [("2026-03-05 09:00", False), ("2026-03-05 09:01", True)])
def test_a_request_after_three_working_days_is_recorded_and_pointed_out(
    ledger: Runner, at: str, late: bool
) -> None:
    receive(ledger, "HS-1", "2026-03-02 09:00")
    result = request(ledger, "HS-1", at)
    assert ("Lưu ý: Yêu cầu bổ sung lúc" in result.out) is late
    data = show(ledger, "HS-1", "2026-03-06 10:00")
    assert data["status"] == "awaiting_supplement"  # recorded either way
    if late:
        assert data["notes"] == [
            f"Yêu cầu bổ sung lúc 05/03/2026 09:01: {LATE_NOTE}; NĐ 118/2025, Điều 19.5)."
        ]
    else:
        assert data["notes"] == []
    text = ok(ledger("dossier", "show", "HS-1", "--as-of", "2026-03-06 10:00")).out
    assert (LATE_NOTE in text) is late


def test_the_window_counts_working_time_from_the_receipt(ledger: Runner) -> None:
    # received Fri 06/03 16:00: 1 h that day, then Mon, Tue; the window ends Wed 11/03 16:00
    receive(ledger, "HS-FRI", "2026-03-06 16:00")
    request(ledger, "HS-FRI", "2026-03-11 16:00")
    assert show(ledger, "HS-FRI", "2026-03-12 10:00")["notes"] == []


def test_the_sweep_flags_a_dossier_still_awaiting_after_fifteen_days(
    ledger: Runner, ledger_db: Ledger
) -> None:
    receive(ledger, "HS-1", "2026-03-02 09:00")
    receive(ledger, "HS-2", "2026-03-02 09:00")
    request(ledger, "HS-1", "2026-03-03 10:00")  # 03/03 + 15 = Wed 18/03, 17:00
    request(ledger, "HS-2", "2026-03-03 10:00")
    ok(ledger("dossier", "supplement-received", "HS-2", "--at", "2026-03-10 10:00"))
    # HS-2's new due time passes long before 19/03: only HS-1 is about a supplement
    before = ok(ledger("sweep", "--as-of", "2026-03-18 17:00")).out
    assert "Quá 15 ngày chưa bổ sung (xem xét kết thúc hồ sơ): 0\n" in before
    out = ok(ledger("sweep", "--as-of", "2026-03-18 17:01")).out
    assert "Quá 15 ngày chưa bổ sung (xem xét kết thúc hồ sơ): 1\n  HS-1\n" in out
    flags = query(ledger_db, "SELECT kind FROM sweep_flag ORDER BY kind")
    assert ("supplement_expired",) in flags
    letters_before = counts(ledger_db)["letter"]
    # no apology draft for it; the run counts it; a re-run adds nothing
    again = sweep_json(ledger, "2026-03-18 17:02")
    assert "HS-1" not in again["at_risk"] + again["overdue"] + again["late_without_apology"]
    assert (again["supplement_expired"], again["newly_flagged"]) == (["HS-1"], 0)
    assert counts(ledger_db)["letter"] == letters_before
    events = query(
        ledger_db,
        "SELECT e.new_value FROM dossier_event e JOIN dossier d ON d.id = e.dossier_id"
        " WHERE d.code = 'HS-1' AND e.kind = 'flagged'",
    )
    assert events == [("supplement_expired",)]
    runs = json.loads(ok(ledger("sweep", "history", "--json")).out)
    assert [r["supplement_expired"] for r in runs] == [1, 1, 0]
    notes = show(ledger, "HS-1", "2026-03-19 08:00")["notes"]
    assert notes == [
        "Quá 15 ngày chưa nhận đủ hồ sơ bổ sung (hết lúc 18/03/2026 17:00): xem xét kết thúc hồ sơ."
    ]
    assert show(ledger, "HS-2", "2026-03-19 08:00")["notes"] == []


def test_fifteen_days_ending_on_a_day_off_end_on_the_next_working_day(ledger: Runner) -> None:
    receive(ledger, "HS-1", "2026-03-04 09:00")
    request(ledger, "HS-1", "2026-03-06 10:00")  # 06/03 + 15 = Sat 21/03 → Mon 23/03 17:00
    assert "HS-1" not in ok(ledger("sweep", "--as-of", "2026-03-23 16:59")).out
    assert "  HS-1\n" in ok(ledger("sweep", "--as-of", "2026-03-23 17:01")).out


def test_a_dossier_closed_while_awaiting_is_not_flagged(ledger: Runner) -> None:
    receive(ledger, "HS-1", "2026-03-02 09:00")
    request(ledger, "HS-1", "2026-03-03 10:00")
    ok(ledger("dossier", "withdraw", "HS-1", "--at", "2026-03-10 10:00"))
    assert "HS-1" not in ok(ledger("sweep", "--as-of", "2026-03-20 00:30")).out
    assert show(ledger, "HS-1", "2026-03-20 00:30")["notes"] == []


def test_only_dossiers_under_nd_118_get_the_limits(ledger: Runner) -> None:
    # ND 118 is in force from 01/7/2025; a dossier received before follows ND 61
    receive(ledger, "HS-ND61", "2025-06-30 16:00")
    receive(ledger, "HS-ND118", "2025-07-01 08:00")
    for code in ("HS-ND61", "HS-ND118"):
        request(ledger, code, "2025-07-10 09:00")  # after 03 working days for both
    out = ok(ledger("sweep", "--as-of", "2025-08-30 00:30")).out
    assert "Quá 15 ngày chưa bổ sung (xem xét kết thúc hồ sơ): 1\n  HS-ND118\n" in out
    assert show(ledger, "HS-ND61", "2025-08-30 00:30")["notes"] == []
    assert len(show(ledger, "HS-ND118", "2025-08-30 00:30")["notes"]) == 2  # late, expired
