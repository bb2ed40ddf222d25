"""Small helpers for the web layers."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

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
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def sent_a_form(request: HttpRequest) -> bool:
    return request.method not in ("GET", "HEAD", "OPTIONS")
