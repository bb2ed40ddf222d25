from django.db import models
from django.utils.translation import gettext_lazy as _


class LifeArea(models.TextChoices):
    """Where in life a value sits; the patient's own words say what it is."""

    WORK = "work", _("Work or study")
    FAMILY = "family", _("Family")
    FRIENDS = "friends", _("Friends")
    LEISURE = "leisure", _("Leisure and hobbies")
    SELF_CARE = "self_care", _("Looking after myself")
    HEALTH = "health", _("Health and body")
    HOME = "home", _("Home and daily life")
    COMMUNITY = "community", _("Community and belonging")
    MEANING = "meaning", _("Meaning, faith or spirituality")
    OTHER = "other", _("Something else")


class ProposedBy(models.TextChoices):
    PATIENT = "patient", _("The patient")
    CLINICIAN = "clinician", _("The clinician")
    TOGETHER = "together", _("Both, together")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Working on it")
    ON_HOLD = "on_hold", _("Paused for now")
    ACHIEVED = "achieved", _("Achieved")
    ENDED = "ended", _("Set aside")


class RungState(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet")
    PARTLY = "partly", _("Partly done")
    DONE = "done", _("Done")


class RungStatus(models.TextChoices):
    """Whether a rung is on the ladder. A split or removed rung stays in the history, off the ladder."""

    ON_LADDER = "on_ladder", _("On the ladder")
    SPLIT = "split", _("Split into smaller steps")
    REMOVED = "removed", _("Taken off the ladder")


class LadderEventKind(models.TextChoices):
    ADDED = "added", _("Step added")
    EDITED = "edited", _("Step reworded")
    SPLIT = "split", _("Step split into smaller steps")
    MOVED = "moved", _("Step moved")
    MARKED = "marked", _("Progress marked")
    STEPPED_BACK = "stepped_back", _("Stepped back")
    REMOVED = "removed", _("Step taken off the ladder")


GAS_LEVELS = (-2, -1, 0, 1, 2)


class GasLevel(models.IntegerChoices):
    MUCH_LESS = -2, _("−2 much less than expected")
    SOMEWHAT_LESS = -1, _("−1 somewhat less than expected")
    EXPECTED = 0, _("0 the expected outcome")
    SOMEWHAT_MORE = 1, _("+1 somewhat more than expected")
    MUCH_MORE = 2, _("+2 much more than expected")


class Rating(models.IntegerChoices):
    """Turner-Stokes' importance and difficulty, 1-3: a weight must be positive (clinical decision 12)."""

    A_LITTLE = 1, _("A little")
    MODERATELY = 2, _("Moderately")
    VERY = 3, _("Very")
