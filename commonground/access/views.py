"""Emergency access: designated staff open a chart outside their care teams, with a reason."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.access import services
from commonground.access.forms import BreakGlassForm
from commonground.access.routes import Audience, route
from commonground.kit.errors import DomainError, NotFound


@route(Audience.CLINICIAN)
def break_glass(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.can_break_glass:
        raise Http404()
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.start_break_glass(
                user, record_number=form.cleaned_data["record_number"], reason=form.cleaned_data["reason"]
            )
        except NotFound as error:
            raise Http404() from error
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.warning(
                request,
                _("Emergency access is open for %(minutes)d minutes. Everything you do is recorded with your reason.")
                % {"minutes": settings.BREAK_GLASS_MINUTES},
            )
            return redirect("clinician:chart", patient_id=grant.patient_id)
    return render(request, "access/break_glass.html", {"form": form, "minutes": settings.BREAK_GLASS_MINUTES})
