"""Reads of the goals domain. Callers have opened the patient through the access gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from commonground.goals.models import Goal, LadderEvent, Milestone, Value
from commonground.patients.models import Patient


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


def values_of(patient: Patient) -> QuerySet[Value]:
    raise NotImplementedError


def goals_of(patient: Patient, *, include_ended: bool = True) -> QuerySet[Goal]:
    """Current goals (not entered in error), active first, with their value joined."""
    raise NotImplementedError


def goal_of(patient: Patient, goal_id: UUID | str) -> Goal | None:
    """One of this patient's current goals, or None (also for a malformed id)."""
    raise NotImplementedError


def milestone_of(patient: Patient, milestone_id: UUID | str) -> Milestone | None:
    """One rung on a ladder of this patient's goals, or None."""
    raise NotImplementedError


def ladder(goal: Goal) -> Ladder:
    raise NotImplementedError


def ladders(patient: Patient) -> list[Ladder]:
    """Every current goal's ladder, in the order of `goals_of` (few queries: not one per goal)."""
    raise NotImplementedError


def gas_trend(patient: Patient) -> list[GasPoint]:
    """The goal attainment T-score across the patient's goals at each review date, oldest first, using the
    clinic's weights and ρ; at each date every goal set by then counts at its latest level (baseline before
    its first review). Goals entered in error do not count."""
    raise NotImplementedError


def supporters_for_goals(patient: Patient) -> list[Any]:
    """The patient's supporters whose sharing consent is in force (those a goal may involve)."""
    raise NotImplementedError
