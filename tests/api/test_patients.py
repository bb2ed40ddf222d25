"""Patients through the API: the care-team rule, audit of lists, optimistic locking, validation."""

from __future__ import annotations

import uuid

import pytest

from commonground.audit.models import AuditEvent
from commonground.careteam import selectors as team_selectors
from commonground.patients.models import Patient

pytestmark = pytest.mark.django_db

PATIENTS = "/api/patients"
JSON = "application/json"


def patient_url(patient_id) -> str:
    return f"{PATIENTS}/{patient_id}"


def fields_in_error(response) -> set[str]:
    """Every name in the errors' locations (`["body", "payload", "given_name"]`, `["body", "time_zone"]`)."""
    return {str(part) for error in response.json()["detail"] for part in error["loc"]}


def test_the_list_shows_only_the_callers_care_team_patients(
    api_as, patient_record, other_patient_record, foreign_patient, therapist, coordinator
):
    mine = api_as(therapist).get(PATIENTS)
    assert mine.status_code == 200
    assert [row["id"] for row in mine.json()] == [str(patient_record.id)]

    coordinated = api_as(coordinator).get(PATIENTS).json()
    assert {row["id"] for row in coordinated} == {str(patient_record.id), str(other_patient_record.id)}
    assert str(foreign_patient.id) not in {row["id"] for row in coordinated}


def test_staff_on_no_care_team_and_administrators_list_nobody(api_as, patient_record, outsider, administrator):
    assert api_as(outsider).get(PATIENTS).json() == []
    assert api_as(administrator).get(PATIENTS).json() == []
    assert not AuditEvent.objects.filter(action="list").exists()


def test_listing_writes_one_list_event_per_listed_patient(api_as, patient_record, other_patient_record, coordinator):
    before = AuditEvent.objects.filter(action="list").count()
    response = api_as(coordinator).get(PATIENTS)
    listed = AuditEvent.objects.filter(action="list")
    assert listed.count() - before == 2
    assert {event.patient_id for event in listed} == {uuid.UUID(row["id"]) for row in response.json()}
    assert {event.actor_id for event in listed} == {coordinator.id}
    assert len({event.request_id for event in listed}) == 1


def test_a_page_of_the_list_audits_only_that_page(api_as, clinic, coordinator):
    from tests.personas import make_patient

    patients = [make_patient(clinic, coordinator, given="P", family=f"Family{i:02d}") for i in range(5)]
    response = api_as(coordinator).get(PATIENTS, {"limit": 2, "offset": 1})
    assert [row["family_name"] for row in response.json()] == ["Family01", "Family02"]
    listed = {event.patient_id for event in AuditEvent.objects.filter(action="list")}
    assert listed == {patients[1].id, patients[2].id}


def test_the_list_searches_by_family_name(api_as, patient_record, other_patient_record, coordinator):
    response = api_as(coordinator).get(PATIENTS, {"search": "hopp"})
    assert [row["family_name"] for row in response.json()] == ["Hopper"]


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"search": "x" * 101}, {"limit": "a"}])
def test_list_parameters_out_of_bounds_are_422(api_as, coordinator, query):
    assert api_as(coordinator).get(PATIENTS, query).status_code == 422


def test_a_care_team_member_opens_the_patient_and_it_is_audited(api_as, patient_record, therapist):
    response = api_as(therapist).get(patient_url(patient_record.id))
    assert response.status_code == 200
    body = response.json()
    assert (body["given_name"], body["family_name"], body["version"]) == ("Ada", "Lovelace", patient_record.version)
    assert "address" not in body
    assert AuditEvent.objects.filter(action="read", patient_id=patient_record.id, actor_id=therapist.id).exists()


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "psychiatrist"])
def test_a_patient_outside_the_callers_care_team_or_clinic_is_404(api_as, request, patient_record, who):
    client = api_as(request.getfixturevalue(who))
    assert client.get(patient_url(patient_record.id)).status_code == 404
    assert client.get(f"{patient_url(patient_record.id)}/consents").status_code == 404
    assert client.get(f"{patient_url(patient_record.id)}/care-team").status_code == 404


def test_a_patient_of_another_clinic_is_404_even_for_a_coordinator(api_as, foreign_patient, coordinator):
    assert api_as(coordinator).get(patient_url(foreign_patient.id)).status_code == 404


def test_unknown_and_not_yours_look_the_same(api_as, patient_record, outsider):
    client = api_as(outsider)
    not_mine = client.get(patient_url(patient_record.id))
    unknown = client.get(patient_url(uuid.uuid4()))
    assert not_mine.status_code == unknown.status_code == 404
    assert not_mine.json() == unknown.json()


def test_a_malformed_id_is_refused_without_a_server_error(api_as, therapist):
    response = api_as(therapist).get(patient_url("not-a-uuid"))
    assert response.status_code in (404, 422)


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician"])
def test_patching_a_patient_one_may_not_see_is_404_and_changes_nothing(api_as, request, patient_record, who):
    response = api_as(request.getfixturevalue(who)).patch(
        patient_url(patient_record.id),
        {"version": patient_record.version, "reason": "attempt", "family_name": "Changed"},
        content_type=JSON,
    )
    assert response.status_code == 404
    fresh = Patient.objects.get(pk=patient_record.pk)
    assert (fresh.family_name, fresh.version) == ("Lovelace", patient_record.version)
    assert not AuditEvent.objects.filter(action="update", patient_id=patient_record.id).exists()
    assert AuditEvent.objects.filter(action="access_refused", object_id=str(patient_record.id)).exists()


def test_patching_an_unknown_patient_is_404(api_as, therapist):
    response = api_as(therapist).patch(
        patient_url(uuid.uuid4()), {"version": 1, "reason": "attempt", "family_name": "X"}, content_type=JSON
    )
    assert response.status_code == 404


def test_a_patch_with_the_current_version_changes_the_record(api_as, patient_record, therapist):
    version = patient_record.version
    response = api_as(therapist).patch(
        patient_url(patient_record.id),
        {"version": version, "reason": "Preferred name given", "preferred_name": "Addie", "main_symptoms": ["A04"]},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["version"] == version + 1
    fresh = Patient.objects.get(pk=patient_record.pk)
    assert (fresh.preferred_name, fresh.main_symptoms, fresh.version) == ("Addie", ["A04"], version + 1)
    assert fresh.history.first().history_change_reason == "Preferred name given"
    assert AuditEvent.objects.filter(action="update", patient_id=patient_record.id).count() == 1


def test_a_patch_with_a_stale_version_is_409_with_the_current_version(api_as, patient_record, therapist, coordinator):
    opened_at = patient_record.version
    first = api_as(coordinator).patch(
        patient_url(patient_record.id),
        {"version": opened_at, "reason": "Phone number", "phone": "+31 20 123 4567"},
        content_type=JSON,
    )
    assert first.status_code == 200
    second = api_as(therapist).patch(
        patient_url(patient_record.id),
        {"version": opened_at, "reason": "Name", "family_name": "Byron"},
        content_type=JSON,
    )
    assert second.status_code == 409
    assert second.json()["current_version"] == opened_at + 1
    assert "Someone else saved this record" in second.json()["detail"]
    fresh = Patient.objects.get(pk=patient_record.pk)
    assert (fresh.family_name, fresh.phone, fresh.version) == ("Lovelace", "+31 20 123 4567", opened_at + 1)


def test_a_patch_with_a_future_version_is_also_409(api_as, patient_record, therapist):
    response = api_as(therapist).patch(
        patient_url(patient_record.id),
        {"version": patient_record.version + 5, "reason": "Name", "family_name": "Byron"},
        content_type=JSON,
    )
    assert response.status_code == 409
    assert Patient.objects.get(pk=patient_record.pk).family_name == "Lovelace"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "1980-02-30"}, "date_of_birth"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"main_symptoms": ["Z99"]}, "main_symptoms"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"sex": "robot"}, "sex"),
        ({"email": "not-an-address"}, "email"),
        ({"given_name": ""}, "given_name"),
        ({"given_name": "A\x00da"}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"reason": ""}, "reason"),
        ({"version": 0}, "version"),
    ],
)
def test_an_invalid_patch_is_422_naming_the_field_and_changes_nothing(api_as, patient_record, therapist, change, field):
    body = {"version": patient_record.version, "reason": "Correction"}
    body.update(change)
    response = api_as(therapist).patch(patient_url(patient_record.id), body, content_type=JSON)
    assert response.status_code == 422
    assert field in fields_in_error(response)
    fresh = Patient.objects.get(pk=patient_record.pk)
    assert (fresh.version, fresh.given_name, fresh.main_symptoms) == (patient_record.version, "Ada", [])


# --- registering -------------------------------------------------------------------------------


def new_patient_body(**overrides):
    body = {
        "given_name": "Mira",
        "family_name": "Okafor",
        "date_of_birth": "1979-03-02",
        "sex": "female",
        "main_symptoms": ["N17", "A04"],
        "time_zone": "Europe/Berlin",
    }
    body.update(overrides)
    return body


def test_registering_a_patient_puts_the_caller_on_its_care_team(api_as, therapist):
    client = api_as(therapist)
    response = client.post(PATIENTS, new_patient_body(), content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert body["record_number"].startswith("CG-")
    assert (body["time_zone"], body["main_symptoms"], body["version"]) == ("Europe/Berlin", ["N17", "A04"], 1)
    patient = Patient.objects.get(pk=body["id"])
    assert team_selectors.is_on_care_team(therapist, patient.id)
    team = team_selectors.care_team_of(patient.id)
    assert team.care_coordinator_id == therapist.id and team.responsible_clinician_id == therapist.id
    assert client.get(patient_url(patient.id)).status_code == 200
    assert [row["id"] for row in client.get(PATIENTS).json()] == [str(patient.id)]
    assert AuditEvent.objects.filter(action="create", patient_id=patient.id).exists()


def test_a_coordinator_registering_a_patient_coordinates_its_team(api_as, coordinator):
    response = api_as(coordinator).post(PATIENTS, new_patient_body(time_zone=""), content_type=JSON)
    assert response.status_code == 201
    assert response.json()["time_zone"] == "Europe/Amsterdam"  # the clinic's
    team = team_selectors.care_team_of(response.json()["id"])
    assert team.care_coordinator_id == coordinator.id and team.responsible_clinician_id is None


def test_a_colleague_not_on_the_new_team_does_not_see_the_new_patient(api_as, therapist, outsider):
    created = api_as(therapist).post(PATIENTS, new_patient_body(), content_type=JSON).json()
    assert api_as(outsider).get(patient_url(created["id"])).status_code == 404


def test_only_clinical_staff_register_patients(api_as, administrator):
    response = api_as(administrator).post(PATIENTS, new_patient_body(), content_type=JSON)
    assert response.status_code == 403
    assert not Patient.objects.filter(family_name="Okafor").exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (new_patient_body(given_name=None), {"given_name"}),
        ({"family_name": "Okafor", "date_of_birth": "1979-03-02"}, {"given_name"}),
        (new_patient_body(date_of_birth="1979-02-30"), {"date_of_birth"}),
        (new_patient_body(date_of_birth="1850-01-01"), {"date_of_birth"}),
        (new_patient_body(date_of_birth="2099-01-01"), {"date_of_birth"}),
        (new_patient_body(main_symptoms=["N17", "XYZ"]), {"main_symptoms"}),
        (new_patient_body(main_symptoms=["A04"] * 21), {"main_symptoms"}),
        (new_patient_body(time_zone="Europe/Nowhere"), {"time_zone"}),
        (new_patient_body(preferred_language="xx"), {"preferred_language"}),
        (new_patient_body(phone="1" * 41), {"phone"}),
        (new_patient_body(given_name="", date_of_birth="soon"), {"given_name", "date_of_birth"}),
    ],
)
def test_an_invalid_registration_is_422_with_a_message_per_field(api_as, therapist, body, fields):
    response = api_as(therapist).post(PATIENTS, body, content_type=JSON)
    assert response.status_code == 422
    assert fields <= fields_in_error(response)
    assert all(error["msg"] for error in response.json()["detail"])
    assert not Patient.objects.exists()


def test_a_body_that_is_not_json_is_refused_without_a_server_error(api_as, therapist):
    response = api_as(therapist).post(PATIENTS, "{not json", content_type=JSON)
    assert response.status_code in (400, 422)
    response = api_as(therapist).post(PATIENTS, "[]", content_type=JSON)
    assert response.status_code == 422
