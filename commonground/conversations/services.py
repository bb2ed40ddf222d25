"""Writes of messages: starting a team thread, replying in it, the patient writing to their team and the team
answering, marking a message entered in error, and read receipts.

A message is checked before anything is written (nothing is half saved), is never changed once sent, and each
write is audited in the same transaction. A form sent twice saves one message (`submission_id`). E-mail
notices say only "you have a new message, sign in to read it" (no names, no words of the message) and are
queued to go out after the transaction commits; a person who already has an unread message in the same
conversation is not told again. Team threads send no e-mail: the unread count tells the team.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from commonground.accounts.choices import AccountKind
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careteam import selectors as team_selectors
from commonground.conversations import selectors
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import MESSAGE_LIMIT, SUBJECT_LIMIT, Message, ReadReceipt, Thread
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.models import RecordStatus
from commonground.kit.versioning import save_edit, save_new
from commonground.notifications.services import send_email
from commonground.patients.models import Patient

# A patient may send this many messages in an hour; the team reads them all, and the page points to help now.
PATIENT_MESSAGES_PER_HOUR = 10
REASON_LIMIT = 300


# --- checks before writing ------------------------------------------------------------------------------------


def _text(text: Any, *, for_patient: bool = False) -> str:
    value = "" if text is None else str(text).strip()
    if not value:
        raise DomainError(
            _("Please write your message before sending it.")
            if for_patient
            else _("Write a message before sending it."),
            field="text",
        )
    if len(value) > MESSAGE_LIMIT:
        raise DomainError(
            _("A message can be at most %(limit)d characters; this one has %(count)d.")
            % {"limit": MESSAGE_LIMIT, "count": len(value)},
            field="text",
        )
    return value


def _subject(subject: Any) -> str:
    value = "" if subject is None else " ".join(str(subject).split())
    if not value:
        raise DomainError(_("Give the thread a subject, so the team can find it."), field="subject")
    if len(value) > SUBJECT_LIMIT:
        raise DomainError(_("Keep the subject to %(limit)d characters.") % {"limit": SUBJECT_LIMIT}, field="subject")
    return value


def _staff_of_clinic(patient: Patient, by: Any) -> None:
    if (
        getattr(by, "kind", None) != AccountKind.STAFF
        or getattr(by, "organisation_id", None) != patient.organisation_id
    ):
        raise DomainError(_("Only the patient's own clinic can write in their record."))


def _patient_themselves(patient: Patient, by: Any) -> None:
    if getattr(by, "kind", None) != AccountKind.PATIENT or patient.user_id != getattr(by, "id", None):
        raise DomainError(_("Only the patient can write here."))


def _not_too_many(patient: Patient, by: Any) -> None:
    since = clock.now() - timedelta(hours=1)
    sent = Message.objects.filter(author_id=by.id, from_patient=True, sent_at__gte=since).count()
    if sent >= PATIENT_MESSAGES_PER_HOUR:
        raise DomainError(
            _(
                "You have sent a lot of messages in the last hour, and your team will read them all. Please wait a "
                "little before sending another. If you need help now, use the 'Need help now?' page."
            ),
            field="text",
        )


def _earlier(patient: Patient, by: Any, submission_id: UUID) -> Message | None:
    """The message this very form saved already (sent twice: a double click, a retried request)."""
    found: Message | None = (
        Message.objects.filter(author_id=by.id, submission_id=submission_id).select_related("thread").first()
    )
    if found is not None and found.patient_id != patient.id:
        raise DomainError(_("This form was sent already. Please open the page again and write your message there."))
    return found


# --- writes -------------------------------------------------------------------------------------------------


@transaction.atomic
def start_team_thread(patient: Patient, *, subject: str, text: str, by: Any, submission_id: UUID) -> Thread:
    """A new thread of the care team about the patient, with its first message. Never shown to the patient."""
    earlier = _earlier(patient, by, submission_id)
    if earlier is not None:
        return earlier.thread
    subject, text = _subject(subject), _text(text)
    _staff_of_clinic(patient, by)
    now = clock.now()
    thread = Thread(
        patient=patient,
        organisation_id=patient.organisation_id,
        kind=ThreadKind.TEAM,
        subject=subject,
        started_by=by,
        started_at=now,
        last_message_at=now,
    )
    save_new(thread, reason="Team thread started")
    _audit(patient, Action.CREATE, "message_thread", thread.id)
    _save(thread, text=text, by=by, submission_id=submission_id, from_patient=False)
    return thread


@transaction.atomic
def reply_in_team_thread(thread: Thread, *, text: str, by: Any, submission_id: UUID) -> Message:
    """A reply in a team thread (the team sees it in their unread count; no e-mail)."""
    if thread.kind != ThreadKind.TEAM:
        raise DomainError(_("This is not a team thread."))
    earlier = _earlier(thread.patient, by, submission_id)
    if earlier is not None:
        return earlier
    text = _text(text)
    _staff_of_clinic(thread.patient, by)
    return _save(thread, text=text, by=by, submission_id=submission_id, from_patient=False)


@transaction.atomic
def write_to_patient(patient: Patient, *, text: str, by: Any, submission_id: UUID) -> Message:
    """The team's message in the patient's conversation; the patient is told by e-mail if they have a portal
    account with an address and no unread message from the team already."""
    earlier = _earlier(patient, by, submission_id)
    if earlier is not None:
        return earlier
    text = _text(text)
    _staff_of_clinic(patient, by)
    thread = _patient_conversation(patient, by)
    reader = patient.user if patient.user_id else None
    tell = (
        reader is not None and reader.is_active and bool(reader.email) and not selectors.has_unread(thread, reader.id)
    )
    message = _save(thread, text=text, by=by, submission_id=submission_id, from_patient=False)
    if tell and reader is not None:
        with translation.override(patient.preferred_language or settings.LANGUAGE_CODE):
            _tell(reader.email, url=reverse("portal:messages"))
    return message


@transaction.atomic
def write_to_team(patient: Patient, *, text: str, by: Any, submission_id: UUID) -> Message:
    """The patient's message to their team from the portal; the care coordinator and the responsible clinician
    are told by e-mail (each once until they have read it)."""
    earlier = _earlier(patient, by, submission_id)
    if earlier is not None:
        return earlier
    text = _text(text, for_patient=True)
    _patient_themselves(patient, by)
    _not_too_many(patient, by)
    thread = _patient_conversation(patient, by)
    told = [person for person in _team_to_tell(patient) if not selectors.has_unread(thread, person.id)]
    message = _save(thread, text=text, by=by, submission_id=submission_id, from_patient=True)
    for person in told:
        _tell(person.email, url=reverse("clinician:messages_inbox"))
    return message


@transaction.atomic
def mark_in_error(message: Message, *, by: Any, reason: str, expected_version: int) -> Message:
    """Only the author, and only staff: the message stays in the record with the reason; the patient sees that a
    message was withdrawn, never its words."""
    if message.author_id != getattr(by, "id", None) or getattr(by, "kind", None) != AccountKind.STAFF:
        raise DomainError(_("Only the person who sent a message can mark it as entered in error."))
    if message.is_entered_in_error:
        raise DomainError(_("This message is already marked as entered in error."))
    value = "" if reason is None else str(reason).strip()
    if not value:
        raise DomainError(_("Say why the message was entered in error."), field="reason")
    if len(value) > REASON_LIMIT:
        raise DomainError(_("Keep the reason to %(limit)d characters.") % {"limit": REASON_LIMIT}, field="reason")
    marked = save_edit(
        message,
        expected_version=expected_version,
        reason=f"Entered in error: {value}",
        changes={"record_status": RecordStatus.ENTERED_IN_ERROR, "in_error_reason": value},
    )
    _audit(message.patient, Action.ENTERED_IN_ERROR, "message", message.id)
    return marked


def mark_read(messages: list[Message], reader: Any) -> int:
    """Receipts for the messages shown to `reader` (those they did not write); a second showing adds none.

    Written when a page shows the messages, like the audit event of that page: a receipt records who read what,
    and changes no clinical data (decision 0018).
    """
    now = clock.now()
    receipts = [
        ReadReceipt(message_id=m.id, reader_id=reader.id, read_at=now)
        for m in messages
        if m.author_id != reader.id and not m.is_entered_in_error
    ]
    if not receipts:
        return 0
    ReadReceipt.objects.bulk_create(receipts, ignore_conflicts=True)
    return len(receipts)


# --- helpers -----------------------------------------------------------------------------------------------


def _patient_conversation(patient: Patient, by: Any) -> Thread:
    """The patient's one conversation with the team, started by its first message."""
    found = selectors.patient_conversation(patient)
    if found is not None:
        return found
    thread = Thread(
        patient=patient,
        organisation_id=patient.organisation_id,
        kind=ThreadKind.PATIENT,
        started_by=by,
        started_at=clock.now(),
    )
    try:
        with transaction.atomic():
            save_new(thread, reason="Conversation with the patient started")
    except IntegrityError:  # started by someone else a moment ago
        return Thread.objects.get(patient=patient, kind=ThreadKind.PATIENT)
    _audit(patient, Action.CREATE, "message_thread", thread.id)
    return thread


def _save(thread: Thread, *, text: str, by: Any, submission_id: UUID, from_patient: bool) -> Message:
    now = clock.now()
    message = Message(
        thread=thread,
        patient_id=thread.patient_id,
        organisation_id=thread.organisation_id,
        author=by,
        from_patient=from_patient,
        text=text,
        sent_at=now,
        submission_id=submission_id,
    )
    try:
        with transaction.atomic():
            save_new(message, reason="Message sent")
    except IntegrityError:  # the same form, sent twice at the same moment: the first one is the message
        return Message.objects.get(author_id=by.id, submission_id=submission_id)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    thread.last_message_at = now
    _audit(thread.patient, Action.CREATE, "message", message.id)
    return message


def _team_to_tell(patient: Patient) -> list[Any]:
    """The care coordinator and the responsible clinician, if active and with an e-mail address."""
    team = team_selectors.care_team_of(patient.id)
    chosen = [] if team is None else [team.care_coordinator, team.responsible_clinician]
    people = {person.id: person for person in chosen if person is not None and person.is_active and person.email}
    return list(people.values())


def _tell(address: str, *, url: str) -> None:
    """A notice to sign in: no patient, no sender, no words of the message."""
    send_email(
        to=address,
        subject=_("You have a new message"),
        template="conversations/emails/new_message.txt",
        context={"url": f"{settings.SITE_URL.rstrip('/')}{url}"},
    )


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )
