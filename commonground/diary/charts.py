"""The geometry of a diary chart: one variable over a stretch of days, with the days of therapy sessions and
questionnaires marked (pure: no Django, no database).

A template draws it as inline SVG beside a data table (decision 0011). A day without a value leaves a gap in
the line: the chart never draws a line across days nobody recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 640
HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 10, 30
INSET = 8


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Mark:
    """A day something happened (a session, a questionnaire), drawn as a thin vertical line."""

    day: date
    kind: str
    label: str
    x: float = 0.0


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: tuple[Point, ...]
    segments: tuple[str, ...]  # polyline "points" attributes, one per run of consecutive days
    marks: tuple[Mark, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


def day_chart(
    values: dict[date, float | None],
    *,
    first: date,
    last: date,
    minimum: float = 0.0,
    maximum: float = 10.0,
    marks: Sequence[Mark] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> DayChart:
    """`values` between `first` and `last` (inclusive) on a `minimum`..`maximum` scale."""
    if last < first:
        raise ValueError("the last day comes before the first")
    if maximum <= minimum:
        maximum = minimum + 1
    right, bottom = width - RIGHT, height - BOTTOM
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(LEFT + INSET + (day - first).days / span * (right - LEFT - 2 * INSET), 1)

    def y(value: float) -> float:
        clamped = min(max(value, minimum), maximum)
        return round(TOP + (maximum - clamped) / (maximum - minimum) * (bottom - TOP), 1)

    points = tuple(
        Point(day, value, x(day), y(value), _label(value))
        for day, value in sorted(values.items())
        if value is not None and first <= day <= last
    )
    return DayChart(
        width=width,
        height=height,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        points=points,
        segments=_segments(points),
        marks=tuple(Mark(m.day, m.kind, m.label, x(m.day)) for m in marks if first <= m.day <= last),
        y_ticks=tuple(Tick(y(v), _label(v)) for v in _value_ticks(minimum, maximum)),
        x_ticks=tuple(Tick(x(day), day.strftime("%d %b").lstrip("0")) for day in _day_ticks(first, last)),
    )


def _segments(points: tuple[Point, ...]) -> tuple[str, ...]:
    runs: list[list[Point]] = []
    for point in points:
        if runs and (point.day - runs[-1][-1].day).days == 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    return tuple(" ".join(f"{p.x},{p.y}" for p in run) for run in runs if len(run) > 1)


def _value_ticks(minimum: float, maximum: float) -> list[float]:
    span = maximum - minimum
    step = next(s for s in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**9) if span / s <= 5)
    first = minimum if minimum % step == 0 else (minimum // step + 1) * step
    ticks, value = [], first
    while value <= maximum + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _day_ticks(first: date, last: date, most: int = 6) -> list[date]:
    days = (last - first).days
    every = max(1, -(-days // (most - 1))) if days else 1
    return [first + timedelta(days=n) for n in range(0, days + 1, every)]


def _label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def scale_for(key: str, values: Sequence[float | None]) -> tuple[float, float]:
    """The y range of a variable: 0-10 ratings, 0-14 hours of sleep, counts and activity from 0 to their top."""
    if key == "sleep_hours":
        return 0.0, 14.0
    known = [value for value in values if value is not None]
    top = max(known, default=0.0)
    if key in ("activity_load", "rest_breaks", "practice_done") or top > 10:
        return 0.0, max(top, 1.0)
    return 0.0, 10.0


@dataclass(frozen=True)
class VariableChart:
    key: str
    label: str
    chart: DayChart
    higher_is_better: bool | None


def variable_charts(
    rows: dict[date, dict[str, float | None]],
    variables: Sequence[tuple[str, str, bool | None]],
    *,
    first: date,
    last: date,
    marks: Sequence[Mark] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> list[VariableChart]:
    """One small chart per variable (key, label, higher is better: True, False or None), each on its own scale.
    A phone page asks for a narrower `width`, so the labels stay readable when the chart fills the screen."""
    charts = []
    for key, label, better_up in variables:
        values = {day: row.get(key) for day, row in rows.items() if first <= day <= last}
        low, high = scale_for(key, list(values.values()))
        chart = day_chart(
            values, first=first, last=last, minimum=low, maximum=high, marks=marks, width=width, height=height
        )
        charts.append(VariableChart(key, label, chart, better_up))
    return charts
