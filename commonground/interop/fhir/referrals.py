"""A referral as a FHIR R4 ServiceRequest (decision 0017).

- `status`: draft → `draft`; sent, received, accepted, scheduled and first contact → `active`; completed →
  `completed`; declined and withdrawn → `revoked`; a referral entered in error → `entered-in-error`.
- `intent` is `order`: a referral asks the other side to act. `subject` is the patient.
- `requester`: for a referral out, the clinician who made it (`Practitioner/<id>`); for one in, the GP as
  named on the referral (a display-only reference: the GP has no record here).
- `performerType` is the service asked (local code system `referral-services`); `performer` is the practice
  or team named on a referral out, or this clinic (`Organization/<id>`) for a referral in.
- `priority`: routine → `routine`, soon → `urgent`, urgent → `asap`.
- `reasonCode.text` is the reason; `authoredOn` when the referral was sent (a draft: when it was started);
  the question and the symptoms described are `note`s. The states' times stay in Common Ground (the steps).
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.servicerequest import ServiceRequest

from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import base_url, patient_reference_of
from commonground.patients.models import Patient
from commonground.referrals import selectors
from commonground.referrals.choices import Service, State, Urgency
from commonground.referrals.models import Referral

STATUS: Final = {
    State.DRAFT: "draft",
    State.SENT: "active",
    State.RECEIVED: "active",
    State.ACCEPTED: "active",
    State.SCHEDULED: "active",
    State.FIRST_CONTACT: "active",
    State.COMPLETED: "completed",
    State.DECLINED: "revoked",
    State.WITHDRAWN: "revoked",
}
PRIORITY: Final = {Urgency.ROUTINE: "routine", Urgency.SOON: "urgent", Urgency.URGENT: "asap"}
SERVICE_DISPLAY: Final = {
    Service.PHYSIOTHERAPY: "Physiotherapy",
    Service.PSYCHOLOGY: "Psychology",
    Service.PSYCHIATRY: "Psychiatry",
    Service.SOCIAL_WORK: "Social work",
    Service.COMMUNITY: "Community services",
    Service.PSYCHOSOMATIC_CARE: "Psychosomatic care",
}


def services_system() -> str:
    """The services a referral asks for: code = the service's id in Common Ground (`social_work`)."""
    return f"{base_url()}/CodeSystem/referral-services"


def status_of(referral: Referral) -> str:
    if referral.is_entered_in_error:
        return "entered-in-error"
    return STATUS[State(referral.state)]


def service_request(referral: Referral) -> ServiceRequest:
    notes = [
        Annotation(text=f"Question: {referral.question}") if referral.question else None,
        Annotation(text=f"Symptoms described: {referral.symptoms}") if referral.symptoms else None,
    ]
    return ServiceRequest(
        id=str(referral.id),
        status=status_of(referral),
        intent="order",
        priority=PRIORITY[Urgency(referral.urgency)],
        subject=Reference(reference=patient_reference_of(referral.patient_id)),
        requester=_requester(referral),
        performerType=_service(referral.service),
        performer=[_performer(referral)] if referral.is_incoming or referral.counterpart else None,
        reasonCode=[CodeableConcept(text=referral.reason)],
        authoredOn=referral.sent_at or referral.created_at,
        note=[note for note in notes if note is not None] or None,
    )


def _service(service: str) -> CodeableConcept:
    display = SERVICE_DISPLAY[Service(service)]
    return CodeableConcept(coding=[Coding(system=services_system(), code=service, display=display)], text=display)


def _requester(referral: Referral) -> Reference:
    if referral.is_incoming:
        return Reference(display=referral.counterpart)
    creator: Any = referral.created_by
    return Reference(reference=f"Practitioner/{referral.created_by_id}", display=creator.display_name)


def _performer(referral: Referral) -> Reference:
    if referral.is_incoming:
        organisation: Any = referral.patient.organisation
        return Reference(reference=f"Organization/{organisation.id}", display=organisation.name)
    return Reference(display=referral.counterpart)


def service_request_of(patient: Patient, referral_id: UUID) -> ServiceRequest | None:
    found = selectors.referral_of(patient, referral_id)
    return service_request(found) if found is not None else None


def service_requests_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """Every current referral of the patient, out and in, as a searchset."""
    return searchset([service_request(referral) for referral in selectors.referrals_of(patient)], self_url=self_url)
