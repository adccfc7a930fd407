"""`tthc sweep`: flag dossiers at risk, overdue or late without apology; `tthc sweep history`."""

from __future__ import annotations

import typer

from tthc_tracker.cli.common import (
    JSON_OPTION,
    app_for,
    instant,
    print_json,
    reports_errors,
    run_word,
    table,
)
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.times import iso, show
from tthc_tracker.i18n import _

sweep_app = typer.Typer(
    cls=Group,
    help=_(
        "Rà soát hồ sơ: cảnh báo sắp quá hạn (trước hạn xin lỗi), quá hạn, trễ hạn chưa "
        "xin lỗi, quá 15 ngày chưa bổ sung; tạo dự thảo văn bản xin lỗi. Chạy lại nhiều lần "
        "không sinh trùng.\n\n"
        'Ví dụ: tthc sweep --as-of "2026-03-04 00:30" --json'
    ),
    invoke_without_command=True,
)


@sweep_app.callback()
@reports_errors
def sweep(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help=_("Thời điểm xét (mặc định: bây giờ).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Chỉ báo cáo, không ghi gì.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Rà soát hồ sơ (xem tthc sweep --help).

    Ví dụ: tthc sweep --dry-run
    """
    if ctx.invoked_subcommand is not None:
        return
    from tthc_tracker.services.sweep import sweep as run_sweep
    from tthc_tracker.services.sweep import sweep_json

    with app_for(ctx) as app:
        moment = instant(as_of, "--as-of", app)
        result = run_sweep(
            app.db, app.calendars, moment, app.settings.actor, app.clock, dry_run=dry_run
        )
    if json_output:
        print_json(sweep_json(result))
        return
    title = _("Rà soát tại {at}").format(at=show(result.as_of))
    typer.echo(title + (_(" (chạy thử, không ghi)") if dry_run else ""))
    for label, codes in (
        (_("Sắp quá hạn (cần văn bản xin lỗi)"), result.at_risk),
        (_("Quá hạn"), result.overdue),
        (_("Đã trễ hạn nhưng chưa có văn bản xin lỗi"), result.late_without_apology),
        (_("Quá 15 ngày chưa bổ sung (xem xét kết thúc hồ sơ)"), result.supplement_expired),
    ):
        typer.echo(f"{label}: {len(codes)}")
        for code in codes:
            typer.echo(f"  {code}")
    typer.echo(
        _("Cảnh báo mới: {n}; dự thảo văn bản xin lỗi mới: {d}.").format(
            n=result.newly_flagged, d=result.drafts_created
        )
    )


@sweep_app.command("history")
@reports_errors
def sweep_history(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", help=_("Số lượt gần nhất.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Các lượt rà soát đã chạy: bắt đầu, kết thúc, thời điểm xét, số liệu, kết quả.

    Ví dụ: tthc sweep history --limit 5
    """
    from tthc_tracker.services.sweep import history

    with app_for(ctx) as app:
        runs = history(app.db, limit)
    if json_output:
        print_json(
            [
                {
                    "id": r.id,
                    "started_at": iso(r.started_at),
                    "finished_at": iso(r.finished_at),
                    "as_of": iso(r.as_of),
                    "outcome": r.outcome,
                    "trigger": r.trigger,
                    "at_risk": r.at_risk,
                    "overdue": r.overdue,
                    "late_without_apology": r.late_without_apology,
                    "supplement_expired": r.supplement_expired,
                    "newly_flagged": r.newly_flagged,
                    "drafts_created": r.drafts_created,
                    "error": r.error,
                }
                for r in runs
            ]
        )
        return
    rows = [
        [
            str(r.id),
            show(r.started_at),
            show(r.finished_at),
            show(r.as_of),
            run_word(r.trigger),
            run_word(r.outcome),
            str(r.at_risk),
            str(r.overdue),
            str(r.late_without_apology),
            str(r.supplement_expired),
            str(r.newly_flagged),
            str(r.drafts_created),
        ]
        for r in runs
    ]
    typer.echo(
        table(
            rows,
            [
                "#",
                _("Bắt đầu"),
                _("Kết thúc"),
                _("Xét tại"),
                _("Kiểu"),
                _("Kết quả"),
                _("Sắp QH"),
                _("Quá hạn"),
                _("Chưa XL"),
                _("Quá BS"),
                _("Mới"),
                _("Dự thảo"),
            ],
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sweep_app, name="sweep")
