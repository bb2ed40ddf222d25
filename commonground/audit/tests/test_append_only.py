"""AUD-03: the audit table is append-only inside the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from commonground.audit.choices import Action
from commonground.audit.models import AuditEvent
from commonground.audit.sealing import seal_pending
from commonground.audit.services import record_security_event

pytestmark = pytest.mark.django_db


def _one_event() -> AuditEvent:
    record_security_event(Action.LOGIN, actor_username="alice")
    return AuditEvent.objects.latest("id")


def _refused(sql: str, params: list[object]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


def test_deleting_an_event_is_refused():
    event = _one_event()
    assert _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_changing_an_unsealed_event_is_refused():
    event = _one_event()
    assert _refused("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["mallory", event.id])
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "alice"


def test_changing_a_sealed_event_is_refused_even_its_seal():
    event = _one_event()
    seal_pending()
    assert _refused("UPDATE audit_auditevent SET row_hash = %s WHERE id = %s", ["0" * 64, event.id])
    assert _refused("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["edited", event.id])


def test_the_orm_cannot_delete_either():
    event = _one_event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_truncating_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # SQLite has no TRUNCATE; DELETE is covered above
        return
    _one_event()
    assert _refused("TRUNCATE audit_auditevent", [])
