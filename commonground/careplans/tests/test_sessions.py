"""Sessions held against the plan, home practice, the patient's reflection, and asking about the consultation."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from commonground.careplans import selectors, services
from commonground.careplans.choices import PracticeStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapySession
from commonground.careplans.tests.conftest import make_plan, session_details, today_for
from commonground.kit.errors import DomainError, StaleEdit
from commonground.measures.choices import Occasion, ScheduleStatus
from commonground.measures.models import ScheduledMeasure
from commonground.notes import selectors as notes_selectors
from commonground.notes.choices import NoteKind

pytestmark = pytest.mark.django_db

BREATHING = {"library_item": "diaphragmatic-breathing", "how_often": "Twice a day, five minutes"}


def record(patient: Any, by: Any, **kwargs: Any) -> TherapySession:
    details = session_details(patient, **kwargs.pop("details", {}))
    return services.record_session(patient, details=details, by=by, **kwargs)


def test_a_session_is_recorded_against_the_plan(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    session = record(patient_record, therapist)
    assert session.plan == plan and session.clinician == therapist and session.note is None
    assert (session.duration_minutes, session.elements) == (45, ["psychoeducation", "body_oriented"])
    assert session.exercises == ["diaphragmatic-breathing"]
    assert session.history.latest().history_change_reason == "Session recorded"
    assert list(selectors.sessions_of(patient_record)) == [session]


def test_the_clinician_may_be_another_member_of_the_team(
    patient_record: Any, therapist: Any, coordinator: Any, plan: CarePlan
) -> None:
    session = record(patient_record, coordinator, details={"clinician": therapist})
    assert session.clinician == therapist
    assert record(patient_record, coordinator, details={"clinician": str(therapist.id)}).clinician == therapist


def test_a_session_needs_a_care_plan(patient_record: Any, therapist: Any) -> None:
    with pytest.raises(DomainError, match="care plan first"):
        record(patient_record, therapist)


@pytest.mark.parametrize(
    ("days_from_today", "field", "message"),
    [(1, "held_on", "before it is held"), (-29, "held_on", "plan starts after")],
)
def test_a_session_in_the_future_or_before_the_plan_is_refused(
    patient_record: Any, therapist: Any, plan: CarePlan, days_from_today: int, field: str, message: str
) -> None:
    held_on = today_for(patient_record) + timedelta(days=days_from_today)
    with pytest.raises(DomainError, match=message) as refused:
        record(patient_record, therapist, details={"held_on": held_on})
    assert refused.value.field == field
    assert not TherapySession.objects.exists()


def test_a_session_held_today_is_fine(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    assert record(patient_record, therapist, details={"held_on": today_for(patient_record)}).pk


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 241}, "duration_minutes"),
        ({"elements": ["massage"]}, "elements"),
        ({"exercises": ["juggling"]}, "exercises"),
        ({"held_on": None}, "held_on"),
    ],
)
def test_session_details_that_do_not_fit_are_refused(
    patient_record: Any, therapist: Any, plan: CarePlan, details: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        record(patient_record, therapist, details=details)
    assert refused.value.field == field


def test_the_session_clinician_must_be_on_the_care_team(
    patient_record: Any, therapist: Any, outsider: Any, psychiatrist: Any, plan: CarePlan
) -> None:
    for stranger in (outsider, psychiatrist):
        with pytest.raises(DomainError, match="care team") as refused:
            record(patient_record, therapist, details={"clinician": stranger})
        assert refused.value.field == "clinician"
    with pytest.raises(DomainError, match="care team"):
        record(patient_record, outsider)  # `by` is the default clinician
    assert not TherapySession.objects.exists()


def test_the_session_note_is_written_through_the_notes_domain_and_linked(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist, note_text="Practised belly breathing; walking plan agreed.")
    assert session.note is not None
    assert session.note.kind == NoteKind.SESSION and session.note.author == therapist
    assert session.note.text == "Practised belly breathing; walking plan agreed."
    assert selectors.session_of(patient_record, session.id).note == session.note  # type: ignore[union-attr]


def test_home_practice_from_a_session_shows_until_it_ends(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    today = today_for(patient_record)
    practice = BREATHING | {"ends_on": today + timedelta(days=14)}
    session = record(patient_record, therapist, home_practice=[practice, {"title": "Walk to the corner"}])
    assigned = selectors.home_practice_of(patient_record, today=today)
    assert [(p.title, p.session_id, p.starts_on) for p in assigned] == [
        ("Belly breathing", session.id, today),
        ("Walk to the corner", session.id, today),
    ]
    on_last_day = selectors.home_practice_of(patient_record, today=today + timedelta(days=14))
    assert [p.title for p in on_last_day] == ["Belly breathing", "Walk to the corner"]
    after = selectors.home_practice_of(patient_record, today=today + timedelta(days=15))
    assert [p.title for p in after] == ["Walk to the corner"]
    assert selectors.home_practice_of(patient_record, today=today - timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("practice", "field"),
    [
        ({"library_item": "juggling"}, "library_item"),
        ({"instructions": "Breathe"}, "title"),
        ({"title": "Walk", "ends_on": "2000-01-01"}, "ends_on"),
        ({"title": "Walk", "colour": "blue"}, None),
    ],
)
def test_a_session_with_wrong_home_practice_writes_nothing(
    patient_record: Any, therapist: Any, plan: CarePlan, practice: dict[str, Any], field: str | None
) -> None:
    with pytest.raises(DomainError) as refused:
        record(patient_record, therapist, home_practice=[BREATHING, practice])
    assert refused.value.field == field
    assert not TherapySession.objects.exists() and not HomePractice.objects.exists()


def test_practice_can_be_assigned_outside_a_session_and_ended(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    practice = services.assign_home_practice(
        patient_record, details=BREATHING | {"title": "Breathing before bed"}, by=therapist
    )
    assert (practice.title, practice.library_item, practice.starts_on, practice.session) == (
        "Breathing before bed",
        "diaphragmatic-breathing",
        today,
        None,
    )
    later = services.assign_home_practice(
        patient_record, details={"title": "Gentle walk", "starts_on": today + timedelta(days=7)}, by=therapist
    )
    assert [p.title for p in selectors.home_practice_of(patient_record, today=today)] == ["Breathing before bed"]
    ended = services.end_home_practice(practice, expected_version=practice.version, by=therapist)
    assert (ended.status, ended.ends_on) == (PracticeStatus.ENDED, today)
    assert selectors.home_practice_of(patient_record, today=today) == []
    assert [p.title for p in selectors.home_practice_of(patient_record, active_only=False)] == [
        "Breathing before bed",
        "Gentle walk",
    ]
    with pytest.raises(DomainError, match="already finished"):
        services.end_home_practice(ended, expected_version=ended.version, by=therapist)
    assert selectors.practice_of(patient_record, later.id) == later
    assert selectors.practice_of(patient_record, "nonsense") is None


def test_practice_cannot_be_linked_to_someone_elses_session(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist)
    with pytest.raises(DomainError):
        services.assign_home_practice(other_patient_record, details=BREATHING, by=coordinator, session=session)


def test_asking_about_the_consultation_schedules_the_care_measure_on_the_session_day(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist, ask_about_consultation=True)
    asked = ScheduledMeasure.objects.get(patient=patient_record)
    assert (asked.instrument, asked.occasion, asked.due_on, asked.status) == (
        "care",
        Occasion.ON_REQUEST,
        session.held_on,
        ScheduleStatus.OPEN,
    )
    assert asked.requested_by == therapist
    record(patient_record, therapist, details={"held_on": today_for(patient_record)})
    assert ScheduledMeasure.objects.filter(patient=patient_record).count() == 1  # only when asked


# --- the same form sent twice, the note's language ---------------------------------------------------------


def test_the_same_form_sent_twice_records_one_session(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    key = uuid.uuid4()
    details = session_details(patient_record, submission_key=str(key))
    first = services.record_session_once(
        patient_record, details=details, by=therapist, note_text="Body scan.", home_practice=[BREATHING]
    )
    again = services.record_session_once(
        patient_record, details=details, by=therapist, note_text="Body scan.", home_practice=[BREATHING]
    )
    assert (first.already_recorded, again.already_recorded) == (False, True)
    assert again.session == first.session and first.session.submission_key == key
    assert services.record_session(patient_record, details=details, by=therapist) == first.session
    assert TherapySession.objects.count() == 1 and HomePractice.objects.count() == 1
    assert patient_record.notes.count() == 1
    other = services.record_session_once(patient_record, details=session_details(patient_record), by=therapist)
    assert not other.already_recorded and TherapySession.objects.count() == 2  # without a key, nothing to match


def test_a_form_sent_twice_at_once_records_one_session_and_one_note(
    patient_record: Any, therapist: Any, plan: CarePlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request looked before the first had saved: the unique key refuses its session, and its note
    goes with it; it answers with the session the first one recorded."""
    key = uuid.uuid4()
    details = session_details(patient_record, submission_key=key)
    first = services.record_session(patient_record, details=details, by=therapist, note_text="First.")
    looked = services._recorded_before
    calls: list[Any] = []

    def too_early(found_key: Any, patient: Any) -> Any:
        calls.append(found_key)
        return None if len(calls) == 1 else looked(found_key, patient)

    monkeypatch.setattr(services, "_recorded_before", too_early)
    second = services.record_session_once(patient_record, details=details, by=therapist, note_text="Second.")
    assert second.already_recorded and second.session == first and len(calls) == 2
    assert list(patient_record.notes.values_list("text", flat=True)) == ["First."]
    assert TherapySession.objects.count() == 1


def test_a_form_used_for_another_patient_or_a_session_in_error_records_nothing(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any, plan: CarePlan
) -> None:
    make_plan(other_patient_record, coordinator)
    key = uuid.uuid4()
    session = record(patient_record, therapist, details={"submission_key": key})
    with pytest.raises(DomainError, match="another record"):
        record(other_patient_record, coordinator, details={"submission_key": key})
    services.mark_session_in_error(session, expected_version=1, reason="Wrong day")
    with pytest.raises(DomainError, match="Open a new form"):
        record(patient_record, therapist, details={"submission_key": key})
    with pytest.raises(DomainError) as malformed:
        record(patient_record, therapist, details={"submission_key": "not-a-key"})
    assert malformed.value.field == "submission_key"
    assert TherapySession.objects.count() == 1


def test_the_session_note_is_checked_in_its_own_language(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    dutch = record(
        patient_record, therapist, note_text="De patiënt beweert dat de hoofdpijn erger is.", note_language="nl"
    )
    assert dutch.note is not None and dutch.note.language == "nl"
    found = notes_selectors.open_suggestions(dutch.note)
    assert [s.phrase for s in found] == ["beweert"]
    assert "meldt" in found[0].suggestion
    english = record(patient_record, therapist, note_text="De patiënt beweert dat de hoofdpijn erger is.")
    assert english.note is not None and english.note.language == "en"
    assert notes_selectors.open_suggestions(english.note) == []  # the English lexicon knows no Dutch words


# --- the patient's reflection and corrections ---------------------------------------------------------------


def test_the_patient_writes_a_reflection_and_may_replace_it(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist)
    saved = services.add_reflection(session, text="  The breathing helped in the evening.  ", patient=patient_record)
    assert saved.reflection == "The breathing helped in the evening." and saved.reflection_at is not None
    replaced = services.add_reflection(saved, text="It helped most before bed.", patient=patient_record)
    assert TherapySession.objects.get(pk=session.pk).reflection == "It helped most before bed."
    assert replaced.history.latest().history_change_reason == "Reflection written by the patient"


def test_a_reflection_is_kept_within_limits_and_on_ones_own_session(
    patient_record: Any, other_patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist)
    with pytest.raises(DomainError) as too_long:
        services.add_reflection(session, text="x" * 4001, patient=patient_record)
    assert too_long.value.field == "reflection"
    with pytest.raises(DomainError, match="could not find"):
        services.add_reflection(session, text="Not mine", patient=other_patient_record)
    assert TherapySession.objects.get(pk=session.pk).reflection == ""


def test_the_patient_may_remove_their_reflection(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    session = record(patient_record, therapist)
    assert services.add_reflection(session, text="   ", patient=patient_record).version == 1  # nothing to remove
    services.add_reflection(session, text="Calmer afterwards.", patient=patient_record)
    removed = services.add_reflection(session, text="  ", patient=patient_record)
    saved = TherapySession.objects.get(pk=session.pk)
    assert (saved.reflection, saved.reflection_at, saved.version) == ("", None, 3)
    assert removed.history.latest().history_change_reason == "Reflection removed by the patient"


def test_a_clinicians_stale_correction_never_overwrites_the_patients_reflection(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist)
    clinicians_copy = TherapySession.objects.get(pk=session.pk)
    services.add_reflection(session, text="Calmer afterwards.", patient=patient_record)
    with pytest.raises(StaleEdit):
        services.update_session(
            clinicians_copy, expected_version=1, changes={"duration_minutes": 40}, reason="Was 40 minutes"
        )
    saved = TherapySession.objects.get(pk=session.pk)
    assert (saved.reflection, saved.duration_minutes) == ("Calmer afterwards.", 45)
    corrected = services.update_session(
        saved, expected_version=saved.version, changes={"duration_minutes": 40}, reason="Was 40 minutes"
    )
    assert (corrected.duration_minutes, corrected.reflection) == (40, "Calmer afterwards.")
    assert corrected.history.latest().history_change_reason == "Was 40 minutes"


def test_correcting_a_session_needs_a_reason_and_follows_the_same_rules(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    session = record(patient_record, therapist)
    with pytest.raises(DomainError) as no_reason:
        services.update_session(session, expected_version=1, changes={"duration_minutes": 40}, reason="")
    assert no_reason.value.field == "reason"
    tomorrow = today_for(patient_record) + timedelta(days=1)
    with pytest.raises(DomainError, match="before it is held"):
        services.update_session(session, expected_version=1, changes={"held_on": tomorrow}, reason="Typo")
    with pytest.raises(DomainError, match="cannot be changed here"):
        services.update_session(session, expected_version=1, changes={"reflection": "Mine"}, reason="Typo")


def test_sessions_of_another_patient_are_not_found(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any, plan: CarePlan
) -> None:
    make_plan(other_patient_record, coordinator)
    theirs = record(other_patient_record, coordinator)
    assert selectors.session_of(patient_record, theirs.id) is None
    assert selectors.session_of(patient_record, "nonsense") is None
