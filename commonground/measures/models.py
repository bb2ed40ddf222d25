"""Measurement plans, the questionnaires they schedule, responses with their scores, reminders sent,
and each clinic's registry settings. Instrument definitions are data files, not rows (DESIGN rule 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.measures.choices import EntryMode, Occasion, ReminderChannel, ResponseStatus, ScheduleStatus
from commonground.patients.models import Patient

DEFAULT_KEY_INSTRUMENTS = ["phq15", "sss8", "phq9", "gad7", "wsas"]
DEFAULT_PLAN_INSTRUMENTS = ["phq15", "phq9", "gad7", "wsas"]


class MeasurementPlan(ClinicalRecord):
    """One plan per patient: which questionnaires, at baseline, every N weeks, at the end of therapy and at follow-up.

    Edits are versioned with a reason; the schedule is rebuilt from the plan without touching answered items.
    """

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="measurement_plan")
    instruments = models.JSONField(_("questionnaires"), default=list)
    starts_on = models.DateField(_("baseline due on"))
    interval_weeks = models.PositiveSmallIntegerField(_("every how many weeks"), default=4)
    at_end_of_therapy = models.BooleanField(_("at the end of therapy"), default=True)
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up, months after therapy ends"), null=True, blank=True, default=12
    )
    therapy_ended_on = models.DateField(_("therapy ended on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class ScheduledMeasure(ClinicalRecord):
    """One questionnaire due on one day: what the patient is asked, and what reminders and the registry count."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="scheduled_measures")
    plan = models.ForeignKey(MeasurementPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    instrument = models.CharField(_("questionnaire"), max_length=40)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=12, choices=ScheduleStatus.choices, default=ScheduleStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument", "occasion", "due_on"], name="one_scheduled_measure_per_day"
            )
        ]
        indexes = [
            models.Index(fields=["patient", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
        ]


class Response(ClinicalRecord):
    """One completed (or half-finished) questionnaire, with its answers and the score the engine gave it.

    `answers` maps every item id, scored or not, to a value, `null` (unanswered) or "not_applicable".
    `submission_key` makes submitting twice create one response. A battery (PHQ-SADS) is stored as one
    response per part, sharing `battery_key`.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="responses")
    instrument = models.CharField(_("questionnaire"), max_length=40)
    instrument_version = models.CharField(max_length=40)
    scheduled = models.ForeignKey(
        ScheduledMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    submission_key = models.UUIDField(unique=True)
    battery = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.IN_PROGRESS)
    mode = models.CharField(_("how it was completed"), max_length=12, choices=EntryMode.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=8, default="en")
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # The score, filled once on completion by the engine (`measures.scoring`), never edited by hand.
    scorable = models.BooleanField(null=True)
    total = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    total_unrounded = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    flags = models.JSONField(default=list)
    unscorable_reason = models.CharField(max_length=300, blank=True)
    sex_used = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "instrument", "completed_at"]),
            models.Index(fields=["patient", "status"]),
        ]

    @property
    def is_completed(self) -> bool:
        return self.status == ResponseStatus.COMPLETED


class Reminder(BaseModel):
    """A reminder sent for one scheduled questionnaire on one channel: at most one each (unique)."""

    scheduled = models.ForeignKey(ScheduledMeasure, on_delete=models.CASCADE, related_name="reminders")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    sent_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheduled", "channel"], name="one_reminder_per_channel")]
        indexes = [models.Index(fields=["patient", "channel", "dismissed_at"])]


class RegistrySettings(BaseModel):
    """A clinic's choices for the caseload registry and new measurement plans (defaults when absent)."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    key_instruments = models.JSONField(_("key questionnaires in the registry"), default=list)
    plan_instruments = models.JSONField(_("questionnaires in a new measurement plan"), default=list)
    interval_weeks = models.PositiveSmallIntegerField(_("weeks between reviews"), default=4)
    overdue_after_days = models.PositiveSmallIntegerField(_("overdue after (days past due)"), default=7)
    not_improving_weeks = models.PositiveSmallIntegerField(_("not improving: weeks in care"), default=10)
    not_improving_percent = models.PositiveSmallIntegerField(
        _("not improving: less than this % improvement"), default=50
    )

    class Meta:
        verbose_name = _("registry settings")
        verbose_name_plural = _("registry settings")
