"""Migration 0004 on a ledger that already has dossiers: the folded column is filled and the
index built; the triggers exist at head; downgrade removes everything it added."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, text

from tthc_tracker.domain.search import search_text
from tthc_tracker.storage.db import (
    MIGRATIONS,
    Database,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)

STAMP = datetime(2026, 11, 27, 3, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
TRIGGERS = {"dossier_fts_ai", "dossier_fts_ad", "dossier_fts_au"}
PEOPLE = [
    ("H48-260302-0001", "Nguyễn Văn Đức", "0912.345.678"),
    ("H48-260302-0002", "ĐẶNG THỊ HỒNG", ""),
    ("H48-260302-0003", "Công ty Cổ phần Đông Á", "(028) 3822 1234"),
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    yield engine
    engine.dispose()


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def insert_at_0003(connection: Connection, people: list[tuple[str, str, str]]) -> None:
    """Rows as a 0003 ledger holds them, written with plain SQL (no search_text column)."""
    connection.execute(
        text("INSERT INTO agency (id, code, name, parent, place, signer_title, signer_name,"
             " letter_suffix, office_hours, saturday_hours, saturday_counts, apology_lead_days,"
             " email, short_name, letter_template, created_at) VALUES (1, 'UB', 'UBND', '', '',"
             " '', '', 'PXL', '07:00-11:30,13:30-17:00', '', 0, 1, '', '', 'tt03-2025', :t)"),
        {"t": STAMP},
    )  # fmt: skip
    connection.execute(
        text("INSERT INTO procedure (id, code, name, field, level, limit_text, limit_amount,"
             " limit_unit, agency_id, created_at) VALUES (1, '1.001612', 'Đăng ký khai sinh',"
             " 'Hộ tịch', '', '3 ngày làm việc', '3', 'working_days', 1, :t)"),
        {"t": STAMP},
    )  # fmt: skip
    for code, name, phone in people:
        connection.execute(
            text("INSERT INTO dossier (code, procedure_id, receiving_agency_id,"
                 " processing_agency_id, returning_agency_id, applicant_name, applicant_kind,"
                 " id_number, address, phone, email, summary, channel, received_at,"
                 " original_due_at, due_at, status, supplement_requests, extended, version,"
                 " created_at, updated_at) VALUES (:code, 1, 1, 1, 1, :name, 'ca-nhan', '', '',"
                 " :phone, '', '', 'truc-tiep', :t, :t, :t, 'in_progress', 0, 0, 1, :t, :t)"),
            {"code": code, "name": name, "phone": phone, "t": STAMP},
        )  # fmt: skip


def search(engine: Engine, query: str) -> list[str]:
    with Database(engine).transaction() as repo:
        return [d.code for d in repo.search_dossiers(query)]


def sqlite_objects(engine: Engine, kind: str) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = :kind AND name LIKE 'dossier_fts%'"),
            {"kind": kind},
        )
        return {r[0] for r in rows}


def test_upgrading_a_0003_ledger_fills_and_indexes_existing_dossiers(engine: Engine) -> None:
    migrate(engine, "0003")
    with engine.begin() as connection:
        insert_at_0003(connection, PEOPLE)
    assert "search_text" not in {c["name"] for c in inspect(engine).get_columns("dossier")}
    assert upgrade(engine) == ("0003", head_revision())
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT applicant_name, code, phone, search_text FROM dossier")
        )
        for name, code, phone, folded in stored:
            assert folded == search_text(name, code, phone)
        connection.execute(
            text("INSERT INTO dossier_fts(dossier_fts, rank) VALUES ('integrity-check', 1)")
        )
    assert search(engine, "nguyen van duc") == ["H48-260302-0001"]
    assert search(engine, "dang thi hong") == ["H48-260302-0002"]
    assert search(engine, "dong a") == ["H48-260302-0003"]
    assert search(engine, "028 3822") == ["H48-260302-0003"]
    assert search(engine, "0912.345.678") == ["H48-260302-0001"]
    assert sorted(search(engine, "260302")) == [p[0] for p in PEOPLE]


def test_the_index_and_its_triggers_exist_at_head(engine: Engine) -> None:
    """A later migration that recreates the dossier table would drop the triggers: caught here."""
    upgrade(engine)
    assert sqlite_objects(engine, "trigger") == TRIGGERS
    assert "dossier_fts" in sqlite_objects(engine, "table")


def test_downgrade_removes_what_0004_added_and_upgrade_restores_it(engine: Engine) -> None:
    upgrade(engine)
    migrate(engine, "0003", down=True)
    assert current_revision(engine) == "0003"
    assert sqlite_objects(engine, "trigger") == set()
    assert sqlite_objects(engine, "table") == set()
    assert "search_text" not in {c["name"] for c in inspect(engine).get_columns("dossier")}
    with engine.begin() as connection:
        insert_at_0003(connection, PEOPLE[:1])
    upgrade(engine)
    assert search(engine, "DUC") == ["H48-260302-0001"]


def _migration_0004() -> ModuleType:
    path = MIGRATIONS / "versions" / "0004_dossier_search.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_backfill_covers_every_batch(engine: Engine) -> None:
    people = [(f"H48-{n:04d}", f"Lê Thị Ánh {n}", f"0900.000.{n:03d}") for n in range(1, 8)]
    migrate(engine, "0003")
    with engine.begin() as connection:
        insert_at_0003(connection, people)
    migrate(engine, "0004")
    with engine.begin() as connection:
        connection.execute(text("UPDATE dossier SET search_text = ''"))
        assert _migration_0004().fill_search_text(connection, batch=3) == 7
        rows = connection.execute(text("SELECT code, search_text FROM dossier ORDER BY id")).all()
    assert [r[1] for r in rows] == [search_text(n, c, p) for c, n, p in people]
    assert search(engine, "le thi anh 0900 000 007") == ["H48-0007"]
