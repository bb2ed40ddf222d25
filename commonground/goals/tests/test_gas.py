"""Goal attainment scaling, checked against the published formula (clinical.md section 11, decision 12).

T = 50 + 10·Σ(wᵢxᵢ) / √((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²)
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonground.goals.gas import DEFAULT_RHO, InvalidGas, t_score, weight

levels_ = st.sampled_from([-2, -1, 0, 1, 2])
weights_ = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)
rhos = st.floats(min_value=0, max_value=0.99, allow_nan=False)


def test_the_default_rho_is_0_3() -> None:
    assert DEFAULT_RHO == 0.3


def test_all_goals_at_the_expected_outcome_give_50() -> None:
    assert t_score([0]) == 50
    assert t_score([0, 0, 0, 0]) == 50
    assert t_score([0, 0], [9, 1], rho=0.5) == 50


@pytest.mark.parametrize("level", [-2, -1, 0, 1, 2])
@pytest.mark.parametrize("goal_weight", [1, 2, 6, 9, 0.25])
def test_one_goal_gives_50_plus_10x_whatever_its_weight(level: int, goal_weight: float) -> None:
    assert t_score([level], [goal_weight]) == pytest.approx(50 + 10 * level, abs=1e-12)


def test_three_unweighted_goals_at_plus_1_give_63_69() -> None:
    """Section 11: 50 + 30/√4.8 = 63.69."""
    assert round(t_score([1, 1, 1]), 4) == 63.6931
    assert t_score([1, 1, 1]) == pytest.approx(50 + 30 / math.sqrt(4.8))
    assert t_score([1, 1, 1], [1, 1, 1]) == t_score([1, 1, 1])


def test_a_weighted_case_computed_by_hand_with_another_rho() -> None:
    """Three goals, weights importance × difficulty (6, 2, 9), levels +1, −1, +2, ρ = 0.5.

    Σwx = 6 − 2 + 18 = 22; Σw² = 36 + 4 + 81 = 121; Σw = 17, (Σw)² = 289;
    denominator √(0.5·121 + 0.5·289) = √205; T = 50 + 220/√205 = 65.3655...
    """
    expected = 50 + 10 * 22 / math.sqrt(0.5 * 121 + 0.5 * 289)
    assert t_score([1, -1, 2], [6, 2, 9], rho=0.5) == pytest.approx(expected, rel=1e-12)
    assert round(expected, 4) == 65.3655
    # ρ = 0 treats the goals as independent: √Σw² = 11, T = 50 + 220/11 = 70.
    assert t_score([1, -1, 2], [6, 2, 9], rho=0) == pytest.approx(70)


def test_rho_may_be_a_decimal_as_a_clinic_stores_it() -> None:
    assert t_score([1, 1, 1], rho=Decimal("0.300")) == pytest.approx(t_score([1, 1, 1]))  # type: ignore[arg-type]


@given(st.lists(st.tuples(levels_, weights_), min_size=1, max_size=12), rhos)
def test_the_score_is_the_formula(goals: list[tuple[int, float]], rho: float) -> None:
    levels = [level for level, _ in goals]
    weights = [w for _, w in goals]
    numerator = sum(w * x for x, w in goals)
    denominator = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    assert t_score(levels, weights, rho) == pytest.approx(50 + 10 * numerator / denominator, rel=1e-9, abs=1e-9)


@given(st.lists(st.tuples(levels_, weights_), min_size=1, max_size=12), rhos, st.floats(0.01, 100))
def test_scaling_every_weight_changes_nothing(goals: list[tuple[int, float]], rho: float, factor: float) -> None:
    levels = [level for level, _ in goals]
    weights = [w for _, w in goals]
    scaled = [w * factor for w in weights]
    assert t_score(levels, scaled, rho) == pytest.approx(t_score(levels, weights, rho), abs=1e-9)


@given(st.lists(levels_, min_size=1, max_size=12), rhos)
def test_unweighted_goals_score_above_50_when_their_levels_sum_above_0(levels: list[int], rho: float) -> None:
    score = t_score(levels, rho=rho)
    if sum(levels) == 0:
        assert score == pytest.approx(50)
    else:
        assert (score > 50) == (sum(levels) > 0)
    assert t_score([2] * len(levels), rho=rho) >= score >= t_score([-2] * len(levels), rho=rho)


@pytest.mark.parametrize(
    ("levels", "weights", "rho", "reason"),
    [
        ([], None, 0.3, "no goals"),
        ([3], None, 0.3, "goal 1: the level must be from -2 to 2, got 3"),
        ([0, -3], None, 0.3, "goal 2: the level must be from -2 to 2, got -3"),
        ([1.5], None, 0.3, "goal 1: the level must be a whole number"),
        (["1"], None, 0.3, "goal 1: the level must be a whole number"),
        ([None], None, 0.3, "goal 1: the level must be a whole number"),
        ([True], None, 0.3, "goal 1: the level must be a whole number"),
        ([float("nan")], None, 0.3, "goal 1: the level must be a whole number"),
        ("12", None, 0.3, "the levels must be a list"),
        ([1, 1], [1], 0.3, r"give one weight per goal \(levels: 2, weights: 1\)"),
        ([1], [1, 1], 0.3, "give one weight per goal"),
        ([1], [0], 0.3, "goal 1: the weight must be above 0, got 0"),
        ([1, 1], [1, -2], 0.3, "goal 2: the weight must be above 0, got -2"),
        ([1], ["2"], 0.3, "goal 1: the weight must be a finite number"),
        ([1], [float("inf")], 0.3, "goal 1: the weight must be a finite number"),
        ([1], [10**400], 0.3, "goal 1: the weight must be a finite number"),
        ([1], None, 1, "rho must be at least 0 and below 1, got 1"),
        ([1], None, 1.5, "rho must be at least 0 and below 1"),
        ([1], None, -0.1, "rho must be at least 0 and below 1"),
        ([1], None, float("nan"), "rho must be a finite number"),
        ([1], None, "0.3", "rho must be a finite number"),
    ],
)
def test_invalid_input_is_refused_with_a_plain_reason(levels: Any, weights: Any, rho: Any, reason: str) -> None:
    with pytest.raises(InvalidGas, match=reason) as raised:
        t_score(levels, weights, rho)
    assert raised.value.reason == str(raised.value)


def test_whole_numbers_written_as_floats_count() -> None:
    assert t_score([1.0, 1.0, 1.0]) == t_score([1, 1, 1])  # type: ignore[list-item]


@pytest.mark.parametrize(("importance", "difficulty", "expected"), [(1, 1, 1), (2, 3, 6), (3, 3, 9), (3, 1, 3)])
def test_weight_is_importance_times_difficulty(importance: int, difficulty: int, expected: int) -> None:
    assert weight(importance, difficulty) == expected


@pytest.mark.parametrize(("importance", "difficulty"), [(0, 2), (2, 0), (4, 1), (1, 4), (True, 2), (1.5, 2)])
def test_a_weight_needs_ratings_of_1_to_3(importance: Any, difficulty: Any) -> None:
    """Decision 12: weights are positive, so a rating of 0 (Turner-Stokes' scale starts at 0) is refused."""
    with pytest.raises(InvalidGas, match="must be 1, 2 or 3"):
        weight(importance, difficulty)
