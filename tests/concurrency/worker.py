"""One process of the stress test: a clerk, a sweep or a letter issuer on a shared ledger.

Run as ``python -m tests.concurrency.worker ROLE INDEX DB_URL FOLDER`` (``ROLE``: clerk,
sweep or issuer). The process imports the CLI and runs one read to load its libraries, says it
is ready (``FOLDER/ready-NAME``),
waits for ``FOLDER/go`` so that all processes start together, then runs its commands through
``tthc_tracker.cli.main`` exactly as the ``tthc`` console script does. Each command is logged
to ``FOLDER/log-NAME.jsonl`` with its exit code, output and error output: the test decides from
these logs which writes were acknowledged. Sweeps and issuers go on until ``FOLDER/stop``
appears (the clerks are done) or their round limit is reached. The clock is pinned by
``TTHC_NOW`` and the actor set by ``TTHC_ACTOR`` in the environment the test gives.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from tthc_tracker.cli import main
from tthc_tracker.storage import db

SHARED = ("S-1", "S-2", "S-3")
"""Dossiers every clerk pauses and resumes: the test receives them before the start."""
SHARED_ROUNDS = 2
REASON = "Chờ kết quả xác minh"
NEW_DUE = "29/12/2026 09:00"
AGENCIES = ("UBND-A", "PHUONG-B")
OWN = (
    # (procedure, received, steps) with the clock at Fri 27/11/2026 10:00 (24/11 is off):
    ("1.001612", "20/11/2026 08:00", ()),  # 3 working days: overdue, left open for the issuers
    ("2.000884", "26/11/2026 09:00", ("complete", "return")),  # same day: finished late
    ("1.000005", "27/11/2026 08:00", ("pause", "resume")),  # half a day: due today, at risk
    ("1.001612", "25/11/2026 14:00", ("supplement-request", "supplement-received")),
)
MAX_ROUNDS = 40
LOCK_TIMEOUT_ENV = "TTHC_STRESS_LOCK_TIMEOUT"
WAIT_FOR_GO = 120.0


def clerk_code(clerk: int, index: int) -> str:
    return f"C{clerk:02d}-{index}"


class Retries(logging.Handler):
    """Counts the retries that tthc_tracker.storage.db logs (they are silent otherwise)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.details: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.details.append(record.getMessage())


class Worker:
    def __init__(self, name: str, db_url: str, folder: Path) -> None:
        self.name = name
        self.db_url = db_url
        self.folder = folder
        self.log = (folder / f"log-{name}.jsonl").open("a", encoding="utf-8")
        self.retries = Retries()
        logger = logging.getLogger("tthc_tracker.storage.db")
        logger.addHandler(self.retries)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    def tthc(self, *args: str, log: bool = True) -> dict[str, Any]:
        """One command, in this process, as the console script runs it; logged."""
        out, err = io.StringIO(), io.StringIO()
        code: object = None
        crash = ""
        before = len(self.retries.details)
        started = time.monotonic()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(["--db", self.db_url, *args])
            except SystemExit as exit_:
                code = exit_.code
            except BaseException:  # a bug: the test fails on it
                crash = traceback.format_exc()
                code = -1
        entry = {
            "args": list(args),
            "code": 0 if code is None else code,
            "out": out.getvalue(),
            "err": err.getvalue(),
            "crash": crash,
            "seconds": round(time.monotonic() - started, 3),
            "retries": self.retries.details[before:],
        }
        if log:
            self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.log.flush()
        return entry

    def stopped(self) -> bool:
        return (self.folder / "stop").exists()

    def rounds(self, least: int) -> Iterator[int]:
        """At least ``least`` rounds, then until the clerks are done (bounded)."""
        for number in range(MAX_ROUNDS):
            if number >= least and self.stopped():
                return
            yield number


def clerk(worker: Worker, index: int) -> None:
    """Receive own dossiers, take them through their steps, and pause/resume shared ones."""
    rng = random.Random(index)
    for i, (procedure, received, _steps) in enumerate(OWN):
        worker.tthc(
            "dossier", "add", clerk_code(index, i),
            "--procedure", procedure,
            "--agency", AGENCIES[(index + i) % 2],
            "--applicant", f"Nguyễn Văn Thư {index}-{i}",
            "--received", received,
            "--channel", "truc-tiep",
            "--json",
        )  # fmt: skip
    pending = {i: list(steps) for i, (_p, _r, steps) in enumerate(OWN) if steps}
    shared = [SHARED[(index + r) % len(SHARED)] for r in range(SHARED_ROUNDS)]
    while pending or shared:
        if shared and (not pending or rng.random() < 0.4):
            code = shared.pop()
            worker.tthc("dossier", "pause", code, "--reason", f"tạm dừng của {worker.name}")
            worker.tthc("dossier", "resume", code)
            continue
        i = rng.choice(sorted(pending))
        step = pending[i].pop(0)
        if not pending[i]:
            del pending[i]
        reason = ("--reason", "bổ sung giấy tờ") if step in ("pause", "supplement-request") else ()
        worker.tthc("dossier", step, clerk_code(index, i), *reason, "--json")


def sweep(worker: Worker, index: int) -> None:
    rng = random.Random(100 + index)
    for _ in worker.rounds(least=3):
        worker.tthc("sweep", "--json")
        time.sleep(rng.uniform(0.2, 0.8))


def issuer(worker: Worker, index: int) -> None:
    """Draft letters for overdue dossiers and issue the drafts (both issuers go for the same)."""
    rng = random.Random(200 + index)
    for _ in worker.rounds(least=3):
        listed = worker.tthc("letters", "list", "--status", "draft", "--json")
        drafts = [d["dossier"] for d in json.loads(listed["out"])] if listed["code"] == 0 else []
        rng.shuffle(drafts)
        for code in drafts[:2]:
            worker.tthc(
                "letters", "issue", code, "--reason", REASON, "--new-due", NEW_DUE, "--json"
            )
        worker.tthc("letters", "draft", clerk_code(rng.randrange(12), rng.choice((0, 2))))
        time.sleep(rng.uniform(0.1, 0.5))


ROLES = {"clerk": clerk, "sweep": sweep, "issuer": issuer}


def run(role: str, index: int, db_url: str, folder: Path) -> None:
    name = f"{role}-{index:02d}"
    # A short lock wait makes conflicts happen under this load: retried, or reported busy.
    db.LOCK_TIMEOUT = float(os.environ.get(LOCK_TIMEOUT_ENV, db.LOCK_TIMEOUT))
    worker = Worker(name, db_url, folder)
    # The first command imports the database and calendar libraries: not part of the race
    # (all sixteen start at once, so with a short lock wait it may have to be repeated).
    for _ in range(50):
        warm_up = worker.tthc("dossier", "show", SHARED[0], "--json", log=False)
        if warm_up["code"] == 0:
            break
    else:
        sys.exit(f"{name}: warm-up failed: {warm_up}")
    (folder / f"ready-{name}").touch()
    deadline = time.monotonic() + WAIT_FOR_GO
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            sys.exit(f"{name}: no go within {WAIT_FOR_GO} s")
        time.sleep(0.005)
    ROLES[role](worker, index)
    worker.log.close()


if __name__ == "__main__":
    role_, index_, db_url_, folder_ = sys.argv[1:]
    run(role_, int(index_), db_url_, Path(folder_))
