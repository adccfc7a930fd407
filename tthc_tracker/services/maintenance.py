"""`tthc db …`: back up and restore a ledger, check its integrity, move it to another database.

The check looks at four things and reports each (OK or the problems found):

- **schema**: the ledger's Alembic revision is the newest migration;
- **foreign keys**: no row names a row that does not exist;
- **letters**: every issued letter's file matches the SHA-256 stored when it was issued (the
  same verification as `tthc letters verify`);
- **event chain**: every dossier's stored history, read in one snapshot, replayed by
  :func:`tthc_tracker.domain.history.history_problem` (``seq`` without gaps, the receipt
  first, lifecycle steps in time order, the replayed state equal to the stored one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tthc_tracker.domain.errors import ConfigError, FileExistsRefusal, FileFormatError, TthcError
from tthc_tracker.domain.history import history_problem
from tthc_tracker.i18n import _
from tthc_tracker.services import letters
from tthc_tracker.storage import backup as backups
from tthc_tracker.storage import maintenance as store
from tthc_tracker.storage.db import Database, make_engine, upgrade
from tthc_tracker.storage.transfer import TableCopy, copy_ledger

MAX_DETAILS = 20  # problems listed per check; the count covers them all


class LedgerNotEmptyError(TthcError):
    """The database to restore into or copy to already holds a ledger's data."""

    def __init__(self, target: str, tables: list[str], hint: str) -> None:
        super().__init__(target, tables, hint)
        self.target = target
        self.tables = tables
        self.hint = hint

    def message(self) -> str:
        return _("Cơ sở dữ liệu {target} đã có dữ liệu (bảng {tables}); {hint}.").format(
            target=self.target, tables=", ".join(self.tables), hint=self.hint
        )


# -- backup and restore ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    backend: str
    revision: str
    size: int  # bytes


def backup(db: Database, path: Path, force: bool = False) -> Backup:
    """A consistent copy of the whole ledger in ``path`` (written whole or not at all)."""
    if path.exists() and not force:
        raise FileExistsRefusal(str(path))
    revision, _head = store.revisions(db.engine)
    if revision is None:
        raise ConfigError(
            "--db", _("chưa có sổ hồ sơ (chưa chạy tthc init): không có gì để sao lưu")
        )
    if db.backend == "sqlite":
        backups.backup_sqlite(db.engine, path)
    elif db.backend == "postgresql":
        backups.backup_postgresql(db.engine, path)
    else:
        raise ConfigError(
            "--db", _("không sao lưu được cơ sở dữ liệu {kind}").format(kind=db.backend)
        )
    return Backup(path, db.backend, revision, path.stat().st_size)


@dataclass(frozen=True, slots=True)
class Restored:
    path: Path
    backend: str
    revision: str  # in the backup
    upgraded_to: str | None  # the newest migration, when the backup was older
    report: CheckReport


def restore(db: Database, path: Path, force: bool = False) -> Restored:
    """Replace the ledger by a backup (refused over data without ``force``), then check it."""
    if not path.is_file():
        raise FileFormatError(str(path), _("không có tệp này"))
    kind = backups.backup_kind(path)
    if kind != db.backend:
        raise ConfigError(
            str(path),
            _(
                "đây là bản sao lưu {kind}, không khôi phục được vào cơ sở dữ liệu {backend}; "
                "để chuyển sổ hồ sơ giữa SQLite và PostgreSQL hãy khôi phục vào một cơ sở dữ "
                "liệu {kind} rồi dùng tthc db migrate-to"
            ).format(kind=kind, backend=db.backend),
        )
    revision = _backup_revision(kind, path)
    busy = store.data_tables_with_rows(db.engine)
    if busy and not force:
        raise LedgerNotEmptyError(
            store.display_url(db.engine), busy, _("thêm --force để thay toàn bộ bằng bản sao lưu")
        )
    if kind == "sqlite":
        backups.restore_sqlite(db.engine, path)
    else:
        backups.restore_postgresql(db.engine, path)
    current, head = store.revisions(db.engine)
    upgraded = None
    if current != head:
        upgrade(db.engine)
        upgraded = head
    return Restored(path, kind, revision, upgraded, check(db))


def _backup_revision(kind: str, path: Path) -> str:
    if kind == "sqlite":
        revision = backups.sqlite_backup_revision(path)
    else:
        revision = backups.postgresql_backup_revision(path)
    if revision is None:
        raise FileFormatError(str(path), _("không chứa sổ hồ sơ tthc (thiếu bảng alembic_version)"))
    if revision not in store.known_revisions():
        raise ConfigError(
            str(path),
            _(
                "bản sao lưu có cấu trúc phiên bản {revision}, mới hơn phần mềm này; hãy nâng "
                "cấp tthc-tracker trước khi khôi phục"
            ).format(revision=revision),
        )
    return revision


# -- check ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str  # schema | foreign_keys | letters | events
    title: str
    ok: bool
    summary: str
    problems: int = 0
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckReport:
    checks: tuple[CheckResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]


def check(db: Database) -> CheckReport:
    """Run every check; one that cannot run is reported as failed with the reason."""
    schema, current = _check_schema(db)
    if current is None:
        return CheckReport((schema,))  # no ledger here: the other checks have nothing to read
    results = [schema]
    for name, title, run in (
        ("foreign_keys", _("Khóa ngoại"), _check_foreign_keys),
        ("letters", _("Tệp văn bản xin lỗi"), _check_letters),
        ("events", _("Chuỗi sự kiện hồ sơ"), _check_events),
    ):
        try:
            results.append(run(db))
        except TthcError as error:
            results.append(CheckResult(name, title, False, error.message(), 1, (error.message(),)))
    return CheckReport(tuple(results))


def _result(
    name: str, title: str, ok_summary: str, problems: list[str], failed: str
) -> CheckResult:
    if not problems:
        return CheckResult(name, title, True, ok_summary)
    shown = problems[:MAX_DETAILS]
    if len(problems) > MAX_DETAILS:
        shown.append(_("… và {n} lỗi khác").format(n=len(problems) - MAX_DETAILS))
    return CheckResult(name, title, False, failed, len(problems), tuple(shown))


def _check_schema(db: Database) -> tuple[CheckResult, str | None]:
    """The schema check, and the ledger's revision (None: not initialised)."""
    title = _("Phiên bản cấu trúc")
    current, head = store.revisions(db.engine)
    if current == head:
        return CheckResult(
            "schema", title, True, _("{rev} (mới nhất)").format(rev=current)
        ), current
    if current is None:
        problem = _("chưa khởi tạo (không có bảng alembic_version); chạy tthc init")
    elif current in store.known_revisions():
        problem = _("{rev}, cũ hơn bản mới nhất {head}; chạy tthc init để nâng cấp").format(
            rev=current, head=head
        )
    else:
        problem = _(
            "{rev}: không có trong các bản nâng cấp của phần mềm này (mới nhất {head})"
        ).format(rev=current, head=head)
    return CheckResult("schema", title, False, problem, 1, (problem,)), current


def _check_foreign_keys(db: Database) -> CheckResult:
    found = store.orphans(db.engine)
    problems = [
        _("{table}.{column} → {parent}: {count} dòng trỏ tới dòng không tồn tại ({ids})").format(
            table=o.table,
            column=o.column,
            parent=o.parent,
            count=o.count,
            ids=", ".join(o.examples) + (", …" if o.count > len(o.examples) else ""),
        )
        for o in found
    ]
    rows = sum(o.count for o in found)
    return _result(
        "foreign_keys",
        _("Khóa ngoại"),
        _("mọi liên kết giữa các bảng đều trỏ tới dòng có thật"),
        problems,
        _("{rows} dòng trỏ tới dòng không tồn tại").format(rows=rows),
    )


def _check_letters(db: Database) -> CheckResult:
    verified = letters.verify(db)
    problems = [
        _("{number} (hồ sơ {code}, {path}): {problem}").format(
            number=v.letter.number_text,
            code=v.letter.dossier_code,
            path=v.letter.path or "-",
            problem=v.problem,
        )
        for v in verified
        if v.problem
    ]
    return _result(
        "letters",
        _("Tệp văn bản xin lỗi"),
        _("{n} văn bản đã ban hành, tệp khớp mã băm SHA-256").format(n=len(verified)),
        problems,
        _("{bad}/{n} văn bản có tệp thiếu hoặc đã bị sửa").format(
            bad=len(problems), n=len(verified)
        ),
    )


def _check_events(db: Database) -> CheckResult:
    problems: list[str] = []
    dossiers = events = 0
    with store.snapshot(db.engine) as connection:
        for history in store.chains(connection):
            dossiers += 1
            events += len(history.steps)
            problem = history_problem(history)
            if problem:
                problems.append(f"{history.code}: {problem}")
    return _result(
        "events",
        _("Chuỗi sự kiện hồ sơ"),
        _("{d} hồ sơ, {e} sự kiện, trạng thái khớp lịch sử").format(d=dossiers, e=events),
        problems,
        _("{bad}/{d} hồ sơ có lịch sử không khớp").format(bad=len(problems), d=dossiers),
    )


# -- moving a ledger ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transfer:
    source: str
    target: str
    tables: tuple[TableCopy, ...]
    committed: bool

    @property
    def mismatched(self) -> list[TableCopy]:
        return [t for t in self.tables if not t.matches]


def migrate_to(db: Database, target_url: str) -> Transfer:
    """Copy the whole ledger to an empty database, verified before it is committed."""
    target = make_engine(target_url)
    try:
        source_name, target_name = store.display_url(db.engine), store.display_url(target)
        if store.same_database(db.engine, target):
            raise ConfigError(target_name, _("đích trùng với cơ sở dữ liệu đang dùng (--db)"))
        busy = store.data_tables_with_rows(target)
        if busy:
            raise LedgerNotEmptyError(
                target_name, busy, _("chỉ chuyển sổ hồ sơ sang một cơ sở dữ liệu trống")
            )
        copied = copy_ledger(db.engine, target)
    finally:
        target.dispose()
    return Transfer(source_name, target_name, copied.tables, copied.committed)
