"""The demo's answers are possible answers: each item gets a value its questionnaire allows, and the engine's
total of them is the total the story aimed at (pure: no database)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from commonground.demo.measures import PLAN_INSTRUMENTS, item_weights, spread_answers
from commonground.measures import definitions
from commonground.measures.scoring import NOT_APPLICABLE, score


@pytest.mark.parametrize("instrument_id", PLAN_INSTRUMENTS)
def test_answers_add_up_to_the_target_with_allowed_values(instrument_id: str):
    instrument = definitions.instrument(instrument_id)
    rng = random.Random(instrument_id)
    weights = item_weights(instrument_id, ["A04", "N01"], rng)
    fixed = {"9": 0} if instrument_id == "phq9" else {}
    highest = sum(item.highest for item in instrument.scored_items if item.id not in fixed)
    for target in range(highest + 1):
        answers = spread_answers(instrument, target, weights, fixed, rng)
        assert set(answers) == {item.id for item in instrument.items}
        for item in instrument.scored_items:
            assert answers[item.id] in item.values
        result = score(instrument, [answers[item.id] for item in instrument.scored_items], sex="female")
        assert result.total == target


def test_the_main_symptoms_weigh_most_on_the_phq15():
    instrument = definitions.instrument("phq15")
    weights = item_weights("phq15", ["N01", "N17"], random.Random(1))
    answers = spread_answers(instrument, 12, weights, {"4": NOT_APPLICABLE}, random.Random(2))
    assert answers["5"] == answers["7"] == 2  # headaches and dizziness: bothered a lot
    assert answers["4"] == NOT_APPLICABLE and answers["8"] == 0  # no fainting spells


def test_a_retired_patients_wsas_is_prorated_back_to_about_the_target():
    instrument = definitions.instrument("wsas")
    weights = item_weights("wsas", [], random.Random(3))
    for target in (10, 21, 30):
        answers = spread_answers(instrument, target, weights, {"1": NOT_APPLICABLE}, random.Random(target))
        result = score(instrument, [answers[item.id] for item in instrument.scored_items])
        assert result.prorated and result.total is not None
        assert abs(result.total - target) <= Decimal("1.25")
