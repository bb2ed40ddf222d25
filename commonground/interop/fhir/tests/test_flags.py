"""Alerts as FHIR R4 Flags (issue 7 item 8, decision 0019), checked through the R4B models, and their endpoints.

Codes are checked against the published R4 value sets (flag-status, flag-category) and the flag-priority
extension's codes, which fhir.resources does not enforce.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.flag import Flag

from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.interop.fhir.flags import FLAG_CATEGORY, FLAG_PRIORITY_CODES, FLAG_PRIORITY_EXTENSION, flag_resource
from commonground.interop.fhir.tests.support import round_trip
from commonground.kit.models import RecordStatus
from commonground.safety import services
from commonground.safety.models import Alert
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FLAG_STATUSES = {"active", "inactive", "entered-in-error"}
CATEGORIES = {
    "diet", "drug", "lab", "admin", "contact", "clinical", "behavioral", "research", "advance-directive", "safety",
}  # fmt: skip
PRIORITIES = {"PN", "PL", "PM", "PH"}


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def alerts(patient_record: Any, coordinator: Any) -> dict[str, Alert]:
    urgent = services.raise_critical_item_alert(
        patient_record, summary="PHQ-9 item 9 answered", response_id=uuid.uuid4()
    )
    routine = services.raise_deterioration_alert(
        patient_record, summary="PHQ-15 reliably worse", response_id=uuid.uuid4()
    )
    services.acknowledge(routine, by=coordinator, note="Discussed", expected_version=routine.version)
    routine.refresh_from_db()
    return {"urgent": urgent, "routine": routine}


def check(data: dict[str, Any]) -> None:
    assert data["resourceType"] == "Flag" and data["status"] in FLAG_STATUSES
    for category in data["category"]:
        assert all(c["system"] == FLAG_CATEGORY and c["code"] in CATEGORIES for c in category["coding"])
    (priority,) = [e for e in data["extension"] if e["url"] == FLAG_PRIORITY_EXTENSION]
    coding = priority["valueCodeableConcept"]["coding"][0]
    assert coding["system"] == FLAG_PRIORITY_CODES and coding["code"] in PRIORITIES


def test_an_open_urgent_alert_is_an_active_safety_flag_of_high_priority(alerts: Any, patient_record: Any) -> None:
    data = round_trip(flag_resource(alerts["urgent"]))
    check(data)
    assert data["status"] == "active"
    assert data["category"][0]["coding"][0]["code"] == "safety"
    assert data["code"]["text"] == "Critical item answered: PHQ-9 item 9 answered"
    assert data["subject"]["reference"] == f"Patient/{patient_record.id}"
    assert data["author"]["reference"] == f"Organization/{patient_record.organisation_id}"
    assert "start" in data["period"] and "end" not in data["period"]
    assert data["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "PH"


def test_an_acknowledged_alert_is_inactive_and_its_period_ends(alerts: Any) -> None:
    data = round_trip(flag_resource(alerts["routine"]))
    check(data)
    assert data["status"] == "inactive" and data["category"][0]["coding"][0]["code"] == "clinical"
    assert data["period"]["end"] and data["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "PM"


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


def test_the_care_team_reads_a_flag_and_searches_the_patients_flags(
    alerts: Any, patient_record: Any, therapist: Any
) -> None:
    client = token_client(therapist)
    one = read(client, f"{FHIR}/Flag/{alerts['urgent'].id}")
    Flag.model_validate(one)
    check(one)
    found = read(client, f"{FHIR}/Flag?patient={patient_record.id}")
    Bundle.model_validate(found)
    assert found["type"] == "searchset" and found["total"] == 2
    assert [entry["resource"]["status"] for entry in found["entry"]] == ["active", "inactive"]
    also = read(client, f"{FHIR}/Flag?patient=Patient/{patient_record.id}")
    assert also["total"] == 2
    assert AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="alert").exists()


def test_an_unknown_or_erroneous_flag_is_not_found(alerts: Any, therapist: Any) -> None:
    Alert.objects.filter(pk=alerts["routine"].pk).update(record_status=RecordStatus.ENTERED_IN_ERROR)
    client = token_client(therapist)
    assert client.get(f"{FHIR}/Flag/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Flag/{alerts['routine'].id}").status_code == 404
    assert client.get(f"{FHIR}/Flag/not-a-uuid").status_code == 422


def test_without_alerts_the_search_is_empty(other_patient_record: Any, coordinator: Any) -> None:
    found = read(token_client(coordinator), f"{FHIR}/Flag?patient={other_patient_record.id}")
    assert found["total"] == 0 and "entry" not in found


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(alerts: Any, patient_record: Any, who: str, request: Any) -> None:
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in (f"{FHIR}/Flag/{alerts['urgent'].id}", f"{FHIR}/Flag?patient={patient_record.id}"):
        answer = client.get(url)
        assert answer.status_code == 404, (who, url)
        assert b"PHQ-9" not in answer.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


def test_patients_and_the_signed_out_get_nothing(alerts: Any, patient_record: Any, patient_user: Any) -> None:
    for url in (f"{FHIR}/Flag/{alerts['urgent'].id}", f"{FHIR}/Flag?patient={patient_record.id}"):
        assert Client().get(url).status_code == 401
        assert signed_in(patient_user).get(url).status_code == 404
