"""A Biểu 06 report as plain JSON data, and back: the ``--json`` output and the snapshot format.

Keys are stable: every row and the ``total`` row carry the counts of :data:`COUNT_KEYS` and the
rates of :data:`RATE_KEYS` (percentages, working days; ``null`` when there is nothing to
divide by). A snapshot stores exactly this document, so a frozen report can be printed, laid
out in Excel or Word, and compared with a fresh computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tthc_tracker.domain.periods import Period, PeriodKind
from tthc_tracker.domain.statistics import (
    COUNT_KEYS,
    RATE_KEYS,
    AgencyTable,
    Counts,
    LateEntry,
    Report,
    Row,
)
from tthc_tracker.domain.timeliness import remaining_text
from tthc_tracker.domain.times import iso, show
from tthc_tracker.i18n import _

NO_APOLOGY = "chưa xin lỗi"
SCHEMA = 1  # bumped if the document's shape changes; stored with every snapshot


def number(value: float | None, suffix: str = "") -> str:
    """``85,71 %`` (Vietnamese decimal comma); ``–`` when there is nothing to divide by."""
    if value is None:
        return "–"
    return f"{value:.2f}".replace(".", ",") + suffix


def count(value: int) -> str:
    """``1.200``: a count with the Vietnamese thousands separator."""
    return f"{value:,}".replace(",", ".")


def extra_lines(total: Counts) -> list[tuple[str, str]]:
    """The figures beyond the official form, as (label, value) for a terminal or a report."""
    return [
        (_("Trễ hạn đã có văn bản xin lỗi"), count(total.late_with_apology)),
        (_("trong đó xin lỗi muộn"), count(total.apology_late)),
        (_("Trễ hạn chưa xin lỗi"), count(total.late_without_apology)),
        (_("Hẹn lại và trả đúng hẹn mới"), count(total.rescheduled_met_new_date)),
        (_("Rút hồ sơ, từ chối, dừng giải quyết"), count(total.withdrawn_refused_stopped)),
        (_("Tỷ lệ giải quyết đúng hạn"), number(total.on_time_rate, " %")),
        (_("Chỉ số 2.1 (QĐ 766)"), number(total.qd766_indicator_2_1, " %")),
        (
            _("Thời gian xử lý trung bình (ngày làm việc)"),
            number(total.avg_processing_working_days),
        ),
    ]


def counts_json(counts: Counts) -> dict[str, Any]:
    data: dict[str, Any] = {key: getattr(counts, key) for key in COUNT_KEYS}
    data.update({key: getattr(counts, key) for key in RATE_KEYS})
    data["processing_seconds"] = counts.processing_seconds
    data["qd766_within"] = counts.qd766_within
    return data


def _counts(data: dict[str, Any]) -> Counts:
    counts = {key: int(data[key]) for key in COUNT_KEYS}
    # a snapshot frozen before indicator 2.1 counted supplements as pauses: as it said then
    within = counts["resolved_early"] + counts["resolved_on_time"] + counts["pending_within_due"]
    return Counts(
        **counts,
        processing_seconds=int(data.get("processing_seconds", 0)),
        qd766_within=int(data.get("qd766_within", within)),
    )


def _rows_json(rows: tuple[Row, ...]) -> list[dict[str, Any]]:
    return [{"level": r.level, "field": r.field, **counts_json(r.counts)} for r in rows]


def _rows(data: list[dict[str, Any]]) -> tuple[Row, ...]:
    return tuple(Row(r["level"], r["field"], _counts(r)) for r in data)


def delay_text(entry: LateEntry) -> str:
    """``Quá 2 ngày 3 giờ`` in working time."""
    return remaining_text(entry.delay_seconds, overdue=True)


def letter_text(entry: LateEntry) -> str:
    if entry.letter_number is None:
        return NO_APOLOGY
    return f"{entry.letter_number} (muộn)" if entry.letter_late else entry.letter_number


def late_json(entry: LateEntry) -> dict[str, Any]:
    return {
        "code": entry.code,
        "procedure": entry.procedure,
        "agency": entry.agency,
        "applicant": entry.applicant,
        "due_at": iso(entry.original_due_at),
        "finished_at": iso(entry.finished_at),
        "open_at_period_end": entry.finished_at is None,
        "delay_seconds": entry.delay_seconds,
        "delay": delay_text(entry),
        "letter_number": entry.letter_number,
        "letter_late": entry.letter_late,
        "letter": letter_text(entry),
    }


def _late(data: dict[str, Any]) -> LateEntry:
    finished = data["finished_at"]
    return LateEntry(
        code=data["code"],
        procedure=data["procedure"],
        agency=data["agency"],
        applicant=data["applicant"],
        original_due_at=datetime.fromisoformat(data["due_at"]),
        finished_at=datetime.fromisoformat(finished) if finished else None,
        delay_seconds=int(data["delay_seconds"]),
        letter_number=data["letter_number"],
        letter_late=bool(data["letter_late"]),
    )


def period_json(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind.value,
        "label": period.label,
        "name": period.name,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "start": iso(period.start),
        "end": iso(period.end),
        "year": period.year,
        "month": period.month,
        "months": period.months,
    }


def _period(data: dict[str, Any]) -> Period:
    return Period(
        PeriodKind(data["kind"]),
        date.fromisoformat(data["from"]),
        date.fromisoformat(data["to"]),
        int(data["year"]),
        int(data["month"]),
        int(data["months"]),
    )


def report_json(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "period": period_json(report.period),
        "agency": report.agency,
        "rows": _rows_json(report.rows),
        "total": counts_json(report.total),
        "agencies": [
            {"agency": t.agency, "rows": _rows_json(t.rows), "total": counts_json(t.total)}
            for t in report.agencies
        ],
        "late": [late_json(e) for e in report.late],
        # a period not over yet: when its open dossiers were judged (null once it is over)
        "as_of": iso(report.as_of),
    }


def report_from_json(data: dict[str, Any]) -> Report:
    return Report(
        period=_period(data["period"]),
        agency=data["agency"],
        rows=_rows(data["rows"]),
        total=_counts(data["total"]),
        agencies=tuple(
            AgencyTable(t["agency"], _rows(t["rows"]), _counts(t["total"]))
            for t in data["agencies"]
        ),
        late=tuple(_late(e) for e in data["late"]),
        as_of=datetime.fromisoformat(data["as_of"]) if data.get("as_of") else None,
    )


@dataclass(frozen=True, slots=True)
class Difference:
    """One number that differs between a frozen report and a fresh computation."""

    scope: str  # "" for every agency together, else the agency code
    row: str  # "Tổng cộng" or "level / field"
    key: str
    frozen: object
    now: object


TOTAL_ROW = "Tổng cộng"


def _cells(report: Report) -> dict[tuple[str, str], Counts]:
    cells = {("", TOTAL_ROW): report.total}
    cells.update({("", f"{r.level} / {r.field}"): r.counts for r in report.rows})
    for table in report.agencies:
        cells[(table.agency, TOTAL_ROW)] = table.total
        cells.update({(table.agency, f"{r.level} / {r.field}"): r.counts for r in table.rows})
    return cells


def _late_text(entry: LateEntry) -> str:
    """What the late list says of a dossier: when it finished, how late, its letter."""
    finished = show(entry.finished_at) if entry.finished_at else "chưa xong"
    return f"{finished}; {delay_text(entry)}; {letter_text(entry)}"


def differences(frozen: Report, fresh: Report) -> list[Difference]:
    """Every count that changed, row by row (total first), and the late list's changes."""
    old, new = _cells(frozen), _cells(fresh)
    found = []
    for scope_row in sorted(old.keys() | new.keys(), key=lambda k: (k[0], k[1] != TOTAL_ROW, k)):
        before, after = old.get(scope_row, Counts()), new.get(scope_row, Counts())
        for key in (*COUNT_KEYS, *RATE_KEYS):
            if getattr(before, key) != getattr(after, key):
                found.append(Difference(*scope_row, key, getattr(before, key), getattr(after, key)))
    old_late = {e.code: _late_text(e) for e in frozen.late}
    new_late = {e.code: _late_text(e) for e in fresh.late}
    for code in sorted(old_late.keys() | new_late.keys()):
        if old_late.get(code) != new_late.get(code):
            found.append(Difference("", code, "late", old_late.get(code), new_late.get(code)))
    return found


def difference_json(found: list[Difference]) -> list[dict[str, Any]]:
    return [
        {"agency": d.scope or None, "row": d.row, "key": d.key, "frozen": d.frozen, "now": d.now}
        for d in found
    ]
