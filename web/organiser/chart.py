"""Joins per day as an inline SVG bar chart: drawn on the server, readable without a script.

This module only measures: the bars' boxes in the SVG's own coordinates. The
template (organiser/_chart.html) draws them, with a title, a description and
the same figures as a table for screen readers and for reading exact values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from fedimob.domain.dashboard import JoinsPerDay
from web import i18n

WIDTH = 800
HEIGHT = 170
LEFT = 36  # room for the scale's labels
BOTTOM = 22  # room for the first and last day
TOP = 8
GAP = 1
MAX_BAR = 32  # a short campaign's few days stay bars, not blocks


@dataclass(frozen=True, slots=True)
class Bar:
    day: datetime  # midnight in the instance's zone, as the display filters take it
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Chart:
    bars: list[Bar]
    scale: int  # the count at the top of the plot
    total: int
    first: datetime
    last: datetime
    busiest: Bar
    partial: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM


def chart_of(joins: JoinsPerDay) -> Chart | None:
    """The chart of `joins`, or None when there are no days to show."""
    if not joins.days:
        return None
    scale = max(1, max(count for _day, count in joins.days))
    plot_width = WIDTH - LEFT
    plot_height = HEIGHT - BOTTOM - TOP
    step = plot_width / len(joins.days)
    width = min(max(step - GAP, 0.5), MAX_BAR)
    bars = []
    for index, (day, count) in enumerate(joins.days):
        height = plot_height * count / scale
        bars.append(
            Bar(
                day=datetime.combine(day, time(), tzinfo=i18n.current_zone()),
                count=count,
                x=round(LEFT + index * step + (step - width) / 2, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(width, 2),
                height=round(height, 2),
            )
        )
    busiest = max(bars, key=lambda bar: (bar.count, bar.day))
    return Chart(
        bars=bars,
        scale=scale,
        total=joins.total,
        first=bars[0].day,
        last=bars[-1].day,
        busiest=busiest,
        partial=joins.partial,
    )
