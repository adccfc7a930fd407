"""The on-time chart (matplotlib, Agg, no pyplot): rate per agency, and the last 12 periods.

DejaVu Sans ships with matplotlib and has every Vietnamese glyph; no global matplotlib setting
is changed (a ``rc_context`` and an explicit Agg canvas).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tthc_tracker.domain.periods import Period
from tthc_tracker.domain.statistics import Counts, Report

FONT = "DejaVu Sans"
SIZE_INCHES = (13.0, 5.2)
DPI = 110
BAR_COLOUR = "#2E75B6"
LATE_COLOUR = "#C00000"


def _agency_panel(figure: Figure, report: Report) -> None:
    axes = figure.add_subplot(1, 2, 1)
    tables = [t for t in report.agencies if t.total.resolved_total]
    names = [t.agency for t in tables]
    rates = [t.total.on_time_rate or 0.0 for t in tables]
    bars = axes.barh(names, rates, color=BAR_COLOUR)
    axes.bar_label(bars, labels=[f"{r:.1f} %".replace(".", ",") for r in rates], padding=3)
    axes.set_xlim(0, 115)
    axes.invert_yaxis()
    axes.set_xlabel("Tỷ lệ giải quyết đúng hạn (%)")
    axes.set_title(f"Theo cơ quan — {report.period.name}")
    if not tables:
        axes.text(57, 0, "Chưa có hồ sơ đã giải quyết", ha="center", va="center")


def _trend_panel(figure: Figure, series: Sequence[tuple[Period, Counts]]) -> None:
    axes = figure.add_subplot(1, 2, 2)
    labels = [p.short_name for p, _ in series]
    on_time = [c.on_time_rate for _, c in series]
    indicator = [c.qd766_indicator_2_1 for _, c in series]
    positions = list(range(len(series)))
    axes.plot(
        positions,
        [float("nan") if v is None else v for v in on_time],
        marker="o",
        color=BAR_COLOUR,
        label="Tỷ lệ đúng hạn",
    )
    axes.plot(
        positions,
        [float("nan") if v is None else v for v in indicator],
        marker="s",
        linestyle="--",
        color=LATE_COLOUR,
        label="Chỉ số 2.1 QĐ 766",
    )
    axes.set_xticks(positions, labels, rotation=45, ha="right")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="lower left")
    axes.set_title(f"{len(series)} kỳ gần nhất")


def write_chart(report: Report, series: Sequence[tuple[Period, Counts]], path: Path) -> Path:
    """A PNG: on-time rate per agency for ``report``, and the trend over ``series``."""
    with rc_context({"font.family": FONT, "font.size": 10}):
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        _agency_panel(figure, report)
        _trend_panel(figure, series)
        figure.suptitle(
            f"Tỷ lệ giải quyết hồ sơ đúng hạn — {report.period.dates_text()}", fontweight="bold"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    return path
