"""Sets who is acting for the audit trail and writes the events that must outlive a rollback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from commonground.audit import context as audit_context
from commonground.audit.services import write_deferred, write_held
from commonground.kit.http import client_address, new_request_id
from commonground.kit.middleware import SAFE_METHODS


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = audit_context.AuditContext(request_id=new_request_id(), client_address=client_address(request))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ctx.actor_id = user.id
            ctx.actor_username = user.username
            ctx.actor_role = user.role or user.kind
            ctx.organisation_id = user.organisation_id
        token = audit_context.begin(ctx)
        try:
            response = self.get_response(request)
        finally:
            try:
                try:
                    write_held()
                finally:
                    write_deferred()  # refusals are written whatever became of the held events
            finally:
                audit_context.end(token)
        response.headers["X-Request-ID"] = ctx.request_id
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        """A writing view whose service holds the write (decision 0016): the gateway's events wait for that
        transaction and are written in it, one commit for both (decision 0025)."""
        if request.method not in SAFE_METHODS and getattr(view, "service_is_the_transaction", False):
            audit_context.current().hold_at = len(transaction.get_connection().atomic_blocks)
