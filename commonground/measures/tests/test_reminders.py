"""Reminders (issue 4, item 4): by background job, e-mail and portal, one per due questionnaire per channel,
never with clinical content, in the patient's daytime."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from commonground.kit import clock
from commonground.measures import services, tasks
from commonground.measures.choices import ReminderChannel
from commonground.measures.models import Reminder, ScheduledMeasure
from commonground.notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


@pytest.fixture
def due_today(patient_record: Any, patient_user: Any, coordinator: Any) -> Any:
    patient_record.time_zone = "Europe/Amsterdam"
    patient_record.save()
    patient_user.email = "ada@example.test"
    patient_user.save()
    today = datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    services.create_plan(
        patient_record,
        by=coordinator,
        details={"instruments": ["phq15", "phq9"], "starts_on": today.date(), "interval_weeks": 4},
        today=today.date(),
    )
    return today


def test_one_email_and_one_portal_notice_per_due_questionnaire(
    monkeypatch: pytest.MonkeyPatch, due_today: datetime
) -> None:
    at(monkeypatch, due_today)
    assert tasks.send_due_reminders() == 2
    assert tasks.send_due_reminders() == 0  # never twice
    at(monkeypatch, due_today + timedelta(days=1))
    assert tasks.send_due_reminders() == 0
    emails = OutgoingEmail.objects.filter(to="ada@example.test")
    assert emails.count() == 1  # both due questionnaires in one message
    counted = Reminder.objects.values_list("channel", flat=True)
    assert sorted(counted) == [ReminderChannel.EMAIL] * 2 + [ReminderChannel.PORTAL] * 2


def test_the_email_carries_no_clinical_content(monkeypatch: pytest.MonkeyPatch, due_today: datetime) -> None:
    at(monkeypatch, due_today)
    tasks.send_due_reminders()
    email = OutgoingEmail.objects.get(to="ada@example.test")
    text = (email.subject + email.body).lower()
    for clinical in ("phq", "depress", "anxiety", "symptom", "ada", "lovelace", "score"):
        assert clinical not in text
    assert "/portal/" in email.body


def test_no_reminder_at_night(monkeypatch: pytest.MonkeyPatch, due_today: datetime) -> None:
    at(monkeypatch, due_today.replace(hour=6))
    assert tasks.send_due_reminders() == 0
    assert not Reminder.objects.exists()


def test_nothing_before_it_is_due_and_nothing_once_it_is_done(
    monkeypatch: pytest.MonkeyPatch, due_today: datetime, patient_record: Any
) -> None:
    at(monkeypatch, due_today - timedelta(days=1))
    assert tasks.send_due_reminders() == 0
    ScheduledMeasure.objects.filter(patient=patient_record).update(status="completed")
    at(monkeypatch, due_today)
    assert tasks.send_due_reminders() == 0


def test_patients_without_a_portal_account_get_no_reminder(
    monkeypatch: pytest.MonkeyPatch, other_patient_record: Any, coordinator: Any
) -> None:
    today = datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    services.create_plan(
        other_patient_record,
        by=coordinator,
        details={"instruments": ["phq9"], "starts_on": today.date(), "interval_weeks": 4},
        today=today.date(),
    )
    at(monkeypatch, today)
    assert tasks.send_due_reminders() == 0


def test_the_daily_job_writes_the_next_review(
    monkeypatch: pytest.MonkeyPatch, due_today: datetime, patient_record: Any
) -> None:
    at(monkeypatch, due_today + timedelta(weeks=4))
    assert tasks.refresh_schedules() == 2  # phq15 and phq9 at week 8
    assert tasks.refresh_schedules() == 0
    assert ScheduledMeasure.objects.filter(patient=patient_record).count() == 6
