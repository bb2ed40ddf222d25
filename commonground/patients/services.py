"""Writes to the registry. Callers have opened the patient through the access gateway; each write
records its audit event in the same transaction and its history row with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from commonground.accounts.choices import AccountKind
from commonground.accounts.models import User
from commonground.accounts.services import IssuedLink, invite_patient_account, issue_reset_code
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.patients.choices import ConsentScope, IdentifierSystem, PatientStatus
from commonground.patients.models import CareEpisode, Consent, Patient, PatientIdentifier, Supporter
from commonground.patients.symptoms import SYMPTOM_CODES

EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "preferred_language",
    "education_level",
    "email",
    "phone",
    "address",
    "time_zone",
    "main_symptoms",
    "status",
)


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )


def _check_details(details: dict[str, Any]) -> None:
    unknown = [code for code in details.get("main_symptoms", []) if code not in SYMPTOM_CODES]
    if unknown:
        raise DomainError(_("Unknown symptom code: %(codes)s") % {"codes": ", ".join(unknown)}, field="main_symptoms")
    born = details.get("date_of_birth")
    if born is not None and (born > clock.now().date() or born.year < 1900):
        raise DomainError(_("The date of birth must be a real date in the past."), field="date_of_birth")


def next_record_number(organisation_id: Any) -> str:
    last = Patient.objects.filter(organisation_id=organisation_id).aggregate(top=Max("record_number"))["top"]
    number = int(last.split("-")[1]) + 1 if last else 1
    return f"CG-{number:06d}"


@transaction.atomic
def register_patient(*, organisation: Any, details: dict[str, Any], reason: str = "Registered") -> Patient:
    """A new patient in the registry, with a clinic record number as first identifier."""
    _check_details(details)
    details = {key: value for key, value in details.items() if key in EDITABLE_FIELDS}
    details.setdefault("time_zone", organisation.time_zone)
    patient = Patient(organisation=organisation, record_number=next_record_number(organisation.id), **details)
    save_new(patient, reason=reason)
    save_new(
        PatientIdentifier(
            organisation=organisation,
            patient=patient,
            system=IdentifierSystem.RECORD_NUMBER,
            value=patient.record_number,
        ),
        reason=reason,
    )
    _audit(patient, Action.CREATE, "patient", patient.id)
    return patient


@transaction.atomic
def update_patient(patient: Patient, *, expected_version: int, changes: dict[str, Any], reason: str) -> Patient:
    _check_details(changes)
    changes = {key: value for key, value in changes.items() if key in EDITABLE_FIELDS}
    if not reason.strip():
        raise DomainError(_("Please say why the record is changed."), field="reason")
    save_edit(patient, expected_version=expected_version, reason=reason, changes=changes)
    if patient.user_id and "email" in changes:
        User.objects.filter(pk=patient.user_id).update(email=patient.email)  # resets go to the new address
    _audit(patient, Action.UPDATE, "patient", patient.id)
    return patient


@transaction.atomic
def add_identifier(patient: Patient, *, system: str, value: str) -> PatientIdentifier:
    value = value.strip()
    if system not in IdentifierSystem.values or system == IdentifierSystem.RECORD_NUMBER:
        raise DomainError(_("Choose the kind of number."), field="system")
    if not value:
        raise DomainError(_("Enter the number."), field="value")
    in_use = _("This number is already recorded in this clinic. Check the number, or ask the records office.")
    taken = PatientIdentifier.objects.current().filter(
        organisation_id=patient.organisation_id, system=system, value=value
    )
    if taken.exists():
        raise DomainError(in_use, field="value")
    try:
        with transaction.atomic():
            identifier = save_new(
                PatientIdentifier(organisation_id=patient.organisation_id, patient=patient, system=system, value=value),
                reason="Identifier added",
            )
    except IntegrityError as error:  # recorded by someone else a moment ago
        raise DomainError(in_use, field="value") from error
    _audit(patient, Action.CREATE, "patient_identifier", identifier.id)
    return identifier


# --- care episodes -----------------------------------------------------------------------------


def _patient_today(patient: Patient) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


@transaction.atomic
def open_episode(patient: Patient, *, started_on: date, reason_for_care: str = "") -> CareEpisode:
    if started_on > _patient_today(patient):
        raise DomainError(_("A care episode cannot start in the future."), field="started_on")
    if CareEpisode.objects.current().filter(patient=patient, ended_on__isnull=True).exists():
        raise DomainError(_("This patient already has an open care episode."), field="started_on")
    episode = save_new(
        CareEpisode(
            organisation_id=patient.organisation_id,
            patient=patient,
            started_on=started_on,
            reason_for_care=reason_for_care,
        ),
        reason="Care episode started",
    )
    if patient.status != PatientStatus.ACTIVE:
        save_edit(
            patient,
            expected_version=patient.version,
            reason="Care episode started",
            changes={"status": PatientStatus.ACTIVE},
        )
    _audit(patient, Action.CREATE, "care_episode", episode.id)
    return episode


@transaction.atomic
def close_episode(episode: CareEpisode, *, expected_version: int, ended_on: date, end_reason: str) -> CareEpisode:
    if ended_on > _patient_today(episode.patient):
        raise DomainError(_("A care episode cannot end in the future."), field="ended_on")
    if ended_on < episode.started_on:
        raise DomainError(_("The end date is before the start."), field="ended_on")
    if not episode.is_open:
        raise DomainError(_("This care episode has already ended."))
    save_edit(
        episode,
        expected_version=expected_version,
        reason="Care episode ended",
        changes={"ended_on": ended_on, "end_reason": end_reason},
    )
    patient = episode.patient
    save_edit(
        patient,
        expected_version=patient.version,
        reason="Care episode ended",
        changes={"status": PatientStatus.DISCHARGED},
    )
    _audit(patient, Action.UPDATE, "care_episode", episode.id)
    return episode


# --- consent -------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    patient: Patient,
    *,
    scope: str,
    text_version: str,
    recorded_by: Any,
    scope_reference: str = "",
    given_at: Any = None,
) -> Consent:
    if scope not in ConsentScope.values:
        raise DomainError(_("Choose what the consent is for."), field="scope")
    if not text_version.strip():
        raise DomainError(_("Record which version of the consent text was agreed to."), field="text_version")
    consent = save_new(
        Consent(
            organisation_id=patient.organisation_id,
            patient=patient,
            scope=scope,
            scope_reference=scope_reference,
            text_version=text_version.strip(),
            given_at=given_at or clock.now(),
            recorded_by=recorded_by,
        ),
        reason="Consent given",
    )
    _audit(patient, Action.CREATE, "consent", consent.id)
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, expected_version: int, note: str = "") -> Consent:
    """Takes effect at once: every check of this consent from now on finds it withdrawn."""
    if consent.withdrawn_at is not None:
        raise DomainError(_("This consent was already withdrawn."))
    save_edit(
        consent,
        expected_version=expected_version,
        reason="Consent withdrawn",
        changes={"withdrawn_at": clock.now(), "withdrawal_note": note[:300]},
    )
    _audit(consent.patient, Action.UPDATE, "consent", consent.id)
    return consent


# --- supporters ---------------------------------------------------------------------------------


@transaction.atomic
def add_supporter(
    patient: Patient,
    *,
    name: str,
    relationship: str,
    phone: str = "",
    email: str = "",
    text_version: str,
    recorded_by: Any,
) -> Supporter:
    """A supporter is recorded together with the patient's consent to it, never without."""
    if not name.strip() or not relationship.strip():
        raise DomainError(_("Enter the supporter's name and how they relate to the patient."), field="name")
    consent = record_consent(
        patient, scope=ConsentScope.SUPPORTER_SHARING, text_version=text_version, recorded_by=recorded_by
    )
    supporter = save_new(
        Supporter(
            organisation_id=patient.organisation_id,
            patient=patient,
            consent=consent,
            name=name.strip(),
            relationship=relationship.strip(),
            phone=phone.strip(),
            email=email.strip(),
        ),
        reason="Supporter added with consent",
    )
    consent.scope_reference = str(supporter.id)
    consent.save(update_fields=["scope_reference", "updated_at"])
    _audit(patient, Action.CREATE, "supporter", supporter.id)
    return supporter


@transaction.atomic
def mark_in_error(record: Any, *, expected_version: int, reason: str) -> Any:
    if not reason.strip():
        raise DomainError(_("Please say why this was entered in error."), field="reason")
    mark_entered_in_error(record, expected_version=expected_version, reason=reason)
    patient = record if isinstance(record, Patient) else record.patient
    _audit(patient, Action.ENTERED_IN_ERROR, type(record).__name__.lower(), record.id)
    return record


# --- the patient's own account -------------------------------------------------------------------


@transaction.atomic
def invite_to_portal(patient: Patient, *, invited_by: Any) -> IssuedLink:
    """Create (or re-invite) the patient's portal account: a link by e-mail and a printed code."""
    if patient.status == PatientStatus.DISCHARGED:
        raise DomainError(_("This patient has been discharged; start a new care episode first."))
    user = patient.user
    if user is None:
        user = User.objects.create_user(
            f"invited-{patient.id.hex[:12]}",
            None,
            organisation_id=patient.organisation_id,
            display_name=patient.display_name,
            email=patient.email,
            kind=AccountKind.PATIENT,
        )
        save_edit(patient, expected_version=patient.version, reason="Portal account created", changes={"user": user})
    elif user.email != patient.email:
        user.email = patient.email  # the invitation goes to the address the team has now
        user.save(update_fields=["email"])
    if user.has_usable_password():
        # The patient has an account but cannot get in (no e-mail, forgotten password): a printed code
        # lets them choose a new password.
        _audit(patient, Action.CREATE, "password_reset_code", user.id)
        return issue_reset_code(user, issued_by=invited_by)
    _audit(patient, Action.CREATE, "portal_invitation", user.id)
    return invite_patient_account(user, invited_by=invited_by)
