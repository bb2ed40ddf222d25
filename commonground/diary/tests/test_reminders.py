"""Diary reminders (issue 6, item 2): at the time the patient chose, in their time zone, by a background job,
through the notifications transport, never twice, never in quiet hours, never with clinical content."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django_q.models import Schedule

from commonground.diary import definitions, entries, services, tasks
from commonground.diary.choices import Scale, Symptom
from commonground.diary.models import DiaryReminder, DiarySetUp
from commonground.kit import clock
from commonground.notifications.models import OutgoingEmail
from commonground.notifications.transports import MemoryTransport

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2026, 3, 2)  # winter time in both zones
ADDRESS = "ada@example.test"


def evening(hour: int = 19, minute: int = 0, *, day: date = DAY, zone: ZoneInfo = AMSTERDAM) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def run_at(moment: datetime) -> int:
    with clock.pinned(moment):
        return tasks.send_diary_reminders()


def start_diary(patient: Any, by: Any, *, at: time | None = time(19, 0), quiet: tuple[time, time] | None = None) -> Any:
    quiet_from, quiet_until = quiet or (time(22, 0), time(7, 0))
    with clock.pinned(evening(9, day=DAY - timedelta(days=7))):
        set_up = services.set_up_diary(
            patient, definition=definitions.build(symptoms=["pain"], scales=["energy"]), by=by
        )
        return services.set_reminder(
            patient, at=at, quiet_from=quiet_from, quiet_until=quiet_until, expected_version=set_up.version
        )


def sent_to(address: str = ADDRESS) -> int:
    return int(OutgoingEmail.objects.filter(to=address).count())


@pytest.fixture(autouse=True)
def empty_outbox() -> Any:
    MemoryTransport.outbox.clear()
    yield
    MemoryTransport.outbox.clear()


@pytest.fixture
def ada(patient_record: Any, patient_user: Any) -> Any:
    patient_record.time_zone = "Europe/Amsterdam"
    patient_record.save()
    patient_user.email = ADDRESS
    patient_user.save()
    return patient_record


@pytest.fixture
def diary(ada: Any, coordinator: Any) -> Any:
    return start_diary(ada, coordinator)


# --- when ----------------------------------------------------------------------------------------------------


def test_sent_at_the_chosen_time_in_the_patients_time_zone(ada: Any, coordinator: Any) -> None:
    ada.time_zone = "America/New_York"
    ada.save()
    start_diary(ada, coordinator)
    assert run_at(evening(19, zone=AMSTERDAM)) == 0  # 13:00 in New York
    assert run_at(evening(19, zone=NEW_YORK)) == 1  # already 3 March in UTC and in Amsterdam
    assert sent_to() == 1
    assert DiaryReminder.objects.get(patient=ada).day == DAY  # the patient's own day


def test_not_before_the_chosen_time(diary: Any) -> None:
    assert run_at(evening(18, 59)) == 0
    assert run_at(evening(9)) == 0
    assert not DiaryReminder.objects.exists()
    assert sent_to() == 0


@pytest.mark.parametrize(("hour", "minute", "sent"), [(11, 59, 1), (12, 0, 0), (19, 0, 0)])
def test_a_late_run_reminds_within_three_hours_only(
    ada: Any, coordinator: Any, hour: int, minute: int, sent: int
) -> None:
    start_diary(ada, coordinator, at=time(9, 0))
    assert run_at(evening(hour, minute)) == sent  # no evening reminder for a morning time
    assert sent_to() == sent


def test_an_evening_time_is_still_reminded_just_after_midnight(ada: Any, coordinator: Any) -> None:
    start_diary(ada, coordinator, at=time(23, 0), quiet=(time(3, 0), time(7, 0)))
    assert run_at(evening(0, 30, day=DAY + timedelta(days=1))) == 1  # the run at 23:00 did not happen
    assert DiaryReminder.objects.get(patient=ada).day == DAY  # the day the reminder was for
    assert run_at(evening(1, 45, day=DAY + timedelta(days=1))) == 0  # the same day's reminder, not a second one
    assert run_at(evening(23, 0, day=DAY + timedelta(days=1))) == 1  # the next day's


# --- never twice ---------------------------------------------------------------------------------------------


def test_never_twice_a_day(diary: Any, ada: Any) -> None:
    assert run_at(evening(19, 0)) == 1
    assert run_at(evening(19, 0)) == 0  # the same run, twice
    assert run_at(evening(19, 15)) == 0
    assert run_at(evening(21, 45)) == 0
    assert sent_to() == 1
    assert run_at(evening(19, 0, day=DAY + timedelta(days=1))) == 1  # the next day has its own
    assert sent_to() == 2
    assert DiaryReminder.objects.filter(patient=ada).count() == 2


def test_two_workers_cannot_both_send_it(diary: Any, ada: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another worker claims the day between this run's check and its claim: the unique constraint decides.
    DiaryReminder.objects.create(patient=ada, day=DAY, sent_at=evening(19, 0))
    monkeypatch.setattr(tasks, "_reminded", lambda set_up, day: False)
    assert run_at(evening(19, 0)) == 0
    assert sent_to() == 0
    assert DiaryReminder.objects.filter(patient=ada).count() == 1


def test_the_claim_is_once_per_patient_and_day(diary: Any, ada: Any) -> None:
    assert tasks._claim(diary, DAY, evening(19, 0)) is True
    assert tasks._claim(diary, DAY, evening(19, 15)) is False
    with pytest.raises(IntegrityError), transaction.atomic():
        DiaryReminder.objects.create(patient=ada, day=DAY, sent_at=evening(19, 30))


# --- not needed, not wanted ----------------------------------------------------------------------------------


def test_none_when_the_days_entry_is_made(diary: Any, ada: Any) -> None:
    with clock.pinned(evening(18, 0)):
        services.record_entry(ada, day=DAY, values=entries.EntryValues(ratings={"pain": 3}))
    assert run_at(evening(19, 0)) == 0
    assert sent_to() == 0


def test_a_removed_entry_or_a_check_in_does_not_count_as_the_days_entry(diary: Any, ada: Any) -> None:
    with clock.pinned(evening(18, 0)):
        entry = services.record_entry(ada, day=DAY, values=entries.EntryValues(ratings={"pain": 3}))
        services.remove_entry(entry, expected_version=entry.version)
        services.record_check_in(ada, values=entries.EntryValues(ratings={"pain": 4}))
    assert run_at(evening(19, 0)) == 1


def test_yesterdays_entry_does_not_stop_todays_reminder(diary: Any, ada: Any) -> None:
    with clock.pinned(evening(18, 0)):
        services.record_entry(ada, day=DAY - timedelta(days=1), values=entries.EntryValues(ratings={"pain": 3}))
    assert run_at(evening(19, 0)) == 1


def test_never_in_quiet_hours(ada: Any, coordinator: Any) -> None:
    set_up = start_diary(ada, coordinator, at=time(20, 0), quiet=(time(21, 0), time(7, 0)))
    # A time inside the quiet hours, written past the service's check (say, quiet hours changed since).
    DiarySetUp.objects.filter(pk=set_up.pk).update(reminder_at=time(22, 30))
    assert run_at(evening(22, 30)) == 0
    assert run_at(evening(23, 45)) == 0
    assert not DiaryReminder.objects.exists()


def test_a_late_run_that_reaches_quiet_hours_sends_nothing(ada: Any, coordinator: Any) -> None:
    start_diary(ada, coordinator, at=time(20, 0), quiet=(time(21, 0), time(7, 0)))
    assert run_at(evening(21, 15)) == 0
    assert sent_to() == 0


def test_no_reminder_without_a_chosen_time(ada: Any, coordinator: Any) -> None:
    start_diary(ada, coordinator, at=None)
    assert run_at(evening(19, 0)) == 0
    assert run_at(evening(9, 0)) == 0
    assert not DiaryReminder.objects.exists()


def test_none_without_a_portal_account(patient_record: Any, coordinator: Any) -> None:
    patient_record.email = ADDRESS
    patient_record.save()
    start_diary(patient_record, coordinator)
    assert run_at(evening(19, 0)) == 0
    assert sent_to() == 0


def test_none_when_the_portal_account_is_switched_off(diary: Any, patient_user: Any) -> None:
    patient_user.is_active = False
    patient_user.save()
    assert run_at(evening(19, 0)) == 0
    assert sent_to() == 0


def test_none_without_an_email_address(diary: Any, patient_user: Any) -> None:
    patient_user.email = ""
    patient_user.save()
    assert run_at(evening(19, 0)) == 0
    assert not DiaryReminder.objects.exists()  # nothing claimed: an address added later still gets it


def test_the_record_address_serves_when_the_account_has_none(diary: Any, ada: Any, patient_user: Any) -> None:
    patient_user.email = ""
    patient_user.save()
    ada.email = "ada.home@example.test"
    ada.save()
    assert run_at(evening(19, 0)) == 1
    assert sent_to("ada.home@example.test") == 1


def test_none_for_a_patient_record_entered_in_error(diary: Any, ada: Any) -> None:
    type(ada).objects.filter(pk=ada.pk).update(record_status="entered_in_error")
    assert run_at(evening(19, 0)) == 0
    assert sent_to() == 0


def test_none_once_the_patient_is_discharged(diary: Any, ada: Any) -> None:
    from commonground.patients.models import Patient

    Patient.objects.filter(pk=ada.pk).update(status="discharged")
    assert run_at(evening(19, 0)) == 0
    Patient.objects.filter(pk=ada.pk).update(status="active")
    assert run_at(evening(19, 5)) == 1


def test_only_the_patients_due_now_are_reminded(
    diary: Any, other_patient_record: Any, other_patient_user: Any, coordinator: Any
) -> None:
    other_patient_user.email = "grace@example.test"
    other_patient_user.save()
    start_diary(other_patient_record, coordinator, at=time(8, 30))
    assert run_at(evening(9, 0)) == 1
    assert sent_to("grace@example.test") == 1
    assert run_at(evening(19, 0)) == 1
    assert sent_to() == 1


# --- what it says --------------------------------------------------------------------------------------------


def test_the_email_carries_no_clinical_content_and_goes_out_after_commit(
    diary: Any, ada: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert run_at(evening(19, 0)) == 1
    [message] = MemoryTransport.outbox
    assert message.to == ADDRESS
    text = (message.subject + "\n" + message.body).lower()
    clinical = [*Symptom.values, *Scale.values, *(str(label).lower() for label in Symptom.labels)]
    for word in [*clinical, "symptom", "diagnos", "ada", "lovelace", "score", "missed", "forgot"]:
        assert word not in text, word
    assert "http://127.0.0.1:8000/portal/diary/" in message.body
    assert "http://127.0.0.1:8000/portal/diary/settings/" in message.body
    assert "stop" in text  # says how to change or stop reminders
    assert "&#" not in message.body and "&amp;" not in message.body  # plain text, not HTML-escaped
    assert OutgoingEmail.objects.get(to=ADDRESS).status == OutgoingEmail.Status.SENT


def test_queued_in_the_jobs_transaction_and_not_delivered_before_commit(diary: Any) -> None:
    assert run_at(evening(19, 0)) == 1
    assert MemoryTransport.outbox == []  # the test's transaction never commits
    assert OutgoingEmail.objects.get(to=ADDRESS).status == OutgoingEmail.Status.QUEUED


# --- the schedule --------------------------------------------------------------------------------------------


def test_the_job_is_scheduled_every_fifteen_minutes() -> None:
    job = Schedule.objects.get(func="commonground.diary.tasks.send_diary_reminders")
    assert (job.schedule_type, job.minutes, job.repeats) == (Schedule.MINUTES, 15, -1)
