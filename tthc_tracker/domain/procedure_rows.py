"""One line of a procedure catalogue file read into a :class:`Procedure`, with every rule that
needs no database (the agency's existence and code conflicts are the service's).

Columns take the product's names (those of ``data/procedures.csv``) or the Vietnamese names
catalogue exports use: MaTTHC, TenTTHC, LinhVuc, CapThucHien, ThoiHanGiaiQuyet, GioChot,
CoQuanThucHien. The limit is read as catalogues write it ("03 ngày làm việc kể từ ngày nhận
đủ hồ sơ hợp lệ"); a limit the engine cannot read is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from tthc_tracker.domain.catalog import CODE_BLANK, CODE_BLANK_REASON, Procedure, level_text
from tthc_tracker.domain.errors import TthcError
from tthc_tracker.domain.imports import Cell, Column, Layout, RowError, code_text, text
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.times import parse_clock

PROCEDURE_COLUMNS = (
    Column("code", "MaTTHC", "code", required=True),
    Column("name", "TenTTHC", "text", required=True),
    Column("field", "LinhVuc", "text", required=True),
    Column("level", "CapThucHien", "text"),
    Column("limit", "ThoiHanGiaiQuyet", "text", required=True),
    Column("cutoff", "GioChot", "time"),
    Column("agency", "CoQuanThucHien", "code"),
)
EMPTY = "không được để trống"


def _code(
    layout: Layout, line: int, cells: Sequence[Cell], field: str, errors: list[RowError]
) -> str:
    column = layout.column_name(field)
    try:
        value = code_text(layout.cell(cells, field), column)
    except TthcError as exc:
        errors.append(RowError.from_error(line, column, exc))
        return ""
    if CODE_BLANK.search(value):
        errors.append(RowError(line, column, value, CODE_BLANK_REASON))
    return value


def parse_procedure(layout: Layout, line: int, cells: Sequence[Cell]) -> Procedure | list[RowError]:
    """The procedure of one line, or every error found on it."""
    errors: list[RowError] = []
    code = _code(layout, line, cells, "code", errors)
    if not code and not errors:
        errors.append(RowError(line, layout.column_name("code"), "", EMPTY))
    values = {f: text(layout.cell(cells, f)) for f in ("name", "field", "level", "limit")}
    for field in ("name", "field", "limit"):
        if not values[field]:
            errors.append(RowError(line, layout.column_name(field), "", EMPTY))
    try:
        values["level"] = level_text(values["level"], layout.column_name("level"))
    except TthcError as exc:
        errors.append(RowError.from_error(line, layout.column_name("level"), exc))
    limit = None
    if values["limit"]:
        try:
            limit = parse_limit(values["limit"])
        except TthcError as exc:
            errors.append(RowError.from_error(line, layout.column_name("limit"), exc))
    cutoff = None
    raw_cutoff = layout.cell(cells, "cutoff")
    if text(raw_cutoff):
        try:
            cutoff = parse_clock(_clock_text(raw_cutoff), layout.column_name("cutoff"))
        except TthcError as exc:
            errors.append(RowError.from_error(line, layout.column_name("cutoff"), exc))
    agency = _code(layout, line, cells, "agency", errors)
    if errors or limit is None:
        return errors
    return Procedure(
        code=code,
        name=values["name"],
        field=values["field"],
        level=values["level"],
        limit=limit,
        limit_text=values["limit"],
        cutoff=cutoff,
        agency_code=agency or None,
    )


def _clock_text(cell: Cell) -> str:
    """A cut-off as text; an Excel time cell (or a fraction of a day) is written HH:MM."""
    if isinstance(cell, float) and 0 <= cell < 1:
        minutes = round(cell * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(cell, time | datetime):
        return cell.strftime("%H:%M:%S")
    return text(cell)
