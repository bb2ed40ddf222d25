"""Reads of the goals domain. Callers have opened the patient through the access gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, QuerySet, When
from django.db.models import Value as Constant

from commonground.goals import gas
from commonground.goals.choices import GoalStatus, RungState, RungStatus
from commonground.goals.models import GasReview, GasSettings, Goal, LadderEvent, Milestone, Value
from commonground.kit.models import RecordStatus
from commonground.patients import selectors as patient_selectors
from commonground.patients.models import Patient

# Active goals first, then paused, achieved and set aside.
STATUS_ORDER = [GoalStatus.ACTIVE, GoalStatus.ON_HOLD, GoalStatus.ACHIEVED, GoalStatus.ENDED]


@dataclass(frozen=True)
class Ladder:
    goal: Goal
    rungs: list[Milestone]  # on the ladder, bottom (1) to top
    done: int  # rungs marked done
    next_rung: Milestone | None  # the lowest rung not done
    events: list[LadderEvent]  # oldest first


@dataclass(frozen=True)
class GasPoint:
    on: date
    t_score: float
    goals: int  # how many goals counted
    goal_ids: tuple[Any, ...] = ()  # which


def _as_uuid(value: UUID | str) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def values_of(patient: Patient) -> QuerySet[Value]:
    return Value.objects.current().filter(patient=patient).order_by("position", "created_at")


def goals_of(patient: Patient, *, include_ended: bool = True) -> QuerySet[Goal]:
    """Current goals (not entered in error), active first, with their value joined."""
    # `include_ended=False` leaves out the goals set aside (status "ended"); achieved goals stay.
    status_rank = Case(
        *(When(status=status, then=Constant(rank)) for rank, status in enumerate(STATUS_ORDER)),
        default=Constant(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    found: QuerySet[Goal] = Goal.objects.current().filter(patient=patient).select_related("value")
    if not include_ended:
        found = found.exclude(status=GoalStatus.ENDED)
    return found.annotate(status_rank=status_rank).order_by("status_rank", "set_on", "created_at")


def value_of(patient: Patient, value_id: UUID | str) -> Value | None:
    """One of this patient's current values, or None (also for a malformed id)."""
    parsed = _as_uuid(value_id)
    if parsed is None:
        return None
    return values_of(patient).filter(pk=parsed).first()


def reviews_of(goals: list[Goal]) -> dict[UUID, list[GasReview]]:
    """Each goal's current reviews, oldest first, with the reviewer joined, in one query."""
    found: dict[UUID, list[GasReview]] = {goal.id: [] for goal in goals}
    reviews = GasReview.objects.current().filter(goal__in=[goal.id for goal in goals]).select_related("reviewed_by")
    for review in reviews.order_by("reviewed_on", "created_at"):
        found[review.goal_id].append(review)
    return found


def latest_reviews(goals: list[Goal]) -> dict[UUID, GasReview]:
    """Each reviewed goal's latest current review."""
    return {goal_id: found[-1] for goal_id, found in reviews_of(goals).items() if found}


def patient_id_of_goal(goal_id: UUID | str) -> UUID | None:
    """Whose goal this is, so an endpoint can open that patient through the gateway before reading it."""
    parsed = _as_uuid(goal_id)
    if parsed is None:
        return None
    found: UUID | None = Goal.objects.current().filter(pk=parsed).values_list("patient_id", flat=True).first()
    return found


def goal_of(patient: Patient, goal_id: UUID | str) -> Goal | None:
    """One of this patient's current goals, or None (also for a malformed id)."""
    parsed = _as_uuid(goal_id)
    if parsed is None:
        return None
    return Goal.objects.current().filter(patient=patient, pk=parsed).select_related("value").first()


def milestone_of(patient: Patient, milestone_id: UUID | str) -> Milestone | None:
    """One rung on a ladder of this patient's goals, or None."""
    # A rung split or taken off the ladder is found too (its history is the patient's); the services refuse
    # to change it with a plain message.
    parsed = _as_uuid(milestone_id)
    if parsed is None:
        return None
    found = Milestone.objects.current().filter(pk=parsed, goal__patient=patient)
    return found.exclude(goal__record_status=RecordStatus.ENTERED_IN_ERROR).select_related("goal").first()


def _ladder(goal: Goal, rungs: list[Milestone], events: list[LadderEvent]) -> Ladder:
    return Ladder(
        goal=goal,
        rungs=rungs,
        done=sum(1 for rung in rungs if rung.state == RungState.DONE),
        next_rung=next((rung for rung in rungs if rung.state != RungState.DONE), None),
        events=events,
    )


def _rungs(goal_ids: list[Any]) -> QuerySet[Milestone]:
    return (
        Milestone.objects.current()
        .filter(goal_id__in=goal_ids, status=RungStatus.ON_LADDER)
        .order_by("goal_id", "position")
    )


def _events(goal_ids: list[Any]) -> QuerySet[LadderEvent]:
    return (
        LadderEvent.objects.filter(goal_id__in=goal_ids).select_related("by", "milestone").order_by("at", "created_at")
    )


def ladder(goal: Goal) -> Ladder:
    return _ladder(goal, list(_rungs([goal.pk])), list(_events([goal.pk])))


def ladders(patient: Patient) -> list[Ladder]:
    """Every current goal's ladder, in the order of `goals_of` (few queries: not one per goal)."""
    goals = list(goals_of(patient))
    ids = [goal.pk for goal in goals]
    rungs: dict[Any, list[Milestone]] = defaultdict(list)
    for rung in _rungs(ids):
        rungs[rung.goal_id].append(rung)
    events: dict[Any, list[LadderEvent]] = defaultdict(list)
    for event in _events(ids):
        events[event.goal_id].append(event)
    return [_ladder(goal, rungs[goal.pk], events[goal.pk]) for goal in goals]


def gas_settings(organisation_id: Any) -> GasSettings:
    """The clinic's goal attainment settings, or the defaults (not saved) when it has none."""
    found = GasSettings.objects.filter(organisation_id=organisation_id).first()
    return found if found is not None else GasSettings(organisation_id=organisation_id)


def goal_weight(goal: Goal, settings: GasSettings) -> int:
    """importance × difficulty when the clinic weights goals and both are rated; else every goal counts 1."""
    if settings.weighted and goal.importance is not None and goal.difficulty is not None:
        return gas.weight(goal.importance, goal.difficulty)
    return 1


def gas_trend(patient: Patient) -> list[GasPoint]:
    """The goal attainment T-score across the patient's goals, oldest first, with the clinic's weights and ρ.

    A point on the day a goal starts to count (its baseline), on each review day and on the day a goal is set
    aside. A goal counts from the day
    it is both set and agreed by the patient; a goal set aside stops counting on the day it was set aside;
    an achieved goal counts at its latest level. Each goal counts at its latest review by then, or at its
    starting level before its first review. Goals and reviews entered in error do not count."""
    goals = list(Goal.objects.current().filter(patient=patient, agreed_by_patient=True))
    reviews = list(
        GasReview.objects.current().filter(goal__in=[goal.pk for goal in goals]).order_by("reviewed_on", "created_at")
    )
    settings = gas_settings(patient.organisation_id)
    starts = {_counts_from(goal) for goal in goals}
    set_aside = {goal.closed_on for goal in goals if goal.status == GoalStatus.ENDED and goal.closed_on}
    days = sorted(starts | set_aside | {review.reviewed_on for review in reviews})
    latest: dict[Any, int] = {}
    by_day = {day: list(found) for day, found in groupby(reviews, key=lambda review: review.reviewed_on)}
    points = []
    for day in days:
        latest |= {review.goal_id: review.level for review in by_day.get(day, [])}  # later replaces earlier
        counted = [goal for goal in goals if _counts_on(goal, day)]
        if not counted:
            continue
        levels = [latest.get(goal.pk, goal.baseline_level) for goal in counted]
        weights = [float(goal_weight(goal, settings)) for goal in counted]
        t_score = gas.t_score(levels, weights, float(settings.rho))
        points.append(GasPoint(on=day, t_score=t_score, goals=len(counted), goal_ids=tuple(g.pk for g in counted)))
    return points


def _counts_from(goal: Goal) -> date:
    return max(goal.set_on, goal.agreed_on or goal.set_on)


def _counts_on(goal: Goal, day: date) -> bool:
    if day < _counts_from(goal):
        return False
    if goal.status != GoalStatus.ENDED or goal.closed_on is None:
        return True
    return day < goal.closed_on  # set aside that day


def supporters_for_goals(patient: Patient) -> list[Any]:
    """The patient's supporters whose sharing consent is in force (those a goal may involve)."""
    return list(patient_selectors.supporters(patient))


def supporters_of(goal: Goal) -> list[Any]:
    """The supporters a goal involves whose sharing consent is still in force (a withdrawal hides them)."""
    chosen = {str(supporter_id) for supporter_id in goal.supporter_ids}
    return [supporter for supporter in patient_selectors.supporters(goal.patient) if str(supporter.id) in chosen]
