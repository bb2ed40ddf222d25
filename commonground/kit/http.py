"""Small helpers for the web layers."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest


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
