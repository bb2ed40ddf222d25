"""The clinician's Care plan tab (issue 5, items 5 and 6): the shared plan with its version and reasons, the
elements, sessions against the plan, recording a session (its note checked for wording), home practice,
ending and resuming therapy; and who may not open any of it."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.careplans import services as plan_services
from commonground.careplans.choices import ElementKind, ElementStatus, PlanStatus, PracticeStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.clinician import careplan_forms as forms
from commonground.goals import services as goal_services
from commonground.kit import clock
from commonground.measures import services as measure_services
from commonground.measures.choices import Occasion
from commonground.measures.models import ScheduledMeasure
from commonground.notes.models import LanguageSuggestion
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"clinician:{name}", args=args)


def today_of(patient: Any) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


def plan_details(patient: Any, **changes: Any) -> dict[str, Any]:
    details = {
        "summary": "Graded activity and body awareness for daily headaches.",
        "patient_summary": "We work on doing a bit more each week, and on noticing what your body tells you.",
        "starts_on": today_of(patient) - timedelta(weeks=4),
    }
    return details | changes


def plan_form(patient: Any, **changes: Any) -> dict[str, Any]:
    """The plan form as a browser posts it."""
    form = {
        "summary": "Graded activity and body awareness for daily headaches.",
        "patient_summary": "We work on doing a bit more each week.",
        "sessions_min": "6",
        "sessions_max": "12",
        "minutes_min": "30",
        "minutes_max": "45",
        "starts_on": (today_of(patient) - timedelta(weeks=4)).isoformat(),
        "review_on": "",
    }
    return form | changes


@pytest.fixture
def plan(patient_record, therapist) -> CarePlan:
    return plan_services.create_plan(patient_record, details=plan_details(patient_record), by=therapist)


@pytest.fixture
def other_plan(other_patient_record, coordinator) -> CarePlan:
    return plan_services.create_plan(other_patient_record, details=plan_details(other_patient_record), by=coordinator)


def session_form(patient: Any, clinician: Any, **changes: Any) -> dict[str, Any]:
    form = {
        "held_on": today_of(patient).isoformat(),
        "duration_minutes": "40",
        "clinician": str(clinician.pk),
        "elements": [ElementKind.PSYCHOEDUCATION, ElementKind.BODY_ORIENTED],
        "exercises": [],
        "note_text": "",
        "note_language": "en",
        "submission_key": str(uuid.uuid4()),
        "practice-library_item": "",
        "practice-title": "",
        "practice-instructions": "",
        "practice-how_often": "",
        "practice-ends_on": "",
    }
    return form | changes


def first_library_slug() -> tuple[str, str]:
    from commonground.careplans import library

    found = library.items("en")[0]
    return found.slug, found.title


# --- the plan -------------------------------------------------------------------------------------------------


def test_the_tab_offers_to_agree_a_plan_and_saves_it(patient_record, therapist):
    client = signed_in(therapist)
    page = client.get(url("care_plan", patient_record.id))
    assert page.status_code == 200
    assert b"No care plan yet" in page.content
    assert b'value="6"' in page.content and b'value="45"' in page.content  # the defaults: 6-12 of 30-45
    response = client.post(url("care_plan", patient_record.id), plan_form(patient_record))
    assert response.status_code == 302
    saved = CarePlan.objects.get(patient=patient_record)
    assert (saved.sessions_min, saved.sessions_max, saved.minutes_min, saved.minutes_max) == (6, 12, 30, 45)
    assert saved.created_by == therapist
    page = client.get(url("care_plan", patient_record.id))
    assert b"We work on doing a bit more each week." in page.content
    assert b"6-12 sessions of 30-45 minutes" in page.content


def test_a_plan_links_the_goals_it_serves(patient_record, therapist):
    goal = goal_services.set_goal(
        patient_record,
        details={
            "title": "Walk the dog to the park",
            "indicator": "Walks to the park three times a week",
            "target_date": today_of(patient_record) + timedelta(weeks=8),
            "proposed_by": "patient",
            "agreed_by_patient": True,
            "level_minus_2": "Not walking",
            "level_minus_1": "Once a week",
            "level_0": "Three times a week",
            "level_plus_1": "Four times a week",
            "level_plus_2": "Every day",
        },
        by=therapist,
        today=today_of(patient_record),
    )
    client = signed_in(therapist)
    assert b"Walk the dog to the park" in client.get(url("care_plan", patient_record.id)).content
    client.post(url("care_plan", patient_record.id), plan_form(patient_record, goal_ids=[str(goal.id)]))
    assert CarePlan.objects.get(patient=patient_record).goal_ids == [str(goal.id)]
    page = client.get(url("care_plan", patient_record.id)).content.decode()
    assert "Goals it serves" in page and "Walk the dog to the park" in page


def test_two_clinicians_agreeing_a_plan_at_once_the_second_sees_both(patient_record, therapist, coordinator):
    first = signed_in(therapist).post(url("care_plan", patient_record.id), plan_form(patient_record, summary="By Bob"))
    assert first.status_code == 302
    second = signed_in(coordinator).post(
        url("care_plan", patient_record.id), plan_form(patient_record, summary="By Alice")
    )
    assert second.status_code == 200
    page = second.content.decode()
    assert "A colleague saved a care plan meanwhile" in page and "Both versions" in page
    assert "By Bob" in page and "By Alice" in page
    assert CarePlan.objects.get(patient=patient_record).summary == "By Bob"


def test_a_plan_with_more_sessions_at_least_than_at_most_is_refused_and_nothing_saved(patient_record, therapist):
    response = signed_in(therapist).post(
        url("care_plan", patient_record.id), plan_form(patient_record, sessions_min="12", sessions_max="6")
    )
    assert response.status_code == 200
    assert b"The most cannot be less than the least." in response.content
    assert not CarePlan.objects.filter(patient=patient_record).exists()


def test_changing_the_plan_needs_a_reason_and_keeps_the_history(patient_record, therapist, plan):
    client = signed_in(therapist)
    page = client.get(url("edit_care_plan", patient_record.id))
    assert page.status_code == 200
    assert f'name="version" value="{plan.version}"'.encode() in page.content
    form = plan_form(patient_record, sessions_max="10", version=str(plan.version))
    refused = client.post(url("edit_care_plan", patient_record.id), form)
    assert refused.status_code == 200 and b"This field is required." in refused.content
    plan.refresh_from_db()
    assert plan.sessions_max == 12
    saved = client.post(url("edit_care_plan", patient_record.id), form | {"reason": "Fewer sessions suffice"})
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert plan.sessions_max == 10
    assert plan.history.first().history_change_reason == "Fewer sessions suffice"


def test_two_clinicians_editing_the_same_plan_the_second_sees_both_versions(
    patient_record, therapist, coordinator, plan
):
    version = str(plan.version)
    first = signed_in(therapist).post(
        url("edit_care_plan", patient_record.id),
        plan_form(patient_record, summary="Summary by Bob", version=version, reason="After session 2"),
    )
    assert first.status_code == 302
    second = signed_in(coordinator).post(
        url("edit_care_plan", patient_record.id),
        plan_form(patient_record, summary="Summary by Alice", version=version, reason="Team meeting"),
    )
    assert second.status_code == 200
    page = second.content.decode()
    assert "Both versions" in page and "Someone else saved this record" in page
    assert "Summary by Bob" in page and "Summary by Alice" in page
    plan.refresh_from_db()
    assert plan.summary == "Summary by Bob"  # the first edit is kept
    # The form is ready again, at the saved version, starting from the saved plan.
    assert f'name="version" value="{plan.version}"'.encode() in second.content
    textarea = re.search(r'<textarea name="summary"[^>]*>\s*([^<]*)</textarea>', page)
    assert textarea is not None and textarea.group(1).strip() == "Summary by Bob"


# --- elements -------------------------------------------------------------------------------------------------


def element_form(plan: CarePlan, **changes: Any) -> dict[str, Any]:
    form = {
        "kind": ElementKind.BODY_ORIENTED,
        "description": "Breathing and body scan",
        "responsible": "",
        "frequency": "every session",
        "intensity": "10 minutes",
        "position": "1",
        "status": ElementStatus.ACTIVE,
        "version": str(plan.version),
        "reason": "Agreed in session 1",
    }
    return form | changes


def test_an_element_is_added_with_its_responsible_team_member(patient_record, therapist, plan):
    client = signed_in(therapist)
    page = client.get(url("add_plan_element", patient_record.id))
    assert page.status_code == 200
    assert b"Psychoeducation" in page.content and b"Activation therapy (graded activity)" in page.content
    response = client.post(
        url("add_plan_element", patient_record.id), element_form(plan, responsible=str(therapist.pk))
    )
    assert response.status_code == 302
    element = TherapyElement.objects.get(plan=plan)
    assert (element.kind, element.responsible, element.frequency) == (
        ElementKind.BODY_ORIENTED,
        therapist,
        "every session",
    )
    plan.refresh_from_db()
    assert plan.version == 2  # the plan and its elements share one version
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    assert "Body-oriented exercises" in tab and "Breathing and body scan" in tab and "every session" in tab


def test_adding_an_element_to_a_plan_changed_meanwhile_keeps_what_was_typed(patient_record, therapist, plan):
    stale = element_form(plan, description="Body scan each session")
    plan_services.update_plan(plan, expected_version=plan.version, changes={"sessions_max": 10}, reason="Shorter")
    response = signed_in(therapist).post(url("add_plan_element", patient_record.id), stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record" in page and "The elements as they are saved now" in page
    assert "Body scan each session" in page  # what was typed is still in the form
    plan.refresh_from_db()
    assert f'name="version" value="{plan.version}"' in page
    assert not TherapyElement.objects.filter(plan=plan).exists()


def test_an_element_cannot_name_someone_outside_the_care_team(patient_record, therapist, outsider, plan):
    response = signed_in(therapist).post(
        url("add_plan_element", patient_record.id), element_form(plan, responsible=str(outsider.pk))
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content or b'class="error"' in response.content
    assert not TherapyElement.objects.filter(plan=plan).exists()


def test_an_element_is_changed_with_the_plans_version_and_a_conflict_shows_both(
    patient_record, therapist, coordinator, plan
):
    element = plan_services.add_element(
        plan, expected_version=plan.version, details={"kind": ElementKind.ACTIVATION}, reason="Start"
    )
    plan.refresh_from_db()
    version = str(plan.version)
    edit = url("edit_plan_element", patient_record.id, element.id)
    assert signed_in(therapist).get(edit).status_code == 200
    first = signed_in(therapist).post(
        edit, element_form(plan, kind=ElementKind.ACTIVATION, frequency="twice a week", version=version)
    )
    assert first.status_code == 302
    second = signed_in(coordinator).post(
        edit, element_form(plan, kind=ElementKind.ACTIVATION, frequency="daily", version=version)
    )
    assert second.status_code == 200
    page = second.content.decode()
    assert "Both versions" in page and "twice a week" in page and "daily" in page
    element.refresh_from_db()
    assert element.frequency == "twice a week"
    plan.refresh_from_db()
    assert f'name="version" value="{plan.version}"' in page


# --- sessions -------------------------------------------------------------------------------------------------


def test_a_session_is_recorded_against_the_plan(patient_record, therapist, plan):
    client = signed_in(therapist)
    page = client.get(url("record_session", patient_record.id))
    assert page.status_code == 200
    assert b"Ask the patient about this consultation (CARE Measure)" in page.content
    slug, title = first_library_slug()
    response = client.post(
        url("record_session", patient_record.id), session_form(patient_record, therapist, exercises=[slug])
    )
    assert response.status_code == 302
    session = TherapySession.objects.get(patient=patient_record)
    assert response["Location"] == url("therapy_session", patient_record.id, session.id)
    assert session.duration_minutes == 40 and session.exercises == [slug]
    assert session.note is None
    plan_services.record_session(
        patient_record,
        details={"held_on": today_of(patient_record) - timedelta(days=7), "duration_minutes": 36},
        by=therapist,
    )
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    assert "2 of 6-12 sessions" in tab and "38 minutes on average" in tab
    assert title in tab and "Psychoeducation, Body-oriented exercises" in tab


def test_a_session_with_home_practice_and_the_care_measure(patient_record, therapist, plan):
    slug, title = first_library_slug()
    until = today_of(patient_record) + timedelta(days=14)
    form = session_form(
        patient_record,
        therapist,
        ask_about_consultation="on",
        **{"practice-library_item": slug, "practice-how_often": "twice a day", "practice-ends_on": until.isoformat()},
    )
    assert signed_in(therapist).post(url("record_session", patient_record.id), form).status_code == 302
    session = TherapySession.objects.get(patient=patient_record)
    practice = HomePractice.objects.get(patient=patient_record)
    assert (practice.session, practice.title, practice.how_often, practice.ends_on) == (
        session,
        title,
        "twice a day",
        until,
    )
    assert ScheduledMeasure.objects.filter(patient=patient_record, instrument="care", due_on=session.held_on).exists()
    detail = signed_in(therapist).get(url("therapy_session", patient_record.id, session.id)).content.decode()
    assert title in detail and "twice a day" in detail
    tab = signed_in(therapist).get(url("care_plan", patient_record.id)).content.decode()
    assert title in tab and "Practising" in tab


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": "0"}, "Ensure this value is greater than or equal to 5."),
        ({"held_on": "FUTURE"}, "the date is in the future"),
        ({"practice-how_often": "daily"}, "Choose a library item or write what to practise."),
    ],
)
def test_a_session_with_bad_input_is_refused_and_nothing_saved(patient_record, therapist, plan, changes, message):
    if changes.get("held_on") == "FUTURE":
        changes = {"held_on": (today_of(patient_record) + timedelta(days=1)).isoformat()}
    form = session_form(patient_record, therapist, note_text="Discussed pacing.", **changes)
    response = signed_in(therapist).post(url("record_session", patient_record.id), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TherapySession.objects.filter(patient=patient_record).exists()
    assert not HomePractice.objects.filter(patient=patient_record).exists()
    assert not patient_record.notes.exists()


def test_a_session_note_is_checked_and_its_suggestion_can_be_dismissed(patient_record, therapist, plan):
    client = signed_in(therapist)
    note_text = "The patient claims the dizziness started after the flu."
    response = client.post(
        url("record_session", patient_record.id), session_form(patient_record, therapist, note_text=note_text)
    )
    assert response.status_code == 302  # the check never blocks a save
    session = TherapySession.objects.get(patient=patient_record)
    assert session.note is not None and session.note.text == note_text
    page = client.get(response["Location"]).content.decode()
    assert "<mark>claims</mark>" in page
    assert "Casting doubt on the patient" in page
    assert "Why it matters:" in page and "Instead, you could write:" in page
    assert url("edit_note", patient_record.id, session.note.id) in page
    suggestion = LanguageSuggestion.objects.get(note=session.note, current=True)
    dismiss = url("dismiss_note_suggestion", patient_record.id, session.note.id, suggestion.id)
    assert dismiss in page
    back = url("therapy_session", patient_record.id, session.id)
    done = client.post(dismiss, {"next": back})
    assert done.status_code == 302 and done["Location"] == back
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is not None and suggestion.dismissed_by == therapist
    page = client.get(back).content.decode()
    assert dismiss not in page and "no open suggestions" in page


def test_the_same_session_form_sent_twice_records_one_session(patient_record, therapist, plan):
    client = signed_in(therapist)
    page = client.get(url("record_session", patient_record.id)).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page)
    assert key is not None
    again = client.get(url("record_session", patient_record.id)).content.decode()
    assert key.group(1) not in again  # every form shown gets its own key
    form = session_form(patient_record, therapist, submission_key=key.group(1), note_text="Pacing and breathing.")
    first = client.post(url("record_session", patient_record.id), form)
    second = client.post(url("record_session", patient_record.id), form)  # Back, then Save again
    session = TherapySession.objects.get(patient=patient_record)
    assert first["Location"] == second["Location"] == url("therapy_session", patient_record.id, session.id)
    assert patient_record.notes.count() == 1
    shown = client.get(second["Location"]).content.decode()
    assert "the session is recorded once" in shown and "Correct this session" in shown


def test_a_session_note_in_dutch_gets_the_dutch_rules_suggestion(patient_record, therapist, plan):
    client = signed_in(therapist)
    page = client.get(url("record_session", patient_record.id)).content.decode()
    assert "Language of the note" in page and '<option value="nl">Dutch</option>' in page
    note_text = "De patiënt beweert dat de duizeligheid na de griep begon."
    form = session_form(patient_record, therapist, note_text=note_text, note_language="nl")
    response = client.post(url("record_session", patient_record.id), form)
    assert response.status_code == 302
    session = TherapySession.objects.get(patient=patient_record)
    assert session.note is not None and session.note.language == "nl"
    detail = client.get(response["Location"]).content.decode()
    assert "<mark>beweert</mark>" in detail and "Schrijf &#39;meldt&#39;" in detail


def test_once_therapy_ended_only_an_earlier_session_is_written_up(patient_record, therapist, plan):
    today = today_of(patient_record)
    ended = today - timedelta(days=2)
    plan_services.end_therapy(plan, expected_version=1, ended_on=ended, reason="Goals met", today=today)
    client = signed_in(therapist)
    page = client.get(url("record_session", patient_record.id)).content.decode()
    assert "for a later one, resume therapy first" in page
    later = session_form(patient_record, therapist) | {"held_on": (today - timedelta(days=1)).isoformat()}
    refused = client.post(url("record_session", patient_record.id), later)
    assert refused.status_code == 200 and "resume therapy to record a later session" in refused.content.decode()
    assert not TherapySession.objects.exists()
    earlier = session_form(patient_record, therapist) | {"held_on": ended.isoformat()}
    assert client.post(url("record_session", patient_record.id), earlier).status_code == 302
    assert TherapySession.objects.count() == 1
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    assert "Write up an earlier session" in tab
    assert url("assign_home_practice", patient_record.id) not in tab
    practice = client.post(url("assign_home_practice", patient_record.id), {"title": "Walk", "starts_on": ""})
    assert "To assign home practice, resume therapy first." in practice.content.decode()


# --- correcting a session, or marking it entered in error -------------------------------------------------------


def held(patient: Any, by: Any, **kwargs: Any) -> TherapySession:
    details = {"held_on": today_of(patient) - timedelta(days=2), "duration_minutes": 45, "clinician": by}
    return plan_services.record_session(patient, details=details | kwargs.pop("details", {}), by=by, **kwargs)


def correction_form(session: TherapySession, **changes: Any) -> dict[str, Any]:
    form = {
        "held_on": session.held_on.isoformat(),
        "duration_minutes": str(session.duration_minutes),
        "clinician": str(session.clinician_id),
        "elements": list(session.elements),
        "exercises": list(session.exercises),
        "reason": "Recorded on the wrong day",
        "version": str(session.version),
    }
    return form | changes


def test_a_session_is_corrected_from_its_page(patient_record, therapist, coordinator, plan):
    session = held(patient_record, therapist)
    client = signed_in(therapist)
    page = client.get(url("therapy_session", patient_record.id, session.id)).content.decode()
    correct = url("correct_session", patient_record.id, session.id)
    assert correct in page and "Correct this session" in page
    form_page = client.get(correct).content.decode()
    assert f'value="{session.held_on.isoformat()}"' in form_page and 'name="reason"' in form_page
    day = today_of(patient_record) - timedelta(days=5)
    no_reason = client.post(correct, correction_form(session, reason=""))
    assert no_reason.status_code == 200 and b"This field is required." in no_reason.content
    response = client.post(
        correct, correction_form(session, held_on=day.isoformat(), duration_minutes="30", clinician=str(coordinator.pk))
    )
    assert response.status_code == 302 and response["Location"] == url("therapy_session", patient_record.id, session.id)
    session.refresh_from_db()
    assert (session.held_on, session.duration_minutes, session.clinician, session.version) == (day, 30, coordinator, 2)
    assert session.history.latest().history_change_reason == "Recorded on the wrong day"


def test_a_correction_over_a_newer_save_starts_again_from_it(patient_record, therapist, plan):
    session = held(patient_record, therapist)
    stale = correction_form(session, duration_minutes="30")
    plan_services.update_session(session, expected_version=1, changes={"duration_minutes": 40}, reason="Was 40")
    response = signed_in(therapist).post(url("correct_session", patient_record.id, session.id), stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record" in page
    assert 'name="version" value="2"' in page and 'value="40"' in page
    session.refresh_from_db()
    assert session.duration_minutes == 40


def test_a_session_is_corrected_even_when_its_clinician_left_the_team(patient_record, therapist, outsider, plan):
    from commonground.careteam import services as team_services

    member = team_services.add_member(patient_record, staff=outsider)
    session = held(patient_record, outsider)
    team_services.end_membership(member, expected_version=member.version, reason="Moved to another clinic")
    assert outsider not in forms.team_of(patient_record.id)
    page = signed_in(therapist).get(url("correct_session", patient_record.id, session.id)).content.decode()
    assert f'<option value="{outsider.pk}" selected>' in page


def test_a_session_entered_in_error_leaves_the_plan_the_notes_and_the_portal(
    patient_record, therapist, patient_user, plan
):
    slug, title = first_library_slug()
    session = held(
        patient_record,
        therapist,
        note_text="Wrong patient: body scan and walking plan.",
        home_practice=[{"library_item": slug, "how_often": "daily"}],
    )
    client = signed_in(therapist)
    page = client.get(url("therapy_session", patient_record.id, session.id)).content.decode()
    action = url("session_in_error", patient_record.id, session.id)
    assert f'<form method="post" action="{action}"' in page
    assert page.index("<details") < page.index(action)  # behind a <details>
    client.post(action, {"version": session.version, "reason": ""})
    session.refresh_from_db()
    assert not session.is_entered_in_error
    response = client.post(action, {"version": session.version, "reason": "Recorded in the wrong record"})
    assert response.status_code == 302 and response["Location"].endswith("#sessions")
    session.refresh_from_db()
    assert session.is_entered_in_error and session.note is not None and session.note.is_entered_in_error
    practice = HomePractice.objects.get(session=session)
    assert practice.is_entered_in_error
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    assert url("therapy_session", patient_record.id, session.id) not in tab
    assert "0 of 6-12 sessions" in tab
    assert "Wrong patient: body scan" not in client.get(url("notes", patient_record.id)).content.decode()
    assert client.get(url("therapy_session", patient_record.id, session.id)).status_code == 404
    portal = signed_in(patient_user)
    plan_page = portal.get(reverse("portal:plan")).content.decode()
    assert str(session.id) not in plan_page and "Your sessions will be listed here" in plan_page
    assert title not in portal.get(reverse("portal:today")).content.decode()


# --- home practice: changing it, ending it, entering it in error ------------------------------------------------


def test_home_practice_is_changed_with_a_reason(patient_record, therapist, plan):
    started = today_of(patient_record) - timedelta(days=7)
    practice = plan_services.assign_home_practice(
        patient_record, details={"title": "Short walk", "how_often": "daily", "starts_on": started}, by=therapist
    )
    client = signed_in(therapist)
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    change = url("change_home_practice", patient_record.id, practice.id)
    assert change in tab
    assert 'value="daily"' in client.get(change).content.decode()
    until = today_of(patient_record) + timedelta(days=10)
    form = {"how_often": "Every other day", "instructions": "Ten minutes", "ends_on": until.isoformat()}
    no_reason = client.post(change, form | {"version": practice.version, "reason": ""})
    assert no_reason.status_code == 200 and b"This field is required." in no_reason.content
    response = client.post(change, form | {"version": practice.version, "reason": "Too tiring daily"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert (practice.how_often, practice.instructions, practice.ends_on) == ("Every other day", "Ten minutes", until)
    past = client.post(
        change,
        form | {"ends_on": (today_of(patient_record) - timedelta(days=1)).isoformat(), "version": 2, "reason": "x"},
    )
    assert past.status_code == 200 and "To stop the practice now, end it." in past.content.decode()


def test_ending_home_practice_asks_for_confirmation(patient_record, therapist, plan):
    practice = plan_services.assign_home_practice(patient_record, details={"title": "Short walk"}, by=therapist)
    tab = signed_in(therapist).get(url("care_plan", patient_record.id)).content.decode()
    end = url("end_home_practice", patient_record.id, practice.id)
    before = tab[: tab.index(f'action="{end}"')]
    assert before.rindex('<details class="confirm">') > before.rfind("</details>")  # the form sits in a <details>
    assert "Yes, end it" in tab


def test_the_same_library_item_is_not_assigned_twice(patient_record, therapist, plan):
    slug, title = first_library_slug()
    plan_services.assign_home_practice(patient_record, details={"library_item": slug}, by=therapist)
    response = signed_in(therapist).post(
        url("assign_home_practice", patient_record.id), {"library_item": slug, "title": "", "starts_on": ""}
    )
    assert response.status_code == 200
    assert f"already practising “{title}”; change that practice instead." in response.content.decode()
    assert HomePractice.objects.filter(patient=patient_record).count() == 1


def test_home_practice_entered_in_error_leaves_the_tab_and_the_portal(patient_record, therapist, patient_user, plan):
    practice = plan_services.assign_home_practice(patient_record, details={"title": "Juggle oranges"}, by=therapist)
    portal = signed_in(patient_user)
    assert "Juggle oranges" in portal.get(reverse("portal:today")).content.decode()
    client = signed_in(therapist)
    action = url("practice_in_error", patient_record.id, practice.id)
    assert action in client.get(url("care_plan", patient_record.id)).content.decode()
    response = client.post(action, {"version": practice.version, "reason": "Meant for another patient"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.is_entered_in_error
    assert "Juggle oranges" not in client.get(url("care_plan", patient_record.id)).content.decode()
    assert "Juggle oranges" not in portal.get(reverse("portal:today")).content.decode()
    assert "Juggle oranges" not in portal.get(reverse("portal:exercises")).content.decode()


# --- home practice --------------------------------------------------------------------------------------------


def test_home_practice_is_assigned_and_ended(patient_record, therapist, plan):
    client = signed_in(therapist)
    assert client.get(url("assign_home_practice", patient_record.id)).status_code == 200
    refused = client.post(url("assign_home_practice", patient_record.id), {"title": "", "library_item": ""})
    assert refused.status_code == 200 and b"Choose a library item or write what to practise." in refused.content
    response = client.post(
        url("assign_home_practice", patient_record.id),
        {"title": "Short walk after lunch", "how_often": "daily", "starts_on": today_of(patient_record).isoformat()},
    )
    assert response.status_code == 302
    practice = HomePractice.objects.get(patient=patient_record)
    assert practice.title == "Short walk after lunch" and practice.status == PracticeStatus.ACTIVE
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    assert "Short walk after lunch" in tab and url("end_home_practice", patient_record.id, practice.id) in tab
    ended = client.post(url("end_home_practice", patient_record.id, practice.id), {"version": practice.version})
    assert ended.status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.ENDED


# --- ending and resuming therapy ------------------------------------------------------------------------------


def test_ending_therapy_says_what_is_asked_then_schedules_it_and_can_be_resumed(patient_record, therapist, plan):
    today = today_of(patient_record)
    measure_services.create_plan(
        patient_record,
        by=therapist,
        details={"instruments": ["phq15"], "starts_on": today - timedelta(weeks=4), "interval_weeks": 4},
        today=today,
    )
    client = signed_in(therapist)
    page = client.get(url("end_therapy", patient_record.id)).content.decode()
    assert "The end-of-therapy questionnaires are asked at once: PHQ-15." in page
    assert "follow-up questionnaires are asked 12 months later" in page
    future = {"ended_on": (today + timedelta(days=1)).isoformat(), "reason": "Goals met", "version": plan.version}
    refused = client.post(url("end_therapy", patient_record.id), future)
    assert refused.status_code == 200 and b"cannot be in the future" in refused.content
    response = client.post(url("end_therapy", patient_record.id), future | {"ended_on": today.isoformat()})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.therapy_ended_on, plan.end_reason) == (PlanStatus.ENDED, today, "Goals met")
    ending = ScheduledMeasure.objects.filter(patient=patient_record, occasion=Occasion.END_OF_THERAPY).current()
    assert list(ending.values_list("instrument", flat=True)) == ["phq15"]
    tab = client.get(url("care_plan", patient_record.id)).content.decode()
    assert "Therapy ended on" in tab and "Resume therapy" in tab
    resumed = client.post(
        url("resume_therapy", patient_record.id), {"version": plan.version, "reason": "Ended by mistake"}
    )
    assert resumed.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.therapy_ended_on is None


def test_ending_without_a_measurement_plan_says_nothing_will_be_asked(patient_record, therapist, plan):
    client = signed_in(therapist)
    page = client.get(url("end_therapy", patient_record.id)).content.decode()
    assert "There is no measurement plan" in page
    today = today_of(patient_record).isoformat()
    response = client.post(url("end_therapy", patient_record.id), {"ended_on": today, "reason": "Done", "version": 1})
    assert response.status_code == 302
    tab = client.get(response["Location"]).content.decode()
    assert (
        "Therapy has ended. No end-of-therapy or follow-up questionnaires are asked: there is no measurement plan."
        in tab
    )
    assert "questionnaires are asked now" not in tab


def test_ending_says_which_questionnaires_the_measurement_plan_asks(patient_record, therapist, plan):
    today = today_of(patient_record)
    measure_services.create_plan(
        patient_record,
        by=therapist,
        details={
            "instruments": ["phq15"],
            "starts_on": today - timedelta(weeks=4),
            "interval_weeks": 8,
            "follow_up_months": 6,
        },
        today=today,
    )
    client = signed_in(therapist)
    form = {"ended_on": today.isoformat(), "reason": "Done", "version": 1}
    tab = client.get(client.post(url("end_therapy", patient_record.id), form)["Location"]).content.decode()
    assert "The end-of-therapy questionnaires are asked now: PHQ-15." in tab
    assert "The follow-up questionnaires are asked in 6 months." in tab


def test_ending_with_a_plan_that_asks_nothing_at_the_end_says_so(patient_record, therapist, plan):
    today = today_of(patient_record)
    measure_services.create_plan(
        patient_record,
        by=therapist,
        details={
            "instruments": ["phq15"],
            "starts_on": today - timedelta(weeks=4),
            "interval_weeks": 8,
            "at_end_of_therapy": False,
            "follow_up_months": None,
        },
        today=today,
    )
    client = signed_in(therapist)
    form = {"ended_on": today.isoformat(), "reason": "Done", "version": 1}
    tab = client.get(client.post(url("end_therapy", patient_record.id), form)["Location"]).content.decode()
    assert "The measurement plan asks no questionnaires at the end of therapy or at follow-up." in tab


def test_ending_twice_says_therapy_has_already_ended(patient_record, therapist, plan):
    client = signed_in(therapist)
    form = {"ended_on": today_of(patient_record).isoformat(), "reason": "Done", "version": 1}
    client.post(url("end_therapy", patient_record.id), form)
    again = client.post(url("end_therapy", patient_record.id), form)  # the same page, sent again
    assert again.status_code == 302
    page = client.get(again["Location"]).content.decode()
    assert "Therapy has already ended." in page and "Someone else saved this record" not in page
    plan.refresh_from_db()
    assert plan.version == 2


def test_once_therapy_ended_the_next_review_is_not_shown(patient_record, therapist):
    review = today_of(patient_record) + timedelta(days=30)
    plan = plan_services.create_plan(
        patient_record, details=plan_details(patient_record, review_on=review), by=therapist
    )
    client = signed_in(therapist)
    assert "Next review on" in client.get(url("care_plan", patient_record.id)).content.decode()
    today = today_of(patient_record)
    plan_services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)
    assert "Next review on" not in client.get(url("care_plan", patient_record.id)).content.decode()


def test_pages_that_need_a_plan_say_so(patient_record, therapist):
    client = signed_in(therapist)
    for name in ("edit_care_plan", "add_plan_element", "record_session", "end_therapy"):
        response = client.get(url(name, patient_record.id))
        assert response.status_code == 200, name
        assert b"No care plan yet" in response.content, name


# --- who may not ----------------------------------------------------------------------------------------------


def plan_routes(patient: Any) -> list[str]:
    return [
        url(name, patient.id)
        for name in (
            "care_plan",
            "edit_care_plan",
            "add_plan_element",
            "record_session",
            "assign_home_practice",
            "end_therapy",
            "resume_therapy",
        )
    ]


def test_nobody_outside_the_care_team_opens_or_changes_the_plan(
    patient_record, plan, outsider, foreign_clinician, patient_user, other_patient_user
):
    for person in (outsider, foreign_clinician, patient_user, other_patient_user):
        client = signed_in(person)
        for address in plan_routes(patient_record):
            assert client.get(address).status_code in (404, 405), (person.username, address)
            posted = client.post(address, plan_form(patient_record, version="1", reason="x"))
            assert posted.status_code == 404, (person.username, address)
    plan.refresh_from_db()
    assert plan.version == 1 and plan.status == PlanStatus.ACTIVE


def test_another_patients_records_are_not_found_through_this_patients_pages(
    patient_record, therapist, coordinator, plan, other_plan, other_patient_record
):
    element = plan_services.add_element(
        other_plan, expected_version=other_plan.version, details={"kind": ElementKind.ACTIVATION}, reason="x"
    )
    session = plan_services.record_session(
        other_patient_record,
        details={"held_on": today_of(other_patient_record), "duration_minutes": 30},
        by=coordinator,
    )
    practice = plan_services.assign_home_practice(other_patient_record, details={"title": "Walk"}, by=coordinator)
    client = signed_in(therapist)  # on Ada's team, not on Grace's
    assert client.get(url("edit_plan_element", patient_record.id, element.id)).status_code == 404
    assert client.post(url("edit_plan_element", patient_record.id, element.id), {"version": 1}).status_code == 404
    assert client.get(url("therapy_session", patient_record.id, session.id)).status_code == 404
    ended = client.post(url("end_home_practice", patient_record.id, practice.id), {"version": practice.version})
    assert ended.status_code == 404
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.ACTIVE
    for address in plan_routes(other_patient_record):
        assert client.get(address).status_code in (404, 405)
    for address in (
        url("correct_session", patient_record.id, session.id),
        url("session_in_error", patient_record.id, session.id),
        url("change_home_practice", patient_record.id, practice.id),
        url("practice_in_error", patient_record.id, practice.id),
    ):
        assert client.get(address).status_code in (404, 405), address
        assert client.post(address, {"version": 1, "reason": "x", "how_often": "x"}).status_code == 404, address
    session.refresh_from_db()
    practice.refresh_from_db()
    assert not session.is_entered_in_error and session.version == 1
    assert not practice.is_entered_in_error and practice.how_often == ""


def test_nobody_outside_the_care_team_corrects_or_removes_a_session_or_practice(
    patient_record, therapist, plan, outsider, foreign_clinician, patient_user, other_patient_user
):
    session = held(patient_record, therapist, note_text="Breathing together.")
    practice = plan_services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist)
    addresses = [
        url("correct_session", patient_record.id, session.id),
        url("session_in_error", patient_record.id, session.id),
        url("change_home_practice", patient_record.id, practice.id),
        url("practice_in_error", patient_record.id, practice.id),
    ]
    for person in (outsider, foreign_clinician, patient_user, other_patient_user):
        client = signed_in(person)
        for address in addresses:
            got = client.get(address)
            assert got.status_code in (404, 405), (person.username, address)
            assert b"Breathing together." not in got.content
            posted = client.post(address, correction_form(session, reason="x") | {"version": 1, "how_often": "hourly"})
            assert posted.status_code == 404, (person.username, address)
    session.refresh_from_db()
    practice.refresh_from_db()
    assert session.version == 1 and not session.is_entered_in_error and not session.note.is_entered_in_error
    assert practice.version == 1 and practice.how_often == "" and not practice.is_entered_in_error
