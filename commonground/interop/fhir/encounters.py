"""A therapy session as a FHIR R4 Encounter (decision 0012).

`status` finished (a session is recorded once held); `class` ambulatory (v3-ActCode AMB); `type` a therapy
session; the clinician as primary performer (v3-ParticipationType PPRF); `period` the day it was held and
`length` its minutes (UCUM `min`). The session's note, exercises and the patient's reflection stay out: a
note is clinical text, not an encounter's attribute. The CarePlan names its sessions
(`activity.outcomeReference`), because R4's Encounter cannot point to a CarePlan.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final
from uuid import UUID

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.encounter import Encounter, EncounterParticipant
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference

from commonground.careplans import selectors
from commonground.careplans.models import TherapySession
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import UCUM, patient_reference_of
from commonground.patients.models import Patient

ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SESSION_TYPE: Final = "Therapy session"


def encounter_resource(session: TherapySession) -> Encounter:
    return Encounter(
        id=str(session.id),
        status="entered-in-error" if session.is_entered_in_error else "finished",
        class_fhir=Coding(system=ACT_CODE, code="AMB", display="ambulatory"),  # type: ignore[call-arg]  # "class"
        type=[CodeableConcept(text=SESSION_TYPE)],
        subject=Reference(reference=patient_reference_of(session.patient_id)),
        participant=[_clinician(session)],
        period=days(session.held_on, session.held_on),
        length=Duration(value=Decimal(session.duration_minutes), unit="min", system=UCUM, code="min"),
    )


def days(start: date | None, end: date | None) -> Period:
    """A period of whole days (a FHIR dateTime may be a date; the model's typing says datetime only)."""
    return Period.model_validate({"start": start, "end": end})


# --- reads for the endpoints (the caller has opened the patient through the gateway) -----------------------


def encounter_of(patient: Patient, session_id: UUID) -> Encounter | None:
    found = selectors.session_of(patient, session_id)
    return encounter_resource(found) if found is not None else None


def encounters_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """The patient's current sessions, oldest first, as a searchset."""
    sessions = sorted(selectors.sessions_of(patient), key=lambda session: (session.held_on, session.created_at))
    return searchset([encounter_resource(session) for session in sessions], self_url=self_url)


def _clinician(session: TherapySession) -> EncounterParticipant:
    primary = Coding(system=PARTICIPATION_TYPE, code="PPRF", display="primary performer")
    return EncounterParticipant(
        type=[CodeableConcept(coding=[primary])],
        individual=Reference(reference=f"Practitioner/{session.clinician_id}"),
    )
