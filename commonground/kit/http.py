"""Small helpers for the web layers."""

from __future__ import annotations

import uuid

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the server saw it (the proxy's own header is trusted only behind one)."""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def new_request_id() -> str:
    return uuid.uuid4().hex


def is_background_poll(request: HttpRequest) -> bool:
    """Polling requests say so; they never count as the user being active."""
    return request.headers.get("X-Background-Poll") == "1"
