"""Places in a group: enrolment with consent and what others see, the waiting list, offering a place, leaving
(by the member, the clinic, or by withdrawing consent), and the member's own choices. Re-exported by services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from commonground.access.gateway import record_write
from commonground.audit.choices import Action
from commonground.careplans import services as careplans_services
from commonground.careplans.choices import PracticeStatus
from commonground.careteam import selectors as careteam_selectors
from commonground.groups import checks, names, selectors
from commonground.groups.choices import (
    MEMBER_STATUSES,
    OPEN_ENROLMENT,
    CohortStatus,
    EnrolmentSource,
    EnrolmentStatus,
    ShownName,
)
from commonground.groups.members import (
    end_open_pairings,
)
from commonground.groups.models import (
    Cohort,
    Enrolment,
    PracticeCopy,
)
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.patients import services as patients_services
from commonground.patients.choices import ConsentScope, PatientStatus
from commonground.patients.models import Patient

# Patients the clinic is caring for (referred or in care); a discharged patient is not offered a place.
IN_CARE = (PatientStatus.REFERRED, PatientStatus.ACTIVE)
# The version of the group consent wording the portal and the staff form show (portal/groups consent text).
CONSENT_TEXT_VERSION = "group-participation-1"


class CohortFull(DomainError):
    """No place was left when the booking came: the message offers the waiting list."""


# --- enrolment ----------------------------------------------------------------------------------------------


def _first_name(patient: Patient) -> str:
    return patient.preferred_name or patient.given_name


def _take_place(cohort: Cohort) -> bool:
    """ONE conditional UPDATE: a place is taken only while one is left, so two bookings of the last place cannot
    both succeed (the second waits for the first's row lock, then finds none left)."""
    taken = Cohort.objects.filter(
        pk=cohort.pk,
        places_taken__lt=F("capacity"),
        status__in=(CohortStatus.PLANNED, CohortStatus.RUNNING),
        record_status="active",
    ).update(places_taken=F("places_taken") + 1, updated_at=clock.now())
    return bool(taken)


def _free_place(cohort_id: UUID) -> None:
    Cohort.objects.filter(pk=cohort_id, places_taken__gt=0).update(
        places_taken=F("places_taken") - 1, updated_at=clock.now()
    )


def _full(patient: Patient) -> CohortFull:
    return CohortFull(
        _("The last place has just been taken. You can put %(name)s on the waiting list.")
        % {"name": _first_name(patient)}
    )


def _checked_choices(shown_name: str, chosen_name: str) -> tuple[str, str]:
    shown = checks.choice(shown_name or ShownName.FIRST_NAME, "shown_name", ShownName)
    chosen = checks.text(chosen_name, "chosen_name", limit=40)
    if shown == ShownName.CHOSEN_NAME and not chosen:
        raise DomainError(_("Write the name you would like the group to see."), field="chosen_name")
    return shown, chosen if shown == ShownName.CHOSEN_NAME else ""


def _name_allowed(cohort_id: Any, patient: Patient, shown: str, chosen: str, *, other_than: Any = None) -> None:
    """A chosen name carries neither the family name nor the record number, and no other current member of the
    group already goes by it."""
    if shown != ShownName.CHOSEN_NAME:
        return
    if not names.leaves_out_private(chosen, patient.family_name, patient.record_number):
        raise DomainError(_("Please leave out your family name and record number."), field="chosen_name")
    others = (
        Enrolment.objects.current()
        .filter(cohort_id=cohort_id, status__in=(*MEMBER_STATUSES, EnrolmentStatus.WAITING))
        .exclude(patient=patient)
        .select_related("patient")
    )
    if other_than is not None:
        others = others.exclude(pk=other_than)
    taken = {selectors.plain_name_of(other).casefold() for other in others}
    if chosen.casefold() in taken:
        raise DomainError(_("Another member already goes by that name; please choose another."), field="chosen_name")


def _may_enrol(cohort: Cohort, patient: Patient, source: str, consent_given: bool, by: Any) -> None:
    """The group's facilitators and the clinic's coordinators enrol; so does a member of the patient's current
    care team (offering a place from the care plan)."""
    if not (checks.is_staff_of(by, cohort.organisation_id) and careteam_selectors.is_on_care_team(by, patient.id)):
        checks.runs_cohort(cohort, by)
    if patient.organisation_id != cohort.organisation_id or patient.is_entered_in_error:
        raise DomainError(_("This person is not a patient of the clinic."))
    if patient.status not in IN_CARE:
        raise DomainError(
            _("%(name)s is no longer in care at the clinic.") % {"name": _first_name(patient)}, field="patient"
        )
    if cohort.status not in (CohortStatus.PLANNED, CohortStatus.RUNNING):
        raise DomainError(_("This group has finished or was cancelled; it takes no new members."))
    checks.choice(source, "source", EnrolmentSource)
    if not consent_given:
        raise DomainError(
            _("%(name)s needs to agree to take part in the group first.") % {"name": _first_name(patient)},
            field="consent_given",
        )
    if Enrolment.objects.current().filter(cohort=cohort, patient=patient, status__in=OPEN_ENROLMENT).exists():
        raise DomainError(
            _("%(name)s already has a place in this group or is on its waiting list.") % {"name": _first_name(patient)}
        )


@transaction.atomic
def enrol(
    cohort: Cohort,
    patient: Patient,
    *,
    source: str,
    consent_given: bool,
    by: Any,
    shown_name: str = ShownName.FIRST_NAME,
    chosen_name: str = "",
    wants_partner: bool = False,
    referral_id: UUID | None = None,
    waiting_list_if_full: bool = False,
) -> Enrolment:
    """A place in the group (or on its waiting list), with the patient's consent to take part recorded.

    No place left: `CohortFull`, unless `waiting_list_if_full` (then the patient waits)."""
    _may_enrol(cohort, patient, source, consent_given, by)
    shown, chosen = _checked_choices(shown_name, chosen_name)
    _name_allowed(cohort.id, patient, shown, chosen)
    placed = _take_place(cohort)
    if not placed and not waiting_list_if_full:
        raise _full(patient)
    consent = patients_services.record_consent(
        patient,
        scope=ConsentScope.GROUP_PARTICIPATION,
        text_version=CONSENT_TEXT_VERSION,
        recorded_by=by,
        scope_reference=str(cohort.id),
    )
    now = clock.now()
    enrolment = Enrolment(
        cohort=cohort,
        patient=patient,
        organisation_id=cohort.organisation_id,
        status=EnrolmentStatus.ENROLLED if placed else EnrolmentStatus.WAITING,
        source=source,
        referral_id=checks.as_uuid(referral_id) if referral_id else None,
        consent=consent,
        shown_name=shown,
        chosen_name=chosen,
        wants_partner=bool(wants_partner),
        waiting_since=None if placed else now,
        enrolled_at=now if placed else None,
        enrolled_by=by,
    )
    try:
        with transaction.atomic():
            save_new(enrolment, reason="Enrolled" if placed else "Put on the waiting list")
    except IntegrityError:  # the same patient booked by someone else a moment ago
        raise DomainError(
            _("%(name)s already has a place in this group or is on its waiting list.") % {"name": _first_name(patient)}
        ) from None
    record_write(patient, action=Action.CREATE, object_type="group_enrolment", object_id=str(enrolment.id))
    return enrolment


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    locked: Enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("patient", "cohort").get(pk=enrolment.pk)
    )
    return locked


@transaction.atomic
def offer_place(enrolment: Enrolment, *, by: Any) -> Enrolment:
    """Someone on the waiting list gets a place, taken the same way as at enrolment."""
    checks.runs_cohort(enrolment.cohort, by)
    saved = _locked_enrolment(enrolment)
    if saved.status != EnrolmentStatus.WAITING:
        raise DomainError(_("Only someone on the waiting list can be offered a place."))
    checks.not_over(saved.cohort)
    if not _take_place(saved.cohort):
        raise CohortFull(
            _("There is no place left in the group. %(name)s stays on the waiting list.")
            % {"name": _first_name(saved.patient)}
        )
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason="Offered a place",
        changes={"status": EnrolmentStatus.ENROLLED, "enrolled_at": clock.now()},
    )
    record_write(saved.patient, action=Action.UPDATE, object_type="group_enrolment", object_id=str(saved.id))
    return saved


def _close(enrolment: Enrolment, to: str, *, reason: str, by: Any) -> Enrolment:
    """Withdraw or finish: a place held is freed, pairings end, group practice still running stops."""
    if enrolment.status == EnrolmentStatus.ENROLLED and to == EnrolmentStatus.WITHDRAWN:
        _free_place(enrolment.cohort_id)
    end_open_pairings(enrolment)
    _end_group_practice(enrolment, by=by)
    closed = save_edit(
        enrolment,
        expected_version=enrolment.version,
        reason="Left the group" if to == EnrolmentStatus.WITHDRAWN else "Finished the group",
        changes={"status": to, "ended_at": clock.now(), "end_reason": reason[: checks.REASON_MAX]},
    )
    record_write(enrolment.patient, action=Action.UPDATE, object_type="group_enrolment", object_id=str(closed.id))
    return closed


def _end_group_practice(enrolment: Enrolment, *, by: Any) -> None:
    copies = PracticeCopy.objects.filter(
        enrolment=enrolment, home_practice__status=PracticeStatus.ACTIVE, home_practice__record_status="active"
    ).select_related("home_practice")
    for copy in copies:
        practice = copy.home_practice
        careplans_services.end_home_practice(practice, expected_version=practice.version, by=by)


@transaction.atomic
def withdraw(enrolment: Enrolment, *, reason: str, by: Any) -> Enrolment:
    """The member leaves the group (or the waiting list): their place is free at once for someone waiting."""
    checks.runs_cohort(enrolment.cohort, by)
    why = checks.text(reason, "reason", limit=checks.REASON_MAX)
    saved = _locked_enrolment(enrolment)
    if saved.status not in OPEN_ENROLMENT:
        raise DomainError(_("This person has already left the group."))
    return _close(saved, EnrolmentStatus.WITHDRAWN, reason=why, by=by)


@transaction.atomic
def consent_withdrawn(consent: Any, *, by: Any) -> Enrolment | None:
    """The patient withdrew their consent to take part in a group (scope group_participation, the reference is
    the cohort's id): their open enrolment in that group ends at once (place freed, pairings and group practice
    ended). Called by the pages that withdraw a consent, in the same transaction. Any other consent: nothing."""
    if consent.scope != ConsentScope.GROUP_PARTICIPATION or consent.withdrawn_at is None:
        return None
    cohort_id = checks.as_uuid(consent.scope_reference)
    if cohort_id is None:
        return None
    found: Enrolment | None = (
        Enrolment.objects.current()
        .filter(cohort_id=cohort_id, patient_id=consent.patient_id, status__in=OPEN_ENROLMENT)
        .first()
    )
    if found is None:
        return None
    saved = _locked_enrolment(found)
    if saved.status not in OPEN_ENROLMENT:
        return None
    return _close(saved, EnrolmentStatus.WITHDRAWN, reason=_("Consent to take part withdrawn"), by=by)


@transaction.atomic
def change_member_choices(enrolment: Enrolment, *, shown_name: str, chosen_name: str, wants_partner: bool) -> Enrolment:
    """The member's own choices: what the others see of them, and whether they would like a partner."""
    saved = _locked_enrolment(enrolment)
    if saved.status not in (*MEMBER_STATUSES, EnrolmentStatus.WAITING):
        raise DomainError(_("You are no longer in this group."))
    shown, chosen = _checked_choices(shown_name, chosen_name)
    _name_allowed(saved.cohort_id, saved.patient, shown, chosen, other_than=saved.pk)
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason="Member's choices changed",
        changes={"shown_name": shown, "chosen_name": chosen, "wants_partner": bool(wants_partner)},
    )
    record_write(saved.patient, action=Action.UPDATE, object_type="group_enrolment", object_id=str(saved.id))
    return saved
