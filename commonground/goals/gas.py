"""Goal attainment scaling, pure (clinical.md section 11 and decision 12).

T = 50 + 10·Σ(wᵢxᵢ) / √((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²), levels −2..+2, weights positive, ρ default 0.3.

CONTRACT: `t_score(levels, weights=None, rho=0.3) -> float` raising `InvalidGas(reason)` on bad input
(no goals, a level outside −2..+2 or not a whole number, weights of another length, a weight ≤ 0, ρ outside
[0, 1)), and `weight(importance, difficulty) -> int` (importance × difficulty, each 1-3).
"""

from __future__ import annotations

DEFAULT_RHO = 0.3


class InvalidGas(ValueError):
    """The levels, weights or ρ cannot give a T-score; the message says why."""


def t_score(levels: list[int], weights: list[float] | None = None, rho: float = DEFAULT_RHO) -> float:
    raise NotImplementedError


def weight(importance: int, difficulty: int) -> int:
    raise NotImplementedError
