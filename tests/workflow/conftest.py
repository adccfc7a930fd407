"""Fixtures of the workflow tests (sweep, letters, digests, scheduler).

They build on ``tests/conftest.py``: a real SQLite file in ``tmp_path`` created with
``tthc init``, the clock pinned with ``TTHC_NOW`` (Fri 27/11/2026 10:00 unless a test says
otherwise), the actor with ``TTHC_ACTOR``. Letters and digests go to folders in ``tmp_path``.

Dates used throughout (2026): Wed 04/03 09:00 + 3 working days = Mon 09/03 09:00, whose
apology deadline is Fri 06/03 (the last working day before the due date); with a lead of two
working days it is Thu 05/03.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.backends import Ledger
from tests.conftest import Runner, add_dossier, ok

AG_A = "XA-A"  # lead time 1 working day, suffix PXL
AG_B = "HCC-B"  # lead time 2 working days, suffix HCC-HCTH
EMAIL_A = "vanphong@xa-a.gov.vn"
EMAIL_B = "hcc@hcc-b.gov.vn"
P3 = "1.001612"  # "3 ngày làm việc"
P2 = "1.000002"  # "2 ngày làm việc"
APPLICANT = "Nguyễn Thị Hoa"

WORKFLOW_TABLES = ("sweep_flag", "letter", "letter_counter", "dossier_event", "sweep_run")

SetNow = Callable[[str], None]


@pytest.fixture(autouse=True)
def folders(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Letters and outbox under ``tmp_path``; no SMTP unless a test configures it."""
    monkeypatch.setenv("TTHC_LETTERS_DIR", str(env / "letters"))
    monkeypatch.setenv("TTHC_OUTBOX_DIR", str(env / "outbox"))
    for name in (
        "TTHC_SMTP_HOST",
        "TTHC_SMTP_PORT",
        "TTHC_SMTP_FROM",
        "TTHC_SMTP_USER",
        "TTHC_SMTP_PASSWORD",
        "TTHC_SMTP_STARTTLS",
    ):
        monkeypatch.delenv(name, raising=False)
    return env


@pytest.fixture
def set_now(monkeypatch: pytest.MonkeyPatch) -> SetNow:
    """Pin the clock (``TTHC_NOW``) to another instant."""

    def _set(when: str) -> None:
        monkeypatch.setenv("TTHC_NOW", when)

    return _set


@pytest.fixture
def ledger(initialised: Runner) -> Runner:
    """Two agencies (different lead times, suffixes, e-mails) and two procedures."""
    run = initialised
    ok(
        run(
            "agency", "add", AG_A,
            "--name", "Ủy ban nhân dân xã Thoại Giang",
            "--parent", "UBND tỉnh An Giang",
            "--place", "Thoại Giang",
            "--signer-title", "Chủ tịch",
            "--signer-name", "Huỳnh Thị Ngọc Hân",
            "--email", EMAIL_A,
        )
    )  # fmt: skip
    ok(
        run(
            "agency", "add", AG_B,
            "--name", "Trung tâm Phục vụ hành chính công tỉnh",
            "--parent", "UBND tỉnh An Giang",
            "--place", "Long Xuyên",
            "--letter-suffix", "HCC-HCTH",
            "--apology-lead-days", "2",
            "--letter-template", "cong-van",
            "--email", EMAIL_B,
        )
    )  # fmt: skip
    for code, name, limit in (
        (P3, "Đăng ký khai sinh", "3 ngày làm việc"),
        (P2, "Cấp bản sao trích lục hộ tịch", "2 ngày làm việc"),
    ):
        ok(run("procedure", "add", code, "--name", name, "--field", "Hộ tịch", "--limit", limit))
    return run


def receive(
    run: Runner,
    code: str,
    received: str = "2026-03-04 09:00",
    *,
    agency: str = AG_A,
    procedure: str = P3,
    applicant: str = APPLICANT,
) -> dict[str, Any]:
    return add_dossier(run, code, received, agency=agency, procedure=procedure, applicant=applicant)


def sweep_json(run: Runner, as_of: str, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("sweep", "--as-of", as_of, "--json", *extra)).out)
    return data


def issue_json(run: Runner, code: str, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("letters", "issue", code, *args, "--json")).out)
    return data


def query(ledger_db: Ledger, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Plain SQL on either backend; ``?`` placeholders take ``params`` in order."""
    pieces = sql.split("?")
    named = pieces[0] + "".join(f":p{i}{rest}" for i, rest in enumerate(pieces[1:]))
    return ledger_db.query(named, {f"p{i}": value for i, value in enumerate(params)})


def counts(ledger_db: Ledger) -> dict[str, int]:
    """Rows of the workflow tables, and the ``flagged`` events among the dossier events."""
    found = {
        table: query(ledger_db, f'SELECT count(*) FROM "{table}"')[0][0]
        for table in WORKFLOW_TABLES
    }
    found["flagged_events"] = query(
        ledger_db, "SELECT count(*) FROM dossier_event WHERE kind = 'flagged'"
    )[0][0]
    return found


def tthc_argv(db_url: str, *args: str) -> list[str]:
    """The real command in a child process (``python -m tthc_tracker``)."""
    return [sys.executable, "-m", "tthc_tracker", "--db", db_url, *args]
