"""Reliable change, its classification, MCID and recovery, written from the clinical reference.

Section 10 (Jacobson & Truax 1991) and section 13 item 11, which settles the figures and the rules.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from commonground.measures.change import (
    InvalidFigures,
    change_between,
    classify,
    reliable_change_index,
    reliable_change_threshold,
    standard_error_of_difference,
)
from commonground.measures.definitions import ReliableChangeFigures
from commonground.measures.scoring import score
from commonground.measures.tests.support import get


def test_rci_by_hand_for_the_phq15() -> None:
    """Section 13 item 11: S_E = 4.0 x sqrt(0.2) = 1.7889; S_diff = sqrt(2) x S_E = 2.5298; RCI = -5 / 2.5298."""
    s_diff = 4.0 * math.sqrt(1 - 0.80) * math.sqrt(2)
    assert float(standard_error_of_difference(4.0, 0.80)) == pytest.approx(s_diff) == pytest.approx(2.5298, abs=1e-4)
    assert reliable_change_index(20, 15, 4.0, 0.80) == pytest.approx(-5 / s_diff) == pytest.approx(-1.9764, abs=1e-4)
    assert reliable_change_index(20, 16, 4.0, 0.80) == pytest.approx(-1.5811, abs=1e-4)


def test_rci_by_hand_for_the_gad7() -> None:
    """Section 13 item 11: S_diff = 4.5 x sqrt(2 x 0.08) = 1.8 exactly; a change of 4 gives RCI -2.2222."""
    assert standard_error_of_difference(Decimal("4.5"), Decimal("0.92")) == Decimal("1.8")
    assert reliable_change_index(12, 8, Decimal("4.5"), Decimal("0.92")) == pytest.approx(-4 / 1.8)


@pytest.mark.parametrize(
    ("instrument_id", "threshold", "integer_change"),
    [("phq15", 4.96, 5), ("phq9", 5.06, 6), ("gad7", 3.53, 4), ("sss8", 4.83, 5), ("wsas", 9.92, 10)],
)
def test_reliable_change_thresholds_match_the_worked_table(
    instrument_id: str, threshold: float, integer_change: int
) -> None:
    """Section 10 worked thresholds (1.96 x S_diff) from the section 13 item 11 figures in each data file."""
    figures = get(instrument_id).reliable_change
    assert figures is not None
    points = reliable_change_threshold(figures.sd, figures.reliability)
    assert round(points, 2) == threshold
    assert math.ceil(points) == integer_change
    assert (
        classify(reliable_change_index(20, 20 - integer_change, figures.sd, figures.reliability))
        == "reliable_improvement"
    )
    smaller = reliable_change_index(20, 21 - integer_change, figures.sd, figures.reliability)
    assert classify(smaller) == "no_reliable_change"


def test_reliable_means_strictly_beyond_1_96() -> None:
    """Section 13 item 11: reliable when |RCI| > 1.96 (strict): exactly 1.96 is no reliable change."""
    assert reliable_change_index(0, Decimal("1.96"), 1, Decimal("0.5")) == 1.96  # S_diff = sqrt(2 x 0.5) = 1
    assert classify(1.96) == classify(-1.96) == classify(Decimal("1.96")) == "no_reliable_change"
    assert classify(Decimal("1.9601")) == "reliable_deterioration"
    assert classify(Decimal("-1.9601")) == "reliable_improvement"
    assert classify(0) == "no_reliable_change"


def test_the_sign_flips_for_higher_is_better_scales_such_as_care() -> None:
    """Section 10 and 13 item 11: for CARE (higher is better) a positive RCI is an improvement."""
    assert classify(2.5, higher_is_better=True) == "reliable_improvement"
    assert classify(-2.5, higher_is_better=True) == "reliable_deterioration"
    assert classify(2.5) == "reliable_deterioration" and classify(-2.5) == "reliable_improvement"
    figures = ReliableChangeFigures(
        sd=Decimal(5), reliability=Decimal("0.8"), source="test", reliability_source="test", assumed=True
    )
    care = change_between(get("care"), 30, 40, figures=figures)
    assert care.rci is not None and care.rci > 1.96 and care.classification == "reliable_improvement"
    assert change_between(get("care"), 40, 30, figures=figures).classification == "reliable_deterioration"


@pytest.mark.parametrize(
    ("sd", "reliability", "message"),
    [
        (4, 1, "below 1"),
        (4, Decimal("1.2"), "below 1"),
        (0, Decimal("0.8"), "SD must be above 0"),
        (-3, Decimal("0.8"), "SD must be above 0"),
        (4, Decimal("-0.1"), "0 or more"),
        (float("nan"), Decimal("0.8"), "finite"),
    ],
)
def test_impossible_figures_are_errors(sd: float, reliability: Decimal, message: str) -> None:
    """Section 10 and 13 item 11: r >= 1 is an error (S_diff = 0); an SD must be positive."""
    with pytest.raises(InvalidFigures, match=message):
        reliable_change_index(10, 5, sd, reliability)


def test_change_between_phq9_scores_shows_rci_mcid_and_recovery() -> None:
    """Section 13 item 11: RCI from the data file (SD 5.5, r 0.89), MCID 5 beside it, recovered by criterion b."""
    change = change_between(get("phq9"), 15, 9, sex="female")
    assert (change.difference, change.percent_change) == (-6, -40)
    assert change.rci == pytest.approx(-6 / (5.5 * math.sqrt(2 * 0.11)))
    assert change.classification == "reliable_improvement"
    assert change.figures is not None and change.figures.assumed
    assert change.mcid is not None and change.mcid.points == 5 and change.mcid_reached
    assert change.recovery_criterion == Decimal("10.1")  # women: 3.1 + 2 x 3.5
    assert change.recovered is True and "criterion b" in change.recovery_note


def test_recovery_uses_the_norms_of_the_patients_sex() -> None:
    """Section 13 item 11: criterion b is sex-specific where the norms are (PHQ-9 men: 2.7 + 2 x 3.5 = 9.7)."""
    man = change_between(get("phq9"), 16, 10, sex="male")
    assert man.classification == "reliable_improvement" and man.recovery_criterion == Decimal("9.7")
    assert man.recovered is False
    woman = change_between(get("phq9"), 16, 10, sex="female")
    assert woman.recovered is True
    assert change_between(get("phq15"), 20, 12, sex="female").recovery_criterion == Decimal("12.5")
    assert change_between(get("phq15"), 20, 12, sex="male").recovery_criterion == Decimal("11.4")
    assert change_between(get("gad7"), 15, 9, sex="male").recovery_criterion == Decimal("9.1")


def test_recovery_needs_reliable_improvement_not_only_a_low_score() -> None:
    """Section 10: recovered = reliable improvement AND crossing the cut-off."""
    change = change_between(get("phq9"), 9, 5, sex="female")  # below 10.1, but a change of 4 is not reliable
    assert change.classification == "no_reliable_change" and change.recovered is False


def test_recovery_is_not_judged_without_a_recorded_sex_or_without_norms() -> None:
    """Section 13 item 11: sex-specific norms need the sex; SSS-8 and WSAS have no norms in the reference."""
    unknown = change_between(get("phq9"), 15, 5, sex=None)
    assert unknown.recovered is None and "per sex" in unknown.recovery_note
    sss8 = change_between(get("sss8"), 16, 8)
    assert sss8.classification == "reliable_improvement"
    assert sss8.recovered is None and "no population norms" in sss8.recovery_note


def test_mcid_is_shown_where_published() -> None:
    """Section 13 item 11: MCID PHQ-9 5, GAD-7 4, SSS-8 3; none for the PHQ-15."""
    assert change_between(get("sss8"), 10, 7).mcid_reached is True
    assert change_between(get("sss8"), 10, 8).mcid_reached is False
    assert change_between(get("gad7"), 10, 6).mcid_reached is True
    assert change_between(get("phq15"), 10, 2).mcid is None
    assert change_between(get("phq15"), 10, 2).mcid_reached is None


def test_percent_change_is_none_when_the_first_score_is_zero() -> None:
    """Issue 4 item 8: % change is shown as a dash when the first score is 0."""
    assert change_between(get("phq9"), 0, 5).percent_change is None
    assert change_between(get("phq9"), 10, 15).percent_change == 50


def test_peg_has_no_rci_and_a_30_percent_reduction_is_labelled_as_the_immpact_convention() -> None:
    """Section 13 items 5 and 11: PEG has no RCI by default; a 30 % reduction is meaningful (IMMPACT convention)."""
    reached = change_between(get("peg"), 6, Decimal("4.2"))
    assert (reached.rci, reached.classification, reached.recovered) == (None, None, None)
    assert reached.relative_improvement is not None and "IMMPACT" in reached.relative_improvement.label
    assert reached.relative_improvement_reached is True
    assert change_between(get("peg"), 6, Decimal("4.3")).relative_improvement_reached is False
    assert change_between(get("peg"), 0, 2).relative_improvement_reached is None


def test_change_between_takes_scores_and_refuses_unscorable_or_foreign_ones() -> None:
    """Issue 4 item 3: change between two responses uses `total`; an unscorable response has no change."""
    phq9 = get("phq9")
    first, second = score(phq9, [2] * 9), score(phq9, [1] * 8 + [0])
    change = change_between(phq9, first, second, sex="male")
    assert (change.pre, change.post, change.classification) == (18, 8, "reliable_improvement")
    with pytest.raises(ValueError, match="could not be scored"):
        change_between(phq9, first, score(phq9, [None] * 9))
    with pytest.raises(ValueError, match="gad7 score, not phq9"):
        change_between(phq9, score(get("gad7"), [0] * 7), second)


def test_no_figures_for_peg_care_and_whiteley_by_default() -> None:
    """Section 13 item 11: PEG, CARE, Whiteley-7: no RCI unless a clinic configures one."""
    for instrument_id in ("peg", "care", "whiteley7"):
        assert get(instrument_id).reliable_change is None
        assert change_between(get(instrument_id), 3, 1).classification is None
