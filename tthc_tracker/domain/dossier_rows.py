"""One line of a dossier file read into a record, with every rule that needs no database.

Status (TrangThaiHoSo / status) accepts the product's values (``in_progress`` …), their
Vietnamese labels ("Đã trả kết quả" …) and the portal's numeric codes:

====  ===============================================  =======================
Code  Portal meaning                                   Product status
====  ===============================================  =======================
1     Mới đăng ký (not received yet)                   refused: not a dossier yet
2     Được tiếp nhận                                   in_progress
3     Không được tiếp nhận / từ chối                    refused
4     Đang xử lý                                       in_progress
5     Yêu cầu bổ sung giấy tờ                          awaiting_supplement
6     Yêu cầu thực hiện nghĩa vụ tài chính             paused
7     Công dân yêu cầu rút hồ sơ                       withdrawn
8     Dừng xử lý                                       stopped
9     Đã xử lý xong                                    completed
10    Đã trả kết quả                                   returned
====  ===============================================  =======================

Source of the codes (checked 27/11/2026): the TRANGTHAIHOSO list of a one-stop system that
syncs with the portal (HuanVu201/DichVuCong_KhoaLuan_PASETO,
quantri_client/src/features/hoso/data/formData.ts), the same ten codes in an independent
table and in a Hà Giang client of the portal's DongBoHoSoMC service (1 on submission, 2 on
receipt, 3 on refusal, 10 on return). Code 6 is precisely "waiting for the applicant's taxes
or fees"; the product's ``paused`` is broader, so an export writes 6 for every paused
dossier (the portal has no other code for a pause that stops the clock).

A blank status follows the times: NgayTra → returned, NgayKetThucXuLy → completed, else
in_progress. A returned dossier without NgayKetThucXuLy is completed at its return time.
Statuses other than in progress / completed / returned need ``status_at`` (when the dossier
entered it) and take ``status_reason`` (default: "nhập từ tệp"). A date without a time means
the start of that day, or the previous step's time when that is later on the same day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from tthc_tracker.domain.catalog import CODE_BLANK, CODE_BLANK_REASON
from tthc_tracker.domain.dossier import STATUS_LABELS, ApplicantKind, Channel, Status
from tthc_tracker.domain.errors import TthcError
from tthc_tracker.domain.imports import (
    Cell,
    CellTime,
    Column,
    Layout,
    RowError,
    cell_time,
    code_text,
    shown,
    text,
)
from tthc_tracker.domain.times import nfc

SPACED_CODES = frozenset({"phone"})
"""Code-like cells (a number there is refused: Excel drops the leading 0) whose plain spaces
are kept: a phone is written "0912 345 678" as often as "0912345678"."""

DOSSIER_COLUMNS = (
    Column("code", "MaHoSo", "code", required=True),
    Column("procedure", "MaTTHC", "code", required=True),
    Column("processing_agency", "DonViXuLy", "code", required=True),
    Column("receiving_agency", "DonViTiepNhan", "code"),
    Column("returning_agency", "DonViTraKetQua", "code"),
    Column("applicant_name", "ChuHoSo", "text", required=True),
    Column("applicant_kind", "applicant_kind", "choice"),
    Column("id_number", "SoDinhDanh", "code"),
    Column("address", "DiaChi", "text"),
    Column("phone", "SoDienThoai", "code"),
    Column("email", "Email", "text"),
    Column("summary", "TrichYeuHoSo", "text"),
    Column("channel", "KenhThucHien", "choice", required=True),
    Column("received_at", "NgayTiepNhan", "time", required=True),
    Column("due_at", "NgayHenTra", "time"),
    Column("completed_at", "NgayKetThucXuLy", "time"),
    Column("returned_at", "NgayTra", "time"),
    Column("status", "TrangThaiHoSo", "choice"),
    Column("status_at", "status_at", "time"),
    Column("status_reason", "status_reason", "text"),
)
DVCQG_STATUS = {
    "2": Status.IN_PROGRESS,
    "3": Status.REFUSED,
    "4": Status.IN_PROGRESS,
    "5": Status.AWAITING_SUPPLEMENT,
    "6": Status.PAUSED,
    "7": Status.WITHDRAWN,
    "8": Status.STOPPED,
    "9": Status.COMPLETED,
    "10": Status.RETURNED,
}
STATUS_DVCQG = {
    Status.IN_PROGRESS: 4,
    Status.REFUSED: 3,
    Status.AWAITING_SUPPLEMENT: 5,
    Status.PAUSED: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.COMPLETED: 9,
    Status.RETURNED: 10,
}
FINISHED = frozenset({Status.COMPLETED, Status.RETURNED})
DEFAULT_REASON = "nhập từ tệp"


@dataclass(frozen=True, slots=True)
class DossierRecord:
    """A dossier as one line of a file gives it, checked as far as the file alone allows."""

    line: int
    code: str
    procedure: str
    processing_agency: str
    receiving_agency: str
    returning_agency: str
    applicant_name: str
    applicant_kind: ApplicantKind
    id_number: str
    address: str
    phone: str
    email: str
    summary: str
    channel: Channel
    received_at: datetime
    declared_due_at: datetime | None
    status: Status
    completed_at: datetime | None
    returned_at: datetime | None
    status_at: datetime | None
    status_reason: str


def parse_status(value: Cell) -> Status | None:
    raw = text(value)
    if not raw:
        return None
    if raw in DVCQG_STATUS:
        return DVCQG_STATUS[raw]
    folded = raw.casefold().replace(" ", "_")
    for status in Status:
        if folded == status.value or raw.casefold() == STATUS_LABELS[status].casefold():
            return status
    raise ValueError(raw)


T = TypeVar("T")


class _Reader:
    """Reads the cells of one line, collecting an error per bad cell instead of stopping."""

    def __init__(self, layout: Layout, line: int, cells: Sequence[Cell]) -> None:
        self.layout, self.line, self.cells = layout, line, cells
        self.errors: list[RowError] = []

    def error(self, field: str, reason: str, value: Cell = None) -> None:
        if value is None:
            value = self.raw(field)
        column = self.layout.column_name(field)
        self.errors.append(RowError(self.line, column, shown(value), reason))

    def raw(self, field: str) -> Cell:
        return self.layout.cell(self.cells, field)

    def read(self, field: str, parse: Callable[[Cell, str], T], default: T) -> T:
        try:
            return parse(self.raw(field), self.layout.column_name(field))
        except TthcError as exc:
            self.errors.append(RowError.from_error(self.line, self.layout.column_name(field), exc))
        return default

    def code(self, field: str, required: bool = False) -> str:
        value = self.read(field, code_text, "")
        if required and not value and not any(e.column == self.layout.column_name(field)
                                               for e in self.errors):  # fmt: skip
            self.error(field, "không được để trống")
        elif CODE_BLANK.search(value.replace(" ", "") if field in SPACED_CODES else value):
            self.error(field, CODE_BLANK_REASON)  # a phone may be "0912 345 678"
        return value

    def time(self, field: str) -> CellTime | None:
        return self.read(field, cell_time, None)


def _choice(reader: _Reader, field: str, parse: Callable[[str], T], default: T) -> T:
    raw = text(reader.raw(field))
    if not raw:
        return default
    try:
        return parse(raw)
    except (TthcError, ValueError):
        reader.error(field, _CHOICE_REASONS[field])
        return default


_CHOICE_REASONS = {
    "channel": "kênh thực hiện phải là 1 (trực tiếp), 2 (trực tuyến), 3 (bưu chính công ích) "
    "hoặc truc-tiep, truc-tuyen, buu-chinh",
    "applicant_kind": "loại chủ hồ sơ phải là ca-nhan hoặc to-chuc",
    "status": "trạng thái không nhận ra; dùng mã TrangThaiHoSo 2–10 của Cổng DVCQG, "
    "in_progress, completed, returned, … hoặc nhãn tiếng Việt như “Đã trả kết quả”",
}


def parse_dossier(
    layout: Layout, line: int, cells: Sequence[Cell]
) -> DossierRecord | list[RowError]:
    """The record of one line, or every error found on it."""
    r = _Reader(layout, line, cells)
    ids = {f: r.code(f, required=True) for f in ("code", "procedure", "processing_agency")}
    applicant = text(r.raw("applicant_name"))
    if not applicant:
        r.error("applicant_name", "không được để trống")
    channel = _choice(r, "channel", Channel.parse, Channel.DIRECT)
    if not text(r.raw("channel")):
        r.error("channel", "không được để trống")
    received = r.time("received_at")
    if received is None:
        if not r.errors or r.errors[-1].column != layout.column_name("received_at"):
            r.error("received_at", "không được để trống")
        return r.errors
    record = DossierRecord(
        line=line,
        code=ids["code"],
        procedure=ids["procedure"],
        processing_agency=ids["processing_agency"],
        receiving_agency=r.code("receiving_agency") or ids["processing_agency"],
        returning_agency=r.code("returning_agency") or ids["processing_agency"],
        applicant_name=applicant,
        applicant_kind=_choice(r, "applicant_kind", ApplicantKind.parse, ApplicantKind.PERSON),
        id_number=r.code("id_number"),
        address=text(r.raw("address")),
        phone=r.code("phone"),
        email=text(r.raw("email")),
        summary=text(r.raw("summary")),
        channel=channel,
        received_at=received.at,
        declared_due_at=_at(r.time("due_at")),
        status=Status.IN_PROGRESS,
        completed_at=None,
        returned_at=None,
        status_at=None,
        status_reason=nfc(text(r.raw("status_reason"))),
    )
    if r.errors:
        return r.errors
    record = _lifecycle(r, record, received)
    return r.errors or record


def _at(value: CellTime | None) -> datetime | None:
    return value.at if value else None


def _after(step: CellTime | None, previous: datetime) -> datetime | None:
    """A step's time; a bare date on the previous step's day means "at that step's time"."""
    if step is None:
        return None
    if step.date_only and step.at.date() == previous.date() and step.at < previous:
        return previous
    return step.at


def _lifecycle(r: _Reader, record: DossierRecord, received: CellTime) -> DossierRecord:
    completed = _after(r.time("completed_at"), received.at)
    returned = _after(r.time("returned_at"), completed or received.at)
    status_at = _after(r.time("status_at"), received.at)
    if text(r.raw("status")) == "1":
        r.error("status", "hồ sơ “Mới đăng ký” chưa được tiếp nhận: chưa có hạn để theo dõi")
        status = None
    else:
        status = _choice(r, "status", parse_status, None)
    if status is None:
        status = Status.RETURNED if returned else Status.COMPLETED if completed else None
        status = status or Status.IN_PROGRESS
    if returned and completed is None:
        completed = returned
    _check_order(r, received.at, completed, returned, status_at)
    _check_status(r, status, completed, returned, status_at)
    return replace(
        record,
        status=status,
        completed_at=completed,
        returned_at=returned,
        status_at=status_at,
        status_reason=record.status_reason or (DEFAULT_REASON if status_at else ""),
    )


def _check_order(
    r: _Reader,
    received: datetime,
    completed: datetime | None,
    returned: datetime | None,
    status_at: datetime | None,
) -> None:
    if completed and completed < received:
        r.error("completed_at", "thời điểm xử lý xong sớm hơn thời điểm tiếp nhận")
    if returned and completed and returned < completed:
        r.error("returned_at", "thời điểm trả kết quả sớm hơn thời điểm xử lý xong")
    if status_at and status_at < received:
        r.error("status_at", "thời điểm chuyển trạng thái sớm hơn thời điểm tiếp nhận")


def _check_status(
    r: _Reader,
    status: Status,
    completed: datetime | None,
    returned: datetime | None,
    status_at: datetime | None,
) -> None:
    label = f"trạng thái “{status.label}”"
    if status is Status.COMPLETED and returned:
        r.error("status", f"{label} mâu thuẫn với NgayTra đã có")
    if status in FINISHED and completed is None:
        r.error("status", f"{label} cần thời điểm xử lý xong (NgayKetThucXuLy)")
    if status is Status.RETURNED and returned is None:
        r.error("status", f"{label} cần thời điểm trả kết quả (NgayTra)")
    if status not in FINISHED and (completed or returned):
        r.error("status", f"{label} mâu thuẫn với NgayKetThucXuLy/NgayTra đã có")
    if status not in FINISHED and status is not Status.IN_PROGRESS and status_at is None:
        r.error("status", f"{label} cần cột status_at (thời điểm chuyển sang trạng thái này)")
