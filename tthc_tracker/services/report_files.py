"""Report files (Excel, Word, PNG) of a period, and the scheduler's job that writes them to the
outbox after each report period closes.

Kept apart from :mod:`tthc_tracker.services.statistics` so that printing a report never
imports openpyxl, python-docx or matplotlib (together more than a second at start).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tthc_tracker.documents.statistics_chart import write_chart
from tthc_tracker.documents.statistics_docx import write_docx
from tthc_tracker.documents.statistics_xlsx import write_xlsx
from tthc_tracker.domain.periods import Period, PeriodKind, last_closed, month_based
from tthc_tracker.domain.statistics import Counts, Report
from tthc_tracker.services import statistics
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.storage.db import Database

ALL_AGENCIES = "TẤT CẢ CƠ QUAN, ĐƠN VỊ"
OUTBOX_FOLDER = "thong-ke"


def scope_name(db: Database, agency: str | None, unit: str = "") -> str:
    """The reporting unit as the form's header prints it: the agency's name, else for all
    agencies together ``unit`` (``TTHC_REPORTING_UNIT``, e.g. "UBND TỈNH AN GIANG")."""
    if agency is None:
        return unit.upper() or ALL_AGENCIES
    with db.transaction() as repo:
        return repo.get_agency(agency).name


def agency_names(db: Database) -> dict[str, str]:
    """How the report's lists name each agency: its short name ("Sở Tư pháp tỉnh An Giang"),
    else its name with its parent body (several units are called "TRUNG TÂM PHỤC VỤ HÀNH
    CHÍNH CÔNG")."""
    with db.transaction() as repo:
        return {
            a.code: a.short_name or (f"{a.name} — {a.parent}" if a.parent else a.name)
            for a in repo.list_agencies()
        }


def write_report_files(
    db: Database,
    report: Report,
    series: Sequence[tuple[Period, Counts]],
    *,
    xlsx: Path | None = None,
    docx: Path | None = None,
    chart: Path | None = None,
    unit: str = "",
) -> list[Path]:
    """Write the files asked for; the Word report embeds the chart when one is written too;
    ``unit``: the reporting unit of a report of all agencies."""
    scope, names = scope_name(db, report.agency, unit), agency_names(db)
    written = []
    if chart is not None:
        written.append(write_chart(report, series, chart))
    if xlsx is not None:
        written.append(write_xlsx(report, xlsx, scope, names))
    if docx is not None:
        written.append(write_docx(report, docx, scope, chart, names))
    return written


def closing_periods(now: datetime) -> list[Period]:
    """The report periods that closed with the latest report month: the month, and the
    quarter and the year when the month ends one (kỳ báo cáo: they all end on the 14th)."""
    month = last_closed(now, PeriodKind.REPORT)
    periods = [month]
    if month.month % 3 == 0:
        periods.append(month_based(PeriodKind.REPORT, month.year, month.month - 2, 3))
    if month.month == 12:
        periods.append(month_based(PeriodKind.REPORT, month.year, 1, 12))
    return periods


@dataclass(frozen=True, slots=True)
class Produced:
    period: Period
    files: list[Path]  # empty: written by an earlier run


def produce_closed_reports(
    db: Database, calendars: Calendars, outbox: Path, now: datetime, unit: str = ""
) -> list[Produced]:
    """Write ``outbox/thong-ke/<period>/bieu06-<period>.xlsx|.docx|.png`` for the periods that
    closed last, once: a later run finds the files and writes nothing (a missed run is made
    up by the next one, as long as no newer period closed in between)."""
    produced = []
    for period in closing_periods(now):
        folder = outbox / OUTBOX_FOLDER / period.label
        stem = folder / f"bieu06-{period.label}"
        paths = [stem.with_suffix(s) for s in (".xlsx", ".docx", ".png")]
        if all(p.exists() for p in paths):
            produced.append(Produced(period, []))
            continue
        shown = statistics.show_report(db, calendars, period)
        series = statistics.trend(db, calendars, period)
        files = write_report_files(
            db, shown.report, series, xlsx=paths[0], docx=paths[1], chart=paths[2], unit=unit
        )
        produced.append(Produced(period, files))
    return produced
