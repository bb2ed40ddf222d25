"""Personal patterns, pure: which diary factors go together with the outcomes a patient cares about (issue 6,
item 4; defined in docs/patterns.md). No database, no Django and no clock: the days are passed in.

For each outcome (for example fatigue) and each other variable of the diary (a *factor*, for example sleep
quality), the association is read on the same day (lag 0) and from one day to the next (lag 1: the factor on
day d, the outcome on day d + 1, only where both dates have values). The estimate is Spearman's rank
correlation ρ with a Fisher-z 95 % interval (standard error √(1.06 / (n − 3)), Fieller, Hartley and Pearson
1957); the Benjamini-Hochberg procedure controls the false discovery rate over the whole family of tests run
together. A finding passes when its q-value is at most the chosen rate and it rests on enough paired days.
A finding that does not pass is never shown.

CONTRACT: `findings(days, outcomes, *, min_days=21, fdr=0.1) -> list[Finding]` (only the passing ones,
sorted), `one_row_per_day(checkins)`, `describe(finding, label_of, *, words)` and
`describe_for_clinician(finding, label_of, *, words)` (plain words, translated through `words`), `as_json(finding)`
(the analyst's record). Bad requests raise `InvalidPatternRequest(reason)`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt

# SciPy is imported where it is used: `scipy.stats` takes a second or more to import, and every process that
# imports this module (the web server, the worker, each test process) would pay for it at start-up.

Days = Mapping[date, Mapping[str, float | None]]  # one row per date: variable name -> value (None = missing)

DEFAULT_MIN_DAYS = 21  # a finding rests on at least three weeks of paired days…
DEFAULT_FDR = 0.1  # …and its q-value (Benjamini-Hochberg) is at most this
MIN_TEST_DAYS = 4  # fewer paired days and there is no standard error (n − 3 must be above 0)
LAGS = (0, 1)  # the same day, and the factor on the day before the outcome
SPEARMAN_VARIANCE = 1.06  # Fieller, Hartley and Pearson (1957): var(atanh ρ) ≈ 1.06 / (n − 3)
Z_95 = 1.96  # the two-sided 95 % normal quantile, as in the published interval
LARGEST_RHO = 1 - 1e-12  # ρ of exactly ±1 is clipped to this before atanh (no infinite z)
MODERATE = 0.3  # |ρ| from 0.3 is a moderate link and from 0.5 a strong one (Cohen 1988: 0.1, 0.3, 0.5)
STRONG = 0.5

FloatArray = npt.NDArray[np.float64]


class InvalidPatternRequest(ValueError):
    """The days or the options cannot give patterns; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Finding:
    factor: str
    outcome: str
    lag: int  # 0: the same day; 1: the factor on the day before the outcome
    n_days: int  # paired days (lag 1: pairs of consecutive dates)
    estimate: float  # Spearman's ρ
    ci_low: float  # 95 % interval, Fisher z
    ci_high: float
    p_value: float  # two-sided, normal, on the same Fisher z and standard error as the interval
    q_value: float  # Benjamini-Hochberg over the family of tests run together


def one_row_per_day(checkins: Iterable[tuple[date, Mapping[str, float | None]]]) -> dict[date, dict[str, float | None]]:
    """One row per date: several check-ins on one date are averaged per variable, ignoring missing values (a
    variable missing from every check-in of that date stays None)."""
    totals: dict[date, dict[str, list[float]]] = {}
    for on, values in checkins:
        day = totals.setdefault(on, {})
        for name, value in values.items():
            kept = day.setdefault(name, [])
            if value is not None:
                kept.append(_finite(value, on, name))
    return {
        on: {name: (math.fsum(kept) / len(kept) if kept else None) for name, kept in day.items()}
        for on, day in sorted(totals.items())
    }


def variables_in(days: Days) -> list[str]:
    """Every variable named on any day, in alphabetical order."""
    return sorted({name for values in days.values() for name in values})


def findings(
    days: Days, outcomes: Sequence[str], *, min_days: int = DEFAULT_MIN_DAYS, fdr: float = DEFAULT_FDR
) -> list[Finding]:
    """The findings that pass: q-value at most `fdr` and at least `min_days` paired days, the most certain first
    (by q-value, then by the size of ρ). The family is every outcome × every other variable × both lags; an
    outcome without any value simply has no findings yet."""
    checked_min_days = _min_days(min_days)
    checked_fdr = _fdr(fdr)
    passing = [
        finding
        for finding in all_tests(days, outcomes)
        if finding.q_value <= checked_fdr and finding.n_days >= checked_min_days
    ]
    return sorted(passing, key=_most_certain_first)


def all_tests(days: Days, outcomes: Sequence[str]) -> list[Finding]:
    """Every computable test of the family, passing or not, with its q-value (for tests and analysis; never
    shown to anyone). A test is computable with at least MIN_TEST_DAYS paired days and neither side constant
    over them; the others are left out of the family."""
    names = variables_in(days)
    wanted = [name for name in dict.fromkeys(outcomes) if name in names]
    pairs = [(outcome, factor) for outcome in wanted for factor in names if factor != outcome]
    if not pairs:
        return []
    dates = sorted(days)
    table = _table(days, dates, names)
    column = {name: number for number, name in enumerate(names)}
    outcome_columns = np.array([column[outcome] for outcome, _factor in pairs])
    factor_columns = np.array([column[factor] for _outcome, factor in pairs])
    row_of = {on: row for row, on in enumerate(dates)}
    next_rows = np.array([row_of.get(on + timedelta(days=1), -1) for on in dates])
    has_next = next_rows >= 0
    same_day = np.arange(len(dates))
    rows_by_lag = {0: (same_day, same_day), 1: (same_day[has_next], next_rows[has_next])}

    lags, rhos, counts = [], [], []
    for lag in LAGS:
        factor_rows, outcome_rows = rows_by_lag[lag]
        factor_values = table[np.ix_(factor_rows, factor_columns)].T  # one row per test, one column per day
        outcome_values = table[np.ix_(outcome_rows, outcome_columns)].T
        rho, count = spearman_rows(factor_values, outcome_values)
        lags.append(np.full(len(pairs), lag))
        rhos.append(rho)
        counts.append(count)
    lag_of, rho, n = np.concatenate(lags), np.concatenate(rhos), np.concatenate(counts)
    pair_of = np.tile(np.arange(len(pairs)), len(LAGS))

    computable = (n >= MIN_TEST_DAYS) & np.isfinite(rho)
    if not computable.any():
        return []
    lag_of, rho, n, pair_of = lag_of[computable], rho[computable], n[computable], pair_of[computable]
    low, high, p = fisher_interval(rho, n)
    from scipy.stats import false_discovery_control

    q = false_discovery_control(p, method="bh")
    return [
        Finding(
            factor=pairs[pair][1],
            outcome=pairs[pair][0],
            lag=int(lag),
            n_days=int(count),
            estimate=float(estimate),
            ci_low=float(ci_low),
            ci_high=float(ci_high),
            p_value=float(p_value),
            q_value=float(q_value),
        )
        for pair, lag, count, estimate, ci_low, ci_high, p_value, q_value in zip(
            pair_of.tolist(), lag_of, n, rho, low, high, p, q, strict=True
        )
    ]


def spearman_rows(x: FloatArray, y: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Spearman's ρ of each row of x with the same row of y, on the columns where both have a value (NaN is
    missing), with average ranks for ties; and the number of such columns. ρ is NaN where a side is constant
    (or fewer than two columns are paired)."""
    from scipy.stats import rankdata

    both = ~np.isnan(x) & ~np.isnan(y)
    n = both.sum(axis=1)
    x_ranks = rankdata(np.where(both, x, np.nan), axis=1, nan_policy="omit")
    y_ranks = rankdata(np.where(both, y, np.nan), axis=1, nan_policy="omit")
    middle = ((n + 1) / 2)[:, None]
    x_spread = np.where(both, x_ranks - middle, 0.0)
    y_spread = np.where(both, y_ranks - middle, 0.0)
    covariance = (x_spread * y_spread).sum(axis=1)
    scale = np.sqrt((x_spread * x_spread).sum(axis=1) * (y_spread * y_spread).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(scale > 0, covariance / scale, np.nan)
    return np.clip(rho, -1.0, 1.0), n.astype(np.int64)


def fisher_interval(rho: FloatArray, n: npt.NDArray[np.int64]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The 95 % interval and the two-sided p-value of each ρ on n paired days (n ≥ 4): z = atanh ρ with standard
    error √(1.06 / (n − 3)); p is the normal p of z / se, so an interval that leaves out 0 has p < 0.05."""
    from scipy.special import ndtr

    z = np.arctanh(np.clip(rho, -LARGEST_RHO, LARGEST_RHO))
    se = np.sqrt(SPEARMAN_VARIANCE / (n - 3))
    p = 2 * ndtr(-np.abs(z) / se)
    return np.tanh(z - Z_95 * se), np.tanh(z + Z_95 * se), p


def strength(rho: float) -> str:
    """The size of a link in a word, by |ρ|: weak below 0.3, moderate below 0.5, strong from 0.5 (Cohen)."""
    size = abs(rho)
    if size < MODERATE:
        return "weak"
    return "moderate" if size < STRONG else "strong"


def as_json(finding: Finding) -> dict[str, str | int | float]:
    """The analyst's record: ρ and its interval to 4 decimals, q to 4 significant figures."""
    return {
        "factor": finding.factor,
        "outcome": finding.outcome,
        "lag": finding.lag,
        "n_days": finding.n_days,
        "estimate": round(finding.estimate, 4),
        "ci_low": round(finding.ci_low, 4),
        "ci_high": round(finding.ci_high, 4),
        "q_value": float(f"{finding.q_value:.4g}"),
    }


# Words. The patient reads these, so each sentence is whole and kind, and translatable: pass Django's
# `django.utils.translation` module (or anything with gettext and ngettext) as `words`.


class Words(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, number: int) -> str: ...


class _English:
    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return singular if number == 1 else plural


ENGLISH: Words = _English()


def label(name: str, label_of: Mapping[str, str] | None = None) -> str:
    """The variable's name for people: from `label_of` when given, else the name with spaces for underscores."""
    return (label_of or {}).get(name) or name.replace("_", " ")


def describe(
    finding: Finding,
    label_of: Mapping[str, str] | None = None,
    *,
    words: Words = ENGLISH,
    noticed: Collection[str] = frozenset(),
) -> str:
    """The finding for the patient, in plain words: what went with what, how strongly, how sure, on how many
    days, and that it is an association, not proof of a cause. The labels are quoted, so any label reads well
    ("Hours of sleep", "Ease of taking part: gardening"). Factors named in `noticed` are yes/no (a trigger the
    patient noticed, or not) and read "on days when you noticed …"."""
    names = {"factor": label(finding.factor, label_of), "outcome": label(finding.outcome, label_of)}
    what = _what_noticed(finding, words) if finding.factor in noticed else _what(finding, words)
    return " ".join(
        (
            what % names,
            _how_strong(finding, words),
            _how_sure(finding, words),
            _how_many_days(finding, words),
            words.gettext(
                "This shows that the two went together, not that one causes the other. "
                "You may like to talk it over with your care team."
            ),
        )
    )


def describe_for_clinician(
    finding: Finding, label_of: Mapping[str, str] | None = None, *, words: Words = ENGLISH
) -> str:
    """The finding for the care team, with the numbers: ρ, its 95 % interval, the paired days and q."""
    when = words.gettext("same day") if finding.lag == 0 else words.gettext("factor on the day before")
    return words.gettext(
        "%(factor)s and %(outcome)s (%(when)s): Spearman ρ %(rho).2f (95%% CI %(low).2f to %(high).2f), "
        "%(days)d paired days, q %(q)s. An association, not evidence of a cause."
    ) % {
        "factor": label(finding.factor, label_of),
        "outcome": label(finding.outcome, label_of),
        "when": when,
        "rho": finding.estimate,
        "low": finding.ci_low,
        "high": finding.ci_high,
        "days": finding.n_days,
        "q": "< 0.001" if finding.q_value < 0.001 else f"= {finding.q_value:.2g}",
    }


def _what(finding: Finding, words: Words) -> str:
    higher = finding.estimate > 0
    if finding.lag == 0:
        if higher:
            return words.gettext("On days when “%(factor)s” was higher, “%(outcome)s” tended to be higher too.")
        return words.gettext("On days when “%(factor)s” was higher, “%(outcome)s” tended to be lower.")
    if higher:
        return words.gettext(
            "After days when “%(factor)s” was higher, “%(outcome)s” the next day tended to be higher too."
        )
    return words.gettext("After days when “%(factor)s” was higher, “%(outcome)s” the next day tended to be lower.")


def _what_noticed(finding: Finding, words: Words) -> str:
    higher = finding.estimate > 0
    if finding.lag == 0:
        if higher:
            return words.gettext("On days when you noticed “%(factor)s”, “%(outcome)s” tended to be higher.")
        return words.gettext("On days when you noticed “%(factor)s”, “%(outcome)s” tended to be lower.")
    if higher:
        return words.gettext(
            "After days when you noticed “%(factor)s”, “%(outcome)s” the next day tended to be higher."
        )
    return words.gettext("After days when you noticed “%(factor)s”, “%(outcome)s” the next day tended to be lower.")


def _strength_word(size: str, words: Words) -> str:
    return {
        "none": words.gettext("no link at all"),
        "weak": words.gettext("weak"),
        "moderate": words.gettext("moderate"),
        "strong": words.gettext("strong"),
    }[size]


def _how_strong(finding: Finding, words: Words) -> str:
    return {
        "weak": words.gettext("The link was weak."),
        "moderate": words.gettext("The link was moderate."),
        "strong": words.gettext("The link was strong."),
    }[strength(finding.estimate)]


def _how_sure(finding: Finding, words: Words) -> str:
    """The interval in words, in the direction of the estimate: from its end nearer 0 to its far end."""
    sign = 1.0 if finding.estimate >= 0 else -1.0
    near, far = sorted((sign * finding.ci_low, sign * finding.ci_high))
    near_word = "none" if near <= 0 else strength(near)
    far_word = strength(far)
    if near_word == far_word:
        return words.gettext("Allowing for chance, the true link is also most likely %(size)s.") % {
            "size": _strength_word(far_word, words)
        }
    return words.gettext("Allowing for chance, the true link could be anywhere from %(near)s to %(far)s.") % {
        "near": _strength_word(near_word, words),
        "far": _strength_word(far_word, words),
    }


def _how_many_days(finding: Finding, words: Words) -> str:
    if finding.lag == 0:
        text = words.ngettext(
            "This is based on %(days)d day with both entries.",
            "This is based on %(days)d days with both entries.",
            finding.n_days,
        )
    else:
        text = words.ngettext(
            "This is based on %(days)d pair of days in a row.",
            "This is based on %(days)d pairs of days in a row.",
            finding.n_days,
        )
    return text % {"days": finding.n_days}


def _table(days: Days, dates: Sequence[date], names: Sequence[str]) -> FloatArray:
    """Dates × variables, NaN where a value is missing."""
    column = {name: number for number, name in enumerate(names)}
    table = np.full((len(dates), len(names)), np.nan)
    for row, on in enumerate(dates):
        for name, value in days[on].items():
            if value is not None:
                table[row, column[name]] = _finite(value, on, name)
    return table


def _finite(value: float, on: date, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidPatternRequest(f"{on.isoformat()}, {name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidPatternRequest(f"{on.isoformat()}, {name}: {value!r} is not a finite number")
    return number


def _min_days(min_days: int) -> int:
    if isinstance(min_days, bool) or not isinstance(min_days, int) or min_days < MIN_TEST_DAYS:
        raise InvalidPatternRequest(f"the minimum number of days must be a whole number of at least {MIN_TEST_DAYS}")
    return min_days


def _fdr(fdr: float) -> float:
    if isinstance(fdr, bool) or not isinstance(fdr, int | float) or not 0 < fdr <= 1:
        raise InvalidPatternRequest(f"the false discovery rate must be above 0 and at most 1, got {fdr!r}")
    return float(fdr)


def _most_certain_first(finding: Finding) -> tuple[float, float, str, str, int]:
    return (finding.q_value, -abs(finding.estimate), finding.outcome, finding.factor, finding.lag)
