from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role
from commonground.accounts.models import ApiToken, OneTimeLink, User
from commonground.kit import clock


def usable_link_by_id(link_id: Any, purpose: str) -> OneTimeLink | None:
    if not link_id:
        return None
    link = OneTimeLink.objects.filter(pk=link_id, purpose=purpose).select_related("user").first()
    return link if link is not None and link.is_usable(clock.now()) else None


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    """An administrator sees every token of the clinic; anyone else their own."""
    tokens = ApiToken.objects.filter(user__organisation_id=user.organisation_id)
    if user.role != Role.ADMINISTRATOR:
        tokens = tokens.filter(user_id=user.id)
    return tokens.select_related("user").order_by("-created_at")


def token_visible_to(user: Any, token_id: Any) -> ApiToken:
    try:
        return tokens_visible_to(user).get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError) as error:
        raise Http404() from error


def active_clinicians(organisation_id: Any) -> QuerySet[User]:
    return User.objects.filter(
        organisation_id=organisation_id, kind=AccountKind.STAFF, role__in=CLINICAL_ROLES, is_active=True
    ).order_by("display_name")


def staff_of_organisation(organisation_id: Any) -> QuerySet[User]:
    return User.objects.filter(organisation_id=organisation_id, kind=AccountKind.STAFF).order_by(
        "-is_active", "display_name"
    )
