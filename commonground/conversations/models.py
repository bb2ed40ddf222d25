"""Messages about a patient: the care team's threads, and the patient's conversation with their team.

A message is never changed once sent: a correction is a new message, and a message sent by mistake is marked
entered in error with a reason (it stays in the record and its history). Who has read which message is a
`ReadReceipt` per reader; unread counts are the messages a person may see, did not write, and has no receipt for.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.conversations.choices import ThreadKind
from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient

MESSAGE_LIMIT = 4000
SUBJECT_LIMIT = 120


class Thread(ClinicalRecord):
    """A team thread (with a subject) or the patient's conversation (one per patient, no subject)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="message_threads")
    kind = models.CharField(max_length=10, choices=ThreadKind.choices)
    subject = models.CharField(_("subject"), max_length=SUBJECT_LIMIT, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"))
    # The newest message's time, for ordering lists; moved forward by each message (no history row: a message
    # is its own record).
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(kind=ThreadKind.PATIENT), name="one_patient_conversation"
            )
        ]
        indexes = [models.Index(fields=["patient", "kind", "last_message_at"])]


class Message(ClinicalRecord):
    """One message, immutable once sent. `patient` is the thread's (kept here so that lists and counts are
    scoped without a join); `from_patient` says whether the patient wrote it from the portal.

    `submission_id` is the form's own id: a form sent twice (a double click, a retried request) saves one message.
    """

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_patient = models.BooleanField(default=False)
    text = models.TextField(_("message"), max_length=MESSAGE_LIMIT)
    sent_at = models.DateTimeField(_("sent"))
    submission_id = models.UUIDField()
    in_error_reason = models.CharField(_("why it was entered in error"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["author", "submission_id"], name="one_message_per_submission")]
        indexes = [
            models.Index(fields=["thread", "sent_at"]),
            models.Index(fields=["patient", "sent_at"]),
            models.Index(fields=["author", "sent_at"]),
        ]


class ReadReceipt(BaseModel):
    """`reader` has read `message` (the first time, `read_at`). Written when the message is shown to them."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="receipts")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "reader"], name="one_receipt_per_reader")]
        indexes = [models.Index(fields=["reader", "message"])]


class MessagingSettings(BaseModel):
    """A clinic's promise to its patients: how soon the team answers a message (in working days)."""

    DEFAULT_RESPONSE_DAYS = 2

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    response_working_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Told to patients on their messages page, e.g. 'within 2 working days'."),
    )

    class Meta:
        verbose_name = _("messages setting")
        verbose_name_plural = _("messages settings")
