"""Case review (the multidisciplinary meeting): patients flagged for the team to discuss.

Small on purpose: the coordination issue adds the agenda, meetings, decisions and tasks on top.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.coordination.choices import FlagStatus, ReviewReason
from commonground.kit.models import ClinicalRecord
from commonground.patients.models import Patient


class CaseReviewFlag(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="case_review_flags")
    reason = models.CharField(_("reason"), max_length=20, choices=ReviewReason.choices)
    note = models.CharField(_("note for the team"), max_length=500, blank=True)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(_("flagged"))
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(status="open"), name="one_open_case_review_flag"
            )
        ]
        indexes = [models.Index(fields=["status", "flagged_at"])]
