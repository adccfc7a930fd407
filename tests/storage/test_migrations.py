"""The schema comes only from the Alembic migrations, and they give exactly the models' shape."""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.schema import CreateIndex
from sqlmodel import Session, SQLModel, select

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok, row_counts
from tthc_tracker.bootstrap import build, init_schema
from tthc_tracker.domain.errors import ConfigError
from tthc_tracker.storage import models
from tthc_tracker.storage.db import (
    Database,
    current_revision,
    head_revision,
    make_engine,
    require_schema,
    upgrade,
)
from tthc_tracker.storage.search import in_models
from tthc_tracker.storage.workflow import _finished_late_unextended

LATE_INDEX = "ix_dossier_late_finished"
TABLES = {"agency", "procedure", "dossier", "dossier_event", "calendar_edit"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield engine
    engine.dispose()


def test_migrating_an_empty_database_gives_exactly_the_models_schema(engine: Engine) -> None:
    assert models.AgencyRow.__tablename__ == "agency"  # the models are registered
    before, after = upgrade(engine)
    assert (before, after) == (None, head_revision())
    with engine.connect() as connection:
        # The search index (FTS5 table dossier_fts, its shadow tables and triggers) is made by
        # migration 0004 beside the models, not declared by them: the same filter as env.py
        # leaves it out; everything else must match exactly.
        context = MigrationContext.configure(connection, opts={"include_object": in_models})
        with warnings.catch_warnings():
            # SQLAlchemy cannot reflect SQLite's expression indexes (ix_dossier_late_finished,
            # 0005): compared below by its SQL instead
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expr")
            diff = compare_metadata(context, SQLModel.metadata)
            unfiltered = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    # the filter hides exactly the search objects, nothing else
    assert {(d[0], d[1].name) for d in unfiltered} == {
        ("remove_table", name)
        for name in (
            "dossier_fts",
            "dossier_fts_data",
            "dossier_fts_idx",
            "dossier_fts_docsize",
            "dossier_fts_config",
        )
    }
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_each_backend_gets_the_models_column_types(initialised: Runner, db_url: str) -> None:
    """On PostgreSQL a time column must be ``timestamp with time zone`` exactly as the models
    declare it (a plain ``timestamp`` would shift by the session's time zone)."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": in_models, "compare_type": True}
            )
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
                warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expr")
                diff = compare_metadata(context, SQLModel.metadata)
        assert [d for d in diff if d[0][0] == "modify_type"] == []
        times = {
            (table, column["name"]): column["type"]
            for table in ("letter", "dossier", "dossier_event")
            for column in inspect(engine).get_columns(table)
            if column["name"].endswith("_at")
        }
        assert ("letter", "recorded_at") in times
        if engine.dialect.name == "postgresql":
            naive = [name for name, kind in times.items() if not kind.timezone]
            assert naive == []
    finally:
        engine.dispose()


def test_the_late_finished_index_is_the_models_and_the_sweep_uses_it(engine: Engine) -> None:
    upgrade(engine)
    (index,) = [i for i in models.DossierRow.__table__.indexes if i.name == LATE_INDEX]
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": LATE_INDEX}
        ).scalar()
        assert stored == str(CreateIndex(index).compile(dialect=engine.dialect)).strip()
        # SQLite uses a partial index only when the query repeats its WHERE terms
        query = sa_select(models.DossierRow.id).where(  # type: ignore[call-overload]
            *_finished_late_unextended(datetime(2026, 1, 1, tzinfo=UTC), "sqlite")
        )
        compiled = query.compile(
            dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = compiled.construct_params()
        processors = compiled._bind_processors
        values = [
            processors[key](params[key]) if key in processors else params[key]
            for key in compiled.positiontup or []
        ]
        cursor = connection.connection.cursor()
        plan = cursor.execute("EXPLAIN QUERY PLAN " + str(compiled), values).fetchall()
    assert any(LATE_INDEX in str(step) for step in plan), plan


def test_upgrade_twice_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    tables = sorted(inspect(engine).get_table_names())
    before, after = upgrade(engine)
    assert before == after == head_revision()
    assert sorted(inspect(engine).get_table_names()) == tables
    assert current_revision(engine) == head_revision()


def test_file_databases_use_wal_and_foreign_keys(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    upgrade(engine)
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with Session(engine) as session:
        session.add(
            models.ProcedureRow(
                code="1.001612",
                name="Đăng ký khai sinh",
                field="Hộ tịch",
                limit_text="3 ngày làm việc",
                limit_amount="3",
                limit_unit="working_days",
                agency_id=999,  # no such agency
                created_at=now,
            )
        )
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            session.commit()


def test_an_aware_datetime_round_trips_and_is_stored_in_utc(engine: Engine, tmp_path: Path) -> None:
    upgrade(engine)
    hanoi = timezone(timedelta(hours=7))
    written = datetime(2026, 3, 2, 9, 0, tzinfo=hanoi)
    with Session(engine) as session:
        session.add(models.AgencyRow(code="STP-AG", name="SỞ TƯ PHÁP", created_at=written))
        session.commit()
    with Session(engine) as session:
        row = session.exec(select(models.AgencyRow)).one()
    assert row.created_at == written
    assert row.created_at.tzinfo is not None
    assert row.created_at.utcoffset() == timedelta(0)
    raw = sqlite3.connect(tmp_path / "ledger.db")
    try:
        stored = raw.execute("SELECT created_at FROM agency").fetchone()[0]
    finally:
        raw.close()
    assert stored == "2026-03-02 02:00:00.000000"


def test_a_naive_datetime_is_refused(engine: Engine) -> None:
    upgrade(engine)
    naive = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001 - the point of the test
    with Session(engine) as session:
        session.add(models.AgencyRow(code="STP-AG", name="SỞ TƯ PHÁP", created_at=naive))
        with pytest.raises(StatementError, match="timezone"):
            session.commit()


def test_require_schema_refuses_an_uninitialised_database(engine: Engine) -> None:
    with pytest.raises(ConfigError) as caught:
        require_schema(engine)
    assert "tthc init" in caught.value.message()
    upgrade(engine)
    require_schema(engine)  # no error once initialised


def test_bootstrap_builds_only_with_a_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    with pytest.raises(ConfigError):
        build(url)
    app = build(url, schema_required=False)
    try:
        assert init_schema(app) == (None, head_revision())
        assert init_schema(app) == (head_revision(), head_revision())
    finally:
        app.close()
    build(url).close()


def test_a_bad_database_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        make_engine("nosuchdialect://x")
    assert caught.value.what == "--db"


def test_cli_on_an_uninitialised_database_says_run_tthc_init(
    run: Runner, ledger_db: Ledger
) -> None:
    fails(run("agency", "list"), "tthc init", "--db")
    fails(run("dossier", "list"), "tthc init")
    if ledger_db.url.startswith("sqlite"):  # asking did not create an empty file
        assert not Path(ledger_db.url.removeprefix("sqlite:///")).exists()
    ok(run("init"))
    assert row_counts(ledger_db) == dict.fromkeys(row_counts(ledger_db), 0)
    ok(run("agency", "list"))


def test_cli_init_twice(run: Runner, db_url: str) -> None:
    first = ok(run("init"))
    assert f"trống → {head_revision()}" in first.out
    assert db_url in first.out
    second = ok(run("init"))
    assert f"đã ở phiên bản mới nhất ({head_revision()})" in second.out


def test_cli_uses_the_environment_url_then_the_default_file(
    cli: Runner, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli("init"))
    assert (env / "tthc.db").exists()  # sqlite:///tthc.db in the current directory
    other = env / "other.db"
    monkeypatch.setenv("TTHC_DATABASE_URL", f"sqlite:///{other}")
    ok(cli("init"))
    assert other.exists()


def test_passwords_in_database_urls_are_never_printed() -> None:
    engine = make_engine("postgresql+psycopg://clerk:s3cret@db.example/tthc")
    try:
        assert Database(engine).display_url == "postgresql+psycopg://clerk:***@db.example/tthc"
    finally:
        engine.dispose()
    with pytest.raises(ConfigError) as caught:
        make_engine("nosuchdialect://clerk:s3cret@db.example/tthc")
    assert "s3cret" not in caught.value.message()
    assert "clerk:***@db.example" in caught.value.message()
