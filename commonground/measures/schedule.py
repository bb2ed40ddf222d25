"""When each questionnaire of a measurement plan is due, and whether it is due or overdue today (pure).

Baseline on the plan's start; then every `interval_weeks`, while therapy lasts; one at the end of therapy
(the care episode's end until the care-plan issue adds sessions); one follow-up `follow_up_months` after
therapy ends. The clock is passed in (DESIGN rule 7).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from commonground.measures.choices import DueState, Occasion, ScheduleStatus


@dataclass(frozen=True)
class PlanTimes:
    starts_on: date
    interval_weeks: int
    at_end_of_therapy: bool
    follow_up_months: int | None


@dataclass(frozen=True, order=True)
class PlannedMeasure:
    due_on: date
    occasion: str
    instrument: str


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when that day does not exist (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occasions(times: PlanTimes, *, therapy_ended_on: date | None, until: date) -> list[tuple[date, str]]:
    """Every (due date, occasion) of the plan up to and including `until`.

    Regular reviews stop once therapy has ended (no review on or after the end-of-therapy date).
    """
    if times.interval_weeks < 1:
        raise ValueError("the interval must be at least one week")
    found: list[tuple[date, str]] = []
    if times.starts_on <= until:
        found.append((times.starts_on, Occasion.BASELINE))
    step = timedelta(weeks=times.interval_weeks)
    due = times.starts_on + step
    while due <= until and (therapy_ended_on is None or due < therapy_ended_on):
        found.append((due, Occasion.INTERVAL))
        due += step
    if therapy_ended_on is not None and therapy_ended_on > times.starts_on:
        if times.at_end_of_therapy and therapy_ended_on <= until:
            found.append((therapy_ended_on, Occasion.END_OF_THERAPY))
        if times.follow_up_months:
            follow_up = add_months(therapy_ended_on, times.follow_up_months)
            if follow_up <= until:
                found.append((follow_up, Occasion.FOLLOW_UP))
    return found


def planned_measures(
    times: PlanTimes, instruments: Iterable[str], *, therapy_ended_on: date | None, until: date
) -> list[PlannedMeasure]:
    """The plan's questionnaires on each occasion, in date order."""
    names = list(dict.fromkeys(instruments))
    return sorted(
        PlannedMeasure(due_on=due, occasion=occasion, instrument=name)
        for due, occasion in occasions(times, therapy_ended_on=therapy_ended_on, until=until)
        for name in names
    )


def horizon(today: date, times: PlanTimes) -> date:
    """How far ahead the schedule is written: far enough that the next review is listed as upcoming."""
    return today + timedelta(weeks=times.interval_weeks)


def superseded(open_items: Iterable[tuple[Any, Any, date]], today: date) -> list[Any]:
    """Ids of open questionnaires that a later one of the same instrument, already due, replaces.

    `open_items` are (id, instrument, due on). A patient who missed a review is asked once, for the latest,
    not once per missed occasion (answers always cover the recall period before the day they are given).
    """
    items = list(open_items)
    latest: dict[Any, tuple[date, Any]] = {}
    for item_id, instrument, due_on in items:
        if due_on <= today and (instrument not in latest or due_on > latest[instrument][0]):
            latest[instrument] = (due_on, item_id)
    keep = {item_id for _due, item_id in latest.values()}
    return [item_id for item_id, _instrument, due_on in items if due_on <= today and item_id not in keep]


def due_state(*, due_on: date, status: str, today: date, overdue_after_days: int) -> str:
    """Upcoming before its day; due from its day for `overdue_after_days`; overdue after that."""
    if status == ScheduleStatus.COMPLETED:
        return DueState.COMPLETED
    if status == ScheduleStatus.CANCELLED:
        return DueState.CANCELLED
    if status == ScheduleStatus.MISSED:
        return DueState.MISSED
    if today < due_on:
        return DueState.UPCOMING
    if (today - due_on).days > overdue_after_days:
        return DueState.OVERDUE
    return DueState.DUE
