"""A dossier's stored history checked against the lifecycle rules (for `tthc db check`).

The history is trusted by everything else (timeliness, statistics, the audit trail), so a
restored or copied ledger is checked here: ``seq`` runs 1, 2, 3 … without gaps, the first
event is the receipt at the dossier's receipt time (or the time a correction of it gave, each
later event checked against the receipt as it stood then) and no other receipt follows, lifecycle
steps never go back in time, and replaying them through :class:`Lifecycle` gives the status,
supplement count, extension flag and completion and return times stored on the dossier.

Sweep flags and recomputed due times are stamped when the system writes them, and
corrections (``updated``) carry the time of the step they follow: none of them is a lifecycle
step, so they are left out of the time order (``domain.dossier.BOOKKEEPING`` plus ``updated``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tthc_tracker.domain.dossier import BOOKKEEPING, TRANSITIONS, EventKind, Lifecycle, Status
from tthc_tracker.domain.errors import TthcError
from tthc_tracker.domain.times import show
from tthc_tracker.i18n import _

NOT_LIFECYCLE = BOOKKEEPING | {EventKind.UPDATED}
EVENT_KINDS = frozenset(kind.value for kind in EventKind)


@dataclass(frozen=True, slots=True)
class Step:
    """One stored event, as the check needs it (kind as stored: it may be unknown)."""

    seq: int
    kind: str
    at: datetime
    reason: str
    field: str = ""
    new_value: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    """A dossier's stored lifecycle fields beside its events in ``seq`` order."""

    code: str
    status: str
    received_at: datetime
    supplement_requests: int
    extended: bool
    completed_at: datetime | None
    returned_at: datetime | None
    steps: tuple[Step, ...]


def _label(kind: str) -> str:
    try:
        return EventKind(kind).label
    except ValueError:
        return kind


def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def history_problem(history: History) -> str | None:
    """What is wrong with a dossier's history, or None (the first problem found)."""
    if not history.steps:
        return _("không có sự kiện nào (thiếu sự kiện tiếp nhận)")
    problem = _sequence_problem(history) or _receipt_problem(history)
    if problem:
        return problem
    for event in history.steps:
        if event.kind not in EVENT_KINDS:
            return _("sự kiện số {seq} có loại lạ “{kind}”").format(seq=event.seq, kind=event.kind)
    replayed = _replay(history)
    if isinstance(replayed, str):
        return replayed
    return _state_problem(history, replayed)


def _sequence_problem(history: History) -> str | None:
    seqs = [e.seq for e in history.steps]
    if seqs == list(range(1, len(seqs) + 1)):
        return None
    missing = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
    shown = ", ".join(str(s) for s in seqs[:15]) + (", …" if len(seqs) > 15 else "")
    detail = _("số thứ tự sự kiện không liên tục từ 1: {seqs}").format(seqs=shown)
    if missing:
        detail += _(" (thiếu {missing})").format(missing=", ".join(str(m) for m in missing[:5]))
    return detail


def _receipt_problem(history: History) -> str | None:
    first = history.steps[0]
    if first.kind != EventKind.RECEIVED.value:
        return _("sự kiện đầu tiên là “{kind}”, không phải “{received}”").format(
            kind=_label(first.kind), received=EventKind.RECEIVED.label
        )
    receipt = first.at  # as corrected so far: each event is checked against the receipt then
    for event in history.steps[1:]:
        if event.kind == EventKind.RECEIVED.value:
            return _("sự kiện số {seq} là một lần tiếp nhận thứ hai").format(seq=event.seq)
        corrected = _corrected_receipt(event)
        if corrected is not None:
            receipt = corrected
        elif event.at < receipt:
            return _("sự kiện số {seq} ({at}) trước thời điểm tiếp nhận").format(
                seq=event.seq, at=show(event.at)
            )
    if receipt != history.received_at:
        return _("sự kiện tiếp nhận lúc {event}, hồ sơ ghi tiếp nhận lúc {dossier}").format(
            event=show(receipt), dossier=show(history.received_at)
        )
    return None


def _corrected_receipt(event: Step) -> datetime | None:
    """The new receipt time an ``updated`` event of `tthc dossier correct` gives, if any."""
    if event.kind != EventKind.UPDATED.value or event.field != "received_at":
        return None
    try:
        return datetime.fromisoformat(event.new_value or "")
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Replayed:
    state: Lifecycle
    extended: bool
    completed_at: datetime | None
    returned_at: datetime | None


def _replay(history: History) -> _Replayed | str:
    """The dossier's lifecycle state rebuilt from its events, or what stops the replay."""
    state = Lifecycle(history.code, Status.IN_PROGRESS, history.received_at, history.received_at)
    extended = False
    completed: datetime | None = None
    returned: datetime | None = None
    last = history.received_at
    for event in history.steps[1:]:
        kind = EventKind(event.kind)
        if kind in NOT_LIFECYCLE:
            continue
        if event.at < last:
            return _("sự kiện số {seq} ({kind}, {at}) sớm hơn bước trước đó ({last})").format(
                seq=event.seq, kind=kind.label, at=show(event.at), last=show(last)
            )
        last = event.at
        if kind is EventKind.EXTENDED:
            if extended:
                return _("sự kiện số {seq}: gia hạn lần thứ hai (chỉ được một lần)").format(
                    seq=event.seq
                )
            extended = True
            continue
        if kind not in TRANSITIONS:
            continue
        try:
            state, _event = state.apply(kind, event.at, event.reason)
        except TthcError as error:
            return _("sự kiện số {seq}: {problem}").format(seq=event.seq, problem=error.message())
        if kind is EventKind.COMPLETED:
            completed = event.at
        elif kind is EventKind.RETURNED:
            returned = event.at
    return _Replayed(state, extended, completed, returned)


def _state_problem(history: History, replayed: _Replayed) -> str | None:
    if replayed.state.status.value != history.status:
        return _("sổ ghi trạng thái “{stored}” nhưng lịch sử dẫn tới “{replayed}”").format(
            stored=_status_label(history.status), replayed=replayed.state.status.label
        )
    for name, stored, rebuilt in (
        ("supplement_requests", history.supplement_requests, replayed.state.supplement_requests),
        ("extended", history.extended, replayed.extended),
        ("completed_at", history.completed_at, replayed.completed_at),
        ("returned_at", history.returned_at, replayed.returned_at),
    ):
        if stored != rebuilt:
            return _("sổ ghi {name} = {stored} nhưng lịch sử cho {rebuilt}").format(
                name=name, stored=_plain(stored), rebuilt=_plain(rebuilt)
            )
    return None


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return show(value)
    return "-" if value is None else str(value)
