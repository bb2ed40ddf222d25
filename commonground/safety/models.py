"""Alerts that need a clinician's follow-up, who they are for and the steps they went through; each clinic's crisis
resources; and patients' safety plans with their immutable versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient
from commonground.safety.choices import AlertKind, AlertStatus, EscalationLevel, StepKind, Urgency
from commonground.safety.sections import tel


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
    # 0 raised, 1 sent on to the responsible clinician, 2 sent on to the on-call role (decision 0019).
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=EscalationLevel.RAISED)
    escalated_at = models.DateTimeField(_("last sent on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_type", "source_id"], name="one_alert_per_source_and_kind")
        ]
        indexes = [
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["status", "raised_at"]),
            models.Index(fields=["organisation", "status", "urgency"]),
        ]

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class AlertRecipient(BaseModel):
    """Who an alert is for: the care coordinator and the responsible clinician (or the team when neither)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alerts_received")
    level = models.PositiveSmallIntegerField(default=EscalationLevel.RAISED)  # the step that added this person

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


class AlertStep(BaseModel):
    """One step in an alert's life, never changed: raised, sent on (to whom, and why them), acknowledged, or a
    note added afterwards (e.g. by a colleague whose acknowledgement came second)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    level = models.PositiveSmallIntegerField(default=EscalationLevel.RAISED)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sent_to = models.JSONField(default=list, blank=True)  # display names at the time, for the record
    detail = models.TextField(blank=True)  # why these people (e.g. "nobody on call: emergency-access clinicians")

    class Meta:
        ordering = ["at", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "level"], condition=models.Q(kind="escalated"), name="one_escalation_step_per_level"
            )
        ]


class SafetyPlan(ClinicalRecord):
    """A patient's safety plan (Stanley and Brown), made together with them. `version` is the number of its
    current version; every save adds a `SafetyPlanVersion` and never changes an earlier one."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="safety_plan")


class SafetyPlanVersion(BaseModel):
    """One saved version of a safety plan, immutable: what it said, who saved it and when."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    warning_signs = models.JSONField(_("warning signs"), default=list, blank=True)
    coping_strategies = models.JSONField(_("things I can do on my own"), default=list, blank=True)
    distractions = models.JSONField(_("people and places that take my mind off things"), default=list, blank=True)
    help_contacts = models.JSONField(_("people I can ask for help"), default=list, blank=True)  # [{name, phone}]
    professionals = models.JSONField(_("professionals and crisis services"), default=list, blank=True)
    safe_environment = models.JSONField(_("making my surroundings safer"), default=list, blank=True)
    reasons_for_living = models.JSONField(_("my reasons for living"), default=list, blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_safety_plan_version_per_number")]

    def contacts(self, section: str) -> list[dict[str, str]]:
        """The people or services of a section, each with a `tel:` link when its phone is one number."""
        return [{**contact, "tel": tel(contact.get("phone", ""))} for contact in getattr(self, section)]
