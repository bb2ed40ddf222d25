"""Reads of care teams. The gateway asks `is_on_care_team`; lists are scoped with `patients_of_member`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from commonground.accounts.choices import CLINICAL_ROLES
from commonground.careteam.models import CareTeam, CareTeamMember


def is_on_care_team(user: Any, patient_id: UUID) -> bool:
    """A current place on the team, held in a clinical role (a role change ends what the place grants)."""
    if user.role not in CLINICAL_ROLES:
        return False
    places = CareTeamMember.objects.current().filter(staff_id=user.id, patient_id=patient_id, left_at__isnull=True)
    return places.exists()


def patients_of_member(user: Any) -> QuerySet[Any]:
    """Ids of the patients whose care team the user is on now (a subquery, never a Python list)."""
    places = CareTeamMember.objects.current().filter(staff_id=user.id, left_at__isnull=True)
    if user.role not in CLINICAL_ROLES:
        places = places.none()
    return places.values("patient_id")


def current_members(patient_id: UUID) -> QuerySet[CareTeamMember]:
    return (
        CareTeamMember.objects.current()
        .filter(patient_id=patient_id, left_at__isnull=True)
        .select_related("staff")
        .order_by("team_role", "staff__display_name")
    )


def care_team_of(patient_id: UUID) -> CareTeam | None:
    return (
        CareTeam.objects.filter(patient_id=patient_id)
        .select_related("care_coordinator", "responsible_clinician")
        .first()
    )


def current_places_of(staff_id: UUID) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.current().filter(staff_id=staff_id, left_at__isnull=True)
