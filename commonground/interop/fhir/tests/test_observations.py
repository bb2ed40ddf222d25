"""Total scores as FHIR R4 Observations (issue 4 item 9), checked through the R4B models.

Expected totals and bands are the published rules (clinical.md sections 3, 6, 8 and 13), not the engine's output.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation

from commonground.interop.fhir.observations import total_observation
from commonground.interop.fhir.terminology import OBSERVATION_CATEGORY, UCUM
from commonground.interop.fhir.tests.support import answers_of, from_paper, from_portal, round_trip
from commonground.measures import definitions, services

pytestmark = pytest.mark.django_db

LOINC = "http://loinc.org"


def observed(response: Any) -> dict[str, Any] | None:
    resource = total_observation(response, definitions.instrument(response.instrument))
    if resource is None:
        return None
    assert isinstance(resource, Observation)
    return round_trip(resource)


def test_a_phq9_total_is_loinc_44261_6_with_the_stored_total_and_band(patient_record, patient_user, settings):
    settings.SITE_URL = "https://clinic.example.org"
    # 2+2+1+1+2+1+1+0+0 = 10: "moderate" (10-14), Kroenke 2001.
    response = from_portal(patient_record, patient_user, "phq9", [2, 2, 1, 1, 2, 1, 1, 0, 0, 1])
    data = observed(response)
    assert data is not None
    assert data["status"] == "final"
    assert data["category"] == [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}]
    loinc, own = data["code"]["coding"]
    assert (loinc["system"], loinc["code"]) == (LOINC, "44261-6")
    assert "extension" not in loinc
    assert own == {
        "system": "https://clinic.example.org/api/fhir/CodeSystem/scores",
        "code": "phq9-total",
        "display": "PHQ-9 total score",
    }
    assert data["subject"] == {"reference": f"Patient/{patient_record.id}"}
    assert data["valueQuantity"] == {"value": 10, "unit": "{score}", "system": UCUM, "code": "{score}"}
    assert Decimal(str(data["valueQuantity"]["value"])) == response.total == Decimal(10)
    [band] = data["interpretation"]
    assert band["text"] == "Moderate"
    assert band["coding"][0]["code"] == "moderate"
    assert band["coding"][0]["system"].endswith("/CodeSystem/phq9-bands")
    assert data["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{response.id}"}]
    assert data["effectiveDateTime"].startswith(response.completed_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_prorated_total_is_the_rounded_total_the_clinic_sees(patient_record, coordinator):
    # One item missing: 13 x 9 / 8 = 14.625 -> 15 (half up), "moderately severe" (section 13 item 2).
    response = from_paper(patient_record, coordinator, "phq9", [2, 2, 2, 2, 2, 2, 1, None, 0])
    data = observed(response)
    assert data is not None
    assert data["valueQuantity"]["value"] == 15
    assert data["interpretation"][0]["coding"][0]["code"] == "moderately_severe"


def test_an_exact_fractional_total_keeps_its_decimals(patient_record, coordinator):
    # WSAS item 1 not applicable: (3+8+0+6) x 5 / 4 = 21.25, "moderately severe or worse" (>20; section 13 item 4).
    response = from_paper(patient_record, coordinator, "wsas", ["not_applicable", 3, 8, 0, 6])
    data = observed(response)
    assert data is not None
    assert data["valueQuantity"]["value"] == 21.25
    assert data["interpretation"][0]["coding"][0]["code"] == "moderately_severe_or_worse"
    assert [coding["code"] for coding in data["code"]["coding"]] == ["wsas-total"], "WSAS has no LOINC code"


def test_an_unconfirmed_total_code_says_so_and_a_score_without_bands_has_no_interpretation(patient_record, coordinator):
    # PEG: mean of 3 items, (4+3+4)/3 = 3.6667 unrounded (section 13 item 5), no bands.
    data = observed(from_paper(patient_record, coordinator, "peg", [4, 3, 4]))
    assert data is not None
    assert data["valueQuantity"]["value"] == 3.6667
    assert "interpretation" not in data
    loinc = data["code"]["coding"][0]
    assert loinc["code"] == "91147-9"
    assert loinc["extension"][0]["url"].endswith("/StructureDefinition/unconfirmed-code")


def test_an_unscorable_response_has_no_total_observation(patient_record, coordinator):
    # Three PHQ-9 items missing: no total (section 13 item 2).
    response = from_paper(patient_record, coordinator, "phq9", [1, None, None, None, 1, 1, 1, 1, 0])
    assert response.scorable is False
    assert observed(response) is None


def test_a_half_finished_response_has_no_total_observation(patient_record, patient_user):
    draft = services.start_response(patient_record, instrument_id="gad7", entered_by=patient_user)
    services.save_answers(draft, answers_of([1, 1, 1, 1, 1, 1, 1]))
    assert observed(draft) is None
