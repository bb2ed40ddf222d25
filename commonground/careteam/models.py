"""One care team per patient: its members and their roles, the care coordinator and the responsible clinician."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import Role
from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient


class CareTeam(ClinicalRecord):
    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="care_team")
    care_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_teams",
        verbose_name=_("care coordinator"),
    )
    responsible_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_teams",
        verbose_name=_("responsible clinician"),
    )

    class Meta:
        indexes = [models.Index(fields=["care_coordinator"]), models.Index(fields=["responsible_clinician"])]


class CareTeamMember(ClinicalRecord):
    """A staff member's place on one patient's team; leaving ends it (the row stays, with `left_at`)."""

    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="members")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_team_members")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_places")
    team_role = models.CharField(_("role on this team"), max_length=40, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "staff"],
                condition=models.Q(left_at__isnull=True),
                name="one_current_place_per_staff_member",
            )
        ]
        indexes = [models.Index(fields=["staff", "left_at"]), models.Index(fields=["patient", "left_at"])]


class OnCallShift(BaseModel):
    """Who is on call for the clinic, from when until when: the team's on-call role that an urgent alert is
    sent on to when nobody acknowledged it in time (decision 0019). Kept by the clinic's administrator."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts", verbose_name=_("who")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="on_call_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["organisation", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"
