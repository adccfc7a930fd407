"""Time limits as procedure catalogues write them (domain.md §5.2)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from tthc_tracker.domain.errors import InputError, InvalidLimitError
from tthc_tracker.domain.limits import (
    WORKING_DAY_SECONDS,
    LimitUnit,
    TimeLimit,
    limit_from_parts,
    parse_limit,
)

CASES = [
    ("3 ngày làm việc", Decimal(3), LimitUnit.WORKING_DAYS, "3 ngày làm việc"),
    (
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        Decimal(3),
        LimitUnit.WORKING_DAYS,
        "3 ngày làm việc",
    ),
    ("0,5 ngày làm việc", Decimal("0.5"), LimitUnit.WORKING_DAYS, "0,5 ngày làm việc"),
    ("4 giờ làm việc", Decimal(4), LimitUnit.WORKING_HOURS, "4 giờ làm việc"),
    ("15 ngày", Decimal(15), LimitUnit.CALENDAR_DAYS, "15 ngày"),
    ("1 tháng", Decimal(1), LimitUnit.MONTHS, "1 tháng"),
    ("Trong ngày", Decimal(0), LimitUnit.SAME_DAY, "Trong ngày"),
    ("3 working days", Decimal(3), LimitUnit.WORKING_DAYS, "3 ngày làm việc"),
    # catalogue variants
    ("10 ngày", Decimal(10), LimitUnit.CALENDAR_DAYS, "10 ngày"),
    ("Không quá 05 ngày làm việc", Decimal(5), LimitUnit.WORKING_DAYS, "5 ngày làm việc"),
    ("Trong vòng 2 giờ", Decimal(2), LimitUnit.WORKING_HOURS, "2 giờ làm việc"),
    ("  03   NGÀY LÀM VIỆC ", Decimal(3), LimitUnit.WORKING_DAYS, "3 ngày làm việc"),
    ("1.5 ngày làm việc", Decimal("1.5"), LimitUnit.WORKING_DAYS, "1,5 ngày làm việc"),
    ("Ngay trong ngày", Decimal(0), LimitUnit.SAME_DAY, "Trong ngày"),
    ("2 months", Decimal(2), LimitUnit.MONTHS, "2 tháng"),
    ("05 (năm) ngày làm việc", Decimal(5), LimitUnit.WORKING_DAYS, "5 ngày làm việc"),
    ("Tối đa 10 ngày làm việc", Decimal(10), LimitUnit.WORKING_DAYS, "10 ngày làm việc"),
    ("10 ngày (làm việc)", Decimal(10), LimitUnit.WORKING_DAYS, "10 ngày làm việc"),
    # the 15:00 rule (ND 23/2015 Art. 7) is the procedure's cut-off, not a second limit
    (
        "Trong ngày cơ quan, tổ chức tiếp nhận yêu cầu hoặc trong ngày làm việc tiếp theo, "
        "nếu tiếp nhận yêu cầu sau 15 giờ",
        Decimal(0),
        LimitUnit.SAME_DAY,
        "Trong ngày",
    ),
]

ALTERNATIVES = [
    "15 ngày làm việc, trường hợp phải xác minh thì 20 ngày làm việc",
    "15 ngày làm việc; trường hợp phức tạp không quá 30 ngày làm việc",
    "1 ngày làm việc hoặc 2 ngày",
    "Trong ngày, trường hợp phức tạp 03 ngày làm việc",
    "03 ngày làm việc, 05 ngày làm việc đối với hồ sơ phức tạp",
    "03 ngày làm việc (trường hợp không phải xác minh); 10 ngày làm việc (trường hợp phải xác "
    "minh)",
    "Trong ngày làm việc tiếp theo",
    "02 ngày làm việc; trường hợp phức tạp 05 ngày làm việc, nếu nhận sau 15 giờ",
]


@pytest.mark.parametrize("text", ALTERNATIVES)
def test_a_limit_with_alternatives_is_refused_not_shortened(text: str) -> None:
    """Which case applies is the catalogue editor's call: never the first amount silently."""
    with pytest.raises(InvalidLimitError) as caught:
        parse_limit(text)
    assert "nhiều trường hợp" in caught.value.message()


@pytest.mark.parametrize(("text", "amount", "unit", "shown"), CASES)
def test_parse_limit(text: str, amount: Decimal, unit: LimitUnit, shown: str) -> None:
    limit = parse_limit(text)
    assert limit == TimeLimit(amount, unit)
    assert limit.text() == shown
    assert parse_limit(limit.text()) == limit


@pytest.mark.parametrize(("text", "amount", "unit", "shown"), CASES)
def test_parse_limit_nfd_input(text: str, amount: Decimal, unit: LimitUnit, shown: str) -> None:
    decomposed = unicodedata.normalize("NFD", text)
    assert parse_limit(decomposed) == TimeLimit(amount, unit)
    assert parse_limit(decomposed).text() == shown


def test_nfd_input_really_differs() -> None:
    text = "3 ngày làm việc"
    assert unicodedata.normalize("NFD", text) != text
    assert parse_limit(unicodedata.normalize("NFD", text)) == parse_limit(text)


@pytest.mark.parametrize("text", ["", "   ", "abc", "0 ngày", "0,0 ngày làm việc", "1,5 tháng"])
def test_invalid_limit(text: str) -> None:
    with pytest.raises(InvalidLimitError) as caught:
        parse_limit(text)
    error = caught.value
    assert isinstance(error, InputError)
    assert error.value == text
    assert error.field == "thời hạn"
    assert f"“{text}”" in error.message()
    assert "3 ngày làm việc" in error.message()  # the message shows valid examples


def test_invalid_limit_names_another_field() -> None:
    error = InvalidLimitError("abc", field="thời hạn gia hạn")
    assert "thời hạn gia hạn" in error.message()
    assert "“abc”" in str(error)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3 ngày làm việc", 3 * 8 * 3600),
        ("0,5 ngày làm việc", 4 * 3600),
        ("4 giờ làm việc", 4 * 3600),
        ("1,5 giờ làm việc", 5400),
        ("30 ngày làm việc", 30 * WORKING_DAY_SECONDS),
    ],
)
def test_working_seconds(text: str, seconds: int) -> None:
    limit = parse_limit(text)
    assert limit.counts_working_time
    assert limit.working_seconds == seconds


@pytest.mark.parametrize("text", ["15 ngày", "1 tháng", "Trong ngày"])
def test_working_seconds_only_for_working_time(text: str) -> None:
    limit = parse_limit(text)
    assert not limit.counts_working_time
    with pytest.raises(ValueError, match=limit.unit.value):
        _ = limit.working_seconds


def test_working_day_is_eight_hours() -> None:
    assert WORKING_DAY_SECONDS == 8 * 3600


def test_limit_from_parts_round_trip() -> None:
    for text, *_ in CASES:
        limit = parse_limit(text)
        assert limit_from_parts(str(limit.amount), limit.unit.value) == limit
    assert limit_from_parts(Decimal("0.5"), "working_days") == parse_limit("0,5 ngày làm việc")
    with pytest.raises(ValueError):
        limit_from_parts("3", "fortnights")
