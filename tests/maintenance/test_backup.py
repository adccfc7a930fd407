"""`tthc db backup` / `tthc db restore`: round trip of a realistic ledger on each backend,
refusals that change nothing, and the message when PostgreSQL's tools are missing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.backends import Ledger
from tests.conftest import Runner, add_dossier, fails, ok, runner_for
from tests.maintenance.conftest import dump
from tthc_tracker.storage import backup as backup_storage
from tthc_tracker.storage.db import head_revision


def test_round_trip_gives_the_same_ledger_and_it_passes_the_check(
    ledger: Runner, ledger_db: Ledger, other_db: Ledger, env: Path
) -> None:
    before = dump(ledger_db)
    file = env / "sao-luu" / "tthc.bak"
    data = json.loads(ok(ledger("db", "backup", str(file), "--json")).out)
    assert data["backend"] == ledger_db.backend
    assert data["revision"] == head_revision()
    assert data["bytes"] == file.stat().st_size > 0
    assert [p.name for p in file.parent.iterdir()] == ["tthc.bak"]  # no temporary left
    if ledger_db.backend == "sqlite":  # one self-contained file, not a WAL database
        with sqlite3.connect(file) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    result = ok(ledger("db", "restore", str(file), db=other_db.url))
    assert result.out.startswith(
        f"Đã khôi phục {file} (cấu trúc {head_revision()}).\nOK   Phiên bản cấu trúc"
    )
    assert "LỖI" not in result.out
    assert dump(other_db) == before
    ok(ledger("db", "check", db=other_db.url))
    # a working ledger: search finds its dossiers, letter numbers go on from the copy
    other = runner_for(other_db.url)
    assert "HS-02" in ok(other("dossier", "search", "tran thi ly")).out
    issue = (
        "--reason",
        "Chờ xác minh",
        "--new-due",
        "2026-12-01 09:00",
        "--at",
        "2026-11-26 10:00",
    )
    letter = json.loads(ok(other("letters", "issue", "HS-06", *issue, "--json")).out)
    assert letter["number"] == "02/PXL"
    assert add_dossier(other, "HS-07", "2026-11-26 09:00")["code"] == "HS-07"


def test_restore_refuses_a_ledger_with_data_unless_forced(
    ledger: Runner, ledger_db: Ledger, env: Path
) -> None:
    file = env / "tthc.bak"
    ok(ledger("db", "backup", str(file)))
    before = dump(ledger_db)
    add_dossier(ledger, "HS-MOI", "2026-11-26 09:00")
    changed = dump(ledger_db)
    fails(ledger("db", "restore", str(file)), "đã có dữ liệu", "--force")
    assert dump(ledger_db) == changed
    ok(ledger("db", "restore", str(file), "--force"))
    assert dump(ledger_db) == before


def test_a_broken_backup_changes_nothing(ledger: Runner, ledger_db: Ledger, env: Path) -> None:
    file = env / "tthc.bak"
    ok(ledger("db", "backup", str(file)))
    add_dossier(ledger, "HS-MOI", "2026-11-26 09:00")
    before = dump(ledger_db)
    content = file.read_bytes()
    file.write_bytes(content[: len(content) * 2 // 3])  # a copy cut short
    result = ledger("db", "restore", str(file), "--force")
    assert result.code == 1 and result.err.startswith("Lỗi: "), result
    if ledger_db.backend == "sqlite":  # said in Vietnamese, SQLite's words kept beside
        assert "tệp SQLite hỏng hoặc không trọn vẹn" in result.err, result.err
    assert dump(ledger_db) == before
    ok(ledger("db", "check"))
    file.write_text("không phải bản sao lưu", encoding="utf-8")
    fails(ledger("db", "restore", str(file), "--force"), "không phải bản sao lưu của tthc")
    assert dump(ledger_db) == before


def test_backup_is_consistent_while_someone_writes(
    ledger: Runner, ledger_db: Ledger, other_db: Ledger, env: Path
) -> None:
    """A write not yet committed when the backup runs is not in it; the writer is not hurt."""
    file = env / "tthc.bak"
    engine = ledger_db.engine()
    try:
        with engine.connect() as writer:
            transaction = writer.begin()
            writer.execute(
                text(
                    "INSERT INTO calendar_edit (day, kind, reason, actor, created_at) VALUES "
                    "('2027-01-04', 'off', 'đang ghi', 'x', '2026-11-27 03:00:00.000000')"
                )
            )
            ok(ledger("db", "backup", str(file)))
            transaction.commit()
    finally:
        engine.dispose()
    ok(ledger("db", "restore", str(file), db=other_db.url))
    days = {str(d) for (d,) in other_db.query("SELECT day FROM calendar_edit")}
    assert days == {"2026-12-31"}
    assert len(ledger_db.query("SELECT day FROM calendar_edit")) == 2


def test_backup_refuses_to_overwrite_a_file(ledger: Runner, env: Path) -> None:
    file = env / "tthc.bak"
    file.write_text("tệp cũ", encoding="utf-8")
    fails(ledger("db", "backup", str(file)), "tthc.bak", "đã có", "--force")
    assert file.read_text(encoding="utf-8") == "tệp cũ"
    ok(ledger("db", "backup", str(file), "--force"))
    assert file.read_text(encoding="utf-8", errors="replace") != "tệp cũ"


def test_a_backup_of_the_other_backend_is_refused(
    ledger: Runner, ledger_db: Ledger, env: Path
) -> None:
    file = env / "khac.bak"
    if ledger_db.backend == "sqlite":
        file.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))  # a pg_dump archive's header
        other = "postgresql"
    else:
        ok(ledger("init", db=f"sqlite:///{env / 'van-phong.db'}"))
        ok(ledger("db", "backup", str(file), db=f"sqlite:///{env / 'van-phong.db'}"))
        other = "sqlite"
    fails(
        ledger("db", "restore", str(file), "--force"),
        f"đây là bản sao lưu {other}",
        "tthc db migrate-to",
    )


def test_missing_postgresql_tools_are_named(
    ledger: Runner, ledger_db: Ledger, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ledger_db.backend != "postgresql":
        pytest.skip("pg_dump and pg_restore serve PostgreSQL ledgers only")
    file = env / "tthc.bak"
    ok(ledger("db", "backup", str(file)))
    empty = env / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    # the versioned Debian folders are searched too: point that search at nothing
    monkeypatch.setattr(backup_storage, "PG_BIN_GLOBS", (str(env / "no-postgresql/*/bin"),))
    fails(ledger("db", "backup", str(env / "b2.bak")), "pg_dump", "postgresql-client", "PATH")
    assert not (env / "b2.bak").exists()
    fails(ledger("db", "restore", str(file), "--force"), "pg_restore", "postgresql-client")


def test_tools_are_found_in_the_versioned_debian_folders(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("13", "15"):
        folder = env / "lib" / version / "bin"
        folder.mkdir(parents=True)
        (folder / "pg_dump").write_text("#!/bin/sh\n", encoding="utf-8")
        (folder / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(env / "nothing"))
    monkeypatch.setattr(backup_storage, "PG_BIN_GLOBS", (str(env / "lib/*/bin"),))
    assert backup_storage.find_tool("pg_dump") == env / "lib" / "15" / "bin" / "pg_dump"
    with pytest.raises(backup_storage.MissingToolError):
        backup_storage.find_tool("pg_restore")
