"""Stored responses as FHIR R4 QuestionnaireResponses (issue 4 item 9), checked through the R4B models."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from commonground.interop.fhir.responses import questionnaire_response
from commonground.interop.fhir.terminology import NULL_FLAVOR, questionnaire_url
from commonground.interop.fhir.tests.support import answers_of, from_paper, from_portal, round_trip
from commonground.measures import definitions, services
from commonground.measures.choices import EntryMode

pytestmark = pytest.mark.django_db

LOINC = "http://loinc.org"
NA = "not_applicable"


def mapped(response: Any) -> dict[str, Any]:
    resource = questionnaire_response(response, definitions.instrument(response.instrument))
    assert isinstance(resource, QuestionnaireResponse)
    return round_trip(resource)


def answer(data: dict[str, Any], link_id: str) -> dict[str, Any]:
    item = next(item for item in data["item"] if item["linkId"] == link_id)
    [only] = item["answer"]
    return only["valueCoding"]


def test_a_phq9_sent_in_the_portal_is_a_completed_response_by_the_patient(patient_record, patient_user, settings):
    settings.SITE_URL = "https://clinic.example.org"
    response = from_portal(patient_record, patient_user, "phq9", [2, 2, 1, 1, 2, 1, 1, 0, 0, 1])
    data = mapped(response)
    assert data["id"] == str(response.id)
    assert data["status"] == "completed"
    assert data["questionnaire"] == "https://clinic.example.org/api/fhir/Questionnaire/phq9|1"
    patient = {"reference": f"Patient/{patient_record.id}"}
    assert data["subject"] == data["source"] == data["author"] == patient
    assert data["authored"].startswith(response.completed_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert [item["linkId"] for item in data["item"]] == [str(number) for number in range(1, 11)]
    assert answer(data, "1") == {
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 2}],
        "system": LOINC,
        "code": "LA6570-1",
        "display": "More than half the days",
    }
    assert answer(data, "9")["code"] == "LA6568-5"
    assert answer(data, "10")["code"] == "1" and "extension" not in answer(data, "10")
    assert data["extension"][0]["valueCode"] == EntryMode.PORTAL


def test_a_paper_form_is_authored_by_the_staff_member_who_entered_it(patient_record, coordinator):
    response = from_paper(patient_record, coordinator, "gad7", [1, 1, 1, 1, 1, 1, 1])
    data = mapped(response)
    assert data["author"] == {"reference": f"Practitioner/{coordinator.id}"}
    assert data["source"] == data["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["extension"][0]["valueCode"] == EntryMode.PAPER
    assert data["authored"].startswith(response.completed_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_an_unanswered_item_is_left_out(patient_record, coordinator):
    response = from_paper(patient_record, coordinator, "phq9", [1, None, 1, 1, 1, 1, 1, 1, 0, None])
    data = mapped(response)
    assert [item["linkId"] for item in data["item"]] == ["1", "3", "4", "5", "6", "7", "8", "9"]


def test_not_applicable_is_the_null_flavour_na(patient_record, coordinator):
    instrument = definitions.instrument("phq15")
    values: list[Any] = [1] * 15
    values[3] = NA
    data = mapped(from_paper(patient_record, coordinator, "phq15", values))
    assert answer(data, "4") == {
        "system": NULL_FLAVOR,
        "code": "NA",
        "display": instrument.item("4").not_applicable_label,
    }
    assert answer(data, "5")["code"] == "1"


def test_every_answer_is_one_of_the_questionnaires_options(patient_record, coordinator):
    from commonground.interop.fhir.questionnaires import questionnaire

    values: list[Any] = [NA, 3, 8, 0, 5]
    data = mapped(from_paper(patient_record, coordinator, "wsas", values))
    definition = round_trip(questionnaire(definitions.instrument("wsas")))
    options = {
        item["linkId"]: [option["valueCoding"] for option in item["answerOption"]] for item in definition["item"]
    }
    for item in data["item"]:
        assert item["answer"][0]["valueCoding"] in options[item["linkId"]]
    assert data["questionnaire"].split("|")[0] == definition["url"] == questionnaire_url("wsas")


def test_a_half_finished_form_is_in_progress(patient_record, patient_user):
    draft = services.start_response(patient_record, instrument_id="phq9", entered_by=patient_user)
    services.save_answers(draft, answers_of([1, 2]))
    data = mapped(draft)
    assert data["status"] == "in-progress"
    assert [item["linkId"] for item in data["item"]] == ["1", "2"]
    assert "authored" in data


def test_the_caller_may_name_the_patient_reference(patient_record, coordinator):
    response = from_paper(patient_record, coordinator, "gad7", [0, 0, 0, 0, 0, 0, 0])
    resource = questionnaire_response(response, definitions.instrument("gad7"), "Patient/example")
    assert resource.subject.reference == resource.source.reference == "Patient/example"
