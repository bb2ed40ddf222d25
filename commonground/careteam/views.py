"""Administrators' staff pages: who works here, and handing over the caseload of someone who leaves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.access.routes import Audience, route
from commonground.accounts import selectors as account_selectors
from commonground.careteam import services
from commonground.careteam.forms import OffboardForm
from commonground.kit.errors import DomainError


@route(Audience.ADMINISTRATOR)
def staff(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request, "careteam/staff.html", {"staff": account_selectors.staff_of_organisation(user.organisation_id)}
    )


@route(Audience.ADMINISTRATOR)
def offboard(request: HttpRequest, staff_id: str) -> HttpResponse:
    user: Any = request.user
    leaver = account_selectors.staff_of_organisation(user.organisation_id).filter(pk=staff_id, is_active=True).first()
    if leaver is None or leaver.pk == user.pk:
        raise Http404()
    clinicians = account_selectors.active_clinicians(user.organisation_id).exclude(pk=leaver.pk)
    form = OffboardForm(request.POST or None, clinicians=clinicians)
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.offboard_staff(
                leaver, successor=form.cleaned_data["successor"], reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is deactivated; %(n)d care team places were handed over.")
                % {"name": leaver.display_name, "n": handover.places},
            )
            return redirect("careteam:staff")
    return render(request, "careteam/offboard.html", {"form": form, "leaver": leaver})
