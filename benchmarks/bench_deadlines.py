"""Measure due-time computation: the vectorised path, numpy's business days, the scalar path.

Run from the repository root::

    python benchmarks/bench_deadlines.py [--n 1000000] [--scalar-n 200000]

It builds the calendar the way the application does (holidays package + data/calendar.toml,
office hours 07:00-11:30,13:30-17:00), draws ``n`` random receipts in 2024-2026 with limits
of 0.5-30 working days, and times

(a) ``add_working_bulk`` on all pairs;
(b) ``numpy.busday_offset`` on the same (date, whole days) pairs with the same weekday
    holidays: it knows no office hours and no worked Saturdays, so it is only the physical
    baseline of "one vectorised pass over an array of dates";
(c) ``WorkCalendar.add_working`` called once per pair on the first ``scalar-n`` pairs.

It then checks that the bulk results equal the scalar ones on those pairs, prints a table
and the goals of the issue (bulk >= 1,000,000 due times/s, scalar <= 20 us per call).
Exit code 1 if bulk and scalar disagree.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout, without installing
    sys.path.insert(0, str(ROOT))

HALF_DAY = 4 * 3600
BULK_GOAL_PER_S = 1_000_000
SCALAR_GOAL_US = 20.0


@dataclass(frozen=True)
class Row:
    method: str
    n: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    @property
    def us_per_call(self) -> float:
        return self.seconds / self.n * 1e6


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest wall time over ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="pairs for (a) and (b)")
    parser.add_argument("--scalar-n", type=int, default=200_000, help="calls for (c)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=20260302)
    args = parser.parse_args(argv)

    from tthc_tracker.domain.bulk import add_working_bulk
    from tthc_tracker.domain.calendar import DayKind, OfficeHours, WorkCalendar, merge_rules
    from tthc_tracker.domain.times import LOCAL_TZ
    from tthc_tracker.storage.calendar_data import load_shipped, package_rules

    started = time.perf_counter()
    rules = merge_rules(
        package_rules(2015, 2035), load_shipped(ROOT / "data" / "calendar.toml").rules
    )
    calendar = WorkCalendar(rules, 2015, 2035, OfficeHours.parse("07:00-11:30,13:30-17:00"))
    build_s = time.perf_counter() - started

    rng = np.random.default_rng(args.seed)
    low = int(datetime(2024, 1, 1, tzinfo=LOCAL_TZ).timestamp())
    high = int(datetime(2027, 1, 1, tzinfo=LOCAL_TZ).timestamp())
    receipts = rng.integers(low, high, size=args.n, dtype=np.int64)
    half_days = rng.integers(1, 61, size=args.n, dtype=np.int64)  # 0.5 to 30 working days
    seconds = half_days * HALF_DAY

    started = time.perf_counter()
    add_working_bulk(calendar, receipts[:1], seconds[:1])  # builds and caches the tables
    tables_s = time.perf_counter() - started

    # (a) the vectorised path
    bulk_s, bulk = best_of(args.repeat, lambda: add_working_bulk(calendar, receipts, seconds))

    # (b) numpy business days: local receipt dates, whole days, the weekdays off
    days = np.datetime64("2024-01-01", "D") + (receipts - low) // 86400  # local dates
    whole_days = (half_days + 1) // 2
    holidays = np.array(
        sorted(day for day, rule in rules.items() if rule.kind is DayKind.OFF),
        dtype="datetime64[D]",
    )
    busday_s, _ = best_of(
        args.repeat,
        lambda: np.busday_offset(days, whole_days, roll="forward", holidays=holidays),
    )

    # (c) the scalar path, one call per pair; inputs are built before the clock starts
    m = min(args.scalar_n, args.n)
    starts = [datetime.fromtimestamp(int(s), LOCAL_TZ) for s in receipts[:m]]
    amounts = [int(n) for n in seconds[:m]]
    add = calendar.add_working
    scalar_s, scalar = best_of(
        1, lambda: [add(start, n) for start, n in zip(starts, amounts, strict=True)]
    )

    expected = np.array([int(due.timestamp()) for due in scalar], dtype=np.int64)
    mismatches = int(np.count_nonzero(bulk[:m] != expected))

    rows = [
        Row("add_working_bulk (numpy)", args.n, bulk_s),
        Row("numpy.busday_offset (baseline)", args.n, busday_s),
        Row("WorkCalendar.add_working (scalar)", m, scalar_s),
    ]
    baseline = rows[1].us_per_call
    print("| method | n | seconds | per second | µs/call | ratio to baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.method} | {row.n:,} | {row.seconds:.3f} | {row.rate:,.0f} "
            f"| {row.us_per_call:.3f} | {row.us_per_call / baseline:.2f}× |"
        )
    print()
    print(f"calendar build (package + shipped file, 2015-2035): {build_s:.3f} s")
    print(f"bulk tables (first call, cached per calendar): {tables_s * 1000:.1f} ms")
    print(f"bulk == scalar on {m:,} pairs: {'yes' if not mismatches else f'NO ({mismatches})'}")
    bulk_ok = rows[0].rate >= BULK_GOAL_PER_S
    scalar_ok = rows[2].us_per_call <= SCALAR_GOAL_US
    print(
        f"goal bulk >= {BULK_GOAL_PER_S:,}/s: {'met' if bulk_ok else 'NOT met'}; "
        f"goal scalar <= {SCALAR_GOAL_US:.0f} µs/call: {'met' if scalar_ok else 'NOT met'}"
    )
    print(
        f"machine: {platform.machine()}, nproc {_nproc()}, {cpu_model()}; "
        f"Python {platform.python_version()}; numpy {np.__version__}; "
        f"date {datetime.now(UTC).date().isoformat()}"
    )
    return 1 if mismatches else 0


def _nproc() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
