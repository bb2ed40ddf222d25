"""The shared care plan as a FHIR R4 CarePlan (decision 0012).

`status` active, or completed once therapy has ended; `intent` plan; `period` from the start of therapy to its
end; `description` the team's summary; `goal` the plan's current goals. The activities, in this order:

1. the sessions planned: `scheduledTiming` says how many (count..countMax) and how long (duration..durationMax
   minutes); `outcomeReference` lists every session held, as Encounters;
2. one per therapy element, in the plan's order: its code (local system `care-plan-activities`), status,
   responsible team member (`performer`), how often (`scheduledString`), what it involves and its intensity
   (`description`), and the sessions in which it was used (`outcomeReference`);
3. the milestone ladder of each of the plan's goals, bottom rung first: the small step (`description`), its
   target date (`scheduledPeriod.end`), done / partly done / not yet as completed / in-progress / not-started,
   the goal it climbs toward (`goal`) and the patient as performer.

A session points to nothing here: R4's Encounter cannot name a CarePlan (`basedOn` takes a ServiceRequest
only), so the plan names its sessions instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final
from uuid import UUID

from django.utils.translation import override
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan as FhirCarePlan
from fhir.resources.R4B.careplan import CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.timing import Timing, TimingRepeat

from commonground.careplans import selectors
from commonground.careplans.choices import ElementKind, ElementStatus, PlanStatus
from commonground.careplans.models import CarePlan, TherapyElement, TherapySession
from commonground.goals import selectors as goal_selectors
from commonground.goals.choices import RungState
from commonground.goals.models import Milestone
from commonground.goals.selectors import Ladder
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.encounters import days
from commonground.interop.fhir.terminology import base_url, patient_reference_of
from commonground.patients.models import Patient

SESSIONS: Final = "sessions"
MILESTONE: Final = "milestone"
ELEMENT_STATUS: Final = {
    ElementStatus.PLANNED: "not-started",
    ElementStatus.ACTIVE: "in-progress",
    ElementStatus.PAUSED: "on-hold",
    ElementStatus.COMPLETED: "completed",
    ElementStatus.STOPPED: "stopped",
}
RUNG_STATUS: Final = {RungState.NOT_YET: "not-started", RungState.PARTLY: "in-progress", RungState.DONE: "completed"}


def activities_system() -> str:
    """What a plan's activities are: `sessions`, `milestone`, and the four therapy elements by their kind."""
    return f"{base_url()}/CodeSystem/care-plan-activities"


def care_plan_resource(
    plan: CarePlan,
    *,
    elements: Sequence[TherapyElement],
    ladders: Sequence[Ladder],
    sessions: Sequence[TherapySession],
) -> FhirCarePlan:
    """`elements` in the plan's order; `ladders` of the plan's current goals; `sessions` held, oldest first."""
    activities = [
        _sessions_activity(plan, sessions),
        *(_element_activity(element, sessions) for element in elements),
        *(activity for ladder in ladders for activity in _ladder_activities(ladder)),
    ]
    return FhirCarePlan(
        id=str(plan.id),
        status=plan_status(plan),
        intent="plan",
        description=plan.summary or None,
        subject=Reference(reference=patient_reference_of(plan.patient_id)),
        period=days(plan.starts_on, plan.therapy_ended_on),
        created=plan.created_at,
        goal=[Reference(reference=f"Goal/{ladder.goal.id}") for ladder in ladders] or None,
        activity=activities,
    )


def plan_status(plan: CarePlan) -> str:
    if plan.is_entered_in_error:
        return "entered-in-error"
    return "completed" if plan.status == PlanStatus.ENDED else "active"


# --- reads for the endpoints (the caller has opened the patient through the gateway) -----------------------


def care_plan_of(patient: Patient, plan_id: UUID) -> FhirCarePlan | None:
    plan = selectors.plan_of(patient)
    if plan is None or plan.id != plan_id:
        return None
    return _mapped(patient, plan)


def care_plans_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """The patient's one care plan, or none yet, as a searchset."""
    plan = selectors.plan_of(patient)
    return searchset([_mapped(patient, plan)] if plan is not None else [], self_url=self_url)


def _mapped(patient: Patient, plan: CarePlan) -> FhirCarePlan:
    by_goal = {str(ladder.goal.id): ladder for ladder in goal_selectors.ladders(patient)}
    ladders = [by_goal[str(goal_id)] for goal_id in dict.fromkeys(plan.goal_ids) if str(goal_id) in by_goal]
    sessions = sorted(selectors.sessions_of(patient), key=lambda session: (session.held_on, session.created_at))
    return care_plan_resource(plan, elements=list(selectors.elements_of(plan)), ladders=ladders, sessions=sessions)


# --- activities -------------------------------------------------------------------------------------------


def _sessions_activity(plan: CarePlan, sessions: Sequence[TherapySession]) -> CarePlanActivity:
    planned = TimingRepeat(
        boundsPeriod=days(plan.starts_on, plan.therapy_ended_on),
        count=plan.sessions_min,
        countMax=plan.sessions_max,
        duration=Decimal(plan.minutes_min),
        durationMax=Decimal(plan.minutes_max),
        durationUnit="min",
    )
    detail = CarePlanActivityDetail(
        kind="Appointment",
        code=_activity_code(SESSIONS, "Therapy sessions"),
        status=_sessions_status(plan, sessions),
        scheduledTiming=Timing(repeat=planned),
        description=(
            f"{plan.sessions_min}-{plan.sessions_max} sessions of {plan.minutes_min}-{plan.minutes_max} minutes"
        ),
    )
    return CarePlanActivity(detail=detail, outcomeReference=_encounters(sessions) or None)


def _sessions_status(plan: CarePlan, sessions: Sequence[TherapySession]) -> str:
    if plan.status == PlanStatus.ENDED:
        return "completed"
    return "in-progress" if sessions else "not-started"


def _element_activity(element: TherapyElement, sessions: Sequence[TherapySession]) -> CarePlanActivity:
    lines = [element.description, f"Intensity: {element.intensity}" if element.intensity else ""]
    detail = CarePlanActivityDetail(
        code=_activity_code(element.kind, _english(ElementKind(element.kind))),
        status=ELEMENT_STATUS[ElementStatus(element.status)],
        performer=[Reference(reference=f"Practitioner/{element.responsible_id}")] if element.responsible_id else None,
        scheduledString=element.frequency or None,
        description="\n".join(line for line in lines if line) or None,
    )
    used_in = [session for session in sessions if element.kind in (session.elements or [])]
    return CarePlanActivity(detail=detail, outcomeReference=_encounters(used_in) or None)


def _ladder_activities(ladder: Ladder) -> list[CarePlanActivity]:
    return [_rung_activity(ladder, step, rung) for step, rung in enumerate(ladder.rungs, start=1)]


def _rung_activity(ladder: Ladder, step: int, rung: Milestone) -> CarePlanActivity:
    detail = CarePlanActivityDetail(
        code=_activity_code(MILESTONE, "Milestone", text=f"Step {step} of {len(ladder.rungs)}"),
        status=RUNG_STATUS[RungState(rung.state)],
        goal=[Reference(reference=f"Goal/{ladder.goal.id}")],
        performer=[Reference(reference=patient_reference_of(ladder.goal.patient_id))],
        scheduledPeriod=days(None, rung.target_date) if rung.target_date else None,
        description=rung.action,
    )
    return CarePlanActivity(detail=detail)


def _activity_code(code: str, display: str, *, text: str | None = None) -> CodeableConcept:
    return CodeableConcept(
        coding=[Coding(system=activities_system(), code=code, display=display)], text=text or display
    )


def _encounters(sessions: Sequence[TherapySession]) -> list[Reference]:
    return [Reference(reference=f"Encounter/{session.id}") for session in sessions]


def _english(choice: ElementKind) -> str:
    """Displays of a code system do not follow the reader's language."""
    with override("en"):
        return str(choice.label)
