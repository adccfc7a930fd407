"""`tthc demo`: a fresh sample ledger, and a tour of every capability built so far."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tthc_tracker.cli.common import reports_errors
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from datetime import datetime

    from tthc_tracker.services.calendars import Calendars
    from tthc_tracker.storage.db import Database


@reports_errors
def demo(
    directory: Path = typer.Option(
        Path("tthc-demo"),
        "--dir",
        help=_("Thư mục chứa sổ hồ sơ mẫu (tạo mới mỗi lần chạy)."),
    ),
    count: int = typer.Option(300, "--count", help=_("Số hồ sơ mẫu.")),
) -> None:
    """Tạo sổ hồ sơ mẫu (SQLite) từ dữ liệu đi kèm và chạy thử mọi chức năng hiện có.

    Ví dụ: tthc demo --dir /tmp/tthc-demo
    """
    from tthc_tracker.bootstrap import build, init_schema
    from tthc_tracker.cli.dossier import print_explanation
    from tthc_tracker.domain.errors import InputError
    from tthc_tracker.domain.times import local, show
    from tthc_tracker.services import calendar_admin, deadlines, ledger
    from tthc_tracker.services import demo as demo_service

    if count < 1:
        raise InputError("--count", count, _("phải lớn hơn 0"))
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "tthc-demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    app = build(f"sqlite:///{database}", schema_required=False)
    for produced in (app.settings.letters_dir, app.settings.outbox_dir):
        if produced.resolve().is_relative_to(directory.resolve()):
            shutil.rmtree(produced, ignore_errors=True)  # a fresh demo: no old letters
    try:
        init_schema(app)
        now = app.clock()
        typer.echo(_("Đang tạo sổ hồ sơ mẫu {path} …").format(path=database))
        summary = demo_service.populate(
            app.db, app.calendars, app.settings.data_dir, now, app.settings.actor, count=count
        )
        typer.echo(
            _("Đã nạp {a} cơ quan, {p} thủ tục, {d} hồ sơ ({e} hồ sơ đã hẹn lại).").format(
                a=summary.agencies, p=summary.procedures, d=summary.dossiers, e=summary.extended
            )
        )
        for status, n in sorted(summary.statuses.items()):
            typer.echo(f"  {status}: {n}")

        typer.echo("\n" + _("— Lịch làm việc: kiểm tra —"))
        for warning in calendar_admin.check(app.calendars, local(now).date()):
            typer.echo(f"  {_('Cảnh báo')}: {warning.text}")

        typer.echo("\n" + _("— Cách tính hạn: ví dụ của luật —"))
        from tthc_tracker.domain.times import parse_instant

        print_explanation(
            deadlines.explain_limit(
                None,
                app.calendars,
                parse_instant("25/04/2025 15:00", "--received"),
                "3 ngày làm việc",
            )
        )

        overdue = ledger.list_dossiers(app.db, app.calendars, now, overdue=True)
        typer.echo("\n" + _("— Hồ sơ đang quá hạn: {n} —").format(n=len(overdue)))
        for view in overdue[:10]:
            typer.echo(
                f"  {view.dossier.code}  {view.dossier.processing_agency}  "
                f"{_('hạn')} {show(view.dossier.due_at)}  {view.remaining}"
            )
        settings = app.settings
        flow = demo_service.run_workflow(
            app.db,
            app.calendars,
            (settings.templates_dir, settings.letters_dir, settings.outbox_dir),
            now,
            settings.actor,
        )
        typer.echo(
            "\n"
            + _(
                "— Rà soát: {r} sắp quá hạn, {o} quá hạn, {lw} trễ hạn chưa xin lỗi, "
                "{se} quá hạn bổ sung; {d} dự thảo văn bản xin lỗi —"
            ).format(
                r=len(flow.sweep.at_risk),
                o=len(flow.sweep.overdue),
                lw=len(flow.sweep.late_without_apology),
                se=len(flow.sweep.supplement_expired),
                d=flow.sweep.drafts_created,
            )
        )
        for issued in flow.letters:
            typer.echo(
                f"  {_('Văn bản')} {issued.letter.number_text} "
                f"({issued.letter.agency_code}"
                + (f", {_('xin lỗi muộn')}" if issued.late else "")
                + f"): {issued.letter.path}"
            )
        if flow.printed is not None:
            typer.echo("  " + _("Tệp in hàng loạt: {path}").format(path=flow.printed))
        typer.echo(_("— Bản tin buổi sáng (thư mục outbox) —"))
        for delivery in flow.digests:
            typer.echo(
                f"  {delivery.digest.agency}: {len(delivery.digest.lines)} "
                f"{_('hồ sơ')} — {delivery.files[0]}"
            )
        _monthly_report(app.db, app.calendars, now)
    finally:
        app.close()
    typer.echo("\n" + _("Sổ hồ sơ mẫu: {path}").format(path=database))
    typer.echo(
        _("Xem tiếp, ví dụ: tthc --db sqlite:///{path} dossier list --overdue").format(
            path=database
        )
    )


def _monthly_report(db: Database, calendars: Calendars, now: datetime) -> None:
    """The last closed report month's Biểu 06 (its late list cut to a few lines)."""
    from tthc_tracker.cli.stats_render import print_report
    from tthc_tracker.domain.periods import last_closed
    from tthc_tracker.services import statistics

    period = last_closed(now)
    typer.echo("\n" + _("— Thống kê: Biểu 06 kỳ báo cáo gần nhất —"))
    print_report(statistics.show_report(db, calendars, period), late_limit=5)
    typer.echo(
        _("Xuất Excel, Word, biểu đồ: tthc stats month {label} --xlsx bieu06.xlsx").format(
            label=period.label
        )
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
