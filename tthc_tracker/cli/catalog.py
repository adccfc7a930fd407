"""`tthc agency …` and `tthc procedure …`: the catalogue of agencies and procedures."""

from __future__ import annotations

import typer

from tthc_tracker.cli.common import (
    JSON_OPTION,
    app_for,
    clip,
    print_json,
    reports_errors,
    table,
)
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.catalog import DEFAULT_OFFICE_HOURS, Agency, Procedure
from tthc_tracker.i18n import _

agency_app = typer.Typer(
    cls=Group,
    help=_("Cơ quan, đơn vị (tiếp nhận, xử lý, trả kết quả).\n\nVí dụ: tthc agency list"),
    no_args_is_help=True,
)
procedure_app = typer.Typer(
    cls=Group,
    help=_("Danh mục thủ tục hành chính và thời hạn giải quyết.\n\nVí dụ: tthc procedure list"),
    no_args_is_help=True,
)


@agency_app.command("add")
@reports_errors
def agency_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã cơ quan, ví dụ STP-AG.")),
    name: str = typer.Option(..., "--name", help=_("Tên đơn vị in trên văn bản.")),
    parent: str = typer.Option("", "--parent", help=_("Cơ quan chủ quản.")),
    place: str = typer.Option("", "--place", help=_("Địa danh ghi ở dòng ngày tháng.")),
    signer_title: str = typer.Option("", "--signer-title", help=_("Chức danh người ký.")),
    signer_name: str = typer.Option("", "--signer-name", help=_("Họ tên người ký.")),
    letter_suffix: str = typer.Option(
        "PXL", "--letter-suffix", help=_("Hậu tố số văn bản xin lỗi, ví dụ HCC-HCTH.")
    ),
    office_hours: str = typer.Option(
        DEFAULT_OFFICE_HOURS,
        "--office-hours",
        help=_("Các buổi làm việc, ví dụ 07:00-11:30,13:30-17:00."),
    ),
    saturday_hours: str = typer.Option(
        "", "--saturday-hours", help=_("Buổi tiếp nhận sáng thứ Bảy, ví dụ 07:00-11:30.")
    ),
    saturday_counts: bool = typer.Option(
        False, "--saturday-counts", help=_("Tính buổi sáng thứ Bảy vào thời hạn.")
    ),
    apology_lead_days: int = typer.Option(
        1, "--apology-lead-days", help=_("Số ngày làm việc báo trước hạn để xin lỗi.")
    ),
    email: str = typer.Option("", "--email", help=_("Thư điện tử nhận bản tin cảnh báo.")),
    short_name: str = typer.Option(
        "", "--short-name", help=_('Tên dùng trong thân văn bản, ví dụ "Sở Tư pháp".')
    ),
    letter_template: str = typer.Option(
        "tt03-2025",
        "--letter-template",
        help=_("Mẫu văn bản xin lỗi: tt03-2025, tt01-2018, cong-van hoặc đường dẫn tệp .docx."),
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Thêm một cơ quan.

    Ví dụ: tthc agency add STP-AG --name "SỞ TƯ PHÁP" --parent "UBND TỈNH AN GIANG"
    --place "Rạch Giá" --signer-title "GIÁM ĐỐC" --signer-name "Trần Thị Mỹ Linh"
    """
    from tthc_tracker.services import catalog

    agency = catalog.new_agency(
        code,
        name=name,
        parent=parent,
        place=place,
        signer_title=signer_title,
        signer_name=signer_name,
        letter_suffix=letter_suffix,
        office_hours=office_hours,
        saturday_hours=saturday_hours,
        saturday_counts=saturday_counts,
        apology_lead_days=apology_lead_days,
        email=email,
        short_name=short_name,
        letter_template=letter_template,
    )
    with app_for(ctx) as app:
        from tthc_tracker.services.letters import usable_template

        usable_template(app.settings.templates_dir, agency.letter_template)
        catalog.add_agency(app.db, agency, app.clock())
    if json_output:
        print_json(agency_json(agency))
    else:
        typer.echo(_("Đã thêm cơ quan {code}: {name}.").format(code=agency.code, name=agency.name))


def agency_json(agency: Agency) -> dict[str, object]:
    return {
        "code": agency.code,
        "name": agency.name,
        "parent": agency.parent,
        "place": agency.place,
        "signer_title": agency.signer_title,
        "signer_name": agency.signer_name,
        "letter_suffix": agency.letter_suffix,
        "office_hours": agency.hours.text(),
        "saturday_hours": agency.hours.saturday_text(),
        "saturday_counts": agency.hours.saturday_counts,
        "apology_lead_days": agency.apology_lead_days,
        "short_name": agency.short_name,
        "letter_template": agency.letter_template,
        "email": agency.email,
    }


@agency_app.command("list")
@reports_errors
def agency_list(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Liệt kê các cơ quan.

    Ví dụ: tthc agency list --json
    """
    from tthc_tracker.services import catalog

    with app_for(ctx) as app:
        agencies = catalog.list_agencies(app.db)
    if json_output:
        print_json([agency_json(a) for a in agencies])
        return
    rows = [[a.code, a.name, a.parent, a.hours.text()] for a in agencies]
    typer.echo(table(rows, [_("Mã"), _("Tên"), _("Cơ quan chủ quản"), _("Giờ làm việc")]))


@procedure_app.command("add")
@reports_errors
def procedure_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã thủ tục (mã TTHC), ví dụ 1.001612.")),
    name: str = typer.Option(..., "--name", help=_("Tên thủ tục.")),
    field: str = typer.Option(..., "--field", help=_("Lĩnh vực.")),
    limit: str = typer.Option(
        ..., "--limit", help=_('Thời hạn như danh mục ghi, ví dụ "3 ngày làm việc".')
    ),
    level: str = typer.Option("", "--level", help=_('Cấp thực hiện, ví dụ "Cấp tỉnh".')),
    cutoff: str | None = typer.Option(
        None, "--cutoff", help=_("Giờ chốt nhận trong ngày, ví dụ 15:00.")
    ),
    agency: str | None = typer.Option(None, "--agency", help=_("Mã cơ quan giải quyết.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Thêm một thủ tục hành chính.

    Ví dụ: tthc procedure add 2.000884 --name "Chứng thực chữ ký" --field "Chứng thực"
    --limit "Trong ngày" --cutoff 15:00
    """
    from tthc_tracker.services import catalog

    procedure = catalog.new_procedure(
        code, name=name, field=field, limit=limit, level=level, cutoff=cutoff, agency=agency
    )
    with app_for(ctx) as app:
        catalog.add_procedure(app.db, procedure, app.clock())
    if json_output:
        print_json(procedure_json(procedure))
    else:
        typer.echo(
            _("Đã thêm thủ tục {code}: {name} ({limit}).").format(
                code=procedure.code, name=procedure.name, limit=procedure.limit.text()
            )
        )


def procedure_json(procedure: Procedure) -> dict[str, object]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "limit": procedure.limit_text,
        "limit_amount": str(procedure.limit.amount),
        "limit_unit": procedure.limit.unit.value,
        "cutoff": procedure.cutoff.strftime("%H:%M") if procedure.cutoff else None,
        "agency": procedure.agency_code,
    }


@procedure_app.command("list")
@reports_errors
def procedure_list(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Liệt kê các thủ tục.

    Ví dụ: tthc procedure list
    """
    from tthc_tracker.services import catalog

    with app_for(ctx) as app:
        procedures = catalog.list_procedures(app.db)
    if json_output:
        print_json([procedure_json(p) for p in procedures])
        return
    rows = [
        [
            p.code,
            clip(p.name, 60),
            p.field,
            p.limit.text(),
            p.cutoff.strftime("%H:%M") if p.cutoff else "",
        ]
        for p in procedures
    ]
    typer.echo(table(rows, [_("Mã"), _("Tên"), _("Lĩnh vực"), _("Thời hạn"), _("Chốt")]))


def register(app: typer.Typer) -> None:
    app.add_typer(agency_app, name="agency")
    app.add_typer(procedure_app, name="procedure")
