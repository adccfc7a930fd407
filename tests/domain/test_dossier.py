"""The dossier lifecycle: statuses, allowed actions, chronology, reasons, choices (§5.3, §7)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from tthc_tracker.domain.dossier import (
    CLOSED_WITHOUT_RESULT,
    EVENT_LABELS,
    OPEN_STATUSES,
    REASON_REQUIRED,
    STATUS_LABELS,
    TRANSITIONS,
    ApplicantKind,
    Channel,
    Event,
    EventKind,
    Lifecycle,
    Status,
)
from tthc_tracker.domain.errors import (
    ChronologyError,
    EmptyFieldError,
    InputError,
    InvalidChoiceError,
    RuleError,
    SupplementError,
    TransitionError,
)
from tthc_tracker.domain.times import LOCAL_TZ

CODE = "000.00.53.H48-260302-0001"
RECEIVED = datetime(2026, 3, 2, 9, tzinfo=LOCAL_TZ)
LATER = RECEIVED + timedelta(days=1)


def state(status: Status, last: datetime = RECEIVED, requests: int = 0) -> Lifecycle:
    return Lifecycle(CODE, status, RECEIVED, last, requests)


EXPECTED_TRANSITIONS = {
    EventKind.SUPPLEMENT_REQUESTED: ({Status.IN_PROGRESS}, Status.AWAITING_SUPPLEMENT),
    EventKind.SUPPLEMENT_RECEIVED: ({Status.AWAITING_SUPPLEMENT}, Status.IN_PROGRESS),
    EventKind.PAUSED: ({Status.IN_PROGRESS}, Status.PAUSED),
    EventKind.RESUMED: ({Status.PAUSED}, Status.IN_PROGRESS),
    EventKind.STOPPED: (set(OPEN_STATUSES), Status.STOPPED),
    EventKind.WITHDRAWN: (set(OPEN_STATUSES), Status.WITHDRAWN),
    EventKind.REFUSED: (set(OPEN_STATUSES), Status.REFUSED),
    EventKind.COMPLETED: ({Status.IN_PROGRESS}, Status.COMPLETED),
    EventKind.RETURNED: ({Status.COMPLETED}, Status.RETURNED),
}

PAIRS = [(status, kind) for status in Status for kind in TRANSITIONS]
ALLOWED = [(s, k) for s, k in PAIRS if s in EXPECTED_TRANSITIONS[k][0]]
FORBIDDEN = [(s, k) for s, k in PAIRS if s not in EXPECTED_TRANSITIONS[k][0]]


def test_transition_table_is_the_documented_one() -> None:
    assert {k: (set(a), t) for k, (a, t) in TRANSITIONS.items()} == EXPECTED_TRANSITIONS
    assert len(ALLOWED) == 15  # 6 single-source actions + 3 closings × 3 open statuses
    assert len(ALLOWED) + len(FORBIDDEN) == len(Status) * len(TRANSITIONS) == 72


def test_status_sets() -> None:
    assert {Status.IN_PROGRESS, Status.AWAITING_SUPPLEMENT, Status.PAUSED} == OPEN_STATUSES
    assert {Status.STOPPED, Status.WITHDRAWN, Status.REFUSED} == CLOSED_WITHOUT_RESULT
    assert [s for s in Status if s.is_open] == [
        Status.IN_PROGRESS,
        Status.AWAITING_SUPPLEMENT,
        Status.PAUSED,
    ]
    assert set(STATUS_LABELS) == set(Status)
    assert set(EVENT_LABELS) == set(EventKind)
    assert Status.COMPLETED.label == "Đã xử lý xong"
    assert Status.RETURNED.label == "Đã trả kết quả"
    assert EventKind.EXTENDED.label == "Gia hạn (hẹn lại ngày trả)"


@pytest.mark.parametrize(("status", "kind"), ALLOWED, ids=str)
def test_allowed_transition(status: Status, kind: EventKind) -> None:
    new, event = state(status).apply(kind, LATER, "lý do")
    target = EXPECTED_TRANSITIONS[kind][1]
    assert new.status is target
    assert new.last_event_at == LATER
    assert (new.code, new.received_at) == (CODE, RECEIVED)
    assert new.supplement_requests == (1 if kind is EventKind.SUPPLEMENT_REQUESTED else 0)
    assert event == Event(kind, LATER, "lý do", "status", status.value, target.value)


@pytest.mark.parametrize(("status", "kind"), FORBIDDEN, ids=str)
def test_forbidden_transition(status: Status, kind: EventKind) -> None:
    with pytest.raises(TransitionError) as caught:
        state(status).apply(kind, LATER, "lý do")
    assert isinstance(caught.value, RuleError)
    assert caught.value.message() == (
        f"Hồ sơ “{CODE}” đang ở trạng thái “{status.label}”, không thể “{kind.label}”."
    )


@pytest.mark.parametrize("kind", [k for k in EventKind if k not in TRANSITIONS], ids=str)
def test_non_lifecycle_kinds_are_not_actions(kind: EventKind) -> None:
    with pytest.raises(ValueError, match="not a lifecycle action"):
        state(Status.IN_PROGRESS).apply(kind, LATER, "lý do")


def test_full_happy_path() -> None:
    life = state(Status.IN_PROGRESS)
    steps = [
        (EventKind.SUPPLEMENT_REQUESTED, "thiếu giấy tờ"),
        (EventKind.SUPPLEMENT_RECEIVED, ""),
        (EventKind.PAUSED, "thẩm định"),
        (EventKind.RESUMED, ""),
        (EventKind.COMPLETED, ""),
        (EventKind.RETURNED, ""),
    ]
    for hours, (kind, reason) in enumerate(steps, start=1):
        life, _ = life.apply(kind, RECEIVED + timedelta(hours=hours), reason)
    assert life.status is Status.RETURNED
    assert life.supplement_requests == 1
    assert life.last_event_at == RECEIVED + timedelta(hours=6)


# --- chronology -----------------------------------------------------------------------------


def test_action_before_receipt_is_refused() -> None:
    with pytest.raises(ChronologyError) as caught:
        state(Status.IN_PROGRESS).apply(EventKind.COMPLETED, RECEIVED - timedelta(seconds=1))
    error = caught.value
    assert isinstance(error, RuleError)
    assert error.field == "Xử lý xong"
    assert error.earlier_field == "thời điểm tiếp nhận"
    assert error.earlier_value == "02/03/2026 09:00"
    assert "sớm hơn thời điểm tiếp nhận (02/03/2026 09:00)" in error.message()


def test_action_before_the_last_event_is_refused() -> None:
    life = state(Status.PAUSED, last=LATER)
    with pytest.raises(ChronologyError) as caught:
        life.apply(EventKind.RESUMED, LATER - timedelta(minutes=1))
    assert caught.value.earlier_field == "sự kiện gần nhất"
    assert caught.value.earlier_value == "03/03/2026 09:00"
    assert caught.value.value == "03/03/2026 08:59"


def test_action_at_the_same_instant_as_the_last_event_is_allowed() -> None:
    new, _ = state(Status.PAUSED, last=LATER).apply(EventKind.RESUMED, LATER)
    assert new.status is Status.IN_PROGRESS
    new, _ = state(Status.IN_PROGRESS).apply(EventKind.COMPLETED, RECEIVED)
    assert new.status is Status.COMPLETED


def test_transition_is_checked_before_chronology() -> None:
    with pytest.raises(TransitionError):
        state(Status.RETURNED).apply(EventKind.COMPLETED, RECEIVED - timedelta(days=1))


def test_chronology_compares_instants_not_wall_clocks() -> None:
    after = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 09:30 in Hà Nội: after the receipt
    new, event = state(Status.IN_PROGRESS).apply(EventKind.COMPLETED, after)
    assert (new.last_event_at, event.at) == (after, after)
    with pytest.raises(ChronologyError) as caught:  # 08:59 in Hà Nội
        state(Status.IN_PROGRESS).apply(
            EventKind.COMPLETED, datetime(2026, 3, 2, 1, 59, tzinfo=UTC)
        )
    assert caught.value.value == "02/03/2026 08:59"


# --- reasons --------------------------------------------------------------------------------


def test_reason_required_set() -> None:
    assert {
        EventKind.SUPPLEMENT_REQUESTED,
        EventKind.PAUSED,
        EventKind.STOPPED,
        EventKind.REFUSED,
        EventKind.EXTENDED,
    } == REASON_REQUIRED


@pytest.mark.parametrize(
    ("status", "kind"),
    [(s, k) for s, k in ALLOWED if k in REASON_REQUIRED],
    ids=str,
)
@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_missing_reason_is_refused(status: Status, kind: EventKind, reason: str) -> None:
    with pytest.raises(EmptyFieldError) as caught:
        state(status).apply(kind, LATER, reason)
    assert isinstance(caught.value, InputError)
    assert caught.value.message() == "Trường “lý do” không được để trống."


@pytest.mark.parametrize(
    ("status", "kind"),
    [(s, k) for s, k in ALLOWED if k not in REASON_REQUIRED],
    ids=str,
)
def test_reason_is_optional_elsewhere(status: Status, kind: EventKind) -> None:
    _, event = state(status).apply(kind, LATER)
    assert event.reason == ""


def test_reason_is_stored_nfc_and_trimmed() -> None:
    decomposed = unicodedata.normalize("NFD", "  Chờ xác minh thực địa ")
    _, event = state(Status.IN_PROGRESS).apply(EventKind.PAUSED, LATER, decomposed)
    assert event.reason == "Chờ xác minh thực địa"
    assert unicodedata.is_normalized("NFC", event.reason)


# --- one supplement request only (ND 118 Art. 11.2.c) ---------------------------------------


def test_second_supplement_request_is_refused() -> None:
    life = state(Status.IN_PROGRESS)
    life, _ = life.apply(EventKind.SUPPLEMENT_REQUESTED, LATER, "thiếu bản sao")
    life, _ = life.apply(EventKind.SUPPLEMENT_RECEIVED, LATER + timedelta(hours=1))
    assert (life.status, life.supplement_requests) == (Status.IN_PROGRESS, 1)
    with pytest.raises(SupplementError) as caught:
        life.apply(EventKind.SUPPLEMENT_REQUESTED, LATER + timedelta(hours=2), "lại thiếu")
    assert isinstance(caught.value, RuleError)
    assert CODE in caught.value.message()
    assert "một lần" in caught.value.message()


def test_supplement_request_counter_from_a_stored_dossier() -> None:
    with pytest.raises(SupplementError):
        state(Status.IN_PROGRESS, requests=1).apply(EventKind.SUPPLEMENT_REQUESTED, LATER, "x")


# --- channels and applicant kinds -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("1", Channel.DIRECT),
        ("2", Channel.ONLINE),
        ("3", Channel.POSTAL),
        (" 2 ", Channel.ONLINE),
        ("truc-tiep", Channel.DIRECT),
        ("truc-tuyen", Channel.ONLINE),
        ("buu-chinh", Channel.POSTAL),
        ("TRUC-TUYEN", Channel.ONLINE),
        ("direct", Channel.DIRECT),
        ("Online", Channel.ONLINE),
        ("postal", Channel.POSTAL),
    ],
)
def test_channel_parse(text: str, channel: Channel) -> None:
    assert Channel.parse(text) is channel


@pytest.mark.parametrize("text", ["", "0", "4", "email", "truc tiep", "12"])
def test_channel_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidChoiceError) as caught:
        Channel.parse(text)
    assert isinstance(caught.value, InputError)
    assert caught.value.field == "kênh"
    message = caught.value.message()
    assert "“kênh”" in message
    assert "truc-tiep, truc-tuyen, buu-chinh" in message


def test_channel_dvcqg_codes() -> None:
    assert [c.dvcqg_code for c in Channel] == [1, 2, 3]
    assert all(Channel.parse(str(c.dvcqg_code)) is c for c in Channel)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ca-nhan", ApplicantKind.PERSON),
        ("to-chuc", ApplicantKind.ORGANISATION),
        (" TO-CHUC ", ApplicantKind.ORGANISATION),
    ],
)
def test_applicant_kind_parse(text: str, kind: ApplicantKind) -> None:
    assert ApplicantKind.parse(text) is kind


@pytest.mark.parametrize("text", ["", "person", "doanh-nghiep"])
def test_applicant_kind_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidChoiceError) as caught:
        ApplicantKind.parse(text)
    assert caught.value.field == "loại chủ hồ sơ"
    assert "ca-nhan, to-chuc" in caught.value.message()
