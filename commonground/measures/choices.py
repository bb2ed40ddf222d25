from django.db import models
from django.utils.translation import gettext_lazy as _


class Occasion(models.TextChoices):
    """Why a questionnaire is asked at this point of the measurement plan."""

    BASELINE = "baseline", _("Baseline")
    INTERVAL = "interval", _("Regular review")
    END_OF_THERAPY = "end_of_therapy", _("End of therapy")
    FOLLOW_UP = "follow_up", _("Follow-up")
    ON_REQUEST = "on_request", _("On request")


class ScheduleStatus(models.TextChoices):
    """Stored states; *due* and *overdue* are read from the dates (see `schedule.due_state`)."""

    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    MISSED = "missed", _("Missed (a later one is due)")


class DueState(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    MISSED = "missed", _("Missed")


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class EntryMode(models.TextChoices):
    PORTAL = "portal", _("By the patient in the portal")
    PAPER = "paper", _("Paper form entered by staff")
    INTERVIEW = "interview", _("Asked by staff (phone or in person)")


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
