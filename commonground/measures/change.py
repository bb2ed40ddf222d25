"""Change between two scores: Reliable Change Index, its class, MCID, recovery. Pure: no Django, no clock.

Section 13 item 11 (Jacobson & Truax 1991):

    S_E = SD x sqrt(1 - r);  S_diff = sqrt(2) x S_E;  RCI = (post - pre) / S_diff

- `reliable_change_index(pre, post, sd, reliability) -> float`. `sd <= 0`, `r >= 1` (no measurement error,
  S_diff = 0) and `r < 0` raise `InvalidFigures`. Computed with `Decimal` (and its square root), so the
  figures in the definition files are used exactly.
- `classify(rci, higher_is_better=False) -> str`: `reliable_improvement`, `no_reliable_change` or
  `reliable_deterioration`; reliable only when |RCI| > 1.96 (strict). For lower-is-better scales (every
  symptom scale) a negative RCI is an improvement; for higher-is-better ones (CARE) the sign flips.
- `change_between(instrument, pre, post, *, sex=None, figures=None) -> Change`: the summary a clinician sees:
  difference, percent change (None when the first score is 0), RCI and class when the instrument has
  reliable-change figures (PEG, CARE and Whiteley-7 have none by default; pass `figures` to use a clinic's
  own), the MCID and whether it was reached (PHQ-9 5, GAD-7 4, SSS-8 3: shown beside the RCI, not instead of
  it), "recovered" and, for PEG, whether the 30 % reduction (an IMMPACT convention, labelled so) was reached.
  `pre` and `post` are scorable `Score`s of this instrument, or totals; change is computed on `total`, the
  number the clinic sees.
- Recovered (section 13 item 11): reliable improvement AND the post score beyond criterion b, the
  population mean + 2 SD (mean - 2 SD for higher-is-better scales), using the norm group of the patient's
  sex where the norms are given per sex. Where a definition also carries `clinical_norms`, criterion c
  (Jacobson & Truax) is used instead. `recovered` is None, with `recovery_note` saying why, when there are no
  reliable-change figures, no norms (SSS-8, WSAS), or sex-specific norms and no female/male sex recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation
from typing import Final

from commonground.measures.datatypes import Instrument, Mcid, NormGroup, RelativeImprovement, ReliableChangeFigures
from commonground.measures.scoring import Score

RELIABLE_IMPROVEMENT: Final = "reliable_improvement"
NO_RELIABLE_CHANGE: Final = "no_reliable_change"
RELIABLE_DETERIORATION: Final = "reliable_deterioration"
CLASSIFICATIONS: Final = (RELIABLE_IMPROVEMENT, NO_RELIABLE_CHANGE, RELIABLE_DETERIORATION)
CRITICAL_Z: Final = Decimal("1.96")

_CONTEXT: Final = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])

Number = Decimal | int | float


class InvalidFigures(ValueError):
    """An SD or a reliability that cannot give a Reliable Change Index."""


def _decimal(value: Number | str, name: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise InvalidFigures(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise InvalidFigures(f"{name} must be a finite number, got {value!r}")
    return number


def standard_error_of_difference(sd: Number, reliability: Number) -> Decimal:
    """S_diff = sqrt(2) x SD x sqrt(1 - r) = SD x sqrt(2 (1 - r))."""
    sd_, r = _decimal(sd, "the SD"), _decimal(reliability, "the reliability")
    if sd_ <= 0:
        raise InvalidFigures(f"the SD must be above 0, got {sd}")
    if r >= 1:
        raise InvalidFigures(f"the reliability must be below 1 (at 1 there is no measurement error), got {reliability}")
    if r < 0:
        raise InvalidFigures(f"the reliability must be 0 or more, got {reliability}")
    return _CONTEXT.multiply(sd_, _CONTEXT.sqrt(2 * (1 - r)))


def _rci(pre: Decimal, post: Decimal, sd: Number, reliability: Number) -> Decimal:
    return _CONTEXT.divide(post - pre, standard_error_of_difference(sd, reliability))


def reliable_change_index(pre: Number, post: Number, sd: Number, reliability: Number) -> float:
    """RCI = (post - pre) / S_diff (Jacobson & Truax)."""
    return float(_rci(_decimal(pre, "the first score"), _decimal(post, "the second score"), sd, reliability))


def reliable_change_threshold(sd: Number, reliability: Number) -> float:
    """The smallest change that is reliable: 1.96 x S_diff (a change must exceed it)."""
    return float(CRITICAL_Z * standard_error_of_difference(sd, reliability))


def classify(rci: Number, higher_is_better: bool = False) -> str:
    """|RCI| > 1.96 (strict) is reliable; its sign says improvement or deterioration."""
    value = _decimal(rci, "the RCI") if not isinstance(rci, float) else Decimal(rci)
    if abs(value) <= CRITICAL_Z:
        return NO_RELIABLE_CHANGE
    got_higher = value > 0
    return RELIABLE_IMPROVEMENT if got_higher == higher_is_better else RELIABLE_DETERIORATION


@dataclass(frozen=True)
class Change:
    instrument: str
    pre: Decimal
    post: Decimal
    difference: Decimal  # post - pre
    percent_change: Decimal | None  # (post - pre) / pre x 100; None when pre is 0
    rci: float | None
    classification: str | None
    reliable_change_points: float | None  # 1.96 x S_diff: a change must exceed this to be reliable
    figures: ReliableChangeFigures | None
    mcid: Mcid | None
    mcid_reached: bool | None
    recovered: bool | None
    recovery_criterion: Decimal | None
    recovery_note: str
    relative_improvement: RelativeImprovement | None
    relative_improvement_reached: bool | None


def change_between(
    instrument: Instrument,
    pre_score: Score | Number,
    post_score: Score | Number,
    *,
    sex: str | None = None,
    figures: ReliableChangeFigures | None = None,
) -> Change:
    """Change from `pre_score` to `post_score` on one instrument (see the module docstring)."""
    pre, post = _total(instrument, pre_score, "first"), _total(instrument, post_score, "second")
    better = instrument.higher_is_better
    improvement = post - pre if better else pre - post
    figures = figures or instrument.reliable_change
    rci = classification = threshold = None
    if figures is not None:
        exact = _rci(pre, post, figures.sd, figures.reliability)
        rci, classification = float(exact), classify(exact, better)
        threshold = reliable_change_threshold(figures.sd, figures.reliability)
    recovered, criterion, note = _recovery(instrument, post, classification, sex)
    relative = instrument.relative_improvement
    return Change(
        instrument=instrument.id,
        pre=pre,
        post=post,
        difference=post - pre,
        percent_change=None if pre == 0 else _CONTEXT.divide((post - pre) * 100, pre),
        rci=rci,
        classification=classification,
        reliable_change_points=threshold,
        figures=figures,
        mcid=instrument.mcid,
        mcid_reached=None if instrument.mcid is None else improvement >= instrument.mcid.points,
        recovered=recovered,
        recovery_criterion=criterion,
        recovery_note=note,
        relative_improvement=relative,
        relative_improvement_reached=(
            None if relative is None or pre == 0 else _CONTEXT.divide(improvement * 100, abs(pre)) >= relative.percent
        ),
    )


def _total(instrument: Instrument, value: Score | Number, which: str) -> Decimal:
    if not isinstance(value, Score):
        return _decimal(value, f"the {which} score")
    if value.instrument != instrument.id:
        raise ValueError(f"the {which} score is a {value.instrument} score, not {instrument.id}")
    if value.total is None:
        raise ValueError(f"the {which} response could not be scored ({value.reason}), so there is no change to show")
    return value.total


def _recovery(
    instrument: Instrument, post: Decimal, classification: str | None, sex: str | None
) -> tuple[bool | None, Decimal | None, str]:
    if classification is None:
        return None, None, f"The {instrument.short_name} has no reliable-change figures, so recovery is not judged."
    norms = instrument.norms
    if norms is None:
        return (
            None,
            None,
            (
                f"The {instrument.short_name} definition has no population norms, so recovery (criterion b: "
                "population mean + 2 SD) cannot be judged."
            ),
        )
    normal = norms.group_for(sex)
    clinical = instrument.clinical_norms.group_for(sex) if instrument.clinical_norms else None
    if normal is None or (instrument.clinical_norms is not None and clinical is None):
        return (
            None,
            None,
            (
                f"The {instrument.short_name} norms are given per sex and the patient's sex is not recorded as "
                f"{' or '.join(str(group.sex) for group in norms.groups)}, so recovery cannot be judged."
            ),
        )
    criterion, name = _criterion(normal, clinical, instrument.higher_is_better)
    beyond = post > criterion if instrument.higher_is_better else post < criterion
    side = "above" if instrument.higher_is_better else "below"
    whose = f", {normal.sex}" if normal.sex else ""
    note = (
        f"Recovered means reliable improvement and a score {side} {criterion.normalize():f} ({name}; "
        f"{norms.source}{whose})."
    )
    return classification == RELIABLE_IMPROVEMENT and beyond, criterion, note


def _criterion(normal: NormGroup, clinical: NormGroup | None, higher_is_better: bool) -> tuple[Decimal, str]:
    if clinical is not None:
        weighted = clinical.sd * normal.mean + normal.sd * clinical.mean
        return _CONTEXT.divide(
            weighted, clinical.sd + normal.sd
        ), "criterion c, between the clinical and population norms"
    if higher_is_better:
        return normal.mean - 2 * normal.sd, "criterion b, population mean - 2 SD"
    return normal.mean + 2 * normal.sd, "criterion b, population mean + 2 SD"
