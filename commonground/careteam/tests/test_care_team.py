"""Care teams: members, coordinator and responsible clinician, and handing over a leaver's caseload."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.access import gateway
from commonground.accounts.models import ApiToken
from commonground.accounts.services import create_api_token
from commonground.careteam import selectors, services
from commonground.kit.errors import DomainError
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def test_only_active_clinical_staff_of_the_clinic_join_a_team(
    patient_record, administrator, foreign_clinician, outsider
):
    for wrong in (administrator, foreign_clinician):
        with pytest.raises(DomainError):
            services.add_member(patient_record, staff=wrong)
    outsider.is_active = False
    outsider.save()
    with pytest.raises(DomainError):
        services.add_member(patient_record, staff=outsider)


def test_nobody_joins_twice(patient_record, therapist):
    with pytest.raises(DomainError, match="already"):
        services.add_member(patient_record, staff=therapist)


def test_the_coordinator_cannot_leave_before_a_new_one_is_named(patient_record, coordinator, therapist):
    member = patient_record.care_team_members.get(staff=coordinator)
    with pytest.raises(DomainError):
        services.end_membership(member, expected_version=member.version, reason="Leaving")
    team = patient_record.care_team
    services.assign_roles(
        team, expected_version=team.version, coordinator=therapist, responsible_clinician=None, reason="Rota change"
    )
    member.refresh_from_db()
    services.end_membership(member, expected_version=member.version, reason="Leaving")
    assert coordinator not in [m.staff for m in selectors.current_members(patient_record.id)]


def test_a_leavers_caseload_goes_to_the_named_successor_and_their_access_ends(
    patient_record, other_patient_record, coordinator, outsider
):
    token, _secret = create_api_token(coordinator, name="lab import", scope="read", days=30, created_by=coordinator)
    handover = services.offboard_staff(coordinator, successor=outsider, reason="Retired")
    assert handover.places == 2 and handover.coordinated == 2
    for patient in (patient_record, other_patient_record):
        patient.care_team.refresh_from_db()
        assert patient.care_team.care_coordinator == outsider
        assert outsider in [m.staff for m in selectors.current_members(patient.id)]
    coordinator.refresh_from_db()
    assert not coordinator.is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert set(gateway.visible_patients(outsider)) == {patient_record, other_patient_record}


def test_the_successor_must_be_someone_else_and_clinical(coordinator, administrator):
    with pytest.raises(DomainError):
        services.offboard_staff(coordinator, successor=coordinator, reason="x")
    with pytest.raises(DomainError):
        services.offboard_staff(coordinator, successor=administrator, reason="x")
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_the_offboarding_page_is_for_administrators(coordinator, therapist, administrator, patient_record):
    url = reverse("careteam:offboard", args=[coordinator.id])
    assert signed_in(therapist).get(url).status_code == 404
    response = signed_in(administrator).post(url, {"successor": str(therapist.id), "reason": "Moved abroad"})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert not coordinator.is_active


def test_the_care_team_tab_adds_a_colleague(patient_record, coordinator, outsider):
    response = signed_in(coordinator).post(
        reverse("clinician:care_team", args=[patient_record.id]), {"form": "add", "staff": str(outsider.id)}
    )
    assert response.status_code == 302
    assert outsider in [m.staff for m in selectors.current_members(patient_record.id)]
