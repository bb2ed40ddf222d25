"""Cross-field checks of a parsed instrument: ranges, bands, flags, licence. Pure; errors name file and field.

- The declared score range must be the range the items actually give (a typo in an option value shows up).
- Bands must cover the whole range, in order, without gaps or overlaps. Where totals are always whole numbers
  (rounded, or a sum that is never prorated), "0-4" then "5-9" is contiguous; otherwise a boundary must be
  shared with exactly one side exclusive (WSAS: "<10", "10-20", ">20").
- Flag ids are unique; thresholds lie within the values the items allow.
- A definition whose licence says `labels_only` may not carry full item text anywhere (section 13 item 9);
  one that says `full` must give the text of every item.
"""

from __future__ import annotations

from decimal import Decimal

from commonground.measures.datatypes import Band, Instrument, ItemCountFlag, ScoringRule, SyndromeFlag, TotalFlag
from commonground.measures.reader import Reader


def number_range(r: Reader, where: str, value: object) -> tuple[Decimal, Decimal]:
    bounds = r.array(where, value)
    if len(bounds) != 2:
        r.fail(where, "must be [lowest, highest]")
    low, high = r.number(f"{where}[0]", bounds[0]), r.number(f"{where}[1]", bounds[1])
    if low >= high:
        r.fail(where, "the lowest value must be below the highest")
    return low, high


def check_instrument(r: Reader, instrument: Instrument) -> None:
    assert instrument.scoring is not None  # only batteries have none, and they are not checked here
    _check_range(r, instrument, instrument.scoring)
    _check_bands(r, instrument.bands, instrument.scoring)
    _check_flags(r, instrument)


def _check_range(r: Reader, instrument: Instrument, rule: ScoringRule) -> None:
    scored = instrument.scored_items
    if rule.method == "sum":
        low, high = Decimal(sum(item.lowest for item in scored)), Decimal(sum(item.highest for item in scored))
    else:
        low, high = Decimal(min(item.lowest for item in scored)), Decimal(max(item.highest for item in scored))
    if (rule.minimum, rule.maximum) != (low, high):
        r.fail(
            "scoring.range",
            f"is {rule.minimum}..{rule.maximum} but the scored items give {low}..{high} ({rule.method})",
        )


def whole_number_totals(rule: ScoringRule) -> bool:
    """True when every total is a whole number: rounded, or a sum that is never prorated."""
    return rule.rounding == "half_up" or (rule.method == "sum" and rule.max_missing == 0)


def _check_bands(r: Reader, bands: tuple[Band, ...], rule: ScoringRule) -> None:
    if not bands:
        return
    ids = [band.id for band in bands]
    if len(set(ids)) != len(ids):
        r.fail("bands", "two bands have the same id")
    for i, band in enumerate(bands):
        if band.minimum > band.maximum or (
            band.minimum == band.maximum and (band.minimum_exclusive or band.maximum_exclusive)
        ):
            r.fail(f"bands[{i}] ({band.id})", "is empty: its minimum must be below its maximum")
    first, last = bands[0], bands[-1]
    if first.minimum != rule.minimum or first.minimum_exclusive:
        r.fail(f"bands[0] ({first.id})", f"must start at the lowest possible total, {rule.minimum}, inclusive")
    if last.maximum != rule.maximum or last.maximum_exclusive:
        r.fail(f"bands[{len(bands) - 1}] ({last.id})", f"must end at the highest possible total, {rule.maximum}")
    whole = whole_number_totals(rule)
    for i in range(1, len(bands)):
        before, band = bands[i - 1], bands[i]
        shared = band.minimum == before.maximum and band.minimum_exclusive != before.maximum_exclusive
        stepped = (
            whole
            and band.minimum == before.maximum + 1
            and before.maximum == before.maximum.to_integral_value()
            and not (band.minimum_exclusive or before.maximum_exclusive)
        )
        if not (shared or stepped):
            r.fail(
                f"bands[{i}] ({band.id})",
                f"must start where {before.id} ends, with no gap or overlap"
                + ("" if whole else " (totals can be fractions here: share the boundary, one side exclusive)"),
            )


def _check_flags(r: Reader, instrument: Instrument) -> None:
    ids = instrument.flag_ids
    for flag_id in ids:
        if ids.count(flag_id) > 1:
            r.fail("flags", f"the flag id {flag_id!r} is used twice")
    rule = instrument.scoring
    assert rule is not None
    for i, flag in enumerate(instrument.flags):
        where = f"flags[{i}] ({flag.id})"
        if isinstance(flag, ItemCountFlag) and flag.count_at_least > len(instrument.scored_items):
            r.fail(f"{where}.count_at_least", "is more than the number of scored items")
        if isinstance(flag, TotalFlag) and not rule.minimum < flag.at_least <= rule.maximum:
            r.fail(f"{where}.at_least", f"must be above {rule.minimum} and at most {rule.maximum}")
        if isinstance(flag, SyndromeFlag):
            for item_id, level in flag.symptoms:
                item = instrument.item(item_id)
                if not item.lowest < level <= item.highest:
                    r.fail(f"{where}.symptoms.{item_id}", f"must be above {item.lowest} and at most {item.highest}")


def check_licence(r: Reader, instrument: Instrument) -> None:
    if instrument.licence.text == "labels_only":
        for item in instrument.items:
            if item.text is not None:
                r.fail(
                    f"item {item.id}.text",
                    "the licence says labels_only, so no full item text may be shipped; a clinic that holds the "
                    "licence adds it with a text extension (commonground instruments load)",
                )
        for language, translation in instrument.translations.items():
            if translation.item_texts and instrument.licence.clinic_note is None:
                r.fail(
                    f"translations.{language}",
                    "the licence says labels_only: full item text comes only in a clinic's text extension",
                )
        return
    for item in instrument.items:
        if item.text is None:
            r.fail(f"item {item.id}", "the licence says full, so every item needs its full 'text'")
