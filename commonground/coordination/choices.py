from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewReason(models.TextChoices):
    NOT_IMPROVING = "not_improving", _("Not improving")
    DETERIORATED = "deteriorated", _("Deteriorated")
    CRITICAL_ITEM = "critical_item", _("Critical item")
    OVERDUE = "overdue", _("Measures overdue")
    LONG_WAIT = "long_wait", _("Long wait")
    MANUAL = "manual", _("Raised by a team member")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Waiting for case review")
    REVIEWED = "reviewed", _("Reviewed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
