"""The apology letter (Mẫu 04, ND 118 Art. 19.6): its rules and every string it prints.

The layout (fonts, tables, margins) lives in ``tthc_tracker.documents``; the wording around
these fields lives in the .docx templates an office can edit. Nothing here touches a file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.catalog import Agency, Procedure
from tthc_tracker.domain.dossier import ApplicantKind, Dossier
from tthc_tracker.domain.errors import InvalidChoiceError
from tthc_tracker.domain.times import local


class LetterStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class Template(StrEnum):
    """The shipped templates; an agency chooses one (or points to its own file)."""

    TT03_2025 = "tt03-2025"  # PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT (default)
    TT01_2018 = "tt01-2018"  # PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ
    CONG_VAN = "cong-van"  # a công văn "V/v xin lỗi …" signed by the head of the centre


class Honorific(StrEnum):
    MR = "ong"
    MRS = "ba"
    UNKNOWN = "ong-ba"

    @classmethod
    def parse(cls, text: str) -> Honorific:
        try:
            return cls(text.strip().lower())
        except ValueError as exc:
            raise InvalidChoiceError("--honorific", text, [h.value for h in cls]) from exc


def vn_date(day: date) -> str:
    """``ngày 05 tháng 3 năm 2026``: ND 30/2020 writes a leading zero for days below 10 and
    for months 1 and 2 only (``ngày 09 tháng 01 năm 2027``)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_time(instant: datetime) -> str:
    """``09 giờ 00, ngày 05 tháng 3 năm 2026`` (the receipt's "… giờ …, ngày …" form)."""
    moment = local(instant)
    return f"{moment:%H} giờ {moment:%M}, {vn_date(moment.date())}"


def place_date_line(place: str, day: date) -> str:
    """``Rạch Giá, ngày 05 tháng 3 năm 2026`` (without a place: ``…, ngày …``)."""
    return f"{place or '…'}, {vn_date(day)}"


def number_text(number: int | None, suffix: str) -> str:
    """``01/PXL``; a draft has no number yet: ``…/PXL``."""
    return f"{number:02d}/{suffix}" if number is not None else f"…/{suffix}"


def apology_deadline(
    calendar: WorkCalendar,
    due_at: datetime,
    lead_days: int = 1,
    received_at: datetime | None = None,
) -> date:
    """The last date on which the apology is on time: ``lead_days`` working days before the
    due date (ND 118 Art. 19.6: "chậm nhất 01 ngày trước ngày hết hạn"). For a limit of a day
    or less that date comes before the receipt, when no letter can be written yet: given
    ``received_at``, the receipt date is the deadline then, the earliest a letter can bear."""
    deadline = _working_days_before(calendar, local(due_at).date(), lead_days)
    if received_at is not None:
        return max(deadline, local(received_at).date())
    return deadline


@lru_cache(maxsize=8192)
def _working_days_before(calendar: WorkCalendar, day: date, count: int) -> date:
    """Cached: a nightly sweep asks this for thousands of dossiers sharing a few due dates."""
    for _ in range(count):
        day = calendar.previous_working_day(day)
    return day


def is_late_apology(deadline: date, issued_at: datetime, recorded_at: datetime) -> bool:
    """Issued, or entered in the ledger, after the apology deadline date (xin lỗi muộn, ND 118
    Art. 19.6): the ledger vouches only for the day it learnt of a letter, whatever date the
    letter bears."""
    return max(local(issued_at).date(), local(recorded_at).date()) > deadline


def _honorific_word(kind: ApplicantKind, honorific: Honorific) -> str:
    if kind is ApplicantKind.ORGANISATION:
        return ""
    return {Honorific.MR: "Ông", Honorific.MRS: "Bà", Honorific.UNKNOWN: "Ông/Bà"}[honorific]


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """What a letter needs beyond the dossier and the agencies."""

    number: int | None
    issued_on: date
    reason: str
    new_due_at: datetime | None
    honorific: Honorific = Honorific.UNKNOWN


def letter_fields(
    dossier: Dossier,
    procedure: Procedure,
    agency: Agency,
    receiving: Agency,
    facts: LetterFacts,
) -> dict[str, object]:
    """Every value the templates print, decided here, NFC-normalised.

    Field names are the template's placeholders (see ``LETTER_FIELDS``).
    """
    word = _honorific_word(dossier.applicant_kind, facts.honorific)
    addressee = f"{word} {dossier.applicant_name}".strip()
    you = word or dossier.applicant_name  # how the body refers to the applicant
    body_name = agency.short_name or agency.name
    clause, stated = _return_clause(dossier, facts, you)
    recipients = ["Như trên"]
    if receiving.code != agency.code:
        recipients.append(receiving.short_name or receiving.name)
    fields: dict[str, object] = {
        "co_quan_chu_quan": header_lines(agency.parent.upper(), PARENT_LINE),
        "don_vi": header_lines(agency.name.upper(), UNIT_LINE),
        "so": number_text(facts.number, agency.letter_suffix),
        "dia_danh_ngay": place_date_line(agency.place, facts.issued_on),
        "kinh_gui": addressee,
        "xung_ho": you,
        "ten_co_quan": body_name,
        "ngay_tiep_nhan": vn_date(local(dossier.received_at).date()),
        "ten_thu_tuc": procedure.name,
        "so_dinh_danh": dossier.id_number or "…",
        "ma_ho_so": dossier.code,
        "han_tra_cu": vn_time(dossier.original_due_at),
        "ly_do": _sentence(facts.reason) if facts.reason else "…",
        "tra_ket_qua": clause,
        "han_tra_moi": stated,
        "chuc_danh_ky": agency.signer_title.upper() or "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ",
        "nguoi_ky": agency.signer_name,
        "noi_nhan": recipients,
    }
    return {key: _nfc(value) for key, value in fields.items()}


def _return_clause(dossier: Dossier, facts: LetterFacts, you: str) -> tuple[str, str]:
    """What the letter says of the result and the time it states: the form's "sẽ trả kết quả
    … vào <new time>", or, for a late letter once the dossier was finished, when the result
    was returned or ready (a letter may not promise a time already past)."""
    if dossier.returned_at is not None:
        return f"đã trả kết quả giải quyết hồ sơ cho {you} vào", vn_time(dossier.returned_at)
    new_due, completed = facts.new_due_at, dossier.completed_at
    if completed is not None and (new_due is None or local(new_due).date() <= facts.issued_on):
        return f"đã giải quyết xong hồ sơ; kết quả được trả cho {you} từ", vn_time(completed)
    return f"sẽ trả kết quả giải quyết hồ sơ cho {you} vào", vn_time(new_due) if new_due else "…"


UNIT_LINE = 24
"""About the most capitals of the issuing unit's name (13 pt bold) that one line of the
letter's 70 mm header column holds; its parent body (13 pt regular) holds a few more."""
PARENT_LINE = 28


# Two-syllable words of agency names that a line break must not split.
_COMPOUND_WORDS = (
    "ỦY BAN|NHÂN DÂN|TRUNG TÂM|PHỤC VỤ|HÀNH CHÍNH|VĂN PHÒNG|ĐĂNG KÝ|ĐẤT ĐAI|NÔNG NGHIỆP|"
    "MÔI TRƯỜNG|TƯ PHÁP|TÀI CHÍNH|XÂY DỰNG|Y TẾ|GIÁO DỤC|ĐÀO TẠO|CÔNG AN|CÔNG THƯƠNG|"
    "KẾ HOẠCH|ĐẦU TƯ|NỘI VỤ|VĂN HÓA|THỂ THAO|DU LỊCH|KHOA HỌC|CÔNG NGHỆ|GIAO THÔNG|VẬN TẢI|"
    "LAO ĐỘNG|THƯƠNG BINH|XÃ HỘI|DÂN TỘC|TÔN GIÁO|THANH TRA|CHI NHÁNH|THÀNH PHỐ|THỊ XÃ|"
    "THỊ TRẤN|ĐẶC KHU|BỘ PHẬN|MỘT CỬA|TIẾP NHẬN|KẾT QUẢ|THÔNG TIN|TRUYỀN THÔNG|NGOẠI VỤ|"
    "CHÍNH PHỦ"
)
_COMPOUNDS = frozenset(tuple(pair.split()) for pair in _COMPOUND_WORDS.split("|"))
# A line may well begin with the level of the unit it names ("XÃ THOẠI GIANG").
_LEVELS = frozenset({"XÃ", "PHƯỜNG", "TỈNH", "HUYỆN", "QUẬN", "THÀNH", "THỊ", "ĐẶC"})


def header_lines(name: str, width: int) -> str:
    """A name too long for one line of the header, broken once between words, as official
    letters set it ("ỦY BAN NHÂN DÂN / XÃ THOẠI GIANG", "SỞ NÔNG NGHIỆP / VÀ MÔI TRƯỜNG",
    "VĂN PHÒNG / ĐĂNG KÝ ĐẤT ĐAI") instead of Word wrapping the last word alone: never inside
    a two-syllable word, before the unit's level when both lines then fit, else where the two
    lines come out most even."""
    words = name.split()
    if len(name) <= width or len(words) < 2:
        return name

    def longer(cut: int) -> int:
        return max(len(" ".join(words[:cut])), len(" ".join(words[cut:])))

    cuts = [at for at in range(1, len(words)) if (words[at - 1], words[at]) not in _COMPOUNDS]
    cut = min(
        cuts or range(1, len(words)),
        key=lambda at: (not (words[at] in _LEVELS and longer(at) <= width), longer(at), at),
    )
    return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])


def _sentence(text: str) -> str:
    """A reason printed as a sentence: it ends with a full stop."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _nfc(value: object) -> object:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


LETTER_FIELDS = frozenset(
    {
        "co_quan_chu_quan",
        "don_vi",
        "so",
        "dia_danh_ngay",
        "kinh_gui",
        "xung_ho",
        "ten_co_quan",
        "ngay_tiep_nhan",
        "ten_thu_tuc",
        "so_dinh_danh",
        "ma_ho_so",
        "han_tra_cu",
        "ly_do",
        "han_tra_moi",
        "tra_ket_qua",
        "chuc_danh_ky",
        "nguoi_ky",
        "noi_nhan",
    }
)
"""The placeholders a letter template may use; `tthc letters check-template` checks them."""


def notice_subject(fields: dict[str, object]) -> str:
    return f"Văn bản xin lỗi và hẹn lại ngày trả kết quả - hồ sơ {fields['ma_ho_so']}"


def notice_text(fields: dict[str, object]) -> str:
    """The e-mail that tells the citizen (ND 118 Art. 19.6: the one-stop unit informs them)."""
    return (
        f"Kính gửi: {fields['kinh_gui']},\n\n"
        f"{fields['ten_co_quan']} xin lỗi vì hồ sơ mã số {fields['ma_ho_so']} "
        f"(thủ tục: {fields['ten_thu_tuc']}), hẹn trả kết quả lúc {fields['han_tra_cu']}, "
        "chưa được giải quyết đúng hạn.\n"
        f"Lý do: {fields['ly_do']}\n"
        f"{fields['ten_co_quan']} {fields['tra_ket_qua']} {fields['han_tra_moi']}.\n\n"
        f"Văn bản xin lỗi số {fields['so']} được gửi kèm thư này.\n"
        f"Mong nhận được sự thông cảm của {fields['xung_ho']}.\n"
    )
