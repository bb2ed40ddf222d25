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


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class TaskPriority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class ItemStatus(models.TextChoices):
    WAITING = "waiting", _("To discuss")
    DISCUSSED = "discussed", _("Discussed")
    WITHDRAWN = "withdrawn", _("Taken off the agenda")


class RuleKind(models.TextChoices):
    CRITICAL_ITEM = "critical_item", _("Critical item answered → urgent task")
    RELIABLE_DETERIORATION = "reliable_deterioration", _("Reliable deterioration → case-review agenda")
    NO_DIARY = "no_diary", _("No diary entry for a while → check-in task")
    OVERDUE_QUESTIONNAIRE = "overdue_questionnaire", _("Questionnaire overdue after its reminder → task")
    UNACKNOWLEDGED_ALERT = "unacknowledged_alert", _("Urgent alert not acknowledged → escalation")
    UNANSWERED_MESSAGE = "unanswered_message", _("Patient's message not answered in time → task")


class AssignTo(models.TextChoices):
    """Whom a rule's task is for, on the patient's care team (falling back to the other, then to the role)."""

    RESPONSIBLE_CLINICIAN = "responsible_clinician", _("The responsible clinician")
    CARE_COORDINATOR = "care_coordinator", _("The care coordinator")
