"""Personal patterns (docs/patterns.md): published worked examples, the pairing rules, planted associations that
must be found, and pure noise that must stay quiet. Pure: no database."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pytest
from scipy.stats import false_discovery_control, spearmanr

from commonground.diary.patterns import (
    DEFAULT_FDR,
    Finding,
    InvalidPatternRequest,
    all_tests,
    as_json,
    describe,
    describe_for_clinician,
    findings,
    one_row_per_day,
    spearman_rows,
    strength,
)

START = date(2026, 1, 5)


def diary(columns: Mapping[str, Sequence[float | None]], start: date = START) -> dict[date, dict[str, float | None]]:
    """One row per consecutive day from the columns (all the same length)."""
    length = len(next(iter(columns.values())))
    return {start + timedelta(days=n): {name: values[n] for name, values in columns.items()} for n in range(length)}


def result_for(tests: list[Finding], factor: str, outcome: str, lag: int) -> Finding:
    [found] = [t for t in tests if (t.factor, t.outcome, t.lag) == (factor, outcome, lag)]
    return found


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """q_(i) = min over j ≥ i of p_(j)·m/j, written out by hand (Benjamini and Hochberg 1995)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = running
    return q


# Spearman's ρ


def test_spearman_matches_the_worked_example() -> None:
    """Wikipedia's worked example (IQ and hours of television a week, 10 people): ρ = −29/165."""
    iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    rho, n = spearman_rows(np.array([iq], dtype=float), np.array([tv], dtype=float))
    assert n.tolist() == [10]
    assert rho[0] == pytest.approx(-29 / 165, abs=1e-12)
    found = result_for(all_tests(diary({"iq": iq, "tv": tv}), ["tv"]), "iq", "tv", 0)
    assert (found.n_days, found.estimate) == (10, pytest.approx(-29 / 165, abs=1e-12))


def test_ties_get_average_ranks() -> None:
    """x = 1, 2, 2, 3 ranks as 1, 2.5, 2.5, 4; against 1-4 that is ρ = 4.5 / √(4.5 · 5) = 3/√10."""
    rho, _n = spearman_rows(np.array([[1.0, 2.0, 2.0, 3.0]]), np.array([[1.0, 2.0, 3.0, 4.0]]))
    assert rho[0] == pytest.approx(3 / math.sqrt(10), abs=1e-12)


def test_spearman_uses_only_the_days_with_both_values_and_agrees_with_scipy() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, size=(30, 40)).astype(float)  # ratings: many ties
    y = x + rng.integers(-3, 4, size=(30, 40))
    x[rng.random(x.shape) < 0.2] = np.nan
    y[rng.random(y.shape) < 0.2] = np.nan
    rho, n = spearman_rows(x, y)
    for row in range(30):
        both = ~np.isnan(x[row]) & ~np.isnan(y[row])
        assert n[row] == both.sum()
        assert rho[row] == pytest.approx(spearmanr(x[row][both], y[row][both]).statistic, abs=1e-12)


# The interval and the p-value


def test_the_interval_is_fisher_z_with_the_spearman_standard_error() -> None:
    iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    found = result_for(all_tests(diary({"iq": iq, "tv": tv}), ["tv"]), "iq", "tv", 0)
    z = math.atanh(-29 / 165)
    se = math.sqrt(1.06 / (10 - 3))
    assert found.ci_low == pytest.approx(math.tanh(z - 1.96 * se), abs=1e-12)
    assert found.ci_high == pytest.approx(math.tanh(z + 1.96 * se), abs=1e-12)
    assert found.p_value == pytest.approx(math.erfc(abs(z) / se / math.sqrt(2)), abs=1e-12)


def test_an_interval_that_leaves_out_0_has_p_below_005() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 30))
    y = 0.4 * x + rng.normal(size=(200, 30))
    below = 0
    for row in range(200):
        days = diary({"x": list(x[row]), "y": list(y[row])})
        found = result_for(all_tests(days, ["y"]), "x", "y", 0)
        assert (found.ci_low > 0 or found.ci_high < 0) == (found.p_value < 0.05)
        below += found.p_value < 0.05
    assert 50 < below < 150  # both sides of the line are tried


def test_a_perfect_rank_agreement_does_not_break_the_interval() -> None:
    days = diary({"steps": list(range(30)), "mood": [2 * v for v in range(30)]})
    found = result_for(all_tests(days, ["mood"]), "steps", "mood", 0)
    assert found.estimate == 1.0
    assert found.ci_high == pytest.approx(1.0)
    assert 0.99 < found.ci_low < 1.0
    assert found.p_value == 0.0
    reverse = result_for(
        all_tests(diary({"steps": list(range(30)), "mood": [-v for v in range(30)]}), ["mood"]), "steps", "mood", 0
    )
    assert reverse.estimate == -1.0 and math.isfinite(reverse.ci_low)


# Benjamini-Hochberg


BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719]
BH_1995 += [0.6528, 0.7590, 1.000]


def test_benjamini_hochberg_rejects_four_of_the_published_fifteen_at_005() -> None:
    """Benjamini and Hochberg (1995), section 4: 15 p-values, at q = 0.05 the four smallest are rejected."""
    q = false_discovery_control(BH_1995, method="bh")
    assert [p for p, q_value in zip(BH_1995, q, strict=True) if q_value <= 0.05] == BH_1995[:4]
    assert q == pytest.approx(benjamini_hochberg(BH_1995), abs=1e-15)
    assert sum(q_value <= 0.05 for q_value in benjamini_hochberg(BH_1995)) == 4


def test_q_values_are_benjamini_hochberg_over_the_whole_family() -> None:
    rng = np.random.default_rng(11)
    fatigue = rng.integers(0, 11, 80).astype(float)
    columns: dict[str, list[float | None]] = {
        "fatigue": list(fatigue),
        "pain": list(fatigue + rng.normal(0, 3, 80)),
        "sleep": list(rng.normal(7, 1, 80)),
        "steps": list(rng.normal(5000, 800, 80)),
    }
    tests = all_tests(diary(columns), ["fatigue", "pain"])
    assert len(tests) == 2 * 3 * 2  # outcomes × other variables × lags
    assert [t.q_value for t in tests] == pytest.approx(benjamini_hochberg([t.p_value for t in tests]), abs=1e-12)
    # the family of one outcome is smaller, so the same test has its own q there
    alone = all_tests(diary(columns), ["fatigue"])
    assert len(alone) == 3 * 2
    assert [t.q_value for t in alone] == pytest.approx(benjamini_hochberg([t.p_value for t in alone]), abs=1e-12)


# Pairing: lag 1, check-ins, missing values


def test_lag_1_pairs_the_factor_with_the_next_calendar_day_only_where_both_exist() -> None:
    """Dates 1-4, then a gap, then 6-9: the pairs are 1→2, 2→3, 3→4, 6→7, 7→8, 8→9 (never 4→6)."""
    on = [START + timedelta(days=d) for d in (1, 2, 3, 4, 6, 7, 8, 9)]
    sleep = [5.0, 7.0, 6.0, 8.0, 4.0, 9.0, 3.0, 6.5]
    pain = [3.0, 1.0, 4.0, 2.0, 9.0, 5.0, 8.0, 1.5]
    days = {d: {"sleep": s, "pain": p} for d, s, p in zip(on, sleep, pain, strict=True)}
    days[START + timedelta(days=3)]["pain"] = None  # day 3 has no pain: the pair 2→3 goes, 3→4 stays
    found = result_for(all_tests(days, ["pain"]), "sleep", "pain", 1)
    pairs = [(7.0, 2.0), (4.0, 5.0), (9.0, 8.0), (3.0, 1.5), (5.0, 1.0)]  # 3→4, 6→7, 7→8, 8→9, 1→2
    assert found.n_days == len(pairs)
    expected = spearmanr([f for f, _o in pairs], [o for _f, o in pairs]).statistic
    assert found.estimate == pytest.approx(expected, abs=1e-12)
    same_day = result_for(all_tests(days, ["pain"]), "sleep", "pain", 0)
    assert same_day.n_days == 7


def test_a_diary_kept_every_other_day_has_no_next_day_pairs() -> None:
    days = {START + timedelta(days=2 * n): {"sleep": float(n % 5), "pain": float(n % 3)} for n in range(30)}
    assert [(t.lag, t.n_days) for t in all_tests(days, ["pain"])] == [(0, 30)]


def test_check_ins_on_one_date_are_averaged_per_variable() -> None:
    monday, tuesday = START, START + timedelta(days=1)
    rows = one_row_per_day(
        [
            (tuesday, {"fatigue": 4.0}),
            (monday, {"fatigue": 6.0, "pain": None}),
            (monday, {"fatigue": 3.0, "pain": None, "sleep": 7.0}),
            (monday, {"fatigue": None}),
        ]
    )
    assert list(rows) == [monday, tuesday]
    assert rows[monday] == {"fatigue": 4.5, "pain": None, "sleep": 7.0}
    assert rows[tuesday] == {"fatigue": 4.0}


def test_a_value_that_is_not_a_finite_number_is_refused() -> None:
    with pytest.raises(InvalidPatternRequest, match="2026-01-05, pain"):
        one_row_per_day([(START, {"pain": math.nan})])
    days = diary({"pain": [1.0, 2.0, 3.0, math.inf], "sleep": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(InvalidPatternRequest, match="not a finite number"):
        all_tests(days, ["pain"])


def test_a_constant_variable_and_too_few_paired_days_are_left_out_of_the_family() -> None:
    rng = np.random.default_rng(5)
    columns: dict[str, list[float | None]] = {
        "fatigue": list(rng.integers(0, 11, 40).astype(float)),
        "rest_breaks": [2.0] * 40,  # never changes
        "sleep": list(rng.normal(7, 1, 40)),
        "new_item": [None] * 37 + [1.0, 2.0, 3.0],  # three days: no standard error yet
    }
    tests = all_tests(diary(columns), ["fatigue"])
    assert {(t.factor, t.lag) for t in tests} == {("sleep", 0), ("sleep", 1)}
    assert all_tests(diary(columns), ["rest_breaks"]) == []
    assert all_tests(diary(columns), ["not_in_the_diary"]) == []


def test_a_finding_needs_its_q_value_and_the_minimum_number_of_days() -> None:
    rng = np.random.default_rng(2)
    sleep = rng.normal(7, 1, 20)
    fatigue = 10 - sleep + rng.normal(0, 0.3, 20)
    days = diary({"sleep": list(sleep), "fatigue": list(fatigue)})
    found = result_for(all_tests(days, ["fatigue"]), "sleep", "fatigue", 0)
    assert found.n_days == 20 and found.q_value < 0.001
    assert findings(days, ["fatigue"]) == []  # 20 days, 21 needed
    assert [(f.factor, f.lag) for f in findings(days, ["fatigue"], min_days=20)] == [("sleep", 0)]
    assert findings(days, ["fatigue"], min_days=20, fdr=found.q_value / 2) == []


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"min_days": 3}, "at least 4"),
        ({"min_days": 21.5}, "whole number"),
        ({"fdr": 0}, "above 0 and at most 1"),
        ({"fdr": 1.5}, "above 0 and at most 1"),
        ({"fdr": math.nan}, "above 0 and at most 1"),
    ],
)
def test_bad_options_are_refused_with_the_reason(options: dict[str, float], reason: str) -> None:
    with pytest.raises(InvalidPatternRequest, match=reason):
        findings(diary({"a": [1.0, 2.0], "b": [2.0, 1.0]}), ["a"], **options)  # type: ignore[arg-type]


# Planted associations and pure noise


def planted_diary(seed: int, length: int = 75) -> dict[date, dict[str, float | None]]:
    """Sleep quality lowers fatigue the same day; a heavy activity day raises pain the next day. Ratings are
    whole numbers 0-10, about one value in ten is missing, and four other variables are noise."""
    rng = np.random.default_rng(seed)
    sleep = rng.normal(5, 2, length)
    activity = rng.normal(50, 15, length)
    fatigue = 8 - 0.6 * sleep + rng.normal(0, 1.2, length)
    pain = 1 + 0.06 * np.concatenate([[50.0], activity[:-1]]) + rng.normal(0, 0.9, length)
    columns = {
        "sleep_quality": sleep,
        "activity_load": activity,
        "fatigue": fatigue,
        "pain": pain,
        **{f"noise_{n}": rng.normal(5, 2, length) for n in range(4)},
    }
    days: dict[date, dict[str, float | None]] = {}
    for d in range(length):
        row: dict[str, float | None] = {}
        for name, values in columns.items():
            value = float(values[d]) if name == "activity_load" else float(np.clip(np.round(values[d]), 0, 10))
            row[name] = None if rng.random() < 0.1 else value
        days[START + timedelta(days=d)] = row
    return days


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_associations_are_found_with_their_direction_and_lag(seed: int) -> None:
    days = planted_diary(seed)
    found = findings(days, ["fatigue", "pain"])
    by_key = {(f.factor, f.outcome, f.lag): f for f in found}
    tired = by_key[("sleep_quality", "fatigue", 0)]
    assert tired.estimate < -0.3 and tired.ci_high < 0 and tired.q_value <= DEFAULT_FDR and tired.n_days >= 21
    sore = by_key[("activity_load", "pain", 1)]
    assert sore.estimate > 0.3 and sore.ci_low > 0 and sore.q_value <= DEFAULT_FDR
    assert ("activity_load", "pain", 0) not in by_key or by_key[("activity_load", "pain", 0)].q_value > sore.q_value
    assert [f.q_value for f in found] == sorted(f.q_value for f in found)


def test_findings_are_sorted_by_q_value_then_by_size() -> None:
    found = findings(planted_diary(1), ["fatigue", "pain"], fdr=1.0)
    keys = [(f.q_value, -abs(f.estimate)) for f in found]
    assert keys == sorted(keys)
    assert len(found) == len([t for t in all_tests(planted_diary(1), ["fatigue", "pain"]) if t.n_days >= 21])


def noise_diary(seed: int, variables: int = 10, length: int = 60) -> dict[date, dict[str, float | None]]:
    """Independent ratings 0-10 (many ties), about one value in ten missing, a few days skipped."""
    rng = np.random.default_rng(seed)
    days: dict[date, dict[str, float | None]] = {}
    for d in range(length):
        if rng.random() < 0.05:
            continue
        days[START + timedelta(days=d)] = {
            f"v{n}": None if rng.random() < 0.1 else float(rng.integers(0, 11)) for n in range(variables)
        }
    return days


def test_pure_noise_rarely_gives_any_finding() -> None:
    """Over 200 noise-only diaries, the share with any finding stays at or below Q + 0.05, for the page's family
    (every variable an outcome) and for the command line's (one outcome)."""
    seeds = range(200)
    with_page_finding = sum(bool(findings(days, list(days[min(days)]))) for days in map(noise_diary, seeds))
    with_one_outcome_finding = sum(bool(findings(noise_diary(seed), ["v0"])) for seed in seeds)
    assert with_page_finding / len(seeds) <= DEFAULT_FDR + 0.05
    assert with_one_outcome_finding / len(seeds) <= DEFAULT_FDR + 0.05


# Words


def finding(**changes: float | int | str) -> Finding:
    values: dict[str, float | int | str] = {
        "factor": "sleep_quality",
        "outcome": "fatigue",
        "lag": 0,
        "n_days": 63,
        "estimate": -0.42,
        "ci_low": -0.6,
        "ci_high": -0.19,
        "p_value": 0.0006,
        "q_value": 0.012,
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def test_the_patient_reads_what_went_with_what_how_strongly_how_sure_and_on_how_many_days() -> None:
    text = describe(finding(), {"sleep_quality": "Sleep quality", "fatigue": "Fatigue"})
    assert text == (
        "On days when “Sleep quality” was higher, “Fatigue” tended to be lower. The link was moderate. "
        "Allowing for chance, the true link could be anywhere from weak to strong. "
        "This is based on 63 days with both entries. "
        "This shows that the two went together, not that one causes the other. "
        "You may like to talk it over with your care team."
    )


def test_the_next_day_reads_as_the_next_day() -> None:
    text = describe(finding(lag=1, estimate=0.55, ci_low=0.51, ci_high=0.7, n_days=40))
    assert text.startswith(
        "After days when “sleep quality” was higher, “fatigue” the next day tended to be higher too. "
        "The link was strong. Allowing for chance, the true link is also most likely strong. "
        "This is based on 40 pairs of days in a row."
    )
    assert "not that one causes the other" in text


def test_an_interval_that_reaches_0_says_there_may_be_no_link_at_all() -> None:
    text = describe(finding(estimate=0.25, ci_low=-0.02, ci_high=0.48))
    assert "The link was weak." in text
    assert "anywhere from no link at all to moderate." in text


@pytest.mark.parametrize(("rho", "word"), [(0.0, "weak"), (-0.29, "weak"), (0.3, "moderate"), (-0.49, "moderate")])
def test_strength_follows_cohens_conventions(rho: float, word: str) -> None:
    assert strength(rho) == word
    assert strength(0.5) == strength(-0.9) == "strong"


def test_every_sentence_goes_through_the_translation() -> None:
    class Brackets:
        def gettext(self, message: str) -> str:
            return f"[{message}]"

        def ngettext(self, singular: str, plural: str, number: int) -> str:
            return f"[{singular if number == 1 else plural}]"

    text = describe(finding(), words=Brackets())
    assert text.count("[") == 7  # what, how strong, how sure and its two words, the days, the reminder
    assert text.startswith("[On days when") and text.endswith("care team.]")
    assert describe_for_clinician(finding(), words=Brackets()).startswith("[sleep quality and fatigue ([same day]):")


def test_the_care_team_reads_the_numbers() -> None:
    assert describe_for_clinician(finding(lag=1)) == (
        "sleep quality and fatigue (factor on the day before): Spearman ρ -0.42 (95% CI -0.60 to -0.19), "
        "63 paired days, q = 0.012. An association, not evidence of a cause."
    )
    assert "q < 0.001." in describe_for_clinician(finding(q_value=0.00004))


def test_the_analysts_record_is_rounded_and_has_exactly_these_keys() -> None:
    record = as_json(finding(estimate=-0.4234567, ci_low=-0.61234, ci_high=-0.1888888, q_value=0.0123456789))
    assert record == {
        "factor": "sleep_quality",
        "outcome": "fatigue",
        "lag": 0,
        "n_days": 63,
        "estimate": -0.4235,
        "ci_low": -0.6123,
        "ci_high": -0.1889,
        "q_value": 0.01235,
    }
