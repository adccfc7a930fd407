"""The bulk path of `tthc import dossiers` writes exactly what the exact path writes.

``--update`` sends every line down the exact path (one savepoint, the ledger's own
``receive``/``transition`` calls); without it new dossiers go in bulk. The same file imported
both ways must give the same ledger, row for row, and the same ``dossier show --json``.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    AGENCY_DEFAULT,
    AGENCY_LATE,
    P_3_DAYS,
    P_15_DAYS,
    P_HALF_DAY,
    P_SAME_DAY,
    Runner,
    copy_database,
    ok,
    runner_for,
    show_json,
)
from tests.imports.files import write_csv
from tthc_tracker.domain.bulk_due import iso_bulk, receipt_due_bulk
from tthc_tracker.domain.calendar import OfficeHours
from tthc_tracker.domain.deadline import compute_deadline
from tthc_tracker.domain.dossier_fast import FastReader, search_texts
from tthc_tracker.domain.dossier_rows import DOSSIER_COLUMNS, parse_dossier
from tthc_tracker.domain.imports import locate_header
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.search import search_text
from tthc_tracker.domain.times import LOCAL_TZ, iso
from tthc_tracker.services.calendars import build_calendars

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)
HEADER = [
    "MaHoSo", "MaTTHC", "DonViXuLy", "DonViTiepNhan", "ChuHoSo", "SoDienThoai", "KenhThucHien",
    "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "status_at",
    "status_reason",
]  # fmt: skip
PROCEDURES = {P_3_DAYS: AGENCY_DEFAULT, P_SAME_DAY: AGENCY_LATE, P_15_DAYS: AGENCY_DEFAULT,
              P_HALF_DAY: AGENCY_LATE}  # fmt: skip
NAMES = ("Nguyễn Văn Đức", "Trần Thị Mỹ Linh", "Đỗ Hoàng Phúc", "Lê Thị Thu Hà")
OPEN_STATUSES = ("5", "6", "7", "8", "3")
DATA = Path(__file__).resolve().parents[2] / "data"


def _when(moment: datetime, rng: random.Random) -> str:
    """A local time in one of the forms offices write (ISO with offset: the exact path)."""
    local = moment.astimezone(LOCAL_TZ)
    form = rng.random()
    if form < 0.6:
        return local.strftime("%d/%m/%Y %H:%M:%S")
    if form < 0.8:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if form < 0.95:
        return local.strftime("%d/%m/%Y %H:%M")
    return local.isoformat()


def _line(rng: random.Random, number: int) -> list[str]:
    procedure = rng.choice(list(PROCEDURES))
    received = NOW - timedelta(seconds=rng.randrange(3600, 80 * 86400))
    if rng.random() < 0.6:  # mostly office hours, else any time (nights, weekends)
        received = received.replace(
            hour=rng.choice((7, 9, 10, 14, 15, 16)), minute=rng.randrange(60)
        )
        received = min(received, NOW - timedelta(hours=1))
    status = rng.choice(("", "4", "9", "10", "10", "Đã trả kết quả", *OPEN_STATUSES))
    completed = returned = status_at = ""
    finish = min(received + timedelta(seconds=rng.randrange(60, 9 * 86400)), NOW)
    if status in ("9", "10", "Đã trả kết quả") or (status == "" and rng.random() < 0.5):
        completed = _when(finish, rng)
        if status != "9":
            back = min(finish + timedelta(seconds=rng.randrange(0, 2 * 86400)), NOW)
            returned = _when(back, rng)
            if rng.random() < 0.2:
                returned = back.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")  # a bare date
    elif status in OPEN_STATUSES:
        status_at = _when(finish, rng)
    declared = ""
    if rng.random() < 0.5:
        declared = _when(received + timedelta(days=rng.randrange(0, 20)), rng)
    reason = rng.choice(("", "", "Chờ ý kiến của cơ quan liên quan"))
    return [
        f"H01-{number:05d}", procedure, PROCEDURES[procedure],
        rng.choice(("", AGENCY_DEFAULT, AGENCY_LATE)), rng.choice(NAMES),
        rng.choice(("", "0912.345.678", "0987654321")), rng.choice("123"), _when(received, rng),
        declared, completed, returned, status, status_at, reason,
    ]  # fmt: skip


def _ledger_rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Dossiers (without their id) and events (by dossier code and seq, without ids)."""
    with sqlite3.connect(path) as db:
        names = [r[1] for r in db.execute("PRAGMA table_info(dossier)") if r[1] != "id"]
        dossiers = db.execute(f"SELECT {', '.join(names)} FROM dossier ORDER BY code").fetchall()
        events = db.execute(
            "SELECT d.code, e.seq, e.kind, e.at, e.recorded_at, e.actor, e.field, e.old_value,"
            " e.new_value, e.reason FROM dossier_event e JOIN dossier d ON d.id = e.dossier_id"
            " ORDER BY d.code, e.seq"
        ).fetchall()
    return dossiers, events


def test_bulk_and_exact_paths_write_the_same_ledger(
    seeded: Runner, db_path: Path, seeded_template: Path, tmp_path: Path
) -> None:
    rng = random.Random(118)
    path = write_csv(tmp_path / "ho-so.csv", HEADER, [_line(rng, n) for n in range(150)])
    exact_path = tmp_path / "exact.db"
    copy_database(seeded_template, exact_path)
    exact = runner_for(f"sqlite:///{exact_path}")
    ok(seeded("import", "dossiers", str(path)))
    ok(exact("import", "dossiers", str(path), "--update"))
    bulk_rows, exact_rows = _ledger_rows(db_path), _ledger_rows(exact_path)
    assert len(bulk_rows[0]) == 150
    kinds = {"received", "completed", "returned", "stopped", "paused", "updated"}
    assert {e[2] for e in bulk_rows[1]} >= kinds | {"supplement_requested", "refused"}
    assert bulk_rows == exact_rows
    for code in ("H01-00000", "H01-00007", "H01-00042", "H01-00099", "H01-00149"):
        assert show_json(seeded, code) == show_json(exact, code)


def test_bulk_rows_are_indexed_for_search(seeded: Runner, db_path: Path, tmp_path: Path) -> None:
    rng = random.Random(5)
    path = write_csv(tmp_path / "ho-so.csv", HEADER, [_line(rng, n) for n in range(40)])
    ok(seeded("import", "dossiers", str(path)))
    with sqlite3.connect(db_path) as db:
        triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert "dossier_fts_ai" in triggers
        db.execute("INSERT INTO dossier_fts(dossier_fts, rank) VALUES ('integrity-check', 1)")
        found = db.execute(
            "SELECT count(*) FROM dossier_fts WHERE dossier_fts MATCH 'duc OR linh OR phuc OR ha'"
        ).fetchone()[0]
        stored = db.execute("SELECT applicant_name, code, phone, search_text FROM dossier")
        for name, code, phone, text in stored:
            assert text == search_text(name, code, phone)
    assert found == 40


def test_search_texts_fold_as_search_text() -> None:
    rng = random.Random(3)
    alphabet = "aăâđĐeêioôơuưyAĂÂEÊĐ0123456789 -.()áàảãạ\u0301"
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(300)]
    codes = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(8))) for _ in range(300)]
    phones = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(8))) for _ in range(300)]
    assert search_texts(names, codes, phones) == [
        search_text(*parts) for parts in zip(names, codes, phones, strict=True)
    ]


@pytest.mark.parametrize("hours", ["07:00-11:30,13:30-17:00", "07:30-11:30,13:00-17:00"])
def test_receipt_due_bulk_is_compute_deadline(hours: str) -> None:
    calendars = build_calendars([], DATA, 2024, 2027)
    calendar = calendars.for_hours(OfficeHours.parse(hours))
    rng = random.Random(hours)
    start = int(datetime(2024, 12, 20, tzinfo=UTC).timestamp())
    received = [start + rng.randrange(500 * 86400) for _ in range(400)]
    received += [start + 86400 * d + s for d in range(12) for s in (0, 900, 16200, 28800, 36000)]
    for text in ("3 ngày làm việc", "0,5 ngày làm việc", "4 giờ làm việc", "Trong ngày",
                 "15 ngày", "1 tháng"):  # fmt: skip
        limit = parse_limit(text)
        for cutoff in (None, time(15), time(11, 30)):
            due, good = receipt_due_bulk(calendar, limit, cutoff, received)
            assert good.all()
            expected = [
                int(compute_deadline(calendar, limit, datetime.fromtimestamp(r, UTC), [], cutoff)
                    .legal_due_at.timestamp())
                for r in received
            ]  # fmt: skip
            assert due.tolist() == expected, (text, cutoff)
    outside = [int(datetime(2030, 1, 2, tzinfo=UTC).timestamp()), start]
    _, good = receipt_due_bulk(calendar, parse_limit("3 ngày làm việc"), None, outside)
    assert good.tolist() == [False, True]
    assert iso_bulk([start]) == [iso(datetime.fromtimestamp(start, UTC))]


CELLS = ("", " ", "1", "2", "4", "9", "10", "5", "Dừng xử lý", "in_progress", "ca-nhan",
         "H01 2", "02/11/2026", "02/11/2026 09:00", "02/11/2026 09:00:30", "2026-11-03 10:00:00",
         "31/02/2026 09:00", "02/11/2026 24:00", "03/11/2026 08:00:00", "04/11/2026", "x",
         "02/11/1970 09:00", "2026-11-02", "١٢/11/2026", P_3_DAYS, AGENCY_DEFAULT, "Nguyễn Đức",
         " 0912 ", "truc-tuyen", "POSTAL")  # fmt: skip


def test_fast_reader_agrees_with_parse_dossier_on_random_lines() -> None:
    """Where the fast reader accepts a line, parse_dossier reads the very same record."""
    header = ["MaHoSo", "MaTTHC", "DonViXuLy", "DonViTiepNhan", "DonViTraKetQua", "ChuHoSo",
              "applicant_kind", "SoDinhDanh", "DiaChi", "SoDienThoai", "Email", "TrichYeuHoSo",
              "KenhThucHien", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra",
              "TrangThaiHoSo", "status_at", "status_reason"]  # fmt: skip
    layout = locate_header("f.csv", [(1, list(header))], DOSSIER_COLUMNS)
    reader = FastReader(layout)
    rng = random.Random(61)
    accepted = 0
    base = ["H01-1", P_3_DAYS, AGENCY_DEFAULT, "", "", "Nguyễn Văn Đức", "", "001", "Ấp 1", "09",
            "", "", "1", "02/11/2026 09:00:00", "", "", "", "", "", ""]  # fmt: skip
    for number in range(4000):
        cells = list(base)
        for _ in range(rng.randrange(1, 5)):
            cells[rng.randrange(len(cells))] = rng.choice(CELLS)
        fast = reader.read(number, cells)
        slow = parse_dossier(layout, number, cells)
        if fast is None:
            continue
        accepted += 1
        assert not isinstance(slow, list), (cells, slow)
        for name in fast._fields:
            value = getattr(fast, name)
            expected = getattr(slow, name)
            if name.endswith("_at"):
                value = None if value is None else datetime.fromtimestamp(value, UTC)
            assert value == expected, (name, cells)
    assert accepted > 1000
