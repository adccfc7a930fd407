"""`tthc dossier …`: receive dossiers, move them through their lifecycle, show and list."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from tthc_tracker.cli.common import (
    JSON_OPTION,
    app_for,
    clip,
    instant,
    print_json,
    reports_errors,
    table,
)
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.dossier import OLD_RECEIPT, Event, EventKind, Status
from tthc_tracker.domain.statistics_json import count
from tthc_tracker.domain.times import iso, local, parse_instant, show
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.services.deadlines import Explanation
    from tthc_tracker.services.ledger import DossierView

dossier_app = typer.Typer(
    cls=Group,
    help=_("Sổ hồ sơ: tiếp nhận, xử lý, trả kết quả.\n\nVí dụ: tthc dossier list --overdue"),
    no_args_is_help=True,
)

AT_OPTION = typer.Option(
    None,
    "--at",
    help=_("Thời điểm (YYYY-MM-DD HH:MM, DD/MM/YYYY HH:MM hoặc ISO 8601); mặc định: bây giờ."),
)


def dossier_json(view: DossierView) -> dict[str, Any]:
    d = view.dossier
    return {
        "code": d.code,
        "procedure": d.procedure_code,
        "procedure_name": view.procedure.name,
        "limit": view.procedure.limit_text,
        "receiving_agency": d.receiving_agency,
        "processing_agency": d.processing_agency,
        "returning_agency": d.returning_agency,
        "applicant_name": d.applicant_name,
        "applicant_kind": d.applicant_kind.value,
        "id_number": d.id_number,
        "address": d.address,
        "phone": d.phone,
        "email": d.email,
        "summary": d.summary,
        "channel": d.channel.value,
        "status": d.status.value,
        "received_at": iso(d.received_at),
        "original_due_at": iso(d.original_due_at),
        "due_at": iso(d.due_at),
        "completed_at": iso(d.completed_at),
        "returned_at": iso(d.returned_at),
        "extended": d.extended,
        "supplement_requests": d.supplement_requests,
        "clock_running": view.deadline.clock_running,
        "timeliness": view.timeliness.value if view.timeliness else None,
        "working_seconds_left": view.working_seconds_left,
        "remaining": view.remaining,
        "as_of": iso(view.as_of),
        "notes": list(view.notes),
    }


def _events_json(view: DossierView) -> list[dict[str, Any]]:
    return [
        {
            "seq": e.seq,
            "kind": e.event.kind.value,
            "at": iso(e.event.at),
            "recorded_at": iso(e.recorded_at),
            "actor": e.actor,
            "field": e.event.field,
            "old_value": e.event.old_value,
            "new_value": e.event.new_value,
            "reason": e.event.reason,
        }
        for e in view.events
    ]


def _print_view(view: DossierView) -> None:
    d = view.dossier
    lines = [
        f"{_('Hồ sơ')} {d.code} — {d.status.label}",
        f"{_('Thủ tục')}: {d.procedure_code} {view.procedure.name} ({view.procedure.limit_text})",
        f"{_('Chủ hồ sơ')}: {d.applicant_name}"
        + (f"; {_('số định danh')} {d.id_number}" if d.id_number else "")
        + (f"; {_('điện thoại')} {d.phone}" if d.phone else ""),
        f"{_('Tiếp nhận')}: {show(d.received_at)} ({d.channel.label}) — "
        f"{_('nơi tiếp nhận')} {d.receiving_agency}, {_('xử lý')} {d.processing_agency}, "
        f"{_('trả kết quả')} {d.returning_agency}",
        f"{_('Hạn theo quy định')}: {show(d.original_due_at)}",
    ]
    if d.extended:
        lines.append(f"{_('Hạn đã hẹn lại')}: {show(d.due_at)}")
    if d.completed_at:
        lines.append(f"{_('Xử lý xong')}: {show(d.completed_at)}")
    if d.returned_at:
        lines.append(f"{_('Trả kết quả')}: {show(d.returned_at)}")
    lines.append(f"{_('Tình trạng')}: {view.remaining}")
    lines += _note_lines(view)
    typer.echo("\n".join(lines))


def _note_lines(view: DossierView) -> list[str]:
    return [f"{_('Lưu ý')}: {note}" for note in view.notes]


FIELD_LABELS = {
    "status": "trạng thái",
    "due_at": "hạn",
    "original_due_at": "hạn theo quy định",
    "declared_due_at": "hạn ghi trong tệp nhập",
    "flag": "cảnh báo",
    "procedure": "thủ tục",
    "processing_agency": "cơ quan xử lý",
    "receiving_agency": "nơi tiếp nhận",
    "returning_agency": "nơi trả kết quả",
    "applicant_name": "chủ hồ sơ",
    "applicant_kind": "loại chủ hồ sơ",
    "id_number": "số định danh",
    "address": "địa chỉ",
    "phone": "điện thoại",
    "email": "thư điện tử",
    "summary": "trích yếu",
    "channel": "kênh",
    "received_at": "tiếp nhận",
    "completed_at": "xử lý xong",
    "returned_at": "trả kết quả",
}
"""History field names as clerks read them (``--json`` keeps the stored names)."""


def _readable(value: str | None, field: str = "") -> str:
    """Stored values as clerks read them: instants as dd/mm/yyyy HH:MM, statuses, flags and
    channels by their Vietnamese names; other values as they are."""
    from tthc_tracker.domain.dossier import Channel, Status
    from tthc_tracker.domain.sweep import FlagKind

    if not value:
        return "—"
    names: dict[str, type[Status] | type[FlagKind] | type[Channel]] = {
        "status": Status,
        "flag": FlagKind,
        "channel": Channel,
    }
    kind = names.get(field)
    if kind is not None:
        try:
            return kind(value).label
        except ValueError:
            return value
    try:
        return show(datetime.fromisoformat(value))
    except ValueError:
        return value


def _change(event: Event) -> str:
    """'trạng thái: Đang giải quyết → Tạm dừng': a field's change as clerks read it."""
    name = event.field
    old, new = _readable(event.old_value, name), _readable(event.new_value, name)
    return f"{FIELD_LABELS.get(name, name)}: {old} → {new}"


def _print_events(view: DossierView) -> None:
    typer.echo(_("Lịch sử:"))
    for e in view.events:
        change = f" [{_change(e.event)}]" if e.event.field else ""
        reason = f" — {e.event.reason}" if e.event.reason else ""
        typer.echo(
            f"  #{e.seq} {show(e.event.at)}  {e.event.kind.label}{change}{reason} "
            f"({_('người ghi')} {e.actor}, {show(e.recorded_at)})"
        )


def print_explanation(explanation: Explanation) -> None:
    from tthc_tracker.domain.deadline import day_reason
    from tthc_tracker.domain.limits import LimitUnit
    from tthc_tracker.domain.timeliness import format_hours
    from tthc_tracker.domain.times import weekday_name

    deadline = explanation.deadline
    typer.echo(
        f"{_('Hạn giải quyết')}: {show(deadline.due_at)} ({weekday_name(deadline.due_at.date())})"
    )
    typer.echo(
        f"{_('Thời hạn')}: {explanation.limit.text()}; "
        f"{_('giờ làm việc')}: {explanation.hours_text}"
    )
    for step in deadline.steps:
        typer.echo(f"  {show(step.at)}  {step.text}")
    if deadline.due_at_pause_method is not None:
        typer.echo(
            f"  {_('Theo cách tính QĐ 766 (thời gian bổ sung là tạm dừng)')}: "
            f"{show(deadline.due_at_pause_method)}"
        )
    typer.echo(_("Từng ngày:"))
    by_calendar = explanation.limit.unit in (LimitUnit.CALENDAR_DAYS, LimitUnit.MONTHS)
    for index, line in enumerate(explanation.days):
        info = line.info
        if not by_calendar:
            counted = (
                f"{_('tính')} {format_hours(line.counted_seconds)}"
                if line.counted_seconds
                else _("không tính")
            )
        elif line.calendar_day is not None:
            counted = _("ngày thứ {n} (tính cả ngày nghỉ)").format(n=line.calendar_day)
        elif line.moved:
            counted = _("ngày cuối của thời hạn là ngày nghỉ: chuyển sang ngày làm việc tiếp theo")
        elif index:
            counted = _("sau ngày cuối của thời hạn: bù thời gian tạm dừng")
        else:
            counted = _("không tính: thời hạn tính từ ngày hôm sau")
        if by_calendar and index == len(explanation.days) - 1:
            counted += "; " + (
                _("hạn trả: lúc {time}").format(time=f"{local(deadline.legal_due_at):%H:%M}")
                if deadline.paused_seconds
                else _("hạn trả: hết giờ làm việc")
            )
        if line.paused_seconds:
            counted += "; " + _("tạm dừng {hours}, không tính").format(
                hours=format_hours(line.paused_seconds)
            )
        typer.echo(
            f"  {weekday_name(info.day)} {info.day:%d/%m/%Y}: {counted} — {day_reason(info)}"
        )
    for note in explanation.notes:
        typer.echo(f"{_('Lưu ý')}: {note}")


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    deadline = explanation.deadline
    return {
        "due_at": iso(deadline.due_at),
        "legal_due_at": iso(deadline.legal_due_at),
        "counting_from": iso(deadline.start.counting_from),
        "limit": explanation.limit.text(),
        "limit_unit": explanation.limit.unit.value,
        "office_hours": explanation.hours_text,
        "due_at_pause_method": iso(deadline.due_at_pause_method),
        "paused_seconds": deadline.paused_seconds,
        "supplement_seconds": deadline.supplement_seconds,
        "steps": [{"at": iso(s.at), "text": s.text} for s in deadline.steps],
        "notes": list(explanation.notes),
        "days": [
            {
                "date": line.info.day.isoformat(),
                "status": line.info.status.value,
                "counted_seconds": line.counted_seconds,
                "paused_seconds": line.paused_seconds,
                "calendar_day": line.calendar_day,
                "moved": line.moved,
                "name": line.info.name,
                "source": line.info.source,
            }
            for line in explanation.days
        ],
    }


@dossier_app.command("add")
@reports_errors
def dossier_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã hồ sơ, ví dụ 000.00.53.H48-260302-0001.")),
    procedure: str = typer.Option(..., "--procedure", help=_("Mã thủ tục.")),
    agency: str = typer.Option(..., "--agency", help=_("Mã cơ quan giải quyết.")),
    applicant: str = typer.Option(..., "--applicant", help=_("Tên cá nhân, tổ chức.")),
    received: str = typer.Option(..., "--received", help=_("Thời điểm tiếp nhận.")),
    channel: str = typer.Option(
        ..., "--channel", help=_("Kênh: truc-tiep, truc-tuyen hoặc buu-chinh.")
    ),
    applicant_kind: str = typer.Option(
        "ca-nhan", "--applicant-kind", help=_("ca-nhan hoặc to-chuc.")
    ),
    id_number: str = typer.Option("", "--id-number", help=_("Số định danh / mã số thuế.")),
    address: str = typer.Option("", "--address", help=_("Địa chỉ.")),
    phone: str = typer.Option("", "--phone", help=_("Số điện thoại.")),
    email: str = typer.Option("", "--email", help=_("Thư điện tử.")),
    summary: str = typer.Option("", "--summary", help=_("Trích yếu hồ sơ.")),
    receiving_agency: str | None = typer.Option(
        None, "--receiving-agency", help=_("Nơi tiếp nhận (mặc định: cơ quan giải quyết).")
    ),
    returning_agency: str | None = typer.Option(
        None, "--returning-agency", help=_("Nơi trả kết quả (mặc định: cơ quan giải quyết).")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Tiếp nhận một hồ sơ và in thời gian hẹn trả kết quả.

    Ví dụ: tthc dossier add H48-260302-0001 --procedure 1.001612 --agency STP-AG
    --applicant "Nguyễn Văn Đức" --received "02/03/2026 09:00" --channel truc-tiep
    """
    from tthc_tracker.services.ledger import NewDossier, add_dossier

    received_at = parse_instant(received, "--received")
    new = NewDossier(
        code=code,
        procedure=procedure,
        agency=agency,
        applicant=applicant,
        received_at=received_at,
        channel=channel,
        applicant_kind=applicant_kind,
        id_number=id_number,
        address=address,
        phone=phone,
        email=email,
        summary=summary,
        receiving_agency=receiving_agency,
        returning_agency=returning_agency,
    )
    with app_for(ctx) as app:
        now = app.clock()
        view = add_dossier(app.db, app.calendars, new, app.settings.actor, now)
    if json_output:
        print_json(dossier_json(view))
        return
    typer.echo(_("Đã tiếp nhận hồ sơ {code}.").format(code=view.dossier.code))
    typer.echo(
        _("Thời gian hẹn trả kết quả: {due}").format(
            due=local(view.dossier.due_at).strftime("%H giờ %M phút, ngày %d/%m/%Y")
        )
    )
    for line in _note_lines(view):
        typer.echo(line)
    if now - view.dossier.received_at > OLD_RECEIPT:  # 2019 typed for 2026?
        typer.echo(
            _(
                "Lưu ý: thời điểm tiếp nhận {at} cách đây hơn một năm; nếu gõ nhầm, sửa bằng "
                'tthc dossier correct {code} --received "…" --reason "…"'
            ).format(at=show(view.dossier.received_at), code=view.dossier.code)
        )


@dossier_app.command("show")
@reports_errors
def dossier_show(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã hồ sơ.")),
    explain: bool = typer.Option(False, "--explain", help=_("Giải thích cách tính hạn.")),
    as_of: str | None = typer.Option(
        None, "--as-of", help=_("Xem tại thời điểm (mặc định: bây giờ).")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Thông tin, hạn hiện tại và hạn gốc, thời gian còn lại hoặc quá hạn, lịch sử.

    Ví dụ: tthc dossier show H48-260302-0001 --explain
    """
    from tthc_tracker.services.deadlines import explain_dossier
    from tthc_tracker.services.ledger import show_dossier

    with app_for(ctx) as app:
        moment = instant(as_of, "--as-of", app)
        explanation = None
        if explain:
            view, explanation = explain_dossier(app.db, app.calendars, code, moment)
        else:
            view = show_dossier(app.db, app.calendars, code, moment)
    if json_output:
        data = dossier_json(view) | {"events": _events_json(view)}
        if explanation is not None:
            data["explanation"] = explanation_json(explanation)
        print_json(data)
        return
    _print_view(view)
    _print_events(view)
    if explanation is not None:
        print_explanation(explanation)


@dossier_app.command("list")
@reports_errors
def dossier_list(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, "--status", help=_("Lọc theo trạng thái: ") + ", ".join(s.value for s in Status)
    ),
    agency: str | None = typer.Option(None, "--agency", help=_("Lọc theo cơ quan giải quyết.")),
    overdue: bool = typer.Option(
        False,
        "--overdue",
        help=_("Chỉ hồ sơ chưa xong đã quá hạn (cả hồ sơ tạm dừng, chờ bổ sung khi đã quá hạn)."),
    ),
    as_of: str | None = typer.Option(None, "--as-of", help=_("Thời điểm xét (mặc định: bây giờ).")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Danh sách hồ sơ.

    Ví dụ: tthc dossier list --overdue --agency STP-AG
    """
    from tthc_tracker.domain.errors import InvalidChoiceError
    from tthc_tracker.services.ledger import list_dossiers

    chosen = None
    if status is not None:
        try:
            chosen = Status(status)
        except ValueError:
            raise InvalidChoiceError("--status", status, [s.value for s in Status]) from None
    with app_for(ctx) as app:
        moment = instant(as_of, "--as-of", app)
        views = list_dossiers(app.db, app.calendars, moment, chosen, agency, overdue)
    if json_output:
        print_json([dossier_json(v) for v in views])
        return
    _print_table(views)


@dossier_app.command("search")
@reports_errors
def dossier_search(
    ctx: typer.Context,
    text: str = typer.Argument(
        ..., help=_("Tên chủ hồ sơ, mã hồ sơ hoặc số điện thoại (có dấu hay không đều được).")
    ),
    limit: int = typer.Option(20, "--limit", min=1, help=_("Số hồ sơ tối đa.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Tìm hồ sơ theo tên chủ hồ sơ, mã hồ sơ, số điện thoại; không phân biệt hoa thường,
    có dấu hay không dấu (“duc” tìm được “Đức”).

    Ví dụ: tthc dossier search "nguyen van duc"
    """
    from tthc_tracker.services.ledger import search_dossiers

    with app_for(ctx) as app:
        views = search_dossiers(app.db, app.calendars, text, app.clock(), limit)
    if json_output:
        print_json([dossier_json(v) for v in views])
        return
    _print_table(views)


def _print_table(views: list[DossierView]) -> None:
    rows = [
        [
            v.dossier.code,
            v.dossier.processing_agency,
            clip(v.dossier.applicant_name, 30),
            show(v.dossier.received_at),
            show(v.dossier.due_at),
            v.dossier.status.label,
            v.remaining,
        ]
        for v in views
    ]
    typer.echo(
        table(
            rows,
            [
                _("Mã hồ sơ"),
                _("Cơ quan"),
                _("Chủ hồ sơ"),
                _("Tiếp nhận"),
                _("Hạn"),
                _("Trạng thái"),
                _("Tình trạng"),
            ],
        )
    )
    typer.echo(_("Tổng: {n} hồ sơ.").format(n=count(len(views))))


def _action(kind: EventKind, doc: str, reason_required: bool) -> None:
    def command(
        ctx: typer.Context,
        code: str = typer.Argument(..., help=_("Mã hồ sơ.")),
        at: str | None = AT_OPTION,
        reason: str = typer.Option(... if reason_required else "", "--reason", help=_("Lý do.")),
        json_output: bool = JSON_OPTION,
    ) -> None:
        from tthc_tracker.services.ledger import transition

        with app_for(ctx) as app:
            moment = instant(at, "--at", app)
            view = transition(
                app.db, app.calendars, code, kind, moment, reason, app.settings.actor, app.clock()
            )
        if json_output:
            print_json(dossier_json(view))
            return
        typer.echo(
            _("Hồ sơ {code}: {action} lúc {at}. Trạng thái: {status}.").format(
                code=code, action=kind.label, at=show(moment), status=view.dossier.status.label
            )
        )
        typer.echo(f"{_('Hạn')}: {show(view.dossier.due_at)} — {view.remaining}")
        for line in _note_lines(view):
            typer.echo(line)

    command.__doc__ = doc
    name = ACTION_NAMES[kind]
    dossier_app.command(name)(reports_errors(command))


ACTION_NAMES = {
    EventKind.COMPLETED: "complete",
    EventKind.RETURNED: "return",
    EventKind.SUPPLEMENT_REQUESTED: "supplement-request",
    EventKind.SUPPLEMENT_RECEIVED: "supplement-received",
    EventKind.PAUSED: "pause",
    EventKind.RESUMED: "resume",
    EventKind.STOPPED: "stop",
    EventKind.WITHDRAWN: "withdraw",
    EventKind.REFUSED: "refuse",
}
_ACTION_DOCS = {
    EventKind.COMPLETED: ("Ghi nhận hồ sơ đã xử lý xong.", False),
    EventKind.RETURNED: ("Ghi nhận đã trả kết quả cho công dân, tổ chức.", False),
    EventKind.SUPPLEMENT_REQUESTED: (
        "Yêu cầu bổ sung, hoàn thiện hồ sơ (dừng tính hạn; chỉ một lần).",
        True,
    ),
    EventKind.SUPPLEMENT_RECEIVED: ("Nhận đủ hồ sơ bổ sung: thời hạn được tính lại từ đầu.", False),
    EventKind.PAUSED: ("Tạm dừng tính hạn (có lý do).", True),
    EventKind.RESUMED: ("Tiếp tục tính hạn sau khi tạm dừng.", False),
    EventKind.STOPPED: ("Dừng giải quyết hồ sơ (Mẫu 05).", True),
    EventKind.WITHDRAWN: ("Công dân, tổ chức rút hồ sơ.", False),
    EventKind.REFUSED: ("Từ chối giải quyết hồ sơ.", True),
}
for _kind, (_doc, _required) in _ACTION_DOCS.items():
    _example = f'tthc dossier {ACTION_NAMES[_kind]} H48-260302-0001 --at "05/03/2026 10:00"'
    if _required:
        _example += ' --reason "…"'
    _action(_kind, f"{_(_doc)}\n\nVí dụ: {_example}", _required)


@dossier_app.command("extend")
@reports_errors
def dossier_extend(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã hồ sơ.")),
    new_due: str = typer.Option(..., "--new-due", help=_("Thời gian hẹn trả mới.")),
    reason: str = typer.Option(..., "--reason", help=_("Lý do quá hạn.")),
    at: str | None = AT_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Ghi việc hẹn lại ngày trả kết quả (chỉ một lần) đã nêu trong văn bản xin lỗi. Thường
    dùng tthc letters issue, lệnh ghi cả hai; hẹn lại ghi riêng ở đây mà chưa có văn bản thì
    lượt rà soát vẫn nhắc cho đến khi tthc letters issue đăng ký văn bản đó.

    Ví dụ: tthc dossier extend H48-260302-0001 --new-due "10/03/2026 16:00"
    --reason "Chờ kết quả xác minh"
    """
    from tthc_tracker.services.ledger import extend

    new_due_at = parse_instant(new_due, "--new-due")
    with app_for(ctx) as app:
        moment = instant(at, "--at", app)
        view = extend(
            app.db, app.calendars, code, new_due_at, reason, moment, app.settings.actor, app.clock()
        )
    if json_output:
        print_json(dossier_json(view))
        return
    typer.echo(
        _("Hồ sơ {code}: hẹn lại ngày trả kết quả {due} (hạn gốc {original}).").format(
            code=code, due=show(view.dossier.due_at), original=show(view.dossier.original_due_at)
        )
    )


@dossier_app.command("correct")
@reports_errors
def dossier_correct(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã hồ sơ.")),
    reason: str = typer.Option(..., "--reason", help=_("Lý do sửa (bắt buộc).")),
    received: str | None = typer.Option(
        None, "--received", help=_("Thời điểm tiếp nhận đúng (tính lại hạn).")
    ),
    procedure: str | None = typer.Option(
        None, "--procedure", help=_("Mã thủ tục đúng (tính lại hạn).")
    ),
    applicant: str | None = typer.Option(None, "--applicant", help=_("Tên chủ hồ sơ.")),
    id_number: str | None = typer.Option(None, "--id-number", help=_("Số định danh.")),
    address: str | None = typer.Option(None, "--address", help=_("Địa chỉ.")),
    phone: str | None = typer.Option(None, "--phone", help=_("Số điện thoại.")),
    email: str | None = typer.Option(None, "--email", help=_("Thư điện tử.")),
    summary: str | None = typer.Option(None, "--summary", help=_("Trích yếu.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Sửa thông tin ghi nhầm của hồ sơ: thời điểm tiếp nhận, thủ tục, thông tin chủ hồ sơ.
    Mỗi trường sửa là một dòng lịch sử (giá trị cũ, mới, lý do); hạn được tính lại khi thời
    điểm tiếp nhận hoặc thủ tục thay đổi.

    Ví dụ: tthc dossier correct H48-260302-0001 --received "02/03/2026 14:00"
    --reason "Ghi nhầm giờ tiếp nhận"
    """
    from tthc_tracker.services.ledger import Correction, correct

    fixed = Correction(
        received_at=None if received is None else parse_instant(received, "--received"),
        procedure=procedure,
        applicant_name=applicant,
        id_number=id_number,
        address=address,
        phone=phone,
        email=email,
        summary=summary,
    )
    with app_for(ctx) as app:
        view = correct(app.db, app.calendars, code, fixed, reason, app.settings.actor, app.clock())
    if json_output:
        print_json(dossier_json(view))
        return
    # this correction's events: the last ones of the history, all written at one instant
    written: list[Event] = []
    for recorded in reversed(view.events):
        if recorded.event.kind not in (EventKind.UPDATED, EventKind.DUE_RECOMPUTED) or (
            recorded.recorded_at != view.events[-1].recorded_at
        ):
            break
        written.insert(0, recorded.event)
    typer.echo(_("Đã sửa hồ sơ {code}.").format(code=code))
    for event in written:
        typer.echo(f"  {event.kind.label}: {_change(event)}")
    typer.echo(f"{_('Hạn')}: {show(view.dossier.due_at)} — {view.remaining}")
    for line in _note_lines(view):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(dossier_app, name="dossier")
