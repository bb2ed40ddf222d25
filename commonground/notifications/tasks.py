"""Delivering queued e-mail. Takes an id, reloads, and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from commonground.kit import clock
from commonground.notifications.models import OutgoingEmail
from commonground.notifications.transports import Message, configured_transport

FINAL_ATTEMPT: int = settings.JOB_MAX_ATTEMPTS


class DeliveryFailed(Exception):
    """Raised after the failure is recorded, so that the task queue retries the job."""


def deliver_email(email_id: str) -> str:
    failure: Exception | None = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == OutgoingEmail.Status.SENT:
            return "nothing to do"
        email.attempts += 1
        try:
            configured_transport().send(Message(to=email.to, subject=email.subject, body=email.body))
        except Exception as error:  # any transport error: record it, retry later
            failure = error
            email.status = OutgoingEmail.Status.FAILED
            if email.attempts >= FINAL_ATTEMPT:
                email.body = ""  # given up: the link in it must not stay in the database
            email.save(update_fields=["attempts", "status", "body"])
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = clock.now()
            email.body = ""  # links in it are secrets; the record of sending stays
            email.save(update_fields=["attempts", "status", "sent_at", "body"])
    if failure is not None:
        raise DeliveryFailed(f"attempt {email.attempts} failed: {type(failure).__name__}") from failure
    return "sent"
