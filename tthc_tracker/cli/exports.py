"""`tthc export …`: dossiers to CSV/XLSX/JSON, and an SQLite snapshot for analysis."""

from __future__ import annotations

from pathlib import Path

import typer

from tthc_tracker.cli.common import JSON_OPTION, app_for, print_json, reports_errors
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.dossier import Status
from tthc_tracker.domain.errors import InvalidChoiceError
from tthc_tracker.domain.times import parse_date
from tthc_tracker.i18n import _

export_app = typer.Typer(
    cls=Group,
    help=_(
        "Xuất hồ sơ ra CSV, XLSX, JSON (nhập lại được y nguyên) hoặc bản SQLite để phân tích."
        "\n\nVí dụ: tthc export dossiers --format xlsx -o ho-so.xlsx"
    ),
    no_args_is_help=True,
)


@export_app.command("dossiers")
@reports_errors
def export_dossiers(
    ctx: typer.Context,
    output: Path = typer.Option(..., "-o", "--output", help=_("Tệp kết quả.")),
    file_format: str = typer.Option("csv", "--format", help=_("csv, xlsx hoặc json.")),
    names: str = typer.Option(
        "dvcqg", "--names", help=_("Tên cột: dvcqg (MaHoSo, …) hoặc native (code, …).")
    ),
    agency: str | None = typer.Option(None, "--agency", help=_("Cơ quan xử lý.")),
    status: str | None = typer.Option(None, "--status", help=_("Trạng thái, ví dụ returned.")),
    date_from: str | None = typer.Option(None, "--from", help=_("Tiếp nhận từ ngày (DD/MM/YYYY).")),
    date_to: str | None = typer.Option(None, "--to", help=_("Tiếp nhận đến ngày (DD/MM/YYYY).")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Xuất hồ sơ (tên cột theo Cổng DVCQG hoặc tên riêng), nhập lại được y nguyên.

    Ví dụ: tthc export dossiers --format csv --agency STP-AG --from 01/03/2026 -o ho-so.csv
    """
    from tthc_tracker.services import exports

    if file_format not in ("csv", "xlsx", "json"):
        raise InvalidChoiceError("--format", file_format, ["csv", "xlsx", "json"])
    try:
        chosen = Status(status) if status else None
    except ValueError:
        raise InvalidChoiceError("--status", status or "", [s.value for s in Status]) from None
    keep = exports.ExportFilter(
        agency=agency,
        status=chosen,
        date_from=parse_date(date_from, "--from") if date_from else None,
        date_to=parse_date(date_to, "--to") if date_to else None,
    )
    with app_for(ctx) as app:
        count = exports.export_dossiers(app.db, output, file_format, names, keep)
    if json_output:
        print_json({"path": str(output), "dossiers": count, "format": file_format, "names": names})
    else:
        typer.echo(_("Đã xuất {count} hồ sơ ra {path}.").format(count=count, path=output))


@export_app.command("sqlite")
@reports_errors
def export_sqlite(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Tệp SQLite mới.")),
    force: bool = typer.Option(False, "--force", help=_("Ghi đè tệp đã có.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Bản chụp SQLite để phân tích (sqlite-utils, Datasette): bảng, view hồ sơ trễ hạn,
    chỉ mục tìm kiếm toàn văn.

    Ví dụ: tthc export sqlite phan-tich.db && datasette phan-tich.db
    """
    from tthc_tracker.services import exports

    with app_for(ctx) as app:
        counts = exports.export_sqlite(app.db, file, app.clock(), force=force)
    if json_output:
        print_json({"path": str(file), **counts})
    else:
        detail = ", ".join(f"{name} {n}" for name, n in counts.items())
        typer.echo(_("Đã tạo {path}: {detail}.").format(path=file, detail=detail))


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
