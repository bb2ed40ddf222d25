"""Measures jobs for the task queue: keep every schedule written ahead, and remind patients of what is due.

Both are periodic scans that may safely run twice: schedules are written idempotently and a reminder is
at most one per due questionnaire per channel (a unique constraint, so two workers cannot both send it).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonground.kit import clock
from commonground.measures import services
from commonground.measures.choices import ReminderChannel, ScheduleStatus
from commonground.measures.models import MeasurementPlan, Reminder, ScheduledMeasure
from commonground.measures.schedule import superseded
from commonground.notifications.services import send_email

# Reminders go out in the patient's daytime only (local hours, start inclusive, end exclusive).
REMINDER_HOURS = (9, 20)


def refresh_schedules() -> int:
    """Daily: write each plan's questionnaires up to the next review; cancel what therapy's end made moot."""
    now = clock.now()
    added = 0
    plans = MeasurementPlan.objects.current().select_related("patient").filter(patient__record_status="active")
    for plan in plans.iterator(chunk_size=500):
        with transaction.atomic():
            added += services.refresh_schedule(plan.patient, today=clock.local_date(now, plan.patient.time_zone))
    return added


def send_due_reminders() -> int:
    """Hourly: remind patients with a portal account of questionnaires due today or earlier.

    One portal notice and one e-mail per due questionnaire, ever; several due on the same run share one
    e-mail. The e-mail says only that something is waiting, never what (no clinical content).
    """
    now = clock.now()
    sent = 0
    by_patient: dict[Any, list[ScheduledMeasure]] = defaultdict(list)
    candidates = (
        ScheduledMeasure.objects.current()
        .filter(status=ScheduleStatus.OPEN, due_on__lte=(now + timedelta(days=1)).date())
        .filter(patient__user__isnull=False, patient__user__is_active=True, patient__record_status="active")
        .select_related("patient", "patient__user")
        .order_by("patient_id", "due_on")
    )
    for item in candidates:
        by_patient[item.patient_id].append(item)
    for items in by_patient.values():
        with transaction.atomic():
            sent += _remind(items, now)
    return sent


def _remind(items: list[ScheduledMeasure], now: Any) -> int:
    patient = items[0].patient
    local = now.astimezone(ZoneInfo(patient.time_zone))
    if not REMINDER_HOURS[0] <= local.hour < REMINDER_HOURS[1]:
        return 0
    replaced = set(superseded(((item.id, item.instrument, item.due_on) for item in items), local.date()))
    due = [item for item in items if item.due_on <= local.date() and item.id not in replaced]
    for item in due:
        _claim(item, ReminderChannel.PORTAL, now)
    address = (patient.user.email if patient.user else "") or patient.email
    newly = [item for item in due if address and _claim(item, ReminderChannel.EMAIL, now)]
    if newly:
        send_email(
            to=address,
            subject=_("Something is waiting for you in Common Ground"),
            template="measures/emails/reminder.txt",
            context={"url": f"{settings.SITE_URL}/portal/", "count": len(newly)},
        )
    return len(newly)


def _claim(item: ScheduledMeasure, channel: str, now: Any) -> bool:
    """True if this run is the one that sends this reminder (the unique constraint decides)."""
    if Reminder.objects.filter(scheduled=item, channel=channel).exists():
        return False
    try:
        with transaction.atomic():
            Reminder.objects.create(scheduled=item, patient_id=item.patient_id, channel=channel, sent_at=now)
    except IntegrityError:
        return False
    return True
