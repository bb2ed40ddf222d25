"""The two kinds of conversation about a patient."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThreadKind(models.TextChoices):
    # The care team's own threads about the patient: never shown to the patient.
    TEAM = "team", _("Care team")
    # The patient's one conversation with their team, from the portal.
    PATIENT = "patient", _("With the patient")
