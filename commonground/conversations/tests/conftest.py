"""Shared fixtures of the conversations tests: an empty outbox, e-mail addresses for the people told."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.notifications.transports import MemoryTransport


@pytest.fixture(autouse=True)
def empty_outbox() -> Any:
    MemoryTransport.outbox.clear()
    yield MemoryTransport.outbox
    MemoryTransport.outbox.clear()


@pytest.fixture
def addressed(coordinator: Any, therapist: Any, patient_user: Any, patient_record: Any) -> Any:
    """The coordinator and the patient have e-mail addresses; the therapist is the responsible clinician."""
    for person, address in ((coordinator, "alice@clinic.example"), (therapist, "bob@clinic.example")):
        person.email = address
        person.save(update_fields=["email"])
    patient_user.email = "ada@home.example"
    patient_user.save(update_fields=["email"])
    team = patient_record.care_team
    team.responsible_clinician = therapist
    team.save(update_fields=["responsible_clinician"])
    patient_record.refresh_from_db()
    return patient_record
