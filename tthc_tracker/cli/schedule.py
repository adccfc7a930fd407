"""`tthc digest` and `tthc scheduler run`: the morning digest and the foreground scheduler."""

from __future__ import annotations

import typer

from tthc_tracker.cli.common import (
    JSON_OPTION,
    app_for,
    instant,
    print_json,
    reports_errors,
    run_word,
)
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.errors import FutureTimeError
from tthc_tracker.domain.times import parse_clock, show
from tthc_tracker.i18n import _

scheduler_app = typer.Typer(
    cls=Group,
    help=_(
        "Bộ lập lịch (APScheduler): rà soát hằng đêm, bản tin buổi sáng.\n\n"
        "Ví dụ: tthc scheduler run"
    ),
    no_args_is_help=True,
)


@reports_errors
def digest(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help=_("Thời điểm xét (mặc định: bây giờ).")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Bản tin từng cơ quan: hồ sơ sắp quá hạn và quá hạn; ghi vào thư mục outbox (.txt, .csv)
    và gửi thư điện tử nếu đã cấu hình SMTP (TTHC_SMTP_HOST …), mỗi ngày một lần.

    Ví dụ: tthc digest --as-of "2026-03-04 07:00"
    """
    from tthc_tracker.services.digest import build, deliver

    with app_for(ctx) as app:
        moment = instant(as_of, "--as-of", app)
        if moment > app.clock():  # a digest is kept (and sent) once per day: not ahead
            raise FutureTimeError("--as-of", show(moment), show(app.clock()))
        deliveries = deliver(
            build(app.db, app.calendars, moment), app.settings.outbox_dir, app.smtp
        )
    if json_output:
        print_json(
            [
                {
                    "agency": d.digest.agency,
                    "dossiers": [line.code for line in d.digest.lines],
                    "files": [str(f) for f in d.files],
                    "sent": d.sent,
                    "already_sent": d.already_sent,
                }
                for d in deliveries
            ]
        )
        return
    if not deliveries:
        typer.echo(_("Không có hồ sơ sắp quá hạn hoặc quá hạn."))
    for d in deliveries:
        state = (
            _("đã gửi thư")
            if d.sent
            else (_("đã gửi trước đó") if d.already_sent else _("chưa gửi thư"))
        )
        typer.echo(
            f"{d.digest.agency}: {len(d.digest.lines)} {_('hồ sơ')} — {d.files[0]} ({state})"
        )


@scheduler_app.command("run")
@reports_errors
def scheduler_run(
    ctx: typer.Context,
    sweep_at: str = typer.Option("00:30", "--sweep-at", help=_("Giờ rà soát hằng đêm.")),
    digest_at: str = typer.Option("07:00", "--digest-at", help=_("Giờ gửi bản tin buổi sáng.")),
    stats_at: str = typer.Option(
        "01:00",
        "--stats-at",
        help=_(
            "Giờ kiểm tra kỳ báo cáo vừa kết thúc để ghi Biểu 06 (.xlsx, .docx, .png) vào "
            "outbox/thong-ke/; “off” để tắt."
        ),
    ),
) -> None:
    """Chạy bộ lập lịch ở tiền cảnh (múi giờ Asia/Ho_Chi_Minh). Khi khởi động: giữ khóa (mỗi
    cơ sở dữ liệu một bộ lập lịch), bù lượt rà soát bị lỡ lúc máy tắt và ghi báo cáo thống kê
    của kỳ vừa kết thúc nếu chưa có.

    Ví dụ: tthc scheduler run --sweep-at 00:30 --digest-at 07:00
    """
    from tthc_tracker.scheduler import Plan, serve

    plan_times = (parse_clock(sweep_at, "--sweep-at"), parse_clock(digest_at, "--digest-at"))
    stats_time = None if stats_at.strip().lower() == "off" else parse_clock(stats_at, "--stats-at")
    with app_for(ctx) as app:
        plan = Plan(*plan_times, smtp=app.smtp, stats_at=stats_time)
        serve(app, plan, typer.echo)


@scheduler_app.command("status")
@reports_errors
def scheduler_status(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Ai đang giữ khóa bộ lập lịch, lần chạy kế tiếp của từng việc, các lượt rà soát gần nhất.

    Ví dụ: tthc scheduler status
    """
    from tthc_tracker.domain.times import iso, show
    from tthc_tracker.services.scheduling import status

    with app_for(ctx) as app:
        state = status(app.db, app.clock())
    if json_output:
        print_json(
            {
                "holder": state.holder,
                "alive": state.alive,
                "lease_expires_at": iso(state.lease_expires_at),
                "next_runs": {job: iso(at) for job, at in state.next_runs.items()},
                "runs": [
                    {
                        "id": r.id,
                        "as_of": iso(r.as_of),
                        "trigger": r.trigger,
                        "outcome": r.outcome,
                        "finished_at": iso(r.finished_at),
                    }
                    for r in state.runs
                ],
            }
        )
        return
    if state.holder is None:
        typer.echo(_("Không có bộ lập lịch nào đang chạy."))
    elif state.alive:
        typer.echo(
            _("Bộ lập lịch đang chạy: {h} (khóa hết hạn {t}).").format(
                h=state.holder, t=show(state.lease_expires_at)
            )
        )
        for job, at in state.next_runs.items():
            typer.echo(f"  {_('Lần chạy kế tiếp')} {job}: {show(at)}")
    else:
        typer.echo(
            _("Bộ lập lịch {h} đã dừng bất thường (khóa hết hạn {t}).").format(
                h=state.holder, t=show(state.lease_expires_at)
            )
        )
    typer.echo(_("Các lượt rà soát gần nhất:"))
    for r in state.runs:
        typer.echo(f"  #{r.id} {show(r.as_of)} {run_word(r.trigger)} {run_word(r.outcome)}")


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)
    app.add_typer(scheduler_app, name="scheduler")
