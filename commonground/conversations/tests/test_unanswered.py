"""The read behind coordination's unanswered-message rule: the clinic's patients' messages that no team message
follows in their conversation, as ids and times."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commonground.conversations import selectors, services
from commonground.kit import clock
from tests.personas import make_patient_user

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def found(organisation: Any, before: datetime) -> list[tuple[Any, Any, datetime]]:
    rows = selectors.unanswered_patient_messages(organisation.id, sent_before=before)
    return [(row.message_id, row.patient_id, row.sent_at) for row in rows]


def test_the_patients_messages_without_a_team_reply_after_them_oldest_first_per_patient(
    monkeypatch: pytest.MonkeyPatch,
    clinic: Any,
    patient_record: Any,
    patient_user: Any,
    other_patient_record: Any,
    other_patient_user: Any,
    therapist: Any,
    coordinator: Any,
) -> None:
    at(monkeypatch, MONDAY)
    answered = services.write_to_team(patient_record, text="One", by=patient_user, submission_id=uuid.uuid4())
    at(monkeypatch, MONDAY + timedelta(hours=1))
    services.write_to_patient(patient_record, text="Answer", by=therapist, submission_id=uuid.uuid4())
    at(monkeypatch, MONDAY + timedelta(hours=2))
    first = services.write_to_team(patient_record, text="Two", by=patient_user, submission_id=uuid.uuid4())
    at(monkeypatch, MONDAY + timedelta(hours=3))
    second = services.write_to_team(patient_record, text="Three", by=patient_user, submission_id=uuid.uuid4())
    grace = services.write_to_team(other_patient_record, text="Hi", by=other_patient_user, submission_id=uuid.uuid4())
    # The team's own threads are not the patient's conversation.
    services.start_team_thread(
        patient_record, subject="Plan", text="Shall we?", by=coordinator, submission_id=uuid.uuid4()
    )
    later = MONDAY + timedelta(days=1)
    rows = found(clinic, later)
    assert answered.id not in [row[0] for row in rows]
    mine = [row for row in rows if row[1] == patient_record.id]
    assert mine == [(first.id, patient_record.id, first.sent_at), (second.id, patient_record.id, second.sent_at)]
    assert (grace.id, other_patient_record.id, grace.sent_at) in rows
    assert len(rows) == 3
    assert found(clinic, second.sent_at) == [(first.id, patient_record.id, first.sent_at)]  # strictly before


def test_another_clinics_patients_are_not_read(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, other_clinic: Any, foreign_patient: Any
) -> None:
    at(monkeypatch, MONDAY)
    iris = make_patient_user(other_clinic, foreign_patient, "iris")
    message = services.write_to_team(foreign_patient, text="Hello", by=iris, submission_id=uuid.uuid4())
    later = MONDAY + timedelta(days=1)
    assert found(clinic, later) == []
    assert found(other_clinic, later) == [(message.id, foreign_patient.id, message.sent_at)]
