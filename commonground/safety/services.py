"""Raising and acknowledging alerts. An alert is raised once per source (a rule that runs twice raises
one), written for the care coordinator and the responsible clinician, and told to them by an e-mail that
carries no clinical content (only a link to sign in)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind
from commonground.accounts.models import User
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careteam import selectors as team_selectors
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.versioning import save_edit, save_new
from commonground.notifications.services import send_email
from commonground.patients.models import Patient
from commonground.safety.choices import AlertKind, AlertStatus, EscalationLevel, StepKind, StepReason, Urgency
from commonground.safety.models import Alert, AlertRecipient, AlertStep, SafetyPlan, SafetyPlanVersion


def raise_critical_item_alert(patient: Patient, *, summary: str, response_id: Any) -> Alert:
    return raise_alert(
        patient,
        kind=AlertKind.CRITICAL_ITEM,
        urgency=Urgency.URGENT,
        summary=summary,
        source_type="response",
        source_id=str(response_id),
    )


def raise_deterioration_alert(patient: Patient, *, summary: str, response_id: Any) -> Alert:
    return raise_alert(
        patient,
        kind=AlertKind.RELIABLE_DETERIORATION,
        urgency=Urgency.ROUTINE,
        summary=summary,
        source_type="response",
        source_id=str(response_id),
    )


@transaction.atomic
def raise_concern(patient: Patient, *, by: Any, urgency: str, summary: str) -> Alert:
    """A team member's worry (a phone call, something said in a session) raised as an alert, so that it is
    followed up and, when urgent and nobody acknowledges it, sent on like any other."""
    if urgency not in Urgency.values:
        raise DomainError(_("Choose how urgent it is."), field="urgency")
    if not summary.strip():
        raise DomainError(_("Write what happened."), field="summary")
    return raise_alert(
        patient,
        kind=AlertKind.CONCERN,
        urgency=urgency,
        summary=summary.strip(),
        source_type="concern",
        source_id=str(uuid.uuid4()),
        by=by,
    )


def raise_alert(
    patient: Patient, *, kind: str, urgency: str, summary: str, source_type: str, source_id: str, by: Any = None
) -> Alert:
    existing: Alert | None = Alert.objects.filter(kind=kind, source_type=source_type, source_id=source_id).first()
    if existing is not None:
        return existing
    alert = Alert(
        patient=patient,
        organisation_id=patient.organisation_id,
        kind=kind,
        urgency=urgency,
        summary=summary[:300],
        source_type=source_type,
        source_id=source_id,
        raised_at=clock.now(),
    )
    try:
        with transaction.atomic():
            save_new(alert, reason="Raised by a rule")
    except IntegrityError:
        return Alert.objects.get(kind=kind, source_type=source_type, source_id=source_id)
    recipients = alert_recipients(patient)
    AlertRecipient.objects.bulk_create([AlertRecipient(alert=alert, staff=staff) for staff in recipients])
    AlertStep.objects.create(
        alert=alert,
        kind=StepKind.RAISED,
        level=EscalationLevel.RAISED,
        at=alert.raised_at,
        by=by,
        sent_to=[person.display_name for person in recipients],
        detail=StepReason.CARE_TEAM,
    )
    record_patient_access(
        patient.id, patient.organisation_id, action=Action.CREATE, object_type="alert", object_id=str(alert.id)
    )
    for staff in recipients:
        if staff.email:
            _tell(staff.email, urgent=urgency == Urgency.URGENT)
    return alert


def alert_recipients(patient: Patient) -> list[Any]:
    """The care coordinator and the responsible clinician; if the team has neither, its clinical members."""
    team = team_selectors.care_team_of(patient.id)
    chosen = [] if team is None else [team.care_coordinator, team.responsible_clinician]
    people = {person.id: person for person in chosen if person is not None and person.is_active}
    if not people:
        for member in team_selectors.current_members(patient.id):
            if member.staff.is_active and member.staff.role in CLINICAL_ROLES:
                people[member.staff.id] = member.staff
    return list(people.values())


def _tell(address: str, *, urgent: bool, sent_on: bool = False) -> None:
    """A notice to sign in: no patient, no questionnaire, no answer in the message."""
    if sent_on:
        subject = _("Urgent: an alert has not been acknowledged yet")
    elif urgent:
        subject = _("Urgent: an alert needs your attention")
    else:
        subject = _("An alert needs your attention")
    send_email(
        to=address,
        subject=subject,
        template="safety/emails/alert.txt",
        context={"url": f"{settings.SITE_URL}/clinician/alerts/", "urgent": urgent, "sent_on": sent_on},
    )


# --- acknowledging -------------------------------------------------------------------------------------------


class AlreadyAcknowledged(DomainError):
    """A colleague acknowledged the alert first; `current` says who, when and what they did."""

    def __init__(self, current: Alert) -> None:
        super().__init__(_("This alert has already been acknowledged."))
        self.current = current


@transaction.atomic
def acknowledge(alert: Alert, *, by: Any, note: str, expected_version: int) -> Alert:
    """Acknowledged with a note saying what was done; the alert leaves the open list, not the record.

    The acknowledgement is one conditional UPDATE (`WHERE status = 'open' AND version = ...`): of two people
    acknowledging at once exactly one matches the row, on PostgreSQL (the second UPDATE waits for the first
    one's row lock, then finds the row no longer open) and on SQLite (one writer at a time). The other gets
    `AlreadyAcknowledged` carrying who did it and when. Sending an alert on does not change its version,
    so an acknowledgement typed while the alert was escalated still counts.
    """
    text = note.strip()
    if not text:
        raise DomainError(_("Write what was done about this alert."), field="note")
    now = clock.now()
    claimed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN, version=expected_version).update(
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_by=by,
        acknowledged_at=now,
        acknowledgement_note=text[:4000],
        version=F("version") + 1,
        updated_at=now,
    )
    if not claimed:
        current = Alert.objects.select_related("acknowledged_by").get(pk=alert.pk)
        if current.status != AlertStatus.OPEN:
            raise AlreadyAcknowledged(current)
        raise StaleEdit(current=current)
    alert.refresh_from_db()
    alert._change_reason = "Acknowledged"  # type: ignore[attr-defined]  # read by simple-history
    alert.save(update_fields=["updated_at"])  # the history row of the acknowledged alert
    AlertStep.objects.create(
        alert=alert, kind=StepKind.ACKNOWLEDGED, level=alert.escalation_level, at=now, by=by, detail=text[:4000]
    )
    record_patient_access(
        alert.patient_id, alert.organisation_id, action=Action.UPDATE, object_type="alert", object_id=str(alert.id)
    )
    return alert


@transaction.atomic
def add_note(alert: Alert, *, by: Any, note: str) -> AlertStep:
    """A note added to an alert's record after it was acknowledged (the second person's, for one)."""
    text = note.strip()
    if not text:
        raise DomainError(_("Write the note first."), field="note")
    step = AlertStep.objects.create(
        alert=alert, kind=StepKind.NOTE, level=alert.escalation_level, at=clock.now(), by=by, detail=text[:4000]
    )
    record_patient_access(
        alert.patient_id, alert.organisation_id, action=Action.UPDATE, object_type="alert", object_id=str(alert.id)
    )
    return step


# --- sending on ----------------------------------------------------------------------------------------------


@transaction.atomic
def escalate_alert(alert: Alert, *, to_level: int, now: datetime) -> bool:
    """Send an unacknowledged alert on: level 1 to the responsible clinician, level 2 to whoever is on call.

    Does nothing and returns False when the alert is no longer open or already at or above `to_level`
    (the claim is one conditional UPDATE, so two jobs running at once send it on once). Otherwise records
    the step with whom it went to and why them, tells them by an e-mail without clinical content (queued,
    delivered after commit), and returns True. The rules engine decides when (decision 0019, 0020).
    """
    if to_level not in (EscalationLevel.RESPONSIBLE_CLINICIAN, EscalationLevel.ON_CALL):
        raise ValueError(f"An alert is sent on to level 1 or 2, not {to_level}")
    claimed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN, escalation_level__lt=to_level).update(
        escalation_level=to_level, escalated_at=now
    )
    if not claimed:
        return False
    alert.escalation_level, alert.escalated_at = to_level, now
    people, reason = escalation_recipients(alert, to_level=to_level, now=now)
    AlertRecipient.objects.bulk_create(
        [AlertRecipient(alert=alert, staff=person, level=to_level) for person in people], ignore_conflicts=True
    )
    AlertStep.objects.create(
        alert=alert,
        kind=StepKind.ESCALATED,
        level=to_level,
        at=now,
        sent_to=[person.display_name for person in people],
        detail=reason,
    )
    record_patient_access(
        alert.patient_id, alert.organisation_id, action=Action.UPDATE, object_type="alert", object_id=str(alert.id)
    )
    for person in people:
        if person.email:
            _tell(person.email, urgent=alert.urgency == Urgency.URGENT, sent_on=True)
    return True


def escalation_recipients(alert: Alert, *, to_level: int, now: datetime) -> tuple[list[Any], str]:
    """Who a step sends the alert to, and why them (a `StepReason`).

    Level 1: the responsible clinician; without one (or with an inactive account), the on-call role.
    Level 2: who is on call now on the clinic's rota; with nobody on call, the clinic's clinicians with
    emergency-access rights; with none of those either, the patient's clinical care team.
    """
    if to_level == EscalationLevel.RESPONSIBLE_CLINICIAN:
        team = team_selectors.care_team_of(alert.patient_id)
        responsible = None if team is None else team.responsible_clinician
        if responsible is not None and responsible.is_active:
            return [responsible], StepReason.RESPONSIBLE_CLINICIAN
        people, reason = _on_call_or_fallback(alert, now)
        return people, StepReason.NO_RESPONSIBLE_CLINICIAN if people else reason
    return _on_call_or_fallback(alert, now)


def _on_call_or_fallback(alert: Alert, now: datetime) -> tuple[list[Any], str]:
    on_call = team_selectors.on_call_now(alert.organisation_id, now)
    if on_call:
        return on_call, StepReason.ON_CALL
    emergency = list(
        User.objects.filter(
            organisation_id=alert.organisation_id,
            kind=AccountKind.STAFF,
            role__in=sorted(CLINICAL_ROLES),
            is_active=True,
            can_break_glass=True,
        ).order_by("display_name")
    )
    if emergency:
        return emergency, StepReason.NOBODY_ON_CALL
    team = [m.staff for m in team_selectors.current_members(alert.patient_id) if m.staff.is_active]
    return [p for p in team if p.role in CLINICAL_ROLES], StepReason.NOBODY_ON_CALL_OR_EMERGENCY


# --- safety plans --------------------------------------------------------------------------------------------

LIST_SECTIONS = ("warning_signs", "coping_strategies", "distractions", "safe_environment", "reasons_for_living")
CONTACT_SECTIONS = ("help_contacts", "professionals")


@transaction.atomic
def save_safety_plan(
    patient: Patient, *, by: Any, content: dict[str, Any], expected_version: int, change_note: str = ""
) -> SafetyPlanVersion:
    """Save the plan as a new version; earlier versions never change.

    `expected_version` is the version the editor started from (0 for a new plan). When a colleague saved
    a version since, nothing is saved and `StaleEdit` carries the plan as it is now.
    """
    clean = _clean_plan(content)
    if not any(clean.values()):
        raise DomainError(_("Write at least one thing in the plan before saving it."))
    plan = SafetyPlan.objects.current().filter(patient=patient).first()
    if plan is None:
        if expected_version != 0:
            raise DomainError(_("This safety plan is no longer in the record."))
        try:
            with transaction.atomic():
                plan = save_new(
                    SafetyPlan(patient=patient, organisation_id=patient.organisation_id), reason="Safety plan made"
                )
        except IntegrityError:
            raise StaleEdit(current=SafetyPlan.objects.get(patient=patient)) from None
        action = Action.CREATE
    else:
        if expected_version == 0:
            raise StaleEdit(current=plan)  # a colleague made the plan while this one was typed
        plan = save_edit(plan, expected_version=expected_version, reason="New version of the safety plan", changes={})
        action = Action.UPDATE
    version = SafetyPlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        saved_by=by,
        saved_at=clock.now(),
        change_note=change_note.strip()[:300],
        **clean,
    )
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type="safety_plan", object_id=str(plan.id)
    )
    return version


def _clean_plan(content: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in LIST_SECTIONS:
        lines = content.get(name) or []
        clean[name] = [str(line).strip()[:300] for line in lines if str(line).strip()][:20]
    for name in CONTACT_SECTIONS:
        rows = []
        for row in content.get(name) or []:
            who, phone = str(row.get("name", "")).strip()[:120], str(row.get("phone", "")).strip()[:40]
            if phone and not who:
                raise DomainError(_("Write a name beside each phone number."), field=name)
            if who:
                rows.append({"name": who, "phone": phone})
        clean[name] = rows[:10]
    return clean
