"""Read-only FHIR R4 endpoints under /api/fhir/, answered as `application/fhir+json`.

- `GET Questionnaire/{id}`: an instrument's definition, for any active staff account (not patient data).
- `GET QuestionnaireResponse?patient={id}` and `GET Patient/{id}/QuestionnaireResponse` (the patient
  compartment): the patient's completed responses as a searchset Bundle.
- `GET Observation?patient={id}` and `GET Patient/{id}/Observation`: their total scores, and the diary values
  (daily ratings and sleep) the patient shares with the care team; `GET Observation/{id}` reads one.
- `GET Goal/{id}`, `GET Goal?patient={id}` and `GET Patient/{id}/Goal`: their goals (decision 0012);
  likewise `CarePlan` (the shared plan) and `Encounter` (the therapy sessions).
- `GET Group/{id}`: a cohort of a group programme, for its current facilitators and the clinic's care
  coordinators only; its sessions are Encounters (`GET Encounter/{id}`, `GET Encounter?subject=Group/{id}`).
  `GET Consent/{id}`, `Consent?patient={id}`, `Patient/{id}/Consent`: consents to take part in a group.

Patient data goes through the access gateway exactly as the rest of the API: the care team sees it, anyone
else gets 404, and each search is audited as an export. Errors keep the API's plain shapes (401, 404, 422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from fhir.resources.R4B.resource import Resource
from ninja import Path, Query, Router, Schema
from pydantic import Field, model_validator

from commonground.access import gateway
from commonground.accounts.choices import AccountKind
from commonground.audit.choices import Action
from commonground.careplans import selectors as careplan_selectors
from commonground.goals import selectors as goal_selectors
from commonground.interop.fhir import bundles, careplans, diary, encounters, goals
from commonground.interop.fhir.observations import total_observation
from commonground.interop.fhir.questionnaires import questionnaire
from commonground.interop.fhir.search import matches, query_string, tokens
from commonground.interop.fhir.terminology import base_url, instrument_id_of
from commonground.kit.errors import DomainError
from commonground.measures import selectors
from commonground.measures.choices import ResponseStatus
from commonground.measures.datatypes import Instrument
from commonground.measures.models import Response

FHIR_JSON = "application/fhir+json"
FHIR_ID = r"^[A-Za-z0-9\-.]{1,64}$"
PATIENT_PARAMETER = r"^(Patient/)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
GROUP_PARAMETER = r"^(Group/)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"

router = Router(tags=["fhir"])


def served_as_fhir(resource_type: str, description: str) -> dict[str, Any]:
    """The OpenAPI answer of an operation that returns a FHIR resource (ninja would document JSON)."""
    schema = {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "enum": [resource_type]}},
    }
    return {"responses": {200: {"description": description, "content": {FHIR_JSON: {"schema": schema}}}}}


def fhir_json(resource: Resource) -> HttpResponse:
    return HttpResponse(resource.model_dump_json(), content_type=FHIR_JSON)


class QuestionnaireId(Schema):
    questionnaire_id: str = Field(pattern=FHIR_ID, description="The instrument's id, '-' for '_' (phq-sads)")


class PatientSearch(Schema):
    patient: str = Field(pattern=PATIENT_PARAMETER, description="The patient's id, or Patient/<id>")

    @property
    def patient_id(self) -> UUID:
        return UUID(self.patient.removeprefix("Patient/"))


@router.get(
    "/Questionnaire/{questionnaire_id}",
    response={200: None},
    summary="Read an instrument as a Questionnaire",
    openapi_extra=served_as_fhir("Questionnaire", "The instrument as a FHIR R4 Questionnaire"),
)
def read_questionnaire(request: HttpRequest, path: Path[QuestionnaireId]) -> HttpResponse:
    _require_staff(request)
    found = selectors.instrument_or_none(instrument_id_of(path.questionnaire_id))
    if found is None:
        raise Http404()
    return fhir_json(questionnaire(found))


@router.get(
    "/QuestionnaireResponse",
    response={200: None},
    summary="Search a patient's QuestionnaireResponses",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's QuestionnaireResponses"),
)
def search_questionnaire_responses(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    return _questionnaire_responses(request, search.patient_id, f"QuestionnaireResponse?patient={search.patient_id}")


@router.get(
    "/Patient/{patient_id}/QuestionnaireResponse",
    response={200: None},
    summary="A patient's QuestionnaireResponses (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's QuestionnaireResponses"),
)
def patient_questionnaire_responses(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _questionnaire_responses(request, patient_id, f"Patient/{patient_id}/QuestionnaireResponse")


CODE_SEARCH_HELP = "A token: [system]|[code], or a code in any system; a comma between tokens means any of them"


class ObservationFilters(Schema):
    code: str | None = Field(None, max_length=2000, description=f"What was observed. {CODE_SEARCH_HELP}")
    category: str | None = Field(
        None, max_length=2000, description=f"The kind of Observation (survey). {CODE_SEARCH_HELP}"
    )

    @model_validator(mode="after")
    def _readable_tokens(self) -> ObservationFilters:
        for value in (self.code, self.category):
            if value:
                tokens(value)  # InvalidToken is a ValueError: a 422 that says why
        return self

    def keeps(self, observation: Any) -> bool:
        if self.code and not matches([observation.code], tokens(self.code)):
            return False
        return not self.category or matches(observation.category or [], tokens(self.category))

    def used(self) -> str:
        return query_string({"code": self.code, "category": self.category})


class ObservationSearch(PatientSearch, ObservationFilters):
    pass


@router.get(
    "/Observation",
    response={200: None},
    summary="Search a patient's total-score Observations",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's total-score Observations"),
)
def search_observations(request: HttpRequest, search: Query[ObservationSearch]) -> HttpResponse:
    return _observations(request, search.patient_id, f"Observation?patient={search.patient_id}", search)


@router.get(
    "/Patient/{patient_id}/Observation",
    response={200: None},
    summary="A patient's total-score Observations (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's total-score Observations"),
)
def patient_observations(request: HttpRequest, patient_id: UUID, filters: Query[ObservationFilters]) -> HttpResponse:
    return _observations(request, patient_id, f"Patient/{patient_id}/Observation", filters)


@router.get(
    "/Goal/{goal_id}",
    response={200: None},
    summary="Read a goal",
    openapi_extra=served_as_fhir("Goal", "The goal as a FHIR R4 Goal"),
)
def read_goal(request: HttpRequest, goal_id: UUID) -> HttpResponse:
    patient = _open_owner(request, goal_selectors.patient_id_of_goal(goal_id), "goal", goal_id)
    return _found(goals.goal_of(patient, goal_id))


@router.get(
    "/Goal",
    response={200: None},
    summary="Search a patient's goals",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's Goals"),
)
def search_goals(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    return _search(request, search.patient_id, "goal", goals.goals_bundle, f"Goal?patient={search.patient_id}")


@router.get(
    "/Patient/{patient_id}/Goal",
    response={200: None},
    summary="A patient's goals (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's Goals"),
)
def patient_goals(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _search(request, patient_id, "goal", goals.goals_bundle, f"Patient/{patient_id}/Goal")


@router.get(
    "/CarePlan/{care_plan_id}",
    response={200: None},
    summary="Read a care plan",
    openapi_extra=served_as_fhir("CarePlan", "The shared care plan as a FHIR R4 CarePlan"),
)
def read_care_plan(request: HttpRequest, care_plan_id: UUID) -> HttpResponse:
    patient = _open_owner(request, careplan_selectors.patient_id_of_plan(care_plan_id), "care_plan", care_plan_id)
    return _found(careplans.care_plan_of(patient, care_plan_id))


@router.get(
    "/CarePlan",
    response={200: None},
    summary="Search a patient's care plan",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's CarePlan (one at most)"),
)
def search_care_plans(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    url = f"CarePlan?patient={search.patient_id}"
    return _search(request, search.patient_id, "care_plan", careplans.care_plans_bundle, url)


@router.get(
    "/Patient/{patient_id}/CarePlan",
    response={200: None},
    summary="A patient's care plan (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's CarePlan (one at most)"),
)
def patient_care_plans(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _search(request, patient_id, "care_plan", careplans.care_plans_bundle, f"Patient/{patient_id}/CarePlan")


@router.get(
    "/Encounter/{encounter_id}",
    response={200: None},
    summary="Read a therapy session as an Encounter",
    openapi_extra=served_as_fhir("Encounter", "The therapy session as a FHIR R4 Encounter"),
)
def read_encounter(request: HttpRequest, encounter_id: UUID) -> HttpResponse:
    """A therapy session (the patient's care team), else a group session (its cohort's facilitators and the
    clinic's coordinators)."""
    owner = careplan_selectors.patient_id_of_session(encounter_id)
    if owner is None:
        return _group_session(request, encounter_id)
    patient = _open_owner(request, owner, "encounter", encounter_id)
    return _found(encounters.encounter_of(patient, encounter_id))


class EncounterSearch(Schema):
    """Either a patient's therapy sessions (`patient`) or a group's sessions (`subject=Group/<id>`)."""

    patient: str | None = Field(None, pattern=PATIENT_PARAMETER, description="The patient's id, or Patient/<id>")
    subject: str | None = Field(None, pattern=GROUP_PARAMETER, description="A group: Group/<id> (a cohort's id)")

    @model_validator(mode="after")
    def one_of_them(self) -> EncounterSearch:
        if (self.patient is None) == (self.subject is None):
            raise ValueError("Search by patient or by subject (Group/<id>), not both and not neither.")
        return self


@router.get(
    "/Encounter",
    response={200: None},
    summary="Search a patient's therapy sessions, or a group's sessions",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the sessions as Encounters"),
)
def search_encounters(request: HttpRequest, search: Query[EncounterSearch]) -> HttpResponse:
    if search.subject is not None:
        from commonground.interop.fhir import groups

        cohort = _cohort_for_staff(request, UUID(search.subject.removeprefix("Group/")))
        url = f"{base_url()}/Encounter?subject=Group/{cohort.id}"
        return fhir_json(groups.session_encounters_bundle(cohort, self_url=url))
    patient_id = UUID(str(search.patient).removeprefix("Patient/"))
    url = f"Encounter?patient={patient_id}"
    return _search(request, patient_id, "encounter", encounters.encounters_bundle, url)


@router.get(
    "/Patient/{patient_id}/Encounter",
    response={200: None},
    summary="A patient's therapy sessions (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's therapy sessions as Encounters"),
)
def patient_encounters(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _search(request, patient_id, "encounter", encounters.encounters_bundle, f"Patient/{patient_id}/Encounter")


def _search(
    request: HttpRequest, patient_id: UUID, object_type: str, bundle: Callable[..., Resource], search: str
) -> HttpResponse:
    patient = _open_patient(request, patient_id, object_type)
    return fhir_json(bundle(patient, self_url=f"{base_url()}/{search}"))


def _open_owner(request: HttpRequest, patient_id: UUID | None, object_type: str, object_id: UUID) -> Any:
    """The patient whose record the resource is, through the gateway; an unknown resource is 404 like one
    not yours. The read is audited as an export of that resource."""
    if patient_id is None:
        raise Http404()
    return gateway.open_patient(
        request,
        patient_id,
        action=Action.EXPORT,
        object_type=object_type,
        object_id=str(object_id),
        allow_break_glass=False,
    )


def _found(resource: Resource | None) -> HttpResponse:
    if resource is None:
        raise Http404()
    return fhir_json(resource)


def _questionnaire_responses(request: HttpRequest, patient_id: UUID, search: str) -> HttpResponse:
    patient = _open_patient(request, patient_id, "questionnaire_response")
    return fhir_json(bundles.questionnaire_responses(patient.id, self_url=f"{base_url()}/{search}"))


def _observations(request: HttpRequest, patient_id: UUID, address: str, filters: ObservationFilters) -> HttpResponse:
    """Total scores, then the diary values the patient shares with the care team (issue 6 item 7): one
    search for all of the patient's Observations, as a FHIR client expects, narrowed by `code` and
    `category` when given. Diary values in the bundle are audited as a second export, of the diary."""
    _one_plain_value_each(request, ("code", "category"))
    patient = _open_patient(request, patient_id, "observation")
    used = filters.used()
    self_url = f"{base_url()}/{address}" + (("&" if "?" in address else "?") + used if used else "")
    totals = bundles.total_observations(patient.id, self_url=self_url)
    found = [entry.resource for entry in totals.entry or [] if entry.resource is not None]
    ratings = [observation for observation in diary.shared_observations(patient) if filters.keeps(observation)]
    if ratings:
        _open_patient(request, patient.id, "diary")
    return fhir_json(bundles.searchset([*filter(filters.keeps, found), *ratings], self_url=self_url))


def _one_plain_value_each(request: HttpRequest, names: tuple[str, ...]) -> None:
    """A token parameter given twice (FHIR: both must match) or with a modifier (`code:not=`) is not served:
    refused with the reason rather than answered as if it were not there."""
    for key in request.GET:
        name, colon, _modifier = key.partition(":")
        if name in names and colon:
            raise DomainError(_("The modifier in '%(key)s' is not supported.") % {"key": key}, field=name)
        if key in names and len(request.GET.getlist(key)) > 1:
            raise DomainError(
                _("Give '%(key)s' once; several values separated by commas match any of them.") % {"key": key},
                field=key,
            )


def _open_patient(request: HttpRequest, patient_id: UUID, object_type: str) -> Any:
    """Care team only; emergency access reads the chart but does not export it (decision 0010)."""
    return gateway.open_patient(
        request, patient_id, action=Action.EXPORT, object_type=object_type, allow_break_glass=False
    )


def _require_staff(request: HttpRequest) -> None:
    user: Any = request.user
    if not (user.is_authenticated and user.is_active and user.kind == AccountKind.STAFF):
        raise Http404()


# --- Observations by id (issue 6 item 7): a total score or a shared diary value -------------------------------

TOTAL_SUFFIX = "-total"


class ObservationId(Schema):
    observation_id: str = Field(
        pattern=FHIR_ID, description="`<response id>-total`, or a diary value: `<entry id>-<n>`, `-sleep-hours`"
    )


@router.get(
    "/Observation/{observation_id}",
    response={200: None},
    summary="Read a total score or a shared diary value",
    openapi_extra=served_as_fhir("Observation", "The total score or diary value as a FHIR R4 Observation"),
)
def read_observation(request: HttpRequest, path: Path[ObservationId]) -> HttpResponse:
    """Every `fullUrl` of an Observation search resolves here. Whose value the id names comes first (a
    completed total, or a current diary value the patient shares), then the gateway opens that patient
    exactly as the searches do, and audits the read as an export of that resource."""
    observation_id = path.observation_id
    if observation_id.endswith(TOTAL_SUFFIX):
        found = _scored_response(observation_id.removesuffix(TOTAL_SUFFIX))
        if found is None:
            raise Http404()
        response, instrument = found
        _open_observation_owner(request, response.patient_id, "observation", observation_id)
        return _found(total_observation(response, instrument))
    patient = _open_observation_owner(request, diary.exportable_owner(observation_id), "diary", observation_id)
    return _found(diary.observation_of(patient, observation_id))


def _scored_response(response_id: str) -> tuple[Response, Instrument] | None:
    """A current, completed response with a total, of an instrument still defined (what the searches map)."""
    try:
        if str(UUID(response_id)) != response_id:
            return None  # the ids served are canonical: one resource, one id
    except ValueError:
        return None
    response: Response | None = (
        Response.objects.current()
        .filter(pk=response_id, status=ResponseStatus.COMPLETED, scorable=True, total__isnull=False)
        .first()
    )
    instrument = selectors.instrument_or_none(response.instrument) if response is not None else None
    if response is None or instrument is None or instrument.battery is not None:
        return None
    return response, instrument


def _open_observation_owner(request: HttpRequest, patient_id: UUID | None, object_type: str, object_id: str) -> Any:
    if patient_id is None:
        raise Http404()
    return gateway.open_patient(
        request, patient_id, action=Action.EXPORT, object_type=object_type, object_id=object_id, allow_break_glass=False
    )


# --- Flag and CareTeam (issue 7, decision 0019): the patient's alerts and care team --------------------------


@router.get(
    "/Flag/{flag_id}",
    response={200: None},
    summary="Read an alert",
    openapi_extra=served_as_fhir("Flag", "The alert as a FHIR R4 Flag"),
)
def read_flag(request: HttpRequest, flag_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import flags

    patient = _open_owner(request, flags.patient_id_of_flag(flag_id), "alert", flag_id)
    return _found(flags.flag_of(patient, flag_id))


@router.get(
    "/Flag",
    response={200: None},
    summary="Search a patient's alerts",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's Flags"),
)
def search_flags(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    from commonground.interop.fhir import flags

    return _search(request, search.patient_id, "alert", flags.flags_bundle, f"Flag?patient={search.patient_id}")


@router.get(
    "/CareTeam/{care_team_id}",
    response={200: None},
    summary="Read a care team",
    openapi_extra=served_as_fhir("CareTeam", "The patient's care team as a FHIR R4 CareTeam"),
)
def read_care_team(request: HttpRequest, care_team_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import careteams

    patient = _open_owner(request, careteams.patient_id_of_care_team(care_team_id), "care_team", care_team_id)
    return _found(careteams.care_team_of(patient, care_team_id))


@router.get(
    "/CareTeam",
    response={200: None},
    summary="Search a patient's care team",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle with the patient's CareTeam"),
)
def search_care_teams(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    from commonground.interop.fhir import careteams

    return _search(
        request, search.patient_id, "care_team", careteams.care_teams_bundle, f"CareTeam?patient={search.patient_id}"
    )


# --- Communications (issue 7, item 8): the team's threads and the patient's conversation (decision 0018) -------


@router.get(
    "/Communication/{communication_id}",
    response={200: None},
    summary="Read a message",
    openapi_extra=served_as_fhir("Communication", "The message as a FHIR R4 Communication"),
)
def read_communication(request: HttpRequest, communication_id: UUID) -> HttpResponse:
    from commonground.conversations import selectors as conversation_selectors
    from commonground.interop.fhir import communications

    owner = conversation_selectors.patient_id_of_message(communication_id)
    patient = _open_owner(request, owner, "message", communication_id)
    return _found(communications.communication_of(patient, communication_id))


@router.get(
    "/Communication",
    response={200: None},
    summary="Search a patient's messages",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's messages as Communications"),
)
def search_communications(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    from commonground.interop.fhir import communications

    url = f"Communication?patient={search.patient_id}"
    return _search(request, search.patient_id, "messages", communications.communications_bundle, url)


@router.get(
    "/Patient/{patient_id}/Communication",
    response={200: None},
    summary="A patient's messages (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's messages as Communications"),
)
def patient_communications(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import communications

    url = f"Patient/{patient_id}/Communication"
    return _search(request, patient_id, "messages", communications.communications_bundle, url)


# --- ServiceRequest (issue 7, item 8): the patient's referrals, out and in (decision 0017) ---------------------


@router.get(
    "/ServiceRequest/{service_request_id}",
    response={200: None},
    summary="Read a referral",
    openapi_extra=served_as_fhir("ServiceRequest", "The referral as a FHIR R4 ServiceRequest"),
)
def read_service_request(request: HttpRequest, service_request_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import referrals
    from commonground.referrals import selectors as referral_selectors

    owner = referral_selectors.patient_id_of_referral(service_request_id)
    patient = _open_owner(request, owner, "referral", service_request_id)
    return _found(referrals.service_request_of(patient, service_request_id))


@router.get(
    "/ServiceRequest",
    response={200: None},
    summary="Search a patient's referrals",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's referrals as ServiceRequests"),
)
def search_service_requests(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    from commonground.interop.fhir import referrals

    url = f"ServiceRequest?patient={search.patient_id}"
    return _search(request, search.patient_id, "referral", referrals.service_requests_bundle, url)


@router.get(
    "/Patient/{patient_id}/ServiceRequest",
    response={200: None},
    summary="A patient's referrals (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's referrals as ServiceRequests"),
)
def patient_service_requests(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import referrals

    url = f"Patient/{patient_id}/ServiceRequest"
    return _search(request, patient_id, "referral", referrals.service_requests_bundle, url)


# --- Tasks (issue 7, decision 0020): the team's tasks about a patient ------------------------------------------


@router.get(
    "/Task/{task_id}",
    response={200: None},
    summary="Read a task about a patient",
    openapi_extra=served_as_fhir("Task", "The task as a FHIR R4 Task"),
)
def read_task(request: HttpRequest, task_id: UUID) -> HttpResponse:
    from commonground.coordination import selectors as coordination_selectors
    from commonground.interop.fhir import tasks

    patient = _open_owner(request, coordination_selectors.patient_id_of_task(task_id), "task", task_id)
    return _found(tasks.task_of(patient, task_id))


@router.get(
    "/Task",
    response={200: None},
    summary="Search a patient's tasks",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the tasks about the patient"),
)
def search_tasks(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    from commonground.interop.fhir import tasks

    return _search(request, search.patient_id, "task", tasks.tasks_bundle, f"Task?patient={search.patient_id}")


@router.get(
    "/Patient/{patient_id}/Task",
    response={200: None},
    summary="A patient's tasks (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the tasks about the patient"),
)
def patient_tasks(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import tasks

    return _search(request, patient_id, "task", tasks.tasks_bundle, f"Patient/{patient_id}/Task")


# --- Group programmes (issue 8 item 9): a cohort as a Group, its sessions as Encounters, the consent to take part


@router.get(
    "/Group/{group_id}",
    response={200: None},
    summary="Read a group (a cohort of a group programme)",
    openapi_extra=served_as_fhir("Group", "The cohort as a FHIR R4 Group"),
)
def read_group(request: HttpRequest, group_id: UUID) -> HttpResponse:
    """For the cohort's facilitators and the clinic's care coordinators only, as the cohort's pages. Every
    member listed is audited as an export of the group."""
    from commonground.audit.services import record_patient_accesses
    from commonground.interop.fhir import groups

    cohort = _cohort_for_staff(request, group_id)
    group = groups.group_of(cohort)
    members = groups.member_ids(group)
    if members:
        record_patient_accesses(
            members, cohort.organisation_id, action=Action.EXPORT, object_type="group", object_id=str(cohort.id)
        )
    return fhir_json(group)


def _group_session(request: HttpRequest, session_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import groups

    cohort_id = groups.cohort_id_of_session(session_id)
    if cohort_id is None:
        raise Http404()
    return _found(groups.encounter_of_session(_cohort_for_staff(request, cohort_id), session_id))


def _cohort_for_staff(request: HttpRequest, cohort_id: UUID) -> Any:
    """The cohort if the caller facilitates it now or coordinates care in its clinic; else 404."""
    from commonground.groups import selectors as group_selectors

    user: Any = request.user
    if not (user.is_authenticated and user.is_active and user.kind == AccountKind.STAFF):
        raise Http404()
    cohort = group_selectors.cohort_for_staff(user, cohort_id)
    if cohort is None:
        raise Http404()
    return cohort


@router.get(
    "/Consent/{consent_id}",
    response={200: None},
    summary="Read a consent to take part in a group programme",
    openapi_extra=served_as_fhir("Consent", "The consent as a FHIR R4 Consent"),
)
def read_consent(request: HttpRequest, consent_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import groups

    patient = _open_owner(request, groups.patient_id_of_consent(consent_id), "consent", consent_id)
    return _found(groups.consent_of(patient, consent_id))


@router.get(
    "/Consent",
    response={200: None},
    summary="Search a patient's consents to take part in group programmes",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's group participation Consents"),
)
def search_consents(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    from commonground.interop.fhir import groups

    url = f"Consent?patient={search.patient_id}"
    return _search(request, search.patient_id, "consent", groups.consents_bundle, url)


@router.get(
    "/Patient/{patient_id}/Consent",
    response={200: None},
    summary="A patient's consents to take part in group programmes (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's group participation Consents"),
)
def patient_consents(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    from commonground.interop.fhir import groups

    return _search(request, patient_id, "consent", groups.consents_bundle, f"Patient/{patient_id}/Consent")
