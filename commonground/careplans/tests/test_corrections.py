"""Putting mistakes right: a session corrected or entered in error (with its note and the practice assigned in
it), home practice changed or entered in error, and the rules for new home practice (no second copy of a
library item being practised, a sensible first day)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.careplans import selectors, services
from commonground.careplans.choices import PracticeStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapySession
from commonground.careplans.tests.conftest import make_plan, session_details, today_for
from commonground.interop.fhir.careplans import care_plans_bundle
from commonground.interop.fhir.encounters import encounter_of, encounters_bundle
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.models import RecordStatus
from commonground.notes.models import Note

pytestmark = pytest.mark.django_db

BREATHING = {"library_item": "diaphragmatic-breathing", "how_often": "Twice a day"}


def record(patient: Any, by: Any, **kwargs: Any) -> TherapySession:
    details = session_details(patient, **kwargs.pop("details", {}))
    return services.record_session(patient, details=details, by=by, **kwargs)


def fresh(record: Any) -> Any:
    return type(record).objects.get(pk=record.pk)


# --- correcting a session ---------------------------------------------------------------------------------------


def test_a_session_is_corrected_with_a_reason_and_its_version(
    patient_record: Any, therapist: Any, coordinator: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist)
    day = today_for(patient_record) - timedelta(days=3)
    corrected = services.update_session(
        session,
        expected_version=1,
        changes={
            "held_on": day,
            "duration_minutes": 30,
            "clinician": coordinator,
            "elements": ["activation"],
            "exercises": ["body-scan", "grounding"],
        },
        reason="Recorded on the wrong day",
    )
    saved = fresh(session)
    assert (saved.held_on, saved.duration_minutes, saved.clinician, saved.elements, saved.exercises) == (
        day,
        30,
        coordinator,
        ["activation"],
        ["body-scan", "grounding"],
    )
    assert saved.version == corrected.version == 2
    assert saved.history.latest().history_change_reason == "Recorded on the wrong day"
    with pytest.raises(StaleEdit):
        services.update_session(session, expected_version=1, changes={"duration_minutes": 40}, reason="Again")


def test_a_session_entered_in_error_cannot_be_corrected(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    session = record(patient_record, therapist)
    services.mark_session_in_error(session, expected_version=1, reason="Wrong patient")
    with pytest.raises(DomainError, match="entered in error"):
        services.update_session(session, expected_version=2, changes={"duration_minutes": 40}, reason="Typo")


# --- a session entered in error ---------------------------------------------------------------------------------


def test_a_session_entered_in_error_takes_its_note_practice_and_care_request_with_it(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    from commonground.measures.models import ScheduledMeasure

    kept = record(patient_record, therapist, details={"held_on": today_for(patient_record) - timedelta(days=8)})
    wrong = record(
        patient_record,
        therapist,
        note_text="Practised breathing; agreed a walking plan.",
        home_practice=[BREATHING, {"title": "Walk to the corner"}],
        ask_about_consultation=True,
    )
    unrelated = services.assign_home_practice(patient_record, details={"title": "Stretch"}, by=therapist)
    assert wrong.note is not None
    marked = services.mark_session_in_error(wrong, expected_version=1, reason="Recorded for the wrong patient")
    assert marked.record_status == RecordStatus.ENTERED_IN_ERROR
    assert marked.history.latest().history_change_reason == "Recorded for the wrong patient"
    note = Note.objects.get(pk=wrong.note.pk)
    assert note.record_status == RecordStatus.ENTERED_IN_ERROR
    assert note.history.latest().history_change_reason == "Recorded for the wrong patient"
    today = today_for(patient_record)
    practice = {p.title: p.record_status for p in HomePractice.objects.filter(session=wrong)}
    assert practice == {
        "Belly breathing": RecordStatus.ENTERED_IN_ERROR,
        "Walk to the corner": RecordStatus.ENTERED_IN_ERROR,
    }
    assert fresh(unrelated).status == PracticeStatus.ACTIVE
    care = ScheduledMeasure.objects.get(patient=patient_record, instrument="care", due_on=wrong.held_on)
    assert care.status == "cancelled"  # the patient is not asked about a consultation that did not take place
    # Out of every view: the sessions, the count against the plan, the patient's practice, FHIR.
    assert list(selectors.sessions_of(patient_record)) == [kept]
    assert selectors.session_of(patient_record, wrong.id) is None
    assert selectors.patient_id_of_session(wrong.id) is None
    assert selectors.sessions_against_plan(plan).held == 1
    assert [p.title for p in selectors.home_practice_of(patient_record, today=today)] == ["Stretch"]
    assert encounter_of(patient_record, wrong.id) is None
    bundle = encounters_bundle(patient_record, self_url="/fhir/Encounter").model_dump()
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(kept.id)]
    plan_json = care_plans_bundle(patient_record, self_url="/fhir/CarePlan").model_dump_json()
    assert str(kept.id) in plan_json and str(wrong.id) not in plan_json


def test_marking_a_session_in_error_needs_a_reason_its_version_and_happens_once(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist, note_text="Body scan together.")
    with pytest.raises(DomainError) as no_reason:
        services.mark_session_in_error(session, expected_version=1, reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError) as too_long:
        services.mark_session_in_error(session, expected_version=1, reason="x" * 501)
    assert too_long.value.field == "reason"
    services.update_session(session, expected_version=1, changes={"duration_minutes": 30}, reason="Was 30")
    with pytest.raises(StaleEdit):
        services.mark_session_in_error(session, expected_version=1, reason="Wrong day")
    assert fresh(session).record_status == RecordStatus.ACTIVE
    assert Note.objects.get(pk=session.note_id).record_status == RecordStatus.ACTIVE  # nothing half-done
    services.mark_session_in_error(session, expected_version=2, reason="Wrong day")
    with pytest.raises(DomainError, match="already marked"):
        services.mark_session_in_error(session, expected_version=2, reason="Wrong day")


def test_a_session_whose_note_was_entered_in_error_already_can_still_be_marked(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    from commonground.notes import services as note_services

    session = record(patient_record, therapist, note_text="Wrong words.")
    note = Note.objects.get(pk=session.note_id)
    note_services.mark_note_in_error(note, expected_version=note.version, reason="Wrong words")
    services.mark_session_in_error(session, expected_version=1, reason="Did not take place")
    assert fresh(session).record_status == RecordStatus.ENTERED_IN_ERROR


# --- home practice: changing it, entering it in error -----------------------------------------------------------


def test_home_practice_is_changed_with_a_reason(patient_record: Any, therapist: Any) -> None:
    practice = services.assign_home_practice(patient_record, details=BREATHING, by=therapist)
    until = today_for(patient_record) + timedelta(days=21)
    changed = services.update_practice(
        practice,
        expected_version=1,
        changes={"how_often": "Once a day, before bed", "instructions": "Lie down first.", "ends_on": until},
        reason="Mornings are too busy",
    )
    saved = fresh(practice)
    assert (saved.how_often, saved.instructions, saved.ends_on, saved.version) == (
        "Once a day, before bed",
        "Lie down first.",
        until,
        2,
    )
    assert saved.history.latest().history_change_reason == "Mornings are too busy"
    assert changed.title == "Belly breathing"  # what is practised stays: assign something else instead
    with pytest.raises(DomainError, match="cannot be changed here"):
        services.update_practice(saved, expected_version=2, changes={"title": "Other"}, reason="x")
    with pytest.raises(StaleEdit):
        services.update_practice(practice, expected_version=1, changes={"how_often": "Daily"}, reason="x")
    with pytest.raises(DomainError) as no_reason:
        services.update_practice(saved, expected_version=2, changes={"how_often": "Daily"}, reason="")
    assert no_reason.value.field == "reason"


@pytest.mark.parametrize(
    ("days_from_today", "message"),
    [(-1, "cannot be in the past"), (-20, "cannot end before it starts")],
)
def test_a_changed_last_day_is_not_in_the_past(
    patient_record: Any, therapist: Any, days_from_today: int, message: str
) -> None:
    start = {"starts_on": today_for(patient_record) - timedelta(days=7)}
    practice = services.assign_home_practice(patient_record, details=BREATHING | start, by=therapist)
    ends_on = today_for(patient_record) + timedelta(days=days_from_today)
    with pytest.raises(DomainError, match=message) as refused:
        services.update_practice(practice, expected_version=1, changes={"ends_on": ends_on}, reason="x")
    assert refused.value.field == "ends_on"
    assert fresh(practice).ends_on is None


def test_finished_practice_is_not_changed(patient_record: Any, therapist: Any) -> None:
    practice = services.assign_home_practice(patient_record, details=BREATHING, by=therapist)
    services.end_home_practice(practice, expected_version=1, by=therapist)
    with pytest.raises(DomainError, match="already finished"):
        services.update_practice(practice, expected_version=2, changes={"how_often": "Daily"}, reason="x")


def test_home_practice_entered_in_error_leaves_every_list(patient_record: Any, therapist: Any) -> None:
    practice = services.assign_home_practice(patient_record, details=BREATHING, by=therapist)
    with pytest.raises(DomainError) as no_reason:
        services.mark_practice_in_error(practice, expected_version=1, reason="")
    assert no_reason.value.field == "reason"
    marked = services.mark_practice_in_error(practice, expected_version=1, reason="Meant for another patient")
    assert marked.record_status == RecordStatus.ENTERED_IN_ERROR
    assert marked.history.latest().history_change_reason == "Meant for another patient"
    assert selectors.home_practice_of(patient_record, today=today_for(patient_record)) == []
    assert selectors.home_practice_of(patient_record, active_only=False) == []
    assert selectors.practice_of(patient_record, practice.id) is None
    with pytest.raises(DomainError, match="already marked"):
        services.mark_practice_in_error(practice, expected_version=1, reason="Again")
    # The item may be assigned again: the one entered in error does not count as being practised.
    assert services.assign_home_practice(patient_record, details=BREATHING, by=therapist).pk


# --- new home practice ------------------------------------------------------------------------------------------


def test_a_library_item_already_practised_is_not_assigned_twice(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    services.assign_home_practice(patient_record, details=BREATHING, by=therapist)
    with pytest.raises(DomainError, match="already practising “Belly breathing”; change that practice") as again:
        services.assign_home_practice(patient_record, details=BREATHING | {"how_often": "Daily"}, by=therapist)
    assert again.value.field == "library_item"
    with pytest.raises(DomainError, match="already practising") as in_session:
        record(patient_record, therapist, note_text="Breathing again.", home_practice=[BREATHING])
    assert in_session.value.field == "library_item"
    assert not TherapySession.objects.exists() and not Note.objects.exists()  # nothing half-done
    assert HomePractice.objects.count() == 1
    # Your own practice may share a title, and a finished library item may be assigned again.
    services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist)
    services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist)


def test_the_same_library_item_twice_in_one_session_is_refused(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    with pytest.raises(DomainError, match="already practising"):
        record(patient_record, therapist, home_practice=[BREATHING, BREATHING | {"how_often": "Daily"}])
    assert not HomePractice.objects.exists()


def test_a_finished_or_lapsed_library_item_may_be_assigned_again(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    first = services.assign_home_practice(patient_record, details=BREATHING, by=therapist)
    services.end_home_practice(first, expected_version=1, by=therapist)
    assert services.assign_home_practice(patient_record, details=BREATHING, by=therapist).pk
    lapsed = {
        "library_item": "body-scan",
        "starts_on": today - timedelta(days=10),
        "ends_on": today - timedelta(days=1),
    }
    services.assign_home_practice(patient_record, details=lapsed, by=therapist)
    assert services.assign_home_practice(patient_record, details={"library_item": "body-scan"}, by=therapist).pk


def test_home_practice_starts_within_the_plan_and_at_most_two_weeks_back(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    today = today_for(patient_record)
    with pytest.raises(DomainError, match="care plan starts on") as before_plan:
        services.assign_home_practice(
            patient_record, details={"title": "Walk", "starts_on": plan.starts_on - timedelta(days=1)}, by=therapist
        )
    assert before_plan.value.field == "starts_on"
    with pytest.raises(DomainError, match="at most 14 days back") as too_early:
        services.assign_home_practice(
            patient_record, details={"title": "Walk", "starts_on": today - timedelta(days=15)}, by=therapist
        )
    assert too_early.value.field == "starts_on"
    assert not HomePractice.objects.exists()
    two_weeks = services.assign_home_practice(
        patient_record, details={"title": "Walk", "starts_on": today - timedelta(days=14)}, by=therapist
    )
    assert two_weeks.starts_on == today - timedelta(days=14)


def test_home_practice_without_a_first_day_starts_when_therapy_does(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    later = today_for(patient_record) + timedelta(days=10)
    make_plan(patient_record, therapist, starts_on=later)
    assert services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist).starts_on == later
    # Without a plan, practice starts today.
    found = services.assign_home_practice(other_patient_record, details={"title": "Walk"}, by=coordinator)
    assert found.starts_on == today_for(other_patient_record)
