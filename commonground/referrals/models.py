"""Referrals in and out, each move of one as a step (who, when), the feedback letter that closes the loop,
and the clinic's directory of community resources (no patient data)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient
from commonground.referrals.choices import Cost, Direction, LetterStatus, ResourceKind, Service, State, Urgency


class CommunityResource(ClinicalRecord):
    """One entry of the clinic's directory, kept by coordinators. `active` off hides it from new referrals."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    contact = models.CharField(_("contact (phone, e-mail, address)"), max_length=400, blank=True)
    website = models.URLField(_("website"), blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    eligibility = models.TextField(_("who can use it"), max_length=2000, blank=True)
    notes = models.TextField(_("notes for the team"), max_length=2000, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "active", "name"])]

    def __str__(self) -> str:
        return self.name


class Referral(ClinicalRecord):
    """A referral out of the clinic (to physiotherapy, psychology, ...) or into it (from the GP).

    `state` and the denormalised `sent_at` / `first_contact_at` are kept by `services.move` together with a
    `ReferralStep` row per move, so lists and wait times read one table; the steps are the history.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    resource = models.ForeignKey(
        CommunityResource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("from the directory"),
    )
    counterpart = models.CharField(
        _("to whom (outgoing) or from whom (incoming)"),
        max_length=200,
        blank=True,
        help_text=_("The practice, team or person: e.g. the physiotherapy practice, or the GP who referred."),
    )
    reason = models.TextField(_("reason for referral"), max_length=4000)
    question = models.TextField(_("question to answer"), max_length=2000, blank=True)
    symptoms = models.TextField(_("symptoms described"), max_length=4000, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.DRAFT)
    state_changed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "state"]),
            models.Index(fields=["patient", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_service_display()}"

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING

    @property
    def current_letter(self) -> FeedbackLetter | None:
        """The feedback letter, drafted or sent; None when there is none (or it was entered in error)."""
        try:
            letter: FeedbackLetter = self.letter
        except ObjectDoesNotExist:
            return None
        return None if letter.is_entered_in_error else letter

    @property
    def loop_closed(self) -> bool:
        """Closed only once the feedback letter is sent: a referral completed without one is still open."""
        letter = self.current_letter
        return letter is not None and letter.is_sent


class ReferralStep(BaseModel):
    """One move of a referral: from which state to which, when it happened, who recorded it, and a note.

    Append-only. `from_state` is empty for the step that created the referral.
    """

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=14, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=14, choices=State.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "created_at"]
        indexes = [models.Index(fields=["referral", "at"])]


class FeedbackLetter(ClinicalRecord):
    """The structured answer to a referral: findings, plan, advice.

    Incoming referral: our letter back to the GP; `sent_at` is when we sent it. Outgoing referral: the
    feedback the service sent us, recorded here; `sent_at` is the day they sent it. Either way the loop is
    closed only once the letter is sent (`status` sent).
    """

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="letter")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(_("to"), max_length=200, blank=True)
    findings = models.TextField(_("findings"), max_length=6000)
    plan = models.TextField(_("plan"), max_length=4000, blank=True)
    advice = models.TextField(_("advice to the referrer"), max_length=4000, blank=True)
    status = models.CharField(max_length=8, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    @property
    def is_sent(self) -> bool:
        return self.status == LetterStatus.SENT and not self.is_entered_in_error
