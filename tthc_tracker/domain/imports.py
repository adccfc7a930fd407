"""What the columns of an imported file mean, and how one cell is read.

A file may name its columns as the national portal does (DVCQG: MaHoSo, MaTTHC, …; see
domain.md §7) or with the product's own names (code, procedure, …); names are matched
without regard to case. Columns that the product has no name for are reported, never
guessed. The header is the first of the first 20 lines naming at least two known columns,
so a title or merged-cell banner above it is skipped.

Cells: codes stay text ("0012", "1.010"): a code that a spreadsheet turned into a number
is refused, since its leading zeros or trailing zeros are already lost. Times may be ISO
8601 (with an offset, or without one as local time), "dd/MM/yyyy HH:mm[:ss]",
"dd/MM/yyyy", "yyyyMMddHHmmss" (the portal's sync format), an Excel serial number
(days since 30/12/1899, local time) or a real date/time cell (local time).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tthc_tracker.domain.errors import ChronologyError, FileFormatError, InputError, TthcError
from tthc_tracker.domain.times import LOCAL_TZ, nfc, parse_instant

Cell = str | int | float | bool | datetime | date | time | None

HEADER_SEARCH_LINES = 20
EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=LOCAL_TZ)


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # the product's name (used by --names native)
    dvcqg: str  # the portal's name (--names dvcqg); the product's name where it has none
    kind: str  # code | text | time | choice
    required: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.field, self.dvcqg)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one line of a file cannot be imported: line, column (as the file names it),
    value and reason, in Vietnamese."""

    line: int
    column: str
    value: str
    reason: str

    def message(self) -> str:
        where = f"Dòng {self.line}"
        if self.column:
            where += f", cột “{self.column}”"
        if self.value:
            where += f", giá trị “{self.value}”"
        return f"{where}: {self.reason}"

    @classmethod
    def from_error(cls, line: int, column: str, error: TthcError) -> RowError:
        if isinstance(error, InputError | ChronologyError):  # the column is named already
            value = str(error.value)
            reason = error.reason if isinstance(error, InputError) else error.reason()
        else:
            value, reason = "", error.message()
        return cls(line, column, value, reason.rstrip("."))


class RowInvalid(Exception):
    """Raised while reading one line; carries the line's errors."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the header is and which column of the file holds which field."""

    header_line: int
    headers: list[str]  # as written in the file
    fields: dict[str, int]  # field -> position
    unknown: list[str]

    def column_name(self, field: str) -> str:
        position = self.fields.get(field)
        return self.headers[position] if position is not None else field

    def cell(self, cells: Sequence[Cell], field: str) -> Cell:
        position = self.fields.get(field)
        if position is None or position >= len(cells):
            return None
        return cells[position]


def _header_text(cell: Cell) -> str:
    return nfc(str(cell)) if cell is not None else ""


def locate_header(
    path: str, lines: Sequence[tuple[int, Sequence[Cell]]], columns: Sequence[Column]
) -> Layout:
    """Find the header line and map its cells to fields; refuse missing required columns."""
    known = {name.casefold(): c.field for c in columns for name in c.names()}
    for number, cells in lines[:HEADER_SEARCH_LINES]:
        headers = [_header_text(c) for c in cells]
        matched = [h for h in headers if h.casefold() in known]
        if len(matched) < 2:
            continue
        fields: dict[str, int] = {}
        unknown = []
        for position, header in enumerate(headers):
            field = known.get(header.casefold())
            if field is None:
                if header:
                    unknown.append(header)
            elif field in fields:
                first = headers[fields[field]]
                raise FileFormatError(
                    path,
                    f"cột “{header}” xuất hiện hai lần (dòng {number})"
                    if first.casefold() == header.casefold()
                    else f"cột “{first}” và cột “{header}” cùng là một trường ({field}), chỉ "
                    f"giữ một (dòng {number})",
                )
            else:
                fields[field] = position
        missing = [c for c in columns if c.required and c.field not in fields]
        if missing:
            names = ", ".join(f"{c.dvcqg} ({c.field})" for c in missing)
            raise FileFormatError(path, f"thiếu cột bắt buộc: {names}")
        return Layout(number, headers, fields, unknown)
    sample = ", ".join(c.dvcqg for c in columns if c.required)
    raise FileFormatError(path, f"không tìm thấy dòng tiêu đề (cần các cột như {sample})")


# -- cells ---------------------------------------------------------------------------------


def shown(cell: Cell) -> str:
    """A cell as the report quotes it."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M:%S")
    return str(cell)


def text(cell: Cell) -> str:
    """A free-text cell (names, addresses): numbers are written as they print."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return nfc(str(cell))


SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE]\+\d+")
"""A code Excel wrote as a number in a CSV it saved: "4.87534E+11" for 487534001234."""


def code_text(cell: Cell, column: str) -> str:
    """A code cell: text only, so "0012" and "1.010" keep every character."""
    if isinstance(cell, bool | int | float) or (
        isinstance(cell, str) and SCIENTIFIC.fullmatch(cell.strip())
    ):
        raise InputError(
            column,
            shown(cell),
            "mã phải là văn bản; bảng tính đã đổi nó thành số (mất số 0 ở đầu hoặc ở cuối, "
            "hoặc mất chữ số khi viết dạng 4,87534E+11). Hãy định dạng cột là Text và nhập "
            "lại mã",
        )
    return text(cell)


_COMPACT = re.compile(r"\d{14}")
_SERIAL = re.compile(r"\d{1,6}(?:\.\d+)?")
_DATE_ONLY = (("%d/%m/%Y", re.compile(r"\d{1,2}/\d{1,2}/\d{4}")),
              ("%Y-%m-%d", re.compile(r"\d{4}-\d{2}-\d{2}")))  # fmt: skip
_ISO_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


@dataclass(frozen=True, slots=True)
class CellTime:
    at: datetime
    date_only: bool = False


SERIALS = (25569, 73051)
"""The Excel serial dates taken as times: 01/01/1970 to 31/12/2099. A number outside is no
receipt time (a phone number, a year, a code in the wrong column) and is refused."""


def excel_serial(days: float) -> datetime:
    """An Excel serial date (1900 system) as local time, to the second; ValueError outside
    :data:`SERIALS`."""
    if not SERIALS[0] <= days < SERIALS[1]:
        raise ValueError(days)
    return EXCEL_EPOCH + timedelta(seconds=round(days * 86400))


def cell_time(cell: Cell, column: str) -> CellTime | None:
    """A time cell in any accepted form, as an aware instant (None when blank)."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime):
        at = cell if cell.tzinfo else cell.replace(tzinfo=LOCAL_TZ)
        return CellTime(at.replace(microsecond=0), at.time() == time(0))
    if isinstance(cell, date):
        return CellTime(datetime.combine(cell, time(0), LOCAL_TZ), True)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if isinstance(cell, int) or cell.is_integer():
            digits = str(int(cell))
            if _COMPACT.fullmatch(digits):  # yyyyMMddHHmmss that Excel stored as a number
                return _text_time(digits, column)
        try:
            return CellTime(excel_serial(float(cell)))
        except (ValueError, OverflowError) as exc:
            raise _time_error(column, _number_text(cell)) from exc
    return _text_time(nfc(str(cell)), column)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else repr(value)


def _text_time(raw: str, column: str) -> CellTime:
    try:
        if _COMPACT.fullmatch(raw):
            parsed = datetime.strptime(raw, "%Y%m%d%H%M%S")  # noqa: DTZ007 - local, set below
            return CellTime(parsed.replace(tzinfo=LOCAL_TZ))
        if _SERIAL.fullmatch(raw):
            return CellTime(excel_serial(float(raw)))
        for fmt, pattern in _DATE_ONLY:
            if pattern.fullmatch(raw):
                day = datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a date
                return CellTime(datetime.combine(day, time(0), LOCAL_TZ), True)
        if _ISO_LOCAL.fullmatch(raw):
            return CellTime(datetime.fromisoformat(raw).replace(tzinfo=LOCAL_TZ, microsecond=0))
        return CellTime(parse_instant(raw, column).replace(microsecond=0))
    except (ValueError, OverflowError, InputError) as exc:
        raise _time_error(column, raw) from exc


def _time_error(column: str, raw: str) -> InputError:
    return InputError(
        column,
        raw,
        "không đọc được thời điểm; dùng “dd/MM/yyyy HH:mm”, “dd/MM/yyyy”, ISO 8601 "
        "hoặc ô ngày giờ của Excel",
    )
