"""Therapy sessions as FHIR R4 Encounters (issue 5 item 9, decision 0012), and their endpoints.

Codes are checked against the published R4 value sets (EncounterStatus, v3 ActEncounterCode, v3
ParticipationType), which fhir.resources does not enforce.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter

from commonground.access import services as access_services
from commonground.audit.models import AuditEvent
from commonground.careplans.choices import ElementKind
from commonground.careplans.models import TherapySession
from commonground.interop.fhir.encounters import encounter_resource
from commonground.interop.fhir.tests.support import round_trip
from commonground.interop.fhir.tests.test_careplans import make_plan, make_session
from commonground.interop.fhir.tests.test_goals import token_client
from commonground.kit.models import RecordStatus
from commonground.notes.models import Note
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
UCUM = "http://unitsofmeasure.org"
# R4 (hl7.org/fhir/R4/valueset-encounter-status.html).
ENCOUNTER_STATUSES = {
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
}


def mapped(session: TherapySession) -> dict[str, Any]:
    data = round_trip(encounter_resource(session))
    assert data["status"] in ENCOUNTER_STATUSES
    return data


@pytest.fixture
def sessions(patient_record: Any, therapist: Any, coordinator: Any) -> list[TherapySession]:
    """Two sessions held, given out of order, and one entered in error."""
    plan = make_plan(patient_record, therapist)
    later = make_session(plan, coordinator, date(2025, 3, 17), [ElementKind.ACTIVATION], duration_minutes=30)
    earlier = make_session(plan, therapist, date(2025, 3, 10), [ElementKind.PSYCHOEDUCATION])
    make_session(plan, therapist, date(2025, 3, 12), [], record_status=RecordStatus.ENTERED_IN_ERROR)
    return [earlier, later]


# --- mapping ----------------------------------------------------------------------------------------------


def test_a_session_is_a_finished_ambulatory_encounter_of_its_day_and_minutes(sessions, patient_record, therapist):
    session = sessions[0]
    data = mapped(session)
    assert data["resourceType"] == "Encounter"
    assert (data["id"], data["status"]) == (str(session.id), "finished")
    assert data["class"] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "AMB",
        "display": "ambulatory",
    }
    assert data["type"] == [{"text": "Therapy session"}]
    assert data["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["period"] == {"start": "2025-03-10", "end": "2025-03-10"}
    assert data["length"] == {"value": 45, "unit": "min", "system": UCUM, "code": "min"}
    [participant] = data["participant"]
    assert participant["individual"] == {"reference": f"Practitioner/{therapist.id}"}
    assert participant["type"][0]["coding"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "code": "PPRF",
            "display": "primary performer",
        }
    ]


def test_the_note_and_the_patients_reflection_stay_out(sessions, patient_record, therapist):
    session = sessions[0]
    note = Note.objects.create(
        organisation=patient_record.organisation,
        patient=patient_record,
        kind="session",
        text="Talked about the dizziness at work",
        author=therapist,
        written_at=session.created_at,
    )
    TherapySession.objects.filter(pk=session.pk).update(note=note, reflection="It helped to breathe slowly")
    text = json.dumps(mapped(TherapySession.objects.get(pk=session.pk)))
    assert "dizziness" not in text
    assert "breathe slowly" not in text


# --- endpoints --------------------------------------------------------------------------------------------


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    return json.loads(response.content)


def urls_for(session: TherapySession, patient_id: Any) -> list[str]:
    return [
        f"{FHIR}/Encounter/{session.id}",
        f"{FHIR}/Encounter?patient={patient_id}",
        f"{FHIR}/Patient/{patient_id}/Encounter",
    ]


def test_the_care_team_reads_a_session_by_id(sessions, therapist):
    data = read(token_client(therapist), f"{FHIR}/Encounter/{sessions[1].id}")
    Encounter.model_validate(data)
    assert (data["id"], data["length"]["value"]) == (str(sessions[1].id), 30)


def test_a_search_gives_the_current_sessions_oldest_first(sessions, patient_record, coordinator, settings):
    settings.SITE_URL = "https://clinic.example.org"
    client = token_client(coordinator)
    urls = [*urls_for(sessions[0], patient_record.id)[1:], f"{FHIR}/Encounter?patient=Patient/{patient_record.id}"]
    found = [read(client, url) for url in urls]
    for data in found:
        Bundle.model_validate(data)
        assert (data["type"], data["total"]) == ("searchset", 2)
        assert [entry["resource"]["id"] for entry in data["entry"]] == [str(session.id) for session in sessions]
    assert found[0]["entry"][0]["fullUrl"] == f"https://clinic.example.org/api/fhir/Encounter/{sessions[0].id}"


def test_a_patient_without_sessions_gets_an_empty_bundle(other_patient_record, coordinator):
    data = read(token_client(coordinator), f"{FHIR}/Encounter?patient={other_patient_record.id}")
    assert (data["total"], "entry" in data) == (0, False)


def test_a_read_is_audited_as_an_export_of_the_session(sessions, patient_record, therapist):
    read(token_client(therapist), f"{FHIR}/Encounter/{sessions[0].id}")
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="encounter")
    assert [(event.actor_id, event.object_id) for event in events] == [(therapist.id, str(sessions[0].id))]


def test_an_unknown_or_erroneous_session_is_not_found_and_a_malformed_id_is_refused(patient_record, therapist):
    plan = make_plan(patient_record, therapist)
    wrong = make_session(plan, therapist, date(2025, 3, 12), [], record_status=RecordStatus.ENTERED_IN_ERROR)
    client = token_client(therapist)
    assert client.get(f"{FHIR}/Encounter/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Encounter/{wrong.id}").status_code == 404
    assert client.get(f"{FHIR}/Encounter/session-1").status_code == 422


def test_every_encounter_endpoint_needs_authentication(sessions, patient_record):
    for url in urls_for(sessions[0], patient_record.id):
        assert Client().get(url).status_code == 401, url


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(sessions, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in urls_for(sessions[0], patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert str(sessions[0].id).encode() not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_patient_accounts_get_not_found(sessions, patient_record, who, request):
    client = signed_in(request.getfixturevalue(who))
    for url in urls_for(sessions[0], patient_record.id):
        assert client.get(url).status_code == 404, (who, url)


def test_emergency_access_does_not_export_sessions(sessions, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    client = token_client(psychiatrist)
    for url in urls_for(sessions[0], patient_record.id):
        assert client.get(url).status_code == 404, url
