"""Canonical addresses, code systems, extensions and codings shared by the FHIR mappings.

Everything Common Ground defines itself (Questionnaires, the answer and band code systems of an instrument,
the score codes, two extensions) lives under one base, `<SITE_URL>/api/fhir`, where the Questionnaires are
also served. Meaning that must travel between systems is carried by standard codes beside them: LOINC
where the instrument's data file gives a code, HL7's NullFlavor `NA` for *not applicable* (decision 0010).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from django.conf import settings
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension

from commonground.measures.datatypes import Code, Instrument, Item

FHIR_PATH: Final = "/api/fhir"
UCUM: Final = "http://unitsofmeasure.org"
NULL_FLAVOR: Final = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
# The score an answer adds to the total (R4 core extension; SDC's itemWeight is its R5 successor).
ORDINAL_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

# Common Ground's own extensions, under the base (see `extension_url`).
UNCONFIRMED_CODE: Final = "unconfirmed-code"  # valueString: why the code is not confirmed
ENTRY_MODE: Final = "entry-mode"  # valueCode: portal, paper or interview

STEM_LINK_ID: Final = "#stem"  # '#' cannot occur in an item id, so the stem never collides with an item
PART_SEPARATOR: Final = "/"  # battery items: "<part>/<item>"; '/' cannot occur in an item id either


def base_url() -> str:
    return settings.SITE_URL.rstrip("/") + FHIR_PATH


def resource_id(instrument_id: str) -> str:
    """A FHIR id may not contain '_' (phq_sads -> phq-sads); an instrument id never contains '-'."""
    return instrument_id.replace("_", "-")


def instrument_id_of(resource_id_: str) -> str:
    return resource_id_.replace("-", "_")


def questionnaire_url(instrument_id: str) -> str:
    return f"{base_url()}/Questionnaire/{resource_id(instrument_id)}"


def answers_system(instrument_id: str) -> str:
    """The instrument's answers: code = the value as written in the definition file."""
    return f"{base_url()}/CodeSystem/{resource_id(instrument_id)}-answers"


def bands_system(instrument_id: str) -> str:
    """The instrument's severity bands: code = the band id (`moderately_severe`)."""
    return f"{base_url()}/CodeSystem/{resource_id(instrument_id)}-bands"


def scores_system() -> str:
    """Scores Common Ground computes: code = `<instrument id>-total`."""
    return f"{base_url()}/CodeSystem/scores"


def extension_url(name: str) -> str:
    return f"{base_url()}/StructureDefinition/{name}"


def patient_reference_of(patient_id: object) -> str:
    return f"Patient/{patient_id}"


def exact(value: Decimal) -> Decimal:
    """A stored total without the column's trailing zeros: 14.0000 -> 14, 21.2500 -> 21.25, 3.666700 -> 3.6667."""
    normalised = value.normalize()
    if normalised == normalised.to_integral_value():
        return normalised.quantize(Decimal(1))
    return normalised


def coding(code: Code) -> Coding:
    """A code from a definition file; a code the reference could not confirm says so (never silently)."""
    return Coding(
        system=code.system,
        code=code.code,
        display=code.display or None,
        extension=[unconfirmed(code)] if code.uncertain else None,
    )


def unconfirmed(code: Code) -> Extension:
    reason = code.note or "This code could not be confirmed against its terminology."
    return Extension(url=extension_url(UNCONFIRMED_CODE), valueString=reason)


def answer_coding(instrument: Instrument, item: Item, value: int) -> Coding:
    """The coding of one answer: the option's LOINC answer code where it has one, else Common Ground's.

    A scored item's coding carries its score as `ordinalValue`; an unscored item's does not, so that no
    receiver adds it to a total (the PHQ-9's "how difficult" question).
    """
    weight = [Extension(url=ORDINAL_VALUE, valueDecimal=Decimal(value))] if item.scored else []
    try:
        option = item.option(value)
    except KeyError:  # a value no longer in the definition: say what was stored, nothing more
        return Coding(system=answers_system(instrument.id), code=str(value), extension=weight or None)
    if option.code is not None:
        extensions = weight + ([unconfirmed(option.code)] if option.code.uncertain else [])
        return Coding(
            system=option.code.system, code=option.code.code, display=option.label, extension=extensions or None
        )
    return Coding(system=answers_system(instrument.id), code=str(value), display=option.label, extension=weight or None)


def not_applicable_coding(item: Item) -> Coding:
    return Coding(system=NULL_FLAVOR, code="NA", display=item.not_applicable_label or "not applicable")
