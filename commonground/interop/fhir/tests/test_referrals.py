"""Referrals as FHIR R4 ServiceRequests (issue 7 item 8, decision 0017), checked through the R4B models, and their
endpoints. Codes are checked against the published R4 value sets (request-status, request-intent,
request-priority), which fhir.resources does not enforce."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest

from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.interop.fhir.referrals import service_request
from commonground.interop.fhir.tests.support import round_trip
from commonground.kit import clock
from commonground.referrals import services
from commonground.referrals.choices import State
from commonground.referrals.models import Referral
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
# R4 value sets: hl7.org/fhir/R4/valueset-request-status.html, -request-intent, -request-priority.
REQUEST_STATUSES = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
INTENTS = {
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
}
PRIORITIES = {"routine", "urgent", "asap", "stat"}
SENT = datetime(2026, 2, 2, 10, tzinfo=UTC)
OUT = {
    "service": "physiotherapy",
    "counterpart": "Fysio De Brug",
    "reason": "Graded activity",
    "question": "Can she build up walking?",
}


def mapped(referral: Referral) -> dict[str, Any]:
    resource = service_request(
        Referral.objects.select_related("patient__organisation", "created_by").get(pk=referral.pk)
    )
    assert isinstance(resource, ServiceRequest)
    data = round_trip(resource)
    assert data["status"] in REQUEST_STATUSES
    assert data["intent"] in INTENTS
    assert data["priority"] in PRIORITIES
    return data


def outgoing(patient: Any, by: Any, **details: Any) -> Referral:
    with clock.pinned(SENT):
        return services.create_outgoing(patient, details=OUT | details, by=by, send_now=True)


def walk(referral: Referral, by: Any, *targets: str) -> Referral:
    for target in targets:
        referral = services.move(referral, to_state=target, expected_version=referral.version, by=by, note="Why")
    return referral


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    assert response["Content-Type"] == FHIR_JSON
    data: dict[str, Any] = json.loads(response.content)
    return data


# --- mapping ----------------------------------------------------------------------------------------------


def test_an_outgoing_referral_maps_to_an_active_order(patient_record, therapist, settings):
    settings.SITE_URL = "https://clinic.example.org"
    referral = outgoing(patient_record, therapist, urgency="soon")
    data = mapped(referral)
    assert data["resourceType"] == "ServiceRequest" and data["id"] == str(referral.id)
    assert (data["status"], data["intent"], data["priority"]) == ("active", "order", "urgent")
    assert data["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["requester"] == {"reference": f"Practitioner/{therapist.id}", "display": therapist.display_name}
    assert data["performerType"] == {
        "coding": [
            {
                "system": "https://clinic.example.org/api/fhir/CodeSystem/referral-services",
                "code": "physiotherapy",
                "display": "Physiotherapy",
            }
        ],
        "text": "Physiotherapy",
    }
    assert data["performer"] == [{"display": "Fysio De Brug"}]
    assert data["reasonCode"] == [{"text": "Graded activity"}]
    assert data["authoredOn"].startswith("2026-02-02T10:00:00")
    assert data["note"] == [{"text": "Question: Can she build up walking?"}]


def test_an_incoming_referral_is_requested_by_the_gp_of_this_clinic(patient_record, coordinator):
    referral = services.register_incoming(
        patient_record,
        details={"counterpart": "Dr. Jansen", "reason": "Fatigue", "symptoms": "Tired all day", "urgency": "urgent"},
        by=coordinator,
    )
    data = mapped(referral)
    assert data["requester"] == {"display": "Dr. Jansen"}
    organisation = patient_record.organisation
    assert data["performer"] == [{"reference": f"Organization/{organisation.id}", "display": organisation.name}]
    assert data["priority"] == "asap"
    assert data["note"] == [{"text": "Symptoms described: Tired all day"}]
    assert data["performerType"]["coding"][0]["code"] == "psychosomatic_care"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), "active"),
        (("received", "accepted", "scheduled", "first_contact"), "active"),
        (("received", "accepted", "scheduled", "first_contact", "completed"), "completed"),
        (("received", "declined"), "revoked"),
        (("withdrawn",), "revoked"),
    ],
)
def test_the_status_follows_the_state(patient_record, coordinator, path, expected):
    referral = walk(outgoing(patient_record, coordinator), coordinator, *path)
    assert mapped(referral)["status"] == expected


def test_a_draft_is_a_draft_authored_when_started(patient_record, coordinator):
    with clock.pinned(SENT):
        referral = services.create_outgoing(patient_record, details=OUT, by=coordinator)
    data = mapped(referral)
    assert data["status"] == "draft"
    assert data["authoredOn"].startswith("2026-02-02")


def test_every_state_has_a_status():
    from commonground.interop.fhir.referrals import STATUS

    assert set(STATUS) == set(State.values)
    assert set(STATUS.values()) <= REQUEST_STATUSES


# --- endpoints ------------------------------------------------------------------------------------------


@pytest.fixture
def referrals(patient_record, coordinator) -> dict[str, Referral]:
    kept = outgoing(patient_record, coordinator)
    wrong = outgoing(patient_record, coordinator, counterpart="Wrong")
    services.referral_in_error(wrong, expected_version=wrong.version, reason="Wrong patient")
    incoming = services.register_incoming(
        patient_record, details={"counterpart": "Dr. J", "reason": "x"}, by=coordinator
    )
    return {"kept": kept, "wrong": wrong, "incoming": incoming}


def urls_for(referrals: dict[str, Referral], patient_id: Any) -> list[str]:
    return [
        f"{FHIR}/ServiceRequest/{referrals['kept'].id}",
        f"{FHIR}/ServiceRequest?patient={patient_id}",
        f"{FHIR}/Patient/{patient_id}/ServiceRequest",
    ]


def test_a_read_gives_the_service_request(referrals, therapist):
    data = read(token_client(therapist), f"{FHIR}/ServiceRequest/{referrals['kept'].id}")
    ServiceRequest.model_validate(data)
    assert data["id"] == str(referrals["kept"].id)


def test_a_search_gives_every_current_referral_and_both_spellings_agree(referrals, patient_record, coordinator):
    client = token_client(coordinator)
    urls = [
        f"{FHIR}/ServiceRequest?patient={patient_record.id}",
        f"{FHIR}/ServiceRequest?patient=Patient/{patient_record.id}",
        f"{FHIR}/Patient/{patient_record.id}/ServiceRequest",
    ]
    found = [read(client, url) for url in urls]
    for data in found:
        Bundle.model_validate(data)
        assert (data["type"], data["total"]) == ("searchset", 2)
    assert found[0]["entry"] == found[1]["entry"] == found[2]["entry"]
    ids = {entry["resource"]["id"] for entry in found[0]["entry"]}
    assert ids == {str(referrals["kept"].id), str(referrals["incoming"].id)}, "entered in error is left out"


def test_reads_and_searches_are_audited_as_exports(referrals, patient_record, therapist):
    client = token_client(therapist)
    read(client, f"{FHIR}/ServiceRequest/{referrals['kept'].id}")
    read(client, f"{FHIR}/Patient/{patient_record.id}/ServiceRequest")
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="referral")
    assert sorted(event.object_id for event in events) == sorted([str(patient_record.id), str(referrals["kept"].id)])


def test_unknown_erroneous_or_malformed_ids(referrals, therapist):
    client = token_client(therapist)
    assert client.get(f"{FHIR}/ServiceRequest/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/ServiceRequest/{referrals['wrong'].id}").status_code == 404
    assert client.get(f"{FHIR}/ServiceRequest/not-a-uuid").status_code == 422


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(referrals, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in urls_for(referrals, patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert b"Graded activity" not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_patient_accounts_get_not_found(referrals, patient_record, who, request):
    client = signed_in(request.getfixturevalue(who))
    for url in urls_for(referrals, patient_record.id):
        assert client.get(url).status_code == 404, (who, url)
