from django.db import models
from django.utils.translation import gettext_lazy as _


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned (taking enrolments)")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    WAITING = "waiting", _("On the waiting list")
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Left the programme")
    FINISHED = "finished", _("Finished the programme")


# An enrolment in one of these holds (or waits for) a place: a patient has at most one per cohort.
OPEN_ENROLMENT = (EnrolmentStatus.WAITING, EnrolmentStatus.ENROLLED)
# Members who see the group's pages: enrolled now, or finished (they keep the materials and their own plan).
MEMBER_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.FINISHED)


class EnrolmentSource(models.TextChoices):
    CARE_PLAN = "care_plan", _("From the care plan")
    REFERRAL = "referral", _("By referral")


class ShownName(models.TextChoices):
    """What the other members of the group see of a member. First name only unless the member chooses."""

    FIRST_NAME = "first_name", _("My first name only")
    INITIALS = "initials", _("My initials only")
    CHOSEN_NAME = "chosen_name", _("A name I choose")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT_WITH_NOTICE = "absent_with_notice", _("Absent, let us know")
    ABSENT = "absent", _("Absent")


class PairingOrigin(models.TextChoices):
    FACILITATOR = "facilitator", _("Suggested by the facilitator")
    MUTUAL = "mutual", _("Both chose each other")


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for both to agree")
    ACTIVE = "active", _("Partners")
    DECLINED = "declined", _("Not taken up")
    ENDED = "ended", _("Ended")


class PartnerShare(models.TextChoices):
    """What a member may choose to show their partner. Nothing is shared unless chosen."""

    ACTION_PLAN = "action_plan", _("My action plan")
    LADDER_PROGRESS = "ladder_progress", _("Which steps of my goals' ladders I have reached")


class CheckInFeeling(models.TextChoices):
    WELL = "well", _("It went well")
    MIXED = "mixed", _("Some of it went well")
    HARD = "hard", _("It was a hard week")


class PostKind(models.TextChoices):
    SMALL_WIN = "small_win", _("A small win")
    ANNOUNCEMENT = "announcement", _("From the facilitators")
    MATERIAL = "material", _("Material")


class PostStatus(models.TextChoices):
    SHOWN = "shown", _("Shown")
    HIDDEN = "hidden", _("Hidden by a facilitator")
    WITHDRAWN = "withdrawn", _("Taken down by its author")


class ConcernAbout(models.TextChoices):
    PARTNER = "partner", _("My partner or our check-ins")
    GROUP = "group", _("The group")
    OTHER = "other", _("Something else")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
