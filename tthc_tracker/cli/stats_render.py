"""How `tthc stats` prints a report in the terminal and as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from tthc_tracker.cli.common import table
from tthc_tracker.domain.statistics import FORM_KEYS, Counts, Row
from tthc_tracker.domain.statistics_json import (
    Difference,
    count,
    delay_text,
    difference_json,
    extra_lines,
    letter_text,
    number,
    report_json,
)
from tthc_tracker.domain.times import iso, show
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.services.statistics import Shown

FORM_HEADERS = (
    "Nhận", "Tr.tuyến", "TT+BC", "Kỳ trước",
    "Đã GQ", "Trước hạn", "Đúng hạn", "Quá hạn",
    "Đang GQ", "Trong hạn", "Quá hạn",
)  # fmt: skip
PROCEDURE_WIDTH = 40


def report_data(shown: Shown) -> dict[str, Any]:
    """``--json``: the report's stable keys, and the snapshot with its differences if any."""
    data = report_json(shown.report)
    stored = shown.snapshot
    data["frozen"] = (
        None
        if stored is None
        else {
            "frozen_at": iso(stored.frozen_at),
            "frozen_by": stored.frozen_by,
            "replaced": stored.replaced,
            "differences": difference_json(shown.differences),
        }
    )
    return data


def _form_cells(counts: Counts) -> list[str]:
    return [count(getattr(counts, key)) for key in FORM_KEYS]


def _form_table(rows: tuple[Row, ...], total: Counts) -> str:
    lines = [[r.level, r.field, *_form_cells(r.counts)] for r in rows]
    lines.append(["", _("Tổng cộng"), *_form_cells(total)])
    return table(lines, [_("Cấp"), _("Lĩnh vực"), *(_(h) for h in FORM_HEADERS)])


def print_report(shown: Shown, late_limit: int | None = None) -> None:
    report = shown.report
    period = report.period
    typer.echo(_("BIỂU 06 — TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC — {name}").format(name=period.name))
    scope = report.agency or _("tất cả cơ quan")
    typer.echo(f"{period.dates_text()} · {scope}")
    if report.as_of is not None:
        running = _(
            "Kỳ chưa kết thúc: số liệu đến {at}; hồ sơ đang giải quyết được tính trong hạn hay "
            "quá hạn tại thời điểm đó."
        )
        typer.echo(running.format(at=show(report.as_of)))
    if shown.snapshot is not None:
        typer.echo(
            _("Số liệu đã chốt lúc {at} ({by}).").format(
                at=show(shown.snapshot.frozen_at), by=shown.snapshot.frozen_by
            )
        )
        print_differences(shown.differences)
    typer.echo("")
    typer.echo(_form_table(report.rows, report.total))
    typer.echo("\n" + _("Ngoài biểu:"))
    for label, value in extra_lines(report.total):
        typer.echo(f"  {label}: {value}")
    if len(report.agencies) > 1:
        typer.echo("\n" + _("Theo cơ quan:"))
        rows = [
            [t.agency, *_form_cells(t.total), number(t.total.on_time_rate, " %")]
            for t in report.agencies
        ]
        headers = [_("Cơ quan"), *(_(h) for h in FORM_HEADERS), _("Đúng hạn %")]
        typer.echo(table(rows, headers))
    print_late(shown, late_limit)


def print_late(shown: Shown, limit: int | None = None) -> None:
    """The late dossiers; ``limit`` shows only the first ones and says how many are left."""
    every = shown.report.late
    typer.echo("\n" + _("Hồ sơ trễ hạn trong kỳ: {n}").format(n=len(every)))
    if not every:
        return
    late = every if limit is None else every[:limit]
    rows = [
        [
            e.code,
            _short(e.procedure),
            e.agency,
            e.applicant,
            show(e.original_due_at),
            show(e.finished_at) if e.finished_at else _("chưa xong"),
            delay_text(e),
            letter_text(e),
        ]
        for e in late
    ]
    headers = [
        _("Mã hồ sơ"), _("Thủ tục"), _("Cơ quan"), _("Chủ hồ sơ"), _("Hạn"),
        _("Hoàn thành"), _("Trễ"), _("Văn bản xin lỗi"),
    ]  # fmt: skip
    typer.echo(table(rows, headers))
    if len(late) < len(every):
        typer.echo(_("… và {n} hồ sơ khác (xem tthc stats).").format(n=len(every) - len(late)))


def _short(text: str) -> str:
    return text if len(text) <= PROCEDURE_WIDTH else text[: PROCEDURE_WIDTH - 1] + "…"


COUNT_NAMES = {
    "received_total": "Nhận giải quyết",
    "received_online": "Nhận trực tuyến",
    "received_direct_postal": "Nhận trực tiếp và bưu chính",
    "carried_over": "Từ kỳ trước",
    "resolved_total": "Đã giải quyết",
    "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn",
    "resolved_late": "Giải quyết quá hạn",
    "pending_total": "Đang giải quyết",
    "pending_within_due": "Đang giải quyết trong hạn",
    "pending_overdue": "Đang giải quyết quá hạn",
    "late_with_apology": "Trễ hạn đã có văn bản xin lỗi",
    "apology_late": "Xin lỗi muộn",
    "late_without_apology": "Trễ hạn chưa xin lỗi",
    "rescheduled_met_new_date": "Hẹn lại và trả đúng hẹn mới",
    "withdrawn_refused_stopped": "Rút hồ sơ, từ chối, dừng giải quyết",
    "processing_seconds": "Thời gian xử lý (giây làm việc)",
    "on_time_rate": "Tỷ lệ giải quyết đúng hạn (%)",
    "qd766_indicator_2_1": "Chỉ số 2.1 QĐ 766 (%)",
    "avg_processing_working_days": "Thời gian xử lý trung bình (ngày làm việc)",
    "late": "Hồ sơ trễ hạn (xong lúc; trễ; văn bản xin lỗi)",
}
"""The report's count keys as the difference lines name them (``--json`` keeps the keys)."""


def print_differences(found: list[Difference]) -> None:
    if not found:
        typer.echo(_("Số liệu hiện tại không khác số đã chốt."))
        return
    typer.echo(_("Số liệu hiện tại khác số đã chốt ở {n} chỗ:").format(n=len(found)))

    def shown(value: object) -> object:
        if value is None:
            return "–"
        if isinstance(value, int):
            return count(value)
        return f"{value:.2f}".replace(".", ",") if isinstance(value, float) else value

    for d in found:
        scope = d.scope or _("tất cả")
        before, after = shown(d.frozen), shown(d.now)
        typer.echo(f"  [{scope}] {d.row} · {COUNT_NAMES.get(d.key, d.key)}: {before} → {after}")
