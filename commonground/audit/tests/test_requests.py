"""AUD-01/02/05/06: what a request writes to the audit trail, and the reports that read it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from commonground.audit.models import AuditEvent
from tests.personas import PASSWORD, make_patient, signed_in

pytestmark = pytest.mark.django_db

TODAY = date.today()
START, END = str(TODAY - timedelta(days=2)), str(TODAY + timedelta(days=2))


def test_a_caseload_of_many_patients_writes_one_event_each_in_one_insert(
    clinic, coordinator, django_assert_max_num_queries
):
    patients = [make_patient(clinic, coordinator, given=f"P{i}", family=f"Family{i:03d}") for i in range(30)]
    client = signed_in(coordinator)
    AuditEvent.objects.all().count()
    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("clinician:caseload"))
    assert response.status_code == 200
    listed = AuditEvent.objects.filter(action="list").order_by("-id")[:30]
    assert {e.patient_id for e in listed} == {p.id for p in patients}
    assert AuditEvent.objects.count() - before == 30
    assert len({e.request_id for e in listed}) == 1


def test_opening_a_chart_writes_one_read_event_with_who_and_where(patient_record, therapist):
    client = signed_in(therapist)
    client.get(reverse("clinician:chart", args=[patient_record.id]))
    event = AuditEvent.objects.get(action="read", patient_id=patient_record.id)
    assert event.actor_id == therapist.id
    assert event.actor_role == "psychosomatic_therapist"
    assert event.organisation_id == patient_record.organisation_id
    assert event.request_id and event.client_address == "127.0.0.1"


def test_a_refused_chart_is_recorded_although_the_request_rolls_back(patient_record, outsider):
    response = signed_in(outsider).get(reverse("clinician:chart", args=[patient_record.id]))
    assert response.status_code == 404
    refusal = AuditEvent.objects.get(action="access_refused")
    assert refusal.actor_id == outsider.id and refusal.outcome == "denied"
    assert not AuditEvent.objects.filter(action="read", patient_id=patient_record.id).exists()


def test_a_write_and_its_audit_event_roll_back_together(patient_record, coordinator, monkeypatch):
    """AUD-05: a crash after the change leaves neither the change nor its audit event."""
    from commonground.patients import services

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_audit", crash)
    client = signed_in(coordinator)
    client.raise_request_exception = False
    url = reverse("clinician:consents", args=[patient_record.id])
    response = client.post(url, {"form": "consent", "scope": "research", "text_version": "v1"})
    assert response.status_code == 500
    assert b"Traceback" not in response.content
    assert not patient_record.consents.exists()
    assert not AuditEvent.objects.filter(object_type="consent").exists()


def test_logins_failures_and_lockouts_are_security_events(coordinator):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "outcome"))
    assert ("login_failed", "failure") in actions
    assert ("login", "success") in actions


def test_the_privacy_officer_reads_the_report_sorted_by_any_field(patient_record, therapist, privacy_officer):
    signed_in(therapist).get(reverse("clinician:chart", args=[patient_record.id]))
    client = signed_in(privacy_officer)
    for sort in ("actor_username", "-action", "client_address", "patient_id"):
        response = client.get(reverse("audit:report"), {"start": START, "end": END, "sort": sort})
        assert response.status_code == 200
    assert b"bob" in response.content
    hostile = client.get(reverse("audit:report"), {"start": START, "end": END, "sort": "id; DROP TABLE x"})
    assert hostile.status_code == 200  # not in the allow-list: the form refuses it and shows the message
    assert b"Select a valid choice" in hostile.content
    too_long = client.get(reverse("audit:report"), {"start": "2000-01-01", "end": "2100-01-01"})
    assert b"at most a year" in too_long.content
    csv = client.get(reverse("audit:report_csv"), {"start": START, "end": END, "sort": "-occurred_at"})
    assert csv.status_code == 200 and b"actor_username" in b"".join(csv.streaming_content)


def test_the_report_is_the_privacy_officers_only(therapist, administrator):
    for person in (therapist, administrator):
        assert signed_in(person).get(reverse("audit:report")).status_code == 404


def test_a_patient_sees_who_opened_their_record(patient_record, patient_user, therapist):
    signed_in(therapist).get(reverse("clinician:chart", args=[patient_record.id]))
    response = signed_in(patient_user).get(reverse("portal:access_log"))
    assert response.status_code == 200
    assert b"Bob" in response.content and b"Psychosomatic therapist" in response.content


def test_registering_writes_one_event_per_record_created(coordinator):
    signed_in(coordinator).post(
        reverse("clinician:register"),
        {
            "given_name": "Mary",
            "family_name": "Somerville",
            "date_of_birth": "1975-12-26",
            "sex": "female",
            "preferred_language": "en",
            "education_level": "tertiary",
            "time_zone": "Europe/Amsterdam",
            "care_consent_version": "care-2025.1",
            "start_episode": "on",
        },
    )
    created = set(AuditEvent.objects.filter(action="create").values_list("object_type", flat=True))
    assert {"patient", "care_team", "consent", "care_episode"} <= created
