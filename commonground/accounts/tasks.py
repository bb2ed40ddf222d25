"""Account housekeeping for the task queue: expired sessions and old sign-in failures go daily."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session

from commonground.accounts.models import UserSession
from commonground.kit import clock


def send_password_reset(identifier: str) -> bool:
    from commonground.accounts.services import send_password_reset as send

    return send(identifier)


def clear_expired_sessions() -> int:
    now = clock.now()
    expired = Session.objects.filter(expire_date__lt=now)
    keys = list(expired.values_list("session_key", flat=True))
    expired.delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    AccessAttempt.objects.filter(attempt_time__lt=now - timedelta(minutes=settings.LOCKOUT_MINUTES)).delete()
    return len(keys)
