"""Copying a whole ledger to another database (SQLite ↔ PostgreSQL), verified.

The target gets its schema from the migrations first; then every model table is copied,
parents before children, in batches, from one read snapshot of the source, inside one
transaction on the target. Before that transaction commits, every table (``alembic_version``
included) is read back from the target and compared with what was read from the source:
row counts and a checksum computed the same way on both sides from normalised values
(instants as UTC ISO 8601, dates as ISO, booleans as JSON booleans). The checksum is the sum
modulo 2²⁵⁶ of each row's SHA-256, so it does not depend on the order rows come back in
(text ordering differs between SQLite and PostgreSQL collations). Any difference or error
rolls the copy back, and a schema this copy created is dropped again: nobody can start using
a half copy. PostgreSQL sequences are moved past the copied ids before the commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    Numeric,
    Table,
    TypeDecorator,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from tthc_tracker.domain.errors import DatabaseError
from tthc_tracker.storage.db import upgrade
from tthc_tracker.storage.maintenance import (
    ALEMBIC_VERSION,
    STREAM,
    existing_tables,
    ledger_tables,
    snapshot,
)
from tthc_tracker.storage.search import FTS_TABLE

MODULUS = 2**256


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table on both sides: rows and checksums (hex)."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def matches(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True, slots=True)
class Copied:
    tables: tuple[TableCopy, ...]
    committed: bool  # False: a difference was found, nothing was kept on the target


class _Mismatch(Exception):
    """Raised inside the target transaction to roll it back."""


def _utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset() is None:  # a naive value is UTC, as SQLite stores it
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _normaliser(table: Table) -> Callable[[Sequence[Any]], list[Any]]:
    """Turns a row of ``table`` into JSON values: instants as UTC ISO 8601, dates as ISO."""
    convert: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(table.columns):
        kind = column.type
        while isinstance(kind, TypeDecorator):  # UTCDateTime stores a DateTime
            kind = kind.impl_instance
        if isinstance(kind, DateTime):
            convert.append((index, _utc_text))
        elif isinstance(kind, Date):
            convert.append((index, _iso_date))
        elif isinstance(kind, Numeric):
            convert.append((index, lambda v: None if v is None else str(v)))

    def normalise(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for index, function in convert:
            values[index] = function(values[index])
        return values

    return normalise


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class Checksum:
    """Rows of a table and an order-independent checksum of them: the sum modulo 2²⁵⁶ of the
    SHA-256 of each row's normalised values written as a compact JSON array (UTF-8)."""

    def __init__(self, table: Table) -> None:
        self.rows = 0
        self._sum = 0
        self._normalise = _normaliser(table)

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        total, count = self._sum, 0
        for row in rows:
            encoded = _ENCODER.encode(self._normalise(row)).encode()
            total += int.from_bytes(hashlib.sha256(encoded).digest())
            count += 1
        self._sum = total % MODULUS
        self.rows += count

    @property
    def hexdigest(self) -> str:
        return f"{self._sum:064x}"


def table_checksum(connection: Connection, table: Table) -> Checksum:
    checksum = Checksum(table)
    result = connection.execute(select(*table.columns).execution_options(**STREAM))
    for part in result.partitions():
        checksum.add(part)
    return checksum


def _copy_table(source: Connection, target: Connection, table: Table) -> Checksum:
    checksum = Checksum(table)
    names = [c.name for c in table.columns]
    result = source.execute(select(*table.columns).execution_options(**STREAM))
    for part in result.partitions():
        checksum.add(part)
        target.execute(insert(table), [dict(zip(names, row, strict=True)) for row in part])
    return checksum


def _reset_sequences(target: Connection, tables: Sequence[Table]) -> None:
    """Move each PostgreSQL serial sequence past the largest copied id."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = target.execute(
            select(func.pg_get_serial_sequence(table.name, column.name))
        ).scalar()
        if sequence is None:
            continue
        last = target.execute(select(func.max(column))).scalar()
        target.execute(
            select(func.setval(sequence, last if last is not None else 1, last is not None))
        )


def copy_ledger(source: Engine, target: Engine) -> Copied:
    """Copy every table of ``source`` to ``target`` (whose emptiness the caller checked)."""
    created = not (existing_tables(target) & {t.name for t in ledger_tables()})
    upgrade(target)
    tables = ledger_tables()
    copies: list[TableCopy] = []
    try:
        with snapshot(source) as reading, target.begin() as writing:
            for table in tables:
                read = _copy_table(reading, writing, table)
                copies.append(_compare(table, read, table_checksum(writing, table)))
            version = table_checksum(reading, ALEMBIC_VERSION)
            copies.append(
                _compare(ALEMBIC_VERSION, version, table_checksum(writing, ALEMBIC_VERSION))
            )
            if target.dialect.name == "postgresql":
                _reset_sequences(writing, tables)
            if not all(c.matches for c in copies):
                raise _Mismatch
    except _Mismatch:
        if created:
            drop_ledger(target)
        return Copied(tuple(copies), committed=False)
    except SQLAlchemyError as exc:
        if created:
            drop_ledger(target)
        orig = getattr(exc, "orig", None)
        raise DatabaseError(str(orig if orig is not None else exc).strip()) from exc
    except BaseException:
        if created:
            drop_ledger(target)
        raise
    return Copied(tuple(copies), committed=True)


def _compare(table: Table, source: Checksum, target: Checksum) -> TableCopy:
    return TableCopy(table.name, source.rows, target.rows, source.hexdigest, target.hexdigest)


def drop_ledger(engine: Engine) -> None:
    """Drop the ledger's tables (and, on SQLite, its full-text index); nothing else."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
        SQLModel.metadata.drop_all(connection, checkfirst=True)
        ALEMBIC_VERSION.drop(connection, checkfirst=True)
