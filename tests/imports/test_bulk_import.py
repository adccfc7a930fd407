"""The bulk path of `tthc import dossiers` writes exactly what the exact path writes.

``--update`` sends every line down the exact path (one savepoint, the ledger's own
``receive``/``transition`` calls); without it new dossiers go in bulk. The same file imported
both ways must give the same ledger, row for row, and the same ``dossier show --json``.
The column reader, the vectorised due times and the text forms are checked against the
scalar code they stand in for.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.backends import Ledger
from tests.conftest import (
    AGENCY_DEFAULT,
    AGENCY_LATE,
    P_3_DAYS,
    P_15_DAYS,
    P_HALF_DAY,
    P_SAME_DAY,
    MakeLedger,
    Runner,
    add_dossier,
    fails,
    ok,
    row_counts,
    runner_for,
    show_json,
)
from tests.imports.files import write_csv
from tthc_tracker.domain.bulk_due import iso_bulk, receipt_due_bulk, stamps
from tthc_tracker.domain.calendar import OfficeHours
from tthc_tracker.domain.deadline import compute_deadline
from tthc_tracker.domain.dossier_fast import NONE, fold_all, read_columns, search_texts
from tthc_tracker.domain.dossier_rows import DOSSIER_COLUMNS, parse_dossier
from tthc_tracker.domain.imports import locate_header
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.search import fold, search_text
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
    if form < 0.55:
        return local.strftime("%d/%m/%Y %H:%M:%S")
    if form < 0.75:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if form < 0.85:
        return local.strftime("%Y%m%d%H%M%S")  # the portal's sync form
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


def _ledger_rows(ledger: Ledger) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Dossiers (without their id) and events (by dossier code and seq, without ids)."""
    dossiers = [
        {name: value for name, value in row.items() if name != "id"}
        for row in ledger.dicts("SELECT * FROM dossier ORDER BY code")
    ]
    events = ledger.query(
        "SELECT d.code, e.seq, e.kind, e.at, e.recorded_at, e.actor, e.field, e.old_value,"
        " e.new_value, e.reason FROM dossier_event e JOIN dossier d ON d.id = e.dossier_id"
        " ORDER BY d.code, e.seq"
    )
    return dossiers, events


def test_bulk_and_exact_paths_write_the_same_ledger(
    seeded: Runner,
    ledger_db: Ledger,
    seeded_template: Ledger,
    make_ledger: MakeLedger,
    tmp_path: Path,
) -> None:
    rng = random.Random(118)
    path = write_csv(tmp_path / "ho-so.csv", HEADER, [_line(rng, n) for n in range(150)])
    exact_ledger = make_ledger(seeded_template)
    exact = runner_for(exact_ledger.url)
    ok(seeded("import", "dossiers", str(path)))
    ok(exact("import", "dossiers", str(path), "--update"))
    bulk_rows, exact_rows = _ledger_rows(ledger_db), _ledger_rows(exact_ledger)
    assert len(bulk_rows[0]) == 150
    kinds = {"received", "completed", "returned", "stopped", "paused", "updated"}
    assert {e[2] for e in bulk_rows[1]} >= kinds | {"supplement_requested", "refused"}
    assert bulk_rows == exact_rows
    for code in ("H01-00000", "H01-00007", "H01-00042", "H01-00099", "H01-00149"):
        assert show_json(seeded, code) == show_json(exact, code)


def test_a_large_file_in_bulk_is_line_for_line_the_exact_path(
    seeded: Runner,
    ledger_db: Ledger,
    seeded_template: Ledger,
    make_ledger: MakeLedger,
    tmp_path: Path,
) -> None:
    """5,000 lines: past the sizes where the bulk path shares repeated texts, gathers
    columns of few values as numbers and formats repeated instants once. A sample of the
    lines imported alone by the exact path gives the same rows."""
    rng = random.Random(2027)
    lines = [_line(rng, n) for n in range(5000)]
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "all.csv", HEADER, lines))))
    sample = rng.sample(lines, 40)
    exact_ledger = make_ledger(seeded_template)
    exact = runner_for(exact_ledger.url)
    ok(exact("import", "dossiers", str(write_csv(tmp_path / "some.csv", HEADER, sample)),
             "--update"))  # fmt: skip
    codes = {line[0] for line in sample}
    bulk_rows, exact_rows = _ledger_rows(ledger_db), _ledger_rows(exact_ledger)
    assert len(bulk_rows[0]) == 5000
    assert [d for d in bulk_rows[0] if d["code"] in codes] == exact_rows[0]
    assert [e for e in bulk_rows[1] if e[0] in codes] == exact_rows[1]


def test_bulk_import_after_earlier_dossiers_continues_their_ids(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """A second file goes after the ledger's rows; a code already there is a conflict."""
    rng = random.Random(7)
    first = write_csv(tmp_path / "a.csv", HEADER, [_line(rng, n) for n in range(20)])
    ok(seeded("import", "dossiers", str(first)))
    second_lines = [_line(rng, n) for n in range(20, 45)]
    second_lines[0] = ["H01-00020", P_3_DAYS, AGENCY_DEFAULT, "", NAMES[0], "", "1",
                       "2026-11-02T09:00:00+07:00", "", "", "", "", "", ""]  # fmt: skip
    second = write_csv(tmp_path / "b.csv", HEADER, [*second_lines, _line(rng, 3)])
    before = row_counts(ledger_db)
    result = fails(seeded("import", "dossiers", str(second)), "H01-00003", "--update")
    assert "Dòng 27" in result.err
    assert row_counts(ledger_db) == before  # nothing written: all or nothing
    rejects = tmp_path / "loi.csv"
    kept = seeded("import", "dossiers", str(second), "--skip-invalid", "--rejects", str(rejects))
    assert kept.code == 0, kept.err
    assert "H01-00003" in rejects.read_text("utf-8-sig")
    ids = [i for (i,) in ledger_db.query("SELECT id FROM dossier ORDER BY code")]
    assert len(set(ids)) == 45
    assert min(ids[20:]) > max(ids[:20])  # after the ledger's rows (on SQLite: 21…45)
    add_dossier(seeded, "H01-MOI", "2026-11-26 09:00")  # the id sequence still works
    orphans = ledger_db.query(
        "SELECT count(*) FROM dossier_event e LEFT JOIN dossier d ON d.id = e.dossier_id"
        " WHERE d.id IS NULL"
    )
    assert orphans == [(0,)]
    assert show_json(seeded, "H01-00044")["events"][0]["kind"] == "received"


def test_bulk_rows_are_found_by_search(seeded: Runner, ledger_db: Ledger, tmp_path: Path) -> None:
    rng = random.Random(5)
    lines = [_line(rng, n) for n in range(40)]
    path = write_csv(tmp_path / "ho-so.csv", HEADER, lines)
    ok(seeded("import", "dossiers", str(path)))
    stored = ledger_db.query("SELECT applicant_name, code, phone, search_text FROM dossier")
    assert len(stored) == 40
    for name, code, phone, text in stored:
        assert text == search_text(name, code, phone)
    found = json.loads(ok(seeded("dossier", "search", "tran thi my linh", "--json")).out)
    expected = {line[0] for line in lines if line[4] == "Trần Thị Mỹ Linh"}
    assert {d["code"] for d in found} == expected
    assert 0 < len(expected) < 20


@pytest.mark.sqlite_only
def test_bulk_rows_are_in_the_sqlite_full_text_index(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """The FTS5 trigger set aside during the insert is back, and the index is whole."""
    rng = random.Random(5)
    path = write_csv(tmp_path / "ho-so.csv", HEADER, [_line(rng, n) for n in range(40)])
    ok(seeded("import", "dossiers", str(path)))
    triggers = ledger_db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert ("dossier_fts_ai",) in triggers
    ledger_db.execute("INSERT INTO dossier_fts(dossier_fts, rank) VALUES ('integrity-check', 1)")
    found = ledger_db.query(
        "SELECT count(*) FROM dossier_fts WHERE dossier_fts MATCH 'duc OR linh OR phuc OR ha'"
    )
    assert found == [(40,)]


@pytest.mark.sqlite_only
def test_a_refused_bulk_import_leaves_the_full_text_trigger(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    """All or nothing: the rolled-back transaction also gives the trigger back."""
    rng = random.Random(9)
    lines = [_line(rng, n) for n in range(30)]
    lines[12][1] = "9.999999"  # unknown procedure: the whole file is refused
    path = write_csv(tmp_path / "ho-so.csv", HEADER, lines)
    fails(seeded("import", "dossiers", str(path)), "9.999999")
    assert ledger_db.query("SELECT count(*) FROM dossier") == [(0,)]
    triggers = ledger_db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert ("dossier_fts_ai",) in triggers


def test_fold_all_is_fold() -> None:
    rng = random.Random(3)
    alphabet = "aăâđĐeêioôơuưyAĂÂEÊĐΣσ0123456789 -.()áàảãạ\u0301\u00a0\u3000\x1c\x85\t\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(500)]
    assert fold_all(texts) == [fold(t) for t in texts]
    assert fold_all([]) == []
    assert fold_all(["a\x00b", "Đ"]) == [fold("a\x00b"), "d"]


def test_search_texts_fold_as_search_text() -> None:
    rng = random.Random(3)
    alphabet = "aăâđĐeêioôơuưyAĂÂEÊĐ0123456789 -.()áàảãạ\u0301²"
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(300)]
    codes = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(8))) for _ in range(300)]
    phones = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(8))) for _ in range(300)]
    assert search_texts(names, codes, phones) == [
        search_text(*parts) for parts in zip(names, codes, phones, strict=True)
    ]
    plain = ["0912.345.678", "", "0987654321"]
    assert search_texts(["A"] * 3, ["X-1"] * 3, plain) == [
        search_text("A", "X-1", p) for p in plain
    ]


def test_stamps_are_the_stored_and_shown_text_forms() -> None:
    rng = np.random.default_rng(11)
    epochs = rng.integers(-62135596800 + 86400, 253402300799 - 86400, 5000)
    moments = [datetime.fromtimestamp(int(e), UTC) for e in epochs]
    assert stamps(epochs, 0, " ", ".000000") == [
        m.isoformat(sep=" ", timespec="microseconds").removesuffix("+00:00") for m in moments
    ]
    recent = epochs[(epochs > 189302400) & (epochs < 4102444800)]  # 1976–2099: +07:00
    assert iso_bulk(recent) == [iso(datetime.fromtimestamp(int(e), UTC)) for e in recent]
    assert stamps([], 0, " ", "") == []
    repeated = np.repeat(recent[:40], 50)  # few distinct values: each formatted once
    assert iso_bulk(repeated) == [iso(datetime.fromtimestamp(int(e), UTC)) for e in repeated]


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


CELLS = ("", " ", None, 3, 4.0, "1", "2", "4", "9", "10", "5", "Dừng xử lý", "in_progress",
         "ca-nhan", "H01 2", "02/11/2026", "02/11/2026 09:00", "02/11/2026 09:00:30",
         "2026-11-03 10:00:00", "20261103100000", "20261131100000", "2026110310000x",
         "31/02/2026 09:00", "29/02/2028 09:00", "29/02/2100", "02/11/2026 24:00",
         "02/11/2026 09:60", "03/11/2026 08:00:00", "04/11/2026", "x", "02/11/1970 09:00",
         "2026-11-02", "2026/11/02", "١٢/11/2026", "02/11/2026T09:00", P_3_DAYS,
         AGENCY_DEFAULT, "Nguyễn Đức", " 0912 ", "truc-tuyen", "POSTAL", "Trực tiếp",
         datetime(2026, 11, 2, 9, 0))  # fmt: skip  # noqa: DTZ001 - an Excel cell has no zone
FULL_HEADER = ["MaHoSo", "MaTTHC", "DonViXuLy", "DonViTiepNhan", "DonViTraKetQua", "ChuHoSo",
               "applicant_kind", "SoDinhDanh", "DiaChi", "SoDienThoai", "Email", "TrichYeuHoSo",
               "KenhThucHien", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra",
               "TrangThaiHoSo", "status_at", "status_reason"]  # fmt: skip


def _as_record_value(name: str, value: Any) -> Any:
    if name.endswith("_at"):
        return None if value == NONE else datetime.fromtimestamp(value, UTC)
    return value


@pytest.mark.parametrize("kind", ["csv", "spreadsheet"])
def test_column_reader_agrees_with_parse_dossier_on_random_lines(kind: str) -> None:
    """Where the column reader accepts a line, parse_dossier reads the very same record;
    the lines it leaves are the others. A CSV file's lines are all text and all as long (the
    reader then takes the columns as slices of all the cells); a spreadsheet's may hold
    numbers, dates, empty cells and short lines."""
    layout = locate_header("f.csv", [(1, list(FULL_HEADER))], DOSSIER_COLUMNS)
    rng = random.Random(61)
    cells_pool = [c for c in CELLS if isinstance(c, str)] if kind == "csv" else list(CELLS)
    base: list[Any] = ["H01-1", P_3_DAYS, AGENCY_DEFAULT, "", "", "Nguyễn Văn Đức", "", "001",
                       "Ấp 1", "09", "", "", "1", "02/11/2026 09:00:00", "", "", "", "", "",
                       ""]  # fmt: skip
    lines: list[tuple[int, list[Any]]] = []
    for number in range(2, 6002):
        cells = list(base)
        for _ in range(rng.randrange(1, 5)):
            cells[rng.randrange(len(cells))] = rng.choice(cells_pool)
        if kind == "spreadsheet" and rng.random() < 0.05:
            cells = cells[: rng.randrange(6, len(cells))]  # a short line
        cells[0] = f"H01-{number}" if rng.random() < 0.9 else cells[0]
        lines.append((number, cells))
    fast, unsure = read_columns(layout, lines)
    assert len(fast) + len(unsure) == len(lines)
    assert len(fast) > 1500
    statuses = fast.statuses()
    for index, position in enumerate(fast.position.tolist()):
        number, cells = lines[position]
        slow = parse_dossier(layout, number, cells)
        assert not isinstance(slow, list), (cells, slow)
        for name in ("line", "code", "procedure", "processing_agency", "receiving_agency",
                     "returning_agency", "applicant_name", "id_number", "address", "phone",
                     "email", "summary", "received_at", "declared_due_at", "completed_at",
                     "returned_at", "status_at", "status_reason"):  # fmt: skip
            value = getattr(fast, name)[index]
            value = value.item() if isinstance(value, np.generic) else value
            assert _as_record_value(name, value) == getattr(slow, name), (name, cells)
        assert fast.channel[index] == slow.channel.value, cells
        assert fast.applicant_kind[index] == slow.applicant_kind.value, cells
        assert statuses[index] is slow.status, cells
    left = [lines[p] for p in unsure]
    parsed = [parse_dossier(layout, n, c) for n, c in left]
    assert sum(isinstance(p, list) for p in parsed) > 1000  # the errors are parse_dossier's
    rows = np.array(rng.sample(range(len(fast)), len(fast) // 2), dtype=np.int64)
    taken = fast.take(rows)
    for name in ("code", "applicant_name", "summary", "channel", "procedure"):
        assert getattr(taken, name) == [getattr(fast, name)[i] for i in rows.tolist()]
    assert taken.received_at.tolist() == fast.received_at[rows].tolist()


def test_fold_all_of_many_repeated_names_is_fold() -> None:
    rng = random.Random(8)
    names = [rng.choice((*NAMES, "  Ông  ĐỖ\tVăn  ")) for _ in range(6000)]
    assert fold_all(names) == [fold(n) for n in names]
