"""`tthc letters …`: apology letters (Mẫu 04): draft, issue, list, show, verify, print."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tthc_tracker.cli.common import (
    JSON_OPTION,
    app_for,
    fail,
    instant,
    print_json,
    reports_errors,
    table,
)
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.errors import ChronologyError
from tthc_tracker.domain.statistics_json import count
from tthc_tracker.domain.times import iso, local, parse_date, parse_instant, show
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.storage.workflow import StoredLetter

letters_app = typer.Typer(
    cls=Group,
    help=_(
        "Văn bản xin lỗi và hẹn lại ngày trả kết quả (ND 118 Điều 19.6, Mẫu 04).\n\n"
        "Ví dụ: tthc letters list --status draft"
    ),
    no_args_is_help=True,
)


def letter_json(letter: StoredLetter) -> dict[str, Any]:
    return {
        "number": letter.number_text,
        "status": letter.status.value,
        "dossier": letter.dossier_code,
        "agency": letter.agency_code,
        "year": letter.year,
        "reason": letter.reason,
        "new_due_at": iso(letter.new_due_at),
        "original_due_at": iso(letter.original_due_at),
        "apology_deadline": letter.apology_deadline.isoformat()
        if letter.apology_deadline
        else None,
        "late": letter.late,
        "issued_at": iso(letter.issued_at),
        "recorded_at": iso(letter.recorded_at),
        "path": letter.path,
        "sha256": letter.sha256,
        "template": letter.template,
        "created_by": letter.created_by,
        "issued_by": letter.issued_by,
    }


@letters_app.command("draft")
@reports_errors
def letters_draft(ctx: typer.Context, code: str = typer.Argument(..., help=_("Mã hồ sơ."))) -> None:
    """Lập dự thảo văn bản xin lỗi cho một hồ sơ đang giải quyết (chưa có số).

    Ví dụ: tthc letters draft H01-260302-0001
    """
    from tthc_tracker.services import letters

    with app_for(ctx) as app:
        created = letters.draft(app.db, app.calendars, code, app.settings.actor, app.clock())
    typer.echo(
        _("Đã lập dự thảo văn bản xin lỗi cho hồ sơ {code}.").format(code=code)
        if created
        else _("Hồ sơ {code} đã có văn bản xin lỗi (dự thảo hoặc đã ban hành).").format(code=code)
    )


@letters_app.command("issue")
@reports_errors
def letters_issue(
    ctx: typer.Context,
    code: str = typer.Argument(..., help=_("Mã hồ sơ.")),
    reason: str = typer.Option(..., "--reason", help=_("Lý do quá hạn (bắt buộc).")),
    new_due: str | None = typer.Option(
        None,
        "--new-due",
        help=_(
            "Thời gian hẹn trả kết quả mới (bắt buộc với hồ sơ đang giải quyết; hồ sơ đã "
            "xong quá hạn: mặc định lúc trả kết quả, chưa trả thì lúc hoàn thành)."
        ),
    ),
    at: str | None = typer.Option(None, "--at", help=_("Ngày ban hành (mặc định: bây giờ).")),
    honorific: str = typer.Option(
        "ong-ba", "--honorific", help=_("Cách gọi cá nhân: ong, ba hoặc ong-ba.")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Ban hành văn bản xin lỗi: cấp số, hẹn lại ngày trả (một lần), ghi tệp .docx.

    Hồ sơ đã giải quyết xong nhưng quá hạn mà chưa có văn bản xin lỗi vẫn được ban hành
    văn bản (xin lỗi muộn), không gia hạn.

    Ví dụ: tthc letters issue H01-260302-0001 --reason "Chờ kết quả xác minh"
    --new-due "10/03/2026 16:00"
    """
    from tthc_tracker.domain.letters import Honorific
    from tthc_tracker.services import letters

    new_due_at = None if new_due is None else parse_instant(new_due, "--new-due")
    chosen = Honorific.parse(honorific)
    with app_for(ctx) as app:
        moment = instant(at, "--at", app)
        issued = letters.issue(
            app.db,
            app.calendars,
            app.settings.templates_dir,
            app.settings.letters_dir,
            code,
            reason=reason,
            new_due=new_due_at,
            at=moment,
            honorific=chosen,
            actor=app.settings.actor,
            now=app.clock(),
            smtp=app.smtp,
            outbox=app.settings.outbox_dir,
        )
    letter = issued.letter
    if json_output:
        print_json(
            {
                "number": letter.number_text,
                "path": letter.path,
                "dossier": code,
                "new_due_at": iso(issued.new_due_at),
                "late": issued.late,
            }
        )
        return
    typer.echo(
        _("Đã ban hành văn bản xin lỗi số {n} cho hồ sơ {code}; hẹn trả mới {due}.").format(
            n=letter.number_text, code=code, due=show(issued.new_due_at)
        )
    )
    typer.echo(_("Tệp: {path}").format(path=letter.path))
    notice = issued.notice
    if notice is not None and notice.emailed:
        typer.echo(_("Đã gửi thư điện tử kèm văn bản cho công dân, tổ chức."))
    elif notice is not None:
        why = f" ({notice.problem})" if notice.problem else ""
        typer.echo(
            _(
                "Thông báo cho công dân chưa gửi được qua thư điện tử{why}; đã lưu tại "
                "{path} để báo bằng cách khác."
            ).format(why=why, path=notice.path)
        )
    backdated = _backdated(letter)
    if backdated:
        typer.echo(_("Lưu ý: {what}.").format(what=backdated))
    if issued.late:
        deadline = letter.apology_deadline.strftime("%d/%m/%Y") if letter.apology_deadline else ""
        typer.echo(
            _(
                "Lưu ý: văn bản ban hành muộn (hạn xin lỗi chậm nhất {d}); vẫn được ghi "
                "nhận là xin lỗi muộn."
            ).format(d=deadline)
        )


def _backdated(letter: StoredLetter) -> str:
    """'bears 30/11/2026, entered 04/12/2026' when a letter was entered after its date."""
    if letter.issued_at is None or letter.recorded_at is None:
        return ""
    bears, entered = local(letter.issued_at).date(), local(letter.recorded_at).date()
    if entered <= bears:
        return ""
    return _("văn bản ghi ngày {bears} nhưng được vào sổ ngày {entered}").format(
        bears=f"{bears:%d/%m/%Y}", entered=f"{entered:%d/%m/%Y}"
    )


@letters_app.command("list")
@reports_errors
def letters_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help=_("draft hoặc issued.")),
    agency: str | None = typer.Option(None, "--agency", help=_("Cơ quan ban hành.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Danh sách văn bản xin lỗi (dự thảo và đã ban hành).

    Ví dụ: tthc letters list --status draft --agency STP-AG
    """
    from tthc_tracker.domain.errors import InvalidChoiceError
    from tthc_tracker.domain.letters import LetterStatus
    from tthc_tracker.services import letters

    chosen = None
    if status is not None:
        try:
            chosen = LetterStatus(status)
        except ValueError:
            raise InvalidChoiceError("--status", status, [s.value for s in LetterStatus]) from None
    with app_for(ctx) as app:
        found = letters.current_letters(app.db, app.calendars, chosen, agency)
    if json_output:
        print_json([letter_json(letter) for letter in found])
        return
    rows = [
        [
            letter.number_text or _("(dự thảo)"),
            letter.agency_code,
            letter.dossier_code,
            show(letter.original_due_at),
            letter.apology_deadline.strftime("%d/%m/%Y") if letter.apology_deadline else "",
            show(letter.issued_at),
            _("muộn") if letter.late else "",
        ]
        for letter in found
    ]
    typer.echo(
        table(
            rows,
            [
                _("Số"),
                _("Cơ quan"),
                _("Mã hồ sơ"),
                _("Hạn gốc"),
                _("Hạn xin lỗi"),
                _("Ban hành"),
                _("Ghi chú"),
            ],
        )
    )
    typer.echo(_("Tổng: {n} văn bản.").format(n=count(len(found))))


@letters_app.command("show")
@reports_errors
def letters_show(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Số văn bản, ví dụ 01/PXL.")),
    agency: str | None = typer.Option(None, "--agency", help=_("Cơ quan ban hành.")),
    year: int | None = typer.Option(None, "--year", help=_("Năm ban hành.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Thông tin một văn bản xin lỗi đã ban hành theo số (mọi cơ quan, mọi năm có số đó,
    nếu không nêu --agency, --year).

    Ví dụ: tthc letters show 01/PXL --agency STP-AG --year 2026
    """
    from tthc_tracker.services import letters

    with app_for(ctx) as app:
        found = letters.find(app.db, number, agency, year)
    if json_output:
        print_json([letter_json(letter) for letter in found])
        return
    for index, letter in enumerate(found):
        if index:
            typer.echo("")
        _print_letter(letter)


def _print_letter(letter: StoredLetter) -> None:
    lateness = " " + _("(xin lỗi muộn)") if letter.late else ""
    typer.echo(
        _("Văn bản {number} — {agency}, năm {year}{late}").format(
            number=letter.number_text, agency=letter.agency_code, year=letter.year, late=lateness
        )
    )
    deadline = f"{letter.apology_deadline:%d/%m/%Y}" if letter.apology_deadline else "—"
    lines = [
        (_("Hồ sơ"), letter.dossier_code),
        (_("Lý do"), letter.reason),
        (_("Hạn theo quy định"), show(letter.original_due_at)),
        (_("Hạn xin lỗi chậm nhất"), deadline),
        (_("Hẹn trả kết quả mới"), show(letter.new_due_at)),
        (_("Ban hành"), f"{show(letter.issued_at)} ({letter.issued_by})"),
        *([(_("Vào sổ"), show(letter.recorded_at))] if _backdated(letter) else []),
        (_("Mẫu"), letter.template),
        (_("Tệp"), letter.path or "—"),
        ("SHA-256", letter.sha256 or "—"),
    ]
    for label, value in lines:
        typer.echo(f"  {label}: {value}")


@letters_app.command("verify")
@reports_errors
def letters_verify(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Kiểm tra tệp của mọi văn bản đã ban hành với mã băm SHA-256 đã lưu.

    Ví dụ: tthc letters verify
    """
    from tthc_tracker.services import letters

    with app_for(ctx) as app:
        results = letters.verify(app.db)
    bad = [r for r in results if r.problem]
    if json_output:
        print_json(
            [
                {
                    "number": r.letter.number_text,
                    "agency": r.letter.agency_code,
                    "path": r.letter.path,
                    "ok": not r.problem,
                    "problem": r.problem,
                }
                for r in results
            ]
        )
    else:
        for r in bad:
            typer.echo(
                f"{r.letter.agency_code} {r.letter.number_text}: {r.problem} ({r.letter.path})"
            )
        typer.echo(_("Đã kiểm tra {n} văn bản, {b} có vấn đề.").format(n=len(results), b=len(bad)))
    if bad:
        raise typer.Exit(1)


@letters_app.command("check-template")
@reports_errors
def letters_check_template(template: Path = typer.Argument(..., help=_("Tệp mẫu .docx."))) -> None:
    """Báo trường lạ và trường còn thiếu trong một mẫu văn bản trước khi dùng.

    Ví dụ: tthc letters check-template templates/tt03-2025.docx
    """
    from tthc_tracker.services import letters

    unknown, missing = letters.check(template)
    if unknown:
        typer.echo(
            _("Trường không có trong dữ liệu (sẽ gây lỗi khi in): {f}").format(
                f=", ".join(sorted(unknown))
            )
        )
    if missing:
        typer.echo(
            _("Trường có dữ liệu nhưng mẫu không dùng: {f}").format(f=", ".join(sorted(missing)))
        )
    if not unknown and not missing:
        typer.echo(_("Mẫu {t} dùng đúng và đủ các trường.").format(t=template))
    if unknown:
        raise typer.Exit(1)


@letters_app.command("print")
@reports_errors
def letters_print(
    ctx: typer.Context,
    output: Path = typer.Option(..., "-o", "--output", help=_("Tệp .docx gộp để in.")),
    agency: str | None = typer.Option(None, "--agency", help=_("Cơ quan ban hành.")),
    day_from: str | None = typer.Option(None, "--from", help=_("Từ ngày ban hành.")),
    day_to: str | None = typer.Option(None, "--to", help=_("Đến ngày ban hành.")),
    day: str | None = typer.Option(
        None, "--date", help=_("Ngày ban hành (giờ Việt Nam); thay cho --from và --to.")
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help=_("Chuyển thêm sang PDF bằng LibreOffice (cùng tên, đuôi .pdf).")
    ),
) -> None:
    """Gộp các văn bản đã ban hành thành một tệp để in hàng loạt (mỗi văn bản một trang).

    Các tệp đã ban hành được gộp nguyên văn (đã kiểm tra mã băm). --pdf cần LibreOffice.

    Ví dụ: tthc letters print --agency STP-AG --date 2026-03-05 --pdf -o in.docx
    """
    from tthc_tracker.services import letters

    if day and (day_from or day_to):
        raise fail(_("--date không dùng cùng --from hoặc --to."))
    first, last = (day, day) if day else (day_from, day_to)
    start = parse_date(first, "--date" if day else "--from") if first else None
    end = parse_date(last, "--date" if day else "--to") if last else None
    if start and end and end < start:
        raise ChronologyError("--to", last or "", "--from", first or "")
    bundle = output.with_suffix(".docx") if output.suffix.lower() == ".pdf" else output
    target = bundle.with_suffix(".pdf") if pdf else None
    with app_for(ctx) as app:
        chosen = letters.print_batch(app.db, bundle, agency, start, end, pdf=target)
    typer.echo(_("Đã gộp {n} văn bản vào {out}.").format(n=len(chosen), out=bundle))
    if target is not None:
        typer.echo(_("Bản PDF: {pdf}").format(pdf=target))


def register(app: typer.Typer) -> None:
    app.add_typer(letters_app, name="letters")
