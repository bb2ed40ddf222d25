"""The geometry of a trajectory chart: scales, band stripes, points, ticks. Pure: no Django, no database.

A template draws the result as inline SVG (no script, no style attributes: the CSP holds). Every number
here is a position in the SVG's own coordinates (its `viewBox`); the SVG scales to the page's width.

- `trajectory_chart(minimum=, maximum=, bands=, measurements=)` -> `Chart`: the y axis runs from the
  instrument's lowest to its highest possible total, the x axis from the first to the last measurement day.
- `band_stripes`: one horizontal stripe per severity band. Integer bands such as PHQ-9's 0-4 and 5-9 leave a
  gap between 4 and 5; the stripe boundary is drawn half-way (4.5), so a whole-number score sits inside its
  own band's stripe, never on a line. Exclusive bounds (WSAS "<10", "10-20") meet at their shared value.
- `value_ticks`, `day_ticks`: a few round-numbered ticks that do not crowd a phone-width chart.
- Each point carries its marker: plain, reliable improvement or reliable deterioration (since baseline);
  the two reliable-change markers have their own shapes (diamond, triangle), so colour is never the only cue.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from commonground.measures.datatypes import Instrument

PLAIN: Final = "plain"
IMPROVEMENT: Final = "reliable_improvement"
DETERIORATION: Final = "reliable_deterioration"
MARKERS: Final = (PLAIN, IMPROVEMENT, DETERIORATION)

Number = Decimal | int | float

WIDTH: Final = 640
HEIGHT: Final = 260
MARGIN_LEFT: Final = 44
MARGIN_RIGHT: Final = 16
MARGIN_TOP: Final = 12
MARGIN_BOTTOM: Final = 40
INSET: Final = 12  # points never touch the plot's left or right edge
MIN_LABEL_HEIGHT: Final = 14  # a band's name is written inside its stripe only when it fits
MARKER_SIZE: Final = 7
SHADES: Final = 5  # tones from the lowest band to the highest (the stylesheet has one class per tone)


@dataclass(frozen=True)
class Area:
    """The plotting area inside the margins."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class ValueScale:
    """A score to a y position: `maximum` at the top of the area, `minimum` at its bottom."""

    minimum: float
    maximum: float
    area: Area

    def __call__(self, value: Number) -> float:
        span = self.maximum - self.minimum
        clamped = min(max(float(value), self.minimum), self.maximum)
        return _round(self.area.top + (self.maximum - clamped) / span * self.area.height)


@dataclass(frozen=True)
class DayScale:
    """A day to an x position; a single day sits in the middle."""

    first: date
    last: date
    area: Area

    def __call__(self, day: date) -> float:
        span = (self.last - self.first).days
        if span == 0:
            return _round(self.area.left + self.area.width / 2)
        inner = self.area.width - 2 * INSET
        return _round(self.area.left + INSET + (day - self.first).days / span * inner)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BandSpan:
    """A band as the chart needs it (from `Instrument.bands`)."""

    id: str
    label: str
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class BandStripe:
    id: str
    label: str
    x: float
    y: float
    width: float
    height: float
    shade: int  # 0 (the lowest band) to SHADES - 1 (the highest), spread over however many bands there are
    label_x: float
    label_y: float
    show_label: bool


@dataclass(frozen=True)
class Measurement:
    """One scored response: its day, total and reliable-change marker since baseline."""

    day: date
    value: Number
    marker: str = PLAIN
    key: str = ""  # e.g. the response id, for a link


@dataclass(frozen=True)
class PlottedPoint:
    key: str
    day: date
    value_label: str
    x: float
    y: float
    marker: str
    shape: str  # SVG path data for the reliable-change markers; "" for a plain point (a circle)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    area: Area
    stripes: tuple[BandStripe, ...]
    points: tuple[PlottedPoint, ...]
    line: str  # the "points" attribute of a polyline through the points, in date order
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    markers_used: tuple[str, ...]  # which markers appear, for the legend


def band_spans(instrument: Instrument) -> list[BandSpan]:
    return [BandSpan(band.id, band.label, band.minimum, band.maximum) for band in instrument.bands]


def trajectory_chart(
    *,
    minimum: Number,
    maximum: Number,
    bands: Sequence[BandSpan],
    measurements: Sequence[Measurement],
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """The whole chart: `minimum`..`maximum` on the y axis, the measurement days on the x axis."""
    if float(maximum) <= float(minimum):
        raise ValueError(f"the maximum ({maximum}) must be above the minimum ({minimum})")
    area = Area(MARGIN_LEFT, MARGIN_TOP, width - MARGIN_LEFT - MARGIN_RIGHT, height - MARGIN_TOP - MARGIN_BOTTOM)
    y = ValueScale(float(minimum), float(maximum), area)
    ordered = sorted(measurements, key=lambda m: m.day)
    days = [m.day for m in ordered]
    x = DayScale(min(days), max(days), area) if days else None
    points = tuple(_plot(m, x, y) for m in ordered) if x is not None else ()
    return Chart(
        width=width,
        height=height,
        area=area,
        stripes=tuple(band_stripes(bands, y)),
        points=points,
        line=" ".join(f"{_num(p.x)},{_num(p.y)}" for p in points),
        y_ticks=tuple(value_ticks(y)),
        x_ticks=tuple(day_ticks(x)) if x is not None else (),
        markers_used=tuple(marker for marker in MARKERS if any(p.marker == marker for p in points)),
    )


def _plot(measurement: Measurement, x: DayScale, y: ValueScale) -> PlottedPoint:
    if measurement.marker not in MARKERS:
        raise ValueError(f"unknown marker {measurement.marker!r}")
    px, py = x(measurement.day), y(measurement.value)
    return PlottedPoint(
        key=measurement.key,
        day=measurement.day,
        value_label=format_value(measurement.value),
        x=px,
        y=py,
        marker=measurement.marker,
        shape=marker_shape(measurement.marker, px, py),
    )


def band_stripes(bands: Sequence[BandSpan], y: ValueScale) -> list[BandStripe]:
    """One stripe per band, lowest first, filling the y axis without gaps between neighbouring bands."""
    ordered = sorted(bands, key=lambda band: band.minimum)
    stripes: list[BandStripe] = []
    for index, band in enumerate(ordered):
        low = float(band.minimum) if index == 0 else _boundary(ordered[index - 1], band)
        high = float(band.maximum) if index == len(ordered) - 1 else _boundary(band, ordered[index + 1])
        low, high = max(low, y.minimum), min(high, y.maximum)
        if high <= low:
            continue
        top, bottom = y(high), y(low)
        stripes.append(
            BandStripe(
                id=band.id,
                label=band.label,
                x=y.area.left,
                y=top,
                width=y.area.width,
                height=_round(bottom - top),
                shade=_shade(index, len(ordered)),
                label_x=_round(y.area.right - 4),
                label_y=_round(top + 11),
                show_label=bottom - top >= MIN_LABEL_HEIGHT,
            )
        )
    return stripes


def _shade(index: int, count: int) -> int:
    if count <= 1:
        return 0
    return round(index * (SHADES - 1) / (count - 1))


def _boundary(lower: BandSpan, upper: BandSpan) -> float:
    """Half-way between one band's top and the next band's bottom (4.5 between PHQ-9's 0-4 and 5-9)."""
    return (float(lower.maximum) + float(upper.minimum)) / 2


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest of 0.25, 0.5, 1, 2, 5, 10, 20, 50, ... giving at most `max_ticks` intervals over `span`."""
    if span <= 0 or max_ticks < 1:
        raise ValueError("the span and the number of ticks must be positive")
    for step in (0.25, 0.5):
        if span / step <= max_ticks:
            return step
    magnitude = 1.0
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if span / step <= max_ticks:
                return step
        magnitude *= 10


def value_ticks(y: ValueScale, max_ticks: int = 6) -> list[Tick]:
    """Round-numbered ticks from the minimum up, not beyond the maximum."""
    step = nice_step(y.maximum - y.minimum, max_ticks)
    start = _ceil_to(y.minimum, step)
    ticks: list[Tick] = []
    value = start
    while value <= y.maximum + 1e-9:
        ticks.append(Tick(y(value), format_value(Decimal(str(value)))))
        value = round(value + step, 6)
    return ticks


def _ceil_to(value: float, step: float) -> float:
    quotient = value / step
    whole = int(quotient)
    return round((whole if whole >= quotient else whole + 1) * step, 6)


DAY_STEPS: Final = (1, 2, 7, 14)
MONTH_STEPS: Final = (1, 2, 3, 6, 12, 24, 60)


def day_ticks(x: DayScale, max_ticks: int = 6) -> list[Tick]:
    """Dates along the x axis: days or weeks for a short span, the first of months for a longer one."""
    span = (x.last - x.first).days
    if span == 0:
        return [Tick(x(x.first), _day_label(x.first))]
    for step in DAY_STEPS:
        if span // step + 1 <= max_ticks:
            days = [x.first + timedelta(days=n * step) for n in range(span // step + 1)]
            return [Tick(x(day), _day_label(day)) for day in days]
    for months in MONTH_STEPS:
        firsts = _month_starts(x.first, x.last, months)
        if len(firsts) <= max_ticks:
            return [Tick(x(day), _month_label(day)) for day in firsts]
    firsts = _month_starts(x.first, x.last, MONTH_STEPS[-1])
    return [Tick(x(day), _month_label(day)) for day in firsts[:max_ticks]]


def _month_starts(first: date, last: date, every: int) -> list[date]:
    """The first days of months within first..last whose month number is a multiple of `every` (from January)."""
    found: list[date] = []
    year, month = first.year, first.month
    while True:
        start = date(year, month, 1)
        if start > last:
            return found
        if start >= first and (month - 1) % every == 0 and (every < 12 or year % (every // 12) == 0):
            found.append(start)
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _day_label(day: date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]}"


def _month_label(day: date) -> str:
    return f"{calendar.month_abbr[day.month]} {day.year}"


def marker_shape(marker: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """SVG path data: a diamond for reliable improvement, a triangle for reliable deterioration."""
    if marker == IMPROVEMENT:
        return (
            f"M{_num(x)} {_num(y - size)} L{_num(x + size)} {_num(y)} "
            f"L{_num(x)} {_num(y + size)} L{_num(x - size)} {_num(y)} Z"
        )
    if marker == DETERIORATION:
        return (
            f"M{_num(x)} {_num(y - size)} L{_num(x + size)} {_num(y + size * 0.8)} "
            f"L{_num(x - size)} {_num(y + size * 0.8)} Z"
        )
    return ""


def format_value(value: Number) -> str:
    """A total as people read it: 12, 21.25, 3.67 (at most two decimals, no trailing zeros)."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(Decimal("0.01")) if number != number.to_integral_value() else number
    text = format(rounded.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _round(value: float) -> float:
    return round(value, 2)


def _num(value: float) -> str:
    return format_value(Decimal(str(_round(value))))
