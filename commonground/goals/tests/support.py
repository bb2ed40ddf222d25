"""Helpers for the goals domain's tests: today for a patient, and a complete, valid goal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from commonground.goals import services
from commonground.goals.models import Goal
from commonground.kit import clock


def today_for(patient: Any) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


def goal_details(**changes: Any) -> dict[str, Any]:
    """A complete, valid goal: walking the dog to the park, with its five levels in the patient's words."""
    details: dict[str, Any] = {
        "value_id": None,
        "title": "Walk the dog to the park and back",
        "indicator": "Number of walks to the park in a week",
        "target_date": clock.local_date(clock.now(), "UTC") + timedelta(days=90),
        "proposed_by": "patient",
        "agreed_by_patient": True,
        "barriers": "Dizziness on bad days",
        "enablers": "My neighbour walks with me",
        "triggers": "Rushing",
        "accelerants": "Going in the morning",
        "contingency_plan": "When symptoms flare, I will walk to the corner and back",
        "supporter_ids": [],
        "importance": None,
        "difficulty": None,
        "level_minus_2": "I do not leave the house with the dog",
        "level_minus_1": "I walk to the corner once a week",
        "level_0": "I walk to the park twice a week",
        "level_plus_1": "I walk to the park four times a week",
        "level_plus_2": "I walk to the park every day",
        "baseline_level": -1,
    }
    return details | changes


def make_goal(patient: Any, by: Any, *, set_on: date | None = None, **changes: Any) -> Goal:
    today = set_on or today_for(patient)
    details = goal_details(**({"target_date": today + timedelta(days=90)} | changes))
    return services.set_goal(patient, details=details, by=by, today=today)
