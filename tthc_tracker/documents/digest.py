"""The digest's plain-text and CSV layout (the content is decided by the services)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tthc_tracker.domain.sweep import FlagKind
from tthc_tracker.domain.times import show

SUPPLEMENT_EXPIRED = FlagKind.SUPPLEMENT_EXPIRED.label
UNLETTERED = FlagKind.LATE_WITHOUT_APOLOGY.label  # open, rescheduled without its letter
CSV_HEADER = ("ma_ho_so", "canh_bao", "chu_ho_so", "thu_tuc", "han", "tinh_trang", "van_ban")


@dataclass(frozen=True, slots=True)
class DigestLine:
    code: str
    kind: str  # "Sắp quá hạn" / "Quá hạn" / "Quá hạn bổ sung"
    applicant: str
    procedure: str
    due_at: datetime
    remaining: str  # "Còn 1 ngày 3 giờ" / "Quá 2 ngày 3 giờ"
    letter: str  # "chưa có" / "dự thảo" / "đã ban hành" / "không áp dụng"


def digest_text(agency: str, day: date, lines: Sequence[DigestLine]) -> str:
    out = [
        f"BẢN TIN HỒ SƠ SẮP QUÁ HẠN VÀ QUÁ HẠN — {agency} — ngày {day:%d/%m/%Y}",
        "",
    ]
    for kind in ("Sắp quá hạn", "Quá hạn"):
        chosen = [line for line in lines if line.kind == kind]
        out.append(f"{kind}: {len(chosen)} hồ sơ")
        for line in chosen:
            out.append(
                f"- {line.code} | {line.applicant} | {line.procedure} | hạn {show(line.due_at)} "
                f"| {line.remaining} | văn bản xin lỗi: {line.letter}"
            )
        out.append("")
    unlettered = [line for line in lines if line.kind == UNLETTERED]
    if unlettered:  # open dossiers rescheduled (dossier extend) with no letter yet
        out.append(f"{UNLETTERED} (đã hẹn lại nhưng chưa có văn bản): {len(unlettered)} hồ sơ")
        for line in unlettered:
            out.append(
                f"- {line.code} | {line.applicant} | {line.procedure} | hạn theo quy định "
                f"{show(line.due_at)} | {line.remaining} | văn bản xin lỗi: {line.letter}"
            )
        out.append("")
    waiting = [line for line in lines if line.kind == SUPPLEMENT_EXPIRED]
    if waiting:  # a section of its own only when there is one: most digests have none
        out.append(f"{SUPPLEMENT_EXPIRED}: {len(waiting)} hồ sơ")
        for line in waiting:
            out.append(
                f"- {line.code} | {line.applicant} | {line.procedure} | hết 15 ngày bổ sung"
                f" {show(line.due_at)} | {line.remaining} | xem xét kết thúc hồ sơ"
            )
        out.append("")
    out.append(
        "Hồ sơ sắp quá hạn cần văn bản xin lỗi chậm nhất 01 ngày trước ngày hết hạn "
        "(Nghị định 118/2025/NĐ-CP, Điều 19 khoản 6)."
    )
    if waiting:
        out.append(
            "Hồ sơ quá hạn bổ sung: quá 15 ngày kể từ khi yêu cầu bổ sung mà chưa nhận đủ hồ sơ "
            "(Nghị định 118/2025/NĐ-CP, Điều 19 khoản 5)."
        )
    return "\n".join(out) + "\n"


def digest_csv(lines: Sequence[DigestLine]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        writer.writerow(
            [
                line.code,
                line.kind,
                line.applicant,
                line.procedure,
                show(line.due_at),
                line.remaining,
                line.letter,
            ]
        )
    return buffer.getvalue()
