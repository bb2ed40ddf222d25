"""The patient's pages: today, who looked at my record, my consents."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route
from commonground.careteam import selectors as team_selectors
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.patients import selectors as patient_selectors
from commonground.patients import services as patient_services
from commonground.patients.choices import ConsentScope
from commonground.portal import selectors

# A patient withdraws these themselves; consent to care itself is talked through with the team.
SELF_WITHDRAWABLE = {ConsentScope.SUPPORTER_SHARING, ConsentScope.GROUP_PARTICIPATION, ConsentScope.RESEARCH}


@route(Audience.PATIENT, relationships=(SELF,))
def today(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user)
    now = clock.now()
    context: dict[str, Any] = {
        "patient": patient,
        "today": clock.local_date(now, patient.time_zone),
        "hour": now.astimezone(ZoneInfo(patient.time_zone)).hour,
        "team": team_selectors.care_team_of(patient.id),
        "members": team_selectors.current_members(patient.id),
        "episode": patient_selectors.current_episode(patient),
    }
    return render(request, "portal/today.html", context)


@route(Audience.PATIENT, relationships=(SELF,))
def access_log(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="access_log")
    page = selectors.who_accessed(patient.id, viewer=request.user, page=_page(request))
    return render(request, "portal/access_log.html", {"patient": patient, "page": page, "tz": patient.time_zone})


@route(Audience.PATIENT, relationships=(SELF,))
def my_consents(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="consent")
    return render(
        request,
        "portal/consents.html",
        {
            "patient": patient,
            "consents": patient_selectors.consents(patient),
            "withdrawable": SELF_WITHDRAWABLE,
            "tz": patient.time_zone,
        },
    )


@route(Audience.PATIENT, relationships=(SELF,))
@require_POST
def withdraw_my_consent(request: HttpRequest, consent_id: str) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="consent")
    consent = patient_selectors.consents(patient).filter(pk=consent_id, scope__in=SELF_WITHDRAWABLE).first()
    if consent is None:
        raise Http404()
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Something went wrong with the form. Please try again."))
        patient_services.withdraw_consent(
            consent, expected_version=form.cleaned_data["version"], note="Withdrawn by the patient"
        )
        messages.success(request, _("Done. Your consent is withdrawn from now on."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("portal:consents")


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
