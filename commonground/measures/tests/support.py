"""Helpers for the measures tests: the built-in instruments, and answers that add up to a chosen total."""

from __future__ import annotations

from commonground.measures.definitions import Instrument, builtin_library
from commonground.measures.scoring import NOT_APPLICABLE, Answer

BUILTIN = builtin_library()
NA = NOT_APPLICABLE


def get(instrument_id: str) -> Instrument:
    return BUILTIN[instrument_id]


def answers_with_total(instrument: Instrument, total: int) -> list[Answer]:
    """Every scored item answered, adding up to `total` (highest values first)."""
    answers: list[Answer] = []
    left = total
    for item in instrument.scored_items:
        value = max((v for v in item.values if v <= left), default=item.lowest)
        answers.append(value)
        left -= value
    assert left == 0 and sum(a for a in answers if isinstance(a, int)) == total, "total out of reach"
    return answers
