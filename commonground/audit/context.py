"""Who is acting in this request or job: set once by the middleware, read by every audit write."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class AuditContext:
    request_id: str = ""
    client_address: str = ""
    actor_id: UUID | None = None
    actor_username: str = ""
    actor_role: str = ""
    organisation_id: UUID | None = None
    on_behalf_of_id: UUID | None = None
    break_glass_reason: str = ""
    # (patient id, action) pairs already written in this request: one event per patient per request.
    written: set[tuple[UUID, str, str]] = field(default_factory=set)
    # Events that must survive the request's rollback (refusals), written after the response.
    deferred: list[dict[str, object]] = field(default_factory=list)
    # A view whose one write is its service's transaction (decision 0016): the gateway's events wait for that
    # transaction and go in with it (decision 0025). `hold_at`: the connection's depth of atomic blocks when
    # the view began (None: nothing waits); `held`: events waiting; `joined`: (marker, events) that went into
    # a transaction. Whatever has not been committed when the request ends is written then.
    hold_at: int | None = None
    held: list[object] = field(default_factory=list)
    joined: list[tuple[object, list[object]]] = field(default_factory=list)


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def current() -> AuditContext:
    context = _current.get()
    if context is None:
        context = AuditContext()
        _current.set(context)
    return context


def begin(context: AuditContext) -> object:
    return _current.set(context)


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def identify(actor_id: UUID | None, username: str, role: str, organisation_id: UUID | None) -> None:
    context = current()
    context.actor_id = actor_id
    context.actor_username = username
    context.actor_role = role
    context.organisation_id = organisation_id
