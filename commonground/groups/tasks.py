"""Groups jobs for the task queue: the weekly check-in prompt to peer partners, every hour.

From the week's 5th day (Friday, in the member's own time zone) and between 10:00 and 20:00 their time, a
partner in an active pairing who has not checked in this week gets one gentle notice. It says only that their
partner would be glad to hear from them ("sign in"): no name, no group, nothing anyone wrote. Safe to run
twice and from two workers at once: one prompt per partner and week (a unique constraint decides who sends).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from commonground.groups import schedule
from commonground.groups.choices import CohortStatus, EnrolmentStatus, PairingStatus
from commonground.groups.models import CheckIn, CheckInPrompt, Enrolment, Pairing
from commonground.kit import clock
from commonground.notifications.services import send_email

PROMPT_FROM = time(10, 0)
PROMPT_UNTIL = time(20, 0)


def send_check_in_prompts() -> int:
    """Returns the number of prompts queued."""
    now = clock.now()
    sent = 0
    pairings = (
        Pairing.objects.current()
        .filter(status=PairingStatus.ACTIVE, cohort__status=CohortStatus.RUNNING, cohort__record_status="active")
        .select_related("first__patient__user", "second__patient__user")
        .order_by("id")
    )
    for pairing in pairings.iterator(chunk_size=500):
        for member in (pairing.first, pairing.second):
            with transaction.atomic():
                sent += _prompt(pairing, member, now)
    return sent


def _prompt(pairing: Pairing, member: Enrolment, now: datetime) -> int:
    patient = member.patient
    user = patient.user
    if member.status != EnrolmentStatus.ENROLLED or user is None or not user.is_active or not user.email:
        return 0
    local = now.astimezone(ZoneInfo(patient.time_zone))
    if not schedule.prompt_due(local.date()) or not PROMPT_FROM <= local.time() < PROMPT_UNTIL:
        return 0
    week = schedule.week_of(local.date())
    if _checked_in(pairing, member, week) or not _claim(pairing, member, week, now):
        return 0
    with translation.override(patient.preferred_language or None):
        send_email(
            to=user.email,
            subject=_("How did your week go?"),
            template="groups/email/check_in_prompt.txt",
            context={"url": f"{settings.SITE_URL.rstrip('/')}/portal/groups/"},
        )
    return 1


def _checked_in(pairing: Pairing, member: Enrolment, week: date) -> bool:
    return bool(CheckIn.objects.current().filter(pairing=pairing, by=member, week_of=week).exists())


def _claim(pairing: Pairing, member: Enrolment, week: date, now: datetime) -> bool:
    """True if this run is the one that sends this week's prompt (the unique constraint decides)."""
    try:
        with transaction.atomic():
            CheckInPrompt.objects.create(pairing=pairing, enrolment=member, week_of=week, sent_at=now)
    except IntegrityError:
        return False
    return True
