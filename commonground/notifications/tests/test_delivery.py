"""E-mail goes out after commit, once; a failed attempt is recorded and retried."""

from __future__ import annotations

import pytest

from commonground.notifications import tasks
from commonground.notifications.models import OutgoingEmail
from commonground.notifications.services import send_email
from commonground.notifications.transports import MemoryTransport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox():
    MemoryTransport.outbox.clear()
    yield
    MemoryTransport.outbox.clear()


def _queue() -> OutgoingEmail:
    return send_email(
        to="someone@example.org",
        subject="Hello",
        template="accounts/emails/invitation.txt",
        context={"url": "u", "days": 3},
    )


def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _queue()
    assert MemoryTransport.outbox == []
    assert len(callbacks) == 1


def test_a_rolled_back_request_sends_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _queue()
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert MemoryTransport.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_delivery_runs_once_and_clears_the_body(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    assert len(MemoryTransport.outbox) == 1
    assert tasks.deliver_email(str(email.id)) == "nothing to do"  # safe to run twice
    email.refresh_from_db()
    assert (email.status, email.body, email.attempts) == ("sent", "", 1)


def test_a_failed_attempt_is_recorded_and_raised_for_a_retry(monkeypatch):
    email = OutgoingEmail.objects.create(to="x@example.org", subject="s", body="b")

    class Broken:
        def send(self, message):
            raise OSError("connection refused")

    monkeypatch.setattr(tasks, "configured_transport", Broken)
    with pytest.raises(tasks.DeliveryFailed):
        tasks.deliver_email(str(email.id))
    email.refresh_from_db()
    assert (email.status, email.attempts, email.body) == ("failed", 1, "b")
    monkeypatch.setattr(tasks, "configured_transport", MemoryTransport)
    assert tasks.deliver_email(str(email.id)) == "sent"
