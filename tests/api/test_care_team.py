"""Care teams through the API: read, add a clinical colleague, end a membership with its version."""

from __future__ import annotations

import uuid

import pytest

from commonground.careteam import selectors as team_selectors
from commonground.careteam.models import CareTeamMember

pytestmark = pytest.mark.django_db

JSON = "application/json"


def team_url(patient) -> str:
    return f"/api/patients/{patient.id}/care-team"


def members_url(patient) -> str:
    return f"{team_url(patient)}/members"


def end_url(patient, member_id) -> str:
    return f"{members_url(patient)}/{member_id}/end"


def end(client, patient, member_id, version, **extra):
    return client.post(end_url(patient, member_id), {"version": version, **extra}, content_type=JSON)


def membership(patient, staff) -> CareTeamMember:
    return CareTeamMember.objects.get(patient=patient, staff=staff, left_at__isnull=True)


def test_a_member_reads_the_care_team(api_as, patient_record, coordinator, therapist):
    response = api_as(therapist).get(team_url(patient_record))
    assert response.status_code == 200
    body = response.json()
    assert body["care_coordinator_id"] == str(coordinator.id)
    assert {member["staff_id"] for member in body["members"]} == {str(coordinator.id), str(therapist.id)}
    assert {member["staff_name"] for member in body["members"]} == {"Alice", "Bob"}


def test_adding_a_clinical_colleague_lets_them_see_the_patient(api_as, patient_record, coordinator, outsider):
    assert api_as(outsider).get(f"/api/patients/{patient_record.id}").status_code == 404
    response = api_as(coordinator).post(members_url(patient_record), {"staff_id": str(outsider.id)}, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["staff_id"] == str(outsider.id)
    assert response.json()["team_role"] == "physiotherapist"
    assert team_selectors.is_on_care_team(outsider, patient_record.id)
    assert api_as(outsider).get(f"/api/patients/{patient_record.id}").status_code == 200


@pytest.mark.parametrize("who", ["administrator", "privacy_officer", "patient_user", "foreign_clinician"])
def test_a_non_clinician_or_a_colleague_of_another_clinic_is_refused_with_422(
    api_as, request, patient_record, coordinator, who
):
    person = request.getfixturevalue(who)
    response = api_as(coordinator).post(members_url(patient_record), {"staff_id": str(person.id)}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "staff_id"]
    assert not CareTeamMember.objects.filter(staff=person).exists()


def test_an_unknown_colleague_is_422(api_as, patient_record, coordinator):
    response = api_as(coordinator).post(members_url(patient_record), {"staff_id": str(uuid.uuid4())}, content_type=JSON)
    assert response.status_code == 422


def test_a_colleague_already_on_the_team_is_422(api_as, patient_record, coordinator, therapist):
    response = api_as(coordinator).post(members_url(patient_record), {"staff_id": str(therapist.id)}, content_type=JSON)
    assert response.status_code == 422
    assert CareTeamMember.objects.filter(patient=patient_record, staff=therapist).count() == 1


def test_someone_off_the_team_cannot_add_themselves(api_as, patient_record, outsider):
    response = api_as(outsider).post(members_url(patient_record), {"staff_id": str(outsider.id)}, content_type=JSON)
    assert response.status_code == 404
    assert not team_selectors.is_on_care_team(outsider, patient_record.id)


def test_ending_a_membership_with_the_right_version(api_as, patient_record, coordinator, therapist):
    member = membership(patient_record, therapist)
    response = end(api_as(coordinator), patient_record, member.id, member.version, reason="Therapy finished")
    assert response.status_code == 200
    assert response.json()["version"] == member.version + 1
    assert not team_selectors.is_on_care_team(therapist, patient_record.id)
    assert api_as(therapist).get(f"/api/patients/{patient_record.id}").status_code == 404


def test_ending_a_membership_with_a_stale_version_is_409(api_as, patient_record, coordinator, therapist):
    member = membership(patient_record, therapist)
    response = end(api_as(coordinator), patient_record, member.id, member.version + 1)
    assert response.status_code == 409
    assert response.json()["current_version"] == member.version
    assert team_selectors.is_on_care_team(therapist, patient_record.id)


def test_the_coordinator_cannot_leave_before_a_successor_is_named(api_as, patient_record, coordinator):
    member = membership(patient_record, coordinator)
    response = end(api_as(coordinator), patient_record, member.id, member.version)
    assert response.status_code == 422
    assert team_selectors.is_on_care_team(coordinator, patient_record.id)


def test_ending_an_unknown_or_ended_membership_is_404(api_as, patient_record, coordinator, therapist):
    client = api_as(coordinator)
    assert end(client, patient_record, uuid.uuid4(), 1).status_code == 404
    member = membership(patient_record, therapist)
    assert end(client, patient_record, member.id, member.version).status_code == 200
    assert end(client, patient_record, member.id, member.version + 1).status_code == 404


def test_a_membership_of_another_patient_is_404_through_this_patients_url(
    api_as, patient_record, other_patient_record, coordinator
):
    other_member = membership(other_patient_record, coordinator)
    response = end(api_as(coordinator), patient_record, other_member.id, other_member.version)
    assert response.status_code == 404


def test_the_care_team_of_a_patient_one_may_not_see_is_404(api_as, patient_record, therapist, outsider):
    member = membership(patient_record, therapist)
    client = api_as(outsider)
    assert client.get(team_url(patient_record)).status_code == 404
    assert end(client, patient_record, member.id, member.version).status_code == 404
    assert team_selectors.is_on_care_team(therapist, patient_record.id)
