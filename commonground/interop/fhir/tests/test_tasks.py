"""Tasks as FHIR R4 Tasks (issue 7 item 8, decision 0020), checked through the R4B models, and their endpoints.

Codes are checked against the published R4 value sets (TaskStatus, TaskIntent, RequestPriority), which
fhir.resources does not enforce.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.task import Task as FhirTask

from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.coordination import services
from commonground.coordination.choices import TaskStatus
from commonground.interop.fhir.tasks import task_resource
from commonground.interop.fhir.tests.support import round_trip
from commonground.kit import clock
from commonground.kit.versioning import mark_entered_in_error
from commonground.safety import services as safety_services
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
TASK_STATUSES = {
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
}
TASK_INTENTS = {
    "unknown",
    "proposal",
    "plan",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
}
PRIORITIES = {"routine", "urgent", "asap", "stat"}


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def checked(task: Any) -> dict[str, Any]:
    data = round_trip(task_resource(task))
    assert data["resourceType"] == "Task"
    assert data["status"] in TASK_STATUSES and data["intent"] in TASK_INTENTS and data["priority"] in PRIORITIES
    return data


@pytest.fixture
def task(patient_record: Any, coordinator: Any, therapist: Any) -> Any:
    return services.create_task(
        organisation_id=patient_record.organisation_id,
        title="Phone about the referral",
        details="Ask whether the letter arrived",
        due_at=clock.now() + timedelta(days=2),
        patient=patient_record,
        assignee=therapist,
        created_by=coordinator,
    )


def test_a_task_carries_patient_owner_requester_due_and_words(
    task: Any, patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    data = checked(task)
    assert (data["status"], data["intent"], data["priority"]) == ("ready", "order", "routine")
    assert data["for"]["reference"] == f"Patient/{patient_record.id}"
    assert data["owner"]["reference"] == f"Practitioner/{therapist.id}"
    assert data["requester"]["reference"] == f"Practitioner/{coordinator.id}"
    assert data["description"] == "Phone about the referral"
    assert data["note"] == [{"text": "Ask whether the letter arrived"}]
    assert FhirTask.model_validate(data).restriction.period.end == task.due_at
    assert "authoredOn" in data and "focus" not in data and "performerType" not in data


def test_states_map_to_task_status(task: Any, therapist: Any) -> None:
    task = services.move_task(task, to=TaskStatus.IN_PROGRESS, by=therapist, expected_version=1)
    data = checked(task)
    assert data["status"] == "in-progress" and "start" in data["executionPeriod"]
    task = services.move_task(task, to=TaskStatus.CANCELLED, by=therapist, expected_version=2, reason="Moved away")
    data = checked(task)
    assert (data["status"], data["statusReason"]["text"]) == ("cancelled", "Moved away")
    assert "end" in data["executionPeriod"]
    task = mark_entered_in_error(task, expected_version=task.version, reason="Wrong patient")
    assert checked(task)["status"] == "entered-in-error"


def test_a_task_for_a_role_from_an_alert_made_by_a_rule(patient_record: Any) -> None:
    alert = safety_services.raise_critical_item_alert(patient_record, summary="Item 9", response_id="r1")
    task = services.create_task(
        organisation_id=patient_record.organisation_id,
        title="Follow up a critical answer",
        due_at=alert.raised_at + timedelta(hours=24),
        patient=patient_record,
        assignee_role="psychologist",
        priority="urgent",
        source_type="alert",
        source_id=str(alert.id),
    )
    data = checked(task)
    assert data["priority"] == "urgent" and data["focus"]["reference"] == f"Flag/{alert.id}"
    assert data["performerType"] == [{"text": "Psychologist"}]
    assert "owner" not in data and "requester" not in data


def test_the_care_team_reads_a_task_and_searches_the_patients_tasks(
    task: Any, patient_record: Any, therapist: Any
) -> None:
    client = token_client(therapist)
    one = client.get(f"{FHIR}/Task/{task.id}")
    assert one.status_code == 200 and one["Content-Type"] == "application/fhir+json"
    assert FhirTask.model_validate(json.loads(one.content)).id == str(task.id)
    for url in (f"{FHIR}/Task?patient={patient_record.id}", f"{FHIR}/Patient/{patient_record.id}/Task"):
        bundle = Bundle.model_validate(json.loads(client.get(url).content))
        assert bundle.total == 1 and bundle.entry[0].resource.id == str(task.id)
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="task")
    assert events.count() == 3


def test_unknown_and_patientless_tasks_are_not_found(task: Any, clinic: Any, coordinator: Any) -> None:
    loose = services.create_task(
        organisation_id=clinic.id, title="Book a room", due_at=clock.now(), assignee=coordinator
    )
    client = token_client(coordinator)
    assert client.get(f"{FHIR}/Task/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Task/{loose.id}").status_code == 404
    assert client.get(f"{FHIR}/Task/not-a-uuid").status_code == 422


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(task: Any, patient_record: Any, who: str, request: Any) -> None:
    client = token_client(request.getfixturevalue(who))
    for url in (
        f"{FHIR}/Task/{task.id}",
        f"{FHIR}/Task?patient={patient_record.id}",
        f"{FHIR}/Patient/{patient_record.id}/Task",
    ):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert b"Phone about" not in response.content


def test_patients_and_anonymous_callers_get_nothing(task: Any, patient_record: Any, patient_user: Any) -> None:
    url = f"{FHIR}/Task/{task.id}"
    assert Client().get(url).status_code == 401
    assert signed_in(patient_user).get(url).status_code == 404
