"""Starting and ending emergency access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from commonground.access.models import BreakGlassGrant
from commonground.audit import context as audit_context
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.kit import clock
from commonground.kit.errors import DomainError, NotFound
from commonground.patients.models import Patient

MIN_REASON_LENGTH = 10


@transaction.atomic
def start_break_glass(user: Any, *, record_number: str, reason: str) -> BreakGlassGrant:
    """Open one patient's chart outside the care team for a limited time. Only designated staff."""
    if not (user.is_authenticated and user.is_active and user.can_break_glass):
        raise NotFound()
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(_("Please give the reason for emergency access in a sentence."), field="reason")
    patient = (
        Patient.objects.current()
        .filter(organisation_id=user.organisation_id, record_number=record_number.strip().upper())
        .first()
    )
    if patient is None:
        raise DomainError(_("No patient with that record number in this clinic."), field="record_number")
    now = clock.now()
    grant = BreakGlassGrant.objects.create(
        organisation_id=user.organisation_id,
        user=user,
        patient=patient,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    audit_context.current().break_glass_reason = reason
    record_patient_access(patient.id, patient.organisation_id, action=Action.BREAK_GLASS, object_type="break_glass")
    return grant


def end_break_glass(user: Any, grant_id: Any) -> None:
    BreakGlassGrant.objects.filter(pk=grant_id, user_id=user.id, ended_at__isnull=True).update(ended_at=clock.now())
