"""Site-wide pages: where "home" leads, the health check, and the error pages (never a stack trace)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.access.routes import Audience, route
from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role


@route(Audience.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.kind == AccountKind.PATIENT:
        return redirect("portal:today")
    if user.role == Role.PRIVACY_OFFICER:
        return redirect("audit:report")
    if user.role == Role.ADMINISTRATOR:
        return redirect("careteam:staff")
    if user.role == Role.CARE_COORDINATOR:
        return redirect("clinician:registry")  # the coordinator's main page (issue 4 item 8)
    if user.role in CLINICAL_ROLES:
        return redirect("clinician:caseload")
    return render(request, "start.html", {"role": user.get_role_display()})


@route(Audience.PUBLIC)
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def admin_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site's sign-in goes to Common Ground's own (lockout, session clock, audit)."""
    return redirect_to_login(request.GET.get("next", "/admin/"))


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": title}, status=status)
    return render(request, "error.html", {"title": title, "text": text}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Not found"), _("There is nothing here, or it is not yours to see."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("Not allowed"),
        _("This request was refused. If you think this is wrong, ask your administrator."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("Nothing was saved. Please try again; if it happens again, tell your administrator."),
    )
