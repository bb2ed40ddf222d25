"""Sending e-mail: queued in the transaction, delivered by a job only once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from commonground.notifications.models import OutgoingEmail


def send_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> OutgoingEmail:
    body = render_to_string(template, context)
    email = OutgoingEmail.objects.create(to=to, subject=subject, body=body)
    transaction.on_commit(lambda: _enqueue(email.id))
    return email


def _enqueue(email_id: Any) -> None:
    from django_q.tasks import async_task

    async_task("commonground.notifications.tasks.deliver_email", str(email_id))
