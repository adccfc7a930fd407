"""One month's Biểu 06 on a large SQLite ledger, against a load-everything baseline, in one run.

    python benchmarks/bench_statistics.py [--dossiers 1000000] [--month 2026-10] [--repeat 3]

Builds (once, cached under --dir) a ledger through the real migrations with the sample
agencies and procedures, then bulk-loads dossiers in the exact storage format: receipts spread
evenly from 01/01/2024 to 20/11/2026 in office hours, a mix of channels; 2 % withdrawn,
refused or stopped (with their closing event), the ones received in the last 60 days partly
still open, the rest completed (60 % also returned), about 10 % late; 1 % extended with an
issued apology letter. Then measures, for all agencies:

- ``stats (indexed records)``: tthc_tracker.services.statistics.compute — the slim union
  query (open, completed, returned, closed since the period's start) and the pure Biểu 06
  pass; best of ``--repeat``;
- ``baseline (load all, Python)``: every dossier, letter and closing event loaded through the
  repository (the ledger's ordinary list functions), turned into records and counted by the
  same pure pass.

Both must give the same report (exit code 1 otherwise).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select  # noqa: E402

from tthc_tracker.bootstrap import build, init_schema  # noqa: E402
from tthc_tracker.domain.dossier import CLOSED_WITHOUT_RESULT  # noqa: E402
from tthc_tracker.domain.letters import LetterStatus  # noqa: E402
from tthc_tracker.domain.periods import PeriodKind, parse_month  # noqa: E402
from tthc_tracker.domain.statistics import StatRecord, build_report  # noqa: E402
from tthc_tracker.domain.times import LOCAL_TZ  # noqa: E402
from tthc_tracker.services import demo, statistics  # noqa: E402
from tthc_tracker.storage.models import DossierEventRow, DossierRow  # noqa: E402
from tthc_tracker.storage.statistics import CLOSING_EVENTS  # noqa: E402

AS_OF = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
FORMAT = "%Y-%m-%d %H:%M:%S.%f"
FIRST_DAY = datetime(2024, 1, 1, tzinfo=LOCAL_TZ)
SPAN_DAYS = (datetime(2026, 11, 20, tzinfo=LOCAL_TZ) - FIRST_DAY).days
CHANNELS = ("truc-tiep", "truc-tuyen", "truc-tuyen", "buu-chinh")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FORMAT)


def _dossier(rng: random.Random, number: int) -> tuple[datetime, datetime, str, datetime | None]:
    """(received, due, status, finished or closed) of one generated dossier."""
    day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
    received = day + timedelta(hours=7, minutes=rng.randrange(600))
    due = received + timedelta(days=rng.choice((1, 3, 5, 7, 15)))
    draw = rng.random()
    if draw < 0.02:
        return received, due, rng.choice(sorted(CLOSED_WITHOUT_RESULT)).value, due
    if received > AS_OF - timedelta(days=60) and draw < 0.5:
        return received, due, rng.choice(("in_progress", "in_progress", "paused")), None
    late = rng.random() < 0.1
    finished = due + timedelta(hours=rng.randrange(1, 200)) if late else due - timedelta(hours=2)
    return received, due, "returned" if rng.random() < 0.6 else "completed", finished


def generate(path: Path, total: int, seed: int) -> None:
    os.environ["TTHC_NOW"] = AS_OF.isoformat()
    app = build(f"sqlite:///{path}", schema_required=False)
    init_schema(app)
    demo.load_catalogue(app.db, app.settings.data_dir, AS_OF)
    app.close()
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    procs = db.execute("SELECT id, agency_id FROM procedure WHERE agency_id IS NOT NULL").fetchall()
    now_text = utc_text(AS_OF)
    rows, events, letters = [], [], []
    for number in range(1, total + 1):
        proc_id, agency_id = procs[rng.randrange(len(procs))]
        received, due, status, ended = _dossier(rng, number)
        completed = ended if status in ("completed", "returned") else None
        returned = ended + timedelta(hours=1) if status == "returned" and ended else None
        extended = status in ("completed", "returned") and rng.random() < 0.01
        rows.append(
            (f"H01-{number:09d}", proc_id, agency_id, agency_id, agency_id, f"Người nộp {number}",
             rng.choice(CHANNELS), utc_text(received), utc_text(due),
             utc_text(due + timedelta(days=3)) if extended else utc_text(due), status,
             utc_text(completed) if completed else None, utc_text(returned) if returned else None,
             int(extended), now_text, now_text)
        )  # fmt: skip
        events.append((number, 1, "received", utc_text(received), now_text))
        if status in CLOSING_EVENTS or status == "stopped":
            events.append((number, 2, status, utc_text(ended or due), now_text))
        if extended:
            issued = due - timedelta(days=rng.choice((0, 1, 2)))
            late_letter = int(issued.date() >= due.date())
            new_due = utc_text(due + timedelta(days=3))
            letters.append(
                (number, agency_id, new_due, utc_text(due), utc_text(issued), late_letter, now_text)
            )
    db.executemany(
        "INSERT INTO dossier (code, procedure_id, receiving_agency_id, processing_agency_id,"
        " returning_agency_id, applicant_name, applicant_kind, id_number, address, phone,"
        " email, summary, channel, received_at, original_due_at, due_at, status, completed_at,"
        " returned_at, supplement_requests, extended, version, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,'ca-nhan','','','','','',?,?,?,?,?,?,?,0,?,1,?,?)",
        rows,
    )
    db.executemany(
        "INSERT INTO dossier_event (dossier_id, seq, kind, at, recorded_at, actor, field,"
        " reason) VALUES (?,?,?,?,?,'bench','','')",
        events,
    )
    db.executemany(
        "INSERT INTO letter (dossier_id, agency_id, status, year, number, number_text, reason,"
        " new_due_at, original_due_at, late, issued_at, template, created_at, created_by)"
        " VALUES (?,?,'issued',2026,NULL,'01/PXL','bench',?,?,?,?,'',?,'bench')",
        [(d, a, new, orig, late, issued, now) for d, a, new, orig, issued, late, now in letters],
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()


def baseline(url: str, month: str) -> object:
    """Load every dossier, letter and closing event, then count in Python."""
    app = build(url)
    period = parse_month(month, PeriodKind.REPORT)
    calendars = app.calendars
    with app.db.transaction() as repo:
        agencies = {a.code: calendars.for_agency(a) for a in repo.list_agencies()}
        procedures = {p.code: p for p in repo.list_procedures()}
        letters = {
            letter.dossier_code: letter
            for letter in repo.workflow.list_letters(LetterStatus.ISSUED)
        }
        closing = repo.session.exec(
            select(DossierRow.code, DossierEventRow.at)
            .join(DossierEventRow, col(DossierEventRow.dossier_id) == DossierRow.id)
            .where(col(DossierEventRow.kind).in_(CLOSING_EVENTS))
        )
        closed_at = dict(closing.all())
        records = []
        for d in repo.list_dossiers(ordered=False):
            procedure = procedures[d.procedure_code]
            letter = letters.get(d.code)
            records.append(
                StatRecord(
                    d.code, procedure.name, procedure.field, procedure.level,
                    d.processing_agency, d.applicant_name, d.channel, d.received_at,
                    d.original_due_at, d.due_at, d.status, d.completed_at, d.returned_at,
                    closed_at.get(d.code), d.extended,
                    letter.number_text if letter else None,
                    letter.issued_at if letter else None,
                    bool(letter and letter.late),
                    letter.new_due_at if letter else None,
                )
            )  # fmt: skip
    report = build_report(records, period, agencies)
    app.close()
    return report


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tthc-bench-stats"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    pristine = args.dir / f"ledger-{args.dossiers}.db"
    if not pristine.exists():
        started = time.perf_counter()
        generate(pristine, args.dossiers, args.seed)
        print(f"generated {pristine} in {time.perf_counter() - started:.1f} s")
    work = args.dir / "work.db"
    shutil.copyfile(pristine, work)
    url = f"sqlite:///{work}"
    os.environ["TTHC_NOW"] = AS_OF.isoformat()
    init_schema(build(url, schema_required=False))  # a ledger cached by an older version
    app = build(url)
    calendars = app.calendars
    period = parse_month(args.month, PeriodKind.REPORT)
    runs = [
        timed(lambda: statistics.compute(app.db, calendars, period)) for _ in range(args.repeat)
    ]
    fast_s, fast = min(runs, key=lambda r: r[0])
    app.close()
    slow_s, slow = timed(lambda: baseline(url, args.month))
    total = fast.total
    print(f"\n{args.dossiers:,} dossiers; report month {args.month} ({period.dates_text()})")
    print(
        f"{'method':<30} {'seconds':>8} {'received':>9} {'resolved':>9} {'pending':>8} {'late':>6}"
    )
    for name, seconds, report in (
        ("stats (indexed records)", fast_s, fast),
        ("baseline (load all, Python)", slow_s, slow),
    ):
        t = report.total  # type: ignore[attr-defined]
        print(
            f"{name:<30} {seconds:8.2f} {t.received_total:9,} {t.resolved_total:9,} "
            f"{t.pending_total:8,} {len(report.late):6,}"  # type: ignore[attr-defined]
        )
    print(f"speed-up: {slow_s / fast_s:.1f}x; identity holds: {total.identity_holds()}")
    if fast != slow:
        print("MISMATCH: the two methods disagree")
        sys.exit(1)
    print("goal one month, all agencies <= 2 s:", "met" if fast_s <= 2 else "NOT met")


if __name__ == "__main__":
    main()
