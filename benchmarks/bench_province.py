"""Province scale: a 10,000,000-dossier ledger on SQLite and on PostgreSQL, each beside a baseline.

    python benchmarks/bench_province.py [--dossiers 10000000] [--backends sqlite,postgresql]
        [--dir /tmp/tthc-province] [--pg-url URL] [--pg-settings …] [--clerks 16]
        [--clerk-seconds 30] [--build-only]

The ledger is made once and cached (``province_ledger``): ``bench_sweep.generate`` (the real
migrations, the sample catalogue, rows bulk-loaded in the storage format; ``--open`` in
progress, ``--overdue`` of them past their due time during the last day) stopped at migration
0003 as ``bench_search`` does, realistic Vietnamese names and phones from ``bench_search``,
then the real upgrade to head (search text, full-text index). That SQLite file is the source of
the PostgreSQL ledger: an empty database gets its schema from ``tthc init``, then every table's
rows are copied with COPY (psycopg 3 ``cursor.copy``), the secondary indexes set aside during
the copy and built again from their own definitions, then VACUUM ANALYZE. Both backends hold
the same rows.

Each run works on a fresh copy (a file copy; ``CREATE DATABASE … TEMPLATE``) and times, through
the product's service functions (the code the CLI runs), each beside a baseline:

- nightly sweep, first run, second run at once, third run after ANALYZE
  (``services.sweep.sweep``) — baseline: every open dossier loaded and classified in Python
  (``bench_sweep.naive``);
- one month's statistics (``services.statistics.compute``) — baseline: one SQL GROUP BY
  counting the month's receipts per agency (one column of the form, raw driver);
- lookup by code (``services.ledger.show_dossier``, what ``tthc dossier show`` prints) —
  baseline: ``SELECT * FROM dossier WHERE code = ?`` through the raw driver;
- search by name (``services.ledger.search_dossiers``, 20 results) — baseline: the
  ``search_text LIKE`` statement, latest first, 20 rows, through the raw driver;
- ``--clerks`` processes (``province_clerks``) adding dossiers for ``--clerk-seconds`` through
  ``services.ledger.add_dossier`` — baseline: the same processes inserting a dossier and its
  event per transaction through the raw driver (no validation, no due time computed).

Checks (exit code 1 when one fails): the sweep's open flags equal the naive baseline's; every
dossier a clerk was told was added is in the ledger; with both backends, the sweep and the
month's report are identical on both.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics as stats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench_search  # noqa: E402
import bench_sweep  # noqa: E402
from province_clerks import Clerks, run_clerks  # noqa: E402
from province_ledger import (  # noqa: E402
    Raw,
    Shape,
    admin,
    drop_copy,
    fresh_copy,
    postgres_ledger,
    sqlite_ledger,
)

from tthc_tracker.bootstrap import build  # noqa: E402
from tthc_tracker.domain.periods import PeriodKind, parse_month  # noqa: E402
from tthc_tracker.services import ledger  # noqa: E402
from tthc_tracker.services import statistics as month_stats  # noqa: E402

AS_OF = bench_sweep.AS_OF  # 00:30 on 28/11/2026 in Vietnam: the nightly sweep's instant
DEFAULT_PG = "postgresql+psycopg://postgres@/tthc_province?host=/tmp/pgdev&port=5433"
GOALS = {"sweep": 10.0, "stats": 5.0, "lookup_ms": 5.0, "clerks_pg": 500.0}
RECOMMENDED = "jit=off,timezone=UTC,synchronous_commit=on"
"""Per-database settings recommended for a province (docs/deployment.md): JIT compiling costs
more than it saves on the statistics query; UTC sessions let the driver hand back UTC times
without a time-zone conversion per value; commits durable (the development server has
synchronous_commit off)."""
PG_SETTINGS = (
    "shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "TimeZone",
    "max_connections", "synchronous_commit", "random_page_cost", "jit", "max_wal_size",
)  # fmt: skip


# -- measurements -------------------------------------------------------------------------------


@dataclass
class Row:
    task: str
    unit: str
    product: float
    baseline_name: str
    baseline: float
    goal: str = ""
    met: bool | None = None
    detail: str = ""


@dataclass
class Outcome:
    backend: str
    rows: list[Row] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    sweep_counts: dict[str, int] = field(default_factory=dict)
    report: object = None


timed = bench_sweep.timed


def p95(values: Sequence[float]) -> float:
    return bench_search.p95(list(values))


def measure_sweep(url: str, out: Outcome) -> None:
    """First run (everything new), second run at once (nothing new), third run after the
    tables the first run filled were analysed, as autovacuum does within a minute or so on
    PostgreSQL (the next night's case: without it, plans made for empty tables are used)."""
    app = build(url)
    run = bench_sweep.sweeper(app)
    first_s, first = timed(run)
    second_s, second = timed(run)
    raw = Raw(url)
    for table in ("sweep_flag", "letter", "dossier_event"):
        raw.run(f"ANALYZE {table}")
    raw.close()
    third_s, third = timed(run)
    app.close()
    naive_s, naive_found = timed(lambda: bench_sweep.naive(url))
    flags = len(first.at_risk) + len(first.overdue) + len(first.late_without_apology)
    goal = GOALS["sweep"]
    base = "naive: open dossiers loaded, classified in Python"
    for name, seconds, detail in (
        ("sweep, first run", first_s,
         f"{flags:,} flags, {first.newly_flagged:,} new, {first.drafts_created:,} drafts"),
        ("sweep, second run (at once)", second_s, f"{second.newly_flagged:,} new"),
        ("sweep, third run (after ANALYZE)", third_s, f"{third.newly_flagged:,} new"),
    ):  # fmt: skip
        out.rows.append(
            Row(name, "s", seconds, base, naive_s, f"≤ {goal:g} s", seconds <= goal, detail)
        )
    open_flags = len(first.at_risk) + len(first.overdue)
    out.checks.append(
        (f"sweep open flags {open_flags:,} == naive {naive_found:,}", open_flags == naive_found)
    )
    out.checks.append(
        ("later sweeps write nothing", second.newly_flagged == third.newly_flagged == 0)
    )
    out.sweep_counts = first.counts()


def measure_stats(url: str, month: str, repeat: int, out: Outcome) -> None:
    app = build(url)
    calendars = app.calendars
    period = parse_month(month, PeriodKind.REPORT)
    runs = [timed(lambda: month_stats.compute(app.db, calendars, period)) for _ in range(repeat)]
    app.close()
    best_s, report = min(runs, key=lambda r: r[0])
    raw = Raw(url)
    sql = (
        "SELECT processing_agency_id, count(*) FROM dossier"
        " WHERE received_at >= ? AND received_at < ? GROUP BY processing_agency_id"
    )
    params = (raw.time(period.start), raw.time(period.end))
    base_runs = [timed(lambda: raw.all(sql, params))[0] for _ in range(repeat)]
    raw.close()
    t = report.total
    goal = GOALS["stats"]
    out.rows.append(
        Row(
            f"month statistics {month}",
            "s",
            best_s,
            "SQL GROUP BY: the month's receipts per agency",
            min(base_runs),
            f"≤ {goal:g} s",
            best_s <= goal,
            f"received {t.received_total:,}, resolved {t.resolved_total:,}, "
            f"pending {t.pending_total:,}; best of {repeat}",
        )
    )
    out.checks.append(("statistics identity holds", t.identity_holds()))
    out.report = report


def sample_codes(url: str, dossiers: int, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    ids = [rng.randrange(1, dossiers + 1) for _ in range(count)]
    raw = Raw(url)
    listed = ",".join(map(str, ids))
    found = dict(raw.all(f"SELECT id, code FROM dossier WHERE id IN ({listed})"))
    raw.close()
    return [found[i] for i in ids]


def latencies(action: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        action(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure_lookup(url: str, dossiers: int, count: int, out: Outcome) -> None:
    """Distinct random codes for each method, so neither reads pages the other loaded."""
    product_codes = sample_codes(url, dossiers, count, 1)
    baseline_codes = sample_codes(url, dossiers, count, 2)
    app = build(url)
    calendars = app.calendars
    ledger.show_dossier(app.db, calendars, product_codes[0], AS_OF)  # warm-up: calendars, caches
    cpu = time.process_time()
    product = latencies(lambda c: ledger.show_dossier(app.db, calendars, c, AS_OF), product_codes)
    cpu_ms = (time.process_time() - cpu) * 1000 / count
    app.close()
    raw = Raw(url)
    baseline = latencies(
        lambda c: raw.all("SELECT * FROM dossier WHERE code = ?", (c,)), baseline_codes
    )
    raw.close()
    goal = GOALS["lookup_ms"]
    base = "raw driver: SELECT * FROM dossier WHERE code = ?"
    for name, values, base_values in (("median", product, baseline), ("p95", product, baseline)):
        pick = stats.median if name == "median" else p95
        value = pick(values)
        out.rows.append(
            Row(
                f"lookup by code ({name}, {count:,} codes)",
                "ms",
                value,
                base,
                pick(base_values),
                f"≤ {goal:g} ms",
                value <= goal,
                "services.ledger.show_dossier: dossier, procedure, events, "
                f"due time; client CPU {cpu_ms:.2f} ms per lookup",
            )
        )


def like_statement(raw: Raw, text: str) -> tuple[str, list[object]]:
    from tthc_tracker.domain.search import query_terms

    where, params = [], []
    for term in query_terms(text):
        where.append("(" + " OR ".join("search_text LIKE ?" for _ in term) + ")")
        params += [f"%{spelling}%" for spelling in term]
    sql = (
        "SELECT id, code, applicant_name FROM dossier WHERE "
        + " AND ".join(where)
        + " ORDER BY received_at DESC, code LIMIT 20"
    )
    return sql, params


def measure_search(url: str, repeat: int, out: Outcome) -> None:
    queries = list(bench_search.QUERIES)
    app = build(url)
    calendars = app.calendars
    for text in queries:  # warm-up
        ledger.search_dossiers(app.db, calendars, text, AS_OF, 20)
    cpu = time.process_time()
    product = latencies(
        lambda t: ledger.search_dossiers(app.db, calendars, t, AS_OF, 20), queries * repeat
    )
    cpu_ms = (time.process_time() - cpu) * 1000 / len(product)
    app.close()
    raw = Raw(url)
    baseline = latencies(lambda t: raw.all(*like_statement(raw, t)), queries)
    raw.close()
    base = "raw driver: search_text LIKE per term, latest first, 20 rows (1 run per query)"
    for name, pick in (("median", stats.median), ("p95", p95)):
        out.rows.append(
            Row(
                f"search by name ({name}, {len(queries)} names x{repeat})",
                "ms",
                pick(product),
                base,
                pick(baseline),
                detail="services.ledger.search_dossiers: 20 dossiers with "
                f"their due times; client CPU {cpu_ms:.1f} ms per search",
            )
        )


def cpu_text(run: Clerks) -> str:
    server = "" if run.server_ms is None else f", server {run.server_ms:.2f} ms"
    return f"CPU per dossier: clients {run.client_ms:.2f} ms{server}"


def measure_clerks(url: str, clerks: int, seconds: float, out: Outcome) -> None:
    product = run_clerks(url, False, clerks, seconds)
    baseline = run_clerks(url, True, clerks, seconds)
    raw = Raw(url)
    stored = raw.all("SELECT count(*) FROM dossier WHERE code LIKE ?", (product.prefix + "%",))[0][
        0
    ]
    raw.close()
    told = clerks + product.done  # one warm-up dossier each
    pg = out.backend == "postgresql"
    goal = GOALS["clerks_pg"]
    problem = product.first_error or baseline.first_error
    times = product.times or [0.0]
    out.rows.append(
        Row(
            f"{clerks} clerks adding dossiers ({seconds:g} s)",
            "dossiers/s",
            product.rate,
            "raw driver: INSERT dossier + event, one transaction each",
            baseline.rate,
            f"≥ {goal:g}/s" if pg else "",
            (product.rate >= goal) if pg else None,
            f"per dossier median {stats.median(times):.1f} ms, p95 "
            f"{p95(times):.1f} ms; {cpu_text(product)} (baseline: "
            f"{cpu_text(baseline)}); errors {product.errors} (baseline "
            f"{baseline.errors})" + (f"; first: {problem}" if problem else ""),
        )
    )
    out.checks.append((f"every added dossier stored ({stored:,} of {told:,})", stored == told))


# -- the run ------------------------------------------------------------------------------------


def machine(args: argparse.Namespace, backends: list[str], pristine: dict[str, str]) -> list[str]:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        f"machine: nproc {os.cpu_count()}, {cpu}, RAM {int(mem) / 2**20:.1f} GiB, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]
    if "sqlite" in backends:
        size = Path(pristine["sqlite"]).stat().st_size / 2**30
        lines.append(f"SQLite ledger {Path(pristine['sqlite']).name}: {size:.1f} GiB")
    if "postgresql" in backends:
        with admin(args.pg_url) as pg:
            version = pg.execute("SHOW server_version").fetchone()
            settings = pg.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)"
                " ORDER BY name",
                (list(PG_SETTINGS),),
            ).fetchall()
            size = pg.execute("SELECT pg_database_size(%s)", (pristine["postgresql"],)).fetchone()
        lines.append(
            f"PostgreSQL {version[0] if version else '?'}: "
            + ", ".join(f"{n}={v}" for n, v in settings)
        )
        lines.append(
            f"PostgreSQL ledger {pristine['postgresql']}: "
            f"{(size[0] if size else 0) / 2**30:.1f} GiB; work copy with "
            f"{args.pg_settings or 'the server settings only'}"
        )
    return lines


def run_backend(backend: str, args: argparse.Namespace, pristine: str) -> Outcome:
    out = Outcome(backend)
    steps: list[tuple[str, Callable[[str], None]]] = [
        ("sweep", lambda url: measure_sweep(url, out)),
        ("statistics", lambda url: measure_stats(url, args.month, args.repeat, out)),
        ("lookup", lambda url: measure_lookup(url, args.dossiers, args.lookups, out)),
        ("search", lambda url: measure_search(url, args.search_repeat, out)),
        ("clerks", lambda url: measure_clerks(url, args.clerks, args.clerk_seconds, out)),
    ]
    started = time.perf_counter()
    url = fresh_copy(backend, pristine, args.dir, args.pg_url, args.pg_settings)
    print(f"[{backend}] fresh copy: {time.perf_counter() - started:.0f} s")
    try:
        for name, step in steps:
            started = time.perf_counter()
            step(url)
            print(f"[{backend}] {name}: done in {time.perf_counter() - started:.0f} s")
    finally:
        drop_copy(args.dir, url)
    return out


def show(outcomes: list[Outcome]) -> None:
    for out in outcomes:
        print(f"\n{out.backend}")
        print(f"{'task':<40} {'unit':>10} {'product':>9} {'baseline':>9} {'ratio':>7} goal")
        for r in out.rows:
            verdict = "" if r.met is None else (" met" if r.met else " NOT met")
            ratio = r.baseline / r.product if r.unit in ("s", "ms") else r.product / r.baseline
            print(
                f"{r.task:<40} {r.unit:>10} {r.product:9.2f} {r.baseline:9.2f} "
                f"{ratio:6.1f}x {r.goal}{verdict}"
            )
        print("baselines and details:")
        for r in out.rows:
            print(f"  {r.task}: baseline = {r.baseline_name}; {r.detail}")
        for text, ok in out.checks:
            print(f"  check: {text}: {'ok' if ok else 'FAILED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000_000)
    parser.add_argument("--open", type=int, help="in progress (default 3 %% of --dossiers)")
    parser.add_argument("--overdue", type=int, help="newly overdue (default 0.1 %%)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tthc-province"))
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TTHC_BENCH_POSTGRES", DEFAULT_PG),
        help="server and database name prefix: <name>_<dossiers> is the cached "
        "ledger, <name>_work the copy each run works on",
    )
    parser.add_argument(
        "--pg-settings",
        default=RECOMMENDED,
        help="name=value,… set on the PostgreSQL work database (default: %(default)s); "
        "'' for the server's own",
    )
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3, help="statistics runs (best kept)")
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--search-repeat", type=int, default=5)
    parser.add_argument("--clerks", type=int, default=16)
    parser.add_argument("--clerk-seconds", type=float, default=30.0)
    parser.add_argument("--build-only", action="store_true", help="make the cached ledgers, stop")
    args = parser.parse_args()
    args.open = args.open if args.open is not None else max(args.dossiers * 3 // 100, 1)
    args.overdue = args.overdue if args.overdue is not None else max(args.dossiers // 1000, 1)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not set(backends) <= {"sqlite", "postgresql"}:
        parser.error("--backends: sqlite, postgresql or both")
    shape = Shape(args.dossiers, args.open, args.overdue, args.seed)
    args.dir.mkdir(parents=True, exist_ok=True)
    os.environ["TTHC_NOW"] = AS_OF.isoformat()
    pristine = {"sqlite": str(sqlite_ledger(args.dir, shape))}
    if "postgresql" in backends:
        pristine["postgresql"] = postgres_ledger(args.pg_url, shape, Path(pristine["sqlite"]))
    if args.build_only:
        return
    before = machine(args, backends, pristine)
    outcomes = [run_backend(b, args, pristine[b]) for b in backends]
    print(
        f"\n{args.dossiers:,} dossiers ({args.open:,} open, {args.overdue:,} newly overdue); "
        f"sweep at {AS_OF.isoformat()}; {datetime.now(UTC).date().isoformat()}"
    )
    show(outcomes)
    if len(outcomes) == 2:
        same_sweep = outcomes[0].sweep_counts == outcomes[1].sweep_counts
        same_report = outcomes[0].report == outcomes[1].report
        print(f"  check: sweep counts equal on both backends: {'ok' if same_sweep else 'FAILED'}")
        print(f"  check: month report equal on both backends: {'ok' if same_report else 'FAILED'}")
        outcomes[0].checks += [("backends agree", same_sweep and same_report)]
    print()
    for line in [*before, f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]:
        print(line)
    if not all(ok for out in outcomes for _, ok in out.checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
