"""The scoring engine: answers in, a `Score` out. Pure: no Django, no database, no clock.

`score(instrument, answers, *, sex=None) -> Score` follows the published rules as settled by section 13 of the
clinical reference, driven entirely by the instrument's definition file:

- `answers` are the SCORED items in published order (recorded-not-scored items such as the PHQ-9 "how
  difficult" question are not passed). Each is a value the item allows (an int), `None` (missing: unanswered)
  or `NOT_APPLICABLE` (only where the item allows it: PHQ-15 item 4, WSAS item 1, every CARE item).
- Input outside the instrument's values (a value the item does not allow, the wrong number of answers,
  not applicable where it is not allowed) raises `InvalidResponse` with the reason. Never a wrong number.
- `sex` is the patient's recorded sex ("female", "male", ...). It matters only where the definition says so:
  for a patient recorded as male an unanswered PHQ-15 item 4 is taken as not applicable.
- Missing data (`ScoringRule`): not applicable "excluded" leaves the total and the count (PHQ-15 item 4: range
  0-28, bands unchanged); "prorated" makes it a gap like a missing answer (WSAS, CARE). Up to `max_missing`
  gaps are filled by prorating, total = sum answered x items counted / items answered (mean substitution);
  more gaps make the response unscorable, and then `scorable` is False, `total` and `band` are None and
  `reason` says why in plain words (`reason_code` is a stable key for translated messages).
- Rounding: "half_up" rounds the prorated total to a whole number with `Decimal` (x.5 goes up; Python's
  `round()` is never used); `total_unrounded` keeps the exact value. "none" (WSAS, CARE, PEG) reports the
  exact value as `total`. Values are `Decimal`; non-terminating quotients carry 28 significant digits.
- The band is assigned on `total`. Flags, in a stable order (critical items first, then the definition's
  flags): critical items are raised whatever the total, also when it is unscorable, and an unanswered
  critical item raises its "unknown" flag (PHQ-9 `item9_positive`, `item9_unknown`); item-count and
  syndrome flags count answered items, a missing item counting as absent, so a flag that is set is certain
  (PHQ-15 `three_or_more_severe`, PHQ-9 syndromes); total flags need a total (Whiteley-7 `screen_positive`).
  Note: with missing items, `other_depressive_syndrome` may be set where the full answers would show a major
  one; section 13 item 2 settles that the flags follow the answered items.

`score_battery(battery, parts, answers, *, sex=None) -> BatteryScore` scores each part of a battery such as
PHQ-SADS on its own, and its composites (PHQ-ADS = PHQ-9 total + GAD-7 total, no bands).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation
from typing import Final, Literal

from commonground.measures.datatypes import (
    Flag,
    Instrument,
    Item,
    ItemCountFlag,
    ScoringRule,
    SyndromeFlag,
    TotalFlag,
)

NOT_APPLICABLE: Final = "not_applicable"
Answer = int | Literal["not_applicable"] | None

_CONTEXT: Final = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])
_ONE: Final = Decimal(1)


class InvalidResponse(ValueError):
    """The answers are not a possible response to this instrument; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Score:
    instrument: str
    scorable: bool
    total: Decimal | None
    total_unrounded: Decimal | None
    band: str | None
    flags: tuple[str, ...]
    reason: str | None
    reason_code: str | None  # "too_many_missing" or "nothing_answered" when not scorable
    answered: int
    missing_items: tuple[str, ...]  # item ids
    not_applicable_items: tuple[str, ...]  # item ids, including those taken as not applicable
    prorated: bool
    maximum: Decimal | None  # the highest total possible for this response (28 when PHQ-15 item 4 is n/a)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `commonground score`."""
        return {
            "instrument": self.instrument,
            "scorable": self.scorable,
            "total": json_number(self.total),
            "total_unrounded": json_number(self.total_unrounded),
            "band": self.band,
            "flags": list(self.flags),
            "reason": self.reason,
        }


def json_number(value: Decimal | None) -> int | float | None:
    """A whole number as int, anything else as float (for JSON)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def round_half_up(value: Decimal) -> Decimal:
    """To a whole number, x.5 upwards (section 13: "rounded half up")."""
    return value.quantize(_ONE, rounding=ROUND_HALF_UP, context=_CONTEXT)


def score(instrument: Instrument, answers: Sequence[Answer], *, sex: str | None = None) -> Score:
    rule = instrument.scoring
    if rule is None:
        raise InvalidResponse(f"{instrument.id} is a battery: score each of its parts, or use score_battery")
    items = instrument.scored_items
    states = _checked(instrument, items, answers)
    states = tuple(
        NOT_APPLICABLE if state is None and sex is not None and sex in item.not_applicable_if_unanswered_for else state
        for item, state in zip(items, states, strict=True)
    )
    values = {item.id: state for item, state in zip(items, states, strict=True)}
    missing = tuple(item.id for item, state in zip(items, states, strict=True) if state is None)
    not_applicable = tuple(item.id for item, state in zip(items, states, strict=True) if state == NOT_APPLICABLE)
    answered = [state for state in states if isinstance(state, int)]
    reason = _unscorable_reason(instrument, rule, items, states)
    if reason is not None:
        return Score(
            instrument=instrument.id,
            scorable=False,
            total=None,
            total_unrounded=None,
            band=None,
            flags=_flags(instrument, values, None),
            reason=reason[1],
            reason_code=reason[0],
            answered=len(answered),
            missing_items=missing,
            not_applicable_items=not_applicable,
            prorated=False,
            maximum=None,
        )
    counted = len(items) - (len(not_applicable) if rule.not_applicable == "excluded" else 0)
    unrounded = _unrounded_total(rule, answered, counted)
    total = round_half_up(unrounded) if rule.rounding == "half_up" else unrounded
    return Score(
        instrument=instrument.id,
        scorable=True,
        total=total,
        total_unrounded=unrounded,
        band=next((band.id for band in instrument.bands if band.contains(total)), None),
        flags=_flags(instrument, values, total),
        reason=None,
        reason_code=None,
        answered=len(answered),
        missing_items=missing,
        not_applicable_items=not_applicable,
        prorated=rule.method == "sum" and len(answered) < counted,
        maximum=_maximum(rule, items, not_applicable),
    )


def _checked(instrument: Instrument, items: tuple[Item, ...], answers: Sequence[Answer]) -> tuple[Answer, ...]:
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InvalidResponse("the answers must be a list, one per scored item")
    if len(answers) != len(items):
        raise InvalidResponse(
            f"the {instrument.short_name} has {len(items)} scored items, so it needs {len(items)} answers "
            f"(null for unanswered); {len(answers)} were given"
        )
    for position, (item, answer) in enumerate(zip(items, answers, strict=True), start=1):
        _check_answer(instrument, position, item, answer)
    return tuple(answers)


def _check_answer(instrument: Instrument, position: int, item: Item, answer: object) -> None:
    where = f"{instrument.short_name} item {position} ({item.label})"
    if answer is None:
        return
    if answer == NOT_APPLICABLE:
        if not item.not_applicable_allowed:
            allowed = [
                str(i) for i, other in enumerate(instrument.scored_items, start=1) if other.not_applicable_allowed
            ]
            hint = f"; only item {', '.join(allowed)} may be" if allowed else ""
            raise InvalidResponse(f"{where}: cannot be marked not applicable{hint}")
        return
    allowed_values = ", ".join(str(value) for value in sorted(item.values))
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise InvalidResponse(
            f"{where}: {answer!r} is not an answer; give one of {allowed_values}, or null when unanswered"
        )
    if answer not in item.values:
        raise InvalidResponse(f"{where}: {answer} is not a value this item allows ({allowed_values})")


def _unscorable_reason(
    instrument: Instrument, rule: ScoringRule, items: tuple[Item, ...], states: tuple[Answer, ...]
) -> tuple[str, str] | None:
    missing = [i for i, state in enumerate(states, start=1) if state is None]
    gaps_na = [
        i for i, state in enumerate(states, start=1) if state == NOT_APPLICABLE and rule.not_applicable == "prorated"
    ]
    if not any(isinstance(state, int) for state in states):
        return "nothing_answered", "No item has a scored answer, so there is no total."
    if len(missing) + len(gaps_na) <= rule.max_missing:
        return None
    said = []
    if gaps_na:
        said.append(f"{_items_phrase(gaps_na)} {'is' if len(gaps_na) == 1 else 'are'} marked not applicable")
    if missing:
        said.append(f"{_items_phrase(missing)} {'was' if len(missing) == 1 else 'were'} not answered")
    if rule.max_missing == 0:
        tail = f"The {instrument.short_name} is scored only when every item is answered."
    else:
        counts_na = rule.not_applicable == "prorated" and any(item.not_applicable_allowed for item in items)
        gap = "unanswered or not applicable" if counts_na else "unanswered"
        allowance = "1 item" if rule.max_missing == 1 else f"{rule.max_missing} items"
        tail = f"The {instrument.short_name} allows at most {allowance} {gap}, so no total can be given."
    sentence = " and ".join(said)
    return "too_many_missing", f"{sentence[0].upper()}{sentence[1:]}. {tail}"


def _items_phrase(positions: list[int]) -> str:
    if len(positions) == 1:
        return f"item {positions[0]}"
    listed = ", ".join(str(p) for p in positions[:-1])
    return f"items {listed} and {positions[-1]}"


def _unrounded_total(rule: ScoringRule, answered: list[int], counted: int) -> Decimal:
    total = Decimal(sum(answered))
    if rule.method == "mean":
        return _CONTEXT.divide(total, Decimal(len(answered)))
    if len(answered) == counted:
        return total
    return _CONTEXT.divide(total * counted, Decimal(len(answered)))


def _maximum(rule: ScoringRule, items: tuple[Item, ...], not_applicable: tuple[str, ...]) -> Decimal:
    if rule.method == "sum" and rule.not_applicable == "excluded" and not_applicable:
        return Decimal(sum(item.highest for item in items if item.id not in not_applicable))
    return rule.maximum


def _flags(instrument: Instrument, values: Mapping[str, Answer], total: Decimal | None) -> tuple[str, ...]:
    raised: list[str] = []
    for critical in instrument.critical_items:
        value = values[critical.item]
        if _at_least(value, critical.at_least):
            raised.append(critical.flag)
        elif value is None and critical.unanswered_flag is not None:
            raised.append(critical.unanswered_flag)
    raised.extend(flag.id for flag in instrument.flags if _is_raised(flag, values, total))
    return tuple(raised)


def _is_raised(flag: Flag, values: Mapping[str, Answer], total: Decimal | None) -> bool:
    if isinstance(flag, TotalFlag):
        return total is not None and total >= flag.at_least
    if isinstance(flag, ItemCountFlag):
        return sum(1 for value in values.values() if _at_least(value, flag.value_at_least)) >= flag.count_at_least
    return _syndrome(flag, values)


def _at_least(value: Answer, level: int) -> bool:
    return isinstance(value, int) and value >= level


def _syndrome(flag: SyndromeFlag, values: Mapping[str, Answer]) -> bool:
    present = {item_id for item_id, level in flag.symptoms if _at_least(values[item_id], level)}
    core = sum(1 for item_id in flag.core_items if item_id in present)
    at_most = flag.max_symptoms if flag.max_symptoms is not None else len(flag.symptoms)
    return core >= flag.min_core and flag.min_symptoms <= len(present) <= at_most


@dataclass(frozen=True)
class CompositeScore:
    """A battery's composite total (PHQ-ADS); no bands."""

    id: str
    label: str
    scorable: bool
    total: Decimal | None
    total_unrounded: Decimal | None
    reason: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "scorable": self.scorable,
            "total": json_number(self.total),
            "total_unrounded": json_number(self.total_unrounded),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class BatteryScore:
    instrument: str
    parts: tuple[Score, ...]  # in the battery's order
    composites: tuple[CompositeScore, ...]

    def part(self, instrument_id: str) -> Score:
        return next(part for part in self.parts if part.instrument == instrument_id)

    def as_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "parts": {part.instrument: part.as_dict() for part in self.parts},
            "composites": {composite.id: composite.as_dict() for composite in self.composites},
        }


def score_battery(
    battery: Instrument,
    parts: Mapping[str, Instrument],
    answers: Sequence[Answer] | Mapping[str, Sequence[Answer]],
    *,
    sex: str | None = None,
) -> BatteryScore:
    """Each part scored on its own; `answers` per part id, or one list in the battery's order (PHQ-SADS: 31)."""
    if battery.battery is None:
        raise InvalidResponse(f"{battery.id} is not a battery")
    members = [parts[part_id] for part_id in battery.battery.parts]
    by_part = answers if isinstance(answers, Mapping) else _split(battery, members, answers)
    missing = [member.id for member in members if member.id not in by_part]
    if missing:
        raise InvalidResponse(f"{battery.short_name}: no answers for {', '.join(missing)}")
    scores = tuple(score(member, by_part[member.id], sex=sex) for member in members)
    by_id = {part.instrument: part for part in scores}
    composites = tuple(
        _composite(composite.id, composite.label, [by_id[p] for p in composite.parts], parts)
        for composite in battery.battery.composites
    )
    return BatteryScore(instrument=battery.id, parts=scores, composites=composites)


def _split(battery: Instrument, members: list[Instrument], answers: Sequence[Answer]) -> dict[str, Sequence[Answer]]:
    sizes = [len(member.scored_items) for member in members]
    if isinstance(answers, str | bytes) or len(answers) != sum(sizes):
        listing = ", ".join(f"{member.short_name} ({size})" for member, size in zip(members, sizes, strict=True))
        given = len(answers) if not isinstance(answers, str | bytes) else "no list"
        raise InvalidResponse(f"the {battery.short_name} takes {sum(sizes)} answers: {listing}; {given} were given")
    result: dict[str, Sequence[Answer]] = {}
    start = 0
    for member, size in zip(members, sizes, strict=True):
        result[member.id] = answers[start : start + size]
        start += size
    return result


def _composite(composite_id: str, label: str, scores: list[Score], parts: Mapping[str, Instrument]) -> CompositeScore:
    unscorable = [parts[part.instrument].short_name for part in scores if not part.scorable]
    if unscorable:
        needed = " and ".join(parts[part.instrument].short_name for part in scores)
        return CompositeScore(
            id=composite_id,
            label=label,
            scorable=False,
            total=None,
            total_unrounded=None,
            reason=f"The {label} needs the {needed} totals; the {' and the '.join(unscorable)} could not be scored.",
        )
    return CompositeScore(
        id=composite_id,
        label=label,
        scorable=True,
        total=sum((part.total for part in scores if part.total is not None), Decimal(0)),
        total_unrounded=sum((part.total_unrounded for part in scores if part.total_unrounded is not None), Decimal(0)),
        reason=None,
    )
