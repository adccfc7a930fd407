"""`tthc import …`: dossiers and the procedure catalogue from CSV, XLSX or JSON files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tthc_tracker.cli.common import JSON_OPTION, app_for, fail, print_json, reports_errors
from tthc_tracker.cli.help_text import Group
from tthc_tracker.domain.errors import InputError
from tthc_tracker.domain.times import iso, show
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.domain.imports import RowError
    from tthc_tracker.services.bulk_imports import ImportedDossier
    from tthc_tracker.services.imports import Progress
    from tthc_tracker.services.ledger import Recomputed
    from tthc_tracker.services.procedure_imports import ImportedProcedure

import_app = typer.Typer(
    cls=Group,
    help=_(
        "Nhập hồ sơ và danh mục thủ tục từ tệp CSV, XLSX hoặc JSON (tên cột theo Cổng DVCQG "
        "hoặc tên riêng của phần mềm).\n\nVí dụ: tthc import dossiers ho-so.xlsx --dry-run"
    ),
    no_args_is_help=True,
)
PROGRESS_FROM = 200  # lines: shorter files finish before a bar is worth drawing


@contextmanager
def progress_bar(length: int) -> Iterator[Progress | None]:
    """A bar on stderr for long files, only when stderr is a terminal."""
    if length < PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=length, label=_("Đang nhập"), file=sys.stderr) as bar:
        yield bar.update


@import_app.command("dossiers")
@reports_errors
def import_dossiers(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Tệp .csv, .xlsx hoặc .json."), exists=True),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Chỉ kiểm tra, không ghi gì.")),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help=_("Ghi các dòng hợp lệ; dòng lỗi ghi ra tệp --rejects.")
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help=_("Tệp nhận các dòng lỗi kèm cột ly_do (.csv hoặc .xlsx).")
    ),
    update: bool = typer.Option(
        False, "--update", help=_("Cập nhật hồ sơ đã có cùng mã (mỗi thay đổi được ghi vết).")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Nhập hồ sơ; mặc định không ghi gì nếu có một dòng lỗi.

    Ví dụ: tthc import dossiers ho-so.csv --skip-invalid --rejects loi.csv
    """
    from tthc_tracker.services import imports

    if skip_invalid and rejects is None:
        raise fail(_("--skip-invalid cần --rejects TỆP để không mất dòng nào."))
    if rejects is not None and rejects.resolve() == file.resolve():
        raise InputError("--rejects", str(rejects), "là chính tệp đang nhập; nó sẽ bị ghi đè")
    source = imports.read_dossier_file(file)
    rejected = 0

    def write_rejects(errors: list[RowError]) -> None:
        # before the import commits: a rejects file that cannot be written keeps nothing;
        # called again when a conflict makes the import start over
        nonlocal rejected
        if rejects is None or dry_run:  # a dry run writes nothing, not even the rejects
            return
        if errors:
            kind = "xlsx" if rejects.suffix.lower() == ".xlsx" else "csv"
            rejected = imports.write_rejects(rejects, source, errors, kind)
        elif rejected:  # an earlier attempt wrote one; this one refused no line
            rejects.unlink(missing_ok=True)
            rejected = 0

    try:
        with app_for(ctx) as app, progress_bar(len(source.lines)) as progress:
            results, errors = imports.import_dossiers(
                app.db,
                app.calendars,
                source,
                actor=app.settings.actor,
                now=app.clock(),
                update=update,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                progress=progress,
                on_checked=write_rejects,
            )
    except BaseException:
        if rejected and rejects is not None:  # written, then the import failed to commit
            rejects.unlink(missing_ok=True)
        raise
    written = not dry_run and (not errors or skip_invalid)
    summary = _summary(results, errors, source.layout.unknown, written, rejected)
    if json_output:
        print_json(summary)
    else:
        _print_summary(summary, errors, results, dry_run)
    if errors and not skip_invalid:
        raise typer.Exit(1)


def _summary(
    results: list[ImportedDossier],
    errors: list[RowError],
    unknown: list[str],
    written: bool,
    rejected: int,
) -> dict[str, Any]:
    count = {a: sum(1 for r in results if r.action == a) for a in ("added", "updated")}
    return {
        "written": written,
        "added": count["added"] if written else 0,
        "updated": count["updated"] if written else 0,
        "unchanged": sum(1 for r in results if r.action == "unchanged"),
        "valid": len(results),
        "invalid_lines": len({e.line for e in errors}),
        "rejected": rejected,
        "unknown_columns": unknown,
        "errors": [
            {"line": e.line, "column": e.column, "value": e.value, "reason": e.reason}
            for e in errors
        ],
        "discrepancies": [
            {
                "line": r.line,
                "code": r.code,
                "declared_due_at": iso(r.declared_due_at),
                "due_at": iso(r.due_at),
            }
            for r in results
            if r.declared_due_at is not None
        ],
    }


def _print_summary(
    summary: dict[str, Any], errors: list[RowError], results: list[ImportedDossier], dry_run: bool
) -> None:
    if errors and not summary["written"] and not dry_run:
        message = _("{n} dòng không hợp lệ; không ghi gì vào sổ.")
        typer.echo(
            _("Lỗi: {message}").format(message=message.format(n=summary["invalid_lines"])), err=True
        )
    for error in errors:
        typer.echo(error.message(), err=True)
    if summary["unknown_columns"]:
        columns = ", ".join(summary["unknown_columns"])
        typer.echo(_("Cột không nhận ra (bỏ qua): {columns}.").format(columns=columns))
    for r in results:
        if r.declared_due_at is not None:
            message = _(
                "Dòng {line}, hồ sơ {code}: tệp hẹn trả {declared}, hạn theo quy định {due}."
            )
            typer.echo(
                message.format(
                    line=r.line, code=r.code, declared=show(r.declared_due_at), due=show(r.due_at)
                )
            )
    if summary["written"]:
        message = _(
            "Đã nhập: {added} hồ sơ mới, {updated} hồ sơ cập nhật, {unchanged} không đổi; "
            "{rejected} dòng lỗi ghi ra tệp từ chối."
        )
        typer.echo(message.format(**summary))
    elif dry_run:
        message = _(
            "Kiểm tra xong (--dry-run): {valid} dòng hợp lệ, {invalid_lines} dòng lỗi; "
            "không ghi gì."
        )
        typer.echo(message.format(**summary))


@import_app.command("procedures")
@reports_errors
def import_procedures(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Tệp .csv, .xlsx hoặc .json."), exists=True),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Chỉ kiểm tra, không ghi gì.")),
    update: bool = typer.Option(
        False, "--update", help=_("Cập nhật thủ tục đã có cùng mã (thời hạn đổi thì tính lại hạn).")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Nhập danh mục thủ tục; không ghi gì nếu có một dòng lỗi.

    Ví dụ: tthc import procedures data/procedures.csv --dry-run
    """
    from tthc_tracker.services import procedure_imports

    source = procedure_imports.read_procedure_file(file)
    with app_for(ctx) as app:
        done = procedure_imports.import_procedures(
            app.db,
            source,
            now=app.clock(),
            calendars=app.calendars if update else None,
            actor=app.settings.actor,
            update=update,
            dry_run=dry_run,
        )
    results, errors = done.procedures, done.errors
    written = not dry_run and not errors
    count = {a: sum(1 for r in results if r.action == a) for a in ("added", "updated")}
    summary = {
        "written": written,
        "added": count["added"] if written else 0,
        "updated": count["updated"] if written else 0,
        "unchanged": sum(1 for r in results if r.action == "unchanged"),
        "valid": len(results),
        "invalid_lines": len({e.line for e in errors}),
        "unknown_columns": source.layout.unknown,
        "changes": {r.code: list(r.changes) for r in results if r.changes},
        "changed_values": {
            r.code: {
                n: {"before": b, "after": a}
                for n, b, a in zip(r.changes, r.before, r.after, strict=True)
            }
            for r in results
            if r.changes
        },
        "recomputed": [
            {
                "code": item.code,
                "agency": item.agency,
                "due_at": {"before": iso(item.before[1]), "after": iso(item.after[1])},
            }
            for item in done.recomputed
        ],
        "errors": [
            {"line": e.line, "column": e.column, "value": e.value, "reason": e.reason}
            for e in errors
        ],
    }
    if json_output:
        print_json(summary)
    else:
        _print_procedures(summary, errors)
        _print_changes(results, done.recomputed, written)
    if errors:
        raise typer.Exit(1)


PROCEDURE_FIELDS = {
    "name": "tên",
    "field": "lĩnh vực",
    "level": "cấp",
    "limit_text": "thời hạn (nguyên văn)",
    "limit": "thời hạn",
    "cutoff": "giờ chốt nhận trong ngày",
    "agency_code": "cơ quan",
}


def _print_changes(
    results: list[ImportedProcedure], recomputed: list[Recomputed], written: bool
) -> None:
    """What each updated procedure changed, and the open dossiers whose due time moved."""
    for r in results:
        if not r.changes:
            continue
        parts = [
            f"{PROCEDURE_FIELDS.get(n, n)}: {b or '—'} → {a or '—'}"
            for n, b, a in zip(r.changes, r.before, r.after, strict=True)
            if n != "limit" or "limit_text" not in r.changes  # the text says it already
        ]
        typer.echo(f"  {r.code}: " + "; ".join(parts))
    if recomputed:
        lead = (
            _("Đã tính lại hạn của {n} hồ sơ đang mở:")
            if written
            else _("Sẽ tính lại hạn của {n} hồ sơ đang mở:")
        )
        typer.echo(lead.format(n=len(recomputed)))
        for item in recomputed:
            typer.echo(
                f"  {item.code} ({item.agency}): {show(item.before[1])} → {show(item.after[1])}"
            )


def _print_procedures(summary: dict[str, Any], errors: list[RowError]) -> None:
    if errors:
        message = _("{n} dòng không hợp lệ; không ghi gì vào danh mục.")
        typer.echo(
            _("Lỗi: {message}").format(message=message.format(n=summary["invalid_lines"])), err=True
        )
    for error in errors:
        typer.echo(error.message(), err=True)
    if summary["unknown_columns"]:
        columns = ", ".join(summary["unknown_columns"])
        typer.echo(_("Cột không nhận ra (bỏ qua): {columns}.").format(columns=columns))
    if summary["written"]:
        message = _(
            "Đã nhập danh mục: {added} thủ tục mới, {updated} cập nhật, {unchanged} không đổi."
        )
        typer.echo(message.format(**summary))
    elif not errors:
        message = _("Kiểm tra xong (--dry-run): {valid} thủ tục hợp lệ; không ghi gì.")
        typer.echo(message.format(**summary))


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
