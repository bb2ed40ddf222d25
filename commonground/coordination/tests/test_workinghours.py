"""Working hours: time counted only Monday to Friday, 08:00-17:00 in the clinic's time zone (by default)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from commonground.coordination.workinghours import WorkingHours, add_working_time, working_time_between

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = WorkingHours.of({}, "Europe/Amsterdam")
FOUR = timedelta(hours=4)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A local time in Amsterdam in 2026 (7 December 2026 is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


def test_defaults_are_weekdays_eight_to_five() -> None:
    assert HOURS.days == frozenset({0, 1, 2, 3, 4})
    assert (HOURS.start, HOURS.end) == (time(8), time(17))


def test_within_one_working_day() -> None:
    assert add_working_time(at(7, 9), FOUR, HOURS) == at(7, 13)
    assert working_time_between(at(7, 9), at(7, 13), HOURS) == FOUR


def test_an_evening_alert_counts_from_the_next_morning() -> None:
    assert add_working_time(at(7, 20), FOUR, HOURS) == at(8, 12)
    assert working_time_between(at(7, 20), at(8, 11), HOURS) == timedelta(hours=3)


def test_across_the_end_of_the_day() -> None:
    assert add_working_time(at(7, 15, 30), FOUR, HOURS) == at(8, 10, 30)


def test_friday_afternoon_runs_into_monday() -> None:
    assert add_working_time(at(11, 16), FOUR, HOURS) == at(14, 11)
    assert working_time_between(at(11, 16), at(14, 11), HOURS) == FOUR


def test_a_weekend_alert_counts_from_monday_morning() -> None:
    assert add_working_time(at(12, 10), FOUR, HOURS) == at(14, 12)
    assert working_time_between(at(12, 10), at(13, 23), HOURS) == timedelta(0)


def test_before_opening_counts_from_opening() -> None:
    assert add_working_time(at(9, 6), FOUR, HOURS) == at(9, 12)


def test_a_whole_week_has_45_working_hours() -> None:
    assert working_time_between(at(7, 0), at(14, 0), HOURS) == timedelta(hours=45)


def test_utc_times_are_read_in_the_clinics_zone() -> None:
    raised = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam
    assert add_working_time(raised, FOUR, HOURS) == at(8, 11)


def test_the_day_the_clocks_go_forward_is_counted_in_real_hours() -> None:
    # Sunday 29 March 2026 the clocks change; a seven-day clinic's 08:00-17:00 is still 9 real hours.
    every_day = WorkingHours.of({"working_days": [0, 1, 2, 3, 4, 5, 6]}, "Europe/Amsterdam")
    assert working_time_between(at(29, 0, month=3), at(30, 0, month=3), every_day) == timedelta(hours=9)
    assert add_working_time(at(28, 16, month=3), FOUR, every_day) == at(29, 11, month=3)


def test_custom_hours_and_days() -> None:
    saturday_clinic = WorkingHours.of(
        {"working_days": [5], "day_starts": "09:00", "day_ends": "12:00"}, "Europe/Amsterdam"
    )
    assert add_working_time(at(7, 9), FOUR, saturday_clinic) == at(19, 10)


def test_naive_times_and_empty_days_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_time(datetime(2026, 12, 7, 9), FOUR, HOURS)
    with pytest.raises(ValueError, match="at least one"):
        WorkingHours(days=frozenset(), start=time(8), end=time(17))
    with pytest.raises(ValueError, match="ends after"):
        WorkingHours(days=frozenset({0}), start=time(17), end=time(8))
