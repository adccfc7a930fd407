"""`tthc db check`: a healthy ledger passes; each kind of damage is found and named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok
from tests.maintenance.conftest import own_letter_files
from tthc_tracker.storage.db import head_revision

CHECKS = ["schema", "foreign_keys", "letters", "events"]


def check_json(run: Runner, expect_ok: bool) -> dict[str, Any]:
    result = run("db", "check", "--json")
    if expect_ok:
        ok(result)
    else:
        fails(result, "không đạt kiểm tra")
    data: dict[str, Any] = json.loads(result.out)
    return data


def failing(data: dict[str, Any]) -> dict[str, list[str]]:
    return {c["name"]: c["details"] for c in data["checks"] if not c["ok"]}


def test_a_realistic_ledger_passes(ledger: Runner) -> None:
    result = ok(ledger("db", "check"))
    lines = result.out.splitlines()
    assert lines[0] == f"OK   Phiên bản cấu trúc: {head_revision()} (mới nhất)"
    assert "OK   Tệp văn bản xin lỗi: 2 văn bản đã ban hành, tệp khớp mã băm SHA-256" in lines
    assert "OK   Khóa ngoại: mọi liên kết giữa các bảng đều trỏ tới dòng có thật" in lines
    assert any(line.startswith("OK   Chuỗi sự kiện hồ sơ: 6 hồ sơ,") for line in lines)
    data = check_json(ledger, True)
    assert data["ok"] is True
    assert [c["name"] for c in data["checks"]] == CHECKS


def test_orphaned_rows_are_found(ledger: Runner, ledger_db: Ledger) -> None:
    (dossier_id,) = ledger_db.query("SELECT id FROM dossier WHERE code = 'HS-03'")[0]
    statements = [f"DELETE FROM dossier WHERE id = {dossier_id}"]
    if ledger_db.backend == "postgresql":  # as a restore with constraints disabled leaves it
        statements.insert(0, "SET session_replication_role = replica")
    ledger_db.execute(*statements)  # SQLite: a plain connection does not enforce keys
    problems = failing(check_json(ledger, False))
    assert list(problems) == ["foreign_keys"]
    (detail,) = problems["foreign_keys"]
    assert detail.startswith("dossier_event.dossier_id → dossier: 2 dòng trỏ tới dòng không tồn")
    result = ledger("db", "check")
    assert "LỖI  Khóa ngoại: " in result.out
    fails(result, "Khóa ngoại")


def test_a_tampered_letter_file_is_found(ledger: Runner, ledger_db: Ledger, env: Path) -> None:
    first, second = own_letter_files(ledger_db, env)
    ok(ledger("db", "check"))
    first.write_bytes(first.read_bytes() + b"\0")
    second.unlink()
    problems = failing(check_json(ledger, False))
    assert list(problems) == ["letters"]
    details = sorted(problems["letters"])
    assert len(details) == 2
    assert any("tệp đã bị sửa (mã băm SHA-256 khác)" in d and str(first) in d for d in details)
    assert any("thiếu tệp" in d and "HS-02" in d for d in details)


def test_a_gap_in_the_event_sequence_is_found(ledger: Runner, ledger_db: Ledger) -> None:
    (dossier_id,) = ledger_db.query("SELECT id FROM dossier WHERE code = 'HS-04'")[0]
    ledger_db.execute(f"DELETE FROM dossier_event WHERE dossier_id = {dossier_id} AND seq = 2")
    left = [seq for (seq,) in ledger_db.query(
        f"SELECT seq FROM dossier_event WHERE dossier_id = {dossier_id} ORDER BY seq"
    )]  # fmt: skip
    assert left[:2] == [1, 3]
    seqs = ", ".join(str(s) for s in left)
    problems = failing(check_json(ledger, False))
    assert problems == {
        "events": [f"HS-04: số thứ tự sự kiện không liên tục từ 1: {seqs} (thiếu 2)"]
    }


def test_a_status_that_the_history_does_not_lead_to_is_found(
    ledger: Runner, ledger_db: Ledger
) -> None:
    ledger_db.execute("UPDATE dossier SET status = 'returned' WHERE code = 'HS-03'")
    (detail,) = failing(check_json(ledger, False))["events"]
    assert (
        detail == "HS-03: sổ ghi trạng thái “Đã trả kết quả” nhưng lịch sử dẫn tới “Đã xử lý xong”"
    )


def test_events_out_of_order_and_a_missing_receipt_are_found(
    ledger: Runner, ledger_db: Ledger
) -> None:
    ids = dict(ledger_db.query("SELECT code, id FROM dossier WHERE code IN ('HS-01', 'HS-05')"))
    ledger_db.execute(
        f"UPDATE dossier_event SET kind = 'updated' WHERE dossier_id = {ids['HS-05']} AND seq = 1",
        # HS-01's return (its last event) dated before its completion
        "UPDATE dossier_event SET at = (SELECT at FROM dossier_event e "
        f"WHERE e.dossier_id = {ids['HS-01']} AND e.seq = 1) "
        f"WHERE dossier_id = {ids['HS-01']} AND kind = 'returned'",
    )
    details = sorted(failing(check_json(ledger, False))["events"])
    assert details[0].startswith("HS-01: sự kiện số ")
    assert "(Trả kết quả, 04/03/2026 09:00) sớm hơn bước trước đó (11/03/2026 10:00)" in details[0]
    assert details[1] == "HS-05: sự kiện đầu tiên là “Sửa thông tin”, không phải “Tiếp nhận”"


def test_a_wrong_schema_version_is_found(ledger: Runner, ledger_db: Ledger) -> None:
    ledger_db.execute("UPDATE alembic_version SET version_num = '0003'")
    problems = failing(check_json(ledger, False))
    assert problems == {
        "schema": [f"0003, cũ hơn bản mới nhất {head_revision()}; chạy tthc init để nâng cấp"]
    }
    ledger_db.execute("UPDATE alembic_version SET version_num = '9999'")
    (detail,) = failing(check_json(ledger, False))["schema"]
    assert detail.startswith("9999: không có trong các bản nâng cấp của phần mềm này")


def test_an_empty_database_is_not_a_ledger(run: Runner, ledger_db: Ledger) -> None:
    data = check_json(run, False)
    assert [c["name"] for c in data["checks"]] == ["schema"]
    assert data["checks"][0]["summary"].startswith("chưa khởi tạo")
