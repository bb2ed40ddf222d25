"""Pacing, pure: a personal activity baseline and boom-bust detection (issue 6, item 3; defined in
docs/pacing.md). No database and no clock: the days are passed in.

A *boom* is a day whose activity is well above what the patient usually does (their baseline) and above
what they planned with their clinician (the envelope of graded activity). A *bust* is a symptom flare on
one of the next two days. A boom followed by a bust is a boom-bust episode: information for planning the
next days, never a judgement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

BASELINE_DAYS = 14  # the baseline is read from the first two weeks with entries…
MIN_BASELINE_DAYS = 5  # …of which at least this many must have both activity and symptoms
BOOM_FACTOR = 1.5  # a boom: at least 50 % above the baseline and above the planned envelope
FLARE_RISE = 2.0  # a flare: the symptom score at least 2 points (of 0-10) above its baseline
FLARE_WINDOW = 2  # a flare counts for a boom on the next day or the day after


class NotEnoughDays(ValueError):
    """Too few days with entries to set a baseline (the message and `needed` say how many more are needed)."""

    def __init__(self, message: str, *, needed: int) -> None:
        super().__init__(message)
        self.needed = needed


@dataclass(frozen=True)
class Day:
    on: date
    activity: float | None  # the day's activity load (e.g. minutes × effort), None when not recorded
    symptom: float | None  # the day's symptom score 0-10, None when not recorded


@dataclass(frozen=True)
class Baseline:
    activity: float  # median daily activity over the baseline days
    symptom: float  # median symptom score over the baseline days
    days: int  # how many days it was read from
    ends_on: date  # the last baseline day: detection starts after it


@dataclass(frozen=True)
class Episode:
    boom_on: date
    flare_on: date
    activity: float
    envelope: float  # what counted as "well above" that day
    symptom_rise: float  # the flare's points above the symptom baseline


def baseline(days: Iterable[Day]) -> Baseline:
    """The baseline from the first window of BASELINE_DAYS calendar days, starting on a day with an entry, that
    holds at least MIN_BASELINE_DAYS complete days (activity and symptom). An early entry followed by a long
    gap therefore never holds the baseline back. Raises NotEnoughDays (its `needed` says how many more
    complete days the fullest window so far needs)."""
    ordered = sorted((day for day in days if day.activity is not None or day.symptom is not None), key=_on)
    if not ordered:
        raise NotEnoughDays(f"no entries yet; {MIN_BASELINE_DAYS} days are needed", needed=MIN_BASELINE_DAYS)
    complete = [day for day in ordered if day.activity is not None and day.symptom is not None]
    fullest = 0
    for start in dict.fromkeys(day.on for day in ordered):
        window_end = start + timedelta(days=BASELINE_DAYS - 1)
        inside = [day for day in complete if start <= day.on <= window_end]
        if len(inside) >= MIN_BASELINE_DAYS:
            return Baseline(
                activity=float(median(day.activity for day in inside if day.activity is not None)),
                symptom=float(median(day.symptom for day in inside if day.symptom is not None)),
                days=len(inside),
                ends_on=window_end,
            )
        fullest = max(fullest, len(inside))
    missing = MIN_BASELINE_DAYS - fullest
    raise NotEnoughDays(f"{missing} more day(s) with activity and symptoms are needed within two weeks", needed=missing)


def envelope(base: Baseline, planned: dict[date, float] | None, on: date) -> float:
    """The activity that counts as "well above" on a day: BOOM_FACTOR times the larger of the baseline and the
    activity planned for that day (graded activity raises the plan, so a planned increase is never a boom)."""
    plan = (planned or {}).get(on, 0.0)
    return BOOM_FACTOR * max(base.activity, plan)


def booms_and_busts(
    days: Sequence[Day], *, planned: dict[date, float] | None = None, base: Baseline | None = None
) -> list[Episode]:
    """Every boom-bust episode after the baseline, oldest first.

    A boom is matched to the first flare in the FLARE_WINDOW days after it; a flare that follows two booms
    belongs to the later one (counted once). A boom whose next days have no symptom score is left undecided
    (not an episode).
    """
    found = base or baseline(days)
    by_day = {day.on: day for day in days}
    episodes: list[Episode] = []
    for day in sorted(days, key=_on):
        if day.on <= found.ends_on or day.activity is None:
            continue
        limit = envelope(found, planned, day.on)
        if day.activity < limit:
            continue
        flare = _first_flare(by_day, day.on, found)
        if flare is not None:
            episodes.append(
                Episode(
                    boom_on=day.on,
                    flare_on=flare.on,
                    activity=day.activity,
                    envelope=limit,
                    symptom_rise=(flare.symptom or 0.0) - found.symptom,
                )
            )
    return _latest_boom_per_flare(episodes)


def _first_flare(by_day: dict[date, Day], boom_on: date, base: Baseline) -> Day | None:
    for offset in range(1, FLARE_WINDOW + 1):
        later = by_day.get(boom_on + timedelta(days=offset))
        if later is None or later.symptom is None:
            continue
        if later.symptom - base.symptom >= FLARE_RISE:
            return later
    return None


def _latest_boom_per_flare(episodes: list[Episode]) -> list[Episode]:
    """Two booms before one flare: the flare belongs to the later boom (the nearer cause), counted once."""
    latest: dict[date, Episode] = {}
    for episode in episodes:
        kept = latest.get(episode.flare_on)
        if kept is None or episode.boom_on > kept.boom_on:
            latest[episode.flare_on] = episode
    return sorted(latest.values(), key=lambda episode: episode.boom_on)


def _on(day: Day) -> date:
    return day.on


# --- daily feedback against the planned envelope ---------------------------------------------------------------

LEARNING = "learning"  # no baseline yet: the first two weeks are for learning what a usual day is
NO_ACTIVITY = "no_activity"  # nothing recorded about activity that day
LIGHTER = "lighter"  # less than LIGHT_FACTOR of the usual: a lighter day (rest is part of pacing too)
WITHIN = "within"  # from a light day up to the "well above" line: within the plan and the usual
LIGHT_FACTOR = 0.5
ABOVE = "above"  # at or above it: a boom day


@dataclass(frozen=True)
class Feedback:
    kind: str
    on: date
    activity: float | None = None
    usual: float | None = None  # the larger of the baseline and the plan that day
    days_needed: int = 0  # while learning: complete days still needed for a baseline
    compares_from: date | None = None  # while learning with a baseline found: the first day compared with it


def day_feedback(days: Sequence[Day], on: date, *, planned: dict[date, float] | None = None) -> Feedback:
    """How a day's activity compares with the patient's usual day and their plan (never a judgement)."""
    try:
        found = baseline(days)
    except NotEnoughDays as learning:
        return Feedback(LEARNING, on, days_needed=learning.needed)
    if on <= found.ends_on:  # the baseline is found, its two weeks not over yet
        return Feedback(LEARNING, on, usual=found.activity, compares_from=found.ends_on + timedelta(days=1))
    today = next((day for day in days if day.on == on), None)
    if today is None or today.activity is None:
        return Feedback(NO_ACTIVITY, on)
    usual = max(found.activity, (planned or {}).get(on, 0.0))
    if today.activity >= envelope(found, planned, on):
        kind = ABOVE
    elif today.activity < LIGHT_FACTOR * usual:
        kind = LIGHTER
    else:
        kind = WITHIN
    return Feedback(kind, on, activity=today.activity, usual=usual)
