"""Care team writes: who is on a patient's team, who coordinates, who is responsible; and handing a
leaving colleague's caseload to someone named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role
from commonground.accounts.services import deactivate_account
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careteam.models import CareTeam, CareTeamMember
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.patients.models import Patient


def _check_clinician(staff: Any, patient: Patient) -> None:
    if staff.kind != AccountKind.STAFF or staff.role not in CLINICAL_ROLES:
        raise DomainError(_("Only clinical staff can be on a care team."), field="staff")
    if not staff.is_active:
        raise DomainError(_("This colleague's account is not active."), field="staff")
    if staff.organisation_id != patient.organisation_id:
        raise DomainError(_("This colleague works for another clinic."), field="staff")


def _audit(patient: Patient, action: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type="care_team", object_id=str(object_id)
    )


@transaction.atomic
def form_care_team(patient: Patient, *, coordinator: Any, responsible_clinician: Any | None = None) -> CareTeam:
    """The patient's one care team, with its coordinator (and responsible clinician) as first members."""
    if CareTeam.objects.filter(patient=patient).exists():
        raise DomainError(_("This patient already has a care team."))
    _check_clinician(coordinator, patient)
    team = save_new(
        CareTeam(
            organisation_id=patient.organisation_id,
            patient=patient,
            care_coordinator=coordinator,
            responsible_clinician=responsible_clinician,
        ),
        reason="Care team formed",
    )
    add_member(patient, staff=coordinator)
    if responsible_clinician is not None and responsible_clinician != coordinator:
        add_member(patient, staff=responsible_clinician)
    return team


@transaction.atomic
def add_member(patient: Patient, *, staff: Any, team_role: str = "") -> CareTeamMember:
    _check_clinician(staff, patient)
    team = CareTeam.objects.filter(patient=patient).first()
    if team is None:
        raise DomainError(_("Form the care team first."))
    if CareTeamMember.objects.current().filter(patient=patient, staff=staff, left_at__isnull=True).exists():
        raise DomainError(_("This colleague is already on the care team."), field="staff")
    member = save_new(
        CareTeamMember(
            organisation_id=patient.organisation_id,
            care_team=team,
            patient=patient,
            staff=staff,
            team_role=team_role or staff.role,
            joined_at=clock.now(),
        ),
        reason="Joined the care team",
    )
    _audit(patient, Action.CREATE, member.id)
    return member


@transaction.atomic
def end_membership(member: CareTeamMember, *, expected_version: int, reason: str) -> CareTeamMember:
    team = member.care_team
    if member.staff_id in (team.care_coordinator_id, team.responsible_clinician_id):
        raise DomainError(
            _("Name a new care coordinator or responsible clinician before this colleague leaves the team.")
        )
    save_edit(
        member,
        expected_version=expected_version,
        reason=reason or "Left the care team",
        changes={"left_at": clock.now()},
    )
    _audit(member.patient, Action.UPDATE, member.id)
    return member


@transaction.atomic
def assign_roles(
    team: CareTeam, *, expected_version: int, coordinator: Any, responsible_clinician: Any | None, reason: str
) -> CareTeam:
    """A new coordinator or responsible clinician joins the team if not on it yet."""
    patient = team.patient
    for person in (coordinator, responsible_clinician):
        if (
            person is not None
            and not CareTeamMember.objects.current()
            .filter(patient=patient, staff=person, left_at__isnull=True)
            .exists()
        ):
            add_member(patient, staff=person)
    if coordinator.role != Role.CARE_COORDINATOR and coordinator.role not in CLINICAL_ROLES:
        raise DomainError(_("The care coordinator must be clinical staff."), field="care_coordinator")
    save_edit(
        team,
        expected_version=expected_version,
        reason=reason or "Care team roles changed",
        changes={"care_coordinator": coordinator, "responsible_clinician": responsible_clinician},
    )
    _audit(patient, Action.UPDATE, team.id)
    return team


@dataclass
class Handover:
    places: int
    coordinated: int
    responsible: int


@transaction.atomic
def offboard_staff(leaver: Any, *, successor: Any, reason: str) -> Handover:
    """A colleague leaves: their caseload goes to the named successor, then their account ends at once."""
    if successor.pk == leaver.pk:
        raise DomainError(_("Choose someone else to take over the caseload."), field="successor")
    if successor.kind != AccountKind.STAFF or successor.role not in CLINICAL_ROLES or not successor.is_active:
        raise DomainError(_("The successor must be an active clinical colleague."), field="successor")
    if successor.organisation_id != leaver.organisation_id:
        raise DomainError(_("The successor works for another clinic."), field="successor")
    handover = Handover(places=0, coordinated=0, responsible=0)
    for member in (
        CareTeamMember.objects.current()
        .filter(staff=leaver, left_at__isnull=True)
        .select_related("patient", "care_team")
    ):
        patient = member.patient
        if not CareTeamMember.objects.current().filter(patient=patient, staff=successor, left_at__isnull=True).exists():
            add_member(patient, staff=successor)
        save_edit(
            member,
            expected_version=member.version,
            reason=f"Handed over: {reason}"[:200],
            changes={"left_at": clock.now()},
        )
        _audit(patient, Action.UPDATE, member.id)
        handover.places += 1
    for team in CareTeam.objects.filter(care_coordinator=leaver):
        save_edit(
            team, expected_version=team.version, reason="Caseload handed over", changes={"care_coordinator": successor}
        )
        handover.coordinated += 1
    for team in CareTeam.objects.filter(responsible_clinician=leaver):
        save_edit(
            team,
            expected_version=team.version,
            reason="Caseload handed over",
            changes={"responsible_clinician": successor},
        )
        handover.responsible += 1
    deactivate_account(leaver, reason=reason)
    return handover
