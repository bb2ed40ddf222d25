"""What opening a patient costs: the patient with their clinic, the relationship check, the audit insert."""

from __future__ import annotations

import pytest
from django.http import Http404

from commonground.access import gateway
from commonground.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_opening_a_patient_is_three_queries_and_brings_the_clinic(patient_record, therapist, django_assert_num_queries):
    time_zone = patient_record.organisation.time_zone
    with django_assert_num_queries(3):  # patient with clinic, care-team check, audit insert
        opened = gateway.open_patient(therapist, patient_record.id)
    with django_assert_num_queries(0):
        assert opened.organisation.time_zone == time_zone
    assert opened == patient_record


def test_a_refusal_costs_no_audit_insert_inside_the_request(patient_record, outsider, django_assert_num_queries):
    with django_assert_num_queries(2), pytest.raises(Http404):  # patient, care-team check (the refusal waits)
        gateway.open_patient(outsider, patient_record.id)
    assert not AuditEvent.objects.filter(action="read").exists()
