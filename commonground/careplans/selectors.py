"""Reads of the care-plan domain. Callers have opened the patient through the access gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import QuerySet

from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.patients.models import Patient


@dataclass(frozen=True)
class SessionsAgainstPlan:
    held: int
    planned_min: int
    planned_max: int
    minutes_held: int  # total
    average_minutes: float | None
    minutes_min: int
    minutes_max: int
    within_plan: bool  # held ≤ planned_max and (therapy going on or held ≥ planned_min)
    last_held_on: date | None


def plan_of(patient: Patient) -> CarePlan | None:
    raise NotImplementedError


def elements_of(plan: CarePlan) -> QuerySet[TherapyElement]:
    """Current elements in order, with the responsible person joined."""
    raise NotImplementedError


def element_of(plan: CarePlan, element_id: UUID | str) -> TherapyElement | None:
    raise NotImplementedError


def sessions_of(patient: Patient) -> QuerySet[TherapySession]:
    """Current sessions, newest first, with clinician and note joined."""
    raise NotImplementedError


def session_of(patient: Patient, session_id: UUID | str) -> TherapySession | None:
    raise NotImplementedError


def sessions_against_plan(plan: CarePlan) -> SessionsAgainstPlan:
    raise NotImplementedError


def home_practice_of(patient: Patient, *, today: date | None = None, active_only: bool = True) -> list[HomePractice]:
    """Home practice: active and (with `today`) running on that day; with active_only=False, all current."""
    raise NotImplementedError


def practice_of(patient: Patient, practice_id: UUID | str) -> HomePractice | None:
    raise NotImplementedError
