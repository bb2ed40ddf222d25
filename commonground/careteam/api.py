"""Care teams as JSON, through the access gateway."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from commonground.access import gateway
from commonground.access.api import require_write
from commonground.accounts import selectors as account_selectors
from commonground.careteam import selectors, services
from commonground.careteam.schemas import CareTeamOut, EndMembershipIn, MemberIn, MemberOut
from commonground.kit.errors import DomainError

router = Router(tags=["care teams"])


@router.get("/{patient_id}/care-team", response=CareTeamOut)
def get_care_team(request: HttpRequest, patient_id: UUID) -> dict[str, Any]:
    patient = gateway.open_patient(request, patient_id, object_type="care_team", allow_break_glass=False)
    team = selectors.care_team_of(patient.id)
    if team is None:
        raise HttpError(404, _("Not Found"))
    return {
        "id": team.id,
        "care_coordinator_id": team.care_coordinator_id,
        "responsible_clinician_id": team.responsible_clinician_id,
        "version": team.version,
        "members": list(selectors.current_members(patient.id)),
    }


@router.post("/{patient_id}/care-team/members", response={201: MemberOut})
def add_member(request: HttpRequest, patient_id: UUID, payload: MemberIn) -> Status[Any]:
    require_write(request)
    patient = gateway.open_patient(request, patient_id, object_type="care_team", allow_break_glass=False)
    user: Any = request.user
    staff = account_selectors.active_clinicians(user.organisation_id).filter(pk=payload.staff_id).first()
    if staff is None:
        raise DomainError(_("No active clinical colleague with that id in this clinic."), field="staff_id")
    return Status(201, services.add_member(patient, staff=staff))


@router.post("/{patient_id}/care-team/members/{member_id}/end", response=MemberOut)
def end_membership(request: HttpRequest, patient_id: UUID, member_id: UUID, payload: EndMembershipIn) -> Any:
    require_write(request)
    patient = gateway.open_patient(request, patient_id, object_type="care_team", allow_break_glass=False)
    member = selectors.current_members(patient.id).filter(pk=member_id).first()
    if member is None:
        raise HttpError(404, _("Not Found"))
    return services.end_membership(member, expected_version=payload.version, reason=payload.reason)
