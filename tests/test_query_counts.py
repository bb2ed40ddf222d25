"""Issue 3, item 7: the caseload and the chart use a fixed number of queries, however many patients.

A page that grows an N+1 query fails here, independent of the machine's speed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.careteam import services as team_services
from commonground.coordination import services as coordination_services
from commonground.kit import clock
from commonground.measures import services as measure_services
from commonground.patients import services as patient_services
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db

# The pinned counts. Reads run in autocommit (decision 0009), so no savepoint pair.
# Caseload: session, user, the caseload query (the clinic's time zone joined), the audit insert.
# Chart: session, user, patient with its clinic (the time zone), care-team check, audit insert, the team's
# current members with the team joined, episode, identifiers.
# If a change needs more, say why in the commit and update them here.
CASELOAD_QUERIES = 4
CHART_QUERIES = 8
# Registry (issue 4 item 8): session, user, organisation, the clinic's registry settings, the patients with
# their episode, the key questionnaires' responses, due counts, open alerts, open case-review flags, the
# audit insert.
REGISTRY_QUERIES = 10


def _steady(client):
    """The first request of a test session starts its clock (one session write); measure after it."""
    client.get(reverse("portal:today"))
    return client


def _caseload_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("clinician:caseload")).status_code == 200
    return len(captured)


def _grow_caseload(clinic, coordinator, therapist, count: int, start: int) -> None:
    for number in range(start, start + count):
        patient = make_patient(clinic, coordinator, given=f"P{number}", family=f"Family{number:03d}")
        team_services.add_member(patient, staff=therapist)
        patient_services.open_episode(patient, started_on=patient.created_at.date())


def test_the_caseload_query_count_does_not_grow_with_the_caseload(clinic, coordinator, therapist):
    client = _steady(signed_in(coordinator))
    _grow_caseload(clinic, coordinator, therapist, 3, 0)
    few = _caseload_queries(client)
    _grow_caseload(clinic, coordinator, therapist, 30, 3)
    many = _caseload_queries(client)
    assert few == many == CASELOAD_QUERIES


def test_the_chart_query_count_does_not_grow_with_the_care_team(
    clinic, patient_record, coordinator, therapist, outsider, psychiatrist
):
    client = _steady(signed_in(coordinator))
    url = reverse("clinician:chart", args=[patient_record.id])
    with CaptureQueriesContext(connection) as small_team:
        assert client.get(url).status_code == 200
    for colleague in (outsider, psychiatrist):
        team_services.add_member(patient_record, staff=colleague)
    patient_services.add_identifier(patient_record, system="national", value="123456782")
    with CaptureQueriesContext(connection) as large_team:
        assert client.get(url).status_code == 200
    assert len(small_team) == len(large_team) == CHART_QUERIES


def _registry_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("clinician:registry"))
        assert response.status_code == 200
    return len(captured), response.content.decode()


def _measured_patients(clinic, coordinator, count: int, start: int) -> None:
    """Patients with responses to two key questionnaires (one a positive PHQ-9 item 9: an alert), a questionnaire
    overdue and, for some, an open case-review flag: every query of the registry has rows to read."""
    today = clock.local_date(clock.now(), str(clinic.time_zone))
    for number in range(start, start + count):
        patient = make_patient(clinic, coordinator, given=f"R{number}", family=f"Registry{number:03d}")
        patient_services.open_episode(patient, started_on=today - timedelta(weeks=12))
        for weeks_ago, total in ((11, 14), (1, 9)):
            answers = {str(item): 1 if item <= total - 8 else 0 for item in range(1, 16)}
            _paper(patient, coordinator, "phq15", answers, weeks_ago)
        _paper(patient, coordinator, "phq9", {str(item): 1 if item in (1, 9) else 0 for item in range(1, 10)}, 1)
        measure_services.request_measure(
            patient, instrument_id="gad7", by=coordinator, due_on=today - timedelta(days=10)
        )
        if number % 2:
            coordination_services.flag_for_case_review(patient, by=coordinator, reason="manual")


def _paper(patient, by, instrument: str, answers: dict, weeks_ago: int) -> None:
    measure_services.enter_response(
        patient,
        instrument_id=instrument,
        answers=answers,
        entered_by=by,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(weeks=weeks_ago, hours=1),
    )


def test_the_registry_query_count_does_not_grow_with_the_caseload(clinic, coordinator):
    client = _steady(signed_in(coordinator))
    _measured_patients(clinic, coordinator, 3, 0)
    few, page = _registry_queries(client)
    assert "Critical item" in page and "Registry000" in page
    _measured_patients(clinic, coordinator, 30, 3)
    many, page = _registry_queries(client)
    assert page.count('<th scope="row">') == 33
    assert few == many == REGISTRY_QUERIES


# --- issue 5: the goals, care plan and notes tabs, and the patient's goals and plan ------------------------------


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _goal_with_a_ladder(patient, by, number: int) -> None:
    from commonground.goals import services as goal_services
    from commonground.goals.tests.support import make_goal, today_for

    goal = make_goal(patient, by, title=f"Goal {number}")
    for step in range(3):
        rung = goal_services.add_rung(goal, action=f"Step {step}", target_date=None, by=by)
    goal_services.mark_rung(rung, state="done", by=by)
    goal_services.review_goal(goal, level=0, reviewed_on=today_for(patient), by=by)


def _session_with_a_note(patient, by, days_ago: int) -> None:
    from commonground.careplans import services as careplan_services
    from commonground.careplans.tests.conftest import session_details

    careplan_services.record_session(
        patient,
        details=session_details(patient, held_on=session_details(patient)["held_on"] - timedelta(days=days_ago)),
        by=by,
        note_text="The patient claims the pain is worse. Non-compliant with the breathing.",
        home_practice=[{"title": f"Walk {days_ago}", "how_often": "daily"}],
    )


def test_the_goals_pages_do_not_grow_with_the_goals(patient_record, patient_user, therapist):
    staff = _steady(signed_in(therapist))
    patient = _steady(signed_in(patient_user))
    _goal_with_a_ladder(patient_record, therapist, 0)
    tab = reverse("clinician:goals", args=[patient_record.id])
    few = (_page_queries(staff, tab), _page_queries(patient, reverse("portal:goals")))
    for number in range(1, 5):
        _goal_with_a_ladder(patient_record, therapist, number)
    many = (_page_queries(staff, tab), _page_queries(patient, reverse("portal:goals")))
    assert few == many


def test_the_care_plan_and_notes_pages_do_not_grow_with_the_sessions(patient_record, patient_user, therapist):
    from commonground.careplans.tests.conftest import make_plan

    make_plan(patient_record, therapist)
    staff = _steady(signed_in(therapist))
    patient = _steady(signed_in(patient_user))
    urls = [
        (staff, reverse("clinician:care_plan", args=[patient_record.id])),
        (staff, reverse("clinician:notes", args=[patient_record.id])),
        (patient, reverse("portal:plan")),
        (patient, reverse("portal:today")),
    ]
    _session_with_a_note(patient_record, therapist, 20)
    few = [_page_queries(client, url) for client, url in urls]
    for days_ago in (15, 10, 5):
        _session_with_a_note(patient_record, therapist, days_ago)
    many = [_page_queries(client, url) for client, url in urls]
    assert few == many


def _diary_days(patient, start_days_ago: int, count: int) -> None:
    from datetime import UTC, datetime

    from commonground.diary import services as diary_services
    from commonground.diary.entries import Activity, EntryValues

    today = clock.local_date(clock.now(), patient.time_zone)
    for back in range(start_days_ago, start_days_ago - count, -1):
        day = today - timedelta(days=back)
        with clock.pinned(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)):
            values = EntryValues(
                ratings={"pain": back % 10, "fatigue": (back * 3) % 10},
                activities=(Activity("walking-the-dog", done=True, minutes=30, effort=back % 10),),
                small_win=f"win {back}",
            )
            diary_services.record_entry(patient, day=day, values=values)
            diary_services.record_check_in(patient, values=EntryValues(ratings={"pain": 5}))


def test_the_diary_pages_do_not_grow_with_the_entries(patient_record, patient_user, therapist):
    from commonground.diary.tests.support import set_up

    set_up(patient_record, therapist)
    staff = _steady(signed_in(therapist))
    patient = _steady(signed_in(patient_user))
    urls = [
        (staff, reverse("clinician:diary", args=[patient_record.id])),
        (patient, reverse("portal:diary")),
        (patient, reverse("portal:diary_patterns")),
        (patient, reverse("portal:diary_export")),
    ]
    _diary_days(patient_record, 5, 2)  # in the week the diary page shows: each table reads its versions once
    few = [_page_queries(client, url) for client, url in urls]
    _diary_days(patient_record, 30, 25)
    many = [_page_queries(client, url) for client, url in urls]
    assert few == many
