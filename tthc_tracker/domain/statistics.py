"""Biểu số 06/VPCP/KSTT from plain per-dossier records (domain.md §2, §6). Pure.

For a period ``[start, end)`` every dossier that was open at some instant of it counts once
as *received* (``received_total``): new online, new direct or postal, or carried over (received
before ``start`` and still open at ``start``). It then ends the period in exactly one place:

- *resolved* (``resolved_*``): finished (processing completed, else returned) in the period,
  judged against the **original** due time: before the due date, on the due date, or late;
- *withdrawn, refused or stopped* in the period (outside the official form);
- *pending* (``pending_*``): still open at ``end``, within or past the original due time at
  ``end`` (a clock stopped before the due time is within it: :func:`judge_pending`).

So ``received_total = resolved_total + pending_total + withdrawn_refused_stopped`` always.

Beyond the official form: the *late* dossiers of the period (resolved late, or pending
overdue) split by their apology letter (issued before ``end``; late when issued after the
letter's deadline), extended dossiers finished by their new date, the on-time rate, QĐ 766
indicator 2.1 and the average processing time in working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple

from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.dossier import CLOSED_WITHOUT_RESULT, Channel, Status
from tthc_tracker.domain.limits import WORKING_DAY_SECONDS
from tthc_tracker.domain.periods import Period
from tthc_tracker.domain.timeliness import Timeliness, classify_finished, classify_open

LEVEL_ORDER = ("Cấp tỉnh", "Cấp xã")  # printed first, in this order; other levels follow
NO_LEVEL = "Chưa phân cấp"


class StatRecord(NamedTuple):
    """What the statistics need of one dossier (a slim row, not the whole dossier).

    A named tuple rather than a frozen dataclass: a province's month is hundreds of
    thousands of records, and a frozen dataclass's ``__init__`` (one ``object.__setattr__``
    per field) cost more than reading them from the database.
    """

    code: str
    procedure: str  # the procedure's name (for the late list)
    field: str  # lĩnh vực
    level: str  # cấp thực hiện: "Cấp tỉnh", "Cấp xã", …
    agency: str  # processing agency code
    applicant: str
    channel: Channel
    received_at: datetime
    original_due_at: datetime
    due_at: datetime  # the promised time: the extension when there is one
    status: Status
    completed_at: datetime | None = None
    returned_at: datetime | None = None
    closed_at: datetime | None = None  # when withdrawn, refused or stopped
    extended: bool = False
    letter_number: str | None = None  # the issued apology letter, if any
    letter_issued_at: datetime | None = None
    letter_late: bool = False
    new_due_at: datetime | None = None
    stopped_at: datetime | None = None  # now paused or awaiting a supplement: since when
    supplement_requests: int = 0
    # QĐ 766: the due time with the supplement counted as a pause (None: no supplement)
    due_at_766: datetime | None = None

    @property
    def finished_at(self) -> datetime | None:
        return self.completed_at or self.returned_at


class Fate(StrEnum):
    RESOLVED = "resolved"
    CLOSED = "withdrawn_refused_stopped"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class _Span:
    """A period's bounds in UTC, as the ledger's times are: comparing two times of one
    zone skips the zone lookups a comparison across zones makes (millions per report)."""

    start: datetime
    end: datetime
    judged_at: datetime  # open dossiers are judged here: the end, or now if that is earlier


def _span(period: Period, as_of: datetime | None = None) -> _Span:
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    judged = end if as_of is None else min(end, as_of.astimezone(UTC))
    return _Span(start, end, judged)


_CLOSED = tuple(CLOSED_WITHOUT_RESULT)  # a tuple: membership by identity, no enum hashing


def fate(record: StatRecord, period: Period | _Span) -> Fate | None:
    """Where the record ends the period; None when it was not open at any instant of it."""
    if record.received_at >= period.end:
        return None
    ended: datetime | None
    if record.status in _CLOSED:
        # A closure without its event (an odd import) is dated at the receipt.
        ended = record.closed_at or record.received_at
    else:
        ended = record.finished_at
    if ended is not None and ended < period.start:
        return None
    if ended is None or ended >= period.end:
        return Fate.PENDING
    return Fate.CLOSED if record.status in _CLOSED else Fate.RESOLVED


@dataclass(frozen=True, slots=True)
class Counts:
    """One row of the table. Field order is the JSON key order."""

    received_total: int = 0
    received_online: int = 0
    received_direct_postal: int = 0
    carried_over: int = 0
    resolved_total: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    pending_total: int = 0
    pending_within_due: int = 0
    pending_overdue: int = 0
    late_with_apology: int = 0
    apology_late: int = 0
    late_without_apology: int = 0
    rescheduled_met_new_date: int = 0
    withdrawn_refused_stopped: int = 0
    processing_seconds: int = 0  # working time from receipt to finish, summed over resolved
    # resolved or pending within the due time as QĐ 766 counts it: the supplement interval a
    # pause, not a restart; more than one supplement request is late (indicator 2.1)
    qd766_within: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def on_time_rate(self) -> float | None:
        """Resolved before or on the due time, in % of resolved."""
        return _percent(self.resolved_early + self.resolved_on_time, self.resolved_total)

    @property
    def qd766_indicator_2_1(self) -> float | None:
        """QĐ 766 indicator 2.1: resolved on time or pending within due, in % of the resolved
        and pending ones (withdrawn, refused and stopped dossiers are judged neither way),
        judged as QĐ 766 counts: the supplement interval is a pause, not a restart
        (domain.md §5.3)."""
        return _percent(self.qd766_within, self.resolved_total + self.pending_total)

    @property
    def avg_processing_working_days(self) -> float | None:
        if not self.resolved_total:
            return None
        return round(self.processing_seconds / self.resolved_total / WORKING_DAY_SECONDS, 2)

    def identity_holds(self) -> bool:
        new = self.received_online + self.received_direct_postal + self.carried_over
        ended = self.resolved_total + self.pending_total + self.withdrawn_refused_stopped
        return self.received_total == new == ended


_POSITION = {f.name: index for index, f in enumerate(fields(Counts))}
# the counts shown and compared; processing_seconds and qd766_within only feed the rates
INNER_KEYS = ("processing_seconds", "qd766_within")
COUNT_KEYS = tuple(f.name for f in fields(Counts) if f.name not in INNER_KEYS)
RATE_KEYS = ("on_time_rate", "qd766_indicator_2_1", "avg_processing_working_days")
FORM_KEYS = COUNT_KEYS[:11]  # the official Biểu 06 columns, in the form's order


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


@dataclass(frozen=True, slots=True)
class LateEntry:
    """A dossier late in the period: finished late, or open past its original due time."""

    code: str
    procedure: str
    agency: str
    applicant: str
    original_due_at: datetime
    finished_at: datetime | None  # None: still open at the end of the period
    delay_seconds: int  # working time past the original due time
    letter_number: str | None  # None: no apology issued before the end of the period
    letter_late: bool


@dataclass(frozen=True, slots=True)
class Row:
    level: str
    field: str
    counts: Counts


@dataclass(frozen=True, slots=True)
class AgencyTable:
    agency: str
    rows: tuple[Row, ...]
    total: Counts


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    agency: str | None  # the agency filter; None: every agency
    rows: tuple[Row, ...]  # every agency together, by level then field
    total: Counts
    agencies: tuple[AgencyTable, ...]
    late: tuple[LateEntry, ...]
    # a period not over yet: the instant its open dossiers were judged at (else None)
    as_of: datetime | None = None


def _letter_by_end(record: StatRecord, period: Period | _Span) -> bool:
    issued = record.letter_issued_at
    return record.letter_number is not None and issued is not None and issued < period.end


def count_record(
    record: StatRecord, period: Period, calendar: WorkCalendar, as_of: datetime | None = None
) -> Counts | None:
    """The record's contribution to a row (None when it is outside the period)."""
    values = _contribution(record, _span(period, as_of), calendar)
    return None if values is None else Counts(**values)


def _contribution(
    record: StatRecord, period: _Span, calendar: WorkCalendar
) -> dict[str, int] | None:
    """The counts one record adds, by name (plain ints: a million records add up fast)."""
    where = fate(record, period)
    if where is None:
        return None
    values: dict[str, int] = {"received_total": 1}
    if record.received_at < period.start:
        values["carried_over"] = 1
    elif record.channel is Channel.ONLINE:
        values["received_online"] = 1
    else:
        values["received_direct_postal"] = 1
    late = False
    finished = record.finished_at
    if where is Fate.RESOLVED and finished is not None:
        judged = classify_finished(finished, record.original_due_at)
        values["resolved_total"] = 1
        values[f"resolved_{judged.value}"] = 1
        values["processing_seconds"] = calendar.working_between(record.received_at, finished)
        late = judged is Timeliness.LATE
        if late and record.extended and finished <= record.due_at:  # late, kept the new time
            values["rescheduled_met_new_date"] = 1
        values["qd766_within"] = int(_within_766(record, finished, late))
    elif where is Fate.PENDING:
        judged = judge_pending(record, period.judged_at)
        values["pending_total"] = 1
        values[f"pending_{judged.value}"] = 1
        late = judged is Timeliness.OVERDUE
        values["qd766_within"] = int(_within_766(record, period.judged_at, late))
    else:
        values["withdrawn_refused_stopped"] = 1
    if late and _letter_by_end(record, period):
        values["late_with_apology"] = 1
        values["apology_late"] = int(record.letter_late)
    elif late:
        values["late_without_apology"] = 1
    return values


def _within_766(record: StatRecord, until: datetime, late: bool) -> bool:
    """Within the due time as QĐ 766 counts (``until``: the finish, or the instant an open
    dossier is judged at): against the due time with the supplement a pause; a second
    supplement request makes it late. Without a supplement, as the law counts."""
    if record.supplement_requests > 1:
        return False
    due = record.due_at_766
    if due is None:
        return not late
    if record.finished_at is not None and record.finished_at <= until:
        return classify_finished(record.finished_at, due) is not Timeliness.LATE
    return judge_pending(record._replace(original_due_at=due), until) is Timeliness.WITHIN_DUE


def judge_pending(record: StatRecord, end: datetime) -> Timeliness:
    """An open dossier at ``end``: within or past its original due time. A clock stopped
    before the due time (a pause, or a supplement asked, whose limit restarts when it comes
    back) and still stopped at ``end`` is within it; one stopped once the due time had
    passed is late, like a running one (domain.md §5.3)."""
    stopped = record.stopped_at
    if stopped is not None and stopped < end and stopped < record.original_due_at:
        return Timeliness.WITHIN_DUE
    return classify_open(end, record.original_due_at)


def late_entry(
    record: StatRecord, period: Period, calendar: WorkCalendar, as_of: datetime | None = None
) -> LateEntry:
    return _late_entry(record, _span(period, as_of), calendar)


def _late_entry(record: StatRecord, period: _Span, calendar: WorkCalendar) -> LateEntry:
    finished = record.finished_at if fate(record, period) is Fate.RESOLVED else None
    until = finished or period.judged_at
    has_letter = _letter_by_end(record, period)
    return LateEntry(
        code=record.code,
        procedure=record.procedure,
        agency=record.agency,
        applicant=record.applicant,
        original_due_at=record.original_due_at,
        finished_at=finished,
        delay_seconds=calendar.working_between(record.original_due_at, until),
        letter_number=record.letter_number if has_letter else None,
        letter_late=record.letter_late and has_letter,
    )


def _level_key(level: str) -> tuple[int, str]:
    if level in LEVEL_ORDER:
        return (LEVEL_ORDER.index(level), level)
    return (len(LEVEL_ORDER) + (level == NO_LEVEL), level)


def _rows(cells: Mapping[tuple[str, str], Counts]) -> tuple[Row, ...]:
    ordered = sorted(cells.items(), key=lambda item: (_level_key(item[0][0]), item[0][1]))
    return tuple(Row(level, field, counts) for (level, field), counts in ordered)


def _total(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for one in counts:
        total = total + one
    return total


def _accumulate(
    records: Iterable[StatRecord],
    period: Period,
    calendars: Mapping[str, WorkCalendar],
    agency: str | None,
    as_of: datetime | None,
) -> tuple[dict[str, dict[tuple[str, str], Counts]], list[LateEntry]]:
    """Counts per agency and (level, field), and the late entries, in one pass."""
    span = _span(period, as_of)
    sums: dict[str, dict[tuple[str, str], list[int]]] = {}
    late: list[LateEntry] = []
    seen: set[str] = set()
    for record in records:
        if record.code in seen or (agency is not None and record.agency != agency):
            continue
        calendar = calendars[record.agency]
        values = _contribution(record, span, calendar)
        if values is None:
            continue
        seen.add(record.code)
        key = (record.level or NO_LEVEL, record.field)
        by_field = sums.setdefault(record.agency, {})
        cell = by_field.get(key) or by_field.setdefault(key, [0] * len(_POSITION))
        for name, value in values.items():
            cell[_POSITION[name]] += value
        if "resolved_late" in values or "pending_overdue" in values:
            late.append(_late_entry(record, span, calendar))
    cells = {
        code: {key: Counts(*cell) for key, cell in cell_sums.items()}
        for code, cell_sums in sums.items()
    }
    return cells, late


def build_report(
    records: Iterable[StatRecord],
    period: Period,
    calendars: Mapping[str, WorkCalendar],
    agency: str | None = None,
    as_of: datetime | None = None,
) -> Report:
    """Biểu 06 of ``period``: rows by level and field, per agency and in total, and the list
    of late dossiers. ``calendars`` maps each processing agency to its working calendar.
    ``as_of`` (now): a period not over yet judges its open dossiers then, not at its end."""
    cells, late = _accumulate(records, period, calendars, agency, as_of)
    tables = tuple(
        AgencyTable(code, _rows(by_field), _total(by_field.values()))
        for code, by_field in sorted(cells.items())
    )
    merged: dict[tuple[str, str], Counts] = {}
    for by_field in cells.values():
        for key, counts in by_field.items():
            merged[key] = merged.get(key, Counts()) + counts
    late.sort(key=lambda e: (e.agency, e.original_due_at, e.code))
    running = as_of is not None and as_of < period.end
    return Report(
        period,
        agency,
        _rows(merged),
        _total(t.total for t in tables),
        tables,
        tuple(late),
        as_of if running else None,
    )


def on_time_trend(
    records: Iterable[StatRecord],
    periods: Iterable[Period],
    calendars: Mapping[str, WorkCalendar],
    agency: str | None = None,
    as_of: datetime | None = None,
) -> list[tuple[Period, Counts]]:
    """The total row of each period (for the trend chart), from one list of records."""
    kept = list(records)
    return [(p, build_report(kept, p, calendars, agency, as_of).total) for p in periods]
