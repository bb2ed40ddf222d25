"""An alert as a FHIR R4 Flag (decision 0019).

- `status` is `active` while the alert is open, `inactive` once acknowledged, `entered-in-error` when marked so.
- `category` (flag-category): `safety` for a critical item or a concern the team raised (a risk to the
  patient's safety), `clinical` for a reliable deterioration.
- `code.text` says what happened (the alert's kind and summary); the local code system `alert-kinds` names
  the kind.
- `subject` is the patient; `period` runs from when the alert was raised until it was acknowledged.
- `author` is the clinic (Organization): alerts are raised by the clinic's rules, not by a person.
- The urgency is the standard `flag-priority` extension: `PH` (high) for urgent, `PM` (medium) for routine.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference

from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import base_url, patient_reference_of
from commonground.patients.models import Patient
from commonground.safety import selectors
from commonground.safety.choices import AlertKind, AlertStatus, Urgency
from commonground.safety.models import Alert

FLAG_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/flag-category"
FLAG_PRIORITY_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/flag-priority"
FLAG_PRIORITY_CODES: Final = "http://hl7.org/fhir/flag-priority-code"
CATEGORY: Final = {
    AlertKind.CRITICAL_ITEM: ("safety", "Safety"),
    AlertKind.RELIABLE_DETERIORATION: ("clinical", "Clinical"),
    AlertKind.CONCERN: ("safety", "Safety"),
}
PRIORITY: Final = {Urgency.URGENT: ("PH", "High priority"), Urgency.ROUTINE: ("PM", "Medium priority")}
KIND_DISPLAY: Final = {
    AlertKind.CRITICAL_ITEM: "Critical item answered",
    AlertKind.RELIABLE_DETERIORATION: "Reliable deterioration",
    AlertKind.CONCERN: "Concern raised by the team",
}


def alert_kinds_system() -> str:
    return f"{base_url()}/CodeSystem/alert-kinds"


def flag_resource(alert: Alert) -> Flag:
    category, category_display = CATEGORY.get(AlertKind(alert.kind), ("clinical", "Clinical"))
    priority, priority_display = PRIORITY[Urgency(alert.urgency)]
    kind = KIND_DISPLAY.get(AlertKind(alert.kind), alert.kind)
    return Flag(
        id=str(alert.id),
        status=flag_status(alert),
        category=[
            CodeableConcept(
                coding=[Coding(system=FLAG_CATEGORY, code=category, display=category_display)], text=category_display
            )
        ],
        code=CodeableConcept(
            coding=[Coding(system=alert_kinds_system(), code=alert.kind, display=kind)], text=f"{kind}: {alert.summary}"
        ),
        subject=Reference(reference=patient_reference_of(alert.patient_id)),
        period=Period(start=alert.raised_at, end=alert.acknowledged_at),
        author=Reference(reference=f"Organization/{alert.organisation_id}"),
        extension=[
            Extension(
                url=FLAG_PRIORITY_EXTENSION,
                valueCodeableConcept=CodeableConcept(
                    coding=[Coding(system=FLAG_PRIORITY_CODES, code=priority, display=priority_display)],
                    text=priority_display,
                ),
            )
        ],
    )


def flag_status(alert: Alert) -> str:
    if alert.is_entered_in_error:
        return "entered-in-error"
    return "active" if alert.status == AlertStatus.OPEN else "inactive"


def patient_id_of_flag(alert_id: UUID) -> UUID | None:
    found: UUID | None = selectors.patient_id_of_alert(alert_id)
    return found


def flag_of(patient: Patient, alert_id: UUID) -> Flag | None:
    found = selectors.alert_of(patient.id, alert_id)
    return None if found is None else flag_resource(found)


def flags_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """The patient's alerts, open ones first: active and inactive Flags."""
    return searchset([flag_resource(alert) for alert in selectors.alerts_of(patient.id)], self_url=self_url)
