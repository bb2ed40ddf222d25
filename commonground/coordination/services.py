"""Flagging a patient for case review (the multidisciplinary meeting) and closing the flag."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.coordination.choices import FlagStatus, ReviewReason
from commonground.coordination.models import CaseReviewFlag
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.patients.models import Patient


def flag_for_case_review(patient: Patient, *, by: Any, reason: str, note: str = "") -> CaseReviewFlag:
    """One open flag per patient: flagging again says so instead of adding a second."""
    if reason not in ReviewReason.values:
        raise DomainError(_("Choose a reason for the case review."), field="reason")
    if CaseReviewFlag.objects.current().filter(patient=patient, status=FlagStatus.OPEN).exists():
        raise DomainError(_("This patient is already on the case-review list."))
    flag = CaseReviewFlag(
        patient=patient,
        organisation_id=patient.organisation_id,
        reason=reason,
        note=note.strip()[:500],
        flagged_by=by,
        flagged_at=clock.now(),
    )
    try:
        with transaction.atomic():
            save_new(flag, reason="Flagged for case review")
    except IntegrityError:
        raise DomainError(_("This patient is already on the case-review list.")) from None
    record_patient_access(
        patient.id,
        patient.organisation_id,
        action=Action.CREATE,
        object_type="case_review_flag",
        object_id=str(flag.id),
    )
    return flag


def close_flag(flag: CaseReviewFlag, *, expected_version: int, status: str, reason: str) -> CaseReviewFlag:
    if status not in {FlagStatus.REVIEWED, FlagStatus.WITHDRAWN}:
        raise DomainError(_("A flag is closed as reviewed or withdrawn."))
    if flag.status != FlagStatus.OPEN:
        raise DomainError(_("This flag is already closed."))
    closed = save_edit(
        flag, expected_version=expected_version, reason=reason, changes={"status": status, "closed_at": clock.now()}
    )
    record_patient_access(
        flag.patient_id,
        flag.organisation_id,
        action=Action.UPDATE,
        object_type="case_review_flag",
        object_id=str(flag.id),
    )
    return closed
