"""`tthc stats …`: Biểu 06 of a month, quarter, year or range; late dossiers; snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tthc_tracker.cli.common import JSON_OPTION, app_for, print_json, reports_errors
from tthc_tracker.cli.help_text import Group
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.domain.periods import Period

stats_app = typer.Typer(
    cls=Group,
    help=_(
        "Thống kê Biểu số 06/VPCP/KSTT: hồ sơ tiếp nhận, đã giải quyết (trước hạn, đúng hạn, "
        "quá hạn), đang giải quyết; danh sách hồ sơ trễ hạn; xuất Excel, Word, biểu đồ; chốt "
        "số liệu kỳ đã kết thúc.\n\nVí dụ: tthc stats month 2026-10"
    ),
    no_args_is_help=True,
)

PERIOD_OPTION = typer.Option(
    "report",
    "--period",
    help=_(
        "report: kỳ báo cáo từ ngày 15 tháng trước đến ngày 14 (mặc định); calendar: tháng, "
        "quý, năm dương lịch."
    ),
)
AGENCY_OPTION = typer.Option(None, "--agency", help=_("Chỉ một cơ quan xử lý (mã)."))
XLSX_OPTION = typer.Option(None, "--xlsx", help=_("Ghi Biểu 06 ra tệp Excel (.xlsx)."))
DOCX_OPTION = typer.Option(None, "--docx", help=_("Ghi báo cáo ra tệp Word (.docx)."))
CHART_OPTION = typer.Option(
    None, "--chart", help=_("Ghi biểu đồ tỷ lệ đúng hạn (.png): theo cơ quan và 12 kỳ gần nhất.")
)
LIVE_OPTION = typer.Option(
    False, "--live", help=_("Kỳ đã chốt: in số liệu tính lại bây giờ thay cho số đã chốt.")
)


def _report(
    ctx: typer.Context,
    period: Period,
    agency: str | None,
    json_output: bool,
    files: tuple[Path | None, Path | None, Path | None],
    live: bool,
) -> None:
    """What every period command does: compute (or read the snapshot), print, write files."""
    from tthc_tracker.cli.stats_render import print_report, report_data
    from tthc_tracker.services import statistics

    with app_for(ctx) as app:
        now = app.clock()
        shown = statistics.show_report(app.db, app.calendars, period, agency, live, now)
        written = []
        if any(files):
            from tthc_tracker.services.report_files import write_report_files

            xlsx, docx, chart = files
            series = (
                statistics.trend(app.db, app.calendars, period, agency, now=now) if chart else []
            )
            written = write_report_files(
                app.db,
                shown.report,
                series,
                xlsx=xlsx,
                docx=docx,
                chart=chart,
                unit=app.settings.reporting_unit,
            )
    if json_output:
        print_json(report_data(shown))
        return
    print_report(shown)
    for path in written:
        typer.echo(_("Đã ghi {path}").format(path=path))


@stats_app.command("month")
@reports_errors
def stats_month(
    ctx: typer.Context,
    month: str = typer.Argument(..., help=_("Tháng, dạng YYYY-MM.")),
    period: str = PERIOD_OPTION,
    agency: str | None = AGENCY_OPTION,
    json_output: bool = JSON_OPTION,
    xlsx: Path | None = XLSX_OPTION,
    docx: Path | None = DOCX_OPTION,
    chart: Path | None = CHART_OPTION,
    live: bool = LIVE_OPTION,
) -> None:
    """Biểu 06 của một tháng: kỳ báo cáo (15/9–14/10 cho tháng 10) hoặc tháng dương lịch.

    Ví dụ: tthc stats month 2026-10 --xlsx bieu06-2026-10.xlsx
    """
    from tthc_tracker.domain.periods import PeriodKind, parse_month

    chosen = parse_month(month, PeriodKind.parse(period))
    _report(ctx, chosen, agency, json_output, (xlsx, docx, chart), live)


@stats_app.command("quarter")
@reports_errors
def stats_quarter(
    ctx: typer.Context,
    quarter: str = typer.Argument(..., help=_("Quý, dạng YYYY-Qn (n từ 1 đến 4).")),
    period: str = PERIOD_OPTION,
    agency: str | None = AGENCY_OPTION,
    json_output: bool = JSON_OPTION,
    xlsx: Path | None = XLSX_OPTION,
    docx: Path | None = DOCX_OPTION,
    chart: Path | None = CHART_OPTION,
    live: bool = LIVE_OPTION,
) -> None:
    """Biểu 06 của một quý (kỳ báo cáo quý III: 15/6–14/9).

    Ví dụ: tthc stats quarter 2026-Q3 --period calendar
    """
    from tthc_tracker.domain.periods import PeriodKind, parse_quarter

    chosen = parse_quarter(quarter, PeriodKind.parse(period))
    _report(ctx, chosen, agency, json_output, (xlsx, docx, chart), live)


@stats_app.command("year")
@reports_errors
def stats_year(
    ctx: typer.Context,
    year: str = typer.Argument(..., help=_("Năm, dạng YYYY.")),
    months: int = typer.Option(
        12, "--months", help=_("6 hoặc 9: báo cáo 6 tháng, 9 tháng đầu năm; 12: cả năm.")
    ),
    period: str = PERIOD_OPTION,
    agency: str | None = AGENCY_OPTION,
    json_output: bool = JSON_OPTION,
    xlsx: Path | None = XLSX_OPTION,
    docx: Path | None = DOCX_OPTION,
    chart: Path | None = CHART_OPTION,
    live: bool = LIVE_OPTION,
) -> None:
    """Biểu 06 của một năm (kỳ báo cáo 15/12 năm trước – 14/12), hoặc 6, 9 tháng đầu năm.

    Ví dụ: tthc stats year 2026 --months 6
    """
    from tthc_tracker.domain.periods import PeriodKind, parse_year

    chosen = parse_year(year, PeriodKind.parse(period), months)
    _report(ctx, chosen, agency, json_output, (xlsx, docx, chart), live)


@stats_app.command("range")
@reports_errors
def stats_range(
    ctx: typer.Context,
    first: str = typer.Option(..., "--from", help=_("Ngày đầu (YYYY-MM-DD hoặc DD/MM/YYYY).")),
    last: str = typer.Option(..., "--to", help=_("Ngày cuối, tính cả ngày này.")),
    agency: str | None = AGENCY_OPTION,
    json_output: bool = JSON_OPTION,
    xlsx: Path | None = XLSX_OPTION,
    docx: Path | None = DOCX_OPTION,
    chart: Path | None = CHART_OPTION,
    live: bool = LIVE_OPTION,
) -> None:
    """Biểu 06 của một khoảng ngày bất kỳ (từ 00:00 ngày đầu đến hết ngày cuối, giờ Việt Nam).

    Ví dụ: tthc stats range --from 2026-10-01 --to 2026-10-31 --json
    """
    from tthc_tracker.domain.periods import parse_range

    _report(ctx, parse_range(first, last), agency, json_output, (xlsx, docx, chart), live)


PERIOD_ARGUMENT = typer.Argument(
    ..., help=_("Kỳ: 2026-10, 2026-Q3, 2026-6T, 2026-9T, 2026 hoặc 2026-10-01..2026-10-31.")
)


@stats_app.command("freeze")
@reports_errors
def stats_freeze(
    ctx: typer.Context,
    label: str = PERIOD_ARGUMENT,
    period: str = PERIOD_OPTION,
    agency: str | None = AGENCY_OPTION,
    replace: bool = typer.Option(
        False, "--replace", help=_("Chốt lại kỳ đã chốt bằng số liệu hiện tại.")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Chốt số liệu một kỳ đã kết thúc: báo cáo đã gửi không tự thay đổi khi dữ liệu cũ được
    sửa; các lần in sau in số đã chốt kèm những chỗ khác với số liệu hiện tại.

    Ví dụ: tthc stats freeze 2026-10
    """
    from tthc_tracker.cli.stats_render import print_differences
    from tthc_tracker.domain.periods import PeriodKind, parse_period
    from tthc_tracker.domain.statistics_json import difference_json
    from tthc_tracker.domain.times import iso, show
    from tthc_tracker.services import statistics

    chosen = parse_period(label, PeriodKind.parse(period))
    with app_for(ctx) as app:
        frozen = statistics.freeze(
            app.db, app.calendars, chosen, agency, app.settings.actor, app.clock(), replace
        )
    if json_output:
        print_json(
            {
                "period": chosen.key,
                "agency": frozen.report.agency,
                "frozen_at": iso(frozen.snapshot.frozen_at),
                "frozen_by": frozen.snapshot.frozen_by,
                "replaced": frozen.replaced is not None,
                "differences": difference_json(frozen.differences),
            }
        )
        return
    typer.echo(
        _("Đã chốt số liệu kỳ {name} ({dates}) lúc {at}.").format(
            name=chosen.name, dates=chosen.dates_text(), at=show(frozen.snapshot.frozen_at)
        )
    )
    if frozen.replaced is not None:
        typer.echo(_("Thay bản chốt lúc {at}.").format(at=show(frozen.replaced.frozen_at)))
        print_differences(frozen.differences)


@stats_app.command("diff")
@reports_errors
def stats_diff(
    ctx: typer.Context,
    label: str = PERIOD_ARGUMENT,
    period: str = PERIOD_OPTION,
    agency: str | None = AGENCY_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """So sánh số liệu đã chốt của một kỳ với số liệu tính lại bây giờ.

    Ví dụ: tthc stats diff 2026-10 --json
    """
    from tthc_tracker.cli.stats_render import print_differences
    from tthc_tracker.domain.errors import NotFoundError
    from tthc_tracker.domain.periods import PeriodKind, parse_period
    from tthc_tracker.domain.statistics_json import difference_json
    from tthc_tracker.services import statistics

    chosen = parse_period(label, PeriodKind.parse(period))
    with app_for(ctx) as app:
        shown = statistics.show_report(app.db, app.calendars, chosen, agency)
    if shown.snapshot is None:
        raise NotFoundError(_("Bản chốt số liệu"), f"{chosen.name} ({chosen.dates_text()})")
    if json_output:
        print_json(difference_json(shown.differences))
        return
    print_differences(shown.differences)


@stats_app.command("snapshots")
@reports_errors
def stats_snapshots(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Các kỳ đã chốt số liệu: kỳ, phạm vi, lúc chốt, người chốt, số lần chốt lại.

    Ví dụ: tthc stats snapshots
    """
    from tthc_tracker.cli.common import table
    from tthc_tracker.domain.times import iso, show
    from tthc_tracker.services import statistics

    with app_for(ctx) as app:
        found = statistics.snapshots(app.db)
    if json_output:
        print_json(
            [
                {
                    "period": s.period_key,
                    "agency": s.scope or None,
                    "from": s.first_day.isoformat(),
                    "to": s.last_day.isoformat(),
                    "frozen_at": iso(s.frozen_at),
                    "frozen_by": s.frozen_by,
                    "replaced": s.replaced,
                }
                for s in found
            ]
        )
        return
    rows = [
        [s.period_key, s.scope or _("tất cả"), show(s.frozen_at), s.frozen_by, str(s.replaced)]
        for s in found
    ]
    headers = [_("Kỳ"), _("Cơ quan"), _("Chốt lúc"), _("Người chốt"), _("Chốt lại")]
    typer.echo(table(rows, headers) if rows else _("Chưa có kỳ nào được chốt số liệu."))


def register(app: typer.Typer) -> None:
    app.add_typer(stats_app, name="stats")
