"""Robustness with real processes on one SQLite file (issues 4 and 5): a sweep killed with
SIGKILL in the middle of its writes, a real scheduler firing a near-future sweep and stopped
with SIGTERM, two letter issuers at once, awkward characters in a letter, and the late flag
exactly at the apology deadline.

HS codes are received Wed 04/03/2026 09:00 with 3 working days: due Mon 09/03 09:00, apology
deadline Fri 06/03 (XA-A, lead 1) or Thu 05/03 (HCC-B, lead 2).
"""

from __future__ import annotations

import email
import email.policy
import importlib.util
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time as clock
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok, show_json
from tests.workflow.conftest import (
    AG_A,
    AG_B,
    SetNow,
    counts,
    issue_json,
    query,
    receive,
    sweep_json,
    tthc_argv,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]
REASON = "Chờ kết quả xác minh của Công an xã"
NEW_DUE = "2026-03-12 09:00"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def document_text(path: Path) -> str:
    """Every paragraph of a .docx, the table cells included, one per line."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def wait_for(condition: Any, timeout: float, what: str, child: subprocess.Popen[bytes]) -> Any:
    """Poll ``condition()`` until it is truthy; the child must stay alive meanwhile."""
    deadline = clock.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if child.poll() is not None:
            out, err = child.communicate()
            pytest.fail(f"{what}: the child exited {child.returncode}\n{out!r}\n{err!r}")
        if clock.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        clock.sleep(0.005)


def stop(child: subprocess.Popen[bytes]) -> None:
    """Clean-up: a child still alive when a test fails is killed; each child is reaped and its
    pipes closed."""
    if child.poll() is None:
        child.kill()
    child.communicate(timeout=10)


# --- 1. a sweep killed with SIGKILL in the middle of its writes ------------------------------


def bench_sweep() -> ModuleType:
    """``benchmarks/bench_sweep.py``: its ``generate`` bulk-loads dossiers in the storage format."""
    spec = importlib.util.spec_from_file_location("bench_sweep", ROOT / "benchmarks/bench_sweep.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wal_size(db_path: Path) -> int:
    try:
        return os.path.getsize(f"{db_path}-wal")
    except FileNotFoundError:
        return 0


def run_outcomes(db_path: Path) -> list[str]:
    connection = sqlite3.connect(db_path, timeout=10)
    try:
        return [row[0] for row in connection.execute("SELECT outcome FROM sweep_run ORDER BY id")]
    finally:
        connection.close()


DOSSIERS = 40_000
OVERDUE = 20_000  # dossiers 1..OVERDUE passed their due time during the last day


@pytest.mark.slow
@pytest.mark.sqlite_only  # kills a writer mid-transaction on a SQLite file (WAL)
def test_a_sweep_killed_mid_write_leaves_nothing_and_a_rerun_completes(
    run: Runner, ledger_db: Ledger, db_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = bench_sweep()
    monkeypatch.setenv("TTHC_NOW", bench.AS_OF.isoformat())  # generate() sets it: restored
    bench.generate(db_path, DOSSIERS, OVERDUE, OVERDUE, seed=4)
    as_of = bench.AS_OF.isoformat()
    child = subprocess.Popen(
        tthc_argv(db_url, "sweep", "--as-of", as_of, "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ,
    )
    try:
        # The run is recorded "running" (committed) before its one big write transaction; once
        # the write-ahead log grows past that, uncommitted flags, events and drafts are being
        # spilled to it: kill the process there, as a power cut would.
        wait_for(lambda: run_outcomes(db_path) == ["running"], 60, "run recorded", child)
        started = wal_size(db_path)
        wait_for(lambda: wal_size(db_path) > started + 64 * 1024, 60, "writes under way", child)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
    finally:
        stop(child)
    assert child.returncode == -signal.SIGKILL  # it was killed, not finished
    killed = counts(ledger_db)
    assert query(ledger_db, "PRAGMA integrity_check") == [("ok",)]

    runs = json.loads(ok(run("sweep", "history", "--json")).out)
    assert [(r["outcome"], r["trigger"], r["finished_at"]) for r in runs] == [
        ("running", "manual", None)
    ]
    text = ok(run("sweep", "history")).out
    assert "chạy tay  đang chạy" in text  # the text names the run's state in Vietnamese
    assert "running" not in text and "manual" not in text

    data = sweep_json(run, as_of)
    found = counts(ledger_db)
    flags = len(data["at_risk"]) + len(data["overdue"]) + len(data["late_without_apology"])
    drafts = len(data["at_risk"]) + len(data["overdue"])
    assert found["sweep_flag"] == found["flagged_events"] == flags
    assert found["letter"] == drafts
    # Nothing in between: the killed run wrote all of it (killed after its commit) or nothing.
    part = (killed["sweep_flag"], killed["flagged_events"], killed["letter"])
    assert part in {(0, 0, 0), (flags, flags, drafts)}, part
    newly = flags if part[0] == 0 else 0
    assert (data["newly_flagged"], data["drafts_created"]) == (newly, drafts if newly else 0)
    # The rule's answer, independently of the sweep: dossiers 1..OVERDUE are overdue.
    assert sorted(int(code.rsplit("-", 1)[1]) for code in data["overdue"]) == list(
        range(1, OVERDUE + 1)
    )
    # Exactly once: one flag per dossier and kind, one event per flag, one draft per dossier.
    assert query(
        ledger_db, "SELECT count(*) FROM (SELECT DISTINCT dossier_id, kind, due_at FROM sweep_flag)"
    ) == [(flags,)]
    assert query(ledger_db, "SELECT count(DISTINCT dossier_id) FROM letter") == [(drafts,)]
    assert query(
        ledger_db,
        "SELECT dossier_id, new_value FROM dossier_event WHERE kind = 'flagged' ORDER BY 1, 2",
    ) == query(ledger_db, "SELECT dossier_id, kind FROM sweep_flag ORDER BY 1, 2")
    assert sorted(
        r[0]
        for r in query(
            ledger_db, "SELECT d.code FROM letter l JOIN dossier d ON d.id = l.dossier_id"
        )
    ) == sorted(data["at_risk"] + data["overdue"])
    runs = json.loads(ok(run("sweep", "history", "--json")).out)
    assert [r["outcome"] for r in runs] == ["ok", "running"]

    again = sweep_json(run, as_of)
    assert (again["newly_flagged"], again["drafts_created"]) == (0, 0)
    assert counts(ledger_db) == {**found, "sweep_run": found["sweep_run"] + 1}


# --- 2. the real scheduler fires a near-future sweep, then stops on SIGTERM -----------------


@pytest.mark.slow
def test_a_real_scheduler_fires_a_near_future_sweep_and_stops_on_sigterm(
    ledger: Runner, ledger_db: Ledger, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(ledger, "HS-1")
    # The child runs on the real clock (APScheduler fires on it, and app.clock() follows).
    monkeypatch.delenv("TTHC_NOW")
    # A successful run now covers the last slot of any time of day: no catch-up at start.
    ok(ledger("sweep", "--json"))
    fire = (datetime.now(VN) + timedelta(seconds=4)).replace(microsecond=0)
    digest_at = fire + timedelta(hours=12)
    child = subprocess.Popen(
        tthc_argv(
            db_url,
            "scheduler", "run",
            "--sweep-at", f"{fire:%H:%M:%S}",
            "--digest-at", f"{digest_at:%H:%M}",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:

        def scheduled() -> list[tuple[Any, ...]]:
            return query(
                ledger_db,
                "SELECT as_of FROM sweep_run WHERE trigger = 'scheduled' AND outcome = 'ok'",
            )

        holder = f"{socket.gethostname()}:{child.pid}"
        wait_for(
            lambda: query(ledger_db, "SELECT holder FROM lease") == [(holder,)], 20, "lease", child
        )
        assert datetime.now(VN) < fire, "the scheduler started after its trigger time"
        wait_for(scheduled, 20, "the scheduled sweep", child)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=10)
    finally:
        stop(child)
    text, errors = out.decode(), err.decode()
    assert child.returncode == 0, (text, errors)
    assert errors == ""
    assert "Bù lượt" not in text  # no catch-up
    assert f"rà soát {fire:%H:%M}" in text
    # The job's report, printed before stopping: the manual run a moment ago left it nothing new.
    assert "Rà soát: " in text and "; 0 cảnh báo mới, 0 dự thảo mới." in text
    assert "Nhận tín hiệu SIGTERM: dừng sau việc đang chạy." in text
    assert text.rstrip().endswith("Đã dừng bộ lập lịch.")
    assert query(ledger_db, "SELECT count(*) FROM lease") == [(0,)]
    runs = json.loads(ok(ledger("sweep", "history", "--json")).out)
    assert [(r["trigger"], r["outcome"]) for r in runs] == [("scheduled", "ok"), ("manual", "ok")]
    as_of = datetime.fromisoformat(runs[0]["as_of"])
    assert fire <= as_of < fire + timedelta(seconds=10)  # the real clock, not TTHC_NOW


# --- 3. two letter issuers at once ---------------------------------------------------------

ISSUER = """
import json, sys, time
from pathlib import Path
from tthc_tracker.cli import main

db, ready, go, *codes = sys.argv[1:]
Path(ready).touch()
deadline = time.monotonic() + 60
while not Path(go).exists():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.002)
for code in codes:
    try:
        main(["--db", db, "letters", "issue", code, "--reason", {reason!r},
              "--new-due", {new_due!r}, "--at", "2026-03-06 10:00", "--json"])
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            sys.exit(exit_.code)
"""


def issuers(tmp_path: Path, db_url: str, batches: list[list[str]]) -> list[tuple[int, str, str]]:
    """Run one issuing process per batch, all released at the same instant once imported."""
    script = tmp_path / "issuer.py"
    script.write_text(ISSUER.format(reason=REASON, new_due=NEW_DUE), encoding="utf-8")
    go = tmp_path / "go"
    go.unlink(missing_ok=True)
    children = []
    for index, codes in enumerate(batches):
        ready = tmp_path / f"ready-{index}"
        ready.unlink(missing_ok=True)
        argv = [sys.executable, str(script), db_url, str(ready), str(go), *codes]
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        children.append((child, ready))
    try:
        for child, ready in children:
            wait_for(ready.exists, 60, "issuer ready", child)
        go.touch()
        results = []
        for child, _ready in children:
            out, err = child.communicate(timeout=120)
            results.append((child.returncode, out.decode(), err.decode()))
    finally:
        for child, _ready in children:
            stop(child)
    return results


def json_values(text: str) -> Iterator[dict[str, Any]]:
    decoder = json.JSONDecoder()
    text = text.strip()
    while text:
        value, end = decoder.raw_decode(text)
        yield value
        text = text[end:].strip()


@pytest.mark.slow
def test_two_concurrent_issuers_number_gaplessly_and_uniquely(
    ledger: Runner, ledger_db: Ledger, db_url: str, env: Path
) -> None:
    codes = [f"HS-{i:02d}" for i in range(1, 21)]
    for code in codes:
        receive(ledger, code)
    data = sweep_json(ledger, "2026-03-06 00:30")
    assert (data["at_risk"], data["drafts_created"]) == (codes, 20)
    results = issuers(env, db_url, [codes[0::2], codes[1::2]])
    for exit_code, out, err in results:
        assert exit_code == 0, (out, err)
        assert err == ""
    numbers = sorted(v["number"] for _c, out, _e in results for v in json_values(out))
    assert numbers == [f"{n:02d}/PXL" for n in range(1, 21)]
    rows = query(
        ledger_db,
        "SELECT d.code, l.status, l.year, l.number, l.number_text FROM letter l"
        " JOIN dossier d ON d.id = l.dossier_id JOIN agency a ON a.id = l.agency_id"
        " WHERE a.code = ? ORDER BY l.number",
        AG_A,
    )
    assert [r[3] for r in rows] == list(range(1, 21))  # gapless, unique
    assert [r[4] for r in rows] == [f"{n:02d}/PXL" for n in range(1, 21)]
    assert {r[1] for r in rows} == {"issued"} and {r[2] for r in rows} == {2026}
    assert sorted(r[0] for r in rows) == codes  # one issued letter per dossier
    assert query(ledger_db, "SELECT last_number FROM letter_counter") == [(20,)]
    for code in codes:
        events = [e["kind"] for e in show_json(ledger, code)["events"]]
        assert events.count("extended") == 1, code
    files = sorted(p.name for p in (env / "letters" / AG_A / "2026").iterdir())
    assert [name[:3] for name in files] == [f"{n:02d}-" for n in range(1, 21)]
    report = json.loads(ok(ledger("letters", "verify", "--json")).out)
    assert len(report) == 20 and all(r["ok"] for r in report)
    ok(ledger("letters", "verify"))


@pytest.mark.slow
def test_two_issuers_of_the_same_dossier_one_wins_and_no_number_is_lost(
    ledger: Runner, ledger_db: Ledger, db_url: str, env: Path
) -> None:
    for code in ("HS-X", "HS-Y"):
        receive(ledger, code)
    results = issuers(env, db_url, [["HS-X"], ["HS-X"]])
    assert sorted(code for code, _out, _err in results) == [0, 1], results
    [(_, won, _)] = [r for r in results if r[0] == 0]
    [(_, _, lost)] = [r for r in results if r[0] == 1]
    assert [v["number"] for v in json_values(won)] == ["01/PXL"]
    assert lost.startswith("Lỗi: ") and "HS-X" in lost and "01/PXL" in lost, lost
    assert "Traceback" not in lost
    assert query(ledger_db, "SELECT last_number FROM letter_counter") == [(1,)]
    assert [p.name[:3] for p in (env / "letters" / AG_A / "2026").iterdir()] == ["01-"]
    events = [e["kind"] for e in show_json(ledger, "HS-X")["events"]]
    assert events.count("extended") == 1
    assert issue_json(ledger, "HS-Y", "--reason", REASON, "--new-due", NEW_DUE)["number"] == (
        "02/PXL"
    )
    ok(ledger("letters", "verify"))


# --- 4. awkward characters in a letter -------------------------------------------------------

NAME = 'Trần Thị "Bé" & Lê Văn <Tí> O\'Brien'
ODD_REASON = 'Chờ "Công an xã" xác minh giấy tờ <bản sao> & bản chính của ông Đặng O\'Neil >2 lần'


@pytest.mark.parametrize(
    ("agency", "template"), [(AG_A, "tt03-2025"), (AG_B, "cong-van"), ("XA-C", "tt01-2018")]
)
def test_ampersands_brackets_quotes_and_nfd_come_out_literally_in_nfc(
    ledger: Runner, env: Path, agency: str, template: str
) -> None:
    assert nfd(NAME) != NAME and nfd(ODD_REASON) != ODD_REASON  # decomposed input
    if agency == "XA-C":
        ok(
            ledger(
                "agency", "add", agency, "--name", "Ủy ban nhân dân xã Vĩnh Trạch",
                "--parent", "UBND tỉnh An Giang", "--place", "Vĩnh Trạch",
                "--letter-template", template,
            )
        )  # fmt: skip
    receive(ledger, "HS-1", agency=agency, applicant=nfd(NAME))
    data = issue_json(
        ledger, "HS-1", "--reason", nfd(ODD_REASON), "--new-due", NEW_DUE,
        "--at", "2026-03-06 10:00",
    )  # fmt: skip
    text = document_text(Path(data["path"]))
    assert text == nfc(text)
    for expected in (NAME, ODD_REASON + "."):
        assert expected in text, expected
    for escaped in ("&amp;", "&lt;", "&gt;", "&quot;", "&#"):
        assert escaped not in text
    [letter] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert (letter["reason"], letter["template"]) == (ODD_REASON, template)
    assert show_json(ledger, "HS-1")["applicant_name"] == NAME
    # The notice kept in the outbox (no SMTP) says the same.
    [eml] = sorted((env / "outbox").rglob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    notice = body.get_content()
    assert NAME in notice and ODD_REASON in notice


# --- 5. the late flag exactly at the apology deadline --------------------------------------


@pytest.mark.parametrize("via", ["--at", "TTHC_NOW"])
@pytest.mark.parametrize(
    ("agency", "moment", "late"),
    [
        (AG_A, "2026-03-06 23:59", False),  # Fri: the apology deadline date itself
        (AG_A, "2026-03-06 23:59:59", False),
        (AG_A, "2026-03-07 00:00", True),  # Sat: the next day, from local midnight
        (AG_A, "2026-03-06T16:59:59Z", False),  # 23:59:59 in Việt Nam
        (AG_A, "2026-03-06T17:00:00Z", True),  # 00:00 on Sat 07/03 in Việt Nam
        (AG_B, "2026-03-05 23:59", False),  # lead of two working days: Thu 05/03
        (AG_B, "2026-03-06 00:00", True),
    ],
)
def test_late_exactly_at_the_apology_deadline_boundary(
    ledger: Runner, set_now: SetNow, agency: str, moment: str, late: bool, via: str
) -> None:
    data = receive(ledger, "HS-1", agency=agency)
    assert data["due_at"] == "2026-03-09T09:00:00+07:00"
    deadline = "2026-03-06" if agency == AG_A else "2026-03-05"
    args: tuple[str, ...] = ("--reason", REASON, "--new-due", NEW_DUE)
    set_now(moment)  # entered the moment it bears: a later entry is late (test_letters)
    if via == "--at":
        args += ("--at", moment)
    result = ok(ledger("letters", "issue", "HS-1", *args))
    assert ("muộn" in result.out) is late, result.out
    [letter] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert (letter["late"], letter["apology_deadline"]) == (late, deadline)
    issued_on = datetime.fromisoformat(letter["issued_at"]).astimezone(VN).date()
    assert (issued_on.isoformat() > deadline) is late


def test_a_future_issue_instant_is_refused_and_takes_no_number(
    ledger: Runner, set_now: SetNow, ledger_db: Ledger
) -> None:
    receive(ledger, "HS-1")
    set_now("2026-03-06 23:59")
    fails(
        ledger("letters", "issue", "HS-1", "--reason", REASON, "--new-due", NEW_DUE,
               "--at", "2026-03-07 00:00"),
        "--at",
    )  # fmt: skip
    assert counts(ledger_db)["letter"] == 0
    assert query(ledger_db, "SELECT count(*) FROM letter_counter WHERE last_number > 0") == [(0,)]
