"""Nightly sweep on a large SQLite ledger, against a naive baseline, in one run.

    python benchmarks/bench_sweep.py [--dossiers 1000000] [--open 300000] [--overdue 10000]
        [--awaiting 10000]

Builds (once, cached under --dir) a ledger through the real migrations, with the sample
agencies and procedures, then bulk-loads dossiers in the exact storage format (UTC text
'YYYY-MM-DD HH:MM:SS.ffffff'): ``--open`` in progress of which ``--overdue`` passed their due
time during the last day, the others due over the next 60 days; ``--awaiting`` more awaiting
a supplement asked 1–30 days ago (about half past the applicant's 15 days); the rest
finished, 5 % of them late without a letter. Then measures:

- ``sweep (first run)``: tthc_tracker.services.sweep.sweep — flags, events, drafts written;
- ``sweep (second run)``: the same instant again — nothing new to write;
- ``naive baseline``: every open dossier loaded as an ORM object and tested in Python with
  the same rule (classify), no writes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tthc_tracker.bootstrap import App, build, init_schema  # noqa: E402
from tthc_tracker.domain.dossier import Status  # noqa: E402
from tthc_tracker.domain.sweep import classify  # noqa: E402
from tthc_tracker.services import demo, sweep  # noqa: E402

AS_OF = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # 00:30 on 28/11 in Vietnam
FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FORMAT)


def generate(
    path: Path, total: int, open_count: int, overdue: int, seed: int, awaiting: int = 0
) -> None:
    """A ledger of ``total`` dossiers in the storage format, through the real schema."""
    os.environ["TTHC_NOW"] = AS_OF.isoformat()
    app = build(f"sqlite:///{path}", schema_required=False)
    init_schema(app)
    demo.load_catalogue(app.db, app.settings.data_dir, AS_OF)
    app.close()
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    agencies = db.execute("SELECT id FROM agency").fetchall()
    procedures = db.execute("SELECT id, agency_id FROM procedure WHERE agency_id IS NOT NULL")
    procs = procedures.fetchall()
    now_text = utc_text(AS_OF)
    rows, events = [], []
    for number in range(1, total + 1):
        proc_id, agency_id = procs[rng.randrange(len(procs))]
        if number <= overdue:
            due = AS_OF - timedelta(seconds=rng.randrange(1, 86_400))
            status, finished = "in_progress", None
        elif number <= open_count:
            due = AS_OF + timedelta(seconds=rng.randrange(60, 60 * 86_400))
            status, finished = "in_progress", None
        elif number <= open_count + awaiting:
            asked = AS_OF - timedelta(seconds=rng.randrange(86_400, 30 * 86_400))
            due = asked + timedelta(days=2)  # the clock stopped before this
            status, finished = "awaiting_supplement", None
            events.append((number, 2, "supplement_requested", utc_text(asked), now_text, "bench"))
        else:
            due = AS_OF - timedelta(days=rng.randrange(1, 900))
            late = rng.random() < 0.05
            finished = due + timedelta(hours=5) if late else due - timedelta(hours=5)
            status = "returned"
        received = due - timedelta(days=3)
        rows.append(
            (
                f"000.00.{agency_id:02d}.H01-{number:09d}",
                proc_id,
                agencies[0][0],
                agency_id,
                agencies[0][0],
                f"Người nộp {number}",
                "ca-nhan",
                "",
                "",
                "",
                "",
                "",
                "truc-tiep",
                utc_text(received),
                utc_text(due),
                utc_text(due),
                status,
                utc_text(finished) if finished else None,
                utc_text(finished) if finished else None,
                1 if status == "awaiting_supplement" else 0,
                0,
                1,
                now_text,
                now_text,
            )
        )
        events.append((number, 1, "received", utc_text(received), now_text, "bench"))
    db.executemany(
        "INSERT INTO dossier (code, procedure_id, receiving_agency_id, processing_agency_id,"
        " returning_agency_id, applicant_name, applicant_kind, id_number, address, phone,"
        " email, summary, channel, received_at, original_due_at, due_at, status,"
        " completed_at, returned_at, supplement_requests, extended, version, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.executemany(
        "INSERT INTO dossier_event (dossier_id, seq, kind, at, recorded_at, actor, field,"
        " reason) VALUES (?,?,?,?,?,?,'','')",
        events,
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()


def naive(url: str) -> int:
    """The baseline: every open dossier as an ORM object, each tested in Python."""
    app = build(url)
    calendars = app.calendars
    with app.db.transaction() as repo:
        agencies = {a.code: a for a in repo.list_agencies()}
        found = 0
        for dossier in repo.list_dossiers([Status.IN_PROGRESS]):
            agency = agencies[dossier.processing_agency]
            calendar = calendars.for_agency(agency)
            if classify(dossier, calendar, AS_OF, agency.apology_lead_days, False) is not None:
                found += 1
    app.close()
    return found


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, value) of one call."""
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def sweeper(app: App) -> Callable[[], sweep.SweepResult]:
    """The sweep as the scheduler runs it, at the benchmark's instant (also bench_province)."""
    return lambda: sweep.sweep(app.db, app.calendars, AS_OF, "bench", lambda: AS_OF)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=300_000)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--awaiting", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tthc-bench-sweep"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    name = f"ledger-{args.dossiers}-{args.open}-{args.overdue}-{args.awaiting}.db"
    pristine = args.dir / name
    if not pristine.exists():
        started = time.perf_counter()
        generate(pristine, args.dossiers, args.open, args.overdue, args.seed, args.awaiting)
        print(f"generated {pristine} in {time.perf_counter() - started:.1f} s")
    work = args.dir / "work.db"
    shutil.copyfile(pristine, work)
    url = f"sqlite:///{work}"
    os.environ["TTHC_NOW"] = AS_OF.isoformat()
    app = build(url)
    run = sweeper(app)
    first_s, first = timed(run)
    second_s, second = timed(run)
    app.close()
    naive_s, naive_found = timed(lambda: naive(url))
    print(
        f"\n{args.dossiers:,} dossiers, {args.open:,} open, {args.overdue:,} newly overdue,"
        f" {args.awaiting:,} awaiting a supplement"
    )
    print(f"{'method':<22} {'seconds':>8} {'flags':>8} {'new':>7} {'drafts':>7} {'vs naive':>9}")
    for name, seconds, result in (
        ("sweep (first run)", first_s, first),
        ("sweep (second run)", second_s, second),
    ):
        flags = len(result.at_risk) + len(result.overdue) + len(result.late_without_apology)
        flags += len(result.supplement_expired)
        print(
            f"{name:<22} {seconds:8.2f} {flags:8,} {result.newly_flagged:7,} "
            f"{result.drafts_created:7,} {naive_s / seconds:8.1f}x"
        )
    print(
        f"{'naive baseline (open)':<22} {naive_s:8.2f} {naive_found:8,} {'-':>7} {'-':>7} "
        f"{1.0:8.1f}x"
    )
    open_flags = len(first.at_risk) + len(first.overdue)
    if open_flags != naive_found:
        print(f"MISMATCH: sweep found {open_flags} open flags, naive {naive_found}")
        sys.exit(1)
    print(
        "goals: first run <= 5 s:",
        "met" if first_s <= 5 else "NOT met",
        "| second run <= 1 s:",
        "met" if second_s <= 1 else "NOT met",
    )


if __name__ == "__main__":
    main()
