"""The measurement plan's timetable (issue 4, item 4): baseline; every N weeks; end of therapy; follow-up
12 months after therapy ends; due and overdue states."""

from datetime import date

import pytest

from commonground.measures.choices import DueState, Occasion, ScheduleStatus
from commonground.measures.schedule import PlanTimes, add_months, due_state, occasions, planned_measures, superseded

START = date(2026, 1, 5)


def times(weeks: int = 4, end: bool = True, follow_up: int | None = 12) -> PlanTimes:
    return PlanTimes(starts_on=START, interval_weeks=weeks, at_end_of_therapy=end, follow_up_months=follow_up)


def test_baseline_then_every_interval_while_in_therapy() -> None:
    found = occasions(times(), therapy_ended_on=None, until=date(2026, 3, 2))
    assert found == [
        (date(2026, 1, 5), Occasion.BASELINE),
        (date(2026, 2, 2), Occasion.INTERVAL),
        (date(2026, 3, 2), Occasion.INTERVAL),
    ]


def test_end_of_therapy_and_follow_up_twelve_months_later() -> None:
    found = occasions(times(), therapy_ended_on=date(2026, 3, 20), until=date(2027, 12, 31))
    assert found == [
        (date(2026, 1, 5), Occasion.BASELINE),
        (date(2026, 2, 2), Occasion.INTERVAL),
        (date(2026, 3, 2), Occasion.INTERVAL),
        (date(2026, 3, 20), Occasion.END_OF_THERAPY),
        (date(2027, 3, 20), Occasion.FOLLOW_UP),
    ]


def test_no_regular_review_on_or_after_the_end_of_therapy() -> None:
    found = occasions(times(), therapy_ended_on=date(2026, 2, 2), until=date(2026, 12, 31))
    assert (date(2026, 2, 2), Occasion.INTERVAL) not in found
    assert (date(2026, 2, 2), Occasion.END_OF_THERAPY) in found


def test_end_of_therapy_and_follow_up_can_be_left_out() -> None:
    found = occasions(times(end=False, follow_up=None), therapy_ended_on=date(2026, 3, 20), until=date(2028, 1, 1))
    assert {occasion for _, occasion in found} == {Occasion.BASELINE, Occasion.INTERVAL}


def test_nothing_is_planned_past_the_horizon() -> None:
    assert occasions(times(), therapy_ended_on=None, until=date(2026, 1, 4)) == []


def test_an_interval_of_zero_weeks_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one week"):
        occasions(times(weeks=0), therapy_ended_on=None, until=date(2026, 6, 1))


def test_each_occasion_asks_every_questionnaire_once() -> None:
    planned = planned_measures(times(), ["phq15", "phq9", "phq15"], therapy_ended_on=None, until=START)
    assert [(p.instrument, p.occasion) for p in planned] == [("phq15", "baseline"), ("phq9", "baseline")]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 1, 31), 13, date(2028, 2, 29)),
        (date(2026, 3, 20), 12, date(2027, 3, 20)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_months_are_calendar_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("today", "status", "expected"),
    [
        (date(2026, 1, 4), ScheduleStatus.OPEN, DueState.UPCOMING),
        (date(2026, 1, 5), ScheduleStatus.OPEN, DueState.DUE),
        (date(2026, 1, 12), ScheduleStatus.OPEN, DueState.DUE),
        (date(2026, 1, 13), ScheduleStatus.OPEN, DueState.OVERDUE),
        (date(2026, 2, 1), ScheduleStatus.COMPLETED, DueState.COMPLETED),
        (date(2026, 2, 1), ScheduleStatus.CANCELLED, DueState.CANCELLED),
    ],
)
def test_due_state_follows_the_dates(today: date, status: str, expected: str) -> None:
    assert due_state(due_on=START, status=status, today=today, overdue_after_days=7) == expected


def test_a_missed_review_is_replaced_by_the_later_one_that_is_due() -> None:
    items = [
        ("a", "phq9", date(2026, 1, 5)),
        ("b", "phq9", date(2026, 2, 2)),
        ("c", "phq9", date(2026, 3, 2)),  # not due yet on 20 February
        ("d", "gad7", date(2026, 1, 5)),
    ]
    assert superseded(items, date(2026, 2, 20)) == ["a"]
    assert sorted(superseded(items, date(2026, 3, 2))) == ["a", "b"]
    assert superseded(items, date(2026, 1, 4)) == []
