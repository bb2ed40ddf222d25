"""Decision 0025: in a view whose service holds the write, the gateway's event goes into the service's
transaction, and is still written, once, when that transaction rolls back or never comes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commonground.audit import context as audit_context
from commonground.audit.choices import Action
from commonground.audit.models import AuditEvent
from commonground.audit.services import record_patient_access, write_held
from commonground.diary.models import DiaryEntry
from commonground.diary.tests.support import set_up, today_for
from commonground.portal.tests.test_diary_pages import typical_post
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def held() -> Any:
    """The state a service-is-the-transaction view begins in: events wait for the next transaction."""
    ctx = audit_context.AuditContext(request_id="held-test")
    token = audit_context.begin(ctx)
    ctx.hold_at = len(connection.atomic_blocks)
    yield ctx
    audit_context.end(token)


class Trail:
    """The events written from now on (not those of setting up the test's patients)."""

    def __init__(self) -> None:
        self.after = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def of(self, patient: Any) -> list[tuple[str, str]]:
        written = AuditEvent.objects.filter(patient_id=patient.id, id__gt=self.after).order_by("id")
        return list(written.values_list("action", "object_type"))


def test_a_saved_entry_writes_the_attempt_and_the_entry_in_the_service_transaction(
    patient_user: Any, patient_record: Any, therapist: Any
) -> None:
    set_up(patient_record, therapist)
    client = signed_in(patient_user)
    trail = Trail()
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(f"/portal/diary/days/{today_for(patient_record).isoformat()}/", typical_post())
    assert saved.status_code == 302 and DiaryEntry.objects.count() == 1
    sent = [query["sql"] for query in queries.captured_queries]
    audit_inserts = [n for n, sql in enumerate(sent) if sql.startswith('INSERT INTO "audit_auditevent"')]
    service_began = next(n for n, sql in enumerate(sent) if sql.startswith("SAVEPOINT"))
    assert len(audit_inserts) == 2 and min(audit_inserts) > service_began
    # The attempt first, then what the service did: the chain keeps that order.
    assert trail.of(patient_record) == [(Action.UPDATE, "diary_entry"), (Action.CREATE, "diary_entry")]
    assert len(set(AuditEvent.objects.filter(id__gt=trail.after).values_list("request_id"))) == 1


def test_an_entry_refused_by_the_form_still_records_the_attempt_once(
    patient_user: Any, patient_record: Any, therapist: Any
) -> None:
    set_up(patient_record, therapist)
    day = today_for(patient_record).isoformat()
    trail = Trail()
    refused = signed_in(patient_user).post(f"/portal/diary/days/{day}/", {"rating-pain": "11"})
    assert refused.status_code == 400 and not DiaryEntry.objects.exists()
    assert trail.of(patient_record) == [(Action.UPDATE, "diary_entry")]


def test_held_events_wait_and_go_in_with_the_next_write(held: Any, patient_record: Any, foreign_patient: Any) -> None:
    trail = Trail()
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.READ)
    assert trail.of(patient_record) == [] and len(held.held) == 1
    with transaction.atomic():
        record_patient_access(foreign_patient.id, foreign_patient.organisation_id, action=Action.UPDATE)
        assert trail.of(patient_record) == [(Action.READ, "patient")]
    write_held()  # that transaction is still open around the test: nothing is written twice
    assert trail.of(patient_record) == [(Action.READ, "patient")]
    assert len(trail.of(foreign_patient)) == 1


def test_held_events_are_forgotten_once_their_transaction_commits(
    held: Any, patient_record: Any, foreign_patient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    trail = Trail()
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.READ)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_patient_access(foreign_patient.id, foreign_patient.organisation_id, action=Action.UPDATE)
    assert held.joined == [] and held.held == []
    write_held()
    assert trail.of(patient_record) == [(Action.READ, "patient")]


def test_held_events_survive_the_rollback_of_the_transaction_they_joined(
    held: Any, patient_record: Any, foreign_patient: Any
) -> None:
    trail = Trail()
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.UPDATE)

    def failing_service() -> None:
        with transaction.atomic():
            record_patient_access(foreign_patient.id, foreign_patient.organisation_id, action=Action.UPDATE)
            raise RuntimeError("the service failed")

    with pytest.raises(RuntimeError):
        failing_service()
    assert trail.of(patient_record) == [] and len(trail.of(foreign_patient)) == 0
    write_held()
    assert trail.of(patient_record) == [(Action.UPDATE, "patient")]
    assert len(trail.of(foreign_patient)) == 0  # its change never happened
    write_held()
    assert len(trail.of(patient_record)) == 1


def test_held_events_no_transaction_took_are_written_when_the_request_ends(held: Any, patient_record: Any) -> None:
    trail = Trail()
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.READ)
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.READ)  # once a request
    write_held()
    assert trail.of(patient_record) == [(Action.READ, "patient")]
    assert held.hold_at is None
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.UPDATE)
    assert trail.of(patient_record) == [(Action.READ, "patient"), (Action.UPDATE, "patient")]  # no longer held


def test_a_read_writes_its_event_at_once(patient_record: Any, therapist: Any) -> None:
    client = signed_in(therapist)
    trail = Trail()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/clinician/patients/{patient_record.id}/").status_code == 200
    assert any(query["sql"].startswith('INSERT INTO "audit_auditevent"') for query in queries.captured_queries)
    assert trail.of(patient_record)[-1] == (Action.READ, "patient")


def test_a_commit_whose_earlier_callback_failed_does_not_write_the_events_twice(
    held: Any, patient_record: Any, foreign_patient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    trail = Trail()
    record_patient_access(patient_record.id, patient_record.organisation_id, action=Action.READ)

    def failing_callback() -> None:
        raise RuntimeError("an e-mail could not be queued")

    def service_with_a_failing_callback() -> None:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            transaction.on_commit(failing_callback)  # runs first, and stops the ones after it
            record_patient_access(foreign_patient.id, foreign_patient.organisation_id, action=Action.UPDATE)

    with pytest.raises(RuntimeError):
        service_with_a_failing_callback()
    assert len(held.joined) == 1  # its callback never ran, although the transaction committed
    write_held()
    assert trail.of(patient_record) == [(Action.READ, "patient")]
