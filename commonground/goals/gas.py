"""Goal attainment scaling, pure (clinical.md section 11 and decision 12).

T = 50 + 10·Σ(wᵢxᵢ) / √((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²), levels −2..+2, weights positive, ρ default 0.3.

CONTRACT: `t_score(levels, weights=None, rho=0.3) -> float` raising `InvalidGas(reason)` on bad input
(no goals, a level outside −2..+2 or not a whole number, weights of another length, a weight ≤ 0, ρ outside
[0, 1)), and `weight(importance, difficulty) -> int` (importance × difficulty, each 1-3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from numbers import Real
from typing import Any

DEFAULT_RHO = 0.3
LEVELS = (-2, -1, 0, 1, 2)
RATINGS = (1, 2, 3)


class InvalidGas(ValueError):
    """The levels, weights or ρ cannot give a T-score; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def t_score(levels: list[int], weights: list[float] | None = None, rho: float = DEFAULT_RHO) -> float:
    """The Kiresuk-Sherman T-score of the goals' levels (50 = every goal at its expected outcome)."""
    checked_levels = _levels(levels)
    checked_weights = [1.0] * len(checked_levels) if weights is None else _weights(weights, len(checked_levels))
    checked_rho = _rho(rho)
    largest = max(checked_weights)
    checked_weights = [w / largest for w in checked_weights]  # T does not change with scale; no overflow
    weighted_sum = math.fsum(w * x for w, x in zip(checked_weights, checked_levels, strict=True))
    sum_of_squares = math.fsum(w * w for w in checked_weights)
    total_weight = math.fsum(checked_weights)
    spread = math.sqrt((1 - checked_rho) * sum_of_squares + checked_rho * total_weight**2)
    return 50 + 10 * weighted_sum / spread


def weight(importance: int, difficulty: int) -> int:
    """Turner-Stokes' weight: importance × difficulty, each rated 1-3 (so a weight is 1-9, never 0)."""
    for name, rating in (("importance", importance), ("difficulty", difficulty)):
        if not _is_number(rating) or rating not in RATINGS:
            raise InvalidGas(f"{name} must be 1, 2 or 3, got {rating!r}")
    return int(importance) * int(difficulty)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real | Decimal) and not isinstance(value, bool)


def _as_float(value: Any) -> float | None:
    """A finite float, or None for anything else (a string, NaN, infinity, an integer too large for a float)."""
    if not _is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _levels(levels: Sequence[Any]) -> list[int]:
    if isinstance(levels, str | bytes) or not isinstance(levels, Sequence):
        raise InvalidGas("the levels must be a list, one per goal")
    if not levels:
        raise InvalidGas("there are no goals: give at least one level")
    checked = []
    for number, level in enumerate(levels, start=1):
        if _is_number(level) and level in LEVELS:
            checked.append(int(level))
            continue
        as_float = _as_float(level)
        if as_float is None or not as_float.is_integer():
            raise InvalidGas(f"goal {number}: the level must be a whole number from -2 to 2, got {level!r}")
        raise InvalidGas(f"goal {number}: the level must be from -2 to 2, got {level!r}")
    return checked


def _weights(weights: Sequence[Any], goals: int) -> list[float]:
    if isinstance(weights, str | bytes) or not isinstance(weights, Sequence):
        raise InvalidGas("the weights must be a list, one per goal")
    if len(weights) != goals:
        raise InvalidGas(f"give one weight per goal (levels: {goals}, weights: {len(weights)})")
    checked = []
    for number, value in enumerate(weights, start=1):
        as_float = _as_float(value)
        if as_float is None:
            raise InvalidGas(f"goal {number}: the weight must be a finite number, got {value!r}")
        if as_float <= 0:
            raise InvalidGas(f"goal {number}: the weight must be above 0, got {value!r}")
        checked.append(as_float)
    return checked


def _rho(rho: Any) -> float:
    as_float = _as_float(rho)
    if as_float is None:
        raise InvalidGas(f"rho must be a finite number, got {rho!r}")
    if not 0 <= as_float < 1:
        raise InvalidGas(f"rho must be at least 0 and below 1, got {rho!r}")
    return as_float
