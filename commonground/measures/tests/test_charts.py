"""The trajectory chart's geometry (measures.charts): pure, so tested without a database or a page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonground.measures import charts
from commonground.measures.charts import (
    DETERIORATION,
    IMPROVEMENT,
    PLAIN,
    BandSpan,
    Measurement,
    band_spans,
    format_value,
    nice_step,
    trajectory_chart,
)
from commonground.measures.tests.support import get


def phq9_chart(*measurements: Measurement) -> charts.Chart:
    phq9 = get("phq9")
    assert phq9.scoring is not None
    return trajectory_chart(
        minimum=phq9.scoring.minimum,
        maximum=phq9.scoring.maximum,
        bands=band_spans(phq9),
        measurements=list(measurements),
    )


def test_the_y_axis_runs_from_the_lowest_total_at_the_bottom_to_the_highest_at_the_top() -> None:
    chart = phq9_chart(Measurement(date(2025, 1, 6), 0), Measurement(date(2025, 2, 3), 27))
    low, high = chart.points
    assert low.y == chart.area.bottom
    assert high.y == chart.area.top


def test_each_band_is_one_stripe_and_the_stripes_fill_the_axis_without_gaps() -> None:
    chart = phq9_chart(Measurement(date(2025, 1, 6), 12))
    assert [s.id for s in chart.stripes] == ["none_minimal", "mild", "moderate", "moderately_severe", "severe"]
    assert chart.stripes[0].y + chart.stripes[0].height == pytest.approx(chart.area.bottom)
    assert chart.stripes[-1].y == pytest.approx(chart.area.top)
    for lower, upper in zip(chart.stripes, chart.stripes[1:], strict=False):
        assert upper.y + upper.height == pytest.approx(lower.y, abs=0.02)
    assert all(s.x == chart.area.left and s.width == chart.area.width for s in chart.stripes)


def test_a_whole_number_score_sits_inside_its_own_bands_stripe() -> None:
    # PHQ-9 bands are 0-4 and 5-9: the boundary is drawn at 4.5, so 4 and 5 fall on either side of it.
    chart = phq9_chart(Measurement(date(2025, 1, 6), 4), Measurement(date(2025, 1, 20), 5))
    minimal, mild = chart.stripes[0], chart.stripes[1]
    four, five = chart.points
    assert minimal.y < four.y < minimal.y + minimal.height
    assert mild.y < five.y < mild.y + mild.height


def test_exclusive_bounds_meet_at_their_shared_value() -> None:
    wsas = get("wsas")
    assert wsas.scoring is not None
    y = charts.ValueScale(0, 40, charts.Area(0, 0, 100, 400))
    stripes = charts.band_stripes(band_spans(wsas), y)
    assert [(s.y, s.height) for s in stripes] == [(300.0, 100.0), (200.0, 100.0), (0.0, 200.0)]


def test_band_shades_run_from_the_lowest_tone_to_the_highest_however_many_bands() -> None:
    y = charts.ValueScale(0, 40, charts.Area(0, 0, 100, 400))
    three = charts.band_stripes(band_spans(get("wsas")), y)
    assert [s.shade for s in three] == [0, 2, 4]
    assert [s.shade for s in phq9_chart(Measurement(date(2025, 1, 6), 1)).stripes] == [0, 1, 2, 3, 4]


def test_an_instrument_without_bands_has_no_stripes() -> None:
    chart = trajectory_chart(minimum=0, maximum=10, bands=band_spans(get("peg")), measurements=[])
    assert chart.stripes == () and chart.points == () and chart.x_ticks == () and chart.line == ""


def test_points_go_in_date_order_and_the_line_joins_them() -> None:
    later, earlier = Measurement(date(2025, 3, 3), 8, key="b"), Measurement(date(2025, 1, 6), 20, key="a")
    chart = phq9_chart(later, earlier)
    assert [p.key for p in chart.points] == ["a", "b"]
    first, last = chart.points
    assert first.x < last.x
    assert first.x == chart.area.left + charts.INSET and last.x == chart.area.right - charts.INSET
    assert (
        chart.line == f"{format_value(first.x)},{format_value(first.y)} {format_value(last.x)},{format_value(last.y)}"
    )


def test_a_single_measurement_sits_in_the_middle() -> None:
    (point,) = phq9_chart(Measurement(date(2025, 1, 6), 9)).points
    area = phq9_chart(Measurement(date(2025, 1, 6), 9)).area
    assert point.x == area.left + area.width / 2


def test_reliable_change_markers_have_their_own_shapes_and_are_listed_for_the_legend() -> None:
    chart = phq9_chart(
        Measurement(date(2025, 1, 6), 20),
        Measurement(date(2025, 2, 3), 8, marker=IMPROVEMENT),
        Measurement(date(2025, 3, 3), 27, marker=DETERIORATION),
    )
    plain, better, worse = chart.points
    assert plain.shape == ""
    assert better.shape.startswith("M") and better.shape.count("L") == 3  # a diamond
    assert worse.shape.startswith("M") and worse.shape.count("L") == 2  # a triangle
    assert chart.markers_used == (PLAIN, IMPROVEMENT, DETERIORATION)


def test_an_unknown_marker_or_an_empty_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="marker"):
        phq9_chart(Measurement(date(2025, 1, 6), 9, marker="sparkly"))
    with pytest.raises(ValueError, match="maximum"):
        trajectory_chart(minimum=5, maximum=5, bands=[], measurements=[])


def test_value_ticks_are_round_numbers_within_the_scale() -> None:
    assert [t.label for t in phq9_chart(Measurement(date(2025, 1, 6), 1)).y_ticks] == ["0", "5", "10", "15", "20", "25"]
    care = trajectory_chart(minimum=10, maximum=50, bands=[], measurements=[Measurement(date(2025, 1, 6), 30)])
    assert [t.label for t in care.y_ticks] == ["10", "20", "30", "40", "50"]
    peg = trajectory_chart(minimum=0, maximum=10, bands=[], measurements=[Measurement(date(2025, 1, 6), 3)])
    assert [t.label for t in peg.y_ticks] == ["0", "2", "4", "6", "8", "10"]


def test_nice_steps() -> None:
    assert nice_step(27, 6) == 5
    assert nice_step(40, 6) == 10
    assert nice_step(7, 6) == 2
    assert nice_step(1, 6) == 0.25
    assert nice_step(300, 6) == 50
    with pytest.raises(ValueError, match="positive"):
        nice_step(0, 6)


def test_day_ticks_show_weeks_for_a_short_span_and_months_for_a_long_one() -> None:
    short = phq9_chart(Measurement(date(2025, 1, 6), 9), Measurement(date(2025, 2, 3), 7))
    assert [t.label for t in short.x_ticks] == ["6 Jan", "13 Jan", "20 Jan", "27 Jan", "3 Feb"]
    year = phq9_chart(Measurement(date(2025, 1, 6), 9), Measurement(date(2026, 1, 20), 7))
    assert [t.label for t in year.x_ticks] == ["Mar 2025", "May 2025", "Jul 2025", "Sep 2025", "Nov 2025", "Jan 2026"]
    single = phq9_chart(Measurement(date(2025, 1, 6), 9))
    assert [t.label for t in single.x_ticks] == ["6 Jan"]


def test_totals_are_written_as_people_read_them() -> None:
    assert format_value(Decimal("12.0000")) == "12"
    assert format_value(Decimal("21.25")) == "21.25"
    assert format_value(Decimal("3.666667")) == "3.67"
    assert format_value(10) == "10"


@given(
    values=st.lists(st.integers(min_value=0, max_value=27), min_size=1, max_size=30),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    gaps=st.lists(st.integers(min_value=0, max_value=400), min_size=30, max_size=30),
)
def test_every_point_and_tick_stays_inside_the_chart(values: list[int], start: date, gaps: list[int]) -> None:
    days, day = [], start
    for gap in gaps[: len(values)]:
        day += timedelta(days=gap)
        days.append(day)
    chart = phq9_chart(*(Measurement(d, v) for d, v in zip(days, values, strict=True)))
    area = chart.area
    for point in chart.points:
        assert area.left <= point.x <= area.right and area.top <= point.y <= area.bottom
    assert 1 <= len(chart.x_ticks) <= 6 and len(chart.y_ticks) <= 7
    for tick in chart.x_ticks:
        assert area.left <= tick.position <= area.right
    for tick in chart.y_ticks:
        assert area.top <= tick.position <= area.bottom


def test_band_spans_come_from_the_definition() -> None:
    spans = band_spans(get("gad7"))
    assert spans[0] == BandSpan("minimal", "Minimal", Decimal(0), Decimal(4))
