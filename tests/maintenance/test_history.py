"""domain.history: the kinds of damage to a dossier's history that the CLI tests do not
stage through a database (each case a healthy history with one thing changed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tthc_tracker.domain.errors import TransitionError
from tthc_tracker.domain.history import History, Step, history_problem
from tthc_tracker.domain.times import LOCAL_TZ


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=LOCAL_TZ)


HEALTHY = History(
    code="HS-1",
    status="returned",
    received_at=at(4, 9),
    supplement_requests=1,
    extended=True,
    completed_at=at(11, 10),
    returned_at=at(12, 8),
    steps=(
        Step(1, "received", at(4, 9), ""),
        Step(2, "supplement_requested", at(5, 9), "Thiếu giấy tờ"),
        Step(3, "flagged", at(20, 0), ""),  # stamped by a later sweep: not a lifecycle step
        Step(4, "supplement_received", at(6, 9), ""),
        Step(5, "extended", at(9, 8), "Chờ xác minh"),
        Step(6, "due_recomputed", at(9, 8), ""),
        Step(7, "completed", at(11, 10), ""),
        Step(8, "returned", at(12, 8), ""),
    ),
)


def with_step(seq: int, **changes: object) -> History:
    steps = tuple(replace(s, **changes) if s.seq == seq else s for s in HEALTHY.steps)  # type: ignore[arg-type]
    return replace(HEALTHY, steps=steps)


def test_a_healthy_history_has_no_problem() -> None:
    assert history_problem(HEALTHY) is None


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        (replace(HEALTHY, steps=()), "không có sự kiện nào (thiếu sự kiện tiếp nhận)"),
        (
            with_step(1, at=at(4, 10)),
            "sự kiện tiếp nhận lúc 04/03/2026 10:00, hồ sơ ghi tiếp nhận lúc 04/03/2026 09:00",
        ),
        (with_step(4, kind="received"), "sự kiện số 4 là một lần tiếp nhận thứ hai"),
        (with_step(3, kind="archived"), "sự kiện số 3 có loại lạ “archived”"),
        (
            with_step(7, kind="extended", reason="Lần hai"),
            "sự kiện số 7: gia hạn lần thứ hai (chỉ được một lần)",
        ),
        (
            with_step(2, kind="paused"),
            "sự kiện số 4: " + TransitionError("HS-1", "Tạm dừng", "Nhận hồ sơ bổ sung").message(),
        ),
        (
            replace(HEALTHY, supplement_requests=0),
            "sổ ghi supplement_requests = 0 nhưng lịch sử cho 1",
        ),
        (
            replace(HEALTHY, completed_at=at(11, 11)),
            "sổ ghi completed_at = 11/03/2026 11:00 nhưng lịch sử cho 11/03/2026 10:00",
        ),
        (replace(HEALTHY, extended=False), "sổ ghi extended = False nhưng lịch sử cho True"),
    ],
)
def test_each_kind_of_damage_is_named(history: History, problem: str) -> None:
    assert history_problem(history) == problem


def corrected(flag_at: datetime, receipt_to: datetime = at(4, 9)) -> History:
    """HEALTHY, received at 04/03 09:00 but first entered as 08:00 and corrected by
    `tthc dossier correct`; a sweep flagged it in between."""
    later = tuple(replace(s, seq=s.seq + 2) for s in HEALTHY.steps[1:])
    return replace(
        HEALTHY,
        steps=(
            Step(1, "received", at(4, 8), ""),
            Step(2, "flagged", flag_at, ""),
            Step(3, "updated", at(4, 9), "Ghi nhầm giờ", "received_at", receipt_to.isoformat()),
            *later,
        ),
    )


def test_a_corrected_receipt_is_checked_as_it_stood_at_each_event() -> None:
    # a flag at 08:30 came before the correction: it is checked against the 08:00 receipt
    assert history_problem(corrected(datetime(2026, 3, 4, 8, 30, tzinfo=LOCAL_TZ))) is None
    # an event before the receipt as it then stood is still found
    early = corrected(datetime(2026, 3, 4, 7, 30, tzinfo=LOCAL_TZ))
    assert history_problem(early) == "sự kiện số 2 (04/03/2026 07:30) trước thời điểm tiếp nhận"
    # the corrected time must be the dossier's
    wrong = corrected(at(4, 8), receipt_to=at(4, 10))
    assert history_problem(wrong) == (
        "sự kiện tiếp nhận lúc 04/03/2026 10:00, hồ sơ ghi tiếp nhận lúc 04/03/2026 09:00"
    )
