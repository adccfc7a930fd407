"""`tthc dossier search`: case and diacritics ignored, codes and phones with punctuation,
FTS5 syntax typed by a user never raises, and every write path keeps the index right."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import col

from tests.backends import Ledger, Ledgers
from tests.conftest import (
    AGENCY_DEFAULT,
    P_3_DAYS,
    Runner,
    add_dossier,
    build_template,
    fails,
    ok,
)
from tests.imports.files import HEADER, write_csv
from tthc_tracker.domain.search import query_terms, search_text
from tthc_tracker.storage.db import make_engine
from tthc_tracker.storage.models import DossierRow
from tthc_tracker.storage.search import matching

DUC = "000.00.53.H48-260302-0001"
HOA = "000.00.53.H48-260303-0002"
ANH = "000.00.53.H48-260304-0003"
DONG = "000.00.53.H48-260305-0004"


def _four_dossiers(run: Runner) -> None:
    add_dossier(run, DUC, "02/03/2026 09:00", extra=("--phone", "0912.345.678"))
    add_dossier(
        run, HOA, "03/03/2026 09:00", applicant="Trần Thị Hoa", extra=("--phone", "0987 654 321")
    )
    add_dossier(run, ANH, "04/03/2026 09:00", applicant="NGUYỄN ĐỨC ANH")
    add_dossier(
        run,
        DONG,
        "05/03/2026 09:00",
        applicant="Công ty TNHH Đông Dương",
        extra=("--applicant-kind", "to-chuc"),
    )


@pytest.fixture(scope="session")
def ledger_template(
    tmp_path_factory: pytest.TempPathFactory, backend: Ledgers, seeded_template: Ledger
) -> Ledger:
    return build_template(tmp_path_factory, backend, seeded_template, _four_dossiers)


@pytest.fixture
def ledger(run: Runner, backend: Ledgers, ledger_db: Ledger, ledger_template: Ledger) -> Runner:
    """The seeded catalogue and four dossiers received through the CLI (a copy)."""
    backend.copy(ledger_template, ledger_db)
    return run


def found(run: Runner, query: str, *extra: str) -> list[str]:
    data = json.loads(ok(run("dossier", "search", "--json", *extra, "--", query)).out)
    return [d["code"] for d in data]


CASES = [
    ("nguyen van duc", {DUC}),
    ("NGUYỄN VĂN ĐỨC", {DUC}),
    (unicodedata.normalize("NFD", "Nguyễn Văn Đức"), {DUC}),
    ("Duc", {DUC, ANH}),
    ("đức", {DUC, ANH}),
    ("ĐỨC anh", {ANH}),
    ("nguy", {DUC, ANH}),  # the start of a word
    ("dong duong", {DONG}),
    ("tran thi hoa", {HOA}),
    ("H48-260302", {DUC}),
    ("h48-260303-0002", {HOA}),
    ("260304", {ANH}),
    ("0004", {DONG}),
    (DONG, {DONG}),
    ("0912.345.678", {DUC}),
    ("0912 345 678", {DUC}),
    ("0912345678", {DUC}),
    ("0987-654-321", {HOA}),
    ("0987 654", {HOA}),  # the start of a phone number
    ("hoa 0987.654.321", {HOA}),
    ("nguyen hoa", set()),
    ("le van", set()),
]
SYNTAX = ['"', "*", "-", "(", ")", "^", ":", "+", "'", "AND", "OR", "NOT", "NEAR"]
PUNCTUATION = [c for c in SYNTAX if not c.isalpha()]
SYNTAX_CASES = [
    *((c, set()) for c in SYNTAX if c.isalpha()),
    *((f"{c}duc{c}", {DUC, ANH}) for c in PUNCTUATION),  # the punctuation around is dropped
    *((f"duc {c}", set()) for c in SYNTAX if c.isalpha()),  # a word like any other: required
    ("nguyen* -anh", {ANH}),  # not FTS5's prefix and NOT: the words "nguyen" and "anh"
    ('duc" OR "hoa', set()),
    ("NEAR(duc anh)", set()),  # the word "near(duc" is required
    ("dossier_fts:duc", set()),
    ("{search_text}: duc", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_search(ledger: Runner, query: str, expected: set[str]) -> None:
    assert set(found(ledger, query)) == expected


@pytest.mark.parametrize(("query", "expected"), SYNTAX_CASES, ids=[c[0] for c in SYNTAX_CASES])
def test_fts_syntax_typed_by_a_user_never_raises(
    ledger: Runner, query: str, expected: set[str]
) -> None:
    assert set(found(ledger, query)) == expected


@pytest.mark.parametrize("query", PUNCTUATION)
def test_punctuation_alone_is_nothing_to_search_for(ledger: Runner, query: str) -> None:
    fails(ledger("dossier", "search", "--", query), "TEXT", "không được để trống")


def test_table_output_and_limit(ledger: Runner) -> None:
    out = ok(ledger("dossier", "search", "nguyen")).out
    assert "Nguyễn Văn Đức" in out
    assert "NGUYỄN ĐỨC ANH" in out
    assert "Tổng: 2 hồ sơ." in out
    assert len(found(ledger, "h48", "--limit", "3")) == 3
    fails(ledger("dossier", "search", "h48", "--limit", "0"), "--limit")
    for nothing in ("", "  ", "*?!"):  # nothing to search for: said, not an empty table
        fails(ledger("dossier", "search", "--", nothing), "TEXT", "không được để trống")


def test_best_match_first_then_latest_received(seeded: Runner) -> None:
    for number, day in ((1, "02"), (2, "04"), (3, "03")):
        add_dossier(seeded, f"H01-00{number}", f"{day}/03/2026 09:00", applicant="Lê Văn Tám")
    add_dossier(seeded, "H01-009", "01/03/2026 09:00", applicant="Tám")
    # the shortest text matching "tam" ranks first (bm25); equal ranks: latest received first
    assert found(seeded, "tam") == ["H01-009", "H01-002", "H01-003", "H01-001"]


def test_a_lifecycle_change_keeps_the_dossier_found(ledger: Runner, ledger_db: Ledger) -> None:
    ok(ledger("dossier", "complete", DUC, "--at", "03/03/2026 10:00"))
    ok(ledger("dossier", "return", DUC, "--at", "03/03/2026 11:00"))
    assert found(ledger, "nguyen van duc") == [DUC]
    assert found(ledger, "0912 345 678") == [DUC]
    assert_index_consistent(ledger_db)


def test_an_import_update_reindexes_name_and_phone(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path
) -> None:
    header = [*HEADER, "SoDienThoai"]
    row = ["H01-0001", P_3_DAYS, AGENCY_DEFAULT, "Phạm Thị Mai", "1", "02/11/2026 09:00"]
    ok(seeded("import", "dossiers", str(write_csv(tmp_path / "a.csv", header, [[*row, "0912"]]))))
    assert found(seeded, "pham thi mai") == ["H01-0001"]
    renamed = [*row[:3], "Phạm Thị Mai Anh", *row[4:], "0987.111.222"]
    changed = write_csv(tmp_path / "b.csv", header, [renamed])
    ok(seeded("import", "dossiers", str(changed), "--update"))
    assert found(seeded, "mai anh") == ["H01-0001"]
    assert found(seeded, "0987 111 222") == ["H01-0001"]
    assert found(seeded, "0912") == []
    assert_index_consistent(ledger_db)


@pytest.mark.sqlite_only  # the FTS5 triggers are SQLite's
def test_rows_written_by_plain_sql_are_indexed_by_the_triggers(
    ledger: Runner, db_path: Path
) -> None:
    connection = sqlite3.connect(db_path)
    try:
        connection.execute(
            "UPDATE dossier SET applicant_name = 'Hồ Văn Sơn', search_text = ? WHERE code = ?",
            (search_text("Hồ Văn Sơn", HOA, "0987 654 321"), HOA),
        )
        dossier_id = connection.execute("SELECT id FROM dossier WHERE code = ?", (DONG,)).fetchone()
        connection.execute("DELETE FROM dossier_event WHERE dossier_id = ?", dossier_id)
        connection.execute("DELETE FROM dossier WHERE id = ?", dossier_id)
        connection.commit()
    finally:
        connection.close()
    assert found(ledger, "ho van son") == [HOA]
    assert found(ledger, "tran thi hoa") == []
    assert found(ledger, "dong duong") == []
    assert_index_consistent(Ledger("sqlite", f"sqlite:///{db_path}", path=db_path))


def test_every_write_path_stores_the_folded_text(ledger: Runner, ledger_db: Ledger) -> None:
    assert_folded(ledger_db)


def assert_folded(ledger_db: Ledger) -> None:
    rows = ledger_db.query("SELECT applicant_name, code, phone, search_text FROM dossier")
    for name, code, phone, stored in rows:
        assert stored == search_text(name, code, phone)


def assert_index_consistent(ledger_db: Ledger) -> None:
    """The folded column is current; on SQLite FTS5's own check passes too."""
    assert_folded(ledger_db)
    if ledger_db.backend == "sqlite":
        ledger_db.execute(
            "INSERT INTO dossier_fts(dossier_fts, rank) VALUES ('integrity-check', 1)"
        )


# -- the same matching through LIKE on the folded column (the PostgreSQL path) --------------


@pytest.fixture
def engine(ledger: Runner, db_path: Path) -> Iterator[Engine]:
    """The ledger's SQLite file, to run both match paths on the same rows."""
    engine = make_engine(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


def codes_by(engine: Engine, query: str, dialect: str) -> list[str]:
    statement = select(col(DossierRow.code)).select_from(DossierRow)
    with engine.connect() as connection:
        return list(connection.scalars(matching(statement, query_terms(query), dialect)))


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_fts_and_like_agree(engine: Engine, dialect: str, query: str, expected: set[str]) -> None:
    assert set(codes_by(engine, query, dialect)) == expected


@pytest.mark.sqlite_only
@pytest.mark.parametrize("query", [*SYNTAX, "100%", "a_b", "n_uyen", "ng%n", "50/50"])
def test_like_escapes_wildcards(engine: Engine, query: str) -> None:
    assert codes_by(engine, query, "postgresql") == []


@pytest.mark.sqlite_only
def test_like_also_matches_inside_a_word(engine: Engine) -> None:
    """The one difference: FTS5 matches the start of a word, LIKE anywhere in the text."""
    assert codes_by(engine, "345678", "sqlite") == []
    assert codes_by(engine, "345678", "postgresql") == [DUC]
    with engine.connect() as connection:
        plan = connection.execute(
            text("EXPLAIN QUERY PLAN SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH 'x'")
        ).all()
    assert "VIRTUAL TABLE INDEX" in str(plan)
