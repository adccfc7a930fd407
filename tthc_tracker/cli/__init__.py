"""The ``tthc`` command (Typer): parse arguments, call one service, print the result."""

from __future__ import annotations

import sys

import typer

from tthc_tracker.cli import (
    catalog,
    db,
    deadlines,
    demo,
    dossier,
    exports,
    imports,
    letters,
    schedule,
    stats,
    sweep,
    usage,
)
from tthc_tracker.cli.common import reports_errors
from tthc_tracker.cli.help_text import Group
from tthc_tracker.i18n import _

app = typer.Typer(
    cls=Group,
    name="tthc",
    help=_(
        "Theo dõi hạn giải quyết hồ sơ thủ tục hành chính: sổ hồ sơ, tính hạn theo ngày "
        "làm việc, cảnh báo trễ hạn.\n\nVí dụ: tthc demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        help=_(
            "Địa chỉ cơ sở dữ liệu (SQLAlchemy URL). Mặc định: biến TTHC_DATABASE_URL, "
            "nếu không có thì sqlite:///tthc.db trong thư mục hiện tại."
        ),
        metavar="URL",
    ),
) -> None:
    ctx.obj = {"db": db}


@app.command("init")
@reports_errors
def init(ctx: typer.Context) -> None:
    """Tạo hoặc nâng cấp cấu trúc cơ sở dữ liệu (chạy lại nhiều lần không sao).

    Ví dụ: tthc --db sqlite:///so-ho-so.db init
    """
    from tthc_tracker.bootstrap import init_schema
    from tthc_tracker.cli.common import app_for

    with app_for(ctx, schema_required=False) as application:
        before, after = init_schema(application)
        url = application.db.display_url
    if before == after:
        typer.echo(
            _("Cơ sở dữ liệu {url} đã ở phiên bản mới nhất ({rev}).").format(url=url, rev=after)
        )
    else:
        typer.echo(
            _("Đã khởi tạo/nâng cấp {url}: {before} → {after}.").format(
                url=url, before=before or "trống", after=after
            )
        )


catalog.register(app)
dossier.register(app)
deadlines.register(app)
demo.register(app)
sweep.register(app)
letters.register(app)
schedule.register(app)
imports.register(app)
exports.register(app)
stats.register(app)
app.add_typer(db.db_app, name="db")


def _help_for(error: Exception, argv: list[str]) -> str:
    try:
        return usage.help_command(error, argv, typer.main.get_command(app))
    except Exception:  # a pointer to the help must not end in a traceback
        return "tthc --help"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: usage errors too end with exit code 1."""
    try:
        # Without standalone mode a command's ``typer.Exit`` is returned, not raised.
        result = app(args=argv, prog_name="tthc", standalone_mode=False)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except typer.Abort:
        typer.echo(_("Đã hủy."), err=True)
        sys.exit(1)
    except typer.TyperException as error:  # missing option, unknown command, bad value, …
        if type(error).__name__ == "NoArgsIsHelpError":  # `tthc`, `tthc dossier`: show help
            typer.echo(error.format_message() if hasattr(error, "format_message") else error)
            sys.exit(0)
        typer.echo(
            _("Lỗi: lệnh viết chưa đúng: {detail}. Xem thêm: {help}").format(
                detail=usage.describe(error),
                help=_help_for(error, sys.argv[1:] if argv is None else argv),
            ),
            err=True,
        )
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
