"""AUD-01/04: a list of patients writes one event each, in the list's order, and they seal like any other.

PostgreSQL writes the list as one `INSERT ... SELECT ... FROM unnest(...)`, SQLite as multi-row INSERTs;
both must write the same rows (what the sealing job hashes).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, transaction

from commonground.audit import context as audit_context
from commonground.audit import services
from commonground.audit.choices import Action, Outcome
from commonground.audit.models import AuditEvent
from commonground.audit.sealing import seal_pending
from commonground.audit.verification import verify_all
from commonground.kit import clock

pytestmark = pytest.mark.django_db

ORG = uuid.uuid4()
MOMENT = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
# Every column but the id, which the database gives (and the patient and object ids, compared separately).
WRITTEN = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "patient_id", "object_id")]


@pytest.fixture
def request_context(monkeypatch):
    """A request's audit context, as the middleware sets it, and a clock that stands still."""
    monkeypatch.setattr(clock, "now", lambda: MOMENT)
    token = audit_context.begin(
        audit_context.AuditContext(
            request_id="f" * 32,
            client_address="127.0.0.1",
            actor_id=uuid.uuid4(),
            actor_username="alice",
            actor_role="care_coordinator",
            organisation_id=ORG,
        )
    )
    yield audit_context.current()
    audit_context.end(token)


def _written(since: int = 0) -> list[dict]:
    return list(AuditEvent.objects.filter(id__gt=since).order_by("id").values())


def test_a_list_writes_one_event_per_patient_in_its_order(request_context):
    patients = [uuid.uuid4() for _ in range(130)]  # more than one of SQLite's batches (47 rows)
    services.record_patient_accesses(patients, ORG, action=Action.LIST)
    events = _written()
    assert [event["patient_id"] for event in events] == patients
    assert [event["object_id"] for event in events] == [str(patient) for patient in patients]
    for event in events:
        assert event["occurred_at"] == MOMENT
        assert (event["organisation_id"], event["actor_id"]) == (ORG, request_context.actor_id)
        assert (event["actor_username"], event["actor_role"]) == ("alice", "care_coordinator")
        assert (event["action"], event["outcome"], event["object_type"]) == ("list", "success", "patient")
        assert (event["request_id"], event["client_address"]) == ("f" * 32, "127.0.0.1")
        assert (event["on_behalf_of_id"], event["break_glass_reason"], event["detail"]) == (None, "", "")
        assert (event["chain_index"], event["previous_hash"], event["row_hash"], event["sealed_at"]) == (
            None,
            "",
            None,
            None,
        )


def test_a_named_record_keeps_its_object_id(request_context):
    patient = uuid.uuid4()
    services.record_patient_access(patient, ORG, action=Action.UPDATE, object_type="consent", object_id="42")
    (event,) = _written()
    assert (event["patient_id"], event["object_type"], event["object_id"]) == (patient, "consent", "42")


def test_listed_events_seal_and_verify(request_context):
    services.record_patient_accesses([uuid.uuid4() for _ in range(60)], ORG, action=Action.LIST)
    services.record_patient_access(uuid.uuid4(), ORG, action=Action.READ)
    assert seal_pending().sealed == 61
    report = verify_all()
    assert report.ok and report.checked == 61 and report.unsealed == 0


def test_the_array_insert_writes_what_the_row_insert_writes(request_context):
    """On PostgreSQL the list is one array insert; it must write what the row insert (SQLite's path) writes."""
    patients = [uuid.uuid4() for _ in range(5)]
    services.record_patient_accesses(patients, ORG, action=Action.LIST)
    by_array = _written()
    template = services._event(Action.LIST, Outcome.SUCCESS, organisation_id=ORG, object_type="patient")
    shared = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in services._EVENT_COLUMNS}
    with transaction.atomic(), connection.cursor() as cursor:
        services._insert_rows(cursor, connection, shared, patients, "")
    by_rows = _written(since=by_array[-1]["id"])
    compared = (*WRITTEN, "patient_id", "object_id")
    assert [[e[k] for k in compared] for e in by_array] == [[e[k] for k in compared] for e in by_rows]


def test_a_value_too_long_is_refused_where_the_database_enforces_lengths(request_context):
    request_context.break_glass_reason = "x" * 501
    if connection.vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            services.record_patient_accesses([uuid.uuid4()], ORG, action=Action.READ)
    else:  # SQLite keeps the text whole: nothing is silently cut short either way
        services.record_patient_accesses([uuid.uuid4()], ORG, action=Action.READ)
        assert len(_written()[-1]["break_glass_reason"]) == 501
