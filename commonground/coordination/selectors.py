"""Reads of case-review flags. Callers scope patients through the access gateway."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from commonground.coordination.choices import FlagStatus
from commonground.coordination.models import CaseReviewFlag


def open_flag_of(patient_id: Any) -> CaseReviewFlag | None:
    return CaseReviewFlag.objects.current().filter(patient_id=patient_id, status=FlagStatus.OPEN).first()


def open_flags(patient_ids: list[Any]) -> dict[Any, str]:
    """Per patient with an open flag, its reason (one query)."""
    rows = (
        CaseReviewFlag.objects.current()
        .filter(patient_id__in=patient_ids, status=FlagStatus.OPEN)
        .values_list("patient_id", "reason")
    )
    return dict(rows)


def case_review_list(patient_ids: QuerySet[Any]) -> QuerySet[CaseReviewFlag]:
    """Open flags of the patients the user may see, oldest first (the meeting's agenda, in its first form)."""
    return (
        CaseReviewFlag.objects.current()
        .filter(patient_id__in=patient_ids, status=FlagStatus.OPEN)
        .select_related("patient", "flagged_by")
        .order_by("flagged_at")
    )
