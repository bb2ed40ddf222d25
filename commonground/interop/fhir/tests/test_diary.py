"""Diary values as FHIR R4 Observations (issue 6 item 7), checked through the R4B models, and their endpoints.

The diary is made through its services, on days pinned with the clock: the patient (Europe/Amsterdam) may fill
in today and the three days before.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from commonground.access import services as access_services
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.diary import definitions, selectors, services
from commonground.diary.entries import EntryValues
from commonground.interop.fhir import diary
from commonground.interop.fhir.terminology import OBSERVATION_CATEGORY, UCUM
from commonground.interop.fhir.tests.support import from_paper, round_trip
from commonground.kit import clock
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
# Noon in Amsterdam on Monday 10 March 2025: the patient's "today".
MONDAY = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
# R4 ObservationStatus (hl7.org/fhir/R4/valueset-observation-status.html).
OBSERVATION_STATUSES = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error"}


@contextmanager
def on(moment: datetime) -> Iterator[None]:
    with clock.pinned(moment):
        yield


def set_up(patient: Any, by: Any, **changes: Any) -> Any:
    chosen: dict[str, Any] = {"symptoms": ["pain", "fatigue"], "scales": ["energy"], "activities": ["Walking"]}
    chosen.update(changes)
    return services.set_up_diary(patient, definition=definitions.build(**chosen), by=by)


def share(patient: Any, parts: list[str]) -> None:
    current = selectors.set_up_of(patient)
    services.set_sharing(patient, parts=parts, expected_version=current.version)


def mapped(patient: Any) -> list[dict[str, Any]]:
    found = diary.shared_observations(patient)
    assert all(isinstance(resource, Observation) for resource in found)
    data = [round_trip(resource) for resource in found]
    assert all(item["status"] in OBSERVATION_STATUSES for item in data)
    return data


def by_code(data: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["code"]["coding"][0]["code"]: item for item in data}


@pytest.fixture
def week(patient_record: Any, coordinator: Any) -> dict[str, Any]:
    """Sunday's daily entry (three ratings and sleep), Monday's daily entry and a Monday check-in."""
    with on(MONDAY):
        set_up(patient_record, coordinator)
        sunday = services.record_entry(
            patient_record,
            day=date(2025, 3, 9),
            values=EntryValues(
                ratings={"pain": 3, "fatigue": 5, "energy": 6}, sleep_hours=Decimal("7.5"), sleep_quality=4
            ),
        )
        monday = services.record_entry(
            patient_record, day=date(2025, 3, 10), values=EntryValues(ratings={"pain": 2}, sleep_hours=Decimal(8))
        )
        check_in = services.record_check_in(patient_record, values=EntryValues(ratings={"pain": 6}))
    return {"sunday": sunday, "monday": monday, "check_in": check_in}


# --- mapping ----------------------------------------------------------------------------------------------


def test_a_daily_rating_is_a_survey_observation_of_the_day(week, patient_record, settings):
    settings.SITE_URL = "https://clinic.example.org"
    data = mapped(patient_record)
    sunday = [item for item in data if item["id"].startswith(str(week["sunday"].id))]
    assert [item["id"] for item in sunday] == [
        f"{week['sunday'].id}-1",
        f"{week['sunday'].id}-2",
        f"{week['sunday'].id}-3",
        f"{week['sunday'].id}-sleep-hours",
        f"{week['sunday'].id}-sleep-quality",
    ]
    pain = sunday[0]
    assert pain["resourceType"] == "Observation"
    assert pain["status"] == "final"
    assert pain["category"] == [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}]
    assert pain["code"] == {
        "coding": [
            {"system": "https://clinic.example.org/api/fhir/CodeSystem/diary-items", "code": "pain", "display": "Pain"}
        ],
        "text": "Pain",
    }
    assert all(coding["system"] != "http://loinc.org" for item in data for coding in item["code"]["coding"])
    assert pain["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert pain["performer"] == [{"reference": f"Patient/{patient_record.id}"}]
    assert pain["effectiveDateTime"] == "2025-03-09", "a daily entry is about the day, at date precision"
    assert pain["method"] == {"text": "Daily diary entry"}
    assert pain["valueInteger"] == 3
    assert pain["referenceRange"] == [
        {"low": {"value": 0}, "high": {"value": 10}, "text": "A rating from 0 to 10; lower is better."}
    ]
    energy = sunday[2]
    assert (energy["code"]["coding"][0]["code"], energy["valueInteger"]) == ("energy", 6)
    assert energy["referenceRange"][0]["text"] == "A rating from 0 to 10; higher is better."
    assert sunday[1]["code"]["text"] == "Tiredness (fatigue)"


def test_sleep_is_hours_in_ucum_and_a_quality_rating(week, patient_record):
    sunday = by_code([item for item in mapped(patient_record) if item["id"].startswith(str(week["sunday"].id))])
    assert sunday["sleep_hours"]["valueQuantity"] == {"value": 7.5, "unit": "h", "system": UCUM, "code": "h"}
    assert sunday["sleep_hours"]["code"]["text"] == "Hours of sleep"
    assert "referenceRange" not in sunday["sleep_hours"]
    assert sunday["sleep_quality"]["valueInteger"] == 4
    assert sunday["sleep_quality"]["referenceRange"][0]["text"].endswith("higher is better.")
    monday = by_code([item for item in mapped(patient_record) if item["id"].startswith(str(week["monday"].id))])
    assert set(monday) == {"pain", "sleep_hours"}, "what was not recorded has no Observation"
    assert monday["sleep_hours"]["valueQuantity"]["value"] == 8


def test_a_check_in_is_a_moment_and_carries_ratings_only(week, patient_record):
    [check_in] = [item for item in mapped(patient_record) if item["id"].startswith(str(week["check_in"].id))]
    assert check_in["id"] == f"{week['check_in'].id}-1"
    assert check_in["valueInteger"] == 6
    assert check_in["method"] == {"text": "Extra check-in"}
    assert check_in["effectiveDateTime"].startswith("2025-03-10T11:00:00")


def test_the_bundle_lists_the_values_oldest_first(week, patient_record):
    ids = [item["id"] for item in mapped(patient_record)]
    assert ids[:5] == [f"{week['sunday'].id}-{suffix}" for suffix in ("1", "2", "3", "sleep-hours", "sleep-quality")]
    assert ids[5:] == [f"{week['monday'].id}-1", f"{week['monday'].id}-sleep-hours", f"{week['check_in'].id}-1"]


def test_an_edited_entry_is_amended(week, patient_record):
    with on(MONDAY):
        services.edit_entry(
            week["monday"], values=EntryValues(ratings={"pain": 4}, sleep_hours=Decimal(8)), expected_version=1
        )
    monday = by_code([item for item in mapped(patient_record) if item["id"].startswith(str(week["monday"].id))])
    assert (monday["pain"]["status"], monday["pain"]["valueInteger"]) == ("amended", 4)
    assert monday["sleep_hours"]["status"] == "amended"


def test_an_entry_entered_in_error_is_never_exported(week, patient_record):
    with on(MONDAY):
        services.remove_entry(week["sunday"], expected_version=1)
    ids = [item["id"] for item in mapped(patient_record)]
    assert ids and not any(found.startswith(str(week["sunday"].id)) for found in ids)
    week["sunday"].refresh_from_db()
    assert (
        diary.entry_observations(
            week["sunday"], definitions.from_json(week["sunday"].made_with.definition), {"ratings", "sleep"}
        )
        == []
    )
    assert diary.exportable_owner(f"{week['sunday'].id}-1") is None


@pytest.mark.parametrize(
    ("parts", "codes"),
    [
        (["ratings", "sleep", "notes"], {"pain", "fatigue", "energy", "sleep_hours", "sleep_quality"}),
        (["ratings"], {"pain", "fatigue", "energy"}),
        (["sleep", "activities"], {"sleep_hours", "sleep_quality"}),
        (["activities", "practice", "triggers", "wins"], set()),
        ([], set()),
    ],
)
def test_only_the_parts_the_patient_shares_are_exported(week, patient_record, parts, codes):
    share(patient_record, parts)
    assert {item["code"]["coding"][0]["code"] for item in mapped(patient_record)} == codes


def test_a_patient_without_a_diary_has_no_diary_observations(other_patient_record):
    assert diary.shared_observations(other_patient_record) == []


def test_labels_come_from_the_version_the_entry_was_made_with(patient_record, coordinator):
    with on(datetime(2025, 3, 7, 11, 0, tzinfo=UTC)):
        set_up(
            patient_record,
            coordinator,
            symptoms=["pain"],
            own_symptoms=["Back ache"],
            scales=["ease"],
            valued_activity="Gardening",
        )
        before = services.record_entry(
            patient_record, day=date(2025, 3, 7), values=EntryValues(ratings={"own-back-ache": 7, "ease": 3})
        )
    with on(MONDAY):
        # The set-up changes: the own symptom is dropped and the activity that matters is now the choir.
        set_up(patient_record, coordinator, symptoms=["pain"], scales=["ease"], valued_activity="Singing in a choir")
        after = services.record_entry(patient_record, day=date(2025, 3, 10), values=EntryValues(ratings={"ease": 8}))
    data = mapped(patient_record)
    old = {item["code"]["coding"][0]["code"]: item for item in data if item["id"].startswith(str(before.id))}
    new = {item["code"]["coding"][0]["code"]: item for item in data if item["id"].startswith(str(after.id))}
    assert old["own-back-ache"]["code"]["text"] == "Back ache"
    assert old["own-back-ache"]["id"] == f"{before.id}-2", "the second rating of the version it was made with"
    assert old["ease"]["code"]["text"] == "Ease of taking part in what matters to me: Gardening"
    assert new["ease"]["code"]["text"] == "Ease of taking part in what matters to me: Singing in a choir"
    assert new["ease"]["id"] == f"{after.id}-2"


# --- endpoints --------------------------------------------------------------------------------------------


def token_client(user: Any, scope: str = "read") -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope=scope, days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def bundle(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    data = json.loads(response.content)
    Bundle.model_validate(data)
    return data


def searches(patient_id: Any) -> list[str]:
    return [
        f"{FHIR}/Observation?patient={patient_id}",
        f"{FHIR}/Observation?patient=Patient/{patient_id}",
        f"{FHIR}/Patient/{patient_id}/Observation",
    ]


def test_the_observation_search_gives_the_totals_and_the_shared_diary_values(
    week, patient_record, coordinator, settings
):
    settings.SITE_URL = "https://clinic.example.org"
    phq9 = from_paper(patient_record, coordinator, "phq9", [2, 2, 1, 1, 2, 1, 1, 0, 0])
    client = token_client(coordinator)
    found = [bundle(client.get(url)) for url in searches(patient_record.id)]
    assert found[0]["entry"] == found[1]["entry"] == found[2]["entry"]
    ids = [entry["resource"]["id"] for entry in found[0]["entry"]]
    assert ids[0] == f"{phq9.id}-total", "the total scores first, as before"
    assert len(ids) == 1 + 8 and found[0]["total"] == 9
    assert f"{week['check_in'].id}-1" in ids
    assert found[0]["entry"][1]["fullUrl"] == f"https://clinic.example.org/api/fhir/Observation/{week['sunday'].id}-1"


def _codes(data: dict[str, Any]) -> list[str]:
    return [entry["resource"]["code"]["coding"][0]["code"] for entry in data.get("entry", [])]


def test_the_observation_search_narrows_by_code_and_category(week, patient_record, therapist, settings):
    settings.SITE_URL = "https://clinic.example.org"
    phq9 = from_paper(patient_record, therapist, "phq9", [2, 2, 1, 1, 2, 1, 1, 0, 0])
    client = token_client(therapist)
    everything = bundle(client.get(f"{FHIR}/Observation?patient={patient_record.id}"))
    total = everything["entry"][0]["resource"]
    assert total["id"] == f"{phq9.id}-total"
    loinc = next(coding for coding in total["code"]["coding"] if "loinc" in coding["system"])
    pain = next(entry["resource"] for entry in everything["entry"] if _codes({"entry": [entry]}) == ["pain"])
    pain_system = pain["code"]["coding"][0]["system"]

    by_loinc = bundle(
        client.get(f"{FHIR}/Observation?patient={patient_record.id}&code={loinc['system']}|{loinc['code']}")
    )
    assert [entry["resource"]["id"] for entry in by_loinc["entry"]] == [f"{phq9.id}-total"]
    assert by_loinc["link"][0]["url"].endswith(f"&code={loinc['system']}|{loinc['code']}")
    assert _codes(bundle(client.get(f"{FHIR}/Patient/{patient_record.id}/Observation?code={loinc['code']}"))) == [
        loinc["code"]
    ]
    assert (
        _codes(bundle(client.get(f"{FHIR}/Observation?patient={patient_record.id}&code=other|{loinc['code']}"))) == []
    )

    pain_search = f"{FHIR}/Observation?patient={patient_record.id}&code={pain_system}|pain,{pain_system}|fatigue"
    assert sorted(_codes(bundle(client.get(pain_search)))) == ["fatigue", "pain", "pain", "pain"]
    surveys = bundle(client.get(f"{FHIR}/Observation?patient={patient_record.id}&category=survey"))
    assert surveys["total"] == everything["total"]
    laboratory = f"{FHIR}/Observation?patient={patient_record.id}&category={OBSERVATION_CATEGORY}|laboratory"
    assert bundle(client.get(laboratory))["total"] == 0


def test_a_system_without_a_code_finds_every_code_of_that_system(week, patient_record, therapist):
    client = token_client(therapist)
    everything = bundle(client.get(f"{FHIR}/Observation?patient={patient_record.id}"))
    system = everything["entry"][0]["resource"]["code"]["coding"][0]["system"]
    in_system = [entry for entry in everything["entry"] if entry["resource"]["code"]["coding"][0]["system"] == system]
    found = bundle(client.get(f"{FHIR}/Observation", {"patient": str(patient_record.id), "code": f"{system}|"}))
    assert found["total"] == len(in_system) > 1
    assert (
        bundle(client.get(f"{FHIR}/Observation", {"patient": str(patient_record.id), "code": "other|"}))["total"] == 0
    )


@pytest.mark.parametrize("query", ["code=pain&code=fatigue", "code:not=pain", "category:text=survey"])
def test_a_repeated_token_or_a_modifier_is_refused_not_ignored(week, patient_record, therapist, query):
    response = token_client(therapist).get(f"{FHIR}/Observation?patient={patient_record.id}&{query}")
    assert response.status_code == 422
    assert query.split("=")[0].split(":")[0] in response.content.decode()
    assert not AuditEvent.objects.filter(patient_id=patient_record.id, action="export").exists()


def test_a_search_that_keeps_no_diary_value_is_not_audited_as_a_diary_export(week, patient_record, therapist):
    loinc_or_nothing = f"{FHIR}/Observation?patient={patient_record.id}&code=44249-1"
    assert bundle(token_client(therapist).get(loinc_or_nothing))["total"] == 0
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", actor_id=therapist.id)
    assert [event.object_type for event in events] == ["observation"]


@pytest.mark.parametrize("value", ["", ",", "a,,b", "|", ",".join(["x"] * 21)])
def test_a_search_token_that_names_no_code_is_refused_with_the_reason(week, patient_record, therapist, value):
    if value == "":
        response = token_client(therapist).get(f"{FHIR}/Observation?patient={patient_record.id}&code=")
        assert response.status_code == 200  # an empty parameter is no filter (FHIR: ignored)
        return
    response = token_client(therapist).get(f"{FHIR}/Observation", {"patient": str(patient_record.id), "code": value})
    assert response.status_code == 422
    assert "code" in response.content.decode()
    assert not AuditEvent.objects.filter(patient_id=patient_record.id, action="export").exists()


def test_a_search_when_nothing_of_the_diary_is_shared_gives_the_totals_only(week, patient_record, coordinator):
    share(patient_record, ["activities", "wins"])
    data = bundle(token_client(coordinator).get(f"{FHIR}/Observation?patient={patient_record.id}"))
    assert (data["total"], "entry" in data) == (0, False)
    assert not AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="diary").exists()


def test_a_search_with_diary_values_is_audited_as_an_export_of_the_diary_too(week, patient_record, therapist):
    bundle(token_client(therapist).get(f"{FHIR}/Patient/{patient_record.id}/Observation"))
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", actor_id=therapist.id)
    assert sorted(event.object_type for event in events) == ["diary", "observation"]


def test_the_care_team_reads_a_diary_value_by_id_and_the_read_is_audited(week, patient_record, therapist):
    observation_id = f"{week['sunday'].id}-sleep-hours"
    response = token_client(therapist).get(f"{FHIR}/Observation/{observation_id}")
    assert (response.status_code, response["Content-Type"]) == (200, FHIR_JSON)
    data = json.loads(response.content)
    Observation.model_validate(data)
    assert (data["id"], data["valueQuantity"]["value"]) == (observation_id, 7.5)
    event = AuditEvent.objects.get(patient_id=patient_record.id, action="export", actor_id=therapist.id)
    assert (event.object_type, event.object_id) == ("diary", observation_id)


def test_a_total_score_is_read_by_id_too(patient_record, coordinator):
    phq9 = from_paper(patient_record, coordinator, "phq9", [2, 2, 1, 1, 2, 1, 1, 0, 0])
    response = token_client(coordinator).get(f"{FHIR}/Observation/{phq9.id}-total")
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    assert (data["id"], data["valueQuantity"]["value"]) == (f"{phq9.id}-total", 10)
    event = AuditEvent.objects.filter(patient_id=patient_record.id, action="export").latest("id")
    assert (event.object_type, event.object_id) == ("observation", f"{phq9.id}-total")


def test_unknown_unshared_or_removed_values_are_not_found_without_an_audit_event(week, patient_record, coordinator):
    client = token_client(coordinator)
    with on(MONDAY):
        services.remove_entry(week["monday"], expected_version=1)
    share(patient_record, ["ratings"])
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for observation_id in (
        f"{uuid.uuid4()}-1",
        f"{uuid.uuid4()}-total",
        f"{week['monday'].id}-1",  # entered in error
        f"{week['sunday'].id}-sleep-hours",  # sleep no longer shared
        f"{week['sunday'].id}-9",  # no ninth rating
        f"{week['check_in'].id}-sleep-hours",  # a check-in records no sleep
        f"{str(week['sunday'].id).upper()}-1",  # not the id served
        "not-an-observation",
    ):
        assert client.get(f"{FHIR}/Observation/{observation_id}").status_code == 404, observation_id
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before
    assert client.get(f"{FHIR}/Observation/{week['sunday'].id}-1").status_code == 200
    assert client.get(f"{FHIR}/Observation/a_b").status_code == 422


def urls_for(week: dict[str, Any], patient_id: Any) -> list[str]:
    return [*searches(patient_id), f"{FHIR}/Observation/{week['sunday'].id}-1"]


def test_every_diary_observation_endpoint_needs_authentication(week, patient_record):
    for url in urls_for(week, patient_record.id):
        assert Client().get(url).status_code == 401, url


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found_and_nothing_is_audited(week, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in urls_for(week, patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert str(week["sunday"].id).encode() not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


def test_another_clinics_coordinator_does_not_reach_their_own_patient_through_ours(
    week, patient_record, foreign_clinician, foreign_patient
):
    client = token_client(foreign_clinician)
    assert client.get(f"{FHIR}/Observation?patient={foreign_patient.id}").status_code == 200
    assert client.get(f"{FHIR}/Observation/{week['sunday'].id}-1").status_code == 404


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_patient_accounts_get_not_found_even_for_their_own_diary(week, patient_record, who, request):
    person = request.getfixturevalue(who)
    for client in (signed_in(person), token_client(person)):
        for url in urls_for(week, patient_record.id):
            assert client.get(url).status_code == 404, (who, url)


def test_emergency_access_does_not_export_the_diary(week, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    client = token_client(psychiatrist)
    for url in urls_for(week, patient_record.id):
        assert client.get(url).status_code == 404, url
