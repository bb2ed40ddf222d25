"""Goals as FHIR R4 Goals (issue 5 item 9, decision 0012), checked through the R4B models, and their endpoints.

Codes are checked against the published R4 value sets (GoalLifecycleStatus, goal-achievement, goal-priority),
which fhir.resources does not enforce. Goal attainment levels are read as Turner-Stokes defines them
(clinical.md section 11): 0 is the expected outcome, the baseline is usually −1, or −2 when it could not be worse.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.goal import Goal as FhirGoal

from commonground.access import services as access_services
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.goals.choices import GoalStatus, ProposedBy
from commonground.goals.models import GasReview, Goal
from commonground.goals.selectors import latest_reviews
from commonground.interop.fhir.goals import goal_resource
from commonground.interop.fhir.tests.support import round_trip
from commonground.kit.models import RecordStatus
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

FHIR = "/api/fhir"
FHIR_JSON = "application/fhir+json"
# R4 value sets (hl7.org/fhir/R4/valueset-goal-status.html, codesystem-goal-achievement.html).
LIFECYCLE_STATUSES = {
    "proposed",
    "planned",
    "accepted",
    "active",
    "on-hold",
    "completed",
    "cancelled",
    "entered-in-error",
    "rejected",
}
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
ACHIEVEMENT_CODES = {
    "in-progress",
    "improving",
    "worsening",
    "no-change",
    "achieved",
    "sustaining",
    "not-achieved",
    "no-progress",
    "not-attainable",
}
PRIORITY = "http://terminology.hl7.org/CodeSystem/goal-priority"


def make_goal(patient: Any, by: Any, **fields: Any) -> Goal:
    values: dict[str, Any] = {
        "title": "Walk my daughter to school",
        "indicator": "Days a week I walk her there",
        "target_date": date(2025, 9, 1),
        "proposed_by": ProposedBy.TOGETHER,
        "agreed_by_patient": True,
        "level_minus_2": "I do not walk her at all",
        "level_minus_1": "One day a week",
        "level_0": "Three days a week",
        "level_plus_1": "Four days a week",
        "level_plus_2": "Every school day",
        "baseline_level": -1,
        "set_on": date(2025, 3, 3),
        "created_by": by,
    }
    values.update(fields)
    return Goal.objects.create(organisation=patient.organisation, patient=patient, **values)


def review(goal: Goal, level: int, on: date, by: Any, **fields: Any) -> GasReview:
    return GasReview.objects.create(
        organisation=goal.organisation, goal=goal, reviewed_on=on, level=level, reviewed_by=by, **fields
    )


def mapped(goal: Goal) -> dict[str, Any]:
    resource = goal_resource(goal, latest_reviews([goal]).get(goal.id))
    assert isinstance(resource, FhirGoal)
    data = round_trip(resource)
    assert data["lifecycleStatus"] in LIFECYCLE_STATUSES
    for coding in data.get("achievementStatus", {}).get("coding", []):
        assert (coding["system"], coding["code"] in ACHIEVEMENT_CODES) == (ACHIEVEMENT, True)
    return data


def token_client(user: Any) -> Client:
    _token, secret = create_api_token(user, name="fhir test", scope="read", days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


# --- mapping ----------------------------------------------------------------------------------------------


def test_a_goal_carries_its_words_indicator_expected_outcome_and_dates(patient_record, therapist, settings):
    settings.SITE_URL = "https://clinic.example.org"
    goal = make_goal(patient_record, therapist, importance=3, contingency_plan="rest ten minutes, then go on")
    data = mapped(goal)
    assert data["resourceType"] == "Goal"
    assert data["id"] == str(goal.id)
    assert data["lifecycleStatus"] == "active"
    assert data["description"] == {"text": "Walk my daughter to school"}
    assert data["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["startDate"] == "2025-03-03"
    assert data["target"] == [
        {
            "measure": {"text": "Days a week I walk her there"},
            "detailString": "Three days a week",
            "dueDate": "2025-09-01",
        }
    ]
    assert data["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert "outcomeCode" not in data, "no review yet"
    assert data["priority"]["coding"] == [{"system": PRIORITY, "code": "high-priority", "display": "High Priority"}]
    assert data["note"] == [{"text": "When symptoms flare: rest ten minutes, then go on"}]
    assert "expressedBy" not in data, "proposed together: R4 has room for one person only"


def test_a_goal_without_importance_or_contingency_plan_leaves_them_out(patient_record, therapist):
    data = mapped(make_goal(patient_record, therapist))
    assert "priority" not in data
    assert "note" not in data


@pytest.mark.parametrize(
    ("status", "agreed", "expected"),
    [
        (GoalStatus.ACTIVE, True, "active"),
        (GoalStatus.ACTIVE, False, "proposed"),
        (GoalStatus.ON_HOLD, True, "on-hold"),
        (GoalStatus.ACHIEVED, True, "completed"),
        (GoalStatus.ENDED, True, "cancelled"),
    ],
)
def test_the_lifecycle_follows_the_goal_and_the_patients_agreement(patient_record, therapist, status, agreed, expected):
    data = mapped(make_goal(patient_record, therapist, status=status, agreed_by_patient=agreed))
    assert data["lifecycleStatus"] == expected


@pytest.mark.parametrize(
    ("baseline", "level", "expected"),
    [
        (-1, -2, "worsening"),  # below where the patient started
        (-1, -1, "no-change"),
        (-2, -2, "no-change"),  # "could not be worse" at the start, still there
        (-2, -1, "improving"),
        (-1, 0, "achieved"),  # the expected outcome
        (-1, 2, "achieved"),
    ],
)
def test_achievement_reads_the_latest_level_against_the_baseline(patient_record, therapist, baseline, level, expected):
    goal = make_goal(patient_record, therapist, baseline_level=baseline)
    review(goal, level, date(2025, 5, 5), therapist)
    data = mapped(goal)
    assert data["achievementStatus"]["coding"][0]["code"] == expected
    [outcome] = data["outcomeCode"]
    assert outcome["coding"][0]["code"] == str(level)
    assert outcome["coding"][0]["system"].endswith("/api/fhir/CodeSystem/gas-levels")
    assert outcome["text"] == goal.level_words(level), "the patient's own words for the level reached"


def test_the_latest_current_review_counts(patient_record, therapist):
    goal = make_goal(patient_record, therapist)
    review(goal, -1, date(2025, 4, 1), therapist)
    review(goal, 1, date(2025, 5, 1), therapist)
    review(goal, -2, date(2025, 6, 1), therapist, record_status=RecordStatus.ENTERED_IN_ERROR)
    data = mapped(goal)
    assert data["outcomeCode"][0]["coding"][0]["code"] == "1"
    assert data["outcomeCode"][0]["text"] == "Four days a week"
    assert data["achievementStatus"]["coding"][0]["code"] == "achieved"


def test_a_goal_marked_achieved_is_achieved_whatever_the_last_review(patient_record, therapist):
    goal = make_goal(patient_record, therapist, status=GoalStatus.ACHIEVED)
    review(goal, -1, date(2025, 4, 1), therapist)
    assert mapped(goal)["achievementStatus"]["coding"][0]["code"] == "achieved"


def test_a_goal_set_aside_before_any_review_has_no_achievement_status(patient_record, therapist):
    data = mapped(make_goal(patient_record, therapist, status=GoalStatus.ENDED))
    assert (data["lifecycleStatus"], "achievementStatus" in data) == ("cancelled", False)


def test_who_proposed_the_goal_is_expressed_where_fhir_can_say_it(patient_record, patient_user, therapist):
    by_patient = mapped(make_goal(patient_record, patient_user, proposed_by=ProposedBy.PATIENT))
    by_clinician = mapped(make_goal(patient_record, therapist, proposed_by=ProposedBy.CLINICIAN))
    assert by_patient["expressedBy"] == {"reference": f"Patient/{patient_record.id}"}
    assert by_clinician["expressedBy"] == {"reference": f"Practitioner/{therapist.id}"}


def test_a_clinician_proposal_typed_in_by_the_patient_names_no_practitioner(patient_record, patient_user):
    data = mapped(make_goal(patient_record, patient_user, proposed_by=ProposedBy.CLINICIAN))
    assert "expressedBy" not in data


# --- endpoints --------------------------------------------------------------------------------------------


def read(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    return json.loads(response.content)


@pytest.fixture
def goals(patient_record: Any, therapist: Any) -> dict[str, Goal]:
    walking = make_goal(patient_record, therapist)
    review(walking, 0, date(2025, 5, 5), therapist)
    ended = make_goal(patient_record, therapist, title="Swim again", status=GoalStatus.ENDED)
    wrong = make_goal(patient_record, therapist, title="Typed twice", record_status=RecordStatus.ENTERED_IN_ERROR)
    return {"walking": walking, "ended": ended, "wrong": wrong}


def test_the_care_team_reads_a_goal_by_id(goals, therapist, settings):
    settings.SITE_URL = "https://clinic.example.org"
    data = read(token_client(therapist), f"{FHIR}/Goal/{goals['walking'].id}")
    FhirGoal.model_validate(data)
    assert (data["id"], data["achievementStatus"]["coding"][0]["code"]) == (str(goals["walking"].id), "achieved")


def test_a_search_gives_every_current_goal_and_both_spellings_agree(goals, patient_record, coordinator, settings):
    settings.SITE_URL = "https://clinic.example.org"
    client = token_client(coordinator)
    urls = [
        f"{FHIR}/Goal?patient={patient_record.id}",
        f"{FHIR}/Goal?patient=Patient/{patient_record.id}",
        f"{FHIR}/Patient/{patient_record.id}/Goal",
    ]
    found = [read(client, url) for url in urls]
    for data in found:
        Bundle.model_validate(data)
        assert (data["type"], data["total"]) == ("searchset", 2)
    assert found[0]["entry"] == found[1]["entry"] == found[2]["entry"]
    ids = {entry["resource"]["id"] for entry in found[0]["entry"]}
    assert ids == {str(goals["walking"].id), str(goals["ended"].id)}, "entered in error is left out"
    assert {entry["fullUrl"] for entry in found[0]["entry"]} == {
        f"https://clinic.example.org/api/fhir/Goal/{goal_id}" for goal_id in ids
    }
    assert found[2]["link"][0]["url"] == f"https://clinic.example.org/api/fhir/Patient/{patient_record.id}/Goal"


def test_a_patient_without_goals_gets_an_empty_bundle(other_patient_record, coordinator):
    data = read(token_client(coordinator), f"{FHIR}/Goal?patient={other_patient_record.id}")
    assert (data["total"], "entry" in data) == (0, False)


def test_a_read_and_a_search_are_audited_as_exports(goals, patient_record, therapist):
    client = token_client(therapist)
    read(client, f"{FHIR}/Goal/{goals['walking'].id}")
    read(client, f"{FHIR}/Patient/{patient_record.id}/Goal")
    events = AuditEvent.objects.filter(patient_id=patient_record.id, action="export", object_type="goal")
    # A search names no one record: its object is the patient (the audit trail's default).
    assert sorted(event.object_id for event in events) == sorted([str(patient_record.id), str(goals["walking"].id)])
    assert {event.actor_id for event in events} == {therapist.id}


def test_an_unknown_or_erroneous_goal_is_not_found_and_a_malformed_id_is_refused(goals, therapist):
    client = token_client(therapist)
    assert client.get(f"{FHIR}/Goal/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{FHIR}/Goal/{goals['wrong'].id}").status_code == 404
    assert client.get(f"{FHIR}/Goal/not-a-uuid").status_code == 422


def urls_for(goals: dict[str, Goal], patient_id: Any) -> list[str]:
    return [
        f"{FHIR}/Goal/{goals['walking'].id}",
        f"{FHIR}/Goal?patient={patient_id}",
        f"{FHIR}/Patient/{patient_id}/Goal",
    ]


def test_every_goal_endpoint_needs_authentication(goals, patient_record):
    for url in urls_for(goals, patient_record.id):
        assert Client().get(url).status_code == 401, url


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found(goals, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for url in urls_for(goals, patient_record.id):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert b"Walk my daughter" not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_patient_accounts_get_not_found_even_for_their_own_goals(goals, patient_record, who, request):
    client = signed_in(request.getfixturevalue(who))
    for url in urls_for(goals, patient_record.id):
        assert client.get(url).status_code == 404, (who, url)


def test_emergency_access_does_not_export_goals(goals, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    client = token_client(psychiatrist)
    for url in urls_for(goals, patient_record.id):
        assert client.get(url).status_code == 404, url
