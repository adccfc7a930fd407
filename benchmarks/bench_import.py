"""Import of a large dossier CSV, beside ``sqlite-utils insert --csv`` of the same file.

    python benchmarks/bench_import.py [--rows 1000000] [--dir /tmp/tthc-bench-import]
                                      [--skip-sqlite-utils]

Generates once (cached under --dir) a CSV with the national portal's column names (MaHoSo,
MaTTHC, DonViXuLy, DonViTiepNhan, ChuHoSo, SoDinhDanh, DiaChi, SoDienThoai, TrichYeuHoSo,
KenhThucHien, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, TrangThaiHoSo) for the
sample catalogue in ``data/``: receipts over 01/01/2024 – 20/11/2026 in and around office
hours, about 25 % still in progress, 10 % completed, 65 % returned; NgayHenTra as the old
system computed it (3 % disagree with our engine by a day). Then, in the same run:

- ``tthc import dossiers``: ``services.imports.read_dossier_file`` + ``import_dossiers``
  in-process, into a fresh ledger built by the migrations with the sample catalogue (every
  line validated, due times computed, dossiers and their events written in one transaction);
- ``sqlite-utils insert --csv``: the sqlite-utils CLI loading the same file into a scratch
  table of a scratch database (no validation, no due time).

A sample of imported dossiers is checked against the scalar engine (``compute_deadline``).
The import's time is split into phases (wall and CPU seconds) by wrapping some of its
functions for the run (``Phases``); the code under test is not changed.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tthc_tracker.bootstrap import build, init_schema  # noqa: E402
from tthc_tracker.domain.bulk_due import receipt_due_bulk  # noqa: E402
from tthc_tracker.domain.deadline import compute_deadline  # noqa: E402
from tthc_tracker.domain.times import LOCAL_TZ  # noqa: E402
from tthc_tracker.services import bulk_imports, catalog, demo, imports  # noqa: E402
from tthc_tracker.storage import bulk_dossiers  # noqa: E402

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)
FIRST = date(2024, 1, 1)
LAST = date(2026, 11, 20)
HEADER = [
    "MaHoSo", "MaTTHC", "DonViXuLy", "DonViTiepNhan", "ChuHoSo", "SoDinhDanh", "DiaChi",
    "SoDienThoai", "TrichYeuHoSo", "KenhThucHien", "NgayTiepNhan", "NgayHenTra",
    "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo",
]  # fmt: skip
HAMLETS = ("Ấp Trung Bình", "Ấp Tây Bình", "Khóm Đông Thịnh", "Ấp Hòa Tây", "Khóm Bình Khánh")
PLACES = ("xã Thoại Giang, tỉnh An Giang", "phường Long Xuyên, tỉnh An Giang")


def ledger(path: Path) -> None:
    """A fresh ledger through the real migrations with the sample agencies and procedures."""
    os.environ["TTHC_NOW"] = NOW.isoformat()
    app = build(f"sqlite:///{path}", schema_required=False)
    init_schema(app)
    demo.load_catalogue(app.db, app.settings.data_dir, NOW)
    app.close()


def _local(epoch: int, seconds: bool = True) -> str:
    moment = datetime.fromtimestamp(epoch, LOCAL_TZ)
    return moment.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def generate(path: Path, ledger_path: Path, rows: int, seed: int) -> None:
    """The CSV: ``rows`` dossiers for the sample catalogue, in DVCQG column names."""
    rng = random.Random(seed)
    app = build(f"sqlite:///{ledger_path}")
    procedures = [p for p in catalog.list_procedures(app.db) if p.agency_code]
    agencies = {a.code: a for a in catalog.list_agencies(app.db)}
    days = [FIRST + timedelta(days=d) for d in range((LAST - FIRST).days + 1)]
    workdays = [d for d in days if app.calendars.base.is_working_day(d)]
    picks = [rng.randrange(len(procedures)) for _ in range(rows)]
    received = np.array(
        [
            int(datetime.combine(rng.choice(workdays), datetime.min.time(), LOCAL_TZ).timestamp())
            + rng.randrange(6 * 3600 + 1800, 17 * 3600 + 1800)
            for _ in range(rows)
        ],
        dtype=np.int64,
    )
    due = np.zeros(rows, dtype=np.int64)
    groups: dict[int, list[int]] = {}
    for row, pick in enumerate(picks):
        groups.setdefault(pick, []).append(row)
    for pick, members in groups.items():
        procedure = procedures[pick]
        calendar = app.calendars.for_agency(agencies[procedure.agency_code or ""])
        index = np.array(members)
        due[index], _ = receipt_due_bulk(
            calendar, procedure.limit, procedure.cutoff, received[index]
        )
    app.close()
    now = int(NOW.timestamp())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in range(rows):
            procedure = procedures[picks[row]]
            writer.writerow(_line(rng, row, procedure, int(received[row]), int(due[row]), now))


def _line(
    rng: random.Random, row: int, procedure: object, received: int, due: int, now: int
) -> list[str]:
    agency = procedure.agency_code  # type: ignore[attr-defined]
    declared = due + 86400 if rng.random() < 0.03 else due
    roll = rng.random()
    completed = returned = ""
    status = "4"
    finish = received + rng.randrange(3600, 12 * 86400)
    if roll >= 0.25 and finish <= now:
        completed = _local(finish)
        status = "9"
        back = finish + rng.randrange(600, 3 * 86400)
        if roll >= 0.35 and back <= now:
            returned, status = _local(back), "10"
    family, middle, given = rng.choice(demo.FAMILY), rng.choice(demo.MIDDLE), rng.choice(demo.GIVEN)
    day = datetime.fromtimestamp(received, LOCAL_TZ).strftime("%y%m%d")
    return [
        f"000.00.{sum(map(ord, agency)) % 90 + 10:02d}.H01-{day}-{row:07d}",
        procedure.code,  # type: ignore[attr-defined]
        agency,
        "HCC-AG" if rng.random() < 0.2 else agency,
        f"{family} {middle} {given}",
        f"0{rng.randrange(10**10, 10**11)}",
        f"{rng.choice(HAMLETS)}, {rng.choice(PLACES)}",
        f"09{rng.randrange(10**8):08d}",
        procedure.name[:80],  # type: ignore[attr-defined]
        rng.choice("1222223"),
        _local(received),
        _local(declared),
        completed,
        returned,
        status,
    ]


class Phases:
    """Wall and CPU seconds spent in some functions of the import, found by wrapping them for
    the run (the code under test is not changed): where the time goes."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, attribute: str, name: str | None = None) -> None:
        original = getattr(owner, attribute)

        def timed(*args: object, **kwargs: object) -> object:
            key = name or f"{attribute}:{args[1]}"  # _executemany(connection, table, …)
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.wall[key] += time.perf_counter() - wall
                self.cpu[key] += time.process_time() - cpu

        self._undo.append((owner, attribute, original))
        setattr(owner, attribute, timed)

    def undo(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)

    def table(self, total_wall: float, total_cpu: float) -> list[tuple[str, float, float]]:
        w, c = self.wall, self.cpu

        def row(label: str, plus: list[str], minus: list[str] = []) -> tuple[str, float, float]:  # noqa: B006 - read only
            return (label, sum(w[k] for k in plus) - sum(w[k] for k in minus),
                    sum(c[k] for k in plus) - sum(c[k] for k in minus))  # fmt: skip

        w["rows"] = w["rows:dossier"] + w["rows:dossier_event"]
        c["rows"] = c["rows:dossier"] + c["rows:dossier_event"]
        sqlite = ["_executemany:dossier", "_executemany:dossier_event", "wait"]
        rows = [
            row("read the file (read_table: decode, NFC, csv, TCVN3/VNI check)", ["file"]),
            row("read the lines (column reader; parse_dossier for the others)", ["lines"]),
            row("sort out (catalogue, codes in the ledger, due times per calendar)", ["sort"]),
            row("exact path (lines the bulk path leaves, one savepoint each)", ["exact"]),
            row("build the columns (ids, events, search text)", ["write"],
                [*sqlite, "rows:dossier_event"]),
            row("rows as stored text and tuples", ["rows"]),
            row("SQLite: insert the dossiers (8 indexes)", ["_executemany:dossier"],
                ["rows:dossier"]),
            row("SQLite: insert the events (2 indexes)", ["_executemany:dossier_event"]),
            row("SQLite: full-text index (a thread, beside the events' building): wait",
                ["wait"]),
            row("SQLite: commit (WAL, then its checkpoint)", ["commit"]),
            row("results returned to the CLI", ["results"]),
        ]  # fmt: skip
        rest = (total_wall - sum(r[1] for r in rows), total_cpu - sum(r[2] for r in rows))
        return [*rows, ("other (transaction, checks, sorting results)", *rest)]


def instrument(phases: Phases) -> None:
    phases.wrap(imports, "read_dossier_file", "file")
    phases.wrap(bulk_imports, "read_lines", "lines")
    phases.wrap(bulk_imports, "sort_out", "sort")
    phases.wrap(imports, "_write_each", "exact")
    phases.wrap(bulk_imports, "write", "write")
    phases.wrap(bulk_imports, "results", "results")
    phases.wrap(bulk_dossiers._Indexing, "wait", "wait")
    phases.wrap(bulk_dossiers, "_executemany")
    phases.wrap(Session, "commit", "commit")
    original_rows = bulk_dossiers._rows

    def rows(names: tuple[str, ...], columns: object, stored: bool) -> object:
        key = "rows:dossier" if "code" in names else "rows:dossier_event"
        wall, cpu = time.perf_counter(), time.process_time()
        made = original_rows(names, columns, stored)  # type: ignore[arg-type]
        phases.wall[key] += time.perf_counter() - wall
        phases.cpu[key] += time.process_time() - cpu
        return made if isinstance(made, list) else timed_chunks(key, made)

    def timed_chunks(key: str, chunks: Iterator[object]) -> Iterator[object]:
        while True:  # the chunks are made lazily: time each one
            wall, cpu = time.perf_counter(), time.process_time()
            chunk = next(chunks, None)
            phases.wall[key] += time.perf_counter() - wall
            phases.cpu[key] += time.process_time() - cpu
            if chunk is None:
                return
            yield chunk

    phases._undo.append((bulk_dossiers, "_rows", original_rows))
    bulk_dossiers._rows = rows  # type: ignore[assignment]


def import_file(
    ledger_path: Path, csv_path: Path, phases: Phases
) -> tuple[float, float, int, int, int]:
    """(seconds importing, CPU seconds, added, errors, discrepancies), in-process."""
    os.environ["TTHC_NOW"] = NOW.isoformat()
    app = build(f"sqlite:///{ledger_path}")
    calendars = app.calendars  # built before the clock starts, as the CLI has it on start-up
    instrument(phases)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        source = imports.read_dossier_file(csv_path)
        results, errors = imports.import_dossiers(
            app.db, calendars, source, actor="bench", now=NOW.astimezone(UTC)
        )
    finally:
        total_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        phases.undo()
    check(app, results)
    app.close()
    declared = sum(1 for r in results if r.declared_due_at is not None)
    return total_s, cpu_s, len(results), len(errors), declared


def check(app: object, results: list[bulk_imports.ImportedDossier], sample: int = 2000) -> None:
    """A sample of imported due times against the scalar engine (exit 1 on a mismatch)."""
    rng = random.Random(7)
    with app.db.transaction() as repo:  # type: ignore[attr-defined]
        for result in rng.sample(results, min(sample, len(results))):
            dossier = repo.get_dossier(result.code)
            procedure = repo.get_procedure(dossier.procedure_code)
            calendar = app.calendars.for_agency(repo.get_agency(dossier.processing_agency))  # type: ignore[attr-defined]
            expected = compute_deadline(
                calendar, procedure.limit, dossier.received_at, [], procedure.cutoff
            ).legal_due_at
            if expected != dossier.due_at or dossier.due_at != result.due_at:
                print(f"MISMATCH {result.code}: {dossier.due_at} != {expected}")
                sys.exit(1)


def sqlite_utils_insert(csv_path: Path, scratch: Path) -> float:
    """``sqlite-utils insert SCRATCH dossiers FILE --csv`` (its CLI, as a user runs it)."""
    scratch.unlink(missing_ok=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "sqlite_utils", "insert", str(scratch), "dossiers"]
    subprocess.run([*command, str(csv_path), "--csv"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tthc-bench-import"))
    parser.add_argument("--skip-sqlite-utils", action="store_true")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    pristine = args.dir / "ledger.db"
    if not pristine.exists():
        ledger(pristine)
    else:  # a cached ledger from an older version: upgraded as `tthc init` would
        app = build(f"sqlite:///{pristine}", schema_required=False)
        init_schema(app)
        app.close()
    csv_path = args.dir / f"ho-so-{args.rows}-{args.seed}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        generate(csv_path, pristine, args.rows, args.seed)
        print(f"generated {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    work = args.dir / "work.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, work)
    load_before = os.getloadavg()[0]
    phases = Phases()
    total_s, cpu_s, added, errors, declared = import_file(work, csv_path, phases)
    load_after = os.getloadavg()[0]
    rows = [("tthc import dossiers", total_s, added)]
    if not args.skip_sqlite_utils:
        rows.append(
            (
                "sqlite-utils insert --csv",
                sqlite_utils_insert(csv_path, args.dir / "scratch.db"),
                args.rows,
            )
        )
    with sqlite3.connect(work) as db:
        events = db.execute("SELECT count(*) FROM dossier_event").fetchone()[0]
    print(f"\n{args.rows:,} lines; {added:,} dossiers and {events:,} events written; "
          f"{errors} errors; {declared:,} declared due times kept beside ours")  # fmt: skip
    print(f"{'method':<28} {'seconds':>8} {'rows/s':>9}")
    for name, seconds, count in rows:
        print(f"{name:<28} {seconds:8.1f} {count / seconds:9,.0f}")
    print(f"\nwhere the import's time goes (CPU: this process, all threads; total {cpu_s:.1f} s)")
    print(f"{'phase':<68} {'wall s':>7} {'CPU s':>7}")
    for name, wall, cpu in phases.table(total_s, cpu_s):
        print(f"{name:<68} {wall:7.1f} {cpu:7.1f}")
    print(f"\ngoal >= 50,000 rows/s: {'met' if added / total_s >= 50_000 else 'NOT met'}")
    print(f"load average (1 min): {load_before:.2f} before the import, {load_after:.2f} after")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the import's process: {peak:,.0f} MiB")
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")  # fmt: skip


if __name__ == "__main__":
    main()
