"""The read-only FHIR endpoints: content type, validation, the care-team rule, audit, and every denial."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from commonground.access import services as access_services
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.interop.fhir.tests.support import answers_of, from_paper, from_portal
from commonground.measures import services
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"


def token_client(user: Any, scope: str = "read") -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope=scope, days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def searches(patient_id: Any) -> list[str]:
    """Both spellings of both searches: the search parameter and the patient compartment."""
    return [
        f"{FHIR}/QuestionnaireResponse?patient={patient_id}",
        f"{FHIR}/QuestionnaireResponse?patient=Patient/{patient_id}",
        f"{FHIR}/Patient/{patient_id}/QuestionnaireResponse",
        f"{FHIR}/Observation?patient={patient_id}",
        f"{FHIR}/Patient/{patient_id}/Observation",
    ]


def bundle(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    data = json.loads(response.content)
    Bundle.model_validate(data)
    assert (data["resourceType"], data["type"]) == ("Bundle", "searchset")
    return data


@pytest.fixture
def history(patient_record: Any, patient_user: Any, coordinator: Any) -> dict[str, Any]:
    """A PHQ-9 from the portal, a GAD-7 on paper, an unscorable PHQ-9 and a half-finished form."""
    phq9 = from_portal(patient_record, patient_user, "phq9", [2, 2, 1, 1, 2, 1, 1, 0, 0])
    gad7 = from_paper(patient_record, coordinator, "gad7", [3, 3, 3, 3, 3, 0, 0], days_ago=3)
    unscorable = from_paper(patient_record, coordinator, "phq9", [1, None, None, None, 1, 1, 1, 1, 0], days_ago=2)
    draft = services.start_response(patient_record, instrument_id="wsas", entered_by=patient_user)
    services.save_answers(draft, answers_of([1, 1]))
    return {"phq9": phq9, "gad7": gad7, "unscorable": unscorable, "draft": draft}


# --- Questionnaire ----------------------------------------------------------------------------------------


def test_staff_read_a_questionnaire_as_fhir_json(therapist):
    response = token_client(therapist).get(f"{FHIR}/Questionnaire/phq9")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    data = json.loads(response.content)
    Questionnaire.model_validate(data)
    assert (data["id"], data["code"][0]["code"]) == ("phq9", "44249-1")


def test_a_battery_is_read_by_its_fhir_id_and_an_administrator_may_read_it(administrator):
    response = signed_in(administrator).get(f"{FHIR}/Questionnaire/phq-sads")
    assert response.status_code == 200
    assert [group["linkId"] for group in json.loads(response.content)["item"]] == ["phq15", "gad7", "phq9"]


def test_an_unknown_questionnaire_is_not_found_and_a_malformed_id_is_refused(therapist):
    client = token_client(therapist)
    assert client.get(f"{FHIR}/Questionnaire/unknown").status_code == 404
    assert client.get(f"{FHIR}/Questionnaire/phq_sads").status_code == 422


def test_a_patient_account_does_not_reach_the_definitions_through_the_api(patient_user):
    assert signed_in(patient_user).get(f"{FHIR}/Questionnaire/phq9").status_code == 404


def test_every_fhir_endpoint_needs_authentication(patient_record):
    client = Client()
    assert client.get(f"{FHIR}/Questionnaire/phq9").status_code == 401
    for url in searches(patient_record.id):
        assert client.get(url).status_code == 401, url


# --- searches ---------------------------------------------------------------------------------------------


def test_the_care_team_gets_the_completed_responses_as_a_bundle(history, patient_record, therapist, settings):
    settings.SITE_URL = "https://clinic.example.org"
    data = bundle(token_client(therapist).get(f"{FHIR}/QuestionnaireResponse?patient={patient_record.id}"))
    expected = [history[name].id for name in ("gad7", "unscorable", "phq9")]  # oldest first
    assert data["total"] == 3
    assert [entry["resource"]["id"] for entry in data["entry"]] == [str(found) for found in expected]
    assert {entry["resource"]["status"] for entry in data["entry"]} == {"completed"}
    assert {entry["search"]["mode"] for entry in data["entry"]} == {"match"}
    first = data["entry"][0]
    assert first["fullUrl"] == f"https://clinic.example.org/api/fhir/QuestionnaireResponse/{history['gad7'].id}"
    assert data["link"] == [
        {
            "relation": "self",
            "url": f"https://clinic.example.org/api/fhir/QuestionnaireResponse?patient={patient_record.id}",
        }
    ]


def test_the_care_team_gets_the_total_scores_and_an_unscorable_response_has_none(history, patient_record, therapist):
    data = bundle(token_client(therapist).get(f"{FHIR}/Observation?patient={patient_record.id}"))
    assert data["total"] == 2
    totals = {
        entry["resource"]["code"]["coding"][0]["code"]: entry["resource"]["valueQuantity"]["value"]
        for entry in data["entry"]
    }
    # PHQ-9 2+2+1+1+2+1+1+0+0 = 10; GAD-7 3x5 = 15 (LOINC 44261-6 and 70274-6).
    assert totals == {"70274-6": 15, "44261-6": 10}
    assert {entry["resource"]["derivedFrom"][0]["reference"] for entry in data["entry"]} == {
        f"QuestionnaireResponse/{history['phq9'].id}",
        f"QuestionnaireResponse/{history['gad7'].id}",
    }


def test_the_search_parameter_and_the_compartment_give_the_same_resources(history, patient_record, coordinator):
    client = token_client(coordinator)
    responses = [bundle(client.get(url)) for url in searches(patient_record.id)[:3]]
    observations = [bundle(client.get(url)) for url in searches(patient_record.id)[3:]]
    assert responses[0]["entry"] == responses[1]["entry"] == responses[2]["entry"]
    assert observations[0]["entry"] == observations[1]["entry"]


def test_a_patient_with_no_responses_gets_an_empty_bundle(other_patient_record, coordinator):
    data = bundle(token_client(coordinator).get(f"{FHIR}/Observation?patient={other_patient_record.id}"))
    assert data["total"] == 0
    assert "entry" not in data


def test_a_search_is_audited_as_an_export_of_that_patient(history, patient_record, therapist):
    before = AuditEvent.objects.filter(patient_id=patient_record.id, action="export").count()
    token_client(therapist).get(f"{FHIR}/Observation?patient={patient_record.id}")
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export")
    assert events.count() == before + 1
    event = events.latest("id")
    assert (event.actor_id, event.object_type) == (therapist.id, "observation")


@pytest.mark.parametrize(
    "query", ["", "?patient=", "?patient=nobody", "?patient=Practitioner/0b6f3c7e-9a43-4c1e-8d2a-5f6e7a8b9c0d"]
)
def test_a_search_without_a_well_formed_patient_is_refused(therapist, query):
    assert token_client(therapist).get(f"{FHIR}/QuestionnaireResponse{query}").status_code == 422


# --- denials ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found_and_nothing_is_audited_as_access(
    history, patient_record, who, request
):
    person = request.getfixturevalue(who)
    client = token_client(person)
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in searches(patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert str(history["phq9"].id).encode() not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


def test_an_unknown_patient_is_not_found_like_a_patient_not_yours(therapist):
    for url in searches(uuid.uuid4()):
        assert token_client(therapist).get(url).status_code == 404, url


def test_a_patient_account_cannot_list_another_patients_responses(history, patient_record, other_patient_user):
    client = signed_in(other_patient_user)
    for url in searches(patient_record.id):
        assert client.get(url).status_code == 404, url


def test_the_api_is_for_staff_so_a_patient_reads_their_own_answers_in_the_portal(history, patient_record, patient_user):
    client = signed_in(patient_user)
    for url in searches(patient_record.id):
        assert client.get(url).status_code == 404, url


def test_emergency_access_opens_the_chart_but_does_not_export_it(history, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    client = token_client(psychiatrist)
    assert client.get(f"/api/patients/{patient_record.id}").status_code == 200
    for url in searches(patient_record.id):
        assert client.get(url).status_code == 404, url
