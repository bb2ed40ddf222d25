"""Writes of the referrals domain: referrals out and in, their moves, the feedback letter, the directory.

Callers have opened the patient through the access gateway. Every check comes before the first write, so a
refused request leaves nothing behind; each write of patient data records its audit event in the same
transaction. A move names the version the person saw: of two people moving the same referral at once, one
moves it and the other gets `StaleEdit` (a conflict), never a double move.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonground.accounts.choices import Role
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.notifications.services import send_email
from commonground.patients.models import Patient
from commonground.referrals import states, waits
from commonground.referrals.choices import (
    OUTGOING_SERVICES,
    Cost,
    Direction,
    LetterStatus,
    ResourceKind,
    Service,
    State,
    Urgency,
    kind_fits,
)
from commonground.referrals.models import CommunityResource, FeedbackLetter, Referral, ReferralStep

OUTGOING_FIELDS = ("service", "resource_id", "counterpart", "reason", "question", "urgency")
INCOMING_FIELDS = ("counterpart", "referred_on", "reason", "question", "symptoms", "urgency", "service")
LETTER_FIELDS = ("recipient", "findings", "plan", "advice")
RESOURCE_FIELDS = ("name", "kind", "contact", "website", "languages", "cost", "eligibility", "notes", "active")
DIRECTORY_KEEPERS = frozenset({Role.CARE_COORDINATOR, Role.ADMINISTRATOR})
REFERRED_DAYS_BACK = 365  # an incoming referral found in the post may be up to a year old, never older
NOTE_MAX = 500
NOTE_NEEDED = frozenset({State.DECLINED, State.WITHDRAWN})  # the note says why; the coordinator needs to know


# --- checking input ---------------------------------------------------------------------------------------


def _only(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise DomainError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})


def _text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise DomainError(_("Please fill this in."), field=field)
    if len(text) > limit:
        raise DomainError(_("Please keep this to %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _choice(value: Any, field: str, allowed: Any) -> str:
    if value not in [str(choice) for choice in allowed]:
        raise DomainError(_("Choose one of the options."), field=field)
    return str(value)


def _as_uuid(value: Any) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _time_zone(patient: Patient) -> str:
    return str(patient.organisation.time_zone)


def _audit(patient_id: UUID, organisation_id: UUID, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(patient_id, organisation_id, action=action, object_type=object_type, object_id=str(object_id))


def _at_version(record: Any, expected_version: int) -> None:
    if record.version != expected_version:
        raise StaleEdit(current=type(record).objects.get(pk=record.pk))


# --- referrals ----------------------------------------------------------------------------------------------


def _resource(patient: Patient, value: Any) -> CommunityResource | None:
    if value in (None, ""):
        return None
    found = _as_uuid(value)
    resource: CommunityResource | None = (
        CommunityResource.objects.current()
        .filter(pk=found, organisation_id=patient.organisation_id, active=True)
        .first()
        if found
        else None
    )
    if resource is None:
        raise DomainError(_("Choose a service from the clinic's directory."), field="resource_id")
    return resource


def _fitting(resource: CommunityResource | None, service: str) -> CommunityResource | None:
    """The directory entry must fit the service referred to: no debt help line for physiotherapy."""
    if resource is None or kind_fits(service, resource.kind):
        return resource
    fitting = ", ".join(str(ResourceKind(kind).label).lower() for kind in ResourceKind if kind_fits(service, kind))
    raise DomainError(
        _(
            "%(name)s (%(kind)s) does not fit a referral to %(service)s. For %(service)s choose an entry of "
            "these kinds: %(fitting)s; or change the service."
        )
        % {
            "name": resource.name,
            "kind": str(resource.get_kind_display()).lower(),
            "service": str(Service(service).label).lower(),
            "fitting": fitting,
        },
        field="resource_id",
    )


def _checked_outgoing(patient: Patient, details: dict[str, Any]) -> dict[str, Any]:
    service = _choice(details.get("service"), "service", OUTGOING_SERVICES)
    resource = _fitting(_resource(patient, details.get("resource_id")), service)
    counterpart = _text(details.get("counterpart"), "counterpart", limit=200)
    return {
        "service": service,
        "resource": resource,
        "counterpart": counterpart or (resource.name if resource else ""),
        "reason": _text(details.get("reason"), "reason", limit=4000, required=True),
        "question": _text(details.get("question"), "question", limit=2000),
        "urgency": _choice(details.get("urgency") or Urgency.ROUTINE, "urgency", Urgency),
    }


@transaction.atomic
def create_outgoing(patient: Patient, *, details: dict[str, Any], by: Any, send_now: bool = False) -> Referral:
    """A referral from this clinic to another service, saved as a draft (or sent at once with `send_now`)."""
    _only(details, OUTGOING_FIELDS)
    checked = _checked_outgoing(patient, details)
    now = clock.now()
    referral = Referral(
        patient=patient,
        organisation_id=patient.organisation_id,
        direction=Direction.OUTGOING,
        state=State.DRAFT,
        state_changed_at=now,
        created_at=now,
        created_by=by,
        **checked,
    )
    save_new(referral, reason="Referral drafted")
    _step(referral, "", State.DRAFT, at=now, by=by)
    _audit(patient.id, patient.organisation_id, Action.CREATE, "referral", referral.id)
    if send_now:
        referral = move(referral, to_state=State.SENT, expected_version=referral.version, by=by)
    return referral


@transaction.atomic
def update_draft(referral: Referral, *, expected_version: int, changes: dict[str, Any], by: Any) -> Referral:
    """Change a referral out while it is still a draft (once sent, it went as it was)."""
    _only(changes, OUTGOING_FIELDS)
    if referral.state != State.DRAFT:
        raise DomainError(_("Only a draft can be changed; this referral was already sent."))
    current = {field: getattr(referral, field) for field in OUTGOING_FIELDS if field != "resource_id"}
    current["resource_id"] = referral.resource_id
    checked = _checked_outgoing(referral.patient, current | changes)
    _at_version(referral, expected_version)
    referral = save_edit(referral, expected_version=expected_version, reason="Draft changed", changes=checked)
    _audit(referral.patient_id, referral.organisation_id, Action.UPDATE, "referral", referral.id)
    return referral


def _referred_at(value: Any, patient: Patient, now: datetime) -> datetime:
    """The moment an incoming referral was sent by the GP: now if today, else the start of that day."""
    if value in (None, ""):
        return now
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Give a date as year-month-day."), field="referred_on") from None
    time_zone = _time_zone(patient)
    today = waits.local_day(now, time_zone)
    if day > today:
        raise DomainError(_("The referral date cannot be in the future."), field="referred_on")
    if day < today - timedelta(days=REFERRED_DAYS_BACK):
        raise DomainError(_("The referral date is more than a year ago; please check it."), field="referred_on")
    if day == today:
        return now
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(time_zone))


@transaction.atomic
def register_incoming(patient: Patient, *, details: dict[str, Any], by: Any) -> Referral:
    """A referral from the GP for a patient already registered. It arrives at *received*: the GP's sending is
    recorded as the first step on the day they sent it (`referred_on`), so the wait runs from then."""
    _only(details, INCOMING_FIELDS)
    now = clock.now()
    sent_at = _referred_at(details.get("referred_on"), patient, now)
    checked = {
        "counterpart": _text(details.get("counterpart"), "counterpart", limit=200, required=True),
        "reason": _text(details.get("reason"), "reason", limit=4000, required=True),
        "question": _text(details.get("question"), "question", limit=2000),
        "symptoms": _text(details.get("symptoms"), "symptoms", limit=4000),
        "urgency": _choice(details.get("urgency") or Urgency.ROUTINE, "urgency", Urgency),
        "service": _choice(details.get("service") or Service.PSYCHOSOMATIC_CARE, "service", Service),
    }
    referral = Referral(
        patient=patient,
        organisation_id=patient.organisation_id,
        direction=Direction.INCOMING,
        state=State.RECEIVED,
        state_changed_at=now,
        created_at=now,
        sent_at=sent_at,
        created_by=by,
        **checked,
    )
    save_new(referral, reason="Referral received from the GP")
    _step(referral, "", State.SENT, at=sent_at, by=None, note=_("Sent by %(who)s") % {"who": checked["counterpart"]})
    _step(referral, State.SENT, State.RECEIVED, at=now, by=by)
    _audit(patient.id, patient.organisation_id, Action.CREATE, "referral", referral.id)
    return referral


def _step(referral: Referral, from_state: str, to_state: str, *, at: datetime, by: Any, note: str = "") -> None:
    ReferralStep.objects.create(
        referral=referral,
        organisation_id=referral.organisation_id,
        from_state=from_state,
        to_state=to_state,
        at=at,
        by=by,
        note=note[:NOTE_MAX],
    )


def _when(day: Any, *, last_at: datetime, now: datetime, time_zone: str) -> datetime:
    """When a move happened: now, or midday of an earlier day it is recorded for (never in the future, never
    before the referral's last step)."""
    if day in (None, ""):
        return now
    try:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
    except ValueError:
        raise DomainError(_("Give a date as year-month-day."), field="on") from None
    today = waits.local_day(now, time_zone)
    last_day = waits.local_day(last_at, time_zone)
    if day > today:
        raise DomainError(_("This cannot be recorded for a day in the future."), field="on")
    if day < last_day:
        raise DomainError(
            _("This cannot have happened before the referral's last step, on %(day)s.")
            % {"day": waits.day_text(last_day)},
            field="on",
        )
    if day == today:
        return now
    return max(datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(time_zone)), last_at)


@transaction.atomic
def move(
    referral: Referral, *, to_state: str, expected_version: int, by: Any, note: str = "", on: Any = None
) -> Referral:
    """Move the referral to `to_state` if the state machine allows it from where it is now.

    `on` is the day it happened when recorded afterwards (default: now). Declining and withdrawing need a
    `note` saying why. Refused moves raise `RefusedMove`
    naming the current state and the allowed next ones; a stale `expected_version` raises `StaleEdit`.
    """
    _at_version(referral, expected_version)
    states.check_move(referral.state, to_state)
    if to_state in NOTE_NEEDED and not (note or "").strip():
        raise DomainError(
            _("Say in the note why the referral is %(state)s.") % {"state": states.label(to_state).lower()},
            field="note",
        )
    note = _text(note, "note", limit=NOTE_MAX)
    now = clock.now()
    at = _when(on, last_at=referral.state_changed_at, now=now, time_zone=_time_zone(referral.patient))
    changes: dict[str, Any] = {"state": to_state, "state_changed_at": at}
    if to_state == State.SENT:
        changes["sent_at"] = at
    if to_state == State.FIRST_CONTACT:
        changes["first_contact_at"] = at
    from_state = referral.state
    referral = save_edit(
        referral,
        expected_version=expected_version,
        reason=f"{states.label(from_state)} → {states.label(to_state)}",
        changes=changes,
    )
    _step(referral, from_state, to_state, at=at, by=by, note=note)
    _audit(referral.patient_id, referral.organisation_id, Action.UPDATE, "referral", referral.id)
    return referral


@transaction.atomic
def referral_in_error(referral: Referral, *, expected_version: int, reason: str) -> Referral:
    """A referral recorded by mistake (the wrong patient, a duplicate) leaves the lists, not the history."""
    reason = _text(reason, "reason", limit=NOTE_MAX, required=True)
    _at_version(referral, expected_version)
    referral = mark_entered_in_error(referral, expected_version=expected_version, reason=reason)
    _audit(referral.patient_id, referral.organisation_id, Action.ENTERED_IN_ERROR, "referral", referral.id)
    return referral


# --- the feedback letter ------------------------------------------------------------------------------------


def _checked_letter(details: dict[str, Any]) -> dict[str, Any]:
    return {
        "recipient": _text(details.get("recipient"), "recipient", limit=200),
        "findings": _text(details.get("findings"), "findings", limit=6000, required=True),
        "plan": _text(details.get("plan"), "plan", limit=4000),
        "advice": _text(details.get("advice"), "advice", limit=4000),
    }


@transaction.atomic
def save_letter(
    referral: Referral, *, details: dict[str, Any], by: Any, expected_version: int | None = None
) -> FeedbackLetter:
    """Write the letter's draft, or change it (`expected_version` of the letter). A sent letter is final."""
    _only(details, LETTER_FIELDS)
    checked = _checked_letter(details)
    letter: FeedbackLetter | None = FeedbackLetter.objects.current().filter(referral=referral).first()
    if letter is None:
        if referral.state not in states.LETTER_STATES:
            raise DomainError(
                _("A feedback letter can be written once the person was seen or the referral was declined.")
            )
        if not checked["recipient"] and referral.is_incoming:
            checked["recipient"] = referral.counterpart
        letter = FeedbackLetter(
            referral=referral,
            patient_id=referral.patient_id,
            organisation_id=referral.organisation_id,
            author=by,
            **checked,
        )
        try:
            with transaction.atomic():
                save_new(letter, reason="Feedback letter drafted")
        except IntegrityError:  # a colleague started the letter a moment ago
            raise DomainError(_("A colleague started this letter a moment ago; open it again.")) from None
        _audit(referral.patient_id, referral.organisation_id, Action.CREATE, "feedback_letter", letter.id)
        return letter
    if letter.status != LetterStatus.DRAFT:
        raise DomainError(_("This letter was sent and can no longer be changed."))
    _at_version(letter, expected_version if expected_version is not None else -1)
    letter = save_edit(letter, expected_version=letter.version, reason="Feedback letter changed", changes=checked)
    _audit(referral.patient_id, referral.organisation_id, Action.UPDATE, "feedback_letter", letter.id)
    return letter


@transaction.atomic
def send_letter(letter: FeedbackLetter, *, expected_version: int, by: Any) -> FeedbackLetter:
    """The letter is sent (to the GP), or the service's feedback is in: the referral's loop is closed.

    When a service's feedback comes in, the person who made the referral is told to sign in (nothing about
    the patient in the e-mail, sent after the transaction commits).
    """
    if letter.status != LetterStatus.DRAFT:
        raise DomainError(_("This letter was already sent."))
    _at_version(letter, expected_version)
    if not letter.findings.strip():
        raise DomainError(_("Write the findings before sending."), field="findings")
    letter = save_edit(
        letter,
        expected_version=expected_version,
        reason="Feedback letter sent",
        changes={"status": LetterStatus.SENT, "sent_at": clock.now(), "sent_by": by},
    )
    _audit(letter.patient_id, letter.organisation_id, Action.UPDATE, "feedback_letter", letter.id)
    referrer = letter.referral.created_by
    if not letter.referral.is_incoming and referrer.is_active and referrer.email and referrer.pk != by.pk:
        send_email(
            to=referrer.email,
            subject=_("Feedback on a referral has come in"),
            template="referrals/emails/feedback.txt",
            context={"url": f"{settings.SITE_URL}/clinician/referrals/"},
        )
    return letter


@transaction.atomic
def save_and_send_letter(
    referral: Referral, *, details: dict[str, Any], by: Any, expected_version: int | None = None
) -> FeedbackLetter:
    """Close the loop with the letter as it stands in the form: save it (checked, at the version the person
    saw, exactly as `save_letter`) and mark it as sent, in one transaction. A refused save sends nothing, and a
    refused send undoes the save: the loop is never closed with an older draft than the one on the screen."""
    letter = save_letter(referral, details=details, by=by, expected_version=expected_version)
    return send_letter(letter, expected_version=letter.version, by=by)


# --- the directory of community resources -----------------------------------------------------------------


def may_keep_directory(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in DIRECTORY_KEEPERS)


def _checked_resource(values: dict[str, Any]) -> dict[str, Any]:
    website = _text(values.get("website"), "website", limit=200)
    if website and not website.startswith(("https://", "http://")):
        raise DomainError(_("Give the website's full address, starting with https://."), field="website")
    return {
        "name": _text(values.get("name"), "name", limit=200, required=True),
        "kind": _choice(values.get("kind"), "kind", ResourceKind),
        "contact": _text(values.get("contact"), "contact", limit=400),
        "website": website,
        "languages": _text(values.get("languages"), "languages", limit=200),
        "cost": _choice(values.get("cost") or Cost.FREE, "cost", Cost),
        "eligibility": _text(values.get("eligibility"), "eligibility", limit=2000),
        "notes": _text(values.get("notes"), "notes", limit=2000),
        "active": bool(values.get("active", True)),
    }


def _keeper(by: Any) -> None:
    if not may_keep_directory(by):
        raise DomainError(_("Only care coordinators and administrators keep the directory."))


@transaction.atomic
def create_resource(*, organisation_id: UUID, details: dict[str, Any], by: Any) -> CommunityResource:
    _keeper(by)
    _only(details, RESOURCE_FIELDS)
    checked = _checked_resource(details)
    if by.organisation_id != organisation_id:
        raise DomainError(_("Only care coordinators and administrators keep the directory."))
    resource = CommunityResource(organisation_id=organisation_id, **checked)
    return save_new(resource, reason="Added to the directory")


@transaction.atomic
def update_resource(
    resource: CommunityResource, *, expected_version: int, changes: dict[str, Any], by: Any
) -> CommunityResource:
    _keeper(by)
    _only(changes, RESOURCE_FIELDS)
    if by.organisation_id != resource.organisation_id:
        raise DomainError(_("Only care coordinators and administrators keep the directory."))
    merged = {field: getattr(resource, field) for field in RESOURCE_FIELDS} | changes
    checked = _checked_resource(merged)
    _at_version(resource, expected_version)
    return save_edit(resource, expected_version=expected_version, reason="Directory entry changed", changes=checked)
