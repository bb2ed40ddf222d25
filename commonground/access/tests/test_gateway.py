"""The access gateway: the care-team rule, organisations, patients, break-glass, fail-closed."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.http import Http404

from commonground.access import gateway, relationships, services
from commonground.access.routes import Audience, RouteRule
from commonground.audit.models import AuditEvent
from commonground.audit.services import write_deferred
from commonground.careteam import services as team_services
from commonground.kit import clock
from commonground.kit.errors import DomainError, NotFound


def test_a_care_team_member_opens_the_patient_and_it_is_audited(patient_record, therapist):
    opened = gateway.open_patient(therapist, patient_record.id)
    assert opened == patient_record
    event = AuditEvent.objects.get(patient_id=patient_record.id, action="read")
    assert (event.object_type, event.outcome, event.organisation_id) == (
        "patient",
        "success",
        patient_record.organisation_id,
    )


def test_staff_outside_the_care_team_get_not_found(patient_record, outsider):
    with pytest.raises(Http404):
        gateway.open_patient(outsider, patient_record.id)


def test_a_refusal_is_recorded_as_a_security_event(patient_record, outsider):
    with pytest.raises(Http404):
        gateway.open_patient(outsider, patient_record.id)
    # The refusal waits for the request's transaction to end (it rolls back), then is written.
    assert not AuditEvent.objects.filter(action="access_refused").exists()
    write_deferred()
    assert AuditEvent.objects.filter(action="access_refused", object_id=str(patient_record.id)).exists()


def test_staff_of_another_clinic_never_see_the_patient(patient_record, foreign_clinician):
    with pytest.raises(Http404):
        gateway.open_patient(foreign_clinician, patient_record.id)
    assert patient_record not in gateway.visible_patients(foreign_clinician)


def _portal_request(user):
    """A request on a route that accepts the patient themselves (the portal's routes)."""
    return SimpleNamespace(user=user, access_rule=RouteRule(Audience.PATIENT, (relationships.SELF,)))


def test_a_patient_sees_only_their_own_record_and_only_where_a_route_allows_it(
    patient_record, patient_user, other_patient_record
):
    assert gateway.open_patient(_portal_request(patient_user), patient_record.id) == patient_record
    with pytest.raises(Http404):
        gateway.open_patient(_portal_request(patient_user), other_patient_record.id)
    with pytest.raises(Http404):  # staff routes and the API do not accept "self"
        gateway.open_patient(patient_user, patient_record.id)


def test_a_role_outside_the_clinical_set_ends_what_a_care_team_place_grants(patient_record, therapist):
    from commonground.accounts.services import change_role

    change_role(therapist, role="privacy_officer", changed_by=therapist)
    with pytest.raises(Http404):
        gateway.open_patient(therapist, patient_record.id)
    assert not gateway.visible_patients(therapist).exists()


def test_administrators_and_privacy_officers_see_no_clinical_data(patient_record, administrator, privacy_officer):
    for person in (administrator, privacy_officer):
        with pytest.raises(Http404):
            gateway.open_patient(person, patient_record.id)
        assert not gateway.visible_patients(person).exists()


def test_unknown_and_malformed_ids_are_not_found(therapist):
    for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", ""):
        with pytest.raises(Http404):
            gateway.open_patient(therapist, bad)


def test_leaving_the_care_team_ends_access_at_once(patient_record, therapist):
    member = patient_record.care_team_members.get(staff=therapist)
    team_services.end_membership(member, expected_version=member.version, reason="Moved to another clinic")
    with pytest.raises(Http404):
        gateway.open_patient(therapist, patient_record.id)


def test_a_deactivated_account_sees_nothing(patient_record, therapist):
    therapist.is_active = False
    therapist.save()
    with pytest.raises(Http404):
        gateway.open_patient(therapist, patient_record.id)
    assert not gateway.visible_patients(therapist).exists()


def test_visible_patients_lists_exactly_the_care_teams(
    patient_record, other_patient_record, coordinator, therapist, foreign_patient
):
    assert set(gateway.visible_patients(coordinator)) == {patient_record, other_patient_record}
    assert set(gateway.visible_patients(therapist)) == {patient_record}


def test_entered_in_error_patients_are_not_found(patient_record, therapist):
    from commonground.patients.services import mark_in_error

    mark_in_error(patient_record, expected_version=patient_record.version, reason="Duplicate registration")
    with pytest.raises(Http404):
        gateway.open_patient(therapist, patient_record.id)


class TestBreakGlass:
    def test_only_designated_staff_may_break_the_glass(self, patient_record, outsider):
        with pytest.raises(NotFound):
            services.start_break_glass(
                outsider, record_number=patient_record.record_number, reason="Patient collapsed in the waiting room"
            )

    def test_a_reason_is_required(self, patient_record, psychiatrist):
        with pytest.raises(DomainError):
            services.start_break_glass(psychiatrist, record_number=patient_record.record_number, reason="urgent")

    def test_access_is_granted_flagged_and_time_boxed(self, patient_record, psychiatrist):
        reason = "Crisis call out of hours; care team unreachable"
        grant = services.start_break_glass(psychiatrist, record_number=patient_record.record_number, reason=reason)
        assert gateway.open_patient(psychiatrist, patient_record.id) == patient_record
        read = AuditEvent.objects.filter(patient_id=patient_record.id, action="read").latest("id")
        assert read.break_glass_reason == reason
        assert AuditEvent.objects.filter(patient_id=patient_record.id, action="break_glass").exists()
        assert grant.expires_at - grant.started_at == timedelta(minutes=60)
        type(grant).objects.filter(pk=grant.pk).update(expires_at=clock.now() - timedelta(seconds=1))
        with pytest.raises(Http404):
            gateway.open_patient(psychiatrist, patient_record.id)

    def test_break_glass_never_crosses_clinics(self, foreign_patient, psychiatrist):
        with pytest.raises(DomainError):
            services.start_break_glass(
                psychiatrist,
                record_number=foreign_patient.record_number,
                reason="Looking for a patient of another clinic",
            )
