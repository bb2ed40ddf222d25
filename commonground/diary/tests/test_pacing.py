"""Boom-bust detection on constructed cases (docs/pacing.md): each case is the definition read aloud."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from commonground.diary import pacing
from commonground.diary.pacing import (
    BOOM_FACTOR,
    Day,
    NotEnoughDays,
    baseline,
    booms_and_busts,
    envelope,
)

START = date(2026, 3, 2)


def diary(*after: tuple[float | None, float | None]) -> list[Day]:
    """Two steady weeks (activity 60, symptoms 4), then the given (activity, symptom) days."""
    steady = [Day(START + timedelta(days=n), 60.0, 4.0) for n in range(14)]
    rest = [Day(START + timedelta(days=14 + n), a, s) for n, (a, s) in enumerate(after)]
    return steady + rest


def day(n: int) -> date:
    return START + timedelta(days=14 + n)


def test_the_baseline_is_the_median_of_the_first_two_weeks() -> None:
    days = [
        Day(START + timedelta(days=n), float(a), float(s)) for n, (a, s) in enumerate([(50, 3), (70, 5), (60, 4)] * 3)
    ]
    found = baseline(days)
    assert (found.activity, found.symptom, found.days) == (60.0, 4.0, 9)
    assert found.ends_on == START + timedelta(days=13)


def test_too_few_complete_days_give_no_baseline() -> None:
    with pytest.raises(NotEnoughDays, match="1 more day"):
        baseline([Day(START + timedelta(days=n), 60.0, 4.0 if n else None) for n in range(5)])
    with pytest.raises(NotEnoughDays):
        baseline([])


def test_steady_days_have_no_episode() -> None:
    assert booms_and_busts(diary((60, 4), (70, 5), (55, 4))) == []


def test_a_boom_then_a_flare_the_next_day_is_an_episode() -> None:
    found = booms_and_busts(diary((60, 4), (95, 4), (40, 6.5)))
    assert [(e.boom_on, e.flare_on, e.symptom_rise) for e in found] == [(day(1), day(2), 2.5)]
    assert found[0].envelope == BOOM_FACTOR * 60


def test_a_flare_two_days_later_still_counts_three_days_later_does_not() -> None:
    assert [e.flare_on for e in booms_and_busts(diary((95, 4), (60, 5), (40, 6)))] == [day(2)]
    assert booms_and_busts(diary((95, 4), (60, 5), (60, 5), (40, 7))) == []


def test_just_below_well_above_is_not_a_boom_and_a_rise_of_less_than_two_is_not_a_flare() -> None:
    assert booms_and_busts(diary((89.9, 4), (40, 7))) == []  # 1.5 × 60 = 90
    assert booms_and_busts(diary((90, 4), (40, 5.9))) == []
    assert len(booms_and_busts(diary((90, 4), (40, 6)))) == 1  # the edges count


def test_a_flare_without_a_boom_or_a_boom_without_a_flare_is_no_episode() -> None:
    assert booms_and_busts(diary((60, 4), (60, 8))) == []
    assert booms_and_busts(diary((120, 4), (60, 4), (60, 5))) == []


def test_missing_days_leave_a_boom_undecided() -> None:
    assert booms_and_busts(diary((120, 4), (None, None), (None, None), (60, 8))) == []


def test_two_booms_before_one_flare_count_once_for_the_later_boom() -> None:
    found = booms_and_busts(diary((100, 4), (100, 4), (30, 7)))
    assert [(e.boom_on, e.flare_on) for e in found] == [(day(1), day(2))]


def test_planned_graded_activity_is_never_a_boom() -> None:
    days = diary((100, 4), (40, 7))
    planned = {day(0): 80.0}  # agreed with the clinician: the envelope is 1.5 × 80 = 120 that day
    assert booms_and_busts(days, planned=planned) == []
    assert envelope(baseline(days), planned, day(0)) == 120.0
    assert len(booms_and_busts(days)) == 1  # without the plan, 100 is well above 1.5 × 60


def test_days_inside_the_baseline_weeks_are_never_booms() -> None:
    days = [Day(START + timedelta(days=n), 60.0 if n != 3 else 200.0, 4.0 if n != 4 else 9.0) for n in range(14)]
    assert booms_and_busts(days) == []


# --- daily feedback --------------------------------------------------------------------------------------------


def _fortnight(start: date, activity: float = 20.0, symptom: float = 4.0) -> list[pacing.Day]:
    return [pacing.Day(start + timedelta(days=n), activity, symptom) for n in range(14)]


def test_feedback_while_the_baseline_is_being_learned_says_how_many_days_are_needed() -> None:
    start = date(2026, 1, 5)
    days = _fortnight(start)[:3]
    feedback = pacing.day_feedback(days, start + timedelta(days=2))
    assert feedback.kind == pacing.LEARNING and feedback.days_needed == pacing.MIN_BASELINE_DAYS - 3


def test_feedback_with_a_baseline_inside_its_two_weeks_says_from_when_days_compare() -> None:
    start = date(2026, 1, 5)
    days = _fortnight(start)[:6]  # five complete days found the baseline; its two weeks are not over
    feedback = pacing.day_feedback(days, start + timedelta(days=5))
    assert feedback.kind == pacing.LEARNING and feedback.days_needed == 0
    assert feedback.compares_from == start + timedelta(days=pacing.BASELINE_DAYS)
    assert pacing.day_feedback(_fortnight(start)[:3], start + timedelta(days=2)).compares_from is None


def test_feedback_is_above_at_half_as_much_again_as_usual_and_within_below_it() -> None:
    start = date(2026, 1, 5)
    after = start + timedelta(days=14)
    above = [*_fortnight(start), pacing.Day(after, 30.0, 4.0)]  # 1.5 × 20: the line itself counts as above
    within = [*_fortnight(start), pacing.Day(after, 29.9, 4.0)]
    assert pacing.day_feedback(above, after).kind == pacing.ABOVE
    assert pacing.day_feedback(within, after).kind == pacing.WITHIN


def test_feedback_follows_the_planned_envelope_of_graded_activity() -> None:
    start = date(2026, 1, 5)
    after = start + timedelta(days=14)
    days = [*_fortnight(start), pacing.Day(after, 40.0, 4.0)]
    assert pacing.day_feedback(days, after, planned={after: 30.0}).kind == pacing.WITHIN  # 40 < 1.5 × 30
    assert pacing.day_feedback(days, after).usual == 20.0


def test_feedback_on_a_day_without_activity_says_so() -> None:
    start = date(2026, 1, 5)
    after = start + timedelta(days=14)
    days = [*_fortnight(start), pacing.Day(after, None, 5.0)]
    assert pacing.day_feedback(days, after).kind == pacing.NO_ACTIVITY


def test_an_early_entry_and_a_long_gap_do_not_hold_the_baseline_back() -> None:
    """The baseline is the first two-week window with five complete days, wherever it starts."""
    lone = pacing.Day(date(2026, 1, 1), 10.0, 3.0)
    later = [pacing.Day(date(2026, 2, 1) + timedelta(days=n), 30.0, 5.0) for n in range(6)]
    found = baseline([lone, *later])
    assert (found.activity, found.symptom, found.days, found.ends_on) == (30.0, 5.0, 6, date(2026, 2, 14))


def test_the_days_still_needed_count_the_fullest_two_weeks() -> None:
    days = [pacing.Day(date(2026, 1, 1) + timedelta(days=n), 20.0, 4.0) for n in (0, 1, 20, 21, 22)]
    with pytest.raises(NotEnoughDays) as learning:
        baseline(days)
    assert learning.value.needed == 2  # three complete days in the fullest window, five needed


def test_feedback_calls_a_day_under_half_the_usual_a_lighter_day() -> None:
    start = date(2026, 1, 5)
    after = start + timedelta(days=14)
    days = [*_fortnight(start), pacing.Day(after, 9.9, 4.0)]
    assert pacing.day_feedback(days, after).kind == pacing.LIGHTER
    days = [*_fortnight(start), pacing.Day(after, 10.0, 4.0)]
    assert pacing.day_feedback(days, after).kind == pacing.WITHIN
