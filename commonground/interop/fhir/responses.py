"""A stored response as a FHIR QuestionnaireResponse.

Items follow the instrument's published order with `linkId` = the item id; an unanswered item is left out;
*not applicable* is HL7 NullFlavor `NA`. Who answered and who typed it in are kept apart: the patient is
always the `source` (the answers are theirs); the `author` is the patient in the portal, and the staff
member who entered a paper form or asked the questions (`Practitioner/<user id>`) otherwise.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference

from commonground.interop.fhir.terminology import (
    ENTRY_MODE,
    answer_coding,
    extension_url,
    not_applicable_coding,
    patient_reference_of,
    questionnaire_url,
)
from commonground.measures.choices import EntryMode
from commonground.measures.datatypes import Instrument, Item
from commonground.measures.models import Response
from commonground.measures.scoring import NOT_APPLICABLE


def questionnaire_response(
    response: Response, instrument: Instrument, patient_reference: str | None = None
) -> QuestionnaireResponse:
    """`instrument` is the definition the response was given on (a part, never a battery)."""
    patient = Reference(reference=patient_reference or patient_reference_of(response.patient_id))
    version = response.instrument_version or instrument.version
    return QuestionnaireResponse(
        id=str(response.id),
        extension=[Extension(url=extension_url(ENTRY_MODE), valueCode=response.mode)],
        questionnaire=f"{questionnaire_url(instrument.id)}|{version}",
        status="completed" if response.is_completed else "in-progress",
        subject=patient,
        authored=response.completed_at or response.updated_at,
        author=_author(response, patient),
        source=patient,
        item=_answered_items(response, instrument) or None,
    )


def _author(response: Response, patient: Reference) -> Reference:
    if response.mode == EntryMode.PORTAL:
        return patient
    return Reference(reference=f"Practitioner/{response.entered_by_id}")


def _answered_items(response: Response, instrument: Instrument) -> list[QuestionnaireResponseItem]:
    items = []
    for item in instrument.items:
        answer = _answer(instrument, item, response.answers.get(item.id))
        if answer is not None:
            items.append(QuestionnaireResponseItem(linkId=item.id, text=item.display_text, answer=[answer]))
    return items


def _answer(instrument: Instrument, item: Item, value: Any) -> QuestionnaireResponseItemAnswer | None:
    if value == NOT_APPLICABLE:
        return QuestionnaireResponseItemAnswer(valueCoding=not_applicable_coding(item))
    if isinstance(value, bool) or not isinstance(value, int):
        return None  # unanswered (None), or nothing the engine would have accepted
    return QuestionnaireResponseItemAnswer(valueCoding=answer_coding(instrument, item, value))
