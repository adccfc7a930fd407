"""Instants as users write them and as the product prints them (Asia/Ho_Chi_Minh, §5.2)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from tthc_tracker.domain.errors import EmptyFieldError, InputError, InvalidTimeError
from tthc_tracker.domain.times import (
    LOCAL_TZ,
    iso,
    local,
    nfc,
    parse_clock,
    parse_date,
    parse_instant,
    show,
    weekday_name,
)

NINE = datetime(2026, 3, 2, 9, tzinfo=LOCAL_TZ)
PLUS_7 = timedelta(hours=7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02 09:00", NINE),
        ("2026-3-2 9:00", NINE),
        ("02/03/2026 09:00", NINE),  # DD/MM/YYYY, not MM/DD
        ("2/3/2026 9:00", NINE),
        ("2026-03-02 09:00:30", NINE.replace(second=30)),
        ("02/03/2026 09:00:30", NINE.replace(second=30)),
        ("  2026-03-02 09:00 ", NINE),
        ("2026-03-02T09:00:00+07:00", NINE),
        ("2026-03-02T02:00:00Z", NINE),  # converted to +07:00
        ("2026-03-02T02:00:00+00:00", NINE),
        ("2026-03-01T21:00:00-05:00", NINE),
        ("2026-03-02T09:00+07:00", NINE),
        ("2026-03-01T19:00:00Z", datetime(2026, 3, 2, 2, tzinfo=LOCAL_TZ)),  # date changes
    ],
)
def test_parse_instant(text: str, expected: datetime) -> None:
    parsed = parse_instant(text, "--received")
    assert parsed == expected
    assert parsed.tzinfo is LOCAL_TZ
    assert parsed.utcoffset() == PLUS_7
    assert (parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute) == (
        expected.year,
        expected.month,
        expected.day,
        expected.hour,
        expected.minute,
    )


@pytest.mark.parametrize(
    "text",
    [
        "32/13/2026 25:00",
        "2026-02-30 09:00",  # no 30 February
        "2026-03-02 24:00",
        "2026-03-02 09:60",
        "2026-03-02",  # a date alone is not an instant
        "02/03/2026",
        "2026-03-02T09:00:00",  # naive ISO: which time zone?
        "2026-03-02T09:00",
        "09:00",
        "hôm nay",
        "2026-13-02T09:00:00+07:00",
        "2026-03-02 09:00 +07:00",
        "03/02/2026 9h",
    ],
)
def test_parse_instant_rejects(text: str) -> None:
    with pytest.raises(InvalidTimeError) as caught:
        parse_instant(text, "--received")
    error = caught.value
    assert isinstance(error, InputError)
    assert error.field == "--received"
    assert error.message().startswith("Trường “--received”: giá trị “")
    assert nfc(text) in error.message()
    assert "YYYY-MM-DD HH:MM" in error.message()


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_parse_instant_empty(text: str) -> None:
    with pytest.raises(EmptyFieldError) as caught:
        parse_instant(text, "thời điểm tiếp nhận")
    assert caught.value.message() == "Trường “thời điểm tiếp nhận” không được để trống."


# --- dates and clock times ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", date(2026, 3, 2)),
        ("02/03/2026", date(2026, 3, 2)),
        ("2/3/2026", date(2026, 3, 2)),
        ("29/02/2024", date(2024, 2, 29)),
        (" 2026-08-22 ", date(2026, 8, 22)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, "DATE") == expected


@pytest.mark.parametrize(
    "text", ["29/02/2026", "2026-02-30", "32/01/2026", "2026/03/02", "2026-03-02 09:00", "x"]
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(InvalidTimeError) as caught:
        parse_date(text, "DATE")
    assert caught.value.field == "DATE"
    assert "“DATE”" in caught.value.message()


def test_parse_date_empty() -> None:
    with pytest.raises(EmptyFieldError):
        parse_date(" ", "DATE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15:00", time(15)),
        ("15h", time(15)),
        ("15H", time(15)),
        ("15h30", time(15, 30)),
        ("7:05", time(7, 5)),
        ("07:05", time(7, 5)),
        ("0:00", time(0)),
        ("23:59", time(23, 59)),
        (" 15:00 ", time(15)),
    ],
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text, "--cutoff") == expected


@pytest.mark.parametrize(
    "text", ["25:00", "24:00", "15:60", "15h60", "1500", "15.00", "15:0", "abc", "", "h30"]
)
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_clock(text, "--cutoff")
    assert caught.value.field == "--cutoff"
    assert "“--cutoff”" in caught.value.message()


# --- text and display -----------------------------------------------------------------------


def test_nfc_normalises_and_trims() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    assert decomposed != "Nguyễn Thị Hồng"
    assert nfc(f"  {decomposed}\n") == "Nguyễn Thị Hồng"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))
    assert nfc("") == ""


def test_local_converts_to_vietnamese_time() -> None:
    moment = local(datetime(2026, 3, 1, 19, tzinfo=UTC))
    assert moment == datetime(2026, 3, 2, 2, tzinfo=LOCAL_TZ)
    assert (moment.day, moment.hour, moment.utcoffset()) == (2, 2, PLUS_7)


def test_no_daylight_saving() -> None:
    for month in range(1, 13):
        assert datetime(2026, month, 15, 12, tzinfo=LOCAL_TZ).utcoffset() == PLUS_7


def test_iso() -> None:
    assert iso(NINE) == "2026-03-02T09:00:00+07:00"
    assert iso(datetime(2026, 3, 2, 2, tzinfo=UTC)) == "2026-03-02T09:00:00+07:00"
    assert iso(datetime(2025, 4, 29, 15, tzinfo=timezone(timedelta(hours=7)))) == (
        "2025-04-29T15:00:00+07:00"
    )
    assert iso(None) is None
    # round trip
    assert parse_instant(str(iso(NINE)), "x") == NINE


def test_show() -> None:
    assert show(NINE) == "02/03/2026 09:00"
    assert show(datetime(2026, 3, 1, 19, 5, tzinfo=UTC)) == "02/03/2026 02:05"
    assert show(datetime(2027, 1, 9, 7, tzinfo=LOCAL_TZ)) == "09/01/2027 07:00"
    assert show(None) == ""


def test_weekday_name() -> None:
    assert weekday_name(date(2026, 3, 2)) == "Thứ Hai"
    assert weekday_name(date(2026, 8, 22)) == "Thứ Bảy"
    assert weekday_name(date(2026, 3, 8)) == "Chủ nhật"
