"""The OpenAPI document and the interactive docs: served, complete, and without third-party hosts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EXPECTED_OPERATIONS = {
    ("/api/me", "get"),
    ("/api/patients/{patient_id}/diary.csv", "get"),
    ("/api/fhir/Observation/{observation_id}", "get"),
    ("/api/fhir/Questionnaire/{questionnaire_id}", "get"),
    ("/api/fhir/QuestionnaireResponse", "get"),
    ("/api/fhir/Patient/{patient_id}/QuestionnaireResponse", "get"),
    ("/api/fhir/Observation", "get"),
    ("/api/fhir/Patient/{patient_id}/Observation", "get"),
    ("/api/fhir/Goal/{goal_id}", "get"),
    ("/api/fhir/Goal", "get"),
    ("/api/fhir/Patient/{patient_id}/Goal", "get"),
    ("/api/fhir/CarePlan/{care_plan_id}", "get"),
    ("/api/fhir/CarePlan", "get"),
    ("/api/fhir/Patient/{patient_id}/CarePlan", "get"),
    ("/api/fhir/Encounter/{encounter_id}", "get"),
    ("/api/fhir/Encounter", "get"),
    ("/api/fhir/Patient/{patient_id}/Encounter", "get"),
    ("/api/fhir/Flag/{flag_id}", "get"),
    ("/api/fhir/Flag", "get"),
    ("/api/fhir/CareTeam/{care_team_id}", "get"),
    ("/api/fhir/CareTeam", "get"),
    ("/api/fhir/Task/{task_id}", "get"),
    ("/api/fhir/Task", "get"),
    ("/api/fhir/Patient/{patient_id}/Task", "get"),
    ("/api/fhir/ServiceRequest/{service_request_id}", "get"),
    ("/api/fhir/ServiceRequest", "get"),
    ("/api/fhir/Patient/{patient_id}/ServiceRequest", "get"),
    ("/api/fhir/Communication/{communication_id}", "get"),
    ("/api/fhir/Communication", "get"),
    ("/api/fhir/Patient/{patient_id}/Communication", "get"),
    ("/api/fhir/Group/{group_id}", "get"),
    ("/api/fhir/Consent/{consent_id}", "get"),
    ("/api/fhir/Consent", "get"),
    ("/api/fhir/Patient/{patient_id}/Consent", "get"),
    ("/api/patients", "get"),
    ("/api/patients", "post"),
    ("/api/patients/{patient_id}", "get"),
    ("/api/patients/{patient_id}", "patch"),
    ("/api/patients/{patient_id}/consents", "get"),
    ("/api/patients/{patient_id}/consents", "post"),
    ("/api/patients/{patient_id}/consents/{consent_id}/withdraw", "post"),
    ("/api/patients/{patient_id}/care-team", "get"),
    ("/api/patients/{patient_id}/care-team/members", "post"),
    ("/api/patients/{patient_id}/care-team/members/{member_id}/end", "post"),
}


def test_the_openapi_document_lists_every_operation():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Common Ground API"
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations == EXPECTED_OPERATIONS


def test_every_operation_requires_a_token_or_a_session():
    document = Client().get("/api/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())
    for item in document["paths"].values():
        for operation in item.values():
            assert operation.get("security"), operation["operationId"]


def test_the_documented_string_limits_match_the_columns():
    schemas = Client().get("/api/openapi.json").json()["components"]["schemas"]
    assert schemas["PatientIn"]["properties"]["phone"]["maxLength"] == 40
    assert schemas["ConsentIn"]["properties"]["text_version"]["maxLength"] == 40
    assert schemas["ConsentIn"]["properties"]["scope_reference"]["maxLength"] == 64


def test_the_docs_page_renders_with_local_assets_only():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    external = [url for url in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html) if not _is_local(url)]
    assert external == []
    scripts = re.findall(r"""<script[^>]+src=["']([^"']+)""", html)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    for src in scripts:
        assert Client().get(src).status_code == 200, src


def _is_local(url: str) -> bool:
    host = url.split("//", 1)[1].split("/", 1)[0]
    return host in {"testserver", "localhost", "127.0.0.1"}
