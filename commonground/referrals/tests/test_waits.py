"""Wait times in whole calendar days of the clinic's time zone, the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonground.referrals import waits

AMS = "Europe/Amsterdam"


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_the_wait_counts_calendar_days_from_sending_to_first_contact():
    assert waits.wait_days(at(2, 16), at(3, 8), AMS) == 1  # Monday evening to Tuesday morning
    assert waits.wait_days(at(2, 8), at(2, 15), AMS) == 0  # seen the same day
    assert waits.wait_days(at(2, 8), at(30, 8), AMS) == 28


def test_days_are_those_of_the_clinic_not_utc():
    # 23:30 UTC on 2 March is 00:30 on 3 March in Amsterdam: one day to 3 March 09:00, none in Amsterdam.
    assert waits.wait_days(at(2, 23), at(3, 9), AMS) == 0
    assert waits.wait_days(at(2, 23), at(3, 9), "UTC") == 1


def test_across_the_change_to_summer_time_a_week_is_seven_days():
    assert waits.wait_days(at(26, 10), at(2, 10, month=4), AMS) == 7


def test_no_wait_until_both_moments_are_known():
    assert waits.wait_days(None, at(3, 8), AMS) is None
    assert waits.wait_days(at(3, 8), None, AMS) is None


def test_waiting_so_far_runs_to_now():
    assert waits.waiting_so_far(at(1, 9), at(15, 9), AMS) == 14
    assert waits.waiting_so_far(None, at(15, 9), AMS) is None


def test_never_negative():
    assert waits.days_between(at(5, 9), at(3, 9), AMS) == 0


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        waits.local_day(datetime(2026, 3, 1, 9), AMS)


def test_expected_waits_by_service_and_urgency():
    assert waits.expected_days("physiotherapy", "routine") == 42
    assert waits.expected_days("psychology", "routine") == 84
    assert waits.expected_days("psychiatry", "routine") == 21
    assert waits.expected_days("psychology", "soon") == 42
    assert waits.expected_days("psychology", "urgent") == 7
    assert waits.expected_days("psychiatry", "soon") == 10


def test_overdue_only_past_the_expected_wait():
    assert not waits.is_overdue(42, "physiotherapy", "routine")
    assert waits.is_overdue(43, "physiotherapy", "routine")
    assert waits.is_overdue(8, "physiotherapy", "urgent")
    assert not waits.is_overdue(None, "physiotherapy", "urgent")


def test_median():
    assert waits.median_days([]) is None
    assert waits.median_days([10]) == 10
    assert waits.median_days([30, 10, 20]) == 20
    assert waits.median_days([10, 20, 30, 40]) == 25


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    hours=st.integers(min_value=0, max_value=24 * 400),
)
def test_the_wait_is_the_whole_days_apart_give_or_take_one(start, hours):
    from datetime import timedelta

    end = start + timedelta(hours=hours)
    days = waits.wait_days(start, end, AMS)
    assert days is not None
    assert hours // 24 <= days <= hours // 24 + 1


def test_days_are_written_whole_or_with_a_half():
    assert waits.days_text(19.0) == "19"
    assert waits.days_text(19.5) == "19.5"
    assert waits.days_text(0.0) == "0"


def test_a_day_is_written_as_the_pages_write_it():
    from datetime import date

    assert waits.day_text(date(2026, 12, 7)) == "07 Dec 2026"
