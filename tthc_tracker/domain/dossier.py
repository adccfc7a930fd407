"""The dossier (hồ sơ): statuses, lifecycle actions and the events they write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from tthc_tracker.domain.errors import (
    ChronologyError,
    EmptyFieldError,
    InvalidChoiceError,
    SupplementError,
    TransitionError,
)
from tthc_tracker.domain.times import nfc, show


class Status(StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    PAUSED = "paused"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"
    COMPLETED = "completed"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still being handled by the agency (not finished, not closed without a result)."""
        return self in OPEN_STATUSES


STATUS_LABELS = {
    Status.IN_PROGRESS: "Đang giải quyết",
    Status.AWAITING_SUPPLEMENT: "Chờ bổ sung",
    Status.PAUSED: "Tạm dừng",
    Status.STOPPED: "Dừng giải quyết",
    Status.WITHDRAWN: "Rút hồ sơ",
    Status.REFUSED: "Từ chối giải quyết",
    Status.COMPLETED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}
OLD_RECEIPT = timedelta(days=365)
"""A receipt entered this long ago is pointed out at `dossier add`: most likely a mistyped
year."""

OPEN_STATUSES = frozenset({Status.IN_PROGRESS, Status.AWAITING_SUPPLEMENT, Status.PAUSED})
CLOSED_WITHOUT_RESULT = frozenset({Status.STOPPED, Status.WITHDRAWN, Status.REFUSED})


class EventKind(StrEnum):
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    PAUSED = "paused"
    RESUMED = "resumed"
    EXTENDED = "extended"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"
    COMPLETED = "completed"
    RETURNED = "returned"
    DUE_RECOMPUTED = "due_recomputed"
    UPDATED = "updated"
    FLAGGED = "flagged"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


BOOKKEEPING = frozenset({EventKind.FLAGGED, EventKind.DUE_RECOMPUTED})
"""Events the system writes about a dossier (sweep flags, recomputed due times): they are
stamped when written, so they do not bound when the next lifecycle action may be dated."""


EVENT_LABELS = {
    EventKind.RECEIVED: "Tiếp nhận",
    EventKind.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    EventKind.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung",
    EventKind.PAUSED: "Tạm dừng",
    EventKind.RESUMED: "Tiếp tục",
    EventKind.EXTENDED: "Gia hạn (hẹn lại ngày trả)",
    EventKind.STOPPED: "Dừng giải quyết",
    EventKind.WITHDRAWN: "Rút hồ sơ",
    EventKind.REFUSED: "Từ chối giải quyết",
    EventKind.COMPLETED: "Xử lý xong",
    EventKind.RETURNED: "Trả kết quả",
    EventKind.DUE_RECOMPUTED: "Tính lại hạn",
    EventKind.UPDATED: "Sửa thông tin",
    EventKind.FLAGGED: "Cảnh báo của lượt rà soát",
}

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[EventKind, tuple[frozenset[Status], Status]] = {
    EventKind.SUPPLEMENT_REQUESTED: (frozenset({Status.IN_PROGRESS}), Status.AWAITING_SUPPLEMENT),
    EventKind.SUPPLEMENT_RECEIVED: (frozenset({Status.AWAITING_SUPPLEMENT}), Status.IN_PROGRESS),
    EventKind.PAUSED: (frozenset({Status.IN_PROGRESS}), Status.PAUSED),
    EventKind.RESUMED: (frozenset({Status.PAUSED}), Status.IN_PROGRESS),
    EventKind.STOPPED: (OPEN_STATUSES, Status.STOPPED),
    EventKind.WITHDRAWN: (OPEN_STATUSES, Status.WITHDRAWN),
    EventKind.REFUSED: (OPEN_STATUSES, Status.REFUSED),
    EventKind.COMPLETED: (frozenset({Status.IN_PROGRESS}), Status.COMPLETED),
    EventKind.RETURNED: (frozenset({Status.COMPLETED}), Status.RETURNED),
}
REASON_REQUIRED = frozenset(
    {
        EventKind.SUPPLEMENT_REQUESTED,
        EventKind.PAUSED,
        EventKind.STOPPED,
        EventKind.REFUSED,
        EventKind.EXTENDED,
    }
)


class Channel(StrEnum):
    """Kênh thực hiện (ND 118 Art. 15; DVCQG KenhThucHien 1/2/3)."""

    DIRECT = "truc-tiep"
    ONLINE = "truc-tuyen"
    POSTAL = "buu-chinh"

    @property
    def dvcqg_code(self) -> int:
        return {Channel.DIRECT: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}[self]

    @property
    def label(self) -> str:
        return {
            Channel.DIRECT: "trực tiếp",
            Channel.ONLINE: "trực tuyến",
            Channel.POSTAL: "bưu chính công ích",
        }[self]

    @classmethod
    def parse(cls, text: str) -> Channel:
        value = nfc(text).lower()
        aliases = {
            "1": cls.DIRECT,
            "2": cls.ONLINE,
            "3": cls.POSTAL,
            "direct": cls.DIRECT,
            "online": cls.ONLINE,
            "postal": cls.POSTAL,
        }
        if value in aliases:
            return aliases[value]
        try:
            return cls(value)
        except ValueError as exc:
            raise InvalidChoiceError("kênh", text, [c.value for c in cls]) from exc


class ApplicantKind(StrEnum):
    PERSON = "ca-nhan"
    ORGANISATION = "to-chuc"

    @classmethod
    def parse(cls, text: str) -> ApplicantKind:
        try:
            return cls(nfc(text).lower())
        except ValueError as exc:
            raise InvalidChoiceError("loại chủ hồ sơ", text, [k.value for k in cls]) from exc


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a dossier's history. ``at`` is when it happened (business time)."""

    kind: EventKind
    at: datetime
    reason: str = ""
    field: str = ""
    old_value: str | None = None
    new_value: str | None = None


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The part of a dossier that the lifecycle rules look at."""

    code: str
    status: Status
    received_at: datetime
    last_event_at: datetime
    supplement_requests: int = 0
    extended: bool = False

    def apply(self, kind: EventKind, at: datetime, reason: str = "") -> tuple[Lifecycle, Event]:
        """Apply a lifecycle action, returning the new state and the event to record."""
        if kind not in TRANSITIONS:
            raise ValueError(f"{kind} is not a lifecycle action")
        allowed, target = TRANSITIONS[kind]
        if self.status not in allowed:
            raise TransitionError(self.code, self.status.label, kind.label)
        if at < self.received_at:
            raise ChronologyError(
                kind.label, show(at), "thời điểm tiếp nhận", show(self.received_at)
            )
        if at < self.last_event_at:
            raise ChronologyError(
                kind.label, show(at), "sự kiện gần nhất", show(self.last_event_at)
            )
        clean_reason = nfc(reason)
        if kind in REASON_REQUIRED and not clean_reason:
            raise EmptyFieldError("lý do")
        requests = self.supplement_requests
        if kind is EventKind.SUPPLEMENT_REQUESTED:
            if requests >= 1:
                raise SupplementError(
                    self.code, "chỉ được yêu cầu bổ sung một lần (ND 118 Điều 11.2.c)"
                )
            requests += 1
        new_state = replace(self, status=target, last_event_at=at, supplement_requests=requests)
        return new_state, Event(kind, at, clean_reason, "status", self.status.value, target.value)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: its place in the history, who wrote it and when."""

    seq: int
    event: Event
    actor: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Dossier:
    """A dossier in the ledger. Instants are timezone-aware."""

    code: str
    procedure_code: str
    receiving_agency: str
    processing_agency: str
    returning_agency: str
    applicant_name: str
    channel: Channel
    received_at: datetime
    original_due_at: datetime
    due_at: datetime
    status: Status = Status.IN_PROGRESS
    applicant_kind: ApplicantKind = ApplicantKind.PERSON
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    summary: str = ""
    completed_at: datetime | None = None
    returned_at: datetime | None = None
    declared_due_at: datetime | None = None
    supplement_requests: int = 0
    extended: bool = False
    version: int = 1

    def lifecycle(self, last_event_at: datetime) -> Lifecycle:
        return Lifecycle(
            self.code,
            self.status,
            self.received_at,
            last_event_at,
            self.supplement_requests,
            self.extended,
        )
