"""Raising and acknowledging alerts. An alert is raised once per source (a rule that runs twice raises
one), written for the care coordinator and the responsible clinician, and told to them by an e-mail that
carries no clinical content (only a link to sign in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonground.accounts.choices import CLINICAL_ROLES
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careteam import selectors as team_selectors
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.notifications.services import send_email
from commonground.patients.models import Patient
from commonground.safety.choices import AlertKind, AlertStatus, Urgency
from commonground.safety.models import Alert, AlertRecipient


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


def raise_alert(patient: Patient, *, kind: str, urgency: str, summary: str, source_type: str, source_id: str) -> Alert:
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


def _tell(address: str, *, urgent: bool) -> None:
    """A notice to sign in: no patient, no questionnaire, no answer in the message."""
    send_email(
        to=address,
        subject=_("Urgent: an alert needs your attention") if urgent else _("An alert needs your attention"),
        template="safety/emails/alert.txt",
        context={"url": f"{settings.SITE_URL}/clinician/alerts/", "urgent": urgent},
    )


def acknowledge(alert: Alert, *, by: Any, note: str, expected_version: int) -> Alert:
    """Acknowledged with a note saying what was done; the alert leaves the open list, not the record."""
    if not note.strip():
        raise DomainError(_("Write what was done about this alert."), field="note")
    if alert.status != AlertStatus.OPEN:
        raise DomainError(_("This alert has already been acknowledged."))
    acknowledged = save_edit(
        alert,
        expected_version=expected_version,
        reason="Acknowledged",
        changes={
            "status": AlertStatus.ACKNOWLEDGED,
            "acknowledged_by": by,
            "acknowledged_at": clock.now(),
            "acknowledgement_note": note.strip()[:4000],
        },
    )
    record_patient_access(
        alert.patient_id, alert.organisation_id, action=Action.UPDATE, object_type="alert", object_id=str(alert.id)
    )
    return acknowledged
