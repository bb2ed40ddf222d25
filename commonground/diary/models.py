"""The self-monitoring diary: each patient's set-up (co-created, versioned), the versions entries were made
with, daily entries and extra check-ins (edits versioned), graded-activity steps agreed with the clinician,
and the reminders sent (never twice for one day)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.diary.choices import DEFAULT_SHARED, EntryKind
from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient


def default_shared() -> list[str]:
    return [str(part) for part in DEFAULT_SHARED]


class DiarySetUp(ClinicalRecord):
    """One patient's diary: what it asks (the current `DiaryVersion`), what the team may see, and reminders.

    The patient alone decides `shared_parts`; clinician and patient together decide what is asked.
    """

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="diary_set_up")
    current = models.ForeignKey("DiaryVersion", on_delete=models.PROTECT, related_name="+", null=True)
    shared_parts = models.JSONField(_("what the care team sees"), default=default_shared, blank=True)
    reminder_at = models.TimeField(_("remind me at"), null=True, blank=True)
    quiet_from = models.TimeField(_("no reminders from"), default=time(21, 0))
    quiet_until = models.TimeField(_("no reminders until"), default=time(8, 0))
    started_on = models.DateField(_("diary started on"))


class DiaryVersion(BaseModel):
    """One version of a set-up, never changed once saved: entries point at the version they were made with."""

    set_up = models.ForeignKey(DiarySetUp, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    reason = models.CharField(_("what changed"), max_length=300, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["set_up", "number"], name="diary_version_number_unique")]


class DiaryEntry(ClinicalRecord):
    """A day's entry (one per day) or an extra check-in (ratings only, any number a day).

    `day` is the patient's calendar day the entry is about; `late` when it was written on a later day (the
    last three days may be filled in). Values are keyed by the item keys of `made_with`, the set-up version it
    was made with; `version` (of every clinical record) counts its edits, each kept in the history.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diary_entries")
    made_with = models.ForeignKey(DiaryVersion, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.DAILY)
    day = models.DateField(_("day"))
    recorded_at = models.DateTimeField()
    late = models.BooleanField(_("filled in later"), default=False)
    ratings = models.JSONField(default=dict, blank=True)
    sleep_hours = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    activities = models.JSONField(default=list, blank=True)  # [{"key", "planned", "done", "minutes", "effort"}]
    rest_breaks = models.PositiveSmallIntegerField(null=True, blank=True)
    practice = models.JSONField(default=list, blank=True)  # keys of the practice done
    triggers = models.JSONField(default=list, blank=True)  # keys of the triggers noticed
    warning_signs = models.JSONField(default=list, blank=True)  # keys of the early-warning signs noticed
    small_win = models.CharField(_("a small win"), max_length=500, blank=True)
    note = models.TextField(_("my note"), max_length=2000, blank=True)
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["day", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "day"],
                condition=models.Q(kind="daily", record_status="active"),
                name="one_daily_entry_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(sleep_quality__isnull=True) | models.Q(sleep_quality__lte=10),
                name="diary_sleep_quality_0_10",
            ),
        ]
        indexes = [models.Index(fields=["patient", "day"])]

    @property
    def is_daily(self) -> bool:
        return self.kind == EntryKind.DAILY


class PacingStep(ClinicalRecord):
    """Graded activity: from `starts_on`, the daily activity planned with the clinician (minutes × effort ÷ 10).

    Doing what is planned is never a boom; the plan rises step by step."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pacing_steps")
    starts_on = models.DateField(_("from"))
    daily_load = models.PositiveIntegerField(_("planned daily activity"))
    note = models.CharField(_("what we agreed"), max_length=300, blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_on", "created_at"]
        indexes = [models.Index(fields=["patient", "starts_on"])]


class DiaryReminder(BaseModel):
    """A diary reminder sent for one day: the unique constraint makes it once per day, whoever runs the job."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "day"], name="one_diary_reminder_a_day")]
