"""Shared fixtures of the safety tests: a care team with named people and e-mail addresses, and an alert."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from commonground.careteam import services as team_services
from commonground.safety import services
from commonground.safety.models import Alert


@pytest.fixture
def team(patient_record: Any, coordinator: Any, therapist: Any) -> Any:
    """Alice coordinates, Bob is the responsible clinician; both have e-mail addresses."""
    for person, address in ((coordinator, "alice@riverside.test"), (therapist, "bob@riverside.test")):
        person.email = address
        person.save()
    care_team = patient_record.care_team
    return team_services.assign_roles(
        care_team,
        expected_version=care_team.version,
        coordinator=coordinator,
        responsible_clinician=therapist,
        reason="Bob leads the therapy",
    )


@pytest.fixture
def urgent_alert(patient_record: Any, team: Any) -> Alert:
    return services.raise_critical_item_alert(
        patient_record, summary="PHQ-9 item 9 answered 'nearly every day'", response_id=uuid.uuid4()
    )
