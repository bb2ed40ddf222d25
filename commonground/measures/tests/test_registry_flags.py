"""The registry's figures and flags (issue 4 item 8), from the published rules, not from the code's output.

Reliable change is Jacobson-Truax as settled in clinical.md section 13 item 11: S_diff = sqrt(2) x SD x
sqrt(1 - r), reliable when |RCI| > 1.96, with the section's default SD and r per instrument. The registry's
defaults: not improving = no reliable improvement AND less than 50 % improvement after 10 weeks in care;
% change shown as "—" (None) when the first score is 0.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from commonground.measures.registry import (
    CRITICAL_ITEM,
    DETERIORATED,
    FLAGS,
    NOT_IMPROVING,
    OVERDUE,
    PatientFacts,
    RegistryRules,
    ScoredResponse,
    Summariser,
)
from commonground.measures.tests.support import get

KEY = ("phq15", "sss8", "phq9", "gad7", "wsas")


def threshold(sd: float, r: float) -> float:
    """The smallest change that is reliable: 1.96 x sqrt(2) x SD x sqrt(1 - r) (section 13 item 11)."""
    return 1.96 * math.sqrt(2) * sd * math.sqrt(1 - r)


def summariser(rules: RegistryRules | None = None, key: tuple[str, ...] = KEY) -> Summariser:
    return Summariser([get(name) for name in key], rules, critical_instruments=[get("phq9")])


def responses(
    instrument: str, *totals: int | float | None, flags: tuple[tuple[str, ...], ...] = ()
) -> list[ScoredResponse]:
    """One response per total, oldest first; None is an unscorable response."""
    return [
        ScoredResponse(
            instrument=instrument,
            total=None if total is None else Decimal(str(total)),
            flags=flags[number] if number < len(flags) else (),
        )
        for number, total in enumerate(totals)
    ]


def summary(*series: list[ScoredResponse], weeks: int | None = 12, overdue: int = 0, alerts: int = 0, rules=None):
    found = [response for responses_of in series for response in responses_of]
    facts = PatientFacts(weeks_in_care=weeks, overdue=overdue, open_critical_alerts=alerts)
    return summariser(rules).summarise(found, facts)


# --- first, latest, % change ------------------------------------------------------------------------------


def test_first_and_latest_are_the_first_and_last_scorable_totals_in_completion_order():
    score = summary(responses("phq9", None, 18, 14, None, 9)).score("phq9")
    assert (score.first, score.latest, score.scored) == (Decimal(18), Decimal(9), 3)


def test_other_questionnaires_in_between_do_not_change_the_order():
    mixed = [*responses("phq9", 18), *responses("gad7", 10), *responses("phq9", 12), *responses("gad7", 5)]
    found = summary(mixed)
    assert (found.score("phq9").first, found.score("phq9").latest) == (Decimal(18), Decimal(12))
    assert (found.score("gad7").first, found.score("gad7").latest) == (Decimal(10), Decimal(5))


def test_percent_change_is_latest_minus_first_over_first():
    score = summary(responses("phq9", 18, 9)).score("phq9")
    assert score.percent_change == Decimal(-50)
    assert score.improvement_percent == Decimal(50)


def test_percent_change_is_none_when_the_first_score_is_zero():
    score = summary(responses("gad7", 0, 4)).score("gad7")
    assert score.change is not None
    assert score.percent_change is None
    assert score.improving is None  # a score of 0 cannot improve: not judged


def test_one_scorable_response_gives_a_first_and_latest_but_no_change():
    score = summary(responses("phq15", None, 12)).score("phq15")
    assert (score.first, score.latest, score.change, score.improving) == (Decimal(12), Decimal(12), None, None)


def test_a_key_questionnaire_never_answered_has_no_scores():
    score = summary(responses("phq9", 10, 8)).score("wsas")
    assert (score.first, score.latest, score.scored, score.change) == (None, None, 0, None)


def test_wsas_totals_keep_their_fractions():
    score = summary(responses("wsas", 21.25, 10)).score("wsas")
    assert score.first == Decimal("21.25")
    assert float(score.improvement_percent) == pytest.approx(11.25 / 21.25 * 100)


# --- reliable change class (section 13 item 11) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "sd", "r", "first"),
    [("phq9", 5.5, 0.89, 20), ("phq15", 4.0, 0.80, 20), ("gad7", 4.5, 0.92, 18), ("sss8", 4.0, 0.81, 20)],
)
def test_reliable_change_needs_a_difference_beyond_1_96_standard_errors_of_difference(instrument, sd, r, first):
    needed = threshold(sd, r)
    just_below, just_above = math.floor(needed), math.floor(needed) + 1
    assert summary(responses(instrument, first, first - just_below)).score(instrument).classification == (
        "no_reliable_change"
    )
    assert summary(responses(instrument, first, first - just_above)).score(instrument).classification == (
        "reliable_improvement"
    )
    assert summary(responses(instrument, first - just_above, first)).score(instrument).classification == (
        "reliable_deterioration"
    )


def test_phq9_needs_more_than_5_06_points():
    assert threshold(5.5, 0.89) == pytest.approx(5.056, abs=0.001)
    assert summary(responses("phq9", 15, 10)).score("phq9").classification == "no_reliable_change"
    assert summary(responses("phq9", 15, 9)).score("phq9").classification == "reliable_improvement"


def test_the_class_compares_the_latest_with_the_first_not_the_previous():
    score = summary(responses("phq9", 20, 11, 14)).score("phq9")  # 20 -> 14: 6 points better than the first
    assert score.classification == "reliable_improvement"


# --- deteriorated -----------------------------------------------------------------------------------------------


def test_reliable_deterioration_on_any_key_questionnaire_flags_deteriorated():
    found = summary(responses("phq15", 16, 6), responses("gad7", 5, 12))
    assert found.has(DETERIORATED)
    assert not found.has(NOT_IMPROVING)  # the PHQ-15 improved


def test_a_rise_within_measurement_error_is_not_deterioration():
    assert not summary(responses("gad7", 5, 8)).has(DETERIORATED)  # 3 points < 3.53 needed


# --- not improving ---------------------------------------------------------------------------------------------


def test_no_reliable_improvement_and_less_than_50_percent_after_10_weeks_is_not_improving():
    found = summary(responses("phq15", 16, 14), weeks=10)  # 12.5 %, 2 points (< 4.96)
    assert found.has(NOT_IMPROVING)


def test_before_10_weeks_in_care_nobody_is_flagged_not_improving():
    assert not summary(responses("phq15", 16, 14), weeks=9).has(NOT_IMPROVING)


def test_without_a_care_episode_not_improving_cannot_be_judged():
    assert not summary(responses("phq15", 16, 14), weeks=None).has(NOT_IMPROVING)


def test_half_the_first_score_is_improvement_even_without_reliable_change():
    # PHQ-9 8 -> 4: 4 points is within measurement error (5.06 needed), but it is 50 % better.
    found = summary(responses("phq9", 8, 4), weeks=20)
    assert found.score("phq9").classification == "no_reliable_change"
    assert not found.has(NOT_IMPROVING)
    assert summary(responses("phq9", 8, 5), weeks=20).has(NOT_IMPROVING)  # 37.5 %


def test_reliable_improvement_of_less_than_half_is_improvement():
    found = summary(responses("phq15", 20, 14), weeks=20)  # 6 points (> 4.96 needed), 30 %
    assert found.score("phq15").classification == "reliable_improvement"
    assert not found.has(NOT_IMPROVING)


def test_improvement_on_one_key_questionnaire_is_enough():
    found = summary(responses("phq15", 16, 15), responses("phq9", 12, 4), weeks=20)
    assert not found.has(NOT_IMPROVING)


def test_not_improving_on_every_key_questionnaire_judged_is_flagged():
    found = summary(responses("phq15", 16, 15), responses("phq9", 12, 11), responses("gad7", 0, 0), weeks=20)
    assert found.has(NOT_IMPROVING)  # the GAD-7 at 0 is not judged; the other two are not improving


def test_fewer_than_two_scores_everywhere_is_not_judged():
    found = summary(responses("phq15", 16), responses("phq9", 12, None), weeks=30)
    assert not found.has(NOT_IMPROVING)


def test_a_first_score_of_zero_alone_is_not_judged_not_improving():
    assert not summary(responses("gad7", 0, 0), weeks=30).has(NOT_IMPROVING)


def test_a_clinic_sets_its_own_weeks_and_percent():
    rules = RegistryRules(not_improving_weeks=6, not_improving_percent=30)
    series = responses("phq9", 10, 7)  # 30 %, 3 points
    assert not summary(series, weeks=6, rules=rules).has(NOT_IMPROVING)
    assert summary(responses("phq9", 10, 8), weeks=6, rules=rules).has(NOT_IMPROVING)  # 20 %
    assert not summary(responses("phq9", 10, 8), weeks=5, rules=rules).has(NOT_IMPROVING)


def test_higher_is_better_scales_improve_upwards():
    found = Summariser([get("care")]).summarise(responses("care", 20, 30), PatientFacts(weeks_in_care=20))
    score = found.score("care")
    assert score.improvement_percent == Decimal(50)
    assert score.classification is None  # CARE has no reliable-change figures by default
    assert score.improving is True


# --- critical item and overdue --------------------------------------------------------------------------------


def test_latest_phq9_with_item9_positive_is_a_critical_item():
    found = summary(responses("phq9", 12, 14, flags=((), ("item9_positive",))))
    assert found.has(CRITICAL_ITEM)
    assert found.critical_flags == ("item9_positive",)


def test_item9_unanswered_counts_also_when_the_response_is_not_scorable():
    found = summary(responses("phq9", 12, None, flags=((), ("item9_unknown",))))
    assert found.has(CRITICAL_ITEM)
    assert found.score("phq9").latest == Decimal(12)


def test_an_earlier_positive_item9_does_not_flag_once_a_newer_phq9_is_clear():
    assert not summary(responses("phq9", 12, 10, flags=(("item9_positive",), ()))).has(CRITICAL_ITEM)


def test_an_open_critical_item_alert_flags_critical_item():
    assert summary(responses("phq9", 12, 10), alerts=1).has(CRITICAL_ITEM)


def test_the_phq9_critical_item_counts_even_when_the_phq9_is_not_a_key_questionnaire():
    found = summariser(key=("phq15",)).summarise(
        responses("phq9", 12, flags=(("item9_positive",),)), PatientFacts(weeks_in_care=3)
    )
    assert found.flags == (CRITICAL_ITEM,)


def test_an_overdue_questionnaire_flags_overdue():
    assert summary(responses("phq9", 12), overdue=1).flags == (OVERDUE,)
    assert summary(responses("phq9", 12), overdue=0).flags == ()


def test_flags_come_in_a_fixed_order():
    found = summary(
        responses("phq9", 5, 14, flags=((), ("item9_positive",))), responses("phq15", 16, 15), overdue=2, weeks=12
    )
    assert found.flags == (CRITICAL_ITEM, DETERIORATED, NOT_IMPROVING, OVERDUE) == FLAGS
