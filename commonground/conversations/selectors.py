"""Reads of messages. Callers have opened the patient through the access gateway (or scope lists with
`gateway.visible_patients`); nothing here decides who may see a patient.

"Unread" for a reader: a current message in a conversation they may see, written by someone else, with no
`ReadReceipt` of theirs. The patient's unread messages are their team's messages in their own conversation;
the team's threads never count for, or reach, the patient.

"Awaiting a reply" is separate from unread, and the same for the whole team: the patient's conversation has a
current message of the patient's that no current message of the team follows. It stays until someone answers,
however many of the team have opened (read) the message; it is shown from the first unanswered message's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from commonground.access import gateway
from commonground.accounts.choices import AccountKind
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import Message, MessagingSettings, ReadReceipt, Thread
from commonground.kit.models import RecordStatus
from commonground.patients.models import Patient

SHOWN_MESSAGES = 200  # of one conversation, the newest; older ones stay in the record and the FHIR export
INBOX_ROWS = 200


def response_working_days(organisation_id: UUID) -> int:
    """How soon the clinic promises to answer a patient's message, in working days (default 2)."""
    days = MessagingSettings.objects.filter(organisation_id=organisation_id).values_list(
        "response_working_days", flat=True
    )
    return next(iter(days), MessagingSettings.DEFAULT_RESPONSE_DAYS)


# --- conversations and their messages ------------------------------------------------------------------------


def patient_conversation(patient: Patient) -> Thread | None:
    found: Thread | None = Thread.objects.current().filter(patient=patient, kind=ThreadKind.PATIENT).first()
    return found


def team_thread_of(patient: Patient, thread_id: UUID | str) -> Thread | None:
    try:
        found: Thread | None = (
            Thread.objects.current()
            .filter(patient=patient, kind=ThreadKind.TEAM, pk=thread_id)
            .select_related("started_by")
            .first()
        )
    except (ValueError, TypeError):
        return None
    return found


def message_of(patient: Patient, message_id: UUID | str) -> Message | None:
    """A message of the patient's, current or entered in error."""
    try:
        found: Message | None = Message.objects.filter(patient=patient, pk=message_id).select_related("thread").first()
    except (ValueError, TypeError):
        return None
    return found


def messages_of(thread: Thread | None, *, limit: int = SHOWN_MESSAGES) -> list[Message]:
    """The thread's newest `limit` messages, oldest first, entered-in-error ones included (shown as such)."""
    if thread is None:
        return []
    newest = Message.objects.filter(thread=thread).select_related("author").order_by("-sent_at", "-created_at")
    return list(reversed(newest[:limit]))


def unread_ids(messages: list[Message], reader: Any) -> set[UUID]:
    """Of `messages`, those `reader` did not write and has not read yet (entered-in-error ones never count)."""
    candidates = [m.id for m in messages if m.author_id != reader.id and not m.is_entered_in_error]
    if not candidates:
        return set()
    read = set(
        ReadReceipt.objects.filter(reader_id=reader.id, message_id__in=candidates).values_list("message_id", flat=True)
    )
    return set(candidates) - read


def read_by(messages: list[Message]) -> dict[UUID, list[ReadReceipt]]:
    """Who has read each message, first readers first (the author never has a receipt of their own)."""
    found: dict[UUID, list[ReadReceipt]] = {m.id: [] for m in messages}
    if not found:
        return found
    receipts = (
        ReadReceipt.objects.filter(message_id__in=list(found))
        .select_related("reader")
        .only("message_id", "read_at", "reader__display_name", "reader__kind")
        .order_by("read_at")
    )
    for receipt in receipts:
        found[receipt.message_id].append(receipt)
    return found


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    messages: int
    unread: int


def team_threads(patient: Patient, reader: Any) -> list[ThreadRow]:
    """The care team's threads about the patient, those with news for `reader` first, then the most recent."""
    threads = (
        Thread.objects.current()
        .filter(patient=patient, kind=ThreadKind.TEAM)
        .select_related("started_by")
        .annotate(
            message_count=Count("messages", filter=Q(messages__record_status=RecordStatus.ACTIVE)),
            unread=_unread_in_thread(reader),
        )
        .order_by("-last_message_at", "-started_at")
    )
    rows = [ThreadRow(thread, thread.message_count, thread.unread) for thread in threads]
    return sorted(rows, key=lambda row: row.unread == 0)  # stable: the recent order holds within each group


def _unread(reader_id: Any) -> QuerySet[Message]:
    receipt = ReadReceipt.objects.filter(message_id=OuterRef("pk"), reader_id=reader_id)
    return Message.objects.current().exclude(author_id=reader_id).filter(~Exists(receipt))


def _unread_in_thread(reader: Any) -> Coalesce:
    counted = (
        _unread(reader.id)
        .filter(thread_id=OuterRef("pk"))
        .order_by()
        .values("thread_id")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _team_reply_after() -> QuerySet[Message]:
    """For an outer patient's message: a current message of the team after it, in the same conversation."""
    return (
        Message.objects.current()
        .filter(thread_id=OuterRef("thread_id"), from_patient=False)
        .filter(
            Q(sent_at__gt=OuterRef("sent_at")) | Q(sent_at=OuterRef("sent_at"), created_at__gt=OuterRef("created_at"))
        )
    )


def _unanswered() -> QuerySet[Message]:
    """The patient's current messages that no current message of the team follows."""
    return Message.objects.current().filter(from_patient=True).filter(~Exists(_team_reply_after()))


def _awaiting_since() -> Subquery:
    """For an outer thread: when the first of the patient's unanswered messages was sent (null: nothing waits)."""
    first = (
        _unanswered()
        .filter(thread_id=OuterRef("pk"))
        .order_by()
        .values("thread_id")
        .annotate(first=Min("sent_at"))
        .values("first")
    )
    return Subquery(first, output_field=DateTimeField())


def awaiting_reply_since(thread: Thread | None) -> datetime | None:
    """Since when the patient's conversation awaits a reply from the team (None: the team answered last, or the
    conversation is a team thread or empty). Opening the message does not change it; an answer does."""
    if thread is None or thread.kind != ThreadKind.PATIENT:
        return None
    found: datetime | None = (
        Thread.objects.filter(pk=thread.pk).annotate(since=_awaiting_since()).values_list("since", flat=True).first()
    )
    return found


def has_unread(thread: Thread, reader_id: Any) -> bool:
    """Whether `reader_id` has a message waiting in `thread` already (then a new one sends no second e-mail)."""
    return _unread(reader_id).filter(thread=thread).exists()


# --- unread counts for the navigation --------------------------------------------------------------------------


def unread_for_staff(actor: Any) -> int:
    """Unread messages, in both kinds of conversation, of every patient the actor (a request) may see: one query."""
    user = actor.user if hasattr(actor, "user") else actor
    visible = gateway.visible_patients(actor).values("id")
    count: int = _unread(user.id).filter(organisation_id=user.organisation_id, patient_id__in=visible).count()
    return count


def unread_for_patient(user: Any) -> int:
    """The team's messages to the patient that they have not read yet: one query."""
    if not (user.is_authenticated and user.kind == AccountKind.PATIENT):
        return 0
    mine = _unread(user.id).filter(thread__kind=ThreadKind.PATIENT, patient__user_id=user.id, from_patient=False)
    count: int = mine.count()
    return count


# --- the staff inbox ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    thread_id: UUID
    patient_id: UUID
    organisation_id: UUID
    patient_name: str
    record_number: str
    kind: str
    subject: str
    last_message_at: datetime
    unread: int
    awaiting_since: datetime | None  # the patient's conversation awaits a reply from the team since then

    @property
    def patient_label(self) -> str:
        """The name with the record number beside it: two patients may share a name."""
        return f"{self.patient_name} ({self.record_number})"


class InboxOrder:
    NEWS = "news"  # unread first, then the most recent
    AWAITING = "awaiting"  # awaiting a reply first, the longest wait first; then unread, then the most recent
    RECENT = "recent"  # the most recent first


def inbox(
    actor: Any,
    *,
    unread_only: bool = False,
    awaiting_only: bool = False,
    order: str = InboxOrder.NEWS,
    limit: int = INBOX_ROWS,
) -> list[InboxRow]:
    """The conversations of every patient the actor (a request) may see, unread ones first, then the most recent
    (or in `order`); read as plain values in one query. The caller audits the patients listed."""
    user = actor.user if hasattr(actor, "user") else actor
    threads = (
        Thread.objects.current()
        .filter(
            organisation_id=user.organisation_id,
            patient_id__in=gateway.visible_patients(actor).values("id"),
            last_message_at__isnull=False,
        )
        .annotate(unread=_unread_in_thread(user), awaiting_since=_awaiting_since())
    )
    if unread_only:
        threads = threads.filter(unread__gt=0)
    if awaiting_only:
        threads = threads.filter(awaiting_since__isnull=False)
    news = Case(When(unread__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField())
    ordering: tuple[Any, ...] = {
        InboxOrder.AWAITING: (F("awaiting_since").asc(nulls_last=True), "-news", "-last_message_at"),
        InboxOrder.RECENT: ("-last_message_at",),
    }.get(order, ("-news", "-last_message_at"))
    rows = threads.annotate(news=news).order_by(*ordering, "id")[:limit]
    columns = (
        "id",
        "patient_id",
        "organisation_id",
        "patient__given_name",
        "patient__preferred_name",
        "patient__family_name",
        "patient__record_number",
        "kind",
        "subject",
        "last_message_at",
        "unread",
        "awaiting_since",
    )
    return [
        InboxRow(
            thread_id=row["id"],
            patient_id=row["patient_id"],
            organisation_id=row["organisation_id"],
            patient_name=_listed_name(row),
            record_number=row["patient__record_number"],
            kind=row["kind"],
            subject=row["subject"],
            last_message_at=row["last_message_at"],
            unread=row["unread"],
            awaiting_since=row["awaiting_since"],
        )
        for row in rows.values(*columns)
    ]


def _listed_name(row: dict[str, Any]) -> str:
    """As the caseload lists a patient: "Family, Preferred-or-given"."""
    return f"{row['patient__family_name']}, {row['patient__preferred_name'] or row['patient__given_name']}"


# --- for coordination's rules engine --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnansweredMessage:
    message_id: UUID
    patient_id: UUID
    sent_at: datetime


def unanswered_patient_messages(organisation_id: UUID, *, sent_before: datetime) -> list[UnansweredMessage]:
    """The clinic's patients' messages sent before `sent_before` that no current message of the team follows in
    the patient's conversation: oldest first per patient, as ids and times (never the words). A background job's
    read of the whole clinic (the rules engine), so no gateway; it names no one and shows nothing."""
    rows = (
        _unanswered()
        .filter(organisation_id=organisation_id, sent_at__lt=sent_before)
        .filter(thread__kind=ThreadKind.PATIENT, thread__record_status=RecordStatus.ACTIVE)
        .filter(patient__record_status=RecordStatus.ACTIVE)
        .order_by("patient_id", "sent_at", "created_at")
        .values_list("id", "patient_id", "sent_at")
    )
    return [UnansweredMessage(message_id, patient_id, sent_at) for message_id, patient_id, sent_at in rows]


def answered_patient_messages(message_ids: list[UUID]) -> set[UUID]:
    """Of these patients' messages, the ones the team has answered since (a current team message follows them
    in the conversation). A message entered in error since is neither answered nor waiting: not included. For
    the rules engine, which closes its "reply to a message" tasks once the reply is there."""
    current = Message.objects.current().filter(pk__in=message_ids, from_patient=True)
    waiting = set(_unanswered().filter(pk__in=message_ids).values_list("id", flat=True))
    return {message_id for message_id in current.values_list("id", flat=True) if message_id not in waiting}


# --- FHIR export --------------------------------------------------------------------------------------------------


def patient_id_of_message(message_id: UUID) -> UUID | None:
    found: UUID | None = Message.objects.filter(pk=message_id).values_list("patient_id", flat=True).first()
    return found


def previous_in_thread(message: Message) -> UUID | None:
    """The current message sent before `message` in its conversation (what it answers), if any."""
    earlier = (
        Message.objects.current()
        .filter(thread_id=message.thread_id)
        .filter(Q(sent_at__lt=message.sent_at) | Q(sent_at=message.sent_at, created_at__lt=message.created_at))
        .order_by("-sent_at", "-created_at")
        .values_list("id", flat=True)
    )
    found: UUID | None = earlier.first()
    return found


def messages_for_export(patient: Patient) -> list[Message]:
    """Every current message of the patient, both kinds, in the order sent."""
    return list(
        Message.objects.current()
        .filter(patient=patient)
        .select_related("thread", "author")
        .order_by("sent_at", "created_at")
    )
