"""The shared care plan and its elements: one plan per patient, ranges that make sense, the care team as the
only people responsible, and one version for plan and elements so two clinicians never overwrite each other."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.audit.models import AuditEvent
from commonground.careplans import selectors, services
from commonground.careplans.choices import ElementStatus, PlanStatus
from commonground.careplans.models import CarePlan, TherapyElement
from commonground.careplans.tests.conftest import make_goal, make_plan, session_details, today_for
from commonground.careteam import selectors as team_selectors
from commonground.careteam import services as team_services
from commonground.goals import services as goal_services
from commonground.kit.errors import DomainError, StaleEdit

pytestmark = pytest.mark.django_db


def element(plan: CarePlan, **details: Any) -> TherapyElement:
    plan.refresh_from_db()
    values = {"kind": "psychoeducation", "description": "How the body's alarm system works"} | details
    return services.add_element(plan, expected_version=plan.version, details=values, reason="Plan agreed")


# --- the plan ---------------------------------------------------------------------------------------------


def test_a_plan_takes_the_usual_six_to_twelve_sessions_of_thirty_to_forty_five_minutes(
    patient_record: Any, therapist: Any
) -> None:
    plan = make_plan(patient_record, therapist)
    assert (plan.sessions_min, plan.sessions_max, plan.minutes_min, plan.minutes_max) == (6, 12, 30, 45)
    assert plan.status == PlanStatus.ACTIVE and plan.version == 1 and plan.created_by == therapist
    assert plan.organisation_id == patient_record.organisation_id
    assert plan.history.latest().history_change_reason == "Care plan agreed"
    assert AuditEvent.objects.filter(
        patient_id=patient_record.id, action="create", object_type="care_plan", object_id=str(plan.id)
    ).exists()
    assert selectors.plan_of(patient_record) == plan


def test_a_patient_has_one_plan(patient_record: Any, therapist: Any, coordinator: Any) -> None:
    make_plan(patient_record, therapist)
    with pytest.raises(DomainError, match="already has a care plan"):
        make_plan(patient_record, coordinator)
    assert CarePlan.objects.filter(patient=patient_record).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sessions_min": 8, "sessions_max": 6}, "sessions_max"),
        ({"minutes_min": 50, "minutes_max": 45}, "minutes_max"),
        ({"sessions_min": 0}, "sessions_min"),
        ({"minutes_max": 300}, "minutes_max"),
        ({"sessions_max": "many"}, "sessions_max"),
        ({"sessions_max": 7.5}, "sessions_max"),
        ({"summary": "  "}, "summary"),
        ({"patient_summary": ""}, "patient_summary"),
        ({"summary": "x" * 4001}, "summary"),
        ({"starts_on": None}, "starts_on"),
        ({"starts_on": "next week"}, "starts_on"),
    ],
)
def test_a_plan_that_does_not_add_up_is_refused(
    patient_record: Any, therapist: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        make_plan(patient_record, therapist, **changes)
    assert refused.value.field == field
    assert not CarePlan.objects.filter(patient=patient_record).exists()


def test_the_review_cannot_come_before_therapy_starts(patient_record: Any, therapist: Any) -> None:
    starts = today_for(patient_record)
    with pytest.raises(DomainError) as refused:
        make_plan(patient_record, therapist, starts_on=starts, review_on=starts - timedelta(days=1))
    assert refused.value.field == "review_on"


def test_a_plan_serves_this_patients_own_goals(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    own = make_goal(patient_record, therapist)
    someone_elses = make_goal(other_patient_record, coordinator)
    with pytest.raises(DomainError) as refused:
        make_plan(patient_record, therapist, goal_ids=[str(own.id), str(someone_elses.id)])
    assert refused.value.field == "goal_ids"
    with pytest.raises(DomainError):
        make_plan(patient_record, therapist, goal_ids=["not-a-goal"])
    plan = make_plan(patient_record, therapist, goal_ids=[own.id, str(own.id)])
    assert plan.goal_ids == [str(own.id)]


def test_a_goal_entered_in_error_leaves_the_plan_at_its_next_change(patient_record: Any, therapist: Any) -> None:
    kept, mistaken = make_goal(patient_record, therapist), make_goal(patient_record, therapist)
    plan = make_plan(patient_record, therapist, goal_ids=[str(kept.id), str(mistaken.id)])
    goal_services.mark_in_error(mistaken, expected_version=mistaken.version, reason="Duplicate")
    changed = services.update_plan(plan, expected_version=1, changes={"summary": "Walking first"}, reason="Focus")
    assert changed.goal_ids == [str(kept.id)]
    with pytest.raises(DomainError):
        services.update_plan(changed, expected_version=2, changes={"goal_ids": [str(mistaken.id)]}, reason="Back")


def test_changing_the_plan_needs_a_reason_and_keeps_it_in_the_history(plan: CarePlan) -> None:
    with pytest.raises(DomainError) as refused:
        services.update_plan(plan, expected_version=1, changes={"sessions_max": 10}, reason=" ")
    assert refused.value.field == "reason"
    services.update_plan(plan, expected_version=1, changes={"sessions_max": 10}, reason="Fewer sessions agreed")
    plan.refresh_from_db()
    assert plan.sessions_max == 10 and plan.version == 2
    assert plan.history.latest().history_change_reason == "Fewer sessions agreed"


def test_an_unknown_field_is_refused(plan: CarePlan) -> None:
    with pytest.raises(DomainError, match="cannot be changed here"):
        services.update_plan(plan, expected_version=1, changes={"status": "ended"}, reason="Sneaky")


def test_an_update_that_breaks_the_ranges_is_refused_and_changes_nothing(plan: CarePlan) -> None:
    with pytest.raises(DomainError):
        services.update_plan(plan, expected_version=1, changes={"sessions_min": 13}, reason="More")
    plan.refresh_from_db()
    assert (plan.sessions_min, plan.version) == (6, 1)


def test_therapy_cannot_start_after_a_session_was_held(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    held = today_for(patient_record) - timedelta(days=7)
    services.record_session(patient_record, details=session_details(patient_record, held_on=held), by=therapist)
    with pytest.raises(DomainError) as refused:
        services.update_plan(plan, expected_version=1, changes={"starts_on": held + timedelta(days=1)}, reason="X")
    assert refused.value.field == "starts_on"


def test_two_clinicians_editing_the_same_plan_one_saves_the_other_is_told(patient_record: Any, therapist: Any) -> None:
    make_plan(patient_record, therapist)
    bobs_copy = selectors.plan_of(patient_record)
    alices_copy = selectors.plan_of(patient_record)
    assert bobs_copy is not None and alices_copy is not None
    services.update_plan(bobs_copy, expected_version=1, changes={"sessions_max": 8}, reason="Bob: eight is enough")
    with pytest.raises(StaleEdit) as stale:
        services.update_plan(
            alices_copy, expected_version=1, changes={"minutes_max": 60}, reason="Alice: longer sessions"
        )
    assert stale.value.current.sessions_max == 8
    saved = CarePlan.objects.get(patient=patient_record)
    assert (saved.sessions_max, saved.minutes_max, saved.version) == (8, 45, 2)
    reasons = [row.history_change_reason for row in saved.history.order_by("history_date")]
    assert reasons == ["Care plan agreed", "Bob: eight is enough"]


def test_an_old_copy_of_the_plan_never_writes_its_old_values_back(patient_record: Any, therapist: Any) -> None:
    old_copy = make_plan(patient_record, therapist)
    services.update_plan(
        CarePlan.objects.get(pk=old_copy.pk), expected_version=1, changes={"summary": "Newer"}, reason="Reworded"
    )
    services.add_element(old_copy, expected_version=2, details={"kind": "activation"}, reason="Walking added")
    today = today_for(patient_record)
    services.end_therapy(old_copy, expected_version=3, ended_on=today, reason="Done", today=today)
    saved = CarePlan.objects.get(pk=old_copy.pk)
    assert (saved.summary, saved.status, saved.version) == ("Newer", PlanStatus.ENDED, 4)


# --- elements ---------------------------------------------------------------------------------------------


def test_an_element_claims_the_plans_version_with_its_reason(plan: CarePlan, therapist: Any) -> None:
    added = element(plan, responsible_id=therapist.id, frequency="Every session", status="active")
    plan.refresh_from_db()
    assert plan.version == 2
    assert plan.history.latest().history_change_reason == "Plan agreed"
    assert (added.responsible_id, added.position, added.status) == (therapist.id, 1, ElementStatus.ACTIVE)
    second = element(plan, kind="activation")
    assert (second.position, second.status) == (2, ElementStatus.PLANNED)
    assert [e.kind for e in selectors.elements_of(plan)] == ["psychoeducation", "activation"]
    assert AuditEvent.objects.filter(object_type="therapy_element", object_id=str(second.id)).exists()


def test_an_element_with_an_out_of_date_plan_version_is_refused(plan: CarePlan) -> None:
    services.update_plan(plan, expected_version=1, changes={"sessions_max": 10}, reason="Fewer")
    with pytest.raises(StaleEdit):
        services.add_element(plan, expected_version=1, details={"kind": "activation"}, reason="Walking")
    assert not TherapyElement.objects.filter(plan=plan).exists()


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"kind": "massage"}, "kind"),
        ({"status": "finished"}, "status"),
        ({"position": 0}, "position"),
        ({"frequency": "x" * 121}, "frequency"),
        ({"responsible_id": "not-an-id"}, "responsible_id"),
    ],
)
def test_an_element_that_does_not_fit_is_refused(plan: CarePlan, details: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        element(plan, **details)
    assert refused.value.field == field
    plan.refresh_from_db()
    assert plan.version == 1


def test_the_responsible_person_must_be_on_the_care_team(
    plan: CarePlan, outsider: Any, foreign_clinician: Any, coordinator: Any
) -> None:
    for stranger in (outsider, foreign_clinician):
        with pytest.raises(DomainError, match="care team") as refused:
            element(plan, responsible_id=stranger.id)
        assert refused.value.field == "responsible_id"
    assert element(plan, responsible_id=str(coordinator.id)).responsible_id == coordinator.id


def test_two_clinicians_editing_the_same_element_one_saves_the_other_is_told(
    plan: CarePlan, therapist: Any, coordinator: Any
) -> None:
    added = element(plan, frequency="Every session")
    version_seen = CarePlan.objects.get(pk=plan.pk).version
    bobs_copy = selectors.element_of(plan, added.id)
    alices_copy = selectors.element_of(plan, str(added.id))
    assert bobs_copy is not None and alices_copy is not None
    services.update_element(
        bobs_copy,
        expected_version=version_seen,
        changes={"frequency": "Every other session", "responsible_id": therapist.id},
        reason="Bob: less often",
    )
    with pytest.raises(StaleEdit) as stale:
        services.update_element(
            alices_copy, expected_version=version_seen, changes={"intensity": "Gentle"}, reason="Alice: gentler"
        )
    assert isinstance(stale.value.current, CarePlan)
    saved = TherapyElement.objects.get(pk=added.pk)
    assert (saved.frequency, saved.intensity, saved.responsible_id) == ("Every other session", "", therapist.id)
    assert [row.history_change_reason for row in saved.history.order_by("history_date")] == [
        "Plan agreed",
        "Bob: less often",
    ]
    plan_reasons = [row.history_change_reason for row in CarePlan.objects.get(pk=plan.pk).history.all()]
    assert "Bob: less often" in plan_reasons and "Alice: gentler" not in plan_reasons


def test_an_element_keeps_its_responsible_person_after_they_leave_the_team(
    plan: CarePlan, patient_record: Any, therapist: Any
) -> None:
    added = element(plan, responsible_id=therapist.id)
    place = team_selectors.current_members(patient_record.id).get(staff=therapist)
    team_services.end_membership(place, expected_version=place.version, reason="Moved to another clinic")
    version_seen = CarePlan.objects.get(pk=plan.pk).version
    changed = services.update_element(
        added, expected_version=version_seen, changes={"status": "paused"}, reason="Paused while we find someone"
    )
    assert (changed.status, changed.responsible_id) == (ElementStatus.PAUSED, therapist.id)
    with pytest.raises(DomainError, match="care team"):
        element(plan, responsible_id=therapist.id)


def test_element_of_another_plan_or_a_malformed_id_is_none(
    plan: CarePlan, other_patient_record: Any, coordinator: Any
) -> None:
    other_plan = make_plan(other_patient_record, coordinator)
    theirs = element(other_plan)
    assert selectors.element_of(plan, theirs.id) is None
    assert selectors.element_of(plan, "nonsense") is None
