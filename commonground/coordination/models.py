"""Care coordination: case-review flags, tasks, case-review meetings with their agenda and attendance, and the
escalation rules an administrator edits, with every firing of a rule recorded once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import Role
from commonground.coordination.choices import (
    FlagStatus,
    ItemStatus,
    MeetingStatus,
    ReviewReason,
    RuleKind,
    TaskPriority,
    TaskStatus,
)
from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient


class CaseReviewFlag(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="case_review_flags")
    reason = models.CharField(_("reason"), max_length=20, choices=ReviewReason.choices)
    note = models.CharField(_("note for the team"), max_length=500, blank=True)
    # None: raised by an escalation rule, not a person.
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flagged_at = models.DateTimeField(_("flagged"))
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(status="open"), name="one_open_case_review_flag"
            )
        ]
        indexes = [models.Index(fields=["status", "flagged_at"])]


class Meeting(ClinicalRecord):
    """A case-review meeting (the multidisciplinary team meeting): planned, then held."""

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    notes = models.TextField(_("notes for the whole meeting"), blank=True, max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "starts_at"])]


class MeetingAttendee(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "staff"], name="one_attendance_per_meeting")]


class AgendaItem(ClinicalRecord):
    """One patient on a meeting's agenda: why (the sources), the discussion, and what was decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(_("why the patient is on the agenda"), default=list)
    flag = models.ForeignKey(CaseReviewFlag, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note for the team"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.WAITING)
    discussion = models.TextField(_("discussion"), blank=True, max_length=8000)
    plan_change = models.TextField(_("change to the care plan"), blank=True, max_length=4000)
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "patient"], name="one_agenda_item_per_patient")]
        indexes = [models.Index(fields=["patient", "status"])]


class Task(ClinicalRecord):
    """Something a team member (or anyone in a role) has to do by a time, often about one patient.

    Created by a person, or by an escalation rule (`created_by` None). `source_type`/`source_id` name what it
    came from (an alert, a rule's finding); together they are unique, so creating it twice creates one.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=4000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assigned to"),
    )
    assignee_role = models.CharField(_("or anyone in the role"), max_length=40, choices=Role.choices, blank=True)
    due_at = models.DateTimeField(_("due"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.ROUTINE
    )
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=80, blank=True)
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_type", "source_id"],
                condition=~models.Q(source_type=""),
                name="one_task_per_source",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(assignee__isnull=False, assignee_role="")
                    | (models.Q(assignee__isnull=True) & ~models.Q(assignee_role=""))
                ),
                name="task_for_a_person_or_a_role",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["patient", "status"]),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class EscalationRule(BaseModel):
    """One rule of one clinic, edited by its administrator: what it watches (`kind`), whether it runs, and its
    numbers (`parameters`, checked per kind by `coordination.rules.check_parameters`)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=RuleKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    description = models.TextField(_("what it does"), blank=True, max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="one_rule_per_kind")]
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def clean(self) -> None:
        from commonground.coordination.rules import check_parameters

        self.parameters = check_parameters(self.kind, self.parameters)


class RuleFiring(BaseModel):
    """A rule fired once for one thing it found (`source_key`): unique, so running twice fires once."""

    rule = models.ForeignKey(EscalationRule, on_delete=models.PROTECT, related_name="firings")
    source_key = models.CharField(max_length=120)
    fired_at = models.DateTimeField()
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(_("what was done"), max_length=300)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "source_key"], name="one_firing_per_source")]
        indexes = [models.Index(fields=["rule", "fired_at"])]
