"""Diary jobs for the task queue: the daily reminder at the time the patient chose.

A periodic scan (every 15 minutes) that may safely run twice: a reminder is at most one per patient and day
(a unique constraint, so two workers cannot both send it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from commonground.diary.choices import EntryKind
from commonground.diary.models import DiaryEntry, DiaryReminder, DiarySetUp
from commonground.diary.services import in_quiet_hours
from commonground.kit import clock
from commonground.kit.models import RecordStatus
from commonground.notifications.services import send_email
from commonground.patients.choices import PatientStatus

# A run that comes later than this after the chosen time sends nothing for that day: no evening reminder for
# a morning time.
REMINDER_WINDOW = timedelta(hours=3)


def send_diary_reminders() -> int:
    """Every 15 minutes: remind patients not discharged, with a portal account, who chose a time, once a day,
    when the day's entry is not made yet and it is not their quiet hours. Returns the number of e-mails queued.

    The e-mail says only that the diary is there, never anything from it (no clinical content).
    """
    now = clock.now()
    sent = 0
    set_ups = (
        DiarySetUp.objects.current()
        .filter(reminder_at__isnull=False)
        .filter(patient__record_status=RecordStatus.ACTIVE, patient__user__is_active=True)
        .exclude(patient__status=PatientStatus.DISCHARGED)
        .select_related("patient", "patient__user")
        .order_by("patient_id")
    )
    for set_up in set_ups.iterator(chunk_size=500):
        with transaction.atomic():
            sent += _remind(set_up, now)
    return sent


def _remind(set_up: DiarySetUp, now: datetime) -> int:
    patient = set_up.patient
    address = (patient.user.email if patient.user else "") or patient.email
    local = now.astimezone(ZoneInfo(patient.time_zone))
    day = _reminder_day(set_up.reminder_at, local)
    if not address or day is None:
        return 0
    if in_quiet_hours(local.time(), set_up.quiet_from, set_up.quiet_until):
        return 0
    if _reminded(set_up, day) or _written(set_up, day) or not _claim(set_up, day, now):
        return 0
    with translation.override(patient.preferred_language or None):  # in the patient's own language
        send_email(
            to=address,
            subject=_("Your diary is ready when you are"),
            template="diary/emails/reminder.txt",
            context={
                "url": f"{settings.SITE_URL}/portal/diary/",
                "settings_url": f"{settings.SITE_URL}/portal/diary/settings/",
            },
        )
    return 1


def _reminder_day(at: time | None, local: datetime) -> date | None:
    """The day whose reminder is due at `local` (at most REMINDER_WINDOW after the chosen time), or None.

    Yesterday counts too, so a time late in the evening is not lost when the window runs past midnight.
    """
    if at is None:
        return None
    for day in (local.date(), local.date() - timedelta(days=1)):
        due = datetime.combine(day, at, tzinfo=local.tzinfo).astimezone(UTC)
        if due <= local < due + REMINDER_WINDOW:
            return day
    return None


def _reminded(set_up: DiarySetUp, day: date) -> bool:
    return bool(DiaryReminder.objects.filter(patient_id=set_up.patient_id, day=day).exists())


def _written(set_up: DiarySetUp, day: date) -> bool:
    """The day's entry is made already: nothing to remind of."""
    entries = DiaryEntry.objects.filter(
        patient_id=set_up.patient_id, day=day, kind=EntryKind.DAILY, record_status=RecordStatus.ACTIVE
    )
    return bool(entries.exists())


def _claim(set_up: DiarySetUp, day: date, now: datetime) -> bool:
    """True if this run is the one that sends the day's reminder (the unique constraint decides)."""
    try:
        with transaction.atomic():
            DiaryReminder.objects.create(patient_id=set_up.patient_id, day=day, sent_at=now)
    except IntegrityError:
        return False
    return True
