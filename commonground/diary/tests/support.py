"""Helpers for the diary's tests: a set-up like a clinic would co-create, and today for a patient."""

from __future__ import annotations

from datetime import date
from typing import Any

from commonground.diary import definitions, services
from commonground.diary.models import DiarySetUp
from commonground.kit import clock


def today_for(patient: Any) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


def typical_definition(**changes: Any) -> definitions.Definition:
    """Pain and fatigue, the four everyday scales, sleep, two activities, own practice, a trigger, a sign."""
    details: dict[str, Any] = {
        "symptoms": ["pain", "fatigue"],
        "scales": ["energy", "mood", "stress", "ease"],
        "valued_activity": "Playing with my grandchildren",
        "activities": ["Walking the dog", "Gardening"],
        "own_practice": ["Stretching in the morning"],
        "triggers": ["A late night"],
        "warning_signs": ["Jaw clenching"],
    }
    details.update(changes)
    return definitions.build(**details)


def set_up(patient: Any, by: Any, **changes: Any) -> DiarySetUp:
    return services.set_up_diary(patient, definition=typical_definition(**changes), by=by, reason="Set up together")
