"""A scored response's total as a FHIR Observation (category survey), derived from its QuestionnaireResponse.

The code is the instrument's LOINC total code where its data file gives one, always beside Common Ground's
own score code; the value is `total` (the number the clinic sees, rounded where the instrument's rule says
so) in UCUM `{score}`; the band is the interpretation. A response without a total (unscorable, or not yet
completed) has no Observation: its QuestionnaireResponse still carries every answer (decision 0010).
"""

from __future__ import annotations

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from commonground.interop.fhir.terminology import (
    OBSERVATION_CATEGORY,
    UCUM,
    bands_system,
    coding,
    exact,
    patient_reference_of,
    scores_system,
)
from commonground.measures.datatypes import Instrument
from commonground.measures.models import Response


def observation_id(response: Response) -> str:
    return f"{response.id}-total"


def total_observation(response: Response, instrument: Instrument) -> Observation | None:
    if not (response.is_completed and response.scorable) or response.total is None:
        return None
    return Observation(
        id=observation_id(response),
        status="final",
        category=[_survey()],
        code=total_code(instrument),
        subject=Reference(reference=patient_reference_of(response.patient_id)),
        effectiveDateTime=response.completed_at,
        valueQuantity=Quantity(value=exact(response.total), unit="{score}", system=UCUM, code="{score}"),
        interpretation=_band(response, instrument),
        derivedFrom=[Reference(reference=f"QuestionnaireResponse/{response.id}")],
    )


def total_code(instrument: Instrument) -> CodeableConcept:
    name = f"{instrument.short_name} total score"
    own = Coding(system=scores_system(), code=f"{instrument.id}-total", display=name)
    standard = [coding(instrument.codes.total)] if instrument.codes.total is not None else []
    return CodeableConcept(coding=[*standard, own], text=name)


def _survey() -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=OBSERVATION_CATEGORY, code="survey", display="Survey")])


def _band(response: Response, instrument: Instrument) -> list[CodeableConcept] | None:
    if not response.band:
        return None
    try:
        label = instrument.band(response.band).label
    except KeyError:  # a band no longer in the definition: keep the stored id
        label = response.band
    band = Coding(system=bands_system(instrument.id), code=response.band, display=label)
    return [CodeableConcept(coding=[band], text=label)]
