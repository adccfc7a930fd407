"""data/rules.toml: the supplement limits as data, versioned by the date they take effect."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tthc_tracker.domain.errors import ConfigError
from tthc_tracker.domain.limits import LimitUnit
from tthc_tracker.domain.times import LOCAL_TZ
from tthc_tracker.storage.rules_data import load_rules

SHIPPED = Path(__file__).parents[2] / "data" / "rules.toml"
LATER = """
[[supplement]]
effective_from = 2027-01-01
source = "Nghị định sửa đổi (giả định cho phép thử)"
request_within = "05 ngày làm việc"
answer_within = "30 ngày"
"""


def test_the_shipped_rules_are_nd_118() -> None:
    [rule] = load_rules(SHIPPED).versions
    assert rule.effective_from == date(2025, 7, 1)
    assert (rule.request_within.amount, rule.request_within.unit) == (3, LimitUnit.WORKING_DAYS)
    assert (rule.answer_within.amount, rule.answer_within.unit) == (15, LimitUnit.CALENDAR_DAYS)


def test_a_later_version_governs_the_receipts_from_its_date(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + LATER, encoding="utf-8")
    rules = load_rules(path)
    before = rules.for_receipt(datetime(2026, 12, 31, 23, 59, tzinfo=LOCAL_TZ))
    after = rules.for_receipt(datetime(2027, 1, 1, 0, 0, tzinfo=LOCAL_TZ))
    assert before is not None and before.answer_text == "15 ngày"
    assert after is not None and after.answer_text == "30 ngày"
    assert rules.for_receipt(datetime(2025, 6, 30, 12, tzinfo=LOCAL_TZ)) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "không có mục [[supplement]] nào"),
        ("[[supplement]]\neffective_from = 'hôm qua'\n", "effective_from"),
        (LATER.replace('answer_within = "30 ngày"', ""), "thiếu 'answer_within'"),
        (LATER.replace('"30 ngày"', '"ba mươi hôm"'), "ba mươi hôm"),
        ("[[supplement]\n", "rules.toml"),
    ],
)
def test_a_malformed_file_is_named(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_rules(path)
    assert fragment in raised.value.message()
    with pytest.raises(ConfigError):
        load_rules(tmp_path / "khong-co.toml")
