"""Array parameters for PostgreSQL's bulk statements (workflow._pg_array): sent as one
joined text where that is safe, as a list otherwise; the server gets the same values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Boolean, Date, Integer, String, func
from sqlalchemy import select as sa_select
from sqlmodel.sql.sqltypes import AutoString

from tests.backends import Ledger
from tthc_tracker.storage.models import FlagRow
from tthc_tracker.storage.workflow import _pg_array

HANOI = timezone(timedelta(hours=7))
DUE_TYPE = FlagRow.__table__.c.due_at.type  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("item_type", "values"),
    [
        (Integer(), [1, 22, 333]),
        (Integer(), [7]),
        (String(), ["an", "", None, "Nguyễn Văn Đức", 'a,b {c} "d" \\e']),
        (String(), [""]),  # one empty string: string_to_array('') would give no element
        (String(), ["unit\x1fseparator", "x"]),  # a separator inside: sent as a list
        (String(), [None, None]),
        (AutoString(), ["flagged", "at_risk"]),
        (Boolean(), [True, False, None]),
        (Date(), [date(2026, 2, 28), date(2024, 2, 29)]),
        (
            DUE_TYPE,
            [datetime(2026, 11, 27, 17, 30, tzinfo=UTC), datetime(2026, 3, 9, 9, tzinfo=HANOI)],
        ),
    ],
)
def test_the_server_unnests_exactly_the_values(
    ledger_db: Ledger, item_type: Any, values: list[Any]
) -> None:
    if ledger_db.backend != "postgresql":
        pytest.skip("array parameters are PostgreSQL's")
    engine = ledger_db.engine()
    try:
        with engine.connect() as connection:
            found = connection.execute(sa_select(func.unnest(_pg_array(item_type, values))))
            assert [row[0] for row in found] == values
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("values", "joined"),
    [
        ([1, 2], True),
        (["a", None, ""], True),
        ([""], False),
        (["a\x1fb"], False),
        (["a\x1eb", "c"], False),
        ([1.5, 2.5], False),  # no plain text form here: a list
    ],
)
def test_joined_text_only_where_it_splits_back_exactly(values: list[Any], joined: bool) -> None:
    sent = _pg_array(String(), values)
    assert (type(sent).__name__ == "Cast") is joined
