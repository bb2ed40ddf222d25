"""Small helpers for the web layers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

SIGNED_OUT_BEFORE_SAVING = _(
    "You were signed out to protect your information, so what you sent was not saved. Please sign in, then do it again."
)


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a proxy (COMMONGROUND_BEHIND_PROXY) it is the last address the
    proxy appended to X-Forwarded-For; earlier entries come from the client and are not trusted."""
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def new_request_id() -> str:
    return uuid.uuid4().hex


def is_background_poll(request: HttpRequest) -> bool:
    """Polling requests say so; they never count as the user being active."""
    return request.headers.get("X-Background-Poll") == "1"


def post_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """`require_POST`, marked so that `return_path` never sends anyone back to it after signing in (a GET of
    it would only answer "method not allowed")."""
    guarded = require_POST(view)
    guarded.post_only = True  # type: ignore[attr-defined]
    return guarded


def service_is_the_transaction(view: Callable[..., Any]) -> Callable[..., Any]:
    """A writing view whose one write is a single service call (itself `@transaction.atomic`): the view reads,
    checks and validates in autocommit, and only the service holds the write transaction (decision 0016).
    On SQLite the database's one write lock is then held for the inserts, not for the whole request. The
    gateway's audit event of the attempt is written at once, like a read's. Put it outermost, above @route."""
    view.service_is_the_transaction = True  # type: ignore[attr-defined]
    return view


def _answers_get(path: str) -> bool:
    try:
        found = resolve(path)
    except Resolver404:
        return False
    return not getattr(found.func, "post_only", False)


def return_path(request: HttpRequest) -> str:
    """Where to come back to after signing in again. A page: itself. A form sent after the session ended: the
    page the form was on (its Referer, if it is ours), never the form's POST-only address, which would
    answer "method not allowed" after signing in."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = str(request.headers.get("Referer", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if _answers_get(parts.path):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def sent_a_form(request: HttpRequest) -> bool:
    return request.method not in ("GET", "HEAD", "OPTIONS")
