"""Writing audit events. Patient-data events go in the request's own transaction, so there is no
change without its audit row and no audit row for a rolled-back change."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction

from commonground.audit import context as audit_context
from commonground.audit.choices import Action, Outcome
from commonground.audit.models import AuditEvent
from commonground.kit import clock


def _event(action: str, outcome: str, **fields: Any) -> AuditEvent:
    ctx = audit_context.current()
    values: dict[str, Any] = {
        "occurred_at": clock.now(),
        "organisation_id": ctx.organisation_id,
        "actor_id": ctx.actor_id,
        "actor_username": ctx.actor_username,
        "actor_role": ctx.actor_role,
        "on_behalf_of_id": ctx.on_behalf_of_id,
        "request_id": ctx.request_id,
        "client_address": ctx.client_address,
        "break_glass_reason": ctx.break_glass_reason,
        "action": action,
        "outcome": outcome,
    }
    values.update({key: value for key, value in fields.items() if value is not None})
    values["detail"] = str(values.get("detail", ""))[:200]
    return AuditEvent(**values)


def record_patient_access(
    patient_id: UUID,
    organisation_id: UUID,
    *,
    action: str,
    object_type: str = "patient",
    object_id: str = "",
) -> None:
    """One event per patient and action per request, written now, inside the transaction."""
    record_patient_accesses([patient_id], organisation_id, action=action, object_type=object_type, object_id=object_id)


def record_patient_accesses(
    patient_ids: Iterable[UUID],
    organisation_id: UUID,
    *,
    action: str,
    object_type: str = "patient",
    object_id: str = "",
) -> None:
    """A list of 120 patients writes 120 events in one bulk insert."""
    ctx = audit_context.current()
    # Reads and lists: one event per patient per request. Writes: one per record written.
    record = "" if action in (Action.READ, Action.LIST) else f"{object_type}:{object_id}"
    fresh = []
    for patient_id in patient_ids:
        key = (patient_id, action, record)
        if key not in ctx.written:
            ctx.written.add(key)
            fresh.append(patient_id)
    if fresh:
        _insert_patient_events(fresh, organisation_id, action=action, object_type=object_type, object_id=object_id)


_EVENT_COLUMNS = [f for f in AuditEvent._meta.concrete_fields if f.column != "id"]  # seal columns start empty


@dataclass(frozen=True, eq=False)
class _Events:
    """One insert's events: the values they share (made ready for the database) and their patients."""

    shared: dict[str, Any]
    patient_ids: list[UUID]
    object_id: str
    # What finds these rows again, should it be unclear whether their transaction committed (`write_held`).
    found_by: dict[str, Any]

    def were_written(self) -> bool:
        return AuditEvent.objects.filter(**self.found_by, patient_id__in=self.patient_ids).exists()


def _insert_patient_events(
    patient_ids: list[UUID], organisation_id: UUID, *, action: str, object_type: str, object_id: str
) -> None:
    """One event per patient, every column but the patient (and its default object id) the same for the
    whole list, so each shared value is prepared for the database once, not once per row (the ORM's
    bulk_create prepares every field of every row, which dominated a 120-row caseload).

    PostgreSQL gets one statement whatever the list's length (`_insert_from_array`); SQLite, multi-row
    INSERTs within its limit on parameters (`_insert_rows`). Both write the same rows, in the list's order,
    so the sealing job chains them exactly as before.

    Outside a transaction, in a view whose service holds the write (decision 0016), the events wait for that
    transaction and go in with it (`_join_held`, `write_held`; decision 0025).
    """
    connection = transaction.get_connection()
    template = _event(action, Outcome.SUCCESS, organisation_id=organisation_id, object_type=object_type)
    shared = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in _EVENT_COLUMNS}
    found_by = {name: getattr(template, name) for name in ("request_id", "occurred_at", "action", "object_type")}
    events = _Events(shared, list(patient_ids), object_id, found_by)
    ctx = audit_context.current()
    if ctx.hold_at is not None and len(connection.atomic_blocks) <= ctx.hold_at:
        ctx.held.append(events)
        return
    # Inside a writing request this joins its transaction; for a read it is the request's one short write.
    with transaction.atomic(savepoint=False):
        _write(connection, [*_join_held(ctx, connection), events])


def _join_held(ctx: audit_context.AuditContext, connection: Any) -> list[_Events]:
    """The held events, to go into the transaction now writing; forgotten once it commits (`on_commit`). If it
    rolls back (or the savepoint they went into does), Django drops the callback, and `write_held` writes
    them."""
    held = [events for events in ctx.held if isinstance(events, _Events)]
    if not held:
        return []
    ctx.held.clear()

    def committed() -> None:
        ctx.joined[:] = [(marker, events) for marker, events in ctx.joined if marker is not committed]

    ctx.joined.append((committed, list(held)))
    transaction.on_commit(committed, using=connection.alias)
    return held


def _write(connection: Any, batches: list[_Events]) -> None:
    with connection.cursor() as cursor:
        for events in batches:
            if connection.vendor == "postgresql":
                _insert_from_array(cursor, connection, events.shared, events.patient_ids, events.object_id)
            else:
                _insert_rows(cursor, connection, events.shared, events.patient_ids, events.object_id)


def write_held() -> None:
    """Called by the middleware once the view has returned: the events no transaction took, and those whose
    transaction did not commit them (the attempt is on record either way), in a transaction of their own.

    Joined events whose commit callback did not run are looked for before they are written again: the
    callback also does not run when an earlier one of the same commit raised, nor while the transaction is
    still open (a test's, around the whole request), and then the rows are there. Only that rare path reads.
    """
    ctx = audit_context.current()
    left = [events for events in ctx.held if isinstance(events, _Events)]
    for _marker, joined in ctx.joined:
        left.extend(events for events in joined if isinstance(events, _Events) and not events.were_written())
    ctx.held.clear()
    ctx.joined.clear()
    ctx.hold_at = None
    if left:
        with transaction.atomic():
            _write(transaction.get_connection(), left)


def _insert_from_array(
    cursor: Any, connection: Any, shared: dict[str, Any], patient_ids: list[UUID], object_id: str
) -> None:
    """`INSERT ... SELECT %s, ..., listed.id ... FROM unnest(%s::uuid[])`: the shared values once, the
    patients as one array. Django's psycopg cursor binds on the client, quoting every value into the SQL
    text in Python; a 120-row multi-row INSERT was three statements of ~900 values and 7-15 ms of a
    caseload request, this is one statement of 18 values and ~2 ms (docs/benchmarks.md, "What we learned").

    Each shared value is cast to its column's type (a bare NULL or string would otherwise be text); text
    for the character columns, whose assignment still refuses a value too long, as the INSERT did. The
    default object id is the patient's id as text (`uuid::text`, the same form as `str(UUID)`).
    """
    columns, values = [], []
    params: list[Any] = []
    for field in _EVENT_COLUMNS:
        columns.append(connection.ops.quote_name(field.column))
        if field.attname == "patient_id":
            values.append("listed.id")
        elif field.attname == "object_id" and not object_id:
            values.append("listed.id::text")
        else:
            cast = "text" if field.get_internal_type() == "CharField" else field.db_type(connection)
            values.append(f"CAST(%s AS {cast})")
            params.append(object_id if field.attname == "object_id" else shared[field.attname])
    params.append(list(patient_ids))
    # Only the model's own column names and types go into the text; every value is a parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(AuditEvent._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} "
        "FROM unnest(%s::uuid[]) WITH ORDINALITY AS listed(id, position) ORDER BY listed.position"
    )
    cursor.execute(sql, params)


def _insert_rows(cursor: Any, connection: Any, shared: dict[str, Any], patient_ids: list[UUID], object_id: str) -> None:
    """Multi-row `INSERT ... VALUES (...), (...)`, in batches within SQLite's limit on parameters."""
    patient_field = AuditEvent._meta.get_field("patient_id")
    rows = []
    for patient_id in patient_ids:
        values = dict(shared)
        values["patient_id"] = patient_field.get_db_prep_save(patient_id, connection)
        values["object_id"] = object_id or str(patient_id)
        rows.append([values[f.attname] for f in _EVENT_COLUMNS])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _EVENT_COLUMNS)
    row_marks = "(" + ", ".join(["%s"] * len(_EVENT_COLUMNS)) + ")"
    batch = max(1, _parameter_limit(connection) // len(_EVENT_COLUMNS))
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        # Only the model's own column names and placeholders go into the text; every value is a parameter.
        placeholders = ", ".join([row_marks] * len(chunk))
        sql = f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES {placeholders}"  # noqa: S608
        cursor.execute(sql, [value for row in chunk for value in row])


def _parameter_limit(connection: Any) -> int:
    """Parameters per statement: what this SQLite build takes (32,766 by default since 3.32, so a caseload's 120
    events go in one statement; 999 before). Other databases use the array insert; 900 keeps the old batches."""
    if connection.vendor == "sqlite":
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 900


def record_security_event(
    action: str,
    *,
    outcome: str = Outcome.SUCCESS,
    actor_id: UUID | None = None,
    actor_username: str = "",
    organisation_id: UUID | None = None,
    patient_id: UUID | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: str = "",
    survive_rollback: bool = False,
) -> None:
    """Logins, failures, lockouts, refusals, role and token changes.

    `survive_rollback` events (a refused access, a failed login) are written after the request's
    transaction ends, so that the refusal that rolls the request back is still on record.
    """
    fields: dict[str, Any] = {
        "patient_id": patient_id,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
    }
    if actor_id is not None:
        fields["actor_id"] = actor_id
    if actor_username:
        fields["actor_username"] = actor_username
    if organisation_id is not None:
        fields["organisation_id"] = organisation_id
    event = _event(action, outcome, **fields)
    if survive_rollback and transaction.get_connection().in_atomic_block:
        audit_context.current().deferred.append(_as_fields(event))
        return
    event.save()


def write_deferred() -> None:
    """Called by the middleware once the request's transaction has ended, committed or not."""
    ctx = audit_context.current()
    if not ctx.deferred:
        return
    events = [AuditEvent(**fields) for fields in ctx.deferred]
    ctx.deferred.clear()
    with transaction.atomic():
        AuditEvent.objects.bulk_create(events)


def _as_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        field.attname: getattr(event, field.attname)
        for field in AuditEvent._meta.concrete_fields
        if field.attname != "id"
    }


ACCESS_ACTIONS = (Action.READ, Action.LIST, Action.CREATE, Action.UPDATE, Action.ENTERED_IN_ERROR, Action.EXPORT)
