"""Biểu 06 of the hand-computed ledger (see conftest.py), through the CLI and the services."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Runner, fails, ok
from tests.statistics.conftest import (
    AG_A,
    AG_B,
    D_CARRIED,
    D_EXT_LATE,
    D_EXT_MET,
    D_LAST_MINUTE,
    D_LATE,
    D_NEXT_PERIOD,
    D_OVERDUE,
    EXPECTED_TOTAL,
    MONTH,
    PROCESSING_SECONDS,
)
from tthc_tracker.domain.statistics import COUNT_KEYS, RATE_KEYS


def stats_json(run: Runner, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("stats", *args, "--json")).out)
    return data


@pytest.fixture
def october(stats_ledger: Runner) -> dict[str, Any]:
    return stats_json(stats_ledger, "month", MONTH)


def test_the_total_row_matches_the_hand_count(october: dict[str, Any]) -> None:
    total = october["total"]
    assert {key: total[key] for key in EXPECTED_TOTAL} == EXPECTED_TOTAL
    assert total["processing_seconds"] == PROCESSING_SECONDS


def test_rates_are_computed_from_the_counts(october: dict[str, Any]) -> None:
    total = october["total"]
    assert total["on_time_rate"] == 63.64  # 7 of 11 resolved
    # (7 + 4 within due) of (11 + 5), less D14: QĐ 766 counts its supplement (29/09 09:00 to
    # 05/10 09:00, 32 working hours) as a pause, not a restart: due Wed 07/10 09:00, done
    # 16:00, late (early by the law, which restarts the limit)
    assert total["qd766_indicator_2_1"] == 62.5
    assert total["avg_processing_working_days"] == 4.93  # 434 h 1 min / 11 / 8 h


def test_the_identity_holds_in_every_row(october: dict[str, Any]) -> None:
    rows = [october["total"], *october["rows"]]
    for table in october["agencies"]:
        rows += [table["total"], *table["rows"]]
    for row in rows:
        new = row["received_online"] + row["received_direct_postal"] + row["carried_over"]
        ended = row["resolved_total"] + row["pending_total"] + row["withdrawn_refused_stopped"]
        assert row["received_total"] == new == ended, row
        assert row["resolved_total"] == (
            row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]
        )
        assert row["pending_total"] == row["pending_within_due"] + row["pending_overdue"]
        late = row["resolved_late"] + row["pending_overdue"]
        assert late == row["late_with_apology"] + row["late_without_apology"]


def test_stable_keys_in_every_row_and_the_total(october: dict[str, Any]) -> None:
    keys = [
        "received_total", "received_online", "received_direct_postal", "carried_over",
        "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
        "pending_total", "pending_within_due", "pending_overdue",
        "late_with_apology", "apology_late", "late_without_apology",
        "rescheduled_met_new_date", "withdrawn_refused_stopped",
        "on_time_rate", "qd766_indicator_2_1", "avg_processing_working_days",
    ]  # fmt: skip
    assert list(COUNT_KEYS) + list(RATE_KEYS) == keys
    assert list(october["total"])[: len(keys)] == keys
    for row in october["rows"]:
        assert list(row)[: len(keys) + 2] == ["level", "field", *keys]
    assert set(october) >= {"period", "agency", "rows", "total", "agencies", "late", "frozen"}


def test_rows_are_grouped_by_level_then_field(october: dict[str, Any]) -> None:
    assert [(r["level"], r["field"]) for r in october["rows"]] == [
        ("Cấp tỉnh", "Xây dựng"),
        ("Cấp xã", "Hộ tịch"),
    ]
    province, commune = october["rows"]
    assert (province["received_total"], province["resolved_on_time"]) == (1, 1)
    assert commune["received_total"] == 17


def test_per_agency_tables(october: dict[str, Any]) -> None:
    tables = {t["agency"]: t for t in october["agencies"]}
    assert set(tables) == {AG_A, AG_B}
    b = tables[AG_B]["total"]
    assert (b["received_total"], b["received_online"], b["resolved_on_time"]) == (1, 1, 1)
    a = tables[AG_A]["total"]
    assert a["received_total"] == 17
    assert a["resolved_on_time"] == 3
    assert [(r["level"], r["field"]) for r in tables[AG_B]["rows"]] == [("Cấp xã", "Hộ tịch")]


def test_period_boundaries_are_local_midnights(october: dict[str, Any]) -> None:
    period = october["period"]
    assert (period["from"], period["to"]) == ("2026-09-15", "2026-10-14")
    assert period["start"] == "2026-09-15T00:00:00+07:00"
    assert period["end"] == "2026-10-15T00:00:00+07:00"
    late = {e["code"] for e in october["late"]}
    assert D_LAST_MINUTE not in late and D_NEXT_PERIOD not in late


def test_a_receipt_at_2330_local_belongs_to_the_month_ending_that_day(
    stats_ledger: Runner,
) -> None:
    october = stats_json(stats_ledger, "month", MONTH, "--agency", AG_A)
    november = stats_json(stats_ledger, "month", "2026-11", "--agency", AG_A)
    # D17 (14/10 23:30 local = 16:30 UTC) is new in October and carried into November;
    # D18 (15/10 00:00 local = 14/10 17:00 UTC) is new in November only.
    assert october["total"]["pending_within_due"] == 4
    assert november["total"]["carried_over"] == 5  # D07, D08, D11, D17, D20


def test_the_late_list(october: dict[str, Any]) -> None:
    late = {e["code"]: e for e in october["late"]}
    assert set(late) == {D_LATE, D_CARRIED, D_EXT_MET, D_EXT_LATE, D_OVERDUE}
    assert late[D_LATE]["delay"] == "Quá 1 phút"
    assert late[D_CARRIED]["delay"] == "Quá 4 ngày"
    assert late[D_EXT_MET]["delay"] == "Quá 2 ngày 4 giờ"
    assert late[D_EXT_LATE]["delay"] == "Quá 4 ngày 1 giờ"
    assert late[D_OVERDUE]["delay"] == "Quá 4 ngày 6 giờ"  # at the period's end
    assert late[D_OVERDUE]["open_at_period_end"] is True
    assert late[D_OVERDUE]["finished_at"] is None
    assert late[D_EXT_MET]["letter"] == "01/PXL"
    assert late[D_EXT_LATE]["letter"] == "02/PXL (muộn)"
    assert late[D_LATE]["letter"] == "chưa xin lỗi"
    assert late[D_LATE]["due_at"] == "2026-09-28T09:00:00+07:00"
    assert late[D_LATE]["finished_at"] == "2026-09-28T09:01:00+07:00"
    assert late[D_EXT_MET]["due_at"] == "2026-10-06T09:00:00+07:00"  # the original due time
    assert late[D_LATE]["procedure"] == "Đăng ký khai sinh"
    assert late[D_LATE]["applicant"] == "Nguyễn Văn Đức"


def test_the_terminal_shows_the_table_extras_and_late_list(stats_ledger: Runner) -> None:
    out = ok(stats_ledger("stats", "month", MONTH)).out
    assert "Từ ngày 15/09/2026 đến ngày 14/10/2026" in out
    assert "Tổng cộng" in out
    assert "Tỷ lệ giải quyết đúng hạn: 63,64 %" in out
    assert "Chỉ số 2.1 (QĐ 766): 62,50 %" in out
    assert "Hồ sơ trễ hạn trong kỳ: 5" in out
    assert "Quá 4 ngày 6 giờ" in out
    assert "chưa xin lỗi" in out


def test_calendar_month_quarter_year_and_range(stats_ledger: Runner) -> None:
    calendar = stats_json(stats_ledger, "month", MONTH, "--period", "calendar")
    assert (calendar["period"]["from"], calendar["period"]["to"]) == ("2026-10-01", "2026-10-31")
    ranged = stats_json(stats_ledger, "range", "--from", "2026-10-01", "--to", "2026-10-31")
    assert ranged["total"] == calendar["total"]
    quarter = stats_json(stats_ledger, "quarter", "2026-Q4")
    assert (quarter["period"]["from"], quarter["period"]["to"]) == ("2026-09-15", "2026-12-14")
    year = stats_json(stats_ledger, "year", "2026")
    assert (year["period"]["from"], year["period"]["to"]) == ("2025-12-15", "2026-12-14")
    nine = stats_json(stats_ledger, "year", "2026", "--months", "9")
    assert nine["period"]["to"] == "2026-09-14"
    # every dossier received in 2026 is in the yearly report exactly once
    assert year["total"]["received_total"] == 20
    assert year["total"]["carried_over"] == 0


def test_an_agency_filter(stats_ledger: Runner) -> None:
    only_b = stats_json(stats_ledger, "month", MONTH, "--agency", AG_B)
    assert only_b["agency"] == AG_B
    assert only_b["total"]["received_total"] == 1
    assert [t["agency"] for t in only_b["agencies"]] == [AG_B]
    fails(stats_ledger("stats", "month", MONTH, "--agency", "KHONG-CO"), "KHONG-CO")


def test_counts_print_with_the_vietnamese_thousands_separator() -> None:
    from tthc_tracker.domain.statistics import Counts
    from tthc_tracker.domain.statistics_json import count, extra_lines

    assert [count(n) for n in (0, 999, 1200, 1234567)] == ["0", "999", "1.200", "1.234.567"]
    lines = dict(extra_lines(Counts(received_total=1200, late_without_apology=1500)))
    assert lines["Trễ hạn chưa xin lỗi"] == "1.500"
