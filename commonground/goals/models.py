"""What matters to the patient (values), the functional goals that serve it, each goal's milestone ladder
with its full history, goal attainment scaling reviews, and each clinic's GAS settings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.goals.choices import (
    GasLevel,
    GoalStatus,
    LadderEventKind,
    LifeArea,
    ProposedBy,
    Rating,
    RungState,
    RungStatus,
)
from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient


class Value(ClinicalRecord):
    """Something that matters to the patient, in one life area, in their own words."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="values")
    life_area = models.CharField(_("life area"), max_length=20, choices=LifeArea.choices)
    words = models.TextField(_("what matters, in the patient's own words"), max_length=1000)
    position = models.PositiveSmallIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["patient", "record_status"])]


class Goal(ClinicalRecord):
    """A functional goal: specific, with a measurable indicator, achievable, linked to a value, time-bound.

    Co-created: who proposed it and that patient and clinician both agreed. The five goal attainment levels
    are described in the patient's words when the goal is set; `baseline_level` is where they start
    (Turner-Stokes: usually −1, or −2 when it could not be worse).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="goals")
    value = models.ForeignKey(Value, on_delete=models.PROTECT, null=True, blank=True, related_name="goals")
    title = models.CharField(_("what I want to be able to do"), max_length=300)
    indicator = models.CharField(_("how we will know (measurable)"), max_length=300)
    target_date = models.DateField(_("by when"))
    proposed_by = models.CharField(_("proposed by"), max_length=12, choices=ProposedBy.choices)
    agreed_by_patient = models.BooleanField(_("the patient agrees"), default=False)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    barriers = models.TextField(_("what might get in the way"), blank=True, max_length=2000)
    enablers = models.TextField(_("what helps"), blank=True, max_length=2000)
    triggers = models.TextField(_("triggers that make symptoms worse"), blank=True, max_length=2000)
    accelerants = models.TextField(_("accelerants: what speeds progress"), blank=True, max_length=2000)
    contingency_plan = models.TextField(_("when symptoms flare, I will …"), blank=True, max_length=2000)
    supporter_ids = models.JSONField(_("supporters involved"), default=list, blank=True)
    importance = models.PositiveSmallIntegerField(_("importance"), choices=Rating.choices, null=True, blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), choices=Rating.choices, null=True, blank=True)
    level_minus_2 = models.CharField(_("−2 much less than expected"), max_length=300)
    level_minus_1 = models.CharField(_("−1 somewhat less than expected"), max_length=300)
    level_0 = models.CharField(_("0 the expected outcome"), max_length=300)
    level_plus_1 = models.CharField(_("+1 somewhat more than expected"), max_length=300)
    level_plus_2 = models.CharField(_("+2 much more than expected"), max_length=300)
    baseline_level = models.SmallIntegerField(_("where we start"), choices=GasLevel.choices, default=-1)
    set_on = models.DateField(_("set on"))
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    # The day the goal was achieved or set aside (empty while it is worked on or paused): a goal set aside
    # stops counting in the goal attainment trend from that day.
    closed_on = models.DateField(_("achieved or set aside on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(baseline_level__gte=-2, baseline_level__lte=2), name="goal_baseline_level_in_range"
            )
        ]
        indexes = [models.Index(fields=["patient", "status"])]

    def level_words(self, level: int) -> str:
        return str(getattr(self, LEVEL_FIELDS[level]))


LEVEL_FIELDS = {-2: "level_minus_2", -1: "level_minus_1", 0: "level_0", 1: "level_plus_1", 2: "level_plus_2"}


class Milestone(ClinicalRecord):
    """One rung of a goal's ladder: a small doable action with a target date.

    Rungs are never deleted: a split rung or one taken off the ladder keeps its row with its status, and every
    change is a `LadderEvent`, so the ladder's whole history can be read back.
    """

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="milestones")
    position = models.PositiveSmallIntegerField(_("step"))
    action = models.CharField(_("small doable step"), max_length=300)
    target_date = models.DateField(_("aim to do it by"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=RungState.choices, default=RungState.NOT_YET)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RungStatus.choices, default=RungStatus.ON_LADDER)
    split_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="split_into")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["goal", "status", "position"])]

    @property
    def on_ladder(self) -> bool:
        return self.status == RungStatus.ON_LADDER


class LadderEvent(BaseModel):
    """What happened on a ladder, in order; append-only. A step back carries its reason, as information."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="ladder_events")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    kind = models.CharField(max_length=14, choices=LadderEventKind.choices)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("what happened"), blank=True, max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "created_at"]
        indexes = [models.Index(fields=["goal", "at"])]


class GasReview(ClinicalRecord):
    """At a review, the goal attainment level reached on one goal (−2..+2)."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    level = models.SmallIntegerField(_("level reached"), choices=GasLevel.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reviewed_on", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=-2, level__lte=2), name="gas_review_level_in_range")
        ]
        indexes = [models.Index(fields=["goal", "reviewed_on"])]


class GasSettings(BaseModel):
    """A clinic's choice of goal weights (importance × difficulty, or every goal alike) and ρ."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    weighted = models.BooleanField(_("weight goals by importance × difficulty"), default=False)
    rho = models.DecimalField(
        _("ρ, the assumed correlation between goals"), max_digits=4, decimal_places=3, default=Decimal("0.300")
    )

    class Meta:
        verbose_name = _("goal attainment scaling settings")
        verbose_name_plural = _("goal attainment scaling settings")
