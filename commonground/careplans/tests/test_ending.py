"""Ending therapy: the plan records the day and why, what was under way completes and what was still to come
stops, home practice goes on, and the measures domain schedules the end-of-therapy and follow-up
questionnaires at once; no session or new practice until therapy resumes; resuming undoes exactly that."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from commonground.careplans import selectors, services
from commonground.careplans.choices import ElementStatus, PlanStatus, PracticeStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.careplans.tests.conftest import session_details, today_for
from commonground.kit.errors import DomainError, StaleEdit
from commonground.measures import services as measures_services
from commonground.measures.choices import Occasion, ScheduleStatus
from commonground.measures.models import ScheduledMeasure
from commonground.measures.schedule import add_months

pytestmark = pytest.mark.django_db


def measurement_plan(patient: Any, by: Any, **details: Any) -> None:
    """PHQ-15 every 8 weeks from the plan's start, with a follow-up one month after therapy (within the
    schedule's horizon, so the follow-up is written at once too)."""
    today = today_for(patient)
    values = {"instruments": ["phq15"], "starts_on": today - timedelta(days=28), "interval_weeks": 8}
    measures_services.create_plan(patient, by=by, details=values | {"follow_up_months": 1} | details, today=today)


def rows(patient: Any, occasion: str) -> list[tuple[str, date, str]]:
    found = ScheduledMeasure.objects.filter(patient=patient, occasion=occasion).order_by("due_on")
    return [(row.instrument, row.due_on, row.status) for row in found]


def fresh(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.get(pk=plan.pk)


def under_way(patient: Any, plan: CarePlan, by: Any) -> dict[str, Any]:
    """An active and a planned element, a session with active practice, and an already finished practice."""
    active = services.add_element(
        plan, expected_version=1, details={"kind": "body_oriented", "status": "active"}, reason="Agreed"
    )
    planned = services.add_element(plan, expected_version=2, details={"kind": "activation"}, reason="Agreed")
    services.record_session(
        patient,
        details=session_details(patient),
        by=by,
        home_practice=[
            {"library_item": "body-scan", "starts_on": today_for(patient) - timedelta(days=3)},
            {"title": "Walk", "ends_on": today_for(patient)},
        ],
    )
    finished = services.assign_home_practice(patient, details={"title": "Stretch"}, by=by)
    services.end_home_practice(finished, expected_version=1, by=by)
    return {"active": active, "planned": planned, "finished": finished}


def test_ending_therapy_schedules_the_end_of_therapy_and_follow_up_questionnaires(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    measurement_plan(patient_record, therapist)
    today = today_for(patient_record)
    ended = services.end_therapy(
        plan, expected_version=1, ended_on=today, reason="Goals reached; relapse plan agreed", today=today
    )
    assert (ended.status, ended.therapy_ended_on, ended.end_reason) == (
        PlanStatus.ENDED,
        today,
        "Goals reached; relapse plan agreed",
    )
    assert fresh(plan).history.latest().history_change_reason == "Goals reached; relapse plan agreed"
    assert rows(patient_record, Occasion.END_OF_THERAPY) == [("phq15", today, ScheduleStatus.OPEN)]
    assert rows(patient_record, Occasion.FOLLOW_UP) == [("phq15", add_months(today, 1), ScheduleStatus.OPEN)]


def test_ending_completes_what_was_under_way_stops_what_was_planned_and_leaves_home_practice(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    made = under_way(patient_record, plan, therapist)
    paused = services.add_element(
        fresh(plan), expected_version=3, details={"kind": "psychoeducation", "status": "paused"}, reason="Later"
    )
    today = today_for(patient_record)
    ended_on = today - timedelta(days=1)
    services.end_therapy(fresh(plan), expected_version=4, ended_on=ended_on, reason="Finished", today=today)
    statuses = dict(TherapyElement.objects.values_list("id", "status"))
    assert statuses == {
        made["active"].id: ElementStatus.COMPLETED,
        made["planned"].id: ElementStatus.STOPPED,  # it will not come now: the patient no longer sees "Coming up"
        paused.id: ElementStatus.STOPPED,
    }
    # Patients keep practising after therapy; the team ends each item when it is time.
    practice = {p.title: (p.status, p.ends_on) for p in HomePractice.objects.all()}
    assert practice == {
        "Body scan": (PracticeStatus.ACTIVE, None),
        "Walk": (PracticeStatus.ACTIVE, today),
        "Stretch": (PracticeStatus.ENDED, today),
    }
    assert [p.title for p in selectors.home_practice_of(patient_record, today=today)] == ["Body scan", "Walk"]


def test_resuming_undoes_the_ending_and_withdraws_its_questionnaires(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    measurement_plan(patient_record, therapist)
    made = under_way(patient_record, plan, therapist)
    today = today_for(patient_record)
    services.end_therapy(fresh(plan), expected_version=3, ended_on=today, reason="Finished", today=today)
    resumed = services.resume_therapy(fresh(plan), expected_version=4, reason="Ended by mistake", today=today)
    assert (resumed.status, resumed.therapy_ended_on, resumed.end_reason) == (PlanStatus.ACTIVE, None, "")
    assert rows(patient_record, Occasion.END_OF_THERAPY) == [("phq15", today, ScheduleStatus.CANCELLED)]
    assert rows(patient_record, Occasion.FOLLOW_UP) == [("phq15", add_months(today, 1), ScheduleStatus.CANCELLED)]
    assert TherapyElement.objects.get(pk=made["active"].pk).status == ElementStatus.ACTIVE
    assert TherapyElement.objects.get(pk=made["planned"].pk).status == ElementStatus.PLANNED
    practice = {p.title: (p.status, p.ends_on) for p in HomePractice.objects.all()}
    assert practice == {
        "Body scan": (PracticeStatus.ACTIVE, None),
        "Walk": (PracticeStatus.ACTIVE, today),
        "Stretch": (PracticeStatus.ENDED, today),  # ended by the team: neither the ending nor resuming touch it
    }
    element = TherapyElement.objects.get(pk=made["active"].pk)
    assert [row.history_change_reason for row in element.history.order_by("history_date")] == [
        "Agreed",
        "Therapy ended",
        "Ended by mistake",
    ]


def test_resuming_leaves_what_was_changed_after_the_ending(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    made = under_way(patient_record, plan, therapist)
    today = today_for(patient_record)
    services.end_therapy(fresh(plan), expected_version=3, ended_on=today, reason="Finished", today=today)
    services.update_element(
        made["active"], expected_version=4, changes={"status": "stopped"}, reason="Not continuing this"
    )
    services.resume_therapy(fresh(plan), expected_version=5, reason="Taken up again", today=today)
    assert TherapyElement.objects.get(pk=made["active"].pk).status == ElementStatus.STOPPED


@pytest.mark.parametrize(
    ("days_from_today", "message"),
    [(1, "future"), (-29, "before the plan started")],
)
def test_therapy_cannot_end_in_the_future_or_before_the_plan(
    patient_record: Any, plan: CarePlan, days_from_today: int, message: str
) -> None:
    today = today_for(patient_record)
    with pytest.raises(DomainError, match=message) as refused:
        services.end_therapy(
            plan, expected_version=1, ended_on=today + timedelta(days=days_from_today), reason="X", today=today
        )
    assert refused.value.field == "ended_on"
    assert fresh(plan).status == PlanStatus.ACTIVE


def test_therapy_cannot_end_before_a_session_held_or_twice(patient_record: Any, therapist: Any, plan: CarePlan) -> None:
    today = today_for(patient_record)
    services.record_session(patient_record, details=session_details(patient_record, held_on=today), by=therapist)
    with pytest.raises(DomainError, match="session was held"):
        services.end_therapy(plan, expected_version=1, ended_on=today - timedelta(days=1), reason="X", today=today)
    with pytest.raises(DomainError) as no_reason:
        services.end_therapy(plan, expected_version=1, ended_on=today, reason=" ", today=today)
    assert no_reason.value.field == "reason"
    services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)
    with pytest.raises(DomainError, match="already ended"):
        services.end_therapy(fresh(plan), expected_version=2, ended_on=today, reason="Again", today=today)


def test_ending_twice_from_the_same_page_says_therapy_has_already_ended(patient_record: Any, plan: CarePlan) -> None:
    """The second "End therapy" carries the version the page was opened at: not a conflict, already done."""
    today = today_for(patient_record)
    services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)
    with pytest.raises(DomainError) as again:
        services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)
    assert not isinstance(again.value, StaleEdit)
    assert again.value.message == "Therapy has already ended."
    assert fresh(plan).version == 2


def test_a_stale_ending_is_refused(patient_record: Any, plan: CarePlan) -> None:
    today = today_for(patient_record)
    services.update_plan(plan, expected_version=1, changes={"sessions_max": 10}, reason="Fewer")
    with pytest.raises(StaleEdit):
        services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)


def test_once_therapy_ended_only_earlier_sessions_are_written_up_until_it_resumes(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    today = today_for(patient_record)
    services.end_therapy(plan, expected_version=1, ended_on=today - timedelta(days=2), reason="Done", today=today)
    with pytest.raises(DomainError, match="resume therapy to record a later session"):
        services.record_session(
            patient_record, details=session_details(patient_record, held_on=today - timedelta(days=1)), by=therapist
        )
    with pytest.raises(DomainError, match="To assign home practice, resume therapy first"):
        services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist)
    assert not TherapySession.objects.exists() and not HomePractice.objects.exists()
    # The last session, held before the ending, is written up afterwards without resuming therapy.
    last = session_details(patient_record, held_on=today - timedelta(days=3))
    assert services.record_session(patient_record, details=last, by=therapist).pk
    TherapySession.objects.all().delete()
    services.resume_therapy(fresh(plan), expected_version=2, reason="Taken up again", today=today)
    later = session_details(patient_record, held_on=today - timedelta(days=1))
    assert services.record_session(patient_record, details=later, by=therapist).pk
    assert services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist).pk


def test_resuming_needs_an_ended_therapy_and_a_reason(patient_record: Any, plan: CarePlan) -> None:
    today = today_for(patient_record)
    with pytest.raises(DomainError, match="nothing to resume"):
        services.resume_therapy(plan, expected_version=1, reason="Why not", today=today)
    services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)
    with pytest.raises(DomainError) as no_reason:
        services.resume_therapy(fresh(plan), expected_version=2, reason="", today=today)
    assert no_reason.value.field == "reason"


def test_ending_without_a_measurement_plan_schedules_nothing(patient_record: Any, plan: CarePlan) -> None:
    today = today_for(patient_record)
    services.end_therapy(plan, expected_version=1, ended_on=today, reason="Done", today=today)
    assert not ScheduledMeasure.objects.filter(patient=patient_record).exists()
