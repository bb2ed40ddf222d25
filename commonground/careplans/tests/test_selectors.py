"""Reads: sessions against the plan, and lists that cost a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.careplans import selectors, services
from commonground.careplans.models import CarePlan
from commonground.careplans.tests.conftest import make_plan, session_details, today_for
from commonground.kit.versioning import mark_entered_in_error

pytestmark = pytest.mark.django_db


def hold(patient: Any, by: Any, days_ago: int, minutes: int) -> Any:
    details = session_details(patient, held_on=today_for(patient) - timedelta(days=days_ago), duration_minutes=minutes)
    return services.record_session(patient, details=details, by=by)


def test_no_sessions_yet(plan: CarePlan) -> None:
    against = selectors.sessions_against_plan(plan)
    assert (against.held, against.minutes_held, against.average_minutes, against.last_held_on) == (0, 0, None, None)
    assert (against.planned_min, against.planned_max, against.minutes_min, against.minutes_max) == (6, 12, 30, 45)
    assert against.within_plan  # therapy is going on


def test_sessions_held_count_against_the_plan(patient_record: Any, therapist: Any) -> None:
    plan = make_plan(patient_record, therapist, sessions_min=2, sessions_max=3)
    hold(patient_record, therapist, 21, 30)
    hold(patient_record, therapist, 14, 45)
    wrong = hold(patient_record, therapist, 10, 60)
    mark_entered_in_error(wrong, expected_version=1, reason="Wrong patient")
    hold(patient_record, therapist, 7, 40)
    against = selectors.sessions_against_plan(plan)
    assert (against.held, against.minutes_held, against.average_minutes) == (3, 115, 38.3)
    assert against.last_held_on == today_for(patient_record) - timedelta(days=7)
    assert against.within_plan
    hold(patient_record, therapist, 3, 45)
    assert not selectors.sessions_against_plan(plan).within_plan  # four held, at most three planned


def test_an_ending_with_fewer_sessions_than_planned_is_outside_the_plan(
    patient_record: Any, therapist: Any, plan: CarePlan
) -> None:
    hold(patient_record, therapist, 7, 45)
    today = today_for(patient_record)
    ended = services.end_therapy(plan, expected_version=1, ended_on=today, reason="Moved away", today=today)
    against = selectors.sessions_against_plan(ended)
    assert against.held == 1 and not against.within_plan


def test_lists_cost_a_fixed_number_of_queries(
    patient_record: Any, therapist: Any, coordinator: Any, plan: CarePlan, django_assert_num_queries: Any
) -> None:
    for days_ago in (9, 8, 7):
        hold(patient_record, therapist, days_ago, 45)
    for person in (therapist, coordinator, therapist):
        plan.refresh_from_db()
        services.add_element(
            plan, expected_version=plan.version, details={"kind": "activation", "responsible_id": person.id}, reason="A"
        )
    services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist)
    services.assign_home_practice(patient_record, details={"library_item": "body-scan"}, by=coordinator)
    with django_assert_num_queries(1):
        names = [(s.held_on, s.clinician.display_name, s.note) for s in selectors.sessions_of(patient_record)]
    assert [day for day, _name, _note in names] == sorted((day for day, _n, _t in names), reverse=True)
    with django_assert_num_queries(1):
        assert [e.responsible.display_name for e in selectors.elements_of(plan)] == ["Bob", "Alice", "Bob"]
    with django_assert_num_queries(1):
        practice = selectors.home_practice_of(patient_record, today=today_for(patient_record))
        assert [(p.title, p.assigned_by.display_name) for p in practice] == [("Walk", "Bob"), ("Body scan", "Alice")]
    with django_assert_num_queries(1):
        selectors.sessions_against_plan(plan)
