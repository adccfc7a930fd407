"""A tight reader for the common line of a dossier file, beside ``parse_dossier``.

``FastReader.read`` accepts only lines it can read with certainty — text cells, codes without
blanks, known channel and status values, times written "dd/MM/yyyy HH:mm[:ss]",
"dd/MM/yyyy" or "yyyy-MM-dd HH:mm[:ss]" in ASCII, a consistent lifecycle — and returns
exactly what ``parse_dossier`` would decide for them, with instants as UTC epoch seconds.
Anything else returns None and goes through ``parse_dossier`` (which reports the errors): the
two never disagree (tests/imports/test_bulk_import.py compares them on random lines).

Times are local (Asia/Ho_Chi_Minh, UTC+7 without daylight saving since 1975); a date before
1976 is left to ``parse_dossier``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from tthc_tracker.domain.dossier import STATUS_LABELS, ApplicantKind, Channel, Status
from tthc_tracker.domain.dossier_rows import DEFAULT_REASON, DVCQG_STATUS, FINISHED
from tthc_tracker.domain.imports import Cell, Layout
from tthc_tracker.domain.search import fold

OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh since 1975
DAY = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FIRST_DAY = (date(1976, 1, 1) - date(1970, 1, 1)).days
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
_STATUS_VALUES = {s.value: s for s in Status}
_STATUS_LABELS = {label.casefold(): s for s, label in STATUS_LABELS.items()}
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


class FastRecord(NamedTuple):
    """A line as ``parse_dossier`` reads it; instants in UTC epoch seconds."""

    line: int
    code: str
    procedure: str
    processing_agency: str
    receiving_agency: str
    returning_agency: str
    applicant_name: str
    applicant_kind: ApplicantKind
    id_number: str
    address: str
    phone: str
    email: str
    summary: str
    channel: Channel
    received_at: int
    declared_due_at: int | None
    status: Status
    completed_at: int | None
    returned_at: int | None
    status_at: int | None
    status_reason: str


class _Unsure(Exception):
    """The line is not one the fast reader can vouch for."""


def _status(raw: str) -> Status | None:
    if not raw:
        return None
    found = DVCQG_STATUS.get(raw) or _STATUS_VALUES.get(raw.casefold().replace(" ", "_"))
    found = found or _STATUS_LABELS.get(raw.casefold())
    if found is None:
        raise _Unsure
    return found


class FastReader:
    """Reads the lines of one file laid out as ``layout`` says.

    Cells are taken as ``read_table`` gives them: text already in NFC, so ``nfc`` comes down
    to ``strip``.
    """

    def __init__(self, layout: Layout) -> None:
        present = [layout.fields[name] for name in FIELDS if name in layout.fields]
        self.width = max(present) + 1
        self.getter = itemgetter(*present, present[0])  # always a tuple, even for one field
        blank = len(present) + 1  # where a missing field reads "" (appended to each line)
        order = iter(range(len(present)))
        self.order = itemgetter(
            *[next(order) if name in layout.fields else blank for name in FIELDS]
        )
        self._days: dict[str, int] = {}
        self._clocks: dict[str, int] = {"": 0}

    def _cells(self, cells: Sequence[Cell]) -> tuple[str, ...]:
        if len(cells) < self.width:
            cells = [*cells, *[""] * (self.width - len(cells))]
        try:
            values = [c.strip() for c in self.getter(cells)]
        except AttributeError:  # a number, a date, an empty spreadsheet cell
            raise _Unsure from None
        values.extend(("", ""))
        return self.order(values)  # type: ignore[no-any-return]

    def _day(self, text: str) -> int:
        """Days from 1970-01-01 of a local date written dd/mm/yyyy or yyyy-mm-dd."""
        if len(text) != 10 or not text.isascii():
            raise _Unsure
        if text[2] == "/" and text[5] == "/":
            day, month, year = text[:2], text[3:5], text[6:]
        elif text[4] == "-" and text[7] == "-":
            year, month, day = text[:4], text[5:7], text[8:]
        else:
            raise _Unsure
        if not (day + month + year).isdigit():
            raise _Unsure
        try:
            found = date(int(year), int(month), int(day)).toordinal() - _EPOCH_ORDINAL
        except ValueError:
            raise _Unsure from None
        if found < _FIRST_DAY:
            raise _Unsure
        self._days[text] = found
        return found

    def _clock(self, text: str) -> int:
        """Seconds since midnight of " HH:MM" or " HH:MM:SS" ("" for a bare date: 0)."""
        size = len(text)
        if size not in (6, 9) or text[0] != " " or text[3] != ":" or not text.isascii():
            raise _Unsure
        clock = text[1:3] + text[4:6] + (text[7:] if size == 9 else "00")
        if (size == 9 and text[6] != ":") or not clock.isdigit():
            raise _Unsure
        hour, minute, second = int(clock[:2]), int(clock[2:4]), int(clock[4:])
        if hour > 23 or minute > 59 or second > 59:
            raise _Unsure
        self._clocks[text] = found = hour * 3600 + minute * 60 + second
        return found

    def _time(self, text: str) -> tuple[int, bool] | None:
        """(UTC epoch seconds, date only) of a time cell; None when blank."""
        if not text:
            return None
        day = self._days.get(text[:10])
        if day is None:
            day = self._day(text[:10])
        clock = self._clocks.get(text[10:])
        if clock is None:
            clock = self._clock(text[10:])
        return day * DAY + clock - OFFSET, len(text) == 10

    def read(self, line: int, cells: Sequence[Cell]) -> FastRecord | None:
        """The record of a line, or None when only ``parse_dossier`` may judge it."""
        try:
            return self._read(line, self._cells(cells))
        except _Unsure:
            return None

    def _read(self, line: int, v: tuple[str, ...]) -> FastRecord:
        for index in (0, 1, 2):
            if v[index].split() != [v[index]]:
                raise _Unsure
        for index in (3, 4, 7, 9):
            if v[index] and v[index].split() != [v[index]]:
                raise _Unsure
        channel = _CHANNELS.get(v[12].lower())
        kind = _KINDS.get(v[6].lower())
        received = self._time(v[13])
        if not v[5] or channel is None or kind is None or received is None or v[17] == "1":
            raise _Unsure
        due = self._time(v[14])
        status, completed, returned, status_at = _lifecycle(
            received, self._time(v[15]), self._time(v[16]), self._time(v[18]), _status(v[17])
        )
        return FastRecord._make((
            line, v[0], v[1], v[2], v[3] or v[2], v[4] or v[2], v[5], kind, v[7], v[8], v[9],
            v[10], v[11], channel, received[0], due[0] if due else None, status, completed,
            returned, status_at, v[19] or (DEFAULT_REASON if status_at else ""),
        ))  # fmt: skip


def _after(step: tuple[int, bool] | None, previous: int) -> int | None:
    """A step's time; a bare date on the previous step's day means "at that step's time"."""
    if step is None:
        return None
    at, date_only = step
    if date_only and at < previous and (at + OFFSET) // DAY == (previous + OFFSET) // DAY:
        return previous
    return at


def _lifecycle(
    received_cell: tuple[int, bool],
    completed_cell: tuple[int, bool] | None,
    returned_cell: tuple[int, bool] | None,
    status_cell: tuple[int, bool] | None,
    status: Status | None,
) -> tuple[Status, int | None, int | None, int | None]:
    """Status and step times as ``dossier_rows._lifecycle`` decides them, when all is well."""
    received = received_cell[0]
    completed = _after(completed_cell, received)
    returned = _after(returned_cell, completed or received)
    status_at = _after(status_cell, received)
    if status is None:
        status = Status.RETURNED if returned else Status.COMPLETED if completed else None
        status = status or Status.IN_PROGRESS
    if returned and completed is None:
        completed = returned
    if (
        (completed and completed < received)
        or (returned and completed and returned < completed)
        or (status_at and status_at < received)
        or (status is Status.COMPLETED and returned)
        or (status in FINISHED and completed is None)
        or (status is Status.RETURNED and returned is None)
        or (status not in FINISHED and (completed or returned))
        or (status not in FINISHED and status is not Status.IN_PROGRESS and status_at is None)
    ):
        raise _Unsure
    return status, completed, returned, status_at


def search_texts(
    applicants: Sequence[str], codes: Sequence[str], phones: Sequence[str]
) -> list[str]:
    """``search.search_text`` of many dossiers: the same text, with the folding of repeated
    names remembered and ASCII codes and phones folded without a Unicode pass."""
    folded: dict[str, str] = {}
    texts = []
    for applicant, code, phone in zip(applicants, codes, phones, strict=True):
        name = folded.get(applicant)
        if name is None:
            name = folded[applicant] = fold(applicant)
        key = " ".join(code.lower().split()) if code.isascii() else fold(code)
        digits = (
            phone
            if phone.isascii() and phone.isdigit()
            else "".join(ch for ch in phone if ch.isdigit())
        )
        texts.append(" ".join(part for part in (name, key, digits) if part))
    return texts
