"""Group programmes as FHIR R4 (issue 8 item 9): a cohort as a Group, its sessions as Encounters, the consent to
take part as a Consent, validated through the R4B models, and their endpoints with the access rules of the
pages: a Group and its sessions for the cohort's facilitators and the clinic's coordinators only, a Consent
through the patient's care team. Codes are checked against the published R4 value sets."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.group import Group

from commonground.accounts.choices import Role
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.groups.choices import EnrolmentStatus, SessionStatus, ShownName
from commonground.groups.models import Cohort, CohortFacilitator, Enrolment, GroupSession, Programme
from commonground.interop.fhir.groups import consent_resource, facilitators_at, group_resource, session_encounter
from commonground.interop.fhir.tests.support import round_trip
from commonground.kit.models import RecordStatus
from commonground.patients.choices import ConsentScope
from commonground.patients.models import Consent
from tests.personas import make_patient, make_staff, signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
# R4 value sets: encounter-status, consent-state-codes, group-type.
ENCOUNTER_STATUSES = {
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
}
CONSENT_STATUSES = {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}
FIRST = datetime(2026, 3, 2, 9, tzinfo=UTC)
GIVEN = datetime(2026, 2, 20, 10, tzinfo=UTC)


@pytest.fixture
def facilitator(clinic: Any) -> Any:
    return make_staff(clinic, "ines", Role.GROUP_FACILITATOR)


@pytest.fixture
def group(clinic: Any, facilitator: Any, patient_record: Any, other_patient_record: Any, coordinator: Any) -> Any:
    """A running cohort of 'Living well with symptoms': Ada enrolled, Grace withdrawn, a third on the waiting list,
    two sessions held, one cancelled and one to come."""
    programme = Programme.objects.create(
        organisation=clinic, name="Living well with symptoms", instruments=["phq15", "wsas"], created_by=facilitator
    )
    cohort = Cohort.objects.create(
        organisation=clinic,
        programme=programme,
        name="Spring group",
        status="running",
        capacity=8,
        places_taken=1,
        starts_on=FIRST.date(),
        session_time=time(9),
        session_minutes=90,
        place="Room 2",
        created_by=facilitator,
    )
    CohortFacilitator.objects.create(cohort=cohort, user=facilitator, added_at=FIRST - timedelta(days=30))
    ada = enrol(cohort, patient_record, facilitator, EnrolmentStatus.ENROLLED)
    grace = enrol(cohort, other_patient_record, facilitator, EnrolmentStatus.WITHDRAWN, shown=ShownName.INITIALS)
    waiting = make_patient(clinic, coordinator, given="Mo", family="Farah")
    enrol(cohort, waiting, facilitator, EnrolmentStatus.WAITING)
    sessions = [
        GroupSession.objects.create(
            organisation=clinic,
            cohort=cohort,
            number=number,
            title=title,
            starts_at=FIRST + timedelta(days=7 * (number - 1)),
            minutes=90,
            place="Room 2",
            status=status,
            note="Ada spoke about her dizziness",
            skills_practised="Diaphragmatic breathing",
        )
        for number, title, status in (
            (1, "What the body tells us", SessionStatus.HELD),
            (2, "Breathing", SessionStatus.HELD),
            (3, "Planning activity", SessionStatus.CANCELLED),
            (4, "Pacing", SessionStatus.SCHEDULED),
        )
    ]
    return {"cohort": cohort, "ada": ada, "grace": grace, "sessions": sessions, "programme": programme}


def enrol(cohort: Cohort, patient: Any, by: Any, status: str, *, shown: str = ShownName.FIRST_NAME) -> Enrolment:
    consent = Consent.objects.create(
        organisation=cohort.organisation,
        patient=patient,
        scope=ConsentScope.GROUP_PARTICIPATION,
        scope_reference=str(cohort.id),
        text_version="group-1",
        given_at=GIVEN,
        recorded_by=by,
        withdrawn_at=GIVEN + timedelta(days=20) if status == EnrolmentStatus.WITHDRAWN else None,
    )
    return Enrolment.objects.create(
        organisation=cohort.organisation,
        cohort=cohort,
        patient=patient,
        status=status,
        source="care_plan",
        consent=consent,
        shown_name=shown,
        enrolled_at=None if status == EnrolmentStatus.WAITING else GIVEN,
        waiting_since=GIVEN if status == EnrolmentStatus.WAITING else None,
        ended_at=GIVEN + timedelta(days=20) if status == EnrolmentStatus.WITHDRAWN else None,
        enrolled_by=by,
    )


def mapped_group(group: dict[str, Any]) -> dict[str, Any]:
    cohort = Cohort.objects.select_related("programme").get(pk=group["cohort"].pk)
    enrolments = list(Enrolment.objects.filter(cohort=cohort).order_by("created_at"))
    return round_trip(group_resource(cohort, enrolments, group["sessions"]))


def mapped_session(session: GroupSession) -> dict[str, Any]:
    session = GroupSession.objects.select_related("cohort__programme").get(pk=session.pk)
    data = round_trip(session_encounter(session, facilitators_at(session)))
    assert data["status"] in ENCOUNTER_STATUSES
    return data


def mapped_consent(enrolment: Enrolment) -> dict[str, Any]:
    data = round_trip(consent_resource(Consent.objects.get(pk=enrolment.consent_id), enrolment))
    assert data["status"] in CONSENT_STATUSES
    return data


# --- Group ------------------------------------------------------------------------------------------------


def test_a_cohort_is_a_group_of_its_members(group, patient_record, other_patient_record, clinic):
    data = mapped_group(group)
    assert (data["resourceType"], data["type"], data["actual"], data["active"]) == ("Group", "person", True, True)
    assert data["name"] == "Spring group"
    assert data["code"]["text"] == "Living well with symptoms"
    assert data["code"]["coding"][0]["code"] == str(group["programme"].id)
    assert data["managingEntity"] == {"reference": f"Organization/{clinic.id}"}
    members = {member["entity"]["reference"]: member for member in data["member"]}
    assert set(members) == {f"Patient/{patient_record.id}", f"Patient/{other_patient_record.id}"}
    assert members[f"Patient/{patient_record.id}"]["inactive"] is False
    grace = members[f"Patient/{other_patient_record.id}"]
    assert grace["inactive"] is True and grace["period"]["end"]
    assert data["quantity"] == 1  # the withdrawn member and the waiting list are not counted


def test_the_programme_characteristic_spans_the_sessions(group):
    [characteristic] = mapped_group(group)["characteristic"]
    assert characteristic["exclude"] is False
    assert characteristic["valueCodeableConcept"]["text"] == "Living well with symptoms"
    start = datetime.fromisoformat(characteristic["period"]["start"])
    end = datetime.fromisoformat(characteristic["period"]["end"])
    assert (start, end) == (FIRST, FIRST + timedelta(days=21, minutes=90))


def test_a_group_carries_no_names_and_no_clinical_text(group):
    text = json.dumps(mapped_group(group))
    for secret in ("Ada", "Lovelace", "Grace", "Hopper", "Farah", "dizziness"):
        assert secret not in text


def test_a_finished_cohort_is_an_inactive_group(group):
    Cohort.objects.filter(pk=group["cohort"].pk).update(status="finished")
    assert mapped_group(group)["active"] is False


# --- Encounter --------------------------------------------------------------------------------------------


def test_a_group_session_is_an_encounter_of_the_group(group, facilitator):
    held, _second, cancelled, planned = group["sessions"]
    data = mapped_session(held)
    assert data["status"] == "finished"
    assert data["subject"] == {"reference": f"Group/{group['cohort'].id}", "display": "Spring group"}
    assert data["class"]["code"] == "AMB"
    assert data["type"][0]["text"] == "Living well with symptoms, session 1: What the body tells us"
    assert data["type"][0]["coding"][0]["code"] == "group-session"
    assert data["serviceType"]["text"] == "Living well with symptoms"
    assert data["length"] == {"value": 90, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min"}
    assert datetime.fromisoformat(data["period"]["end"]) - datetime.fromisoformat(data["period"]["start"]) == (
        timedelta(minutes=90)
    )
    [participant] = data["participant"]
    assert participant["individual"]["reference"] == f"Practitioner/{facilitator.id}"
    assert participant["type"][0]["coding"][0]["code"] == "PPRF"
    assert mapped_session(cancelled)["status"] == "cancelled"
    assert mapped_session(planned)["status"] == "planned"


def test_an_online_only_session_is_virtual_and_notes_stay_out(group):
    session = group["sessions"][0]
    GroupSession.objects.filter(pk=session.pk).update(place="", online_link="https://meet.example.org/spring")
    data = mapped_session(session)
    assert data["class"]["code"] == "VR"
    text = json.dumps(data)
    assert "dizziness" not in text and "Diaphragmatic" not in text


def test_the_facilitators_are_those_at_the_sessions_time(group, facilitator, clinic):
    later = make_staff(clinic, "jo", Role.GROUP_FACILITATOR)
    CohortFacilitator.objects.create(cohort=group["cohort"], user=later, added_at=FIRST + timedelta(days=10))
    first, _second, _third, planned = group["sessions"]
    assert [p["individual"]["reference"] for p in mapped_session(first)["participant"]] == [
        f"Practitioner/{facilitator.id}"
    ]
    assert len(mapped_session(planned)["participant"]) == 2


# --- Consent ----------------------------------------------------------------------------------------------


def test_the_consent_to_take_part_is_a_consent(group, patient_record, clinic):
    data = mapped_consent(group["ada"])
    assert data["status"] == "active"
    assert data["scope"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/consentscope",
        "code": "treatment",
        "display": "Treatment",
    }
    assert data["category"][0]["coding"][0]["code"] == "59284-0"
    assert data["patient"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["performer"] == [{"reference": f"Patient/{patient_record.id}"}]
    assert datetime.fromisoformat(data["dateTime"]) == GIVEN
    assert "group-1" in data["policyRule"]["text"]
    provision = data["provision"]
    assert provision["type"] == "permit" and "end" not in provision["period"]
    assert provision["data"] == [{"meaning": "related", "reference": {"reference": f"Group/{group['cohort'].id}"}}]
    [shown] = provision["provision"]
    assert shown["actor"][0]["reference"] == {"reference": f"Group/{group['cohort'].id}"}
    assert shown["actor"][0]["role"]["coding"][0]["code"] == "IRCP"
    assert shown["action"][0]["coding"][0]["code"] == "disclose"
    assert shown["code"][0]["coding"][0]["code"] == "first_name"
    assert shown["code"][0]["text"] == "What the other members see: first name only"


def test_a_withdrawn_consent_is_inactive_and_says_what_was_shown(group):
    data = mapped_consent(group["grace"])
    assert data["status"] == "inactive" and data["provision"]["period"]["end"]
    assert data["provision"]["provision"][0]["code"][0]["coding"][0]["code"] == "initials"
    Consent.objects.filter(pk=group["grace"].consent_id).update(record_status=RecordStatus.ENTERED_IN_ERROR)
    assert mapped_consent(group["grace"])["status"] == "entered-in-error"


def test_the_chosen_name_itself_never_leaves(group):
    Enrolment.objects.filter(pk=group["ada"].pk).update(shown_name=ShownName.CHOSEN_NAME, chosen_name="Sunflower")
    text = json.dumps(mapped_consent(Enrolment.objects.get(pk=group["ada"].pk)))
    assert "Sunflower" not in text and "chosen_name" in text


# --- endpoints --------------------------------------------------------------------------------------------


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    return json.loads(response.content)


def group_urls(group: dict[str, Any]) -> list[str]:
    cohort = group["cohort"]
    return [
        f"{FHIR}/Group/{cohort.id}",
        f"{FHIR}/Encounter/{group['sessions'][0].id}",
        f"{FHIR}/Encounter?subject=Group/{cohort.id}",
    ]


@pytest.mark.parametrize("who", ["facilitator", "coordinator"])
def test_facilitators_and_coordinators_read_the_group_and_its_sessions(group, who, request, patient_record):
    client = token_client(request.getfixturevalue(who))
    cohort = group["cohort"]
    data = read(client, f"{FHIR}/Group/{cohort.id}")
    Group.model_validate(data)
    assert data["quantity"] == 1
    one = read(client, f"{FHIR}/Encounter/{group['sessions'][1].id}")
    Encounter.model_validate(one)
    assert one["subject"]["reference"] == f"Group/{cohort.id}"
    for url in (f"{FHIR}/Encounter?subject=Group/{cohort.id}", f"{FHIR}/Encounter?subject={cohort.id}"):
        found = read(client, url)
        Bundle.model_validate(found)
        assert found["total"] == 4
        assert [entry["resource"]["id"] for entry in found["entry"]] == [str(s.id) for s in group["sessions"]]
    exported = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="group")
    assert exported.exists()


@pytest.mark.parametrize("who", ["therapist", "outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_anyone_else_gets_not_found_for_the_group(group, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(action="export").count()
    for url in group_urls(group):
        assert client.get(url).status_code == 404, (who, url)
    assert AuditEvent.objects.filter(action="export").count() == before


def test_a_removed_facilitator_no_longer_reads_the_group(group, facilitator):
    CohortFacilitator.objects.filter(user=facilitator).update(removed_at=FIRST + timedelta(days=1))
    for url in group_urls(group):
        assert token_client(facilitator).get(url).status_code == 404, url


def test_members_and_the_signed_out_get_nothing(group, patient_user):
    for url in group_urls(group):
        assert Client().get(url).status_code == 401, url
        assert signed_in(patient_user).get(url).status_code == 404, url


def test_unknown_and_malformed_ids(group, facilitator):
    client = token_client(facilitator)
    assert client.get(f"{FHIR}/Group/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Encounter/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Encounter?subject=Group/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Group/spring").status_code == 422
    assert client.get(f"{FHIR}/Encounter?subject=Patient/{uuid.uuid4()}").status_code == 422
    assert client.get(f"{FHIR}/Encounter").status_code == 422


def test_a_therapy_session_search_still_works_beside_the_group_search(group, patient_record, therapist):
    found = read(token_client(therapist), f"{FHIR}/Encounter?patient={patient_record.id}")
    assert found["total"] == 0


def consent_urls(enrolment: Enrolment) -> list[str]:
    return [
        f"{FHIR}/Consent/{enrolment.consent_id}",
        f"{FHIR}/Consent?patient={enrolment.patient_id}",
        f"{FHIR}/Patient/{enrolment.patient_id}/Consent",
    ]


def test_the_care_team_reads_the_consent(group, therapist, patient_record):
    client = token_client(therapist)
    one_url, *search_urls = consent_urls(group["ada"])
    one = read(client, one_url)
    FhirConsent.model_validate(one)
    assert one["id"] == str(group["ada"].consent_id)
    for url in search_urls:
        found = read(client, url)
        Bundle.model_validate(found)
        assert [entry["resource"]["id"] for entry in found["entry"]] == [str(group["ada"].consent_id)]
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="consent")
    assert events.exists()


def test_other_consents_are_not_served_as_group_consents(group, therapist, patient_record, coordinator):
    care = Consent.objects.create(
        organisation=patient_record.organisation,
        patient=patient_record,
        scope=ConsentScope.CARE,
        text_version="care-1",
        given_at=GIVEN,
        recorded_by=coordinator,
    )
    client = token_client(therapist)
    assert client.get(f"{FHIR}/Consent/{care.id}").status_code == 404
    assert read(client, f"{FHIR}/Consent?patient={patient_record.id}")["total"] == 1


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer", "facilitator"])
def test_staff_outside_the_care_team_get_not_found_for_the_consent(group, who, request):
    client = token_client(request.getfixturevalue(who))
    for url in consent_urls(group["ada"]):
        assert client.get(url).status_code == 404, (who, url)


def test_patients_get_no_consent_through_the_api(group, patient_user, other_patient_user):
    for url in consent_urls(group["ada"]):
        assert Client().get(url).status_code == 401
        assert signed_in(other_patient_user).get(url).status_code == 404


def test_dates_are_real(group):
    assert date.fromisoformat(mapped_group(group)["member"][0]["period"]["start"][:10]) == GIVEN.date()
