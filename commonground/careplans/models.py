"""The shared care plan (one per patient), its therapy elements, the sessions held against it and the
home practice assigned in them. The exercise and psychoeducation library is data (`library/`), not rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.careplans.choices import ElementKind, ElementStatus, PlanStatus, PracticeStatus
from commonground.kit.models import ClinicalRecord
from commonground.patients.models import Patient


class CarePlan(ClinicalRecord):
    """One shared plan per patient, versioned with a reason for each change.

    The plan's `version` guards the plan and its elements together: two clinicians editing the same plan
    cannot both save over each other (see `services`). `goal_ids` links the plan to the patient's goals.
    """

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="care_plan")
    summary = models.TextField(_("what we are working on (for the team)"), max_length=4000)
    patient_summary = models.TextField(_("your plan in plain words (shown to the patient)"), max_length=4000)
    sessions_min = models.PositiveSmallIntegerField(_("sessions planned, at least"), default=6)
    sessions_max = models.PositiveSmallIntegerField(_("sessions planned, at most"), default=12)
    minutes_min = models.PositiveSmallIntegerField(_("minutes per session, from"), default=30)
    minutes_max = models.PositiveSmallIntegerField(_("minutes per session, to"), default=45)
    goal_ids = models.JSONField(_("goals this plan serves"), default=list, blank=True)
    starts_on = models.DateField(_("therapy starts on"))
    review_on = models.DateField(_("next review on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    therapy_ended_on = models.DateField(_("therapy ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why therapy ended"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sessions_min__lte=models.F("sessions_max")), name="plan_sessions_range"
            ),
            models.CheckConstraint(
                condition=models.Q(minutes_min__lte=models.F("minutes_max")), name="plan_minutes_range"
            ),
        ]


class TherapyElement(ClinicalRecord):
    """One element of the plan with who is responsible, how often and how intensely, its order and state."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="elements")
    kind = models.CharField(_("element"), max_length=24, choices=ElementKind.choices)
    description = models.TextField(_("what it involves"), blank=True, max_length=2000)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(_("how often"), max_length=120, blank=True)
    intensity = models.CharField(_("intensity"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    status = models.CharField(max_length=10, choices=ElementStatus.choices, default=ElementStatus.PLANNED)

    class Meta:
        ordering = ["position", "created_at"]


class TherapySession(ClinicalRecord):
    """A session held: when, how long, with whom, the elements used, exercises practised, and its note.

    The patient may add their own reflection afterwards in the portal.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="therapy_sessions")
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("held on"))
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"))
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    elements = models.JSONField(_("elements used"), default=list, blank=True)
    exercises = models.JSONField(_("exercises practised"), default=list, blank=True)
    note = models.OneToOneField(
        "notes.Note", on_delete=models.PROTECT, null=True, blank=True, related_name="therapy_session"
    )
    reflection = models.TextField(_("my reflection"), blank=True, max_length=4000)
    reflection_at = models.DateTimeField(null=True, blank=True)
    # From the form that recorded it: sending the same form twice (Back, then Save again) records one session.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["held_on", "created_at"]
        indexes = [models.Index(fields=["patient", "held_on"])]


class HomePractice(ClinicalRecord):
    """Practice between sessions: a library item (by its slug) or the clinician's own, with how often."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="home_practice")
    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, null=True, blank=True, related_name="home_practice"
    )
    library_item = models.CharField(_("from the library"), max_length=60, blank=True)
    title = models.CharField(_("what to practise"), max_length=200)
    instructions = models.TextField(_("how"), blank=True, max_length=2000)
    how_often = models.CharField(_("how often"), max_length=120, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=PracticeStatus.choices, default=PracticeStatus.ACTIVE)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_on", "created_at"]
        indexes = [models.Index(fields=["patient", "status"])]
