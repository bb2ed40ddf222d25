"""Security headers for every response: a CSP without inline script, no framing, no caching."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# Swagger UI sets inline styles; the docs page shows no patient data.
API_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ServerTimingMiddleware:
    """Outermost: how long the server spent on the request, as `Server-Timing: app;dur=<ms>`.

    The performance harness reads it to report server time apart from queueing in the load generator.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WritesAreAtomicMiddleware:
    """One transaction per request that may change something (decision 0009).

    An unsafe request (POST, PUT, PATCH, DELETE) runs its whole view, rendering included, in one
    transaction: an exception rolls everything back (a view marked `service_is_the_transaction` holds its own
    transaction in its one service call instead, decision 0016). A safe request reads in autocommit, so on SQLite it
    never holds the database's one write lock while it queries and renders; its only write, the audit
    event of what it showed, is its own short transaction. Must be the last middleware: it runs the view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS or getattr(view, "service_is_the_transaction", False):
            return None
        with transaction.atomic():
            return view(request, *args, **kwargs)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = API_DOCS_POLICY if request.path == "/api/docs" else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not request.path.startswith("/static/"):
            # Pages may show patient data: never kept by the browser or a shared cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response


class MethodNotAllowedPage:
    """A page for a 405 (an address that only takes a form, opened with the browser's address bar or Back)
    instead of Django's empty answer; the API keeps its own shapes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(
            request,
            "error.html",
            {
                "title": _("This page cannot be opened like that"),
                "text": _("This address only takes a form sent from its page. Go back to the page and use its button."),
            },
            status=405,
        )
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
