"""`tthc deadline` and `tthc calendar …`: due-time explanations and the working calendar."""

from __future__ import annotations

from datetime import datetime

import typer

from tthc_tracker.cli.common import JSON_OPTION, app_for, print_json, reports_errors, table
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.times import iso, parse_date, parse_instant, show, weekday_name
from tthc_tracker.i18n import _

calendar_app = typer.Typer(
    cls=Group,
    help=_(
        "Lịch làm việc: ngày nghỉ, ngày làm bù, điều chỉnh của quản trị viên.\n\n"
        "Ví dụ: tthc calendar show 2026"
    ),
    no_args_is_help=True,
)


@reports_errors
def deadline(
    ctx: typer.Context,
    received: str = typer.Option(..., "--received", help=_("Thời điểm tiếp nhận.")),
    limit: str = typer.Option(..., "--limit", help=_('Thời hạn, ví dụ "3 ngày làm việc".')),
    agency: str | None = typer.Option(
        None, "--agency", help=_("Dùng giờ làm việc của cơ quan này.")
    ),
    cutoff: str | None = typer.Option(None, "--cutoff", help=_("Giờ chốt nhận, ví dụ 15:00.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Tính hạn giải quyết và giải thích từng ngày được tính hay bỏ qua.

    Ví dụ: tthc deadline --received "25/04/2025 15:00" --limit "3 ngày làm việc"
    """
    from tthc_tracker.cli.dossier import explanation_json, print_explanation
    from tthc_tracker.services.deadlines import explain_limit

    received_at = parse_instant(received, "--received")
    with app_for(ctx) as app:
        explanation = explain_limit(
            app.db if agency else None, app.calendars, received_at, limit, agency, cutoff
        )
    if json_output:
        print_json(explanation_json(explanation))
    else:
        print_explanation(explanation)


def _edit(
    ctx: typer.Context, day_text: str, kind: str | None, reason: str, json_output: bool
) -> None:
    from tthc_tracker.domain.calendar import DayKind
    from tthc_tracker.services.calendar_admin import edit_day

    day = parse_date(day_text, "DATE")
    with app_for(ctx) as app:
        settings = app.settings
        change = edit_day(
            app.db,
            settings.data_dir,
            (settings.first_year, app.clock().year + settings.years_ahead),
            day,
            DayKind(kind) if kind else None,
            reason,
            settings.actor,
            app.clock(),
        )
    if json_output:
        print_json({"date": day.isoformat(), "kind": kind, "recomputed": change.recomputed})
        return
    what = {
        None: _("Đã bỏ điều chỉnh"),
        "off": _("Đã thêm ngày nghỉ"),
        "workday": _("Đã thêm ngày làm việc"),
    }[kind]
    typer.echo(f"{what}: {weekday_name(day)} {day:%d/%m/%Y}.")
    typer.echo(_("Đã tính lại hạn của {n} hồ sơ đang mở.").format(n=len(change.recomputed)))
    for code in change.recomputed:
        typer.echo(f"  {code}")


DATE_ARGUMENT = typer.Argument(..., help=_("Ngày (YYYY-MM-DD hoặc DD/MM/YYYY)."), metavar="DATE")
REASON_OPTION = typer.Option(..., "--reason", help=_("Lý do và văn bản căn cứ."))


@calendar_app.command("add-off")
@reports_errors
def add_off(
    ctx: typer.Context,
    day: str = DATE_ARGUMENT,
    reason: str = REASON_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Thêm một ngày nghỉ, rồi tính lại hạn mọi hồ sơ đang mở.

    Ví dụ: tthc calendar add-off 2027-02-11 --reason "Nghỉ Tết theo TB …/TB-BNV"
    """
    _edit(ctx, day, "off", reason, json_output)


@calendar_app.command("add-workday")
@reports_errors
def add_workday(
    ctx: typer.Context,
    day: str = DATE_ARGUMENT,
    reason: str = REASON_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Thêm một ngày làm việc (ví dụ thứ Bảy làm bù), rồi tính lại hạn hồ sơ đang mở.

    Ví dụ: tthc calendar add-workday 2027-02-20 --reason "Làm bù theo TB …/TB-BNV"
    """
    _edit(ctx, day, "workday", reason, json_output)


@calendar_app.command("remove")
@reports_errors
def remove(ctx: typer.Context, day: str = DATE_ARGUMENT, json_output: bool = JSON_OPTION) -> None:
    """Bỏ điều chỉnh của quản trị viên cho một ngày, rồi tính lại hạn hồ sơ đang mở.

    Ví dụ: tthc calendar remove 2027-02-11
    """
    _edit(ctx, day, None, "", json_output)


@calendar_app.command("show")
@reports_errors
def show_year(
    ctx: typer.Context,
    year: int = typer.Argument(..., help=_("Năm.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Mọi ngày thường được nghỉ và ngày cuối tuần phải làm việc trong năm, kèm nguồn.

    Ví dụ: tthc calendar show 2026
    """
    from tthc_tracker.domain.calendar import forecast_note
    from tthc_tracker.domain.deadline import day_reason
    from tthc_tracker.domain.times import LOCAL_TZ
    from tthc_tracker.services.calendar_admin import year_view

    with app_for(ctx) as app:
        days = year_view(app.calendars, year)
        moment = datetime(year, 7, 1, tzinfo=LOCAL_TZ)
        forecast = app.calendars.base.forecast_years(moment, moment)
    if json_output:
        print_json(
            [
                {
                    "date": d.day.isoformat(),
                    "status": d.status.value,
                    "name": d.name,
                    "source": d.source,
                }
                for d in days
            ]
        )
        return
    rows = [[f"{weekday_name(d.day)} {d.day:%d/%m/%Y}", day_reason(d)] for d in days]
    typer.echo(table(rows, [_("Ngày"), _("Ghi chú (nguồn)")]))
    if forecast:
        typer.echo(f"{_('Lưu ý')}: {forecast_note(forecast)}")


@calendar_app.command("check")
@reports_errors
def check(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Cảnh báo khi năm sau chưa có lịch nghỉ được công bố, hoặc dữ liệu mâu thuẫn với gói holidays.

    Ví dụ: tthc calendar check
    """
    from tthc_tracker.domain.times import local
    from tthc_tracker.services.calendar_admin import check as check_calendar

    with app_for(ctx) as app:
        warnings = check_calendar(app.calendars, local(app.clock()).date())
    if json_output:
        print_json([{"code": w.code, "text": w.text} for w in warnings])
        return
    if not warnings:
        typer.echo(_("Lịch làm việc không có cảnh báo."))
    for warning in warnings:
        typer.echo(f"{_('Cảnh báo')}: {warning.text}")


def register(app: typer.Typer) -> None:
    app.command("deadline")(deadline)
    app.add_typer(calendar_app, name="calendar")


__all__ = ["iso", "register", "show"]
