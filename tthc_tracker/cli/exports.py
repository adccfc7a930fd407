"""`tthc export …`: dossiers to CSV/XLSX/JSON, and an SQLite snapshot for analysis."""

from __future__ import annotations

from pathlib import Path

import typer

from tthc_tracker.cli.common import JSON_OPTION, app_for, print_json, reports_errors
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.dossier import Status
from tthc_tracker.domain.errors import ChronologyError, InputError, InvalidChoiceError
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


FORMATS = ("csv", "xlsx", "json")


def _format_for(output: Path, chosen: str | None) -> str:
    """The format asked for, else the file's: a .xlsx name never holds CSV text."""
    suffix = output.suffix.lower().lstrip(".")
    if chosen is not None and chosen not in FORMATS:
        raise InvalidChoiceError("--format", chosen, list(FORMATS))
    if chosen is None and not suffix:
        return "csv"
    if chosen is None and suffix not in FORMATS:
        raise InputError("-o", output.name, "đuôi tệp phải là .csv, .xlsx hoặc .json")
    if chosen is not None and suffix and suffix != chosen:
        raise InputError("--format", chosen, f"tệp “{output.name}” có đuôi .{suffix}")
    return chosen or suffix


@export_app.command("dossiers")
@reports_errors
def export_dossiers(
    ctx: typer.Context,
    output: Path = typer.Option(..., "-o", "--output", help=_("Tệp kết quả.")),
    file_format: str | None = typer.Option(
        None, "--format", help=_("csv, xlsx hoặc json (mặc định: theo đuôi tệp, không có thì csv).")
    ),
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

    file_format = _format_for(output, file_format)
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
    if keep.date_from and keep.date_to and keep.date_to < keep.date_from:
        raise ChronologyError("--to", date_to or "", "--from", date_from or "")
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
