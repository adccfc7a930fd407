"""Reading the common lines of a dossier file column by column, beside ``parse_dossier``.

``read_columns`` takes a file's lines and returns the ones it can vouch for as columns
(``FastColumns``), with the positions of the others, which ``parse_dossier`` reads (and
reports what is wrong with). A line is vouched for when its cells are text (or empty), its
codes have no blanks, its channel, kind and status are known values, its times are written
"dd/MM/yyyy", "yyyy-MM-dd" (either with " HH:mm" or " HH:mm:ss") or "yyyyMMddHHmmss" in
ASCII from 1976 on, and its lifecycle is consistent. For such a line it decides exactly what
``parse_dossier`` decides, with instants as UTC epoch seconds (``NONE`` for a blank time);
tests/imports/test_bulk_import.py compares the two on random lines.

The work is done on whole columns: a column joined into one string is searched once for
blanks; the times of one width become one byte matrix whose digits numpy turns into
seconds; choices are looked up once per distinct value. Only a line that fails a check is
looked at alone, by ``parse_dossier``.

Times are local (Asia/Ho_Chi_Minh, UTC+7 without daylight saving since 1975). Cells are
taken as ``read_table`` gives them: text already in NFC, so ``nfc`` comes down to ``strip``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from tthc_tracker.domain.catalog import CODE_BLANK, HIDDEN
from tthc_tracker.domain.dossier import STATUS_LABELS, ApplicantKind, Channel, Status
from tthc_tracker.domain.dossier_rows import DEFAULT_REASON, DVCQG_STATUS, SPACED_CODES
from tthc_tracker.domain.imports import SCIENTIFIC, Cell, Layout, text

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int8]

NONE = int(np.iinfo(np.int64).min)  # a blank time
OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh since 1975
DAY = 86400
FIRST_YEAR = 1976
STATUSES = tuple(Status)
STATUS_CODE = {s: np.int8(i) for i, s in enumerate(STATUSES)}
STATUS_VALUES = np.array([s.value for s in STATUSES], dtype=object)
DERIVED = -1  # a blank status: the times decide
_FINISHED = np.array([STATUS_CODE[Status.COMPLETED], STATUS_CODE[Status.RETURNED]])
_CHANNELS = {
    "1": Channel.DIRECT,
    "2": Channel.ONLINE,
    "3": Channel.POSTAL,
    "direct": Channel.DIRECT,
    "online": Channel.ONLINE,
    "postal": Channel.POSTAL,
    **{c.value: c for c in Channel},
}
_KINDS = {"": ApplicantKind.PERSON, **{k.value: k for k in ApplicantKind}}
_STATUS_VALUES = {s.value: s for s in STATUSES}
_STATUS_LABELS = {label.casefold(): s for s, label in STATUS_LABELS.items()}
_SEP = "\x00"  # joins a column's cells: not a blank, and not in any text we keep
_BLANK = CODE_BLANK
_BLANKS = re.compile(r"\s+")
_OTHER_BLANK = re.compile(r"[^\S ]")  # a blank other than the space
_OTHER_BLANK_OR_HIDDEN = re.compile(f"[^\\S ]|[{HIDDEN}]")  # what a phone may not hold
_AROUND_SEP = re.compile(r" ?\x00 ?")
_CODES = ("code", "procedure", "processing_agency")  # required, without blanks
_OPTIONAL_CODES = ("receiving_agency", "returning_agency", "id_number", "phone")
_TIMES = ("received_at", "due_at", "completed_at", "returned_at", "status_at")
_FREE_TEXTS = frozenset({"applicant_name", "address", "email", "summary", "status_reason"})
_STRICT = frozenset(_CODES + _OPTIONAL_CODES + _TIMES)  # a number here is refused
_ARRAYS = frozenset(
    {"position", "line", "status", "received_at", "declared_due_at"}
    | {"completed_at", "returned_at", "status_at"}
)
FIELDS = (
    "code",
    "procedure",
    "processing_agency",
    "receiving_agency",
    "returning_agency",
    "applicant_name",
    "applicant_kind",
    "id_number",
    "address",
    "phone",
    "email",
    "summary",
    "channel",
    "received_at",
    "due_at",
    "completed_at",
    "returned_at",
    "status",
    "status_at",
    "status_reason",
)


@dataclass(frozen=True, slots=True)
class FastColumns:
    """Lines as ``parse_dossier`` reads them, one entry per line in each column.

    Instants are UTC epoch seconds (``NONE`` where blank); ``status`` indexes ``STATUSES``;
    ``position`` is the line's index in the sequence of lines read.
    """

    position: Int64Array
    line: Int64Array
    code: list[str]
    procedure: list[str]
    processing_agency: list[str]
    receiving_agency: list[str]
    returning_agency: list[str]
    applicant_name: list[str]
    applicant_kind: list[str]  # ApplicantKind values
    id_number: list[str]
    address: list[str]
    phone: list[str]
    email: list[str]
    summary: list[str]
    channel: list[str]  # Channel values
    received_at: Int64Array
    declared_due_at: Int64Array
    status: CodeArray
    completed_at: Int64Array
    returned_at: Int64Array
    status_at: Int64Array
    status_reason: list[str]

    def __len__(self) -> int:
        return len(self.code)

    @classmethod
    def empty(cls) -> FastColumns:
        return cls.take_from({f.name: [] for f in fields(cls)}, np.zeros(0, dtype=np.int64))

    @classmethod
    def take_from(cls, columns: dict[str, Any], rows: Int64Array | None) -> FastColumns:
        """The given rows (all when None) of columns named as the fields."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            column = columns[f.name]
            if f.name in _ARRAYS:
                dtype = np.int8 if f.name == "status" else np.int64
                array = np.asarray(column, dtype=dtype)
                values[f.name] = array if rows is None else array[rows]
            else:
                values[f.name] = _pick(column, rows)
        return cls(**values)

    def take(self, rows: Int64Array) -> FastColumns:
        """These rows, in this order."""
        return FastColumns.take_from({f.name: getattr(self, f.name) for f in fields(self)}, rows)

    def statuses(self) -> list[Status]:
        return [STATUSES[i] for i in self.status.tolist()]


def _pick(column: Sequence[Any], rows: Int64Array | None) -> list[Any]:
    """These rows of a column. A column of few values (codes of the catalogue, channels,
    summaries) is gathered as numbers, and its rows then share one object per value."""
    if rows is None:
        return list(column)
    if len(column) > 4096 and len(set(column[:4096])) < 512:
        index: dict[Any, int] = {}
        codes = np.fromiter((index.setdefault(v, len(index)) for v in column), np.int64)
        values = np.empty(len(index), dtype=object)
        values[:] = list(index)
        return values[codes[rows]].tolist()  # type: ignore[no-any-return]
    return [column[i] for i in rows.tolist()]


def read_columns(
    layout: Layout, lines: Sequence[tuple[int, Sequence[Cell]]]
) -> tuple[FastColumns, list[int]]:
    """(the lines vouched for, positions in ``lines`` of the lines left to parse_dossier)."""
    size = len(lines)
    if not size:
        return FastColumns.empty(), []
    rows = [cells for _, cells in lines]
    present = {name: layout.fields[name] for name in FIELDS if name in layout.fields}
    width = max(present.values()) + 1
    if min(map(len, rows)) < width:
        rows = [r if len(r) >= width else [*r, *[None] * (width - len(r))] for r in rows]
    position = np.arange(size, dtype=np.int64)
    bad = np.zeros(size, dtype=np.bool_)
    cells: dict[str, list[str]] = {}
    flat, stride = _flattened(rows)
    for name in FIELDS:
        if name not in present:
            cells[name] = [""] * size
        elif flat is not None:
            cells[name] = list(map(str.strip, flat[present[name] :: stride]))
        else:
            column = list(map(itemgetter(present[name]), rows))
            cells[name] = _text_column(column, bad, strict=name in _STRICT)
        if name in _FREE_TEXTS:
            cells[name] = _shared(cells[name])
    for name in _CODES:
        _check_code(cells[name], bad, required=True)
    for name in _OPTIONAL_CODES:
        spaced = name in SPACED_CODES  # a phone keeps its plain spaces
        _check_code(cells[name], bad, required=False, spaced=spaced)
    if "" in cells["applicant_name"]:
        bad |= _is_in(cells["applicant_name"], {""})
    channel = _choose(cells["channel"], _channel, bad)
    kind = _choose(cells["applicant_kind"], _kind, bad)
    status = np.array(_choose(cells["status"], _status_code, bad), dtype=np.int8)
    times = {name: _times(cells[name], bad) for name in _TIMES}
    bad |= times["received_at"][0] == NONE
    lifecycle = _lifecycle(times, status, bad)
    columns: dict[str, Any] = {
        **cells,
        "position": position,
        "line": np.fromiter((number for number, _ in lines), dtype=np.int64, count=size),
        "receiving_agency": _or(cells["receiving_agency"], cells["processing_agency"]),
        "returning_agency": _or(cells["returning_agency"], cells["processing_agency"]),
        "applicant_kind": kind,
        "channel": channel,
        "received_at": times["received_at"][0],
        "declared_due_at": times["due_at"][0],
        **lifecycle,
    }
    columns["status_reason"] = _reasons(cells["status_reason"], lifecycle["status_at"])
    kept = np.flatnonzero(~bad) if bad.any() else None
    return FastColumns.take_from(columns, kept), np.flatnonzero(bad).tolist()


def _flattened(rows: list[Sequence[Cell]]) -> tuple[list[str] | None, int]:
    """Every cell of every line in one list, line after line, when all lines are as long
    and all cells are text (a CSV file): one join and one split, with the lines read in
    file order, instead of a pass over all the lines per column. (None, 0) otherwise."""
    widths = set(map(len, rows))
    if len(widths) != 1:
        return None, 0
    stride = widths.pop()
    try:
        joined = _SEP.join(map(_SEP.join, rows))  # type: ignore[arg-type]  # str cells only
    except TypeError:  # a number, a date or an empty spreadsheet cell
        return None, 0
    flat = joined.split(_SEP)
    return (flat, stride) if len(flat) == len(rows) * stride else (None, 0)


def _shared(column: list[str]) -> list[str]:
    """The column with equal texts as one object when they repeat (addresses, summaries,
    names): the SQLite driver encodes each object to UTF-8 once, not once per line."""
    if len(set(column[:2048])) > 1024:
        return column
    one: dict[str, str] = {}
    return [one.setdefault(value, value) for value in column]


def _text_column(column: list[Cell], bad: BoolArray, *, strict: bool) -> list[str]:
    """Cells as stripped text; an empty cell is "". In a ``strict`` column (codes, times) a
    number or a date marks its line; elsewhere it is read as ``imports.text`` reads it."""
    kinds = set(map(type, column))
    if kinds - {str}:
        if strict and kinds - {str, type(None)}:
            other = (type(c) not in (str, type(None)) for c in column)
            bad |= np.fromiter(other, dtype=np.bool_, count=len(column))
        column = [c if type(c) is str else "" if strict else text(c) for c in column]
    return list(map(str.strip, column))  # type: ignore[arg-type]  # every cell is a str


def _is_in(column: list[str], values: set[str]) -> BoolArray:
    return np.fromiter((c in values for c in column), dtype=np.bool_, count=len(column))


def _check_code(column: list[str], bad: BoolArray, *, required: bool, spaced: bool = False) -> None:
    """A code has no blanks (``spaced``: but plain spaces); a required one is not empty."""
    blank = _OTHER_BLANK_OR_HIDDEN if spaced else _BLANK
    joined = _SEP.join(column)
    if blank.search(joined):
        bad |= np.fromiter((bool(blank.search(c)) for c in column), np.bool_, len(column))
    if "E+" in joined or "e+" in joined:  # parse_dossier says why (code_text)
        bad |= np.fromiter(
            (bool(SCIENTIFIC.fullmatch(c.strip())) for c in column), np.bool_, len(column)
        )
    if required and "" in column:
        bad |= _is_in(column, {""})


def _channel(raw: str) -> str | None:
    found = _CHANNELS.get(raw.lower())
    return None if found is None else found.value


def _kind(raw: str) -> str | None:
    found = _KINDS.get(raw.lower())
    return None if found is None else found.value


def _status_code(raw: str) -> int | None:
    if not raw:
        return DERIVED
    if raw == "1":  # "Mới đăng ký": parse_dossier says why it is refused
        return None
    found = DVCQG_STATUS.get(raw) or _STATUS_VALUES.get(raw.casefold().replace(" ", "_"))
    found = found or _STATUS_LABELS.get(raw.casefold())
    return None if found is None else int(STATUS_CODE[found])


def _choose(column: list[str], choose: Any, bad: BoolArray) -> list[Any]:
    """Each cell's choice, looked up once per distinct value; None marks the line."""
    chosen = {value: choose(value) for value in set(column)}
    unknown = {value for value, found in chosen.items() if found is None}
    if unknown:
        bad |= _is_in(column, unknown)
        chosen.update(dict.fromkeys(unknown, DERIVED if choose is _status_code else ""))
    return [chosen[value] for value in column]


def _or(column: list[str], fallback: list[str]) -> list[str]:
    if "" not in column:
        return column
    return [value or other for value, other in zip(column, fallback, strict=True)]


def _reasons(column: list[str], status_at: Int64Array) -> list[str]:
    if not (status_at != NONE).any():
        return column
    return [
        value or (DEFAULT_REASON if at != NONE else "")
        for value, at in zip(column, status_at.tolist(), strict=True)
    ]


# -- times ---------------------------------------------------------------------------------

_SHAPES = (10, 14, 16, 19)  # date; yyyyMMddHHmmss; date HH:mm; date HH:mm:ss


def _times(column: list[str], bad: BoolArray) -> tuple[Int64Array, BoolArray]:
    """(UTC epoch seconds or NONE, written as a bare date) of each cell; marks bad cells."""
    size = len(column)
    at = np.full(size, NONE, dtype=np.int64)
    date_only = np.zeros(size, dtype=np.bool_)
    widths = np.fromiter(map(len, column), dtype=np.int64, count=size)
    for width in np.unique(widths).tolist():
        if width == 0:
            continue
        rows = np.flatnonzero(widths == width)
        if width not in _SHAPES:
            bad[rows] = True
            continue
        texts = column if len(rows) == size else [column[i] for i in rows.tolist()]
        joined = "".join(texts)
        if not joined.isascii():
            ascii_ = np.fromiter((t.isascii() for t in texts), dtype=np.bool_, count=len(texts))
            bad[rows[~ascii_]] = True
            rows = rows[ascii_]
            joined = "".join(t for t in texts if t.isascii())
        if not len(rows):
            continue
        matrix = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, width)
        seconds, good = _seconds(matrix)
        at[rows[good]] = seconds[good]
        bad[rows[~good]] = True
        date_only[rows] = width == 10
    return at, date_only


def _number(digits: npt.NDArray[np.int16], start: int, end: int) -> Int64Array:
    value = np.zeros(digits.shape[0], dtype=np.int64)
    for index in range(start, end):
        value = value * 10 + digits[:, index]
    return value


def _seconds(matrix: npt.NDArray[np.uint8]) -> tuple[Int64Array, BoolArray]:
    """Epoch seconds of local times written in one of ``_SHAPES``, and which are valid."""
    rows, width = matrix.shape
    digits = matrix.astype(np.int16) - ord("0")
    is_digit = (digits >= 0) & (digits <= 9)
    digits = np.where(is_digit, digits, 0).astype(np.int16)
    zero = np.zeros(rows, dtype=np.int64)
    if width == 14:
        good = is_digit.all(axis=1)
        year, month, day = _number(digits, 0, 4), _number(digits, 4, 6), _number(digits, 6, 8)
        hour, minute = _number(digits, 8, 10), _number(digits, 10, 12)
        second = _number(digits, 12, 14)
    else:
        dmy = (matrix[:, 2] == ord("/")) & (matrix[:, 5] == ord("/"))
        ymd = (matrix[:, 4] == ord("-")) & (matrix[:, 7] == ord("-"))
        dmy_digits = is_digit[:, [0, 1, 3, 4, 6, 7, 8, 9]].all(axis=1)
        ymd_digits = is_digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1)
        good = (dmy & dmy_digits) | (ymd & ~dmy & ymd_digits)
        year = np.where(dmy, _number(digits, 6, 10), _number(digits, 0, 4))
        month = np.where(dmy, _number(digits, 3, 5), _number(digits, 5, 7))
        day = np.where(dmy, _number(digits, 0, 2), _number(digits, 8, 10))
        hour = minute = second = zero
        if width >= 16:
            good &= (matrix[:, 10] == ord(" ")) & (matrix[:, 13] == ord(":"))
            good &= is_digit[:, [11, 12, 14, 15]].all(axis=1)
            hour, minute = _number(digits, 11, 13), _number(digits, 14, 16)
        if width == 19:
            good &= (matrix[:, 16] == ord(":")) & is_digit[:, 17] & is_digit[:, 18]
            second = _number(digits, 17, 19)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last = month_days[np.clip(month, 0, 12)] + (leap & (month == 2))
    good &= (year >= FIRST_YEAR) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    good &= (hour <= 23) & (minute <= 59) & (second <= 59)
    days = days_from_civil(year, np.clip(month, 1, 12), day)
    return days * DAY + hour * 3600 + minute * 60 + second - OFFSET, good


def days_from_civil(year: Int64Array, month: Int64Array, day: Int64Array) -> Int64Array:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    of_cycle = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return era * 146097 + of_cycle - 719468  # type: ignore[no-any-return]


# -- lifecycle -----------------------------------------------------------------------------


def _after(at: Int64Array, date_only: BoolArray, previous: Int64Array) -> Int64Array:
    """A step's time; a bare date on the previous step's day means "at that step's time"."""
    same_day = (at + OFFSET) // DAY == (previous + OFFSET) // DAY
    snap = (at != NONE) & date_only & (at < previous) & same_day
    return np.where(snap, previous, at)


def _lifecycle(
    times: dict[str, tuple[Int64Array, BoolArray]], status: CodeArray, bad: BoolArray
) -> dict[str, Any]:
    """Status and step times as ``dossier_rows._lifecycle`` decides them; a line that
    ``parse_dossier`` would refuse is marked (it says why)."""
    received = times["received_at"][0]
    completed = _after(*times["completed_at"], received)
    returned = _after(*times["returned_at"], np.where(completed != NONE, completed, received))
    status_at = _after(*times["status_at"], received)
    has_completed, has_returned, has_status_at = (
        completed != NONE,
        returned != NONE,
        status_at != NONE,
    )
    derived = np.where(
        has_returned,
        STATUS_CODE[Status.RETURNED],
        np.where(has_completed, STATUS_CODE[Status.COMPLETED], STATUS_CODE[Status.IN_PROGRESS]),
    )
    status = np.where(status == DERIVED, derived, status).astype(np.int8)
    completed = np.where(has_returned & ~has_completed, returned, completed)
    has_completed = completed != NONE
    finished = np.isin(status, _FINISHED)
    in_progress = status == STATUS_CODE[Status.IN_PROGRESS]
    bad |= has_completed & (completed < received)
    bad |= has_returned & has_completed & (returned < completed)
    bad |= has_status_at & (status_at < received)
    bad |= (status == STATUS_CODE[Status.COMPLETED]) & has_returned
    bad |= finished & ~has_completed
    bad |= (status == STATUS_CODE[Status.RETURNED]) & ~has_returned
    bad |= ~finished & (has_completed | has_returned)
    bad |= ~finished & ~in_progress & ~has_status_at
    return {
        "status": status,
        "completed_at": completed,
        "returned_at": returned,
        "status_at": status_at,
    }


# -- search text ---------------------------------------------------------------------------


def fold_all(texts: Sequence[str]) -> list[str]:
    """``search.fold`` of each text, done on the texts joined into one string: lower case,
    no marks, đ → d, single spaces."""
    joined = _SEP.join(texts)
    if joined.count(_SEP) != max(len(texts) - 1, 0):
        from tthc_tracker.domain.search import fold  # noqa: PLC0415 - the rare exact way

        return [fold(text) for text in texts]
    if len(texts) > 4096 and len(set(texts[:4096])) < 2048:  # names repeat: fold each once
        distinct = list(dict.fromkeys(texts))
        folded = dict(zip(distinct, fold_all(distinct), strict=True))
        return [folded[text] for text in texts]
    if joined.isascii():  # codes: no marks, nothing to compose
        decomposed = joined.lower()
    else:
        lowered = unicodedata.normalize("NFC", joined).lower().replace("đ", "d")
        decomposed = unicodedata.normalize("NFD", lowered)
        for mark in [ch for ch in set(decomposed) if unicodedata.category(ch) == "Mn"]:
            decomposed = decomposed.replace(mark, "")
    if "  " in decomposed or _OTHER_BLANK.search(decomposed):
        decomposed = _BLANKS.sub(" ", decomposed)
    if " \x00" in decomposed or "\x00 " in decomposed:
        decomposed = _AROUND_SEP.sub(_SEP, decomposed)
    return decomposed.strip(" ").split(_SEP) if texts else []


def _digits(phones: Sequence[str]) -> list[str]:
    """The digits of each phone, as ``search.search_text`` keeps them."""
    joined = _SEP.join(phones)
    if joined.isascii() and joined.count(_SEP) == max(len(phones) - 1, 0):
        if re.search(r"[^0-9\x00]", joined):
            joined = re.sub(r"[^0-9\x00]", "", joined)
        return joined.split(_SEP) if phones else []
    return ["".join(ch for ch in phone if ch.isdigit()) for phone in phones]


def search_texts(
    applicants: Sequence[str], codes: Sequence[str], phones: Sequence[str]
) -> list[str]:
    """``search.search_text`` of many dossiers, column by column."""
    parts = zip(fold_all(applicants), fold_all(codes), _digits(phones), strict=True)
    return [" ".join(filter(None, part)) for part in parts]
