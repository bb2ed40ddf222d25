"""Every page declares who may open it. The URL-table test reads these declarations.

`@route(Audience.CLINICIAN)` lets signed-in clinicians in; a patient route (one with `patient_id`)
also names the relationships that grant access, checked by the gateway when the view opens the patient.
Anyone outside the audience gets 404, like anything that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from commonground.access.relationships import CARE_TEAM
from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role
from commonground.audit.choices import Action, Outcome
from commonground.audit.services import record_security_event
from commonground.kit.http import SIGNED_OUT_BEFORE_SAVING, return_path, sent_a_form


class Audience(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    CLINICIAN = "clinician"
    STAFF = "staff"
    PATIENT = "patient"
    ADMINISTRATOR = "administrator"
    PRIVACY_OFFICER = "privacy_officer"


@dataclass(frozen=True)
class RouteRule:
    audience: Audience
    relationships: tuple[str, ...] = (CARE_TEAM,)


def audience_admits(audience: Audience, user: Any) -> bool:
    if audience == Audience.PUBLIC:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if audience == Audience.SIGNED_IN:
        return True
    if audience == Audience.PATIENT:
        return bool(user.kind == AccountKind.PATIENT)
    if user.kind != AccountKind.STAFF:
        return False
    if audience == Audience.STAFF:
        return True
    if audience == Audience.CLINICIAN:
        return user.role in CLINICAL_ROLES
    if audience == Audience.ADMINISTRATOR:
        return bool(user.role == Role.ADMINISTRATOR)
    if audience == Audience.PRIVACY_OFFICER:
        return bool(user.role == Role.PRIVACY_OFFICER)
    return False


def route(audience: Audience, *, relationships: tuple[str, ...] = (CARE_TEAM,)) -> Callable[..., Any]:
    rule = RouteRule(audience, relationships)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if audience != Audience.PUBLIC and not user.is_authenticated:
                if sent_a_form(request):
                    messages.info(request, SIGNED_OUT_BEFORE_SAVING)
                return redirect_to_login(return_path(request))
            if not audience_admits(audience, user):
                record_security_event(
                    Action.ACCESS_REFUSED,
                    outcome=Outcome.DENIED,
                    object_type="page",
                    object_id=request.path[:64],
                    detail=f"outside audience {audience}",
                    survive_rollback=True,
                )
                raise Http404()
            request.access_rule = rule  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded

    return decorate
