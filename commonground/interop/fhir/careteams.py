"""A patient's care team as a FHIR R4 CareTeam (decision 0019).

- One CareTeam per patient (`subject`), `status` active, `managingOrganization` the clinic.
- Each current member is a `participant`: `member` a Practitioner, `period.start` when they joined, and
  `role` their role on the team (local code system `care-team-roles`, the team role's code), plus
  `care-coordinator` and/or `responsible-clinician` when they hold those places.
- A member who left is not listed: the team is given as it is now.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careteam import CareTeam as FhirCareTeam
from fhir.resources.R4B.careteam import CareTeamParticipant
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference

from commonground.accounts.choices import Role
from commonground.careteam import selectors
from commonground.careteam.models import CareTeam
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import base_url, patient_reference_of
from commonground.patients.models import Patient

COORDINATOR: Final = ("care-coordinator", "Care coordinator")
RESPONSIBLE: Final = ("responsible-clinician", "Responsible clinician")


def care_team_roles_system() -> str:
    return f"{base_url()}/CodeSystem/care-team-roles"


def care_team_resource(team: CareTeam, members: list[Any]) -> FhirCareTeam:
    return FhirCareTeam(
        id=str(team.id),
        status="active",
        name="Care team",
        subject=Reference(reference=patient_reference_of(team.patient_id)),
        managingOrganization=[Reference(reference=f"Organization/{team.organisation_id}")],
        participant=[_participant(team, member) for member in members] or None,
    )


def _participant(team: CareTeam, member: Any) -> CareTeamParticipant:
    roles = [_role(member.team_role, _role_display(member.team_role))]
    if member.staff_id == team.care_coordinator_id:
        roles.append(_role(*COORDINATOR))
    if member.staff_id == team.responsible_clinician_id:
        roles.append(_role(*RESPONSIBLE))
    return CareTeamParticipant(
        role=roles,
        member=Reference(reference=f"Practitioner/{member.staff_id}", display=member.staff.display_name),
        period=Period(start=member.joined_at),
    )


def _role_display(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def _role(code: str, display: str) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=care_team_roles_system(), code=code, display=display)], text=display)


def patient_id_of_care_team(care_team_id: UUID) -> UUID | None:
    return CareTeam.objects.current().filter(pk=care_team_id).values_list("patient_id", flat=True).first()


def care_team_of(patient: Patient, care_team_id: UUID | None = None) -> FhirCareTeam | None:
    team = selectors.care_team_of(patient.id)
    if team is None or team.is_entered_in_error or (care_team_id is not None and team.id != care_team_id):
        return None
    return care_team_resource(team, list(selectors.current_members(patient.id)))


def care_teams_bundle(patient: Patient, *, self_url: str) -> Bundle:
    found = care_team_of(patient)
    return searchset([found] if found is not None else [], self_url=self_url)
