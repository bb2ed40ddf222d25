from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    CRITICAL_ITEM = "critical_item", _("Critical item answered")
    RELIABLE_DETERIORATION = "reliable_deterioration", _("Reliable deterioration")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
