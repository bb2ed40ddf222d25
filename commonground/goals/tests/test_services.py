"""Values, goals and goal attainment reviews (issue 5 items 1, 2 and 4)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from commonground.audit.models import AuditEvent
from commonground.goals import selectors, services
from commonground.goals.choices import GoalStatus, LifeArea
from commonground.goals.models import GasReview, GasSettings, Goal
from commonground.goals.tests.support import make_goal, today_for
from commonground.kit.errors import DomainError, StaleEdit
from commonground.patients import services as patient_services
from commonground.patients.models import Consent

pytestmark = pytest.mark.django_db


def supporter(patient: Any, by: Any, name: str = "Sam") -> Any:
    return patient_services.add_supporter(
        patient, name=name, relationship="partner", text_version="supporter-v1", recorded_by=by
    )


# --- values ------------------------------------------------------------------------------------------------


def test_values_are_kept_in_the_patients_words_in_order(patient_record: Any, therapist: Any) -> None:
    first = services.add_value(
        patient_record, life_area=LifeArea.FAMILY, words="  Being there for my kids  ", by=therapist
    )
    second = services.add_value(patient_record, life_area=LifeArea.WORK, words="Teaching again", by=therapist)
    assert (first.words, first.position, second.position) == ("Being there for my kids", 1, 2)
    assert list(selectors.values_of(patient_record)) == [first, second]
    assert AuditEvent.objects.filter(object_type="value", object_id=str(first.id), action="create").exists()


@pytest.mark.parametrize(
    ("life_area", "words", "field"),
    [("family", "   ", "words"), ("career", "Teaching", "life_area"), ("work", "x" * 1001, "words")],
)
def test_a_value_needs_a_life_area_and_words(
    patient_record: Any, therapist: Any, life_area: str, words: str, field: str
) -> None:
    with pytest.raises(DomainError) as raised:
        services.add_value(patient_record, life_area=life_area, words=words, by=therapist)
    assert raised.value.field == field


def test_a_value_is_revised_with_a_reason_and_its_version(patient_record: Any, therapist: Any) -> None:
    value = services.add_value(patient_record, life_area=LifeArea.LEISURE, words="Painting", by=therapist)
    with pytest.raises(DomainError, match="Say why"):
        services.update_value(value, expected_version=1, life_area="leisure", words="Painting outside", reason=" ")
    services.update_value(value, expected_version=1, life_area="leisure", words="Painting outside", reason="Her words")
    assert (value.words, value.version) == ("Painting outside", 2)
    assert value.history.first().history_change_reason == "Her words"
    with pytest.raises(StaleEdit):
        services.update_value(value, expected_version=1, life_area="leisure", words="Drawing", reason="Older page")


# --- goals -------------------------------------------------------------------------------------------------


def test_a_goal_is_set_with_its_levels_and_the_agreement(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    value = services.add_value(patient_record, life_area=LifeArea.HEALTH, words="Being outdoors", by=therapist)
    goal = make_goal(patient_record, therapist, value_id=value.id, importance=3, difficulty=2, title=" Walk ")
    assert (goal.title, goal.value_id, goal.set_on, goal.status) == ("Walk", value.id, today, GoalStatus.ACTIVE)
    assert (goal.agreed_by, goal.agreed_on, goal.baseline_level) == (therapist, today, -1)
    assert goal.level_words(0) == "I walk to the park twice a week"
    assert goal.organisation_id == patient_record.organisation_id
    assert AuditEvent.objects.filter(object_type="goal", object_id=str(goal.id), action="create").exists()
    unagreed = make_goal(patient_record, therapist, agreed_by_patient=False)
    assert (unagreed.agreed_by, unagreed.agreed_on) == (None, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"indicator": "  "}, "indicator"),
        ({"level_plus_2": ""}, "level_plus_2"),
        ({"level_minus_2": None}, "level_minus_2"),
        ({"title": "x" * 301}, "title"),
        ({"contingency_plan": "x" * 2001}, "contingency_plan"),
        ({"proposed_by": "someone"}, "proposed_by"),
        ({"importance": 0}, "importance"),
        ({"difficulty": 4}, "difficulty"),
        ({"baseline_level": 3}, "baseline_level"),
        ({"baseline_level": True}, "baseline_level"),
        ({"value_id": "not-a-uuid"}, "value_id"),
        ({"value_id": uuid.uuid4()}, "value_id"),
        ({"supporter_ids": [str(uuid.uuid4())]}, "supporter_ids"),
        ({"supporter_ids": "abc"}, "supporter_ids"),
    ],
)
def test_a_goal_is_checked_before_anything_is_written(
    patient_record: Any, therapist: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as raised:
        make_goal(patient_record, therapist, **changes)
    assert raised.value.field == field
    assert not Goal.objects.exists()


def test_the_target_date_is_after_today(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    for target in (today, today - timedelta(days=3), None):
        with pytest.raises(DomainError) as raised:
            make_goal(patient_record, therapist, target_date=target)
        assert raised.value.field == "target_date"
    assert make_goal(patient_record, therapist, target_date=today + timedelta(days=1)).target_date > today


def test_a_goal_serves_a_value_of_the_same_patient_only(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    theirs = services.add_value(other_patient_record, life_area="family", words="My grandson", by=coordinator)
    with pytest.raises(DomainError, match="this patient's own values") as raised:
        make_goal(patient_record, therapist, value_id=theirs.id)
    assert raised.value.field == "value_id"
    gone = services.add_value(patient_record, life_area="family", words="Typo", by=therapist)
    services.mark_in_error(gone, expected_version=1, reason="Typed in the wrong chart")
    with pytest.raises(DomainError):
        make_goal(patient_record, therapist, value_id=gone.id)


def test_supporters_are_involved_only_with_their_sharing_consent_in_force(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    sam = supporter(patient_record, coordinator)
    kim = supporter(patient_record, coordinator, "Kim")
    stranger = supporter(other_patient_record, coordinator, "Lee")
    goal = make_goal(patient_record, therapist, supporter_ids=[str(sam.id), sam.id])
    assert goal.supporter_ids == [str(sam.id)]
    assert [s.name for s in selectors.supporters_for_goals(patient_record)] == ["Kim", "Sam"]
    with pytest.raises(DomainError, match="consent to share") as raised:
        make_goal(patient_record, therapist, supporter_ids=[str(stranger.id)])
    assert raised.value.field == "supporter_ids"

    consent = Consent.objects.get(pk=kim.consent_id)
    patient_services.withdraw_consent(consent, expected_version=consent.version, note="Changed her mind")
    assert [s.name for s in selectors.supporters_for_goals(patient_record)] == ["Sam"]
    with pytest.raises(DomainError, match="consent to share"):
        make_goal(patient_record, therapist, supporter_ids=[str(kim.id)])
    with pytest.raises(DomainError, match="consent to share"):
        services.update_goal(
            goal,
            expected_version=goal.version,
            changes={"supporter_ids": [str(sam.id), str(kim.id)]},
            reason="Kim joins",
            by=therapist,
            today=today_for(patient_record),
        )


def test_a_withdrawn_consent_hides_the_supporter_but_the_goal_can_still_be_revised(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    sam = supporter(patient_record, coordinator)
    goal = make_goal(patient_record, therapist, supporter_ids=[str(sam.id)])
    assert selectors.supporters_of(goal) == [sam]
    consent = Consent.objects.get(pk=sam.consent_id)
    patient_services.withdraw_consent(consent, expected_version=consent.version)
    assert selectors.supporters_of(goal) == []
    services.update_goal(
        goal,
        expected_version=1,
        changes={"title": "Walk the dog"},
        reason="Shorter",
        by=therapist,
        today=today_for(patient_record),
    )
    assert goal.title == "Walk the dog"


def test_a_goal_is_revised_with_a_reason_and_the_same_checks(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    today = today_for(patient_record)
    goal = make_goal(patient_record, therapist, agreed_by_patient=False)
    with pytest.raises(DomainError, match="Say why"):
        services.update_goal(goal, expected_version=1, changes={"title": "x"}, reason="", by=therapist, today=today)
    with pytest.raises(DomainError) as raised:
        services.update_goal(goal, expected_version=1, changes={"indicator": ""}, reason="r", by=therapist, today=today)
    assert raised.value.field == "indicator"
    with pytest.raises(DomainError, match="cannot be changed here"):
        services.update_goal(goal, expected_version=1, changes={"set_on": today}, reason="r", by=therapist, today=today)
    with pytest.raises(DomainError) as raised:
        services.update_goal(
            goal, expected_version=1, changes={"status": "failed"}, reason="r", by=therapist, today=today
        )
    assert raised.value.field == "status"
    services.update_goal(
        goal,
        expected_version=1,
        changes={"agreed_by_patient": True, "status": GoalStatus.ON_HOLD, "importance": 2},
        reason="Agreed at the second session",
        by=coordinator,
        today=today,
    )
    goal.refresh_from_db()
    assert (goal.version, goal.status, goal.importance) == (2, GoalStatus.ON_HOLD, 2)
    assert (goal.agreed_by, goal.agreed_on) == (coordinator, today)
    assert goal.history.first().history_change_reason == "Agreed at the second session"
    unchanged = services.update_goal(
        goal, expected_version=2, changes={"title": goal.title}, reason="r", by=therapist, today=today
    )
    assert unchanged.version == 2  # nothing changed, nothing written


def test_a_past_target_date_does_not_block_other_revisions(patient_record: Any, therapist: Any) -> None:
    long_ago = today_for(patient_record) - timedelta(days=200)
    goal = make_goal(patient_record, therapist, set_on=long_ago, target_date=long_ago + timedelta(days=90))
    today = today_for(patient_record)
    services.review_goal(goal, level=0, reviewed_on=today, by=therapist)
    services.update_goal(
        goal, expected_version=1, changes={"status": "achieved"}, reason="Done!", by=therapist, today=today
    )
    assert goal.status == GoalStatus.ACHIEVED and goal.closed_on == today
    with pytest.raises(DomainError) as raised:
        services.update_goal(
            goal,
            expected_version=2,
            changes={"target_date": today - timedelta(days=1)},
            reason="r",
            by=therapist,
            today=today,
        )
    assert raised.value.field == "target_date"


def test_two_clinicians_editing_one_goal_one_gets_a_conflict_and_nothing_is_lost(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    today = today_for(patient_record)
    goal = make_goal(patient_record, therapist)
    bobs_page = Goal.objects.get(pk=goal.pk)
    alices_page = Goal.objects.get(pk=goal.pk)
    services.update_goal(
        bobs_page,
        expected_version=1,
        changes={"enablers": "Music on"},
        reason="Bob's session",
        by=therapist,
        today=today,
    )
    with pytest.raises(StaleEdit) as raised:
        services.update_goal(
            alices_page,
            expected_version=1,
            changes={"barriers": "Stairs"},
            reason="Alice's call",
            by=coordinator,
            today=today,
        )
    assert raised.value.current.enablers == "Music on" and raised.value.current.version == 2
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.enablers, stored.barriers, stored.version) == ("Music on", "Dizziness on bad days", 2)


def test_a_value_a_goal_serves_is_not_marked_entered_in_error(patient_record: Any, therapist: Any) -> None:
    value = services.add_value(patient_record, life_area="friends", words="Seeing my friends", by=therapist)
    goal = make_goal(patient_record, therapist, value_id=value.id)
    with pytest.raises(DomainError, match="link that goal to another value first"):
        services.mark_in_error(value, expected_version=1, reason="Duplicate")
    services.mark_in_error(goal, expected_version=1, reason="Duplicate goal")
    services.mark_in_error(value, expected_version=1, reason="Duplicate")
    assert list(selectors.values_of(patient_record)) == []


def test_a_goal_entered_in_error_leaves_the_list(patient_record: Any, therapist: Any) -> None:
    kept = make_goal(patient_record, therapist)
    wrong = make_goal(patient_record, therapist, title="Wrong chart")
    with pytest.raises(DomainError, match="why"):
        services.mark_in_error(wrong, expected_version=1, reason=" ")
    services.mark_in_error(wrong, expected_version=1, reason="Wrong patient")
    assert list(selectors.goals_of(patient_record)) == [kept]
    assert selectors.goal_of(patient_record, wrong.id) is None
    with pytest.raises(DomainError, match="entered in error"):
        services.add_rung(wrong, action="Anything", target_date=None, by=therapist)


# --- goal attainment reviews ------------------------------------------------------------------------------


def test_a_review_records_the_level_reached(goal: Goal, patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    review = services.review_goal(goal, level=1, reviewed_on=today, by=therapist, note="Four walks this week")
    assert (review.level, review.reviewed_on, review.reviewed_by, review.version) == (1, today, therapist, 1)
    assert AuditEvent.objects.filter(object_type="gas_review", object_id=str(review.id)).exists()


@pytest.mark.parametrize("level", [3, -3, True, "1", None, 0.5])
def test_a_review_level_is_minus_2_to_plus_2(goal: Goal, patient_record: Any, therapist: Any, level: Any) -> None:
    with pytest.raises(DomainError) as raised:
        services.review_goal(goal, level=level, reviewed_on=today_for(patient_record), by=therapist)
    assert raised.value.field == "level"


def test_a_review_is_not_in_the_future_nor_before_the_goal_was_set(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    goal = make_goal(patient_record, therapist, set_on=today - timedelta(days=10))
    for day in (today + timedelta(days=1), today - timedelta(days=11)):
        with pytest.raises(DomainError) as raised:
            services.review_goal(goal, level=0, reviewed_on=day, by=therapist)
        assert raised.value.field == "reviewed_on"
    assert services.review_goal(goal, level=0, reviewed_on=today - timedelta(days=10), by=therapist).level == 0
    assert not GasReview.objects.filter(reviewed_on__gt=today).exists()


def test_a_second_review_the_same_day_replaces_the_first(
    goal: Goal, patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    today = today_for(patient_record)
    first = services.review_goal(goal, level=-1, reviewed_on=today, by=therapist)
    second = services.review_goal(goal, level=1, reviewed_on=today, by=coordinator, note="Counted again")
    assert second.pk == first.pk
    assert GasReview.objects.filter(goal=goal).count() == 1
    stored = GasReview.objects.get(goal=goal)
    assert (stored.level, stored.version, stored.reviewed_by, stored.note) == (1, 2, coordinator, "Counted again")
    assert [h.level for h in stored.history.order_by("history_date")] == [-1, 1]  # the first level is kept in history


def test_clinic_settings_are_created_once_with_the_defaults(clinic: Any) -> None:
    first = services.gas_settings_for(clinic.id)
    again = services.gas_settings_for(clinic.id)
    assert first.pk == again.pk and GasSettings.objects.count() == 1
    assert (first.weighted, float(first.rho)) == (False, 0.3)
    assert selectors.gas_settings(clinic.id).pk == first.pk


def test_a_goal_is_achieved_only_after_a_review_at_the_expected_outcome(goal: Goal, therapist: Any) -> None:
    today = today_for(goal.patient)
    with pytest.raises(DomainError, match="expected outcome"):
        services.update_goal(
            goal, expected_version=1, changes={"status": "achieved"}, reason="r", by=therapist, today=today
        )
    services.review_goal(goal, level=-1, reviewed_on=today, by=therapist)
    with pytest.raises(DomainError, match="expected outcome"):
        services.update_goal(
            goal, expected_version=1, changes={"status": "achieved"}, reason="r", by=therapist, today=today
        )
    services.review_goal(goal, level=0, reviewed_on=today, by=therapist)
    services.update_goal(
        goal, expected_version=1, changes={"status": "achieved"}, reason="r", by=therapist, today=today
    )
    services.update_goal(
        goal, expected_version=2, changes={"status": "active"}, reason="Again", by=therapist, today=today
    )
    assert (goal.status, goal.closed_on) == (GoalStatus.ACTIVE, None)


def test_the_scale_is_fixed_once_the_goal_is_reviewed(goal: Goal, therapist: Any) -> None:
    today = today_for(goal.patient)
    services.update_goal(
        goal,
        expected_version=1,
        changes={"level_0": "Twice a week, at least"},
        reason="Clearer",
        by=therapist,
        today=today,
    )
    services.review_goal(goal, level=0, reviewed_on=today, by=therapist)
    for change in ({"level_0": "Once a week"}, {"baseline_level": -2}):
        with pytest.raises(DomainError, match="fixed once the goal has been reviewed"):
            services.update_goal(goal, expected_version=2, changes=change, reason="r", by=therapist, today=today)
    services.update_goal(
        goal, expected_version=2, changes={"title": "Walk the dog"}, reason="Shorter", by=therapist, today=today
    )


def test_a_goal_is_time_bound_and_its_steps_dated_within_it(goal: Goal, therapist: Any) -> None:
    today = today_for(goal.patient)
    with pytest.raises(DomainError, match="five years"):
        services.update_goal(
            goal, expected_version=1, changes={"target_date": date(9999, 12, 31)}, reason="r", by=therapist, today=today
        )
    with pytest.raises(DomainError, match="before the goal was set"):
        services.add_rung(goal, action="Walk", target_date=goal.set_on - timedelta(days=1), by=therapist)


def test_the_patient_agrees_to_a_proposed_goal_once(patient_record: Any, therapist: Any, patient_user: Any) -> None:
    proposed = make_goal(patient_record, therapist, agreed_by_patient=False, proposed_by="clinician")
    services.agree_to_goal(proposed, by=patient_user)
    proposed.refresh_from_db()
    assert (proposed.agreed_by_patient, proposed.agreed_by, proposed.agreed_on) == (
        True,
        patient_user,
        today_for(patient_record),
    )
    assert proposed.history.first().history_change_reason == "The patient agreed to the goal"
    with pytest.raises(DomainError, match="already agreed"):
        services.agree_to_goal(proposed, by=patient_user)


def test_an_achieved_goal_keeps_the_review_that_achieved_it(goal: Goal, therapist: Any) -> None:
    today = today_for(goal.patient)
    review = services.review_goal(goal, level=0, reviewed_on=today, by=therapist)
    services.update_goal(
        goal, expected_version=1, changes={"status": "achieved"}, reason="r", by=therapist, today=today
    )
    with pytest.raises(DomainError, match="no longer being worked on"):
        services.review_goal(goal, level=-2, reviewed_on=today, by=therapist)
    with pytest.raises(DomainError, match="on the strength of this review"):
        services.mark_in_error(review, expected_version=review.version, reason="Wrong goal")
    services.update_goal(
        goal, expected_version=2, changes={"status": "active"}, reason="Again", by=therapist, today=today
    )
    services.mark_in_error(review, expected_version=review.version, reason="Wrong goal")
