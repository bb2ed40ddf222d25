"""Reads of the care-plan domain. Callers have opened the patient through the access gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Count, DateField, Max, Q, QuerySet, Sum, UUIDField

from commonground.careplans.choices import PlanStatus, PracticeStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.kit.prepared import Param, PreparedRead
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


def _uuid(value: Any) -> UUID | None:
    """An id as given in a URL or a form, or None when it is not one (a malformed id finds nothing)."""
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def plan_of(patient: Patient) -> CarePlan | None:
    plan: CarePlan | None = CarePlan.objects.current().filter(patient=patient).select_related("created_by").first()
    return plan


def elements_of(plan: CarePlan) -> QuerySet[TherapyElement]:
    """Current elements in order, with the responsible person joined."""
    return (
        TherapyElement.objects.current()
        .filter(plan=plan)
        .select_related("responsible")
        .order_by("position", "created_at")
    )


def element_of(plan: CarePlan, element_id: UUID | str) -> TherapyElement | None:
    found = _uuid(element_id)
    if found is None:
        return None
    element: TherapyElement | None = elements_of(plan).filter(pk=found).first()
    return element


def sessions_of(patient: Patient) -> QuerySet[TherapySession]:
    """Current sessions, newest first, with clinician and note joined."""
    return (
        TherapySession.objects.current()
        .filter(patient=patient)
        .select_related("clinician", "note")
        .order_by("-held_on", "-created_at")
    )


def session_of(patient: Patient, session_id: UUID | str) -> TherapySession | None:
    found = _uuid(session_id)
    if found is None:
        return None
    session: TherapySession | None = (
        sessions_of(patient).select_related("plan", "note__author").filter(pk=found).first()
    )
    return session


def sessions_against_plan(plan: CarePlan) -> SessionsAgainstPlan:
    """The sessions held against the plan's range of sessions and minutes (one query)."""
    totals = (
        TherapySession.objects.current()
        .filter(plan=plan)
        .aggregate(held=Count("id"), minutes=Sum("duration_minutes"), last=Max("held_on"))
    )
    held = int(totals["held"])
    minutes = int(totals["minutes"] or 0)
    going_on = plan.status == PlanStatus.ACTIVE
    return SessionsAgainstPlan(
        held=held,
        planned_min=plan.sessions_min,
        planned_max=plan.sessions_max,
        minutes_held=minutes,
        average_minutes=round(minutes / held, 1) if held else None,
        minutes_min=plan.minutes_min,
        minutes_max=plan.minutes_max,
        within_plan=held <= plan.sessions_max and (going_on or held >= plan.sessions_min),
        last_held_on=totals["last"],
    )


def home_practice_of(patient: Patient, *, today: date | None = None, active_only: bool = True) -> list[HomePractice]:
    """Home practice: active and (with `today`) running on that day; with active_only=False, all current."""
    found = HomePractice.objects.current().filter(patient=patient)
    if active_only:
        found = found.filter(status=PracticeStatus.ACTIVE)
    if today is not None:
        found = found.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)
    return list(found.select_related("session", "assigned_by").order_by("starts_on", "created_at"))


def practice_titles(patient: Patient, *, on: date) -> list[tuple[UUID, str]]:
    """(id, title) of the home practice that ran on a day, ended since or not, oldest first: what a diary entry
    for that day may tick. Plain values, prepared: a diary POST reads it on every save."""
    titles: list[tuple[UUID, str]] = PRACTICE_TITLES.all(patient=patient.id, on=on)
    return titles


def _practice_titles() -> QuerySet[Any]:
    on = Param("on", DateField())
    found = HomePractice.objects.current().filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), patient_id=Param("patient", UUIDField()), starts_on__lte=on
    )
    return found.order_by("starts_on", "created_at").values_list("id", "title")


PRACTICE_TITLES = PreparedRead(_practice_titles)  # kit/prepared.py


def practice_periods(patient_id: UUID) -> list[tuple[date, date | None]]:
    """(first day, last day or None while it runs) of each home practice of the patient's care plan."""
    found = HomePractice.objects.current().filter(patient_id=patient_id).order_by("starts_on")
    return list(found.values_list("starts_on", "ends_on"))


def practice_of(patient: Patient, practice_id: UUID | str) -> HomePractice | None:
    found = _uuid(practice_id)
    if found is None:
        return None
    practice: HomePractice | None = (
        HomePractice.objects.current().filter(patient=patient, pk=found).select_related("session").first()
    )
    return practice


def patient_id_of_plan(plan_id: UUID | str) -> UUID | None:
    """Whose care plan this is, so an endpoint can open that patient through the gateway before reading it."""
    parsed = _uuid(plan_id)
    if parsed is None:
        return None
    found: UUID | None = CarePlan.objects.current().filter(pk=parsed).values_list("patient_id", flat=True).first()
    return found


def patient_id_of_session(session_id: UUID | str) -> UUID | None:
    """Whose session this is (see `patient_id_of_plan`)."""
    parsed = _uuid(session_id)
    if parsed is None:
        return None
    found: UUID | None = TherapySession.objects.current().filter(pk=parsed).values_list("patient_id", flat=True).first()
    return found
