"""Messages as FHIR R4 Communications (issue 7 item 8, decision 0018), checked through the R4B models, and their
endpoints: the care team reads them, anyone else gets 404, every read is audited as an export.

Codes are checked against R4's event-status value set (fhir.resources does not enforce it).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication

from commonground.access import services as access_services
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.conversations import services
from commonground.interop.fhir.communications import communication_of
from commonground.interop.fhir.tests.support import round_trip
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
EVENT_STATUS = {
    "preparation",
    "in-progress",
    "not-done",
    "on-hold",
    "stopped",
    "completed",
    "entered-in-error",
    "unknown",
}


@pytest.fixture
def messages(patient_record: Any, patient_user: Any, therapist: Any, coordinator: Any) -> dict[str, Any]:
    asked = services.write_to_team(
        patient_record, text="Can we move Thursday?", by=patient_user, submission_id=uuid.uuid4()
    )
    answered = services.write_to_patient(
        patient_record, text="Yes, Friday at 10?", by=therapist, submission_id=uuid.uuid4()
    )
    thread = services.start_team_thread(
        patient_record, subject="Sleep medication", text="Ask the GP?", by=therapist, submission_id=uuid.uuid4()
    )
    reply = services.reply_in_team_thread(thread, text="I will", by=coordinator, submission_id=uuid.uuid4())
    wrong = services.write_to_patient(patient_record, text="Meant for Grace", by=therapist, submission_id=uuid.uuid4())
    services.mark_in_error(wrong, by=therapist, reason="Wrong patient", expected_version=1)
    return {
        "asked": asked,
        "answered": answered,
        "first": thread.messages.get(text="Ask the GP?"),
        "reply": reply,
        "wrong": wrong,
    }


def mapped(patient: Any, message: Any) -> dict[str, Any]:
    resource = communication_of(patient, message.id)
    assert resource is not None
    data = round_trip(resource)
    assert data["status"] in EVENT_STATUS
    return data


def test_a_patients_message_is_from_the_patient_to_their_care_team(messages, patient_record, settings):
    settings.SITE_URL = "https://clinic.example.org"
    data = mapped(patient_record, messages["asked"])
    assert data["resourceType"] == "Communication" and data["id"] == str(messages["asked"].id)
    assert data["status"] == "completed"
    assert data["subject"] == data["sender"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["recipient"] == [{"reference": f"CareTeam/{patient_record.care_team.id}"}]
    assert data["payload"] == [{"contentString": "Can we move Thursday?"}]
    [category] = data["category"]
    assert category["coding"][0]["system"] == "https://clinic.example.org/api/fhir/CodeSystem/communication-category"
    assert category["coding"][0]["code"] == "patient"
    assert data["sent"].startswith(str(messages["asked"].sent_at.date()))
    assert "inResponseTo" not in data and "topic" not in data


def test_the_teams_answer_goes_to_the_patient_and_answers_their_message(messages, patient_record, therapist):
    data = mapped(patient_record, messages["answered"])
    assert data["sender"] == {"reference": f"Practitioner/{therapist.id}"}
    assert data["recipient"] == [{"reference": f"Patient/{patient_record.id}"}]
    assert data["inResponseTo"] == [{"reference": f"Communication/{messages['asked'].id}"}]


def test_a_team_thread_is_told_apart_by_its_category_and_carries_its_subject(messages, patient_record, coordinator):
    data = mapped(patient_record, messages["reply"])
    assert data["category"][0]["coding"][0]["code"] == "care-team"
    assert data["topic"] == {"text": "Sleep medication"}
    assert data["sender"] == {"reference": f"Practitioner/{coordinator.id}"}
    assert data["recipient"] == [{"reference": f"CareTeam/{patient_record.care_team.id}"}]
    assert data["inResponseTo"] == [{"reference": f"Communication/{messages['first'].id}"}]


def test_a_message_entered_in_error_says_so_with_the_reason(messages, patient_record):
    data = mapped(patient_record, messages["wrong"])
    assert data["status"] == "entered-in-error"
    assert data["statusReason"] == {"text": "Wrong patient"}


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    return json.loads(response.content)


def test_the_care_team_reads_a_message_by_id(messages, therapist):
    data = read(token_client(therapist), f"{FHIR}/Communication/{messages['asked'].id}")
    Communication.model_validate(data)
    assert data["payload"] == [{"contentString": "Can we move Thursday?"}]


def test_a_search_gives_every_current_message_of_both_kinds_and_both_spellings_agree(
    messages, patient_record, coordinator
):
    client = token_client(coordinator)
    urls = [
        f"{FHIR}/Communication?patient={patient_record.id}",
        f"{FHIR}/Communication?patient=Patient/{patient_record.id}",
        f"{FHIR}/Patient/{patient_record.id}/Communication",
    ]
    found = [read(client, url) for url in urls]
    for data in found:
        Bundle.model_validate(data)
        assert (data["type"], data["total"]) == ("searchset", 4), "the message entered in error is left out"
    assert found[0]["entry"] == found[1]["entry"] == found[2]["entry"]
    codes = [entry["resource"]["category"][0]["coding"][0]["code"] for entry in found[0]["entry"]]
    assert sorted(codes) == ["care-team", "care-team", "patient", "patient"]


def test_reads_and_searches_are_audited_as_exports(messages, patient_record, therapist):
    client = token_client(therapist)
    read(client, f"{FHIR}/Communication/{messages['asked'].id}")
    read(client, f"{FHIR}/Patient/{patient_record.id}/Communication")
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export")
    assert {(event.object_type, event.object_id) for event in events} == {
        ("message", str(messages["asked"].id)),
        ("messages", str(patient_record.id)),
    }


def test_an_unknown_message_is_not_found_and_a_malformed_id_is_refused(messages, therapist):
    client = token_client(therapist)
    assert client.get(f"{FHIR}/Communication/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Communication/not-a-uuid").status_code == 422


def urls_for(messages: dict[str, Any], patient_id: Any) -> list[str]:
    return [
        f"{FHIR}/Communication/{messages['reply'].id}",
        f"{FHIR}/Communication?patient={patient_id}",
        f"{FHIR}/Patient/{patient_id}/Communication",
    ]


def test_every_communication_endpoint_needs_authentication(messages, patient_record):
    for url in urls_for(messages, patient_record.id):
        assert Client().get(url).status_code == 401, url


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(messages, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in urls_for(messages, patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert b"Sleep medication" not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_patient_accounts_get_not_found_even_for_their_own_messages(messages, patient_record, who, request):
    client = signed_in(request.getfixturevalue(who))
    for url in urls_for(messages, patient_record.id):
        assert client.get(url).status_code == 404, (who, url)


def test_emergency_access_does_not_export_messages(messages, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    client = token_client(psychiatrist)
    for url in urls_for(messages, patient_record.id):
        assert client.get(url).status_code == 404, url
