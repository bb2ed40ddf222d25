"""Consents through the API: record, list, withdraw (once), and what this endpoint refuses."""

from __future__ import annotations

import uuid

import pytest

from commonground.audit.models import AuditEvent
from commonground.patients import services as patient_services
from commonground.patients.models import Consent

pytestmark = pytest.mark.django_db

JSON = "application/json"


def consents_url(patient) -> str:
    return f"/api/patients/{patient.id}/consents"


def withdraw_url(patient, consent_id) -> str:
    return f"{consents_url(patient)}/{consent_id}/withdraw"


def test_recording_a_consent_returns_it_and_lists_it(api_as, patient_record, therapist):
    client = api_as(therapist)
    response = client.post(
        consents_url(patient_record),
        {"scope": "research", "text_version": "2025-01", "scope_reference": "STUDY-7"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["scope"], body["text_version"], body["scope_reference"]) == ("research", "2025-01", "STUDY-7")
    assert body["withdrawn_at"] is None and body["version"] == 1
    consent = Consent.objects.get(pk=body["id"])
    assert consent.recorded_by_id == therapist.id
    assert AuditEvent.objects.filter(action="create", object_type="consent", patient_id=patient_record.id).exists()

    listed = client.get(consents_url(patient_record))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [body["id"]]


def test_the_list_holds_only_this_patients_consents(api_as, patient_record, other_patient_record, coordinator):
    patient_services.record_consent(other_patient_record, scope="care", text_version="v1", recorded_by=coordinator)
    assert api_as(coordinator).get(consents_url(patient_record)).json() == []


def test_withdrawing_sets_withdrawn_at_and_a_second_withdrawal_is_422(api_as, patient_record, therapist):
    client = api_as(therapist)
    created = client.post(consents_url(patient_record), {"scope": "care", "text_version": "v1"}, content_type=JSON)
    consent_id = created.json()["id"]

    withdrawn = client.post(
        withdraw_url(patient_record, consent_id), {"version": 1, "reason": "Changed her mind"}, content_type=JSON
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    assert withdrawn.json()["version"] == 2
    consent = Consent.objects.get(pk=consent_id)
    assert not consent.is_in_force and consent.withdrawal_note == "Changed her mind"

    again = client.post(withdraw_url(patient_record, consent_id), {"version": 2}, content_type=JSON)
    assert again.status_code == 422
    assert again.json()["detail"][0]["msg"] == "This consent was already withdrawn."
    assert Consent.objects.get(pk=consent_id).version == 2


def test_withdrawing_with_a_stale_version_is_409_and_keeps_the_consent(api_as, patient_record, therapist):
    consent = patient_services.record_consent(patient_record, scope="care", text_version="v1", recorded_by=therapist)
    response = api_as(therapist).post(withdraw_url(patient_record, consent.id), {"version": 7}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["current_version"] == 1
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_supporter_sharing_is_refused_on_this_endpoint(api_as, patient_record, therapist):
    response = api_as(therapist).post(
        consents_url(patient_record), {"scope": "supporter_sharing", "text_version": "v1"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "scope"]
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "marketing", "text_version": "v1"}, "scope"),
        ({"scope": "care"}, "text_version"),
        ({"scope": "care", "text_version": "   "}, "text_version"),
        ({"scope": "care", "text_version": "v" * 41}, "text_version"),
        ({"scope": "care", "text_version": "v1", "scope_reference": "r" * 65}, "scope_reference"),
        ({"scope": "care", "text_version": "v\x001"}, "text_version"),
    ],
)
def test_an_invalid_consent_is_422_naming_the_field(api_as, patient_record, therapist, body, field):
    response = api_as(therapist).post(consents_url(patient_record), body, content_type=JSON)
    assert response.status_code == 422
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}
    assert not Consent.objects.exists()


def test_consents_of_a_patient_one_may_not_see_are_404(api_as, patient_record, outsider, foreign_clinician):
    for who in (outsider, foreign_clinician):
        client = api_as(who)
        assert client.get(consents_url(patient_record)).status_code == 404
        recorded = client.post(consents_url(patient_record), {"scope": "care", "text_version": "v1"}, content_type=JSON)
        assert recorded.status_code == 404
    assert not Consent.objects.exists()


def test_withdrawing_a_consent_one_may_not_see_is_404_and_changes_nothing(api_as, patient_record, therapist, outsider):
    consent = patient_services.record_consent(patient_record, scope="care", text_version="v1", recorded_by=therapist)
    response = api_as(outsider).post(withdraw_url(patient_record, consent.id), {"version": 1}, content_type=JSON)
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_a_consent_of_another_patient_is_404_through_this_patients_url(
    api_as, patient_record, other_patient_record, coordinator
):
    other = patient_services.record_consent(
        other_patient_record, scope="care", text_version="v1", recorded_by=coordinator
    )
    response = api_as(coordinator).post(withdraw_url(patient_record, other.id), {"version": 1}, content_type=JSON)
    assert response.status_code == 404
    assert Consent.objects.get(pk=other.pk).withdrawn_at is None


def test_withdrawing_an_unknown_consent_is_404(api_as, patient_record, therapist):
    response = api_as(therapist).post(withdraw_url(patient_record, uuid.uuid4()), {"version": 1}, content_type=JSON)
    assert response.status_code == 404


def test_withdrawing_the_consent_to_a_group_through_the_api_ends_the_place(api_as, patient_record, coordinator):
    from datetime import time, timedelta

    from commonground.groups import services as group_services
    from commonground.groups.models import Enrolment
    from commonground.kit import clock

    programme = group_services.create_programme_from_template(patient_record.organisation, by=coordinator)
    starts = clock.local_date(clock.now(), patient_record.organisation.time_zone) + timedelta(days=7)
    details = {"name": "Spring group", "capacity": 2, "starts_on": starts, "session_time": time(14, 0)}
    cohort = group_services.create_cohort(programme, details=details, facilitators=[coordinator], by=coordinator)
    enrolment = group_services.enrol(cohort, patient_record, source="care_plan", consent_given=True, by=coordinator)
    consent = enrolment.consent
    response = api_as(coordinator).post(withdraw_url(patient_record, consent.id), {"version": 1}, content_type=JSON)
    assert response.status_code == 200
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert enrolment.status == "withdrawn" and enrolment.end_reason == "Consent to take part withdrawn"
    cohort.refresh_from_db()
    assert cohort.places_taken == 0
