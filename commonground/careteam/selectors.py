"""Reads of care teams. The gateway asks `is_on_care_team`; lists are scoped with `patients_of_member`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet, UUIDField

from commonground.accounts.choices import CLINICAL_ROLES
from commonground.careteam.models import CareTeam, CareTeamMember, OnCallShift
from commonground.kit.prepared import Param, PreparedRead

# Asked by the gateway for every patient page: prepared (kit/prepared.py).
CURRENT_PLACE = PreparedRead(
    lambda: (
        CareTeamMember.objects.current()
        .filter(staff_id=Param("staff", UUIDField()), patient_id=Param("patient", UUIDField()), left_at__isnull=True)
        .values_list("id")[:1]
    )
)


def is_on_care_team(user: Any, patient_id: UUID) -> bool:
    """A current place on the team, held in a clinical role (a role change ends what the place grants)."""
    if user.role not in CLINICAL_ROLES:
        return False
    return bool(CURRENT_PLACE.all(staff=user.id, patient=patient_id))


def patients_of_member(user: Any) -> QuerySet[Any]:
    """Ids of the patients whose care team the user is on now (a subquery, never a Python list)."""
    places = CareTeamMember.objects.current().filter(staff_id=user.id, left_at__isnull=True)
    if user.role not in CLINICAL_ROLES:
        places = places.none()
    return places.values("patient_id")


def current_members(patient_id: UUID | Param) -> QuerySet[CareTeamMember]:
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


def team_overview(patient_id: UUID) -> tuple[CareTeam | None, list[CareTeamMember]]:
    """What the chart's overview shows of the team: its coordinator and responsible clinician, and its
    current members with their roles, as `current_members` orders them.

    One prepared query (kit/prepared.py): the members, each with the team and its two named people joined,
    and of every person only the name (`.only()`: a user's full row, password hash included, cost more to
    build than the query). A team without a current member needs a second query for the team itself. The
    objects are partial: read the names and roles shown, nothing else (another field would cost a query each).
    """
    members = TEAM_OVERVIEW.all(patient=patient_id)
    if members:
        return members[0].care_team, members
    team = (
        CareTeam.objects.filter(patient_id=patient_id)
        .select_related("care_coordinator", "responsible_clinician")
        .only("care_coordinator__display_name", "responsible_clinician__display_name")
        .first()
    )
    return team, []


TEAM_OVERVIEW = PreparedRead(
    lambda: (
        current_members(Param("patient", UUIDField()))
        .select_related("care_team__care_coordinator", "care_team__responsible_clinician")
        .only(
            "team_role",
            "staff__display_name",
            "care_team__care_coordinator__display_name",
            "care_team__responsible_clinician__display_name",
        )
    )
)


def current_places_of(staff_id: UUID) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.current().filter(staff_id=staff_id, left_at__isnull=True)


def on_call_now(organisation_id: Any, now: Any) -> list[Any]:
    """The active clinical staff on call for the clinic at `now` (the rota's shifts that cover it)."""
    shifts = (
        OnCallShift.objects.filter(organisation_id=organisation_id, starts_at__lte=now, ends_at__gt=now)
        .select_related("staff")
        .order_by("starts_at")
    )
    people = {
        shift.staff.id: shift.staff for shift in shifts if shift.staff.is_active and shift.staff.role in CLINICAL_ROLES
    }
    return list(people.values())


def on_call_rota(organisation_id: Any, now: Any, *, upcoming: int = 5) -> list[Any]:
    """The shifts on now and the next few, for the alerts centre."""
    return list(
        OnCallShift.objects.filter(organisation_id=organisation_id, ends_at__gt=now)
        .select_related("staff")
        .order_by("starts_at")[:upcoming]
    )


def current_staff_of(patient_ids: Any) -> dict[Any, list[Any]]:
    """Per patient, the active staff with a current place on the care team in a clinical role (those who may
    open the patient as the care team), by name (one query)."""
    places = (
        CareTeamMember.objects.current()
        .filter(patient_id__in=patient_ids, left_at__isnull=True)
        .filter(staff__is_active=True, staff__role__in=CLINICAL_ROLES)
        .select_related("staff")
        .order_by("staff__display_name")
    )
    found: dict[Any, list[Any]] = {}
    for place in places:
        found.setdefault(place.patient_id, []).append(place.staff)
    return found
