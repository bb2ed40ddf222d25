"""Group programmes as FHIR R4: a cohort as a Group, its sessions as Encounters, the consent to take part as a
Consent (issue 8 item 9).

Group (a cohort, one run of a programme):
- `type` person, `actual` true, `active` while planned or running; `name` the cohort's name; `managingEntity`
  the clinic (Organization).
- `code` and a `characteristic` name the programme (local code system `group-programmes`, code the
  programme's id); the characteristic's `period` runs from the first session to the end of the last.
- `member`: everyone who held a place (enrolled, finished or withdrawn; not the waiting list), as a Patient
  reference without a name, `period` from enrolment to leaving; `inactive` once they withdrew.
  `quantity` is the number of members not withdrawn.

Encounter (a group session):
- `status` planned (scheduled), finished (held), cancelled; `class` ambulatory, or virtual for a session held
  only online; `type` a group session (local code system `encounter-types`) whose text names the programme
  and the session; `serviceType` the programme.
- `subject` the Group (R4 allows Patient or Group): attendance is the members' own record, not the
  encounter's. `participant` the facilitators of the cohort at the session's time (primary performers);
  `period` its planned or held time and `length` its minutes. Notes and skills practised stay out.

Consent (patients.Consent of scope group_participation, `scope_reference` the cohort's id):
- `status` active while in force, inactive once withdrawn; `scope` treatment; `category` LOINC 59284-0 and
  Common Ground's `group-participation`; `patient`, `performer` the patient, `dateTime` when given;
  `policyRule` names the text version agreed to (ppc-1).
- `provision` permits taking part in the Group (`data` the Group) from giving to withdrawal; a nested
  provision permits disclosing to the Group (information recipient) only what the member chose that the other
  members see (`code`: first name, initials or a chosen name; never the name itself).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.consent import ConsentProvision, ConsentProvisionActor, ConsentProvisionData
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.encounter import Encounter, EncounterParticipant
from fhir.resources.R4B.group import Group, GroupCharacteristic, GroupMember
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference

from commonground.groups.choices import CohortStatus, EnrolmentStatus, SessionStatus, ShownName
from commonground.groups.models import Cohort, CohortFacilitator, Enrolment, GroupSession, Programme
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.encounters import ACT_CODE, PARTICIPATION_TYPE
from commonground.interop.fhir.terminology import UCUM, base_url, patient_reference_of
from commonground.patients.choices import ConsentScope
from commonground.patients.models import Consent, Patient

SESSION_STATUS: Final = {
    SessionStatus.SCHEDULED: "planned",
    SessionStatus.HELD: "finished",
    SessionStatus.CANCELLED: "cancelled",
}
CONSENT_SCOPE: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION: Final = "http://terminology.hl7.org/CodeSystem/consentaction"
LOINC: Final = "http://loinc.org"
PATIENT_CONSENT: Final = ("59284-0", "Patient Consent")
GROUP_SESSION: Final = ("group-session", "Group session")
GROUP_PARTICIPATION: Final = ("group-participation", "Taking part in a group programme")
PROGRAMME: Final = ("programme", "Group programme")
SHOWN: Final = {
    ShownName.FIRST_NAME: "First name only",
    ShownName.INITIALS: "Initials only",
    ShownName.CHOSEN_NAME: "A name the member chose",
}
ACTIVE_COHORT: Final = (CohortStatus.PLANNED, CohortStatus.RUNNING)
HELD_A_PLACE: Final = (EnrolmentStatus.ENROLLED, EnrolmentStatus.FINISHED, EnrolmentStatus.WITHDRAWN)


def system(name: str) -> str:
    """Common Ground's own code systems: `group-programmes` (code = a programme's id), `group-characteristics`,
    `encounter-types`, `consent-categories`, `group-shown-name` (code = a ShownName value)."""
    return f"{base_url()}/CodeSystem/{name}"


def group_reference(cohort_id: Any, display: str | None = None) -> Reference:
    return Reference(reference=f"Group/{cohort_id}", display=display)


def programme_concept(programme: Programme) -> CodeableConcept:
    coding = Coding(system=system("group-programmes"), code=str(programme.id), display=programme.name)
    return CodeableConcept(coding=[coding], text=programme.name)


# --- Group -----------------------------------------------------------------------------------------------


def group_resource(cohort: Cohort, enrolments: list[Enrolment], sessions: list[GroupSession]) -> Group:
    """`enrolments`: the cohort's roster (the waiting list is left out here too); `sessions` give the period."""
    members = [enrolment for enrolment in enrolments if enrolment.status in HELD_A_PLACE]
    staying = [enrolment for enrolment in members if enrolment.status != EnrolmentStatus.WITHDRAWN]
    return Group(
        id=str(cohort.id),
        active=cohort.status in ACTIVE_COHORT and not cohort.is_entered_in_error,
        type="person",
        actual=True,
        code=programme_concept(cohort.programme),
        name=cohort.name,
        quantity=len(staying),
        managingEntity=Reference(reference=f"Organization/{cohort.organisation_id}"),
        characteristic=[_programme_characteristic(cohort, sessions)],
        member=[_member(enrolment) for enrolment in members] or None,
    )


def _programme_characteristic(cohort: Cohort, sessions: list[GroupSession]) -> GroupCharacteristic:
    held = [session for session in sessions if session.status != SessionStatus.CANCELLED] or sessions
    period = None
    if held:
        last = max(held, key=lambda session: session.starts_at)
        period = Period(start=min(session.starts_at for session in held), end=_end_of(last))
    code = Coding(system=system("group-characteristics"), code=PROGRAMME[0], display=PROGRAMME[1])
    return GroupCharacteristic(
        code=CodeableConcept(coding=[code], text=PROGRAMME[1]),
        valueCodeableConcept=programme_concept(cohort.programme),
        exclude=False,
        period=period,
    )


def _member(enrolment: Enrolment) -> GroupMember:
    start = enrolment.enrolled_at or enrolment.created_at
    return GroupMember(
        entity=Reference(reference=patient_reference_of(enrolment.patient_id)),
        period=Period(start=start, end=enrolment.ended_at),
        inactive=enrolment.status == EnrolmentStatus.WITHDRAWN,
    )


# --- Encounter (a group session) -------------------------------------------------------------------------


def session_encounter(session: GroupSession, facilitators: list[Any]) -> Encounter:
    """`facilitators`: the users facilitating the cohort at the session's time."""
    cohort = session.cohort
    programme = cohort.programme
    online_only = bool(session.online_link) and not session.place
    kind = Coding(system=system("encounter-types"), code=GROUP_SESSION[0], display=GROUP_SESSION[1])
    return Encounter(
        id=str(session.id),
        status="entered-in-error" if session.is_entered_in_error else SESSION_STATUS[SessionStatus(session.status)],
        class_fhir=(  # type: ignore[call-arg]  # "class"
            Coding(system=ACT_CODE, code="VR", display="virtual")
            if online_only
            else Coding(system=ACT_CODE, code="AMB", display="ambulatory")
        ),
        type=[CodeableConcept(coding=[kind], text=f"{programme.name}, session {session.number}: {session.title}")],
        serviceType=programme_concept(programme),
        subject=group_reference(cohort.id, cohort.name),
        participant=[_facilitator(user) for user in facilitators] or None,
        period=Period(start=session.starts_at, end=_end_of(session)),
        length=Duration(value=Decimal(session.minutes), unit="min", system=UCUM, code="min"),
        serviceProvider=Reference(reference=f"Organization/{cohort.organisation_id}"),
    )


def _end_of(session: GroupSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.minutes)


def _facilitator(user: Any) -> EncounterParticipant:
    primary = Coding(system=PARTICIPATION_TYPE, code="PPRF", display="primary performer")
    return EncounterParticipant(
        type=[CodeableConcept(coding=[primary])],
        individual=Reference(reference=f"Practitioner/{user.id}", display=user.display_name),
    )


def facilitators_at(session: GroupSession) -> list[Any]:
    """Who facilitated the cohort when the session began (added before it, not removed before it)."""
    found = (
        CohortFacilitator.objects.filter(cohort_id=session.cohort_id, added_at__lte=session.starts_at)
        .exclude(removed_at__lte=session.starts_at)
        .select_related("user")
        .order_by("added_at")
    )
    users = [facilitator.user for facilitator in found]
    if users:
        return users
    current = CohortFacilitator.objects.filter(cohort_id=session.cohort_id, removed_at__isnull=True)
    return [facilitator.user for facilitator in current.select_related("user").order_by("added_at")]


# --- Consent ---------------------------------------------------------------------------------------------


def consent_resource(consent: Consent, enrolment: Enrolment | None) -> FhirConsent:
    """`enrolment`: the enrolment the consent was given for (what the other members see), if any."""
    patient = Reference(reference=patient_reference_of(consent.patient_id))
    group = group_reference(consent.scope_reference) if consent.scope_reference else None
    scope = Coding(system=CONSENT_SCOPE, code="treatment", display="Treatment")
    categories = [
        CodeableConcept(coding=[Coding(system=LOINC, code=PATIENT_CONSENT[0], display=PATIENT_CONSENT[1])]),
        CodeableConcept(
            coding=[
                Coding(system=system("consent-categories"), code=GROUP_PARTICIPATION[0], display=GROUP_PARTICIPATION[1])
            ],
            text=GROUP_PARTICIPATION[1],
        ),
    ]
    return FhirConsent(
        id=str(consent.id),
        status=_consent_status(consent),
        scope=CodeableConcept(coding=[scope], text=GROUP_PARTICIPATION[1]),
        category=categories,
        patient=patient,
        dateTime=consent.given_at,
        performer=[patient],
        organization=[Reference(reference=f"Organization/{consent.organisation_id}")],
        policyRule=CodeableConcept(
            text=f"Common Ground consent to take part in a group programme, text version {consent.text_version}"
        ),
        provision=ConsentProvision(
            type="permit",
            period=Period(start=consent.given_at, end=consent.withdrawn_at),
            data=[ConsentProvisionData(meaning="related", reference=group)] if group else None,
            provision=[_what_members_see(group, enrolment)] if group and enrolment else None,
        ),
    )


def _consent_status(consent: Consent) -> str:
    if consent.is_entered_in_error:
        return "entered-in-error"
    return "active" if consent.withdrawn_at is None else "inactive"


def _what_members_see(group: Reference, enrolment: Enrolment) -> ConsentProvision:
    choice = ShownName(enrolment.shown_name)
    recipient = Coding(system=PARTICIPATION_TYPE, code="IRCP", display="information recipient")
    disclose = Coding(system=CONSENT_ACTION, code="disclose", display="Disclose")
    shown = Coding(system=system("group-shown-name"), code=choice.value, display=SHOWN[choice])
    return ConsentProvision(
        type="permit",
        actor=[ConsentProvisionActor(role=CodeableConcept(coding=[recipient]), reference=group)],
        action=[CodeableConcept(coding=[disclose])],
        code=[CodeableConcept(coding=[shown], text=f"What the other members see: {SHOWN[choice].lower()}")],
    )


# --- reads for the endpoints -------------------------------------------------------------------------------


def cohort_id_of_session(session_id: UUID) -> UUID | None:
    return GroupSession.objects.current().filter(pk=session_id).values_list("cohort_id", flat=True).first()


def group_of(cohort: Cohort) -> Group:
    """The cohort the caller may see (groups.selectors.cohort_for_staff) as a Group."""
    from commonground.groups import selectors

    sessions = list(GroupSession.objects.current().filter(cohort=cohort).order_by("number"))
    return group_resource(cohort, list(selectors.roster(cohort)), sessions)


def member_ids(group: Group) -> list[UUID]:
    return [UUID(str(member.entity.reference).removeprefix("Patient/")) for member in group.member or []]


def encounter_of_session(cohort: Cohort, session_id: UUID) -> Encounter | None:
    found = (
        GroupSession.objects.current().filter(pk=session_id, cohort=cohort).select_related("cohort__programme").first()
    )
    return session_encounter(found, facilitators_at(found)) if found is not None else None


def session_encounters_bundle(cohort: Cohort, *, self_url: str) -> Bundle:
    sessions = GroupSession.objects.current().filter(cohort=cohort).select_related("cohort__programme")
    found = [session_encounter(session, facilitators_at(session)) for session in sessions.order_by("number")]
    return searchset(found, self_url=self_url)


def group_consents(patient: Patient) -> list[Consent]:
    found = Consent.objects.current().filter(patient=patient, scope=ConsentScope.GROUP_PARTICIPATION)
    return list(found.order_by("given_at", "created_at"))


def patient_id_of_consent(consent_id: UUID) -> UUID | None:
    found = Consent.objects.current().filter(pk=consent_id, scope=ConsentScope.GROUP_PARTICIPATION)
    return found.values_list("patient_id", flat=True).first()


def consent_of(patient: Patient, consent_id: UUID) -> FhirConsent | None:
    found = next((consent for consent in group_consents(patient) if consent.id == consent_id), None)
    return consent_resource(found, _enrolment_of(found)) if found is not None else None


def consents_bundle(patient: Patient, *, self_url: str) -> Bundle:
    found = [consent_resource(consent, _enrolment_of(consent)) for consent in group_consents(patient)]
    return searchset(found, self_url=self_url)


def _enrolment_of(consent: Consent) -> Enrolment | None:
    found: Enrolment | None = Enrolment.objects.current().filter(consent_id=consent.id).order_by("-created_at").first()
    return found
