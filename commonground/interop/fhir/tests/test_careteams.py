"""A patient's care team as a FHIR R4 CareTeam (issue 7 item 8, decision 0019), validated, and its endpoints."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careteam import CareTeam as FhirCareTeam

from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.careteam import selectors, services
from commonground.interop.fhir.careteams import care_team_resource
from commonground.interop.fhir.tests.support import round_trip
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
CARE_TEAM_STATUSES = {"proposed", "active", "suspended", "inactive", "entered-in-error"}


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def team(patient_record: Any, coordinator: Any, therapist: Any) -> Any:
    care_team = patient_record.care_team
    return services.assign_roles(
        care_team,
        expected_version=care_team.version,
        coordinator=coordinator,
        responsible_clinician=therapist,
        reason="x",
    )


def roles_of(participant: dict[str, Any]) -> set[str]:
    return {coding["code"] for role in participant["role"] for coding in role["coding"]}


def test_the_team_lists_its_members_with_their_roles(
    team: Any, patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    data = round_trip(care_team_resource(team, list(selectors.current_members(patient_record.id))))
    assert data["resourceType"] == "CareTeam" and data["status"] in CARE_TEAM_STATUSES
    assert data["subject"]["reference"] == f"Patient/{patient_record.id}"
    assert data["managingOrganization"] == [{"reference": f"Organization/{patient_record.organisation_id}"}]
    by_member = {p["member"]["reference"]: p for p in data["participant"]}
    alice, bob = by_member[f"Practitioner/{coordinator.id}"], by_member[f"Practitioner/{therapist.id}"]
    assert "care-coordinator" in roles_of(alice) and coordinator.role in roles_of(alice)
    assert "responsible-clinician" in roles_of(bob) and "care-coordinator" not in roles_of(bob)
    assert alice["member"]["display"] == "Alice" and alice["period"]["start"]


def test_a_member_who_left_is_not_listed(team: Any, patient_record: Any, therapist: Any, outsider: Any) -> None:
    member = services.add_member(patient_record, staff=outsider)
    services.end_membership(member, expected_version=member.version, reason="Left the team")
    data = round_trip(care_team_resource(team, list(selectors.current_members(patient_record.id))))
    assert f"Practitioner/{outsider.id}" not in {p["member"]["reference"] for p in data["participant"]}


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


def test_the_care_team_reads_and_searches_it(team: Any, patient_record: Any, therapist: Any) -> None:
    client = token_client(therapist)
    one = read(client, f"{FHIR}/CareTeam/{team.id}")
    FhirCareTeam.model_validate(one)
    found = read(client, f"{FHIR}/CareTeam?patient={patient_record.id}")
    Bundle.model_validate(found)
    assert found["total"] == 1 and found["entry"][0]["resource"]["id"] == str(team.id)
    assert AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="care_team").exists()
    assert client.get(f"{FHIR}/CareTeam/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/CareTeam/not-a-uuid").status_code == 422


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(team: Any, patient_record: Any, who: str, request: Any) -> None:
    client = token_client(request.getfixturevalue(who))
    for url in (f"{FHIR}/CareTeam/{team.id}", f"{FHIR}/CareTeam?patient={patient_record.id}"):
        assert client.get(url).status_code == 404, (who, url)


def test_patients_and_the_signed_out_get_nothing(team: Any, patient_record: Any, patient_user: Any) -> None:
    for url in (f"{FHIR}/CareTeam/{team.id}", f"{FHIR}/CareTeam?patient={patient_record.id}"):
        assert Client().get(url).status_code == 401
        assert signed_in(patient_user).get(url).status_code == 404
