"""Read-only FHIR R4 endpoints under /api/fhir/, answered as `application/fhir+json`.

- `GET Questionnaire/{id}`: an instrument's definition, for any active staff account (not patient data).
- `GET QuestionnaireResponse?patient={id}` and `GET Patient/{id}/QuestionnaireResponse` (the patient
  compartment): the patient's completed responses as a searchset Bundle.
- `GET Observation?patient={id}` and `GET Patient/{id}/Observation`: their total scores.

Patient data goes through the access gateway exactly as the rest of the API: the care team sees it, anyone
else gets 404, and each search is audited as an export. Errors keep the API's plain shapes (401, 404, 422).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from fhir.resources.R4B.resource import Resource
from ninja import Path, Query, Router, Schema
from pydantic import Field

from commonground.access import gateway
from commonground.accounts.choices import AccountKind
from commonground.audit.choices import Action
from commonground.interop.fhir import bundles
from commonground.interop.fhir.questionnaires import questionnaire
from commonground.interop.fhir.terminology import base_url, instrument_id_of
from commonground.measures import selectors

FHIR_JSON = "application/fhir+json"
FHIR_ID = r"^[A-Za-z0-9\-.]{1,64}$"
PATIENT_PARAMETER = r"^(Patient/)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"

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


@router.get(
    "/Observation",
    response={200: None},
    summary="Search a patient's total-score Observations",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's total-score Observations"),
)
def search_observations(request: HttpRequest, search: Query[PatientSearch]) -> HttpResponse:
    return _observations(request, search.patient_id, f"Observation?patient={search.patient_id}")


@router.get(
    "/Patient/{patient_id}/Observation",
    response={200: None},
    summary="A patient's total-score Observations (patient compartment)",
    openapi_extra=served_as_fhir("Bundle", "A searchset Bundle of the patient's total-score Observations"),
)
def patient_observations(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _observations(request, patient_id, f"Patient/{patient_id}/Observation")


def _questionnaire_responses(request: HttpRequest, patient_id: UUID, search: str) -> HttpResponse:
    patient = _open_patient(request, patient_id, "questionnaire_response")
    return fhir_json(bundles.questionnaire_responses(patient.id, self_url=f"{base_url()}/{search}"))


def _observations(request: HttpRequest, patient_id: UUID, search: str) -> HttpResponse:
    patient = _open_patient(request, patient_id, "observation")
    return fhir_json(bundles.total_observations(patient.id, self_url=f"{base_url()}/{search}"))


def _open_patient(request: HttpRequest, patient_id: UUID, object_type: str) -> Any:
    """Care team only; emergency access reads the chart but does not export it (decision 0010)."""
    return gateway.open_patient(
        request, patient_id, action=Action.EXPORT, object_type=object_type, allow_break_glass=False
    )


def _require_staff(request: HttpRequest) -> None:
    user: Any = request.user
    if not (user.is_authenticated and user.is_active and user.kind == AccountKind.STAFF):
        raise Http404()
