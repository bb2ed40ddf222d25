"""Alerts that need a clinician's follow-up, who they are for, and each clinic's crisis resources."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient
from commonground.safety.choices import AlertKind, AlertStatus, Urgency


class Alert(ClinicalRecord):
    """Raised by a rule (a critical item, reliable deterioration); stays in view until acknowledged with a note.

    `source_type`/`source_id` name what raised it (e.g. a questionnaire response), so a rule that runs
    twice raises one alert (unique).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    summary = models.CharField(_("what happened"), max_length=300)
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    raised_at = models.DateTimeField(_("raised"))
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledgement_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_type", "source_id"], name="one_alert_per_source_and_kind")
        ]
        indexes = [models.Index(fields=["patient", "status"]), models.Index(fields=["status", "raised_at"])]

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class AlertRecipient(BaseModel):
    """Who an alert is for: the care coordinator and the responsible clinician (or the team when neither)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alerts_received")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "staff"], name="one_recipient_row_per_alert")]


class CrisisResource(BaseModel):
    """Where a patient can get help at once: text and phone numbers the clinic configures, in its languages."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    description = models.CharField(_("when to use it"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
