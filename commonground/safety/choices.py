from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    CRITICAL_ITEM = "critical_item", _("Critical item answered")
    RELIABLE_DETERIORATION = "reliable_deterioration", _("Reliable deterioration")
    CONCERN = "concern", _("Concern raised by the team")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class EscalationLevel(models.IntegerChoices):
    RAISED = 0, _("Not sent on yet")
    RESPONSIBLE_CLINICIAN = 1, _("Sent on to the responsible clinician")
    ON_CALL = 2, _("Sent on to the on-call clinician")


class StepKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ESCALATED = "escalated", _("Sent on")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    NOTE = "note", _("Note added")


class StepReason(models.TextChoices):
    """Why a step went to the people it went to (shown in the alert's history)."""

    CARE_TEAM = "care_team", _("The care coordinator and the responsible clinician")
    RESPONSIBLE_CLINICIAN = "responsible_clinician", _("The patient's responsible clinician")
    NO_RESPONSIBLE_CLINICIAN = (
        "no_responsible_clinician",
        _("No responsible clinician could be reached, so it went to the on-call role"),
    )
    ON_CALL = "on_call", _("Who is on call on the clinic's rota")
    NOBODY_ON_CALL = (
        "nobody_on_call",
        _("Nobody was on call, so it went to the clinic's clinicians with emergency access"),
    )
    NOBODY_ON_CALL_OR_EMERGENCY = (
        "nobody_on_call_or_emergency",
        _("Nobody was on call and no clinician has emergency access, so it went to the patient's care team"),
    )
