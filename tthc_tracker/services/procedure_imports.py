"""Importing the procedure catalogue from a file, with the rules of the dossier import: every
line checked, errors named by line, column, value and reason, all written or nothing.

An existing code is a conflict unless ``update``; an updated procedure's changed fields are
reported, and when a limit or cut-off changed the open dossiers are recomputed in the same
transaction (each change a ``due_recomputed`` event), as after a calendar edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tthc_tracker.documents.tabular import Cell, read_table
from tthc_tracker.domain.catalog import Procedure
from tthc_tracker.domain.errors import NotFoundError, TthcError
from tthc_tracker.domain.imports import Layout, RowError, RowInvalid, locate_header
from tthc_tracker.domain.procedure_rows import PROCEDURE_COLUMNS, parse_procedure
from tthc_tracker.services import ledger
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository

COMPARED = ("name", "field", "level", "limit_text", "limit", "cutoff", "agency_code")
TIMING = frozenset({"limit", "cutoff"})


@dataclass(frozen=True, slots=True)
class ImportedProcedure:
    line: int
    code: str
    action: str  # added | updated | unchanged
    changes: tuple[str, ...] = ()
    before: tuple[str, ...] = ()  # each changed field's stored value, as text
    after: tuple[str, ...] = ()  # and the file's


@dataclass
class ProcedureImport:
    procedures: list[ImportedProcedure]
    errors: list[RowError]
    recomputed: list[ledger.Recomputed]  # open dossiers whose due time a new limit changed


RECOMPUTE_REASON = "tính lại theo thời hạn thủ tục mới (nhập danh mục)"


def _text(procedure: Procedure, name: str) -> str:
    value = getattr(procedure, name)
    if name == "limit":
        return str(value.text())
    if name == "cutoff":
        return f"{value:%H:%M}" if value is not None else "không"
    return "" if value is None else str(value)


@dataclass
class ProcedureFile:
    layout: Layout
    lines: list[tuple[int, list[Cell]]]


class _Discard(Exception):
    """Leaves the transaction without keeping anything (dry run, or errors)."""


def read_procedure_file(path: Path) -> ProcedureFile:
    table = read_table(path)
    layout = locate_header(table.path, table.lines, PROCEDURE_COLUMNS)
    return ProcedureFile(layout, [(n, c) for n, c in table.lines if n > layout.header_line])


def parse_procedures(
    layout: Layout, lines: Sequence[tuple[int, Sequence[Cell]]]
) -> tuple[list[tuple[int, Procedure]], list[RowError]]:
    """Procedures of the lines that pass the file-only rules; a code seen twice is an error."""
    found: list[tuple[int, Procedure]] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for number, cells in lines:
        parsed = parse_procedure(layout, number, cells)
        if isinstance(parsed, list):
            errors.extend(parsed)
        elif parsed.code in first_line:
            reason = f"mã thủ tục trùng với dòng {first_line[parsed.code]} của tệp"
            errors.append(RowError(number, layout.column_name("code"), parsed.code, reason))
        else:
            first_line[parsed.code] = number
            found.append((number, parsed))
    return found, errors


def import_procedures(
    db: Database,
    source: ProcedureFile,
    *,
    now: datetime,
    calendars: Calendars | None = None,
    actor: str = "",
    update: bool = False,
    dry_run: bool = False,
) -> ProcedureImport:
    """Check and write every line in one transaction; keep it only if all is well.

    ``calendars`` (needed with ``update``) recompute the open dossiers of changed limits
    (listed in the result; with ``dry_run`` those that would change).
    """
    found, file_errors = parse_procedures(source.layout, source.lines)
    results: list[ImportedProcedure] = []
    errors = file_errors
    recomputed: list[ledger.Recomputed] = []

    def work(repo: Repository) -> None:  # re-run whole on a transient conflict
        nonlocal errors, results, recomputed
        errors, results, recomputed = list(file_errors), [], []
        for line, procedure in found:
            try:
                with repo.savepoint():
                    results.append(_write(repo, source.layout, line, procedure, update, now))
            except RowInvalid as invalid:
                errors.extend(invalid.errors)
        if errors:
            raise _Discard
        timed = frozenset(r.code for r in results if set(r.changes) & TIMING)
        if timed:
            if calendars is None:
                raise ValueError("calendars are needed to recompute changed limits")
            recomputed = ledger.recompute_in(
                repo, calendars, actor, now, dry_run, RECOMPUTE_REASON, procedures=timed
            )
        if dry_run:
            raise _Discard

    with suppress(_Discard):
        db.run(work)
    errors.sort(key=lambda e: e.line)
    return ProcedureImport(results, errors, recomputed)


def _write(
    repo: Repository, layout: Layout, line: int, procedure: Procedure, update: bool, now: datetime
) -> ImportedProcedure:
    if procedure.agency_code:
        try:
            repo.get_agency(procedure.agency_code)
        except NotFoundError as exc:
            column = layout.column_name("agency")
            raise RowInvalid(
                [RowError(line, column, procedure.agency_code, exc.message().rstrip("."))]
            ) from exc
    try:
        stored = repo.get_procedure(procedure.code)
    except NotFoundError:
        stored = None
    if stored is None:
        try:
            repo.add_procedure(procedure, now)
        except TthcError as exc:
            raise RowInvalid([RowError.from_error(line, "", exc)]) from exc
        return ImportedProcedure(line, procedure.code, "added")
    if not update:
        reason = "mã thủ tục đã có trong danh mục; dùng --update để cập nhật"
        raise RowInvalid([RowError(line, layout.column_name("code"), procedure.code, reason)])
    changes = tuple(n for n in COMPARED if getattr(stored, n) != getattr(procedure, n))
    if not changes:
        return ImportedProcedure(line, procedure.code, "unchanged")
    repo.update_procedure(procedure)
    before = tuple(_text(stored, n) for n in changes)
    after = tuple(_text(procedure, n) for n in changes)
    return ImportedProcedure(line, procedure.code, "updated", changes, before, after)
