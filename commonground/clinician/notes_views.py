"""The care team's notes pages (chart tab). Each view parses input, opens the patient through the access
gateway, calls one service or selector, renders."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.clinician.views import _chart


@route(Audience.CLINICIAN)
def notes(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="notes")
    return _chart(request, patient, "notes", "clinician/notes/tab.html")
