"""Patients and consents as JSON, through the same gateway and services as the pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from commonground.access import gateway
from commonground.access.api import require_write
from commonground.accounts.choices import CLINICAL_ROLES, Role
from commonground.careteam import services as team_services
from commonground.groups import services as group_services
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.schemas import ShortText
from commonground.patients import selectors, services
from commonground.patients.schemas import ConsentIn, ConsentOut, PatientChange, PatientIn, PatientOut, VersionIn

router = Router(tags=["patients"])


class PatientFilter(Schema):
    search: ShortText = ""
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


@router.get("", response=list[PatientOut])
def list_patients(request: HttpRequest, filters: Query[PatientFilter]) -> list[Any]:
    patients = gateway.visible_patients(request).order_by("family_name", "given_name", "id")
    if filters.search:
        patients = patients.filter(family_name__icontains=filters.search)
    rows = list(patients[filters.offset : filters.offset + filters.limit])
    gateway.audit_listed(rows)
    return rows


@router.post("", response={201: PatientOut})
def register_patient(request: HttpRequest, payload: PatientIn) -> Status[Any]:
    require_write(request)
    user: Any = request.user
    if user.role not in CLINICAL_ROLES:
        raise HttpError(403, _("Only clinical staff register patients."))
    details = payload.dict()
    if not details["time_zone"]:
        details.pop("time_zone")
    elif not clock.is_valid_time_zone(details["time_zone"]):
        raise DomainError(_("Unknown time zone."), field="time_zone")
    with transaction.atomic():
        patient = services.register_patient(organisation=user.organisation, details=details)
        is_coordinator = user.role == Role.CARE_COORDINATOR
        team_services.form_care_team(patient, coordinator=user, responsible_clinician=None if is_coordinator else user)
    return Status(201, patient)


@router.get("/{patient_id}", response=PatientOut)
def get_patient(request: HttpRequest, patient_id: UUID) -> Any:
    return gateway.open_patient(request, patient_id)


@router.patch("/{patient_id}", response={200: PatientOut})
def change_patient(request: HttpRequest, patient_id: UUID, payload: PatientChange) -> Any:
    require_write(request)
    patient = gateway.open_patient(request, patient_id)
    changes = payload.dict(exclude_unset=True, exclude={"version", "reason"})
    changes = {key: value for key, value in changes.items() if value is not None}
    if "time_zone" in changes and not clock.is_valid_time_zone(changes["time_zone"]):
        raise DomainError(_("Unknown time zone."), field="time_zone")
    return services.update_patient(patient, expected_version=payload.version, changes=changes, reason=payload.reason)


@router.get("/{patient_id}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, patient_id: UUID) -> Any:
    patient = gateway.open_patient(request, patient_id, object_type="consent")
    return list(selectors.consents(patient))


@router.post("/{patient_id}/consents", response={201: ConsentOut})
def record_consent(request: HttpRequest, patient_id: UUID, payload: ConsentIn) -> Status[Any]:
    require_write(request)
    patient = gateway.open_patient(request, patient_id, object_type="consent")
    if payload.scope == "supporter_sharing":
        raise DomainError(
            _("Consent to share with a supporter is recorded together with the supporter."), field="scope"
        )
    consent = services.record_consent(
        patient,
        scope=payload.scope,
        text_version=payload.text_version,
        scope_reference=payload.scope_reference,
        recorded_by=request.user,
    )
    return Status(201, consent)


@router.post("/{patient_id}/consents/{consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(request: HttpRequest, patient_id: UUID, consent_id: UUID, payload: VersionIn) -> Any:
    require_write(request)
    patient = gateway.open_patient(request, patient_id, object_type="consent")
    consent = selectors.consents(patient).filter(pk=consent_id).first()
    if consent is None:
        raise HttpError(404, _("Not Found"))
    with transaction.atomic():
        withdrawn = services.withdraw_consent(consent, expected_version=payload.version, note=payload.reason)
        group_services.consent_withdrawn(withdrawn, by=request.user)  # a group place ends with its consent
    return withdrawn
