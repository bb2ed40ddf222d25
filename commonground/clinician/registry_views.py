"""The coordinator's caseload registry page (issue 4 item 8): parse the filter form, read the registry, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.access.routes import Audience, route
from commonground.clinician import registry as registry_selectors
from commonground.clinician.registry_forms import RegistryForm
from commonground.kit import clock


def _today(request: HttpRequest) -> Any:
    user: Any = request.user
    return clock.local_date(clock.now(), str(user.organisation.time_zone))


@route(Audience.CLINICIAN)
def registry(request: HttpRequest) -> HttpResponse:
    # Searching posts the form: a patient's name is patient data and never goes into a URL.
    form = RegistryForm(request.POST if request.method == "POST" else None, user=request.user)
    page = registry_selectors.registry(request, today=_today(request), choice=form.choice())
    partial = bool(request.headers.get("HX-Request"))
    template = "clinician/registry_rows.html" if partial else "clinician/registry.html"
    return render(request, template, {"form": form, "page": page, "limit": registry_selectors.REGISTRY_LIMIT})
