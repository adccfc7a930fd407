"""Frozen snapshots: a report already sent does not change silently; differences are shown."""

from __future__ import annotations

import json
from typing import Any

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok
from tests.statistics.conftest import AG_A, D_OVERDUE, MONTH


def stats_json(run: Runner, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("stats", *args, "--json")).out)
    return data


def snapshot_rows(ledger_db: Ledger) -> list[tuple[Any, ...]]:
    return ledger_db.query("SELECT period_key, scope, frozen_by FROM stats_snapshot")


def correct_old_data(run: Runner) -> None:
    """D08 was in fact completed on 14/10, inside the frozen period (entered late)."""
    ok(run("dossier", "complete", D_OVERDUE, "--at", "2026-10-14 10:00"))


def test_an_open_period_cannot_be_frozen(stats_ledger: Runner) -> None:
    fails(stats_ledger("stats", "freeze", "2026-12"), "chưa kết thúc", "15/12/2026 00:00")
    fails(stats_ledger("stats", "freeze", "2026-11", "--period", "calendar"), "chưa kết thúc")


def test_freeze_then_correct_old_data_shows_the_difference(
    stats_ledger: Runner, ledger_db: Ledger
) -> None:
    run = stats_ledger
    out = ok(run("stats", "freeze", MONTH)).out
    assert "Đã chốt số liệu kỳ Tháng 10/2026" in out
    assert snapshot_rows(ledger_db) == [("report:2026-10", "", "test-clerk")]
    correct_old_data(run)

    shown = stats_json(run, "month", MONTH)
    assert shown["total"]["pending_total"] == 5  # the frozen numbers, as sent
    assert shown["frozen"]["frozen_by"] == "test-clerk"
    changed = {
        (d["agency"], d["row"], d["key"]): (d["frozen"], d["now"])
        for d in shown["frozen"]["differences"]
    }
    assert changed[(None, "Tổng cộng", "resolved_total")] == (11, 12)
    assert changed[(None, "Tổng cộng", "resolved_late")] == (4, 5)
    assert changed[(None, "Tổng cộng", "pending_overdue")] == (1, 0)
    assert changed[(None, "Cấp xã / Hộ tịch", "pending_total")] == (5, 4)
    assert changed[(AG_A, "Tổng cộng", "pending_total")] == (5, 4)
    assert (None, "Tổng cộng", "received_total") not in changed
    assert changed[(None, "Tổng cộng", "on_time_rate")] == (63.64, 58.33)  # 7/11 → 7/12
    finished, now_late = changed[(None, D_OVERDUE, "late")]
    assert str(finished).startswith("chưa xong; Quá ")
    assert str(now_late).startswith("14/10/2026 10:00; Quá ")

    live = stats_json(run, "month", MONTH, "--live")
    assert live["total"]["pending_total"] == 4
    assert live["total"]["resolved_late"] == 5

    text = ok(run("stats", "month", MONTH)).out
    assert "Số liệu đã chốt lúc 27/11/2026 10:00 (test-clerk)." in text
    assert "[tất cả] Tổng cộng · Đã giải quyết: 11 → 12" in text
    assert "Tỷ lệ giải quyết đúng hạn (%): 63,64 → 58,33" in text

    diff = json.loads(ok(run("stats", "diff", MONTH, "--json")).out)
    assert len(diff) == len(shown["frozen"]["differences"])


def test_a_second_freeze_needs_replace(stats_ledger: Runner) -> None:
    run = stats_ledger
    ok(run("stats", "freeze", MONTH))
    fails(run("stats", "freeze", MONTH), "đã được chốt", "--replace")
    correct_old_data(run)
    replaced = json.loads(ok(run("stats", "freeze", MONTH, "--replace", "--json")).out)
    assert replaced["replaced"] is True
    assert {"agency": None, "row": "Tổng cộng", "key": "resolved_total", "frozen": 11,
            "now": 12} in replaced["differences"]  # fmt: skip
    assert "không khác" in ok(run("stats", "diff", MONTH)).out
    listed = json.loads(ok(run("stats", "snapshots", "--json")).out)
    assert [(s["period"], s["agency"], s["replaced"]) for s in listed] == [
        ("report:2026-10", None, 1)
    ]


def test_each_scope_and_kind_has_its_own_snapshot(stats_ledger: Runner) -> None:
    run = stats_ledger
    ok(run("stats", "freeze", MONTH, "--agency", AG_A))
    ok(run("stats", "freeze", MONTH, "--period", "calendar"))
    ok(run("stats", "freeze", "2026-09-15..2026-10-14"))
    fails(
        run("stats", "diff", MONTH), "Bản chốt số liệu “Tháng 10/2026 (Từ ngày 15/09/2026"
    )  # none yet
    listed = json.loads(ok(run("stats", "snapshots", "--json")).out)
    assert sorted((s["period"], s["agency"]) for s in listed) == [
        ("calendar:2026-10", None),
        ("range:2026-09-15..2026-10-14", None),
        ("report:2026-10", AG_A),
    ]
    out = ok(run("stats", "snapshots")).out
    assert "report:2026-10" in out and AG_A in out
