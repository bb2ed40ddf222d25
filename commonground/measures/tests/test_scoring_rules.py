"""The published scoring rules as unit cases, written from the clinical reference (`reference/clinical.md`).

Each test names the section it checks. Section 13 settles every open question and wins over earlier sections.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from commonground.measures.scoring import InvalidResponse, round_half_up, score, score_battery
from commonground.measures.tests.support import NA, answers_with_total, get

PHQ15, PHQ9, GAD7, SSS8 = get("phq15"), get("phq9"), get("gad7"), get("sss8")
WSAS, PEG, CARE, WHITELEY = get("wsas"), get("peg"), get("care"), get("whiteley7")
SADS = get("phq_sads")
SADS_PARTS = {"phq15": PHQ15, "gad7": GAD7, "phq9": PHQ9}


def phq15(*, item4: object = 0, rest: list[object] | None = None) -> list[object]:
    """PHQ-15 answers with item 4 (menstrual problems) set apart: `rest` are the other 14 in order."""
    others = rest if rest is not None else [0] * 14
    return [*others[:3], item4, *others[3:]]


# --- Rounding (section 0 rule 2, section 13 "Totals and rounding") -------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.5", 1), ("1.5", 2), ("2.5", 3), ("4.5", 5), ("10.5", 11), ("2.4999", 2), ("7.5", 8), ("3", 3)],
)
def test_round_half_up_sends_every_half_upwards(value: str, expected: int) -> None:
    """Section 13: prorated totals are rounded half up (never banker's rounding: 2.5 -> 3, 10.5 -> 11)."""
    assert round_half_up(Decimal(value)) == expected


# --- PHQ-15 (section 1, section 13 item 1) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "low"),
        (9, "low"),
        (10, "medium"),
        (14, "medium"),
        (15, "high"),
        (30, "high"),
    ],
)
def test_phq15_bands_at_every_boundary(total: int, band: str) -> None:
    """Section 1: 0-4 minimal, 5-9 low, 10-14 medium, 15-30 high (Kroenke 2002 cut-offs 5, 10, 15)."""
    result = score(PHQ15, answers_with_total(PHQ15, total))
    assert (result.total, result.band, result.scorable) == (total, band, True)


def test_phq15_item4_not_applicable_is_valid_from_anyone_and_leaves_the_total() -> None:
    """Section 13 item 1: not applicable is valid for item 4 from anyone; the total is the sum of the rest."""
    for sex in (None, "female", "male"):
        result = score(PHQ15, phq15(item4=NA, rest=[1] * 14), sex=sex)
        assert (result.total, result.total_unrounded, result.prorated) == (14, 14, False)
        assert result.not_applicable_items == ("4",) and result.maximum == 28


def test_phq15_range_is_0_to_28_without_item4_and_bands_are_unchanged() -> None:
    """Section 13 item 1: range 0-28 when item 4 is not applicable; bands unchanged (28 is still high)."""
    top = score(PHQ15, phq15(item4=NA, rest=[2] * 14))
    assert (top.total, top.band, top.maximum) == (28, "high", 28)
    assert score(PHQ15, phq15(item4=NA, rest=[1] * 14)).band == "medium"


def test_phq15_unanswered_item4_of_a_male_patient_is_taken_as_not_applicable() -> None:
    """Section 13 item 1 (policy A): a man with raw sum 14 stays 14 (medium), never prorated to 15 (high)."""
    result = score(PHQ15, phq15(item4=None, rest=[1] * 14), sex="male")
    assert (result.total, result.band, result.prorated, result.scorable) == (14, "medium", False, True)
    assert result.missing_items == () and result.not_applicable_items == ("4",)


def test_phq15_unanswered_item4_of_a_female_patient_is_missing_and_prorated() -> None:
    """Section 13 item 1: for anyone not recorded as male an unanswered item 4 is a missing item (x15/14)."""
    for sex in ("female", None, "intersex", "unknown"):
        result = score(PHQ15, phq15(item4=None, rest=[1] * 14), sex=sex)
        assert (result.total, result.band, result.prorated) == (15, "high", True)
        assert result.missing_items == ("4",)


def test_phq15_answered_item4_of_a_male_patient_is_scored_as_answered() -> None:
    """Section 13 item 1: an answered item 4 is scored as answered, whoever answers it."""
    result = score(PHQ15, phq15(item4=2, rest=[1] * 14), sex="male")
    assert (result.total, result.not_applicable_items) == (16, ())


def test_phq15_not_applicable_is_refused_for_any_item_but_item4() -> None:
    """Section 13 item 1: not applicable is allowed only for item 4."""
    with pytest.raises(InvalidResponse, match=r"item 1 .*cannot be marked not applicable; only item 4"):
        score(PHQ15, [NA, *[0] * 14])


def test_phq15_one_to_three_missing_items_are_prorated_over_the_applicable_items() -> None:
    """Section 13 item 1: 1-3 missing -> sum_answered x n_applicable / n_answered, rounded half up."""
    one = score(PHQ15, phq15(rest=[None, *[1] * 13]))  # 13 x 15 / 14 = 13.93
    assert (one.total, one.total_unrounded.quantize(Decimal("0.01")), one.prorated) == (14, Decimal("13.93"), True)
    three = score(PHQ15, phq15(rest=[None, None, None, *[1] * 11]))  # 11 x 15 / 12 = 13.75
    assert (three.total, three.total_unrounded, three.band) == (14, Decimal("13.75"), "medium")


def test_phq15_prorating_rounds_a_half_up() -> None:
    """Section 13: 7 x 15 / 14 = 7.5 -> 8 (half up), and total_unrounded keeps 7.5."""
    result = score(PHQ15, phq15(item4=None, rest=[1] * 7 + [0] * 7))
    assert (result.total, result.total_unrounded, result.band) == (8, Decimal("7.5"), "low")


def test_phq15_prorates_over_14_items_when_item4_is_not_applicable() -> None:
    """Section 13 item 1: with item 4 not applicable and 3 missing, total = sum x 14 / 11."""
    result = score(PHQ15, phq15(item4=NA, rest=[None, None, None, *[2] * 11]))
    assert (result.total_unrounded, result.total, result.maximum) == (Decimal(28), 28, 28)


def test_phq15_four_missing_items_are_not_scorable() -> None:
    """Section 13 item 1: 4 or more missing applicable items -> not scorable, with a reason in words."""
    result = score(PHQ15, phq15(rest=[None] * 4 + [1] * 10))
    assert (result.scorable, result.total, result.total_unrounded, result.band) == (False, None, None, None)
    assert result.reason is not None and "items 1, 2, 3 and 5 were not answered" in result.reason.lower()
    assert "at most 3" in result.reason and result.reason_code == "too_many_missing"


def test_phq15_item4_not_applicable_plus_four_missing_is_not_scorable() -> None:
    """Section 13 item 1: not applicable is not a gap, but 4 missing applicable items still are too many."""
    assert not score(PHQ15, phq15(item4=NA, rest=[None] * 4 + [1] * 10)).scorable


def test_phq15_three_or_more_items_scored_two_raise_three_or_more_severe() -> None:
    """Section 1 and section 13 item 1: flag three_or_more_severe when at least 3 items are scored 2."""
    assert score(PHQ15, phq15(rest=[2, 2, 2, *[0] * 11])).flags == ("three_or_more_severe",)
    assert score(PHQ15, phq15(rest=[2, 2, 1, *[0] * 11])).flags == ()
    assert score(PHQ15, phq15(item4=2, rest=[2, 2, *[0] * 12])).flags == ("three_or_more_severe",)


def test_phq15_three_or_more_severe_counts_answered_items_even_without_a_total() -> None:
    """Section 13 item 1: the flag counts items scored 2; a set flag is certain even when 4 are missing."""
    result = score(PHQ15, phq15(rest=[2, 2, 2, None, None, None, None, *[0] * 7]))
    assert not result.scorable and result.flags == ("three_or_more_severe",)


# --- PHQ-9 (section 3, section 13 item 2) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none_minimal"),
        (4, "none_minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_at_every_boundary(total: int, band: str) -> None:
    """Section 3: 0-4 none/minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe."""
    assert score(PHQ9, answers_with_total(PHQ9, total)).band == band


def test_phq9_takes_nine_scored_items_and_not_the_difficulty_question() -> None:
    """Section 13 "Scored items": 9 for PHQ-9; the 10th "how difficult" item is recorded, not scored."""
    assert len(PHQ9.scored_items) == 9 and not PHQ9.item("10").scored
    with pytest.raises(InvalidResponse, match=r"9 scored items.*10 were given"):
        score(PHQ9, [0] * 10)


def test_phq9_one_or_two_missing_items_are_prorated() -> None:
    """Section 3 (NHS Data Dictionary) and 13 item 2: 1-2 missing -> mean substitution (sum x 9 / answered)."""
    one = score(PHQ9, [2, 2, 1, 1, 1, 1, 1, 1, None])  # 10 x 9 / 8 = 11.25
    assert (one.total, one.total_unrounded, one.band, one.prorated) == (11, Decimal("11.25"), "moderate", True)
    two = score(PHQ9, [3, 3, 3, 3, 3, 3, 3, None, None])  # 21 x 9 / 7 = 27
    assert (two.total, two.band) == (27, "severe")


def test_phq9_prorated_half_rounds_up_across_a_band_boundary() -> None:
    """Section 13: 4 x 9 / 8 = 4.5 -> 5, so the band is mild (Python's round() would say 4, none/minimal)."""
    result = score(PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, None])
    assert (result.total_unrounded, result.total, result.band) == (Decimal("4.5"), 5, "mild")


def test_phq9_three_missing_items_are_not_scorable() -> None:
    """Section 13 item 2: more than 2 missing -> not scorable."""
    result = score(PHQ9, [1, 1, 1, 1, 1, 1, None, None, None])
    assert (result.scorable, result.total, result.band) == (False, None, None)
    assert (
        result.reason
        == "Items 7, 8 and 9 were not answered. The PHQ-9 allows at most 2 items unanswered, so no total can be given."
    )


def test_phq9_item9_positive_is_raised_whatever_the_total() -> None:
    """Section 0 rule 3 and 13 item 2: item 9 >= 1 raises item9_positive whatever the total."""
    assert score(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).flags == ("item9_positive",)
    assert "item9_positive" in score(PHQ9, [3, 3, 3, 3, 3, 3, 3, 3, 3]).flags
    assert score(PHQ9, [0] * 9).flags == ()


def test_phq9_item9_positive_is_raised_when_the_total_is_not_scorable() -> None:
    """Section 0 rule 3 and 13 item 2: also when the total cannot be scored."""
    result = score(PHQ9, [None, None, None, 0, 0, 0, 0, 0, 2])
    assert not result.scorable and result.flags == ("item9_positive",)


def test_phq9_unanswered_item9_raises_item9_unknown() -> None:
    """Section 13 item 2: item 9 unanswered raises item9_unknown (needs follow-up like a positive)."""
    prorated = score(PHQ9, [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert prorated.scorable and prorated.flags == ("item9_unknown",) and prorated.total == 9
    unscorable = score(PHQ9, [None, None, 0, 0, 0, 0, 0, 0, None])
    assert not unscorable.scorable and unscorable.flags == ("item9_unknown",)


@pytest.mark.parametrize(
    ("answers", "flags"),
    [
        ([2, 0, 2, 2, 2, 2, 0, 0, 0], ("major_depressive_syndrome",)),  # 1 core + 4 others = 5
        ([0, 3, 2, 2, 2, 0, 0, 0, 1], ("item9_positive", "major_depressive_syndrome")),  # item 9 counts at 1
        ([2, 2, 2, 2, 2, 2, 2, 2, 0], ("major_depressive_syndrome",)),
        ([2, 0, 2, 0, 0, 0, 0, 0, 0], ("other_depressive_syndrome",)),  # 2 symptoms, 1 core
        ([2, 2, 2, 2, 0, 0, 0, 0, 0], ("other_depressive_syndrome",)),  # 4 symptoms
        ([2, 0, 0, 0, 0, 0, 0, 0, 0], ()),  # 1 symptom only
        ([1, 1, 2, 2, 2, 2, 2, 2, 1], ("item9_positive",)),  # 7 symptoms but no core symptom
        ([2, 1, 1, 1, 1, 1, 1, 1, 0], ()),  # items 3-8 at 1 are not symptoms
    ],
)
def test_phq9_syndrome_flags_follow_kroenkes_algorithm(answers: list[object], flags: tuple[str, ...]) -> None:
    """Section 3: core = items 1 or 2 >= 2; others items 3-8 >= 2, item 9 >= 1; major >= 5 with a core,
    other 2-4 with a core."""
    assert score(PHQ9, answers).flags == flags


def test_phq9_syndrome_flags_count_missing_items_as_absent() -> None:
    """Section 13 item 2: a missing item counts as absent, so a set flag is certain."""
    four = score(PHQ9, [2, 0, 2, 2, 2, None, None, 0, 0])  # could be major with the missing two; 4 known
    assert four.flags == ("other_depressive_syndrome",)
    major = score(PHQ9, [2, 2, 2, 2, 2, None, None, None, 0])  # not scorable, but 5 certain symptoms
    assert not major.scorable and major.flags == ("major_depressive_syndrome",)


def test_phq9_flags_come_in_a_stable_order() -> None:
    """Issue 4 item 10: flags are listed item9_positive, item9_unknown, then the syndromes."""
    assert PHQ9.flag_ids == (
        "item9_positive",
        "item9_unknown",
        "major_depressive_syndrome",
        "other_depressive_syndrome",
    )


# --- GAD-7 (section 4, section 13 item 2) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_every_boundary(total: int, band: str) -> None:
    """Section 4: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe (Spitzer 2006, not the NHS table)."""
    assert score(GAD7, answers_with_total(GAD7, total)).band == band


def test_gad7_prorating_rounds_half_up_not_to_even() -> None:
    """Section 13: 9 x 7 / 6 = 10.5 -> 11 (half-even would give 10); 3 x 7 / 6 = 3.5 -> 4."""
    high = score(GAD7, [3, 3, 3, 0, 0, 0, None])
    assert (high.total_unrounded, high.total, high.band) == (Decimal("10.5"), 11, "moderate")
    low = score(GAD7, [1, 1, 1, 0, 0, 0, None])
    assert (low.total_unrounded, low.total) == (Decimal("3.5"), 4)


def test_gad7_two_missing_are_prorated_and_three_are_not_scorable() -> None:
    """Section 4 (NHS Data Dictionary) and 13 item 2: 1-2 missing -> x7/answered; more -> not scorable."""
    two = score(GAD7, [2, 2, 2, 2, 2, None, None])  # 10 x 7 / 5 = 14
    assert (two.total, two.band) == (14, "moderate")
    assert not score(GAD7, [2, 2, 2, 2, None, None, None]).scorable


def test_gad7_has_seven_scored_items_and_an_unscored_difficulty_question() -> None:
    """Section 13 "Scored items": 7 for GAD-7 (its difficulty item is recorded, not scored)."""
    assert len(GAD7.scored_items) == 7 and len(GAD7.items) == 8
    assert GAD7.scored_items[0].options[0].label == "Not at all"  # section 4: never "Not at all sure"


# --- SSS-8 (section 2, section 13 item 3) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none_to_minimal"),
        (3, "none_to_minimal"),
        (4, "low"),
        (7, "low"),
        (8, "medium"),
        (11, "medium"),
        (12, "high"),
        (15, "high"),
        (16, "very_high"),
        (24, "very_high"),
        (32, "very_high"),
    ],
)
def test_sss8_bands_at_every_boundary(total: int, band: str) -> None:
    """Section 2: 0-3 none to minimal, 4-7 low, 8-11 medium, 12-15 high, 16-32 very high (not 16-23)."""
    assert score(SSS8, answers_with_total(SSS8, total)).band == band


def test_sss8_any_missing_item_is_not_scorable() -> None:
    """Section 13 item 3: no published missing-data rule, so any missing item -> not scorable."""
    result = score(SSS8, [4, 4, 4, 4, 4, 4, 4, None])
    assert (result.scorable, result.total) == (False, None)
    assert result.reason == "Item 8 was not answered. The SSS-8 is scored only when every item is answered."


# --- WSAS (section 6, section 13 item 4) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0], 0, "subclinical"),
        ([2, 2, 2, 2, 1], 9, "subclinical"),
        ([2, 2, 2, 2, 2], 10, "significant_impairment_less_severe"),
        ([4, 4, 4, 4, 4], 20, "significant_impairment_less_severe"),  # 20 itself is in the middle band
        ([5, 4, 4, 4, 4], 21, "moderately_severe_or_worse"),
        ([8, 8, 8, 8, 8], 40, "moderately_severe_or_worse"),
    ],
)
def test_wsas_bands_at_every_boundary(answers: list[object], total: int, band: str) -> None:
    """Section 6 (Mundt 2002): <10 subclinical; 10-20 significant but less severe; >20 moderately severe."""
    result = score(WSAS, answers)
    assert (result.total, result.band) == (total, band)


def test_wsas_fractional_totals_fall_in_the_right_band() -> None:
    """Section 13 item 4 and "Totals": WSAS totals may be fractions; the band is assigned on the exact total."""
    assert score(WSAS, [NA, 2, 2, 2, 1]).total == Decimal("8.75")
    assert score(WSAS, [NA, 2, 2, 2, 1]).band == "subclinical"
    assert score(WSAS, [NA, 4, 4, 4, 4]).band == "significant_impairment_less_severe"  # 16 x 5/4 = 20
    assert score(WSAS, [NA, 5, 4, 4, 4]).band == "moderately_severe_or_worse"  # 21.25
    assert [band.id for band in WSAS.bands if band.contains(Decimal("9.99"))] == ["subclinical"]
    assert [band.id for band in WSAS.bands if band.contains(Decimal("20.01"))] == ["moderately_severe_or_worse"]


def test_wsas_item1_not_applicable_is_prorated_by_five_quarters_and_kept_exact() -> None:
    """Section 13 item 4: item 1 not applicable -> x5/4; no rounding: total is the exact value (21.25)."""
    result = score(WSAS, [NA, 5, 4, 4, 4])
    assert (result.total, result.total_unrounded, result.prorated) == (Decimal("21.25"), Decimal("21.25"), True)
    assert result.as_dict()["total"] == 21.25


def test_wsas_one_missing_item_is_prorated_by_five_quarters() -> None:
    """Section 13 item 4: one missing item -> x5/4."""
    assert score(WSAS, [3, None, 3, 3, 4]).total == Decimal("16.25")
    assert score(WSAS, [None, 3, 3, 3, 3]).total == 15


def test_wsas_not_applicable_plus_a_missing_item_is_not_scorable() -> None:
    """Section 13 item 4: not applicable plus a missing item -> not scorable (settles the section 6 ambiguity)."""
    result = score(WSAS, [NA, None, 3, 3, 3])
    assert (result.scorable, result.total, result.band) == (False, None, None)
    assert result.reason == (
        "Item 1 is marked not applicable and item 2 was not answered. "
        "The WSAS allows at most 1 item unanswered or not applicable, so no total can be given."
    )


def test_wsas_two_missing_items_are_not_scorable() -> None:
    """Section 13 item 4: two or more missing -> not scorable."""
    assert not score(WSAS, [3, None, None, 3, 3]).scorable


def test_wsas_only_item1_may_be_not_applicable() -> None:
    """Section 13 item 4: item 1 (work) may be not applicable; the others may not."""
    with pytest.raises(InvalidResponse, match=r"item 2 .*only item 1 may be"):
        score(WSAS, [3, NA, 3, 3, 3])


# --- PEG (section 8, section 13 item 5) ----------------------------------------------------------------------------


def test_peg_total_is_the_unrounded_mean() -> None:
    """Section 13 item 5 and "Totals": PEG total is the mean of the three items, unrounded (3.6667)."""
    result = score(PEG, [3, 4, 4])
    assert result.total == result.total_unrounded
    assert result.total.quantize(Decimal("0.0001")) == Decimal("3.6667")
    assert result.as_dict()["total"] == pytest.approx(11 / 3)
    assert score(PEG, [10, 10, 10]).total == 10 and score(PEG, [0, 0, 0]).total == 0


def test_peg_has_no_bands_and_any_missing_item_is_not_scorable() -> None:
    """Section 13 item 5: no severity bands (none validated); any missing item -> not scorable."""
    assert score(PEG, [7, 8, 9]).band is None and PEG.bands == ()
    result = score(PEG, [7, None, 9])
    assert (result.scorable, result.total) == (False, None) and result.reason


# --- CARE (section 9, section 13 item 6) ---------------------------------------------------------------------------


def test_care_sums_ten_items_from_10_to_50_with_higher_better() -> None:
    """Section 9: Poor 1 ... Excellent 5, sum 10-50; higher is better; no bands."""
    assert score(CARE, [5] * 10).total == 50 and score(CARE, [1] * 10).total == 10
    assert CARE.higher_is_better and score(CARE, [3] * 10).band is None


def test_care_does_not_apply_and_missing_items_are_replaced_by_the_mean_up_to_two() -> None:
    """Section 9 and 13 item 6: up to 2 'does not apply' or missing -> replaced by the mean; exact total."""
    assert score(CARE, [NA, NA, 4, 4, 4, 4, 4, 4, 3, 3]).total == Decimal("37.5")  # 30 x 10 / 8
    mixed = score(CARE, [NA, None, 5, 5, 5, 5, 4, 4, 4, 4])  # 36 x 10 / 8 = 45
    assert (mixed.total, mixed.total_unrounded, mixed.prorated) == (45, 45, True)
    nine = score(CARE, [None, 5, 5, 5, 5, 4, 4, 4, 4, 4])  # 40 x 10 / 9 = 44.44...
    assert nine.total == nine.total_unrounded and nine.total.quantize(Decimal("0.01")) == Decimal("44.44")


def test_care_more_than_two_gaps_are_not_scorable() -> None:
    """Section 13 item 6: more than 2 'does not apply' or missing -> not scorable."""
    result = score(CARE, [NA, NA, None, 4, 4, 4, 4, 4, 4, 4])
    assert not result.scorable and "at most 2 items unanswered or not applicable" in (result.reason or "")


def test_care_does_not_apply_is_allowed_on_every_item_and_values_run_from_1_to_5() -> None:
    """Section 13 item 6: any item may be 'does not apply'; 0 and 6 are not CARE values."""
    assert all(item.not_applicable_allowed for item in CARE.scored_items)
    for bad in (0, 6):
        with pytest.raises(InvalidResponse, match=f"{bad} is not a value this item allows"):
            score(CARE, [bad, *[3] * 9])


# --- Whiteley-7 (section 7, section 13 item 7) ---------------------------------------------------------------------


def test_whiteley7_total_is_the_number_of_yes_answers() -> None:
    """Section 13 item 7: dichotomous format: total = number of 'yes' answers (0-7)."""
    assert score(WHITELEY, [1, 0, 1, 0, 1, 0, 1]).total == 4
    assert score(WHITELEY, [1] * 7).total == 7


def test_whiteley7_screen_positive_at_one_yes_or_more() -> None:
    """Section 7 and 13 item 7: cut-point 0/1: screen_positive when the total is 1 or more."""
    assert score(WHITELEY, [0] * 7).flags == ()
    assert score(WHITELEY, [0, 0, 0, 0, 0, 0, 1]).flags == ("screen_positive",)


def test_whiteley7_any_missing_item_is_not_scorable_and_has_no_screen_result() -> None:
    """Section 13 item 7: any missing -> not scorable; the flag needs a total, so it is not raised."""
    result = score(WHITELEY, [1, 1, 0, 0, 0, 0, None])
    assert (result.scorable, result.flags) == (False, ())


def test_whiteley7_refuses_likert_values() -> None:
    """Section 13 item 7: the dichotomous format only; a Likert 0-4 answer is not a value."""
    with pytest.raises(InvalidResponse):
        score(WHITELEY, [3, 0, 0, 0, 0, 0, 0])


# --- PHQ-SADS battery (section 5, section 13 item 8) ---------------------------------------------------------------


def test_phq_sads_scores_each_part_on_its_own_and_phq_ads_is_phq9_plus_gad7() -> None:
    """Section 13 item 8: PHQ-15, GAD-7 and PHQ-9 each scored and banded; PHQ-ADS = PHQ-9 + GAD-7, no bands."""
    result = score_battery(SADS, SADS_PARTS, [1] * 15 + [2] * 7 + [1] * 9)
    assert [(p.instrument, p.total, p.band) for p in result.parts] == [
        ("phq15", 15, "high"),
        ("gad7", 14, "moderate"),
        ("phq9", 9, "mild"),
    ]
    (ads,) = result.composites
    assert (ads.id, ads.total, ads.scorable) == ("phq_ads", 23, True)
    assert SADS.battery is not None and (SADS.battery.composites[0].minimum, SADS.battery.composites[0].maximum) == (
        0,
        48,
    )


def test_phq_sads_never_copies_answers_between_parts() -> None:
    """Section 0 rule 5 and 13 item 8: PHQ-15 sleep/tiredness answers never fill PHQ-9 items 3-4."""
    result = score_battery(
        SADS, SADS_PARTS, {"phq15": [2] * 15, "gad7": [0] * 7, "phq9": [0, 0, None, None, 0, 0, 0, 0, 0]}
    )
    phq9 = result.part("phq9")
    assert (phq9.total, phq9.missing_items) == (0, ("3", "4"))


def test_phq_ads_is_not_scorable_when_a_part_is_not() -> None:
    """Section 13 item 8: PHQ-ADS needs both totals; a part that cannot be scored leaves it unscorable."""
    result = score_battery(SADS, SADS_PARTS, [0] * 15 + [1] * 7 + [None, None, None, 0, 0, 0, 0, 0, 1])
    assert result.part("phq9").flags == ("item9_positive",)
    (ads,) = result.composites
    assert (ads.scorable, ads.total) == (False, None) and "PHQ-9 could not be scored" in (ads.reason or "")


def test_a_battery_is_not_scored_as_one_instrument_and_wants_all_its_answers() -> None:
    """Section 13 item 8: PHQ-SADS is a battery, not an instrument."""
    with pytest.raises(InvalidResponse, match="battery"):
        score(SADS, [0] * 31)
    with pytest.raises(InvalidResponse, match=r"takes 31 answers: PHQ-15 \(15\), GAD-7 \(7\), PHQ-9 \(9\); 30"):
        score_battery(SADS, SADS_PARTS, [0] * 30)


# --- Invalid input (issue 4 item 2; section 13) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 8, "needs 9 answers"),
        ([4, 0, 0, 0, 0, 0, 0, 0, 0], "item 1 .*4 is not a value this item allows \\(0, 1, 2, 3\\)"),
        ([-1, 0, 0, 0, 0, 0, 0, 0, 0], "-1 is not a value"),
        ([True, 0, 0, 0, 0, 0, 0, 0, 0], "True is not an answer"),
        ([1.0, 0, 0, 0, 0, 0, 0, 0, 0], "1.0 is not an answer"),
        (["2", 0, 0, 0, 0, 0, 0, 0, 0], "'2' is not an answer"),
        ([0, 0, 0, 0, 0, 0, 0, 0, NA], "item 9 .*cannot be marked not applicable"),
        ("000000000", "must be a list"),
    ],
)
def test_input_outside_the_instruments_values_is_refused_with_the_reason(answers: object, message: str) -> None:
    """Issue 4 item 2: input outside the instrument's values is rejected with the reason, never a wrong number."""
    with pytest.raises(InvalidResponse, match=message):
        score(PHQ9, answers)  # type: ignore[arg-type]


def test_an_unscorable_response_has_no_total_no_band_and_a_reason() -> None:
    """Section 13 "Totals": an unscorable response has scorable false, total null, band null and a reason."""
    result = score(SSS8, [None] * 8)
    assert result.as_dict() == {
        "instrument": "sss8",
        "scorable": False,
        "total": None,
        "total_unrounded": None,
        "band": None,
        "flags": [],
        "reason": "No item has a scored answer, so there is no total.",
    }
