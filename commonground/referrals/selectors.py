"""Reads of the referrals domain. Callers have opened the patient (or scoped the list) through the gateway.

`waiting_too_long(patient_ids, now=...)` is read by the case-review agenda's "long wait" source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet

from commonground.patients.models import Patient
from commonground.referrals import states, waits
from commonground.referrals.choices import Direction, LetterStatus, Service, State, Urgency
from commonground.referrals.models import CommunityResource, FeedbackLetter, Referral, ReferralStep


def waiting_since(patient_ids: Iterable[Any]) -> dict[UUID, datetime]:
    """Per patient, when the oldest outgoing referral still waiting for its first contact was sent.

    Patients with no such referral are absent. Referrals entered in error do not count.
    """
    ids = list(patient_ids)
    if not ids:
        return {}
    rows = (
        Referral.objects.current()
        .filter(
            patient_id__in=ids,
            direction=Direction.OUTGOING,
            state__in=states.WAITING,
            sent_at__isnull=False,
        )
        .values("patient_id")
        .annotate(since=Min("sent_at"))
        .values_list("patient_id", "since")
    )
    return dict(rows)


def waiting_too_long(patient_ids: Iterable[Any], *, now: datetime) -> dict[UUID, datetime]:
    """Per patient, when the oldest outgoing referral that has waited longer than expected for its service and
    urgency (`waits.is_overdue`, in the clinic's calendar days) was sent. The case-review agenda's "long wait"."""
    ids = list(patient_ids)
    if not ids:
        return {}
    rows = (
        Referral.objects.current()
        .filter(patient_id__in=ids, direction=Direction.OUTGOING, state__in=states.WAITING, sent_at__isnull=False)
        .values_list("patient_id", "sent_at", "service", "urgency", "patient__organisation__time_zone")
    )
    found: dict[UUID, datetime] = {}
    for patient_id, sent_at, service, urgency, time_zone in rows:
        if waits.is_overdue(waits.waiting_so_far(sent_at, now, time_zone), service, urgency):
            found[patient_id] = min(sent_at, found.get(patient_id, sent_at))
    return found


def _uuid(value: Any) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def referrals_of(patient: Patient) -> QuerySet[Referral]:
    """The patient's current referrals, newest first, with their steps, letter and directory entry."""
    return (
        Referral.objects.current()
        .filter(patient=patient)
        .select_related("resource", "created_by", "patient__organisation")
        .prefetch_related(
            Prefetch("steps", queryset=ReferralStep.objects.select_related("by").order_by("at", "created_at")),
            Prefetch("letter", queryset=FeedbackLetter.objects.current()),
        )
        .order_by("-created_at")
    )


def referral_of(patient: Patient, referral_id: Any) -> Referral | None:
    found = _uuid(referral_id)
    if found is None:
        return None
    referral: Referral | None = referrals_of(patient).filter(pk=found).first()
    return referral


def letter_of(referral: Referral) -> FeedbackLetter | None:
    letter: FeedbackLetter | None = (
        FeedbackLetter.objects.current().filter(referral=referral).select_related("author", "sent_by").first()
    )
    return letter


def loop_closed(referral: Referral) -> bool:
    """Closed only when the feedback letter is sent (to the GP), or the service's feedback is recorded as in.
    A referral completed without a sent letter is not closed."""
    return referral.loop_closed


@dataclass(frozen=True)
class OpenRow:
    """One open referral on the coordinator's list: only what the list shows."""

    id: UUID
    patient_id: UUID
    patient_name: str
    record_number: str
    direction: str
    direction_label: str
    service: str
    service_label: str
    counterpart: str
    urgency: str
    urgency_label: str
    state: str
    state_label: str
    state_since: date
    started_on: date  # the day it was written (a draft's only date)
    sent_on: date | None  # the day it was sent (a GP's referral: the day the GP sent it); the wait counts from it
    first_contact_on: date | None
    days_waiting: int | None  # sent → first contact (or so far); None for a draft
    draft_days: int | None  # for a draft: days since it was started
    expected_days: int
    overdue: bool

    @property
    def stage(self) -> str:
        """Which part of the board: "waiting" (sent, not seen yet: the wait is running), "seen" (first contact
        made: the wait is over) or "draft" (not sent: no wait yet)."""
        if self.state == State.DRAFT:
            return "draft"
        return "seen" if self.state == State.FIRST_CONTACT else "waiting"


OPEN_COLUMNS = (
    "id",
    "patient_id",
    "patient__organisation_id",
    "patient__given_name",
    "patient__preferred_name",
    "patient__family_name",
    "patient__record_number",
    "direction",
    "service",
    "counterpart",
    "urgency",
    "state",
    "state_changed_at",
    "sent_at",
    "first_contact_at",
    "created_at",
)


def open_referrals(
    patients: QuerySet[Patient], *, now: datetime, time_zone: str, state: str = "", service: str = ""
) -> list[OpenRow]:
    """Open referrals (draft to first contact) of `patients`, in one query, in the board's order: first those
    still waiting for their first contact, longest waiting first; then those seen (the wait is over), the
    first contact longest ago first; then the drafts, the oldest first. `OpenRow.stage` says which is which.

    `patients` is already scoped by the access gateway; the caller audits the listed patients.
    """
    found = Referral.objects.current().filter(patient__in=patients, state__in=states.OPEN)
    if state:
        found = found.filter(state=state)
    if service:
        found = found.filter(service=service)
    rows = [_open_row(values, now, time_zone) for values in found.values(*OPEN_COLUMNS)]
    return sorted(rows, key=_board_order)


STAGES = ("waiting", "seen", "draft")


def _board_order(row: OpenRow) -> tuple[Any, ...]:
    if row.stage == "waiting":
        return (0, -(row.days_waiting or 0), row.sent_on or date.min, row.patient_name)
    if row.stage == "seen":
        return (1, row.first_contact_on or date.min, row.patient_name)
    return (2, -(row.draft_days or 0), row.patient_name)


def by_stage(rows: list[OpenRow]) -> dict[str, list[OpenRow]]:
    """The board's rows split into its parts ("waiting", "seen", "draft"), each keeping its order."""
    return {stage: [row for row in rows if row.stage == stage] for stage in STAGES}


def _open_row(values: dict[str, Any], now: datetime, time_zone: str) -> OpenRow:
    state, service, urgency = values["state"], values["service"], values["urgency"]
    if values["first_contact_at"] is not None:
        days = waits.wait_days(values["sent_at"], values["first_contact_at"], time_zone)
    else:
        days = waits.waiting_so_far(values["sent_at"], now, time_zone)
    draft_days = waits.days_between(values["created_at"], now, time_zone) if state == State.DRAFT else None
    waiting = state in states.WAITING
    overdue = (waiting and waits.is_overdue(days, service, urgency)) or (
        draft_days is not None and draft_days > waits.DRAFT_DAYS
    )
    return OpenRow(
        id=values["id"],
        patient_id=values["patient_id"],
        patient_name=_name(values),
        record_number=values["patient__record_number"],
        direction=values["direction"],
        direction_label=_label(Direction, values["direction"]),
        service=service,
        service_label=_label(Service, service),
        counterpart=values["counterpart"],
        urgency=urgency,
        urgency_label=_label(Urgency, urgency),
        state=state,
        state_label=_label(State, state),
        state_since=waits.local_day(values["state_changed_at"], time_zone),
        started_on=waits.local_day(values["created_at"], time_zone),
        sent_on=waits.local_day(values["sent_at"], time_zone) if values["sent_at"] else None,
        first_contact_on=(
            waits.local_day(values["first_contact_at"], time_zone) if values["first_contact_at"] else None
        ),
        days_waiting=days,
        draft_days=draft_days,
        expected_days=waits.expected_days(service, urgency),
        overdue=overdue,
    )


def _name(values: dict[str, Any]) -> str:
    return f"{values['patient__family_name']}, {values['patient__preferred_name'] or values['patient__given_name']}"


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def listed_patients(rows: list[OpenRow] | list[LetterOwed], organisation_id: UUID) -> list[tuple[UUID, UUID]]:
    """(patient id, organisation id) pairs of a list, for `gateway.audit_listed_ids`."""
    return list(dict.fromkeys((row.patient_id, organisation_id) for row in rows))


@dataclass(frozen=True)
class ServiceWait:
    service: str
    service_label: str
    count: int  # referrals whose first contact is recorded
    median_days: float | None
    longest_days: int | None
    expected_days: int

    @property
    def median_text(self) -> str:
        """The median in whole days, or with one decimal for a half ("19", "19.5"); empty when there is none."""
        return "" if self.median_days is None else waits.days_text(self.median_days)


def waits_per_service(patients: QuerySet[Patient], *, time_zone: str) -> list[ServiceWait]:
    """Median and longest wait (sent → first contact) per service, over referrals whose first contact happened
    (first contact or completed), out and in; services with none are listed with no median."""
    found = (
        Referral.objects.current()
        .filter(patient__in=patients, state__in=(State.FIRST_CONTACT, State.COMPLETED))
        .filter(sent_at__isnull=False, first_contact_at__isnull=False)
        .values_list("service", "sent_at", "first_contact_at")
    )
    by_service: dict[str, list[int]] = {}
    for service, sent_at, first_contact_at in found:
        days = waits.wait_days(sent_at, first_contact_at, time_zone)
        if days is not None:
            by_service.setdefault(service, []).append(days)
    return [
        ServiceWait(
            service=str(service),
            service_label=str(label),
            count=len(by_service.get(service, [])),
            median_days=waits.median_days(by_service.get(service, [])),
            longest_days=max(by_service[service]) if by_service.get(service) else None,
            expected_days=waits.expected_days(service, Urgency.ROUTINE),
        )
        for service, label in Service.choices
    ]


@dataclass(frozen=True)
class LetterOwed:
    """A referral whose loop is still open: seen, finished or declined, and no letter sent yet."""

    id: UUID
    patient_id: UUID
    patient_name: str
    record_number: str
    direction: str
    direction_label: str
    service_label: str
    state_label: str
    state_since: date
    letter_drafted: bool


def letters_owed(patients: QuerySet[Patient], *, time_zone: str) -> list[LetterOwed]:
    """Referrals that reached first contact, completion or a decline and whose feedback letter is not sent,
    the longest in that state first."""
    sent = FeedbackLetter.objects.current().filter(referral=OuterRef("pk"), status=LetterStatus.SENT)
    drafted = FeedbackLetter.objects.current().filter(referral=OuterRef("pk"), status=LetterStatus.DRAFT)
    found = (
        Referral.objects.current()
        .filter(patient__in=patients, state__in=states.LETTER_STATES)
        .exclude(Exists(sent))
        .annotate(drafted=Exists(drafted))
        .order_by("state_changed_at")
        .values(
            "id",
            "patient_id",
            "patient__given_name",
            "patient__preferred_name",
            "patient__family_name",
            "patient__record_number",
            "direction",
            "service",
            "state",
            "state_changed_at",
            "drafted",
        )
    )
    return [
        LetterOwed(
            id=row["id"],
            patient_id=row["patient_id"],
            patient_name=_name(row),
            record_number=row["patient__record_number"],
            direction=row["direction"],
            direction_label=_label(Direction, row["direction"]),
            service_label=_label(Service, row["service"]),
            state_label=_label(State, row["state"]),
            state_since=waits.local_day(row["state_changed_at"], time_zone),
            letter_drafted=bool(row["drafted"]),
        )
        for row in found
    ]


# --- the directory ----------------------------------------------------------------------------------------


def directory(
    organisation_id: UUID, *, search: str = "", kind: str = "", active_only: bool = False
) -> QuerySet[CommunityResource]:
    found = CommunityResource.objects.current().filter(organisation_id=organisation_id)
    if search:
        found = found.filter(
            Q(name__icontains=search)
            | Q(languages__icontains=search)
            | Q(eligibility__icontains=search)
            | Q(notes__icontains=search)
            | Q(contact__icontains=search)
        )
    if kind:
        found = found.filter(kind=kind)
    if active_only:
        found = found.filter(active=True)
    return found.order_by("-active", "name")


def resource_of(organisation_id: UUID, resource_id: Any) -> CommunityResource | None:
    found = _uuid(resource_id)
    if found is None:
        return None
    resource: CommunityResource | None = directory(organisation_id).filter(pk=found).first()
    return resource


def patient_id_of_referral(referral_id: Any) -> UUID | None:
    """Whose referral this is, for the FHIR read to open the patient through the gateway (None if unknown)."""
    found = _uuid(referral_id)
    if found is None:
        return None
    owner: UUID | None = Referral.objects.current().filter(pk=found).values_list("patient_id", flat=True).first()
    return owner
