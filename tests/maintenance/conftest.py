"""A realistic ledger for the `tthc db …` tests, built once per backend through the CLI.

On top of the seeded catalogue (two agencies, four procedures): dossiers through every kind
of step (complete, return, supplement request and receipt, pause and resume, withdrawal),
two issued apology letters (one per agency, so two counters and two .docx files), a sweep
that flags an overdue dossier and drafts its letter, a calendar edit (which recomputes the
open dossiers) and a frozen Biểu 06 report. The clock stays at Fri 27/11/2026 10:00.

The letters of the template are written to a folder of the session; a test that alters a
letter file first points the letter at a copy of its own (``own_letter_files``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.backends import Ledger, Ledgers
from tests.conftest import (
    AGENCY_LATE,
    P_15_DAYS,
    P_HALF_DAY,
    P_SAME_DAY,
    MakeLedger,
    Runner,
    add_dossier,
    build_template,
    ok,
)

REASON = "Hồ sơ cần xác minh thêm tại Công an xã"

# Every table of a ledger: what "the data are equal" compares.
ALL_TABLES = (
    "agency",
    "procedure",
    "dossier",
    "dossier_event",
    "calendar_edit",
    "letter",
    "letter_counter",
    "sweep_flag",
    "sweep_run",
    "lease",
    "stats_snapshot",
    "alembic_version",
)


@pytest.fixture(autouse=True)
def folders(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Letters and the outbox of the commands a test runs go under its ``tmp_path``."""
    monkeypatch.setenv("TTHC_LETTERS_DIR", str(env / "letters"))
    monkeypatch.setenv("TTHC_OUTBOX_DIR", str(env / "outbox"))
    monkeypatch.delenv("TTHC_SMTP_HOST", raising=False)
    return env


def _build(run: Runner) -> None:
    add_dossier(run, "HS-01", "2026-03-04 09:00")  # 3 working days: due Mon 09/03 09:00
    issue = ("--reason", REASON, "--new-due", "2026-03-12 09:00", "--at", "2026-03-06 10:00")
    ok(run("letters", "issue", "HS-01", *issue))
    ok(run("dossier", "complete", "HS-01", "--at", "2026-03-11 10:00"))
    ok(run("dossier", "return", "HS-01", "--at", "2026-03-12 08:00"))

    add_dossier(run, "HS-02", "2026-03-05 09:00", agency=AGENCY_LATE, applicant="Trần Thị Lý")
    request = ("--at", "2026-03-06 09:00", "--reason", "Thiếu bản sao giấy khai sinh")
    ok(run("dossier", "supplement-request", "HS-02", *request))
    ok(run("dossier", "supplement-received", "HS-02", "--at", "2026-03-09 09:00"))
    late = ("--reason", REASON, "--new-due", "2026-03-17 09:00", "--at", "2026-03-11 10:00")
    ok(run("letters", "issue", "HS-02", *late))

    add_dossier(run, "HS-03", "2026-11-02 14:00", procedure=P_SAME_DAY, channel="truc-tuyen")
    ok(run("dossier", "complete", "HS-03", "--at", "2026-11-02 16:00"))

    add_dossier(
        run, "HS-04", "2026-11-16 09:00", procedure=P_15_DAYS, applicant="Công ty Ánh Dương"
    )
    ok(run("dossier", "pause", "HS-04", "--at", "2026-11-17 09:00", "--reason", "Chờ thẩm định"))
    ok(run("dossier", "resume", "HS-04", "--at", "2026-11-19 09:00"))

    add_dossier(run, "HS-05", "2026-11-23 09:00")
    ok(run("dossier", "withdraw", "HS-05", "--at", "2026-11-23 10:00"))

    add_dossier(run, "HS-06", "2026-11-10 09:00", procedure=P_HALF_DAY)  # open and overdue
    ok(run("sweep", "--as-of", "2026-11-25 08:00"))
    ok(run("calendar", "add-off", "2026-12-31", "--reason", "Nghỉ bù theo TB 01/TB-UBND"))
    ok(run("stats", "freeze", "2026-10"))


@pytest.fixture(scope="session")
def ledger_template(
    tmp_path_factory: pytest.TempPathFactory, backend: Ledgers, seeded_template: Ledger
) -> Ledger:
    files = tmp_path_factory.mktemp("ledger-files")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("TTHC_LETTERS_DIR", str(files / "letters"))
        monkeypatch.setenv("TTHC_OUTBOX_DIR", str(files / "outbox"))
        monkeypatch.delenv("TTHC_SMTP_HOST", raising=False)
        return build_template(tmp_path_factory, backend, seeded_template, _build)


@pytest.fixture
def ledger(run: Runner, backend: Ledgers, ledger_db: Ledger, ledger_template: Ledger) -> Runner:
    """This test's copy of the realistic ledger."""
    backend.copy(ledger_template, ledger_db)
    return run


def dump(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order (comparable across backends)."""
    found = {}
    for table in ALL_TABLES:
        rows = ledger.query(f'SELECT * FROM "{table}"')
        found[table] = sorted(rows, key=lambda row: tuple(str(v) for v in row))
    return found


def own_letter_files(ledger: Ledger, folder: Path) -> list[Path]:
    """Copy the ledger's letter files into ``folder`` and point the letters at the copies."""
    copies = []
    for letter_id, path in ledger.query(
        "SELECT id, path FROM letter WHERE path IS NOT NULL ORDER BY id"
    ):
        copy = folder / "own-letters" / Path(path).name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        ledger.execute(f"UPDATE letter SET path = '{copy}' WHERE id = {letter_id}")
        copies.append(copy)
    return copies


@pytest.fixture
def other_db(make_ledger: MakeLedger) -> Ledger:
    """A second, empty database of the same backend (dropped after the test)."""
    return make_ledger()
