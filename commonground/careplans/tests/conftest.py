"""A care plan for `patient_record`, agreed by the therapist and started four weeks ago."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from commonground.careplans import services
from commonground.careplans.models import CarePlan
from commonground.goals import services as goal_services
from commonground.goals.models import Goal
from commonground.kit import clock


def today_for(patient: Any) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


def plan_details(patient: Any, **changes: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "summary": "Shared explanation first; breathing and graded walking toward the park goal.",
        "patient_summary": "We learn how your symptoms work, practise calm breathing and build up walking.",
        "starts_on": today_for(patient) - timedelta(days=28),
    }
    return details | changes


def make_plan(patient: Any, by: Any, **changes: Any) -> CarePlan:
    return services.create_plan(patient, details=plan_details(patient, **changes), by=by)


@pytest.fixture
def plan(patient_record: Any, therapist: Any) -> CarePlan:
    return make_plan(patient_record, therapist)


def session_details(patient: Any, **changes: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "held_on": today_for(patient) - timedelta(days=1),
        "duration_minutes": 45,
        "elements": ["psychoeducation", "body_oriented"],
        "exercises": ["diaphragmatic-breathing"],
    }
    return details | changes


def make_goal(patient: Any, by: Any) -> Goal:
    """A goal in the patient's words, through the goals domain (what a plan's goal_ids point at)."""
    today = today_for(patient)
    details = {
        "title": "Walk the dog to the park and back",
        "indicator": "Walks to the park in a week",
        "target_date": today + timedelta(days=90),
        "proposed_by": "together",
        "agreed_by_patient": True,
        "level_minus_2": "I do not leave the house with the dog",
        "level_minus_1": "I walk to the corner once a week",
        "level_0": "I walk to the park twice a week",
        "level_plus_1": "I walk to the park four times a week",
        "level_plus_2": "I walk to the park every day",
        "baseline_level": -1,
    }
    return goal_services.set_goal(patient, details=details, by=by, today=today)
