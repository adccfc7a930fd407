"""`tthc db …`: back up, restore and check a ledger; move it to another database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tthc_tracker.cli.common import JSON_OPTION, app_for, fail, print_json, reports_errors, table
from tthc_tracker.cli.help_text import Group
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.services.ledger import Recomputed
    from tthc_tracker.services.maintenance import CheckReport, Transfer

db_app = typer.Typer(
    cls=Group,
    help=_(
        "Bảo trì cơ sở dữ liệu: sao lưu, khôi phục, kiểm tra toàn vẹn, chuyển sổ hồ sơ giữa "
        "SQLite và PostgreSQL.\n\nVí dụ: tthc db check"
    ),
    no_args_is_help=True,
)


@db_app.command("backup")
@reports_errors
def db_backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Tệp sao lưu mới.")),
    force: bool = typer.Option(False, "--force", help=_("Ghi đè tệp đã có.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Sao lưu toàn bộ sổ hồ sơ trong lúc mọi người vẫn làm việc: SQLite qua API sao lưu
    trực tuyến, PostgreSQL qua pg_dump (dạng custom). Tệp chỉ xuất hiện khi đã sao lưu xong.

    Ví dụ: tthc db backup sao-luu/tthc-2026-11-27.bak
    """
    from tthc_tracker.services import maintenance

    with app_for(ctx, schema_required=False) as app:  # no lock: clerks go on writing
        done = maintenance.backup(app.db, file, force=force)
    if json_output:
        print_json(
            {
                "path": str(done.path),
                "backend": done.backend,
                "revision": done.revision,
                "bytes": done.size,
            }
        )
    else:
        typer.echo(
            _("Đã sao lưu ({backend}, cấu trúc {rev}) vào {path}: {size} byte.").format(
                backend=done.backend, rev=done.revision, path=done.path, size=done.size
            )
        )


@db_app.command("restore")
@reports_errors
def db_restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Tệp do tthc db backup tạo ra.")),
    force: bool = typer.Option(
        False, "--force", help=_("Thay sổ hồ sơ đang có dữ liệu bằng bản sao lưu.")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Khôi phục sổ hồ sơ từ bản sao lưu (trọn vẹn hoặc không gì cả), rồi kiểm tra như tthc db
    check. Không ghi đè sổ đang có dữ liệu nếu không có --force.

    Ví dụ: tthc --db sqlite:///tthc.db db restore sao-luu/tthc-2026-11-27.bak
    """
    from tthc_tracker.services import maintenance

    with app_for(ctx, schema_required=False) as app:
        done = maintenance.restore(app.db, file, force=force)
    if json_output:
        print_json(
            {
                "path": str(done.path),
                "backend": done.backend,
                "revision": done.revision,
                "upgraded_to": done.upgraded_to,
                "check": _report_json(done.report),
            }
        )
    else:
        typer.echo(
            _("Đã khôi phục {path} (cấu trúc {rev}).").format(path=done.path, rev=done.revision)
        )
        if done.upgraded_to:
            typer.echo(_("Đã nâng cấp cấu trúc lên {rev}.").format(rev=done.upgraded_to))
        _print_report(done.report)
    _fail_unless_ok(done.report, _("đã khôi phục nhưng sổ hồ sơ không đạt kiểm tra"))


@db_app.command("check")
@reports_errors
def db_check(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """Kiểm tra toàn vẹn: phiên bản cấu trúc, khóa ngoại, tệp văn bản xin lỗi so với mã băm,
    chuỗi sự kiện của từng hồ sơ. Mã thoát 1 nếu có mục không đạt.

    Ví dụ: tthc db check --json
    """
    from tthc_tracker.services import maintenance

    with app_for(ctx, schema_required=False) as app:
        report = maintenance.check(app.db)
    if json_output:
        print_json(_report_json(report))
    else:
        _print_report(report)
    _fail_unless_ok(report, _("sổ hồ sơ không đạt kiểm tra"))


@db_app.command("recompute")
@reports_errors
def db_recompute(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", help=_("Chỉ liệt kê hồ sơ sẽ đổi hạn, không ghi gì.")
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Tính lại hạn của mọi hồ sơ đang mở theo lịch làm việc, thời hạn thủ tục và cách tính
    hạn hiện hành, như khi sửa lịch: mỗi hạn thay đổi là một sự kiện "Tính lại hạn" trong
    lịch sử hồ sơ. Dùng sau khi nâng cấp phần mềm (bản sửa cách tính hạn ghi trong
    CHANGELOG). Hồ sơ đã xong giữ hạn đã dùng để đánh giá chúng. Chạy lại không đổi gì thêm.

    Ví dụ: tthc db recompute --dry-run
    """
    from tthc_tracker.services import ledger

    with app_for(ctx) as app:
        changed = ledger.recompute_open(
            app.db, app.calendars, app.settings.actor, app.clock(), dry_run=dry_run
        )
    if json_output:
        print_json({"dry_run": dry_run, "recomputed": [_recomputed_json(r) for r in changed]})
        return
    if dry_run:
        lead = _("Xem trước (--dry-run, chưa ghi gì): {n} hồ sơ đang mở sẽ đổi hạn.")
    else:
        lead = _("Đã tính lại hạn: {n} hồ sơ đang mở đổi hạn.")
    typer.echo(lead.format(n=len(changed)))
    for item in changed:
        typer.echo(f"  {item.code} ({item.agency}): {_due_change(item)}")


def _due_change(item: Recomputed) -> str:
    from tthc_tracker.domain.times import show

    (legal, current), (new_legal, new_current) = item.before, item.after
    if legal == current and new_legal == new_current:
        return _("hạn {old} → {new}").format(old=show(legal), new=show(new_legal))
    parts = []
    if legal != new_legal:
        parts.append(
            _("hạn theo quy định {old} → {new}").format(old=show(legal), new=show(new_legal))
        )
    if current != new_current:
        parts.append(
            _("hạn hiện tại {old} → {new}").format(old=show(current), new=show(new_current))
        )
    return "; ".join(parts)


def _recomputed_json(item: Recomputed) -> dict[str, Any]:
    from tthc_tracker.domain.times import iso

    return {
        "code": item.code,
        "agency": item.agency,
        "original_due_at": {"before": iso(item.before[0]), "after": iso(item.after[0])},
        "due_at": {"before": iso(item.before[1]), "after": iso(item.after[1])},
    }


@db_app.command("migrate-to")
@reports_errors
def db_migrate_to(
    ctx: typer.Context,
    url: str = typer.Argument(..., help=_("Địa chỉ cơ sở dữ liệu đích (trống), SQLAlchemy URL.")),
    json_output: bool = JSON_OPTION,
) -> None:
    """Chuyển toàn bộ sổ hồ sơ sang một cơ sở dữ liệu trống (SQLite → PostgreSQL hoặc
    ngược lại): tạo cấu trúc, chép mọi bảng, so số dòng và mã kiểm tra từng bảng trước khi
    ghi hẳn; lệch thì không giữ lại gì ở đích.

    Ví dụ: tthc --db sqlite:///tthc.db db migrate-to "postgresql+psycopg://tthc@db.tinh.gov.vn/tthc"
    """
    from tthc_tracker.services import maintenance

    with app_for(ctx) as app:
        transfer = maintenance.migrate_to(app.db, url)
    if json_output:
        print_json(_transfer_json(transfer))
    else:
        _print_transfer(transfer)
    if not transfer.committed:
        names = ", ".join(t.table for t in transfer.mismatched)
        raise fail(
            _(
                "bản chép sang {target} khác bản gốc ở bảng {names}; đã hủy bản chép, đích không "
                "giữ lại dòng nào"
            ).format(target=transfer.target, names=names)
        )


def _print_report(report: CheckReport) -> None:
    for result in report.checks:
        mark = "OK " if result.ok else _("LỖI")
        typer.echo(f"{mark}  {result.title}: {result.summary}")
        for detail in result.details:
            typer.echo(f"     - {detail}")


def _report_json(report: CheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "checks": [
            {
                "name": r.name,
                "title": r.title,
                "ok": r.ok,
                "summary": r.summary,
                "problems": r.problems,
                "details": list(r.details),
            }
            for r in report.checks
        ],
    }


def _fail_unless_ok(report: CheckReport, what: str) -> None:
    if not report.ok:
        titles = ", ".join(r.title for r in report.failed)
        raise fail(_("{what}: {titles}.").format(what=what, titles=titles))


def _print_transfer(transfer: Transfer) -> None:
    typer.echo(_("Nguồn: {source}").format(source=transfer.source))
    typer.echo(_("Đích:  {target}").format(target=transfer.target))
    rows = [
        [
            t.table,
            str(t.source_rows),
            str(t.target_rows),
            t.source_checksum[:16],
            t.target_checksum[:16],
            "OK" if t.matches else _("LỖI"),
        ]
        for t in transfer.tables
    ]
    headers = [_("Bảng"), _("Dòng nguồn"), _("Dòng đích"), _("Mã nguồn"), _("Mã đích"), ""]
    typer.echo(table(rows, headers))
    if transfer.committed:
        total = sum(t.target_rows for t in transfer.tables)
        typer.echo(
            _("Đã chuyển {n} dòng của {t} bảng; số dòng và mã kiểm tra khớp.").format(
                n=total, t=len(transfer.tables)
            )
        )


def _transfer_json(transfer: Transfer) -> dict[str, Any]:
    return {
        "source": transfer.source,
        "target": transfer.target,
        "ok": transfer.committed,
        "tables": [
            {
                "table": t.table,
                "source_rows": t.source_rows,
                "target_rows": t.target_rows,
                "source_checksum": t.source_checksum,
                "target_checksum": t.target_checksum,
                "ok": t.matches,
            }
            for t in transfer.tables
        ],
    }
