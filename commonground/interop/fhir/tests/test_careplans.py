"""The shared care plan as a FHIR R4 CarePlan (issue 5 item 9, decision 0012), and its endpoints.

Codes are checked against the published R4 value sets (RequestStatus, CarePlanIntent, CarePlanActivityStatus,
CarePlanActivityKind), which fhir.resources does not enforce.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan as FhirCarePlan

from commonground.access import services as access_services
from commonground.audit.models import AuditEvent
from commonground.careplans.choices import ElementKind, ElementStatus, PlanStatus
from commonground.careplans.models import CarePlan, TherapyElement, TherapySession
from commonground.goals.choices import RungState, RungStatus
from commonground.goals.models import Goal, Milestone
from commonground.interop.fhir import careplans
from commonground.interop.fhir.tests.support import round_trip
from commonground.interop.fhir.tests.test_goals import make_goal, token_client
from commonground.kit.models import RecordStatus
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
# R4 value sets (hl7.org/fhir/R4/valueset-request-status.html, -care-plan-intent, -care-plan-activity-status,
# -care-plan-activity-kind).
PLAN_STATUSES = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
PLAN_INTENTS = {"proposal", "plan", "order", "option"}
ACTIVITY_STATUSES = {
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
}
ACTIVITY_KINDS = {
    "Appointment",
    "CommunicationRequest",
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "Task",
    "ServiceRequest",
    "VisionPrescription",
}


def make_plan(patient: Any, by: Any, **fields: Any) -> CarePlan:
    values: dict[str, Any] = {
        "summary": "Explain the symptoms together; breathing and graded walking",
        "patient_summary": "We work on calm breathing and walking a little more each week.",
        "starts_on": date(2025, 3, 3),
        "created_by": by,
    }
    values.update(fields)
    return CarePlan.objects.create(organisation=patient.organisation, patient=patient, **values)


def make_element(plan: CarePlan, kind: str, position: int, **fields: Any) -> TherapyElement:
    return TherapyElement.objects.create(
        organisation=plan.organisation, plan=plan, kind=kind, position=position, **fields
    )


def make_session(plan: CarePlan, clinician: Any, held_on: date, elements: list[str], **fields: Any) -> TherapySession:
    return TherapySession.objects.create(
        organisation=plan.organisation,
        patient=plan.patient,
        plan=plan,
        held_on=held_on,
        duration_minutes=fields.pop("duration_minutes", 45),
        clinician=clinician,
        elements=elements,
        **fields,
    )


def make_rung(goal: Goal, position: int, action: str, by: Any, **fields: Any) -> Milestone:
    return Milestone.objects.create(
        organisation=goal.organisation, goal=goal, position=position, action=action, created_by=by, **fields
    )


def mapped(patient: Any, plan: CarePlan) -> dict[str, Any]:
    resource = careplans.care_plan_of(patient, plan.id)
    assert isinstance(resource, FhirCarePlan)
    data = round_trip(resource)
    assert data["status"] in PLAN_STATUSES
    assert data["intent"] in PLAN_INTENTS
    for activity in data["activity"]:
        assert activity["detail"]["status"] in ACTIVITY_STATUSES
        assert activity["detail"].get("kind", "Appointment") in ACTIVITY_KINDS
    return data


def activities(data: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [item for item in data["activity"] if item["detail"]["code"]["coding"][0]["code"] == code]


@pytest.fixture
def story(patient_record: Any, therapist: Any, coordinator: Any) -> dict[str, Any]:
    """A plan with two goals (one off the plan), elements out of order, three sessions and a three-rung ladder."""
    walking = make_goal(patient_record, therapist)
    swimming = make_goal(patient_record, therapist, title="Swim again")
    wrong = make_goal(patient_record, therapist, title="Typed twice", record_status=RecordStatus.ENTERED_IN_ERROR)
    plan = make_plan(patient_record, therapist, goal_ids=[str(walking.id), str(wrong.id)])
    breathing = make_element(
        plan,
        ElementKind.BODY_ORIENTED,
        2,
        description="Diaphragmatic breathing",
        intensity="10 minutes",
        frequency="twice a day",
        responsible=therapist,
        status=ElementStatus.ACTIVE,
    )
    education = make_element(plan, ElementKind.PSYCHOEDUCATION, 1, status=ElementStatus.COMPLETED)
    make_element(plan, ElementKind.ACTIVATION, 3, record_status=RecordStatus.ENTERED_IN_ERROR)
    sessions = [
        make_session(plan, therapist, date(2025, 3, 10), [ElementKind.PSYCHOEDUCATION]),
        make_session(plan, therapist, date(2025, 3, 17), [ElementKind.PSYCHOEDUCATION, ElementKind.BODY_ORIENTED]),
        make_session(plan, coordinator, date(2025, 3, 24), [ElementKind.BODY_ORIENTED]),
    ]
    make_session(plan, therapist, date(2025, 3, 20), [], record_status=RecordStatus.ENTERED_IN_ERROR)
    rungs = [
        make_rung(walking, 1, "Walk to the corner", therapist, state=RungState.DONE, target_date=date(2025, 3, 20)),
        make_rung(walking, 2, "Walk to the bakery", therapist, state=RungState.PARTLY),
        make_rung(walking, 3, "Walk to the school gate", therapist),
    ]
    make_rung(walking, 4, "Run to school", therapist, status=RungStatus.REMOVED)
    make_rung(swimming, 1, "Visit the pool", therapist)
    return {
        "plan": plan,
        "walking": walking,
        "swimming": swimming,
        "breathing": breathing,
        "education": education,
        "sessions": sessions,
        "rungs": rungs,
    }


# --- mapping ----------------------------------------------------------------------------------------------


def test_a_plan_is_an_active_plan_for_the_patient_with_its_goals(story, patient_record, settings):
    settings.SITE_URL = "https://clinic.example.org"
    plan = story["plan"]
    data = mapped(patient_record, plan)
    assert data["resourceType"] == "CarePlan"
    assert (data["id"], data["status"], data["intent"]) == (str(plan.id), "active", "plan")
    assert data["description"] == "Explain the symptoms together; breathing and graded walking"
    assert data["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["period"] == {"start": "2025-03-03"}
    assert data["goal"] == [{"reference": f"Goal/{story['walking'].id}"}], "current goals the plan names, no others"
    codes = [item["detail"]["code"]["coding"][0] for item in data["activity"]]
    assert {coding["system"] for coding in codes} == {
        "https://clinic.example.org/api/fhir/CodeSystem/care-plan-activities"
    }
    assert [coding["code"] for coding in codes] == [
        "sessions",
        "psychoeducation",
        "body_oriented",
        "milestone",
        "milestone",
        "milestone",
    ]


def test_the_planned_sessions_are_a_timing_and_name_every_session_held(story, patient_record):
    [sessions] = activities(mapped(patient_record, story["plan"]), "sessions")
    detail = sessions["detail"]
    assert (detail["kind"], detail["status"]) == ("Appointment", "in-progress")
    # The default: 6-12 sessions of 30-45 minutes.
    assert detail["scheduledTiming"]["repeat"] == {
        "boundsPeriod": {"start": "2025-03-03"},
        "count": 6,
        "countMax": 12,
        "duration": 30,
        "durationMax": 45,
        "durationUnit": "min",
    }
    assert detail["description"] == "6-12 sessions of 30-45 minutes"
    held = [{"reference": f"Encounter/{session.id}"} for session in story["sessions"]]
    assert sessions["outcomeReference"] == held, "oldest first; a session entered in error is left out"


def test_each_element_keeps_its_order_status_person_frequency_and_sessions(story, patient_record, therapist):
    data = mapped(patient_record, story["plan"])
    [education] = activities(data, "psychoeducation")
    [breathing] = activities(data, "body_oriented")
    assert education["detail"]["status"] == "completed"
    assert education["detail"]["code"]["text"] == "Psychoeducation"
    assert "performer" not in education["detail"]
    first, second, third = story["sessions"]
    assert education["outcomeReference"] == [
        {"reference": f"Encounter/{first.id}"},
        {"reference": f"Encounter/{second.id}"},
    ]
    assert breathing["detail"]["status"] == "in-progress"
    assert breathing["detail"]["code"]["text"] == "Body-oriented exercises"
    assert breathing["detail"]["performer"] == [{"reference": f"Practitioner/{therapist.id}"}]
    assert breathing["detail"]["scheduledString"] == "twice a day"
    assert breathing["detail"]["description"] == "Diaphragmatic breathing\nIntensity: 10 minutes"
    assert breathing["outcomeReference"] == [
        {"reference": f"Encounter/{second.id}"},
        {"reference": f"Encounter/{third.id}"},
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ElementStatus.PLANNED, "not-started"),
        (ElementStatus.ACTIVE, "in-progress"),
        (ElementStatus.PAUSED, "on-hold"),
        (ElementStatus.COMPLETED, "completed"),
        (ElementStatus.STOPPED, "stopped"),
    ],
)
def test_element_statuses_map_to_activity_statuses(patient_record, therapist, status, expected):
    plan = make_plan(patient_record, therapist)
    make_element(plan, ElementKind.COGNITIVE_BEHAVIOURAL, 1, status=status)
    [element] = activities(mapped(patient_record, plan), "cognitive_behavioural")
    assert element["detail"]["status"] == expected
    assert element["detail"]["code"]["text"] == "Cognitive-behavioural approaches"


def test_the_ladder_is_the_goals_rungs_bottom_first_with_their_state(story, patient_record):
    rungs = activities(mapped(patient_record, story["plan"]), "milestone")
    goal = story["walking"]
    assert [rung["detail"]["description"] for rung in rungs] == [
        "Walk to the corner",
        "Walk to the bakery",
        "Walk to the school gate",
    ], "a rung taken off the ladder is left out, and a goal off the plan brings no rungs"
    assert [rung["detail"]["status"] for rung in rungs] == ["completed", "in-progress", "not-started"]
    assert [rung["detail"]["code"]["text"] for rung in rungs] == ["Step 1 of 3", "Step 2 of 3", "Step 3 of 3"]
    for rung in rungs:
        assert rung["detail"]["goal"] == [{"reference": f"Goal/{goal.id}"}]
        assert rung["detail"]["performer"] == [{"reference": f"Patient/{patient_record.id}"}]
    assert rungs[0]["detail"]["scheduledPeriod"] == {"end": "2025-03-20"}
    assert "scheduledPeriod" not in rungs[1]["detail"]


def test_an_ended_plan_is_completed_with_the_end_of_therapy(story, patient_record):
    plan = story["plan"]
    CarePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ENDED, therapy_ended_on=date(2025, 6, 30))
    data = mapped(patient_record, CarePlan.objects.get(pk=plan.pk))
    assert data["status"] == "completed"
    assert data["period"] == {"start": "2025-03-03", "end": "2025-06-30"}
    [sessions] = activities(data, "sessions")
    assert sessions["detail"]["status"] == "completed"
    assert sessions["detail"]["scheduledTiming"]["repeat"]["boundsPeriod"]["end"] == "2025-06-30"


def test_a_new_plan_has_only_its_sessions_not_started(patient_record, therapist):
    plan = make_plan(patient_record, therapist, sessions_min=8, sessions_max=10, minutes_min=40, minutes_max=40)
    data = mapped(patient_record, plan)
    assert "goal" not in data
    [sessions] = data["activity"]
    assert sessions["detail"]["status"] == "not-started"
    assert "outcomeReference" not in sessions
    assert sessions["detail"]["description"] == "8-10 sessions of 40-40 minutes"


# --- endpoints --------------------------------------------------------------------------------------------


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    return json.loads(response.content)


def urls_for(plan: CarePlan, patient_id: Any) -> list[str]:
    return [
        f"{FHIR}/CarePlan/{plan.id}",
        f"{FHIR}/CarePlan?patient={patient_id}",
        f"{FHIR}/Patient/{patient_id}/CarePlan",
    ]


def test_the_care_team_reads_the_plan_by_id_and_by_search(story, patient_record, therapist, settings):
    settings.SITE_URL = "https://clinic.example.org"
    plan = story["plan"]
    client = token_client(therapist)
    one = read(client, f"{FHIR}/CarePlan/{plan.id}")
    FhirCarePlan.model_validate(one)
    found = [read(client, url) for url in urls_for(plan, patient_record.id)[1:]]
    found.append(read(client, f"{FHIR}/CarePlan?patient=Patient/{patient_record.id}"))
    for data in found:
        Bundle.model_validate(data)
        assert (data["type"], data["total"]) == ("searchset", 1)
        assert data["entry"][0]["resource"] == one
        assert data["entry"][0]["fullUrl"] == f"https://clinic.example.org/api/fhir/CarePlan/{plan.id}"


def test_a_patient_without_a_plan_gets_an_empty_bundle(other_patient_record, coordinator):
    data = read(token_client(coordinator), f"{FHIR}/Patient/{other_patient_record.id}/CarePlan")
    assert (data["total"], "entry" in data) == (0, False)


def test_reads_are_audited_as_exports_of_the_plan(story, patient_record, coordinator):
    plan = story["plan"]
    read(token_client(coordinator), f"{FHIR}/CarePlan/{plan.id}")
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="care_plan")
    assert [(event.actor_id, event.object_id) for event in events] == [(coordinator.id, str(plan.id))]


def test_an_unknown_or_erroneous_plan_is_not_found_and_a_malformed_id_is_refused(patient_record, therapist):
    wrong = make_plan(patient_record, therapist, record_status=RecordStatus.ENTERED_IN_ERROR)
    client = token_client(therapist)
    assert client.get(f"{FHIR}/CarePlan/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/CarePlan/{wrong.id}").status_code == 404
    assert client.get(f"{FHIR}/CarePlan/12345").status_code == 422


def test_every_care_plan_endpoint_needs_authentication(story, patient_record):
    for url in urls_for(story["plan"], patient_record.id):
        assert Client().get(url).status_code == 401, url


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(story, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in urls_for(story["plan"], patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert b"breathing" not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_patient_accounts_get_not_found_and_read_their_plan_in_the_portal(story, patient_record, who, request):
    client = signed_in(request.getfixturevalue(who))
    for url in urls_for(story["plan"], patient_record.id):
        assert client.get(url).status_code == 404, (who, url)


def test_emergency_access_does_not_export_the_plan(story, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    client = token_client(psychiatrist)
    for url in urls_for(story["plan"], patient_record.id):
        assert client.get(url).status_code == 404, url
