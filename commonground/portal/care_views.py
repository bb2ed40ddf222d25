"""The patient's pages for goals and the milestone ladder, the care plan in plain words, home practice,
the exercise library and reflections on sessions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route


@route(Audience.PATIENT, relationships=(SELF,))
def my_goals(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="goals")
    return render(request, "portal/goals.html", {"patient": patient})
