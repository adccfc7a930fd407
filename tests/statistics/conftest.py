"""A hand-computed ledger for the report month 2026-10 (15/09/2026 00:00 – 15/10/2026 00:00,
Vietnamese time), built once through the CLI with the clock pinned at Fri 27/11/2026 10:00.

Agency A works 07:00-11:30, 13:30-17:00; agency B 07:30-11:30, 13:00-17:00 (both 8 hours).
P3 = "3 ngày làm việc" (Cấp xã / Hộ tịch); P15 = "15 ngày" (Cấp tỉnh / Xây dựng). No holiday
falls between 07/09 and 15/10/2026. Every dossier below says where it ends the period and why;
the expected numbers in the tests are counted from this list by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends import Ledger, Ledgers
from tests.conftest import Runner, add_dossier, build_template, ok

AG_A = "XA-A"
AG_B = "PHUONG-B"
P3 = "1.001612"
P15 = "1.000015"
MONTH = "2026-10"

# code: (received, agency, procedure, channel) — then the actions, in order.
D_EARLY = "D01-EARLY"  # Mon 21/09 09:00 online, due Thu 24/09 09:00, done Wed 23/09 10:00
D_ON_TIME = "D02-ONTIME"  # Tue 22/09 09:00, due Fri 25/09 09:00, done exactly 09:00
D_LATE = "D03-LATE"  # Wed 23/09 09:00 postal, due Mon 28/09 09:00, done 09:01 (1 minute late)
D_SAME_DAY = "D04-SAMEDAY"  # Thu 24/09 09:00, due Tue 29/09 09:00, done Tue 29/09 08:00
D_CARRIED = "D05-CARRIED"  # Mon 07/09 09:00, due Thu 10/09 09:00, done Wed 16/09 09:00: late
D_BEFORE = "D06-BEFORE"  # Mon 07/09 10:00, done Mon 14/09 16:00: before the period, not counted
D_PENDING = "D07-PENDING"  # Tue 13/10 09:00 online, due Fri 16/10 09:00, done 16/10 08:00
D_OVERDUE = "D08-OVERDUE"  # Mon 05/10 09:00, due Thu 08/10 09:00, still open
D_WITHDRAWN = "D09-WITHDRAWN"  # Wed 30/09 09:00, withdrawn Thu 01/10 10:00
D_REFUSED = "D10-REFUSED"  # Thu 10/09 09:00 (carried over), refused Wed 16/09 10:00
D_STOPPED = "D11-STOPPED"  # Mon 12/10 09:00, due Thu 15/10 09:00, stopped Tue 20/10: pending
D_EXT_MET = "D12-EXTMET"  # Thu 01/10 09:00 online, due Tue 06/10 09:00; letter Mon 05/10
#   10:00 (on time), new due Fri 09/10 09:00; done Thu 08/10 15:00: late, met the new date
D_EXT_LATE = "D13-EXTLATE"  # Fri 02/10 09:00, due Wed 07/10 09:00; letter Wed 07/10 08:00
#   (late: its deadline was Tue 06/10), new due Mon 12/10 09:00; done Tue 13/10 10:00
D_SUPPLEMENT = "D14-SUPPL"  # Mon 28/09 09:00; supplement asked Tue 29/09 09:00, received
#   Mon 05/10 09:00: the limit restarts, due Thu 08/10 09:00; done Wed 07/10 16:00: early
D_OTHER_AGENCY = "D15-B"  # agency B, Mon 28/09 08:00 online, due Thu 01/10 08:00, done 08:00
D_PROVINCE = "D16-P15"  # P15, Mon 21/09 09:00, due Tue 06/10 17:00, done Tue 06/10 16:00
D_LAST_MINUTE = "D17-LASTMIN"  # Wed 14/10 23:30 local (16:30 UTC): in the period, pending
D_NEXT_PERIOD = "D18-NEXT"  # Thu 15/10 00:00 local (14/10 17:00 UTC): next period
D_FIRST_INSTANT = "D19-FIRST"  # Tue 15/09 00:00, counted from 07:00, due Thu 17/09 17:00;
#   done Wed 16/09 10:00: early
D_DONE_AT_END = "D20-ATEND"  # Mon 12/10 09:00, due Thu 15/10 09:00, done Thu 15/10 00:00:
#   the instant the period ends, so pending (within due) at its end

RECEIPTS = (
    (D_EARLY, "2026-09-21 09:00", AG_A, P3, "truc-tuyen"),
    (D_ON_TIME, "2026-09-22 09:00", AG_A, P3, "truc-tiep"),
    (D_LATE, "2026-09-23 09:00", AG_A, P3, "buu-chinh"),
    (D_SAME_DAY, "2026-09-24 09:00", AG_A, P3, "truc-tiep"),
    (D_CARRIED, "2026-09-07 09:00", AG_A, P3, "truc-tiep"),
    (D_BEFORE, "2026-09-07 10:00", AG_A, P3, "truc-tuyen"),
    (D_PENDING, "2026-10-13 09:00", AG_A, P3, "truc-tuyen"),
    (D_OVERDUE, "2026-10-05 09:00", AG_A, P3, "truc-tiep"),
    (D_WITHDRAWN, "2026-09-30 09:00", AG_A, P3, "truc-tiep"),
    (D_REFUSED, "2026-09-10 09:00", AG_A, P3, "truc-tiep"),
    (D_STOPPED, "2026-10-12 09:00", AG_A, P3, "truc-tiep"),
    (D_EXT_MET, "2026-10-01 09:00", AG_A, P3, "truc-tuyen"),
    (D_EXT_LATE, "2026-10-02 09:00", AG_A, P3, "truc-tiep"),
    (D_SUPPLEMENT, "2026-09-28 09:00", AG_A, P3, "truc-tiep"),
    (D_OTHER_AGENCY, "2026-09-28 08:00", AG_B, P3, "truc-tuyen"),
    (D_PROVINCE, "2026-09-21 09:00", AG_A, P15, "truc-tiep"),
    (D_LAST_MINUTE, "2026-10-14T16:30:00Z", AG_A, P3, "truc-tiep"),
    (D_NEXT_PERIOD, "2026-10-14T17:00:00Z", AG_A, P3, "truc-tiep"),
    (D_FIRST_INSTANT, "2026-09-15 00:00", AG_A, P3, "truc-tiep"),
    (D_DONE_AT_END, "2026-10-12 09:00", AG_A, P3, "truc-tiep"),
)

ACTIONS: tuple[tuple[str, ...], ...] = (
    ("dossier", "complete", D_EARLY, "--at", "2026-09-23 10:00"),
    ("dossier", "return", D_EARLY, "--at", "2026-09-24 10:00"),
    ("dossier", "complete", D_ON_TIME, "--at", "2026-09-25 09:00"),
    ("dossier", "complete", D_LATE, "--at", "2026-09-28 09:01"),
    ("dossier", "complete", D_SAME_DAY, "--at", "2026-09-29 08:00"),
    ("dossier", "complete", D_CARRIED, "--at", "2026-09-16 09:00"),
    ("dossier", "complete", D_BEFORE, "--at", "2026-09-14 16:00"),
    ("dossier", "complete", D_PENDING, "--at", "2026-10-16 08:00"),
    ("dossier", "withdraw", D_WITHDRAWN, "--at", "2026-10-01 10:00"),
    ("dossier", "refuse", D_REFUSED, "--at", "2026-09-16 10:00", "--reason", "Không đủ điều kiện"),
    ("dossier", "stop", D_STOPPED, "--at", "2026-10-20 10:00", "--reason", "Người dân đề nghị"),
    ("letters", "issue", D_EXT_MET, "--at", "2026-10-05 10:00", "--reason", "Chờ xác minh",
     "--new-due", "2026-10-09 09:00"),
    ("dossier", "complete", D_EXT_MET, "--at", "2026-10-08 15:00"),
    ("letters", "issue", D_EXT_LATE, "--at", "2026-10-07 08:00", "--reason", "Chờ xác minh",
     "--new-due", "2026-10-12 09:00"),
    ("dossier", "complete", D_EXT_LATE, "--at", "2026-10-13 10:00"),
    ("dossier", "supplement-request", D_SUPPLEMENT, "--at", "2026-09-29 09:00", "--reason",
     "Thiếu giấy tờ"),
    ("dossier", "supplement-received", D_SUPPLEMENT, "--at", "2026-10-05 09:00"),
    ("dossier", "complete", D_SUPPLEMENT, "--at", "2026-10-07 16:00"),
    ("dossier", "complete", D_OTHER_AGENCY, "--at", "2026-10-01 08:00"),
    ("dossier", "complete", D_PROVINCE, "--at", "2026-10-06 16:00"),
    ("dossier", "complete", D_FIRST_INSTANT, "--at", "2026-09-16 10:00"),
    ("dossier", "complete", D_DONE_AT_END, "--at", "2026-10-15 00:00"),
)  # fmt: skip

# The report month 2026-10, all agencies, counted by hand from the list above.
EXPECTED_TOTAL = {
    "received_total": 18,  # 16 received in the period + 2 carried over (D05, D10)
    "received_online": 4,  # D01, D07, D12, D15
    "received_direct_postal": 12,
    "carried_over": 2,
    "resolved_total": 11,
    "resolved_early": 3,  # D01, D14 (after the restart), D19
    "resolved_on_time": 4,  # D02 (at the due instant), D04, D15, D16
    "resolved_late": 4,  # D03 (one minute), D05, D12, D13 (against the original due time)
    "pending_total": 5,
    "pending_within_due": 4,  # D07, D11, D17, D20
    "pending_overdue": 1,  # D08
    "late_with_apology": 2,  # D12, D13
    "apology_late": 1,  # D13
    "late_without_apology": 3,  # D03, D05, D08
    "rescheduled_met_new_date": 1,  # D12
    "withdrawn_refused_stopped": 2,  # D09, D10 (D11 stopped after the period)
}
# Working time from receipt to finish of the 11 resolved, in hours: D01 17, D02 24, D03 24 h
# 1 min, D04 23, D05 56, D12 44, D13 57, D14 61, D15 24, D16 93, D19 11: 434 h 1 min.
PROCESSING_SECONDS = 434 * 3600 + 60


def _build(run: Runner) -> None:
    ok(run("agency", "add", AG_A, "--name", "ỦY BAN NHÂN DÂN XÃ A", "--place", "Thoại Giang"))
    ok(
        run(
            "agency", "add", AG_B, "--name", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG B",
            "--office-hours", "07:30-11:30,13:00-17:00",
        )
    )  # fmt: skip
    for code, name, field, level, limit in (
        (P3, "Đăng ký khai sinh", "Hộ tịch", "Cấp xã", "3 ngày làm việc"),
        (P15, "Cấp giấy phép xây dựng", "Xây dựng", "Cấp tỉnh", "15 ngày"),
    ):
        args = ("--name", name, "--field", field, "--level", level, "--limit", limit)
        ok(run("procedure", "add", code, *args))
    for code, received, agency, procedure, channel in RECEIPTS:
        add_dossier(run, code, received, agency=agency, procedure=procedure, channel=channel)
    for action in ACTIONS:
        if action[:2] == ("letters", "issue"):  # entered the day it bears (see test_letters)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("TTHC_NOW", action[action.index("--at") + 1])
                ok(run(*action))
        else:
            ok(run(*action))


@pytest.fixture(autouse=True)
def folders(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Letters and outbox under ``tmp_path``."""
    monkeypatch.setenv("TTHC_LETTERS_DIR", str(env / "letters"))
    monkeypatch.setenv("TTHC_OUTBOX_DIR", str(env / "outbox"))
    return env


@pytest.fixture(scope="session")
def stats_template(tmp_path_factory: pytest.TempPathFactory, backend: Ledgers) -> Ledger:
    with pytest.MonkeyPatch.context() as monkeypatch:
        folder = tmp_path_factory.mktemp("stats-letters")
        monkeypatch.setenv("TTHC_LETTERS_DIR", str(folder / "letters"))
        return build_template(tmp_path_factory, backend, None, _build)


@pytest.fixture
def stats_ledger(
    run: Runner, backend: Ledgers, ledger_db: Ledger, stats_template: Ledger
) -> Runner:
    """A copy of the hand-computed ledger."""
    backend.copy(stats_template, ledger_db)
    return run
