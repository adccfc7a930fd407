"""`tthc db migrate-to`: a whole ledger to an empty database and back, verified by row counts
and checksums; refusals, and a copy that does not verify leaves nothing usable behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends import Ledger, PostgresServer
from tests.conftest import Runner, add_dossier, fails, ok, runner_for
from tests.maintenance.conftest import ALL_TABLES, dump

ISSUE = ("--reason", "Chờ xác minh", "--new-due", "2026-12-01 09:00", "--at", "2026-11-26 10:00")


@pytest.fixture
def postgres_db(postgres_server: PostgresServer) -> Iterator[Ledger]:
    """An empty PostgreSQL database, whatever backend the test's own ledger is on."""
    ledger = postgres_server.create()
    yield ledger
    postgres_server.drop(ledger)


def migrate_json(run: Runner, target: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("db", "migrate-to", target, "--json")).out)
    return data


def checksums(data: dict[str, Any]) -> dict[str, tuple[int, str]]:
    found = {}
    for t in data["tables"]:
        assert (t["source_rows"], t["source_checksum"]) == (t["target_rows"], t["target_checksum"])
        found[t["table"]] = (t["target_rows"], t["target_checksum"])
    return found


@pytest.mark.sqlite_only(reason="moves the SQLite ledger to PostgreSQL and back")
def test_sqlite_to_postgresql_and_back(
    ledger: Runner, ledger_db: Ledger, postgres_db: Ledger, env: Path
) -> None:
    before = dump(ledger_db)
    there = migrate_json(ledger, postgres_db.url)
    assert there["ok"] is True
    sums = checksums(there)
    assert sorted(sums) == sorted(ALL_TABLES)
    assert {t: n for t, (n, _) in sums.items()} == {t: len(rows) for t, rows in before.items()}
    assert sums["dossier"][0] == 6 and sums["letter"][0] == 3  # 2 issued, 1 draft

    back_url = f"sqlite:///{env / 've-lai.db'}"
    back = migrate_json(runner_for(postgres_db.url), back_url)
    assert checksums(back) == sums
    assert dump(Ledger("sqlite", back_url, path=env / "ve-lai.db")) == before
    for url in (postgres_db.url, back_url):
        ok(ledger("db", "check", db=url))

    # the copy on PostgreSQL is a working ledger: ids continue after the copied ones
    province = runner_for(postgres_db.url)
    letter = json.loads(ok(province("letters", "issue", "HS-06", *ISSUE, "--json")).out)
    assert letter["number"] == "02/PXL"
    add_dossier(province, "HS-07", "2026-11-26 09:00")
    ok(province("sweep", "--as-of", "2026-11-27 08:00"))
    assert "HS-02" in ok(province("dossier", "search", "ly tran")).out
    ok(province("db", "check"))


def test_a_target_with_data_is_refused(ledger: Runner, ledger_db: Ledger, other_db: Ledger) -> None:
    first = migrate_json(ledger, other_db.url)  # same backend: a plain verified copy
    assert first["ok"] is True
    assert dump(other_db) == dump(ledger_db)
    add_dossier(ledger, "HS-MOI", "2026-11-26 09:00")
    fails(ledger("db", "migrate-to", other_db.url), "đã có dữ liệu", "cơ sở dữ liệu trống")
    assert len(other_db.query("SELECT * FROM dossier")) == 6
    fails(ledger("db", "migrate-to", ledger_db.url), "trùng với cơ sở dữ liệu đang dùng")


def test_a_copy_that_does_not_verify_is_not_kept(
    ledger: Runner, ledger_db: Ledger, other_db: Ledger
) -> None:
    """The target alters what it is given (a trigger someone left there): the checksums
    differ, the copy is rolled back and the target holds no rows."""
    ok(ledger("init", db=other_db.url))
    if other_db.backend == "sqlite":
        other_db.execute(
            "CREATE TRIGGER mark_place AFTER INSERT ON agency BEGIN "
            "UPDATE agency SET place = place || '.' WHERE id = new.id; END"
        )
    else:
        other_db.execute(
            "CREATE FUNCTION mark_place() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.place = NEW.place || '.'; RETURN NEW; END $$",
            "CREATE TRIGGER mark_place BEFORE INSERT ON agency"
            " FOR EACH ROW EXECUTE FUNCTION mark_place()",
        )
    result = fails(ledger("db", "migrate-to", other_db.url, "--json"), "khác bản gốc ở bảng agency")
    data = json.loads(result.out)
    assert data["ok"] is False
    bad = [t["table"] for t in data["tables"] if not t["ok"]]
    assert bad == ["agency"]
    for table in ALL_TABLES:
        if table != "alembic_version":
            assert other_db.query(f'SELECT count(*) FROM "{table}"') == [(0,)], table


@pytest.mark.sqlite_only(reason="a value SQLite accepts and PostgreSQL refuses")
def test_a_failed_copy_leaves_no_schema_behind(
    ledger: Runner, ledger_db: Ledger, postgres_db: Ledger
) -> None:
    ledger_db.execute("UPDATE agency SET apology_lead_days = 'một' WHERE code = 'PHUONG-B'")
    fails(ledger("db", "migrate-to", postgres_db.url), "Cơ sở dữ liệu báo lỗi", "một")
    tables = postgres_db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    )
    assert tables == []
