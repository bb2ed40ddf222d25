"""Property-based tests of the scoring engine and reliable change (hypothesis; issue 4 item 12).

The unit cases in `test_scoring_rules.py` pin the published rules; these check that the engine keeps its
promises for every possible response: totals within range, monotone in each item, prorating that equals the
full total for uniform answers, no exception for valid input, and `InvalidResponse` for anything else.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.measures.change import classify, reliable_change_index, reliable_change_threshold
from commonground.measures.definitions import Instrument, Item
from commonground.measures.scoring import Answer, InvalidResponse, round_half_up, score, score_battery
from commonground.measures.tests.support import BUILTIN, NA, get

SINGLE = sorted(found.id for found in BUILTIN.values() if not found.is_battery)


def answer_for(item: Item, *, gaps: bool = True) -> st.SearchStrategy[Answer]:
    values: st.SearchStrategy[Answer] = st.sampled_from(sorted(item.values))
    if not gaps:
        return values
    choices = [values, st.none()]
    if item.not_applicable_allowed:
        choices.append(st.just(NA))
    return st.one_of(*choices)


def answers_for(found: Instrument, *, gaps: bool = True) -> st.SearchStrategy[list[Answer]]:
    return st.tuples(*(answer_for(item, gaps=gaps) for item in found.scored_items)).map(list)


@st.composite
def responses(draw: st.DrawFn, *, gaps: bool = True) -> tuple[Instrument, list[Answer], str | None]:
    found = BUILTIN[draw(st.sampled_from(SINGLE))]
    return found, draw(answers_for(found, gaps=gaps)), draw(st.sampled_from([None, "female", "male", "unknown"]))


def check_invariants(found: Instrument, answers: list[Answer], sex: str | None) -> None:
    rule = found.scoring
    assert rule is not None
    result = score(found, answers, sex=sex)
    assert set(result.flags) <= set(found.flag_ids)
    assert list(result.flags) == [flag for flag in found.flag_ids if flag in result.flags]  # stable order
    if not result.scorable:
        assert (result.total, result.total_unrounded, result.band) == (None, None, None)
        assert result.reason and result.reason_code
        return
    assert result.total is not None and result.total_unrounded is not None and result.reason is None
    assert rule.minimum <= result.total <= rule.maximum
    assert result.maximum is not None and result.total <= result.maximum
    if rule.rounding == "half_up":
        assert result.total == round_half_up(result.total_unrounded) == result.total.to_integral_value()
        assert abs(result.total - result.total_unrounded) <= Decimal("0.5")
    else:
        assert result.total == result.total_unrounded
    assert (result.band is not None) == bool(found.bands)
    if result.band is not None:
        assert found.band(result.band).contains(result.total)


@given(responses())
def test_valid_responses_never_raise_and_keep_every_promise(
    response: tuple[Instrument, list[Answer], str | None],
) -> None:
    """Section 13: scorable totals lie in range with the right band and rounding; otherwise a reason."""
    check_invariants(*response)


@pytest.mark.slow
@settings(max_examples=2000)
@given(responses())
def test_valid_responses_never_raise_many_examples(response: tuple[Instrument, list[Answer], str | None]) -> None:
    """The same invariants over many more responses (run once, in CI)."""
    check_invariants(*response)


@given(responses(gaps=False))
def test_a_complete_response_is_always_scorable_and_not_prorated(
    response: tuple[Instrument, list[Answer], str | None],
) -> None:
    found, answers, sex = response
    result = score(found, answers, sex=sex)
    assert result.scorable and not result.prorated and result.missing_items == ()
    expected = Decimal(sum(a for a in answers if isinstance(a, int)))
    if found.scoring is not None and found.scoring.method == "mean":
        expected = expected / len(answers)
    assert result.total_unrounded == expected


@given(st.data())
def test_the_total_is_monotone_in_each_item(data: st.DataObject) -> None:
    """Raising one answered item never lowers the total (prorating and rounding keep the order)."""
    found = BUILTIN[data.draw(st.sampled_from(SINGLE))]
    answers = data.draw(answers_for(found))
    answered = [i for i, a in enumerate(answers) if isinstance(a, int)]
    if not answered:
        return
    index = data.draw(st.sampled_from(answered))
    item = found.scored_items[index]
    current = answers[index]
    assert isinstance(current, int)
    higher = [v for v in item.values if v > current]
    if not higher:
        return
    raised = [*answers]
    raised[index] = data.draw(st.sampled_from(sorted(higher)))
    before, after = score(found, answers), score(found, raised)
    assert before.scorable == after.scorable
    if before.total is not None and after.total is not None:
        assert after.total >= before.total and after.total_unrounded is not None
        assert before.total_unrounded is not None and after.total_unrounded > before.total_unrounded


@given(st.data())
def test_prorating_uniform_answers_gives_the_full_total(data: st.DataObject) -> None:
    """Section 0 rule 2: with every answered item at the same value, the prorated total is that of a full form."""
    found = BUILTIN[data.draw(st.sampled_from(SINGLE))]
    rule = found.scoring
    assert rule is not None
    items = found.scored_items
    value = data.draw(st.sampled_from(sorted(set.intersection(*(set(item.values) for item in items)))))
    gaps = data.draw(st.sets(st.sampled_from(range(len(items))), max_size=rule.max_missing))
    answers: list[Answer] = [None if i in gaps else value for i in range(len(items))]
    result = score(found, answers)
    full = score(found, [value] * len(items))
    assert result.scorable and result.total_unrounded == full.total_unrounded and result.band == full.band
    assert result.prorated == (bool(gaps) and rule.method == "sum")


@given(st.data())
def test_a_value_the_item_does_not_allow_always_raises(data: st.DataObject) -> None:
    found = BUILTIN[data.draw(st.sampled_from(SINGLE))]
    answers = data.draw(answers_for(found))
    index = data.draw(st.integers(0, len(answers) - 1))
    allowed = found.scored_items[index].values
    answers[index] = data.draw(st.integers(-1000, 1000).filter(lambda v: v not in allowed))
    with pytest.raises(InvalidResponse, match="is not a value this item allows"):
        score(found, answers)


@given(st.data())
def test_not_applicable_where_it_is_not_allowed_always_raises(data: st.DataObject) -> None:
    found = BUILTIN[data.draw(st.sampled_from(SINGLE))]
    refusing = [i for i, item in enumerate(found.scored_items) if not item.not_applicable_allowed]
    if not refusing:
        return
    answers = data.draw(answers_for(found))
    answers[data.draw(st.sampled_from(refusing))] = NA
    with pytest.raises(InvalidResponse, match="cannot be marked not applicable"):
        score(found, answers)


@given(st.data())
def test_the_wrong_number_of_answers_always_raises(data: st.DataObject) -> None:
    found = BUILTIN[data.draw(st.sampled_from(SINGLE))]
    size = data.draw(st.integers(0, 40).filter(lambda n: n != len(found.scored_items)))
    with pytest.raises(InvalidResponse, match="answers"):
        score(found, [None] * size)


@given(answers_for(get("phq9")))
def test_phq9_item9_positive_whatever_the_rest(answers: list[Answer]) -> None:
    """Section 0 rule 3: item 9 >= 1 flags item9_positive, unanswered flags item9_unknown, whatever the total."""
    flags = score(get("phq9"), answers).flags
    nine = answers[8]
    assert ("item9_positive" in flags) == (isinstance(nine, int) and nine >= 1)
    assert ("item9_unknown" in flags) == (nine is None)
    assert not {"major_depressive_syndrome", "other_depressive_syndrome"} <= set(flags)


@given(answers_for(get("phq15")), answers_for(get("gad7")), answers_for(get("phq9")))
def test_phq_ads_is_the_sum_of_the_phq9_and_gad7_totals(
    phq15: list[Answer], gad7: list[Answer], phq9: list[Answer]
) -> None:
    """Section 13 item 8: PHQ-ADS = PHQ-9 total + GAD-7 total (0-48), scorable only when both are."""
    parts = {"phq15": get("phq15"), "gad7": get("gad7"), "phq9": get("phq9")}
    result = score_battery(get("phq_sads"), parts, {"phq15": phq15, "gad7": gad7, "phq9": phq9})
    (ads,) = result.composites
    first, second = result.part("phq9"), result.part("gad7")
    assert ads.scorable == (first.scorable and second.scorable)
    if first.total is not None and second.total is not None:
        assert ads.total == first.total + second.total and 0 <= first.total + second.total <= 48


scores = st.integers(0, 50)
figures = st.tuples(st.decimals("0.5", "20", places=2), st.decimals("0", "0.99", places=2))


@given(scores, scores, figures)
def test_rci_is_antisymmetric_and_its_class_agrees_with_the_threshold(
    pre: int, post: int, sd_r: tuple[Decimal, Decimal]
) -> None:
    """Section 13 item 11: RCI(pre, post) = -RCI(post, pre); reliable exactly when |change| > 1.96 x S_diff."""
    sd, r = sd_r
    rci = reliable_change_index(pre, post, sd, r)
    assert reliable_change_index(post, pre, sd, r) == pytest.approx(-rci)
    reliable = classify(rci) != "no_reliable_change"
    threshold = reliable_change_threshold(sd, r)
    if abs(abs(post - pre) - threshold) > 1e-9:
        assert reliable == (abs(post - pre) > threshold)
    if post < pre and reliable:
        assert classify(rci) == "reliable_improvement" and classify(rci, True) == "reliable_deterioration"


@given(st.floats(-100, 100, allow_nan=False))
def test_higher_is_better_mirrors_the_classification(rci: float) -> None:
    mirror = {"reliable_improvement": "reliable_deterioration", "reliable_deterioration": "reliable_improvement"}
    lower = classify(rci)
    assert classify(rci, higher_is_better=True) == mirror.get(lower, lower)
