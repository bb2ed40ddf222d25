"""Messages as FHIR R4 Communications (decision 0018).

- `status` is `completed` (a message is sent when it is saved), or `entered-in-error` with the reason as
  `statusReason.text`.
- `category` says which conversation the message belongs to, in Common Ground's code system
  `<base>/CodeSystem/communication-category`: `care-team` (the team's own threads about the patient, never shown
  to the patient) or `patient` (the patient's conversation with their team).
- `subject` is the patient; `sender` is the patient (from the portal) or the clinician (`Practitioner/<user id>`).
- `recipient` is the patient for the team's messages to them; the patient's care team (`CareTeam/<id>`, as
  `interop/fhir/careteams.py` serves it) for the patient's messages and for the team's threads.
- `topic.text` is a team thread's subject; `inResponseTo` is the message before it in the same conversation.
- `sent` is when it was sent; `payload[0].contentString` is the text.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.communication import Communication, CommunicationPayload
from fhir.resources.R4B.reference import Reference

from commonground.careteam import selectors as team_selectors
from commonground.conversations import selectors
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import Message
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import base_url, patient_reference_of
from commonground.patients.models import Patient

CATEGORY: Final = {
    ThreadKind.TEAM: ("care-team", "Care team discussion about the patient"),
    ThreadKind.PATIENT: ("patient", "Conversation between the patient and their care team"),
}


def category_system() -> str:
    return f"{base_url()}/CodeSystem/communication-category"


def communication_resource(message: Message, *, care_team_id: UUID | None, previous_id: UUID | None) -> Communication:
    """`care_team_id`: the patient's care team, if any; `previous_id`: the message before it in its conversation."""
    thread = message.thread
    code, display = CATEGORY[ThreadKind(thread.kind)]
    patient = Reference(reference=patient_reference_of(message.patient_id))
    team = [Reference(reference=f"CareTeam/{care_team_id}")] if care_team_id else None
    to_patient = thread.kind == ThreadKind.PATIENT and not message.from_patient
    in_error = message.is_entered_in_error
    return Communication(
        id=str(message.id),
        status="entered-in-error" if in_error else "completed",
        statusReason=CodeableConcept(text=message.in_error_reason) if in_error and message.in_error_reason else None,
        category=[CodeableConcept(coding=[Coding(system=category_system(), code=code, display=display)], text=display)],
        subject=patient,
        topic=CodeableConcept(text=thread.subject) if thread.subject else None,
        sender=patient if message.from_patient else Reference(reference=f"Practitioner/{message.author_id}"),
        recipient=[patient] if to_patient else team,
        inResponseTo=[Reference(reference=f"Communication/{previous_id}")] if previous_id else None,
        sent=message.sent_at,
        payload=[CommunicationPayload(contentString=message.text)],
    )


def communication_of(patient: Patient, message_id: UUID) -> Communication | None:
    message = selectors.message_of(patient, message_id)
    if message is None:
        return None
    team = team_selectors.care_team_of(patient.id)
    previous = selectors.previous_in_thread(message)
    return communication_resource(message, care_team_id=team.id if team else None, previous_id=previous)


def communications_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """Every current message of the patient, both conversations, in the order sent."""
    team = team_selectors.care_team_of(patient.id)
    last_in_thread: dict[UUID, UUID] = {}
    resources = []
    for message in selectors.messages_for_export(patient):
        previous = last_in_thread.get(message.thread_id)
        resources.append(communication_resource(message, care_team_id=team.id if team else None, previous_id=previous))
        last_in_thread[message.thread_id] = message.id
    return searchset(resources, self_url=self_url)
