"""Dossier search by name on a large SQLite ledger, against two baselines, in one run.

    python benchmarks/bench_search.py [--dossiers 1000000] [--repeat 15]

Builds (once, cached under --dir) a ledger of ``--dossiers`` dossiers with
``bench_sweep.generate`` (the real migrations, the sample catalogue, rows bulk-loaded in the
storage format) stopped at migration 0003, gives every dossier a realistic Vietnamese name
(surnames weighted as in the population: Nguyễn 38 %, Trần 11 %, Lê 9.5 % …) and, for 90 %,
a phone number typed with dots or spaces, then runs the real upgrade to head: migration 0004
adds ``search_text``, fills it in Python with ``domain.search.search_text`` (the same
``fill_search_text``), builds the FTS5 index and its triggers. The upgrade is timed.

Then, for several realistic name queries (typed without marks), it measures:

- ``search (FTS5)``: ``Repository.search_dossiers(text, 20)``, the code path of
  ``tthc dossier search`` (a transaction, bm25 ranking, 20 dossiers loaded);
- ``LIKE on search_text``: the fallback used on other backends, ``search_text LIKE '%term%'``
  for each term, latest received first, 20 rows (a full scan of the folded column);
- ``naive Python scan``: every dossier's name, code and phone read, folded with
  ``search_text`` and tested in Python (no stored column, no index).

Checks: LIKE and the naive scan find the same number of dossiers; FTS5's 20 are among them.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench_sweep  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from tthc_tracker.domain.search import query_terms, search_text  # noqa: E402
from tthc_tracker.storage.db import MIGRATIONS, Database, make_engine, upgrade  # noqa: E402
from tthc_tracker.storage.models import DossierRow  # noqa: E402
from tthc_tracker.storage.search import matching  # noqa: E402

SURNAMES = (  # share of the population, per cent (approximate, widely cited figures)
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 4.0),
    ("Huỳnh", 2.0), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 2.0), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đào", 0.6),
    ("Đinh", 0.6), ("Trương", 0.6), ("Lâm", 0.4), ("Mai", 0.4), ("Tạ", 0.3), ("Hà", 0.5),
)  # fmt: skip
MALE_MIDDLE = (
    "Văn",
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Hữu",
    "Quốc",
    "Thanh",
    "Xuân",
    "Công",
    "Ngọc",
    "Hoàng",
    "Duy",
    "Tiến",
    "Anh",
)
FEMALE_MIDDLE = (
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Kim",
    "Mỹ",
    "Thùy",
    "Hồng",
    "Bảo",
    "Phương",
    "Thị Thu",
)
MALE_GIVEN = (
    "Đức",
    "Tuấn",
    "Hùng",
    "Dũng",
    "Nam",
    "Long",
    "Hải",
    "Sơn",
    "Thắng",
    "Cường",
    "Bình",
    "Minh",
    "Phúc",
    "Quang",
    "Trung",
    "Khoa",
    "Bảo",
    "Huy",
    "Tâm",
    "Lộc",
    "Toàn",
    "Thành",
    "Hiếu",
    "Đạt",
    "Khánh",
    "Vinh",
    "Tài",
    "Nghĩa",
    "An",
    "Hoàng",
)
FEMALE_GIVEN = (
    "Hoa",
    "Lan",
    "Hương",
    "Mai",
    "Trang",
    "Linh",
    "Hà",
    "Thảo",
    "Ngọc Anh",
    "Anh",
    "Hằng",
    "Nhung",
    "Phương",
    "Yến",
    "Oanh",
    "Dung",
    "Thủy",
    "Tuyết",
    "Vy",
    "Nga",
    "Hạnh",
    "Loan",
    "Trâm",
    "Quỳnh",
    "Châu",
    "Diễm",
    "My",
    "Nhi",
)
QUERIES = (  # what a clerk types: no marks, sometimes a part of the name
    "nguyen van duc",
    "tran thi hoa",
    "le minh tuan",
    "pham thi thu trang",
    "dang quoc bao",
    "vu duc thang",
    "bui thi ngoc anh",
    "ho thanh nam",
    "NGUYỄN THỊ LAN",
    "truong huy",
)
WORST = "nguyen"  # one word matching ~38 % of the ledger: reported, not part of the goal
LIMIT = 20


def _schema_at_0003(app: Any) -> None:
    """generate() builds the schema with init_schema (head); stop at 0003 instead, so the
    real 0004 upgrade can run on the full ledger afterwards."""
    with app.db.engine.begin() as connection:
        command.upgrade(_config(connection), "0003")


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _name(rng: random.Random) -> str:
    surname = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{surname} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return ""
    digits = f"0{rng.choice('3579')}{rng.randrange(10**8):08d}"
    style = rng.randrange(3)
    if style == 0:
        return digits
    sep = "." if style == 1 else " "
    return f"{digits[:4]}{sep}{digits[4:7]}{sep}{digits[7:]}"


def build_ledger(path: Path, total: int, seed: int) -> float:
    """The cached ledger; returns the seconds the 0003 → head upgrade took."""
    bench_sweep.init_schema = _schema_at_0003  # type: ignore[assignment]
    bench_sweep.generate(path, total, total // 3, total // 100, seed)
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.executemany(
        "UPDATE dossier SET applicant_name = ?, phone = ? WHERE id = ?",
        ((_name(rng), _phone(rng), number) for number in range(1, total + 1)),
    )
    db.commit()
    db.close()
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    before, after = upgrade(engine)
    upgrade_s = time.perf_counter() - started
    engine.dispose()
    print(f"upgrade {before} -> {after} on {total:,} dossiers: {upgrade_s:.1f} s")
    return upgrade_s


def fts_search(db: Database, text: str) -> list[str]:
    with db.transaction() as repo:
        return [d.code for d in repo.search_dossiers(text, LIMIT)]


def like_search(db: Database, text: str, limit: int | None = LIMIT) -> list[str]:
    table = DossierRow.__table__  # type: ignore[attr-defined]
    statement = matching(select(table.c.code), query_terms(text), "other")
    if limit is not None:
        statement = statement.limit(limit)
    with db.engine.connect() as connection:
        return list(connection.scalars(statement))


def count(db: Database, text: str, dialect: str) -> int:
    """How many dossiers match: FTS5 (``sqlite``) or LIKE (any other name)."""
    table = DossierRow.__table__  # type: ignore[attr-defined]
    inner = matching(select(table.c.id), query_terms(text), dialect).order_by(None)
    with db.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def naive_search(path: Path, text: str) -> int:
    """Every dossier read and folded in Python; returns how many match (LIKE semantics)."""
    terms = query_terms(text)
    db = sqlite3.connect(path)
    found = 0
    for name, code, phone in db.execute("SELECT applicant_name, code, phone FROM dossier"):
        folded = search_text(name, code, phone)
        if all(any(s in folded for s in term) for term in terms):
            found += 1
    db.close()
    return found


def timings(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm the page cache and SQLAlchemy's statement cache
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(
    db: Database, work: Path, repeat: int
) -> tuple[list[float], list[float], list[float], bool]:
    """Every query by the three methods, one line each; the timings of the name queries."""
    fts_all: list[float] = []
    like_all: list[float] = []
    naive_all: list[float] = []
    ok = True
    for text in (*QUERIES, WORST):
        fts = timings(lambda t=text: fts_search(db, t), repeat)
        like = timings(lambda t=text: like_search(db, t), 3)
        started = time.perf_counter()
        naive_found = naive_search(work, text)
        naive_ms = (time.perf_counter() - started) * 1000
        like_found = count(db, text, "other")
        top = fts_search(db, text)
        every_like = set(like_search(db, text, None))
        if like_found != naive_found or not set(top) <= every_like:
            ok = False
            print(f"MISMATCH for {text!r}: LIKE {like_found}, naive {naive_found}")
        if text != WORST:
            fts_all += fts
            like_all += like
            naive_all.append(naive_ms)
        label = text if text != WORST else f"{text} (worst case)"
        print(f"{label:<22} {count(db, text, 'sqlite'):9,} {like_found:9,} "
              f"{statistics.median(fts):8.1f} {statistics.median(like):8.1f} "
              f"{naive_ms:9.0f}")  # fmt: skip
    return fts_all, like_all, naive_all, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tthc-bench-search"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    pristine = args.dir / f"ledger-{args.dossiers}.db"
    if not pristine.exists():
        started = time.perf_counter()
        building = args.dir / "building.db"
        building.unlink(missing_ok=True)
        build_ledger(building, args.dossiers, args.seed)
        building.rename(pristine)
        print(f"built {pristine} in {time.perf_counter() - started:.1f} s")
    work = args.dir / "work.db"
    shutil.copyfile(pristine, work)
    os.environ.pop("TTHC_NOW", None)
    db = Database(make_engine(f"sqlite:///{work}"))
    print(f"\n{args.dossiers:,} dossiers; {LIMIT} results per query; FTS5 x{args.repeat}, "
          f"LIKE x3, naive x1")  # fmt: skip
    header = (
        f"{'query':<22} {'FTS5 hits':>9} {'LIKE hits':>9} {'FTS5 ms':>8} {'LIKE ms':>8}"
        f" {'naive ms':>9}"
    )
    print(header)
    fts_all, like_all, naive_all, ok = measure(db, work, args.repeat)
    db.dispose()
    print(f"\n{'method':<22} {'median ms':>10} {'p95 ms':>8}")
    for name, values in (
        ("search (FTS5)", fts_all),
        ("LIKE on search_text", like_all),
        ("naive Python scan", naive_all),
    ):
        print(f"{name:<22} {statistics.median(values):10.1f} {p95(values):8.1f}")
    size = pristine.stat().st_size / 2**20
    print(f"\nledger file {size:,.0f} MiB; machine: {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; {datetime.now(UTC).date().isoformat()}")  # fmt: skip
    goal = statistics.median(fts_all) <= 50 and p95(fts_all) <= 50
    print("goal search by name <= 50 ms (median and p95):", "met" if goal else "NOT met")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
