"""The patient's safety plan: the current version only, the crisis numbers always (even before there is a plan),
readable on a phone and printable."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route
from commonground.portal import selectors as portal_selectors
from commonground.safety import sections, selectors


@route(Audience.PATIENT, relationships=(SELF,))
def my_safety_plan(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="safety_plan")
    plan = selectors.safety_plan_of(patient.id)
    return render(
        request,
        "portal/safety/plan.html",
        {
            "current": selectors.current_version(plan),
            "lines": portal_selectors.crisis_lines(patient),
            "tz": patient.time_zone,
            "section": "safety_plan",
            **sections.as_context(),
        },
    )
