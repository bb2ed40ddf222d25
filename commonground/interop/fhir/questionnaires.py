"""An instrument as a FHIR Questionnaire: one item per question, in published order, answers as codings.

A single instrument's items have `linkId` = the item id. A battery (PHQ-SADS) is one Questionnaire with a
group per part (`linkId` = the part's id) whose items are `<part>/<item id>`; responses are stored, and
mapped, per part against the part's own Questionnaire. Unscored items are included (their answers carry no
score). Every item is optional (`required` false): a missing answer is a state the scoring rules know.
"""

from __future__ import annotations

import re

from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.questionnaire import Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption

from commonground.interop.fhir.terminology import (
    PART_SEPARATOR,
    STEM_LINK_ID,
    answer_coding,
    coding,
    not_applicable_coding,
    questionnaire_url,
    resource_id,
)
from commonground.measures import definitions
from commonground.measures.datatypes import Code, Instrument, Item, Licence


def questionnaire(instrument: Instrument) -> Questionnaire:
    if instrument.battery is not None:
        parts = definitions.battery_parts(instrument).values()
        items = [_part_group(part) for part in parts]
    else:
        items = _items(instrument, link_prefix="")
    return Questionnaire(
        id=resource_id(instrument.id),
        url=questionnaire_url(instrument.id),
        version=instrument.version,
        name=computable_name(instrument.short_name),
        title=instrument.title,
        status="active",
        subjectType=["Patient"],
        description=f"{instrument.purpose}. Recall period: {instrument.recall_period.text}.",
        code=_codes(instrument.codes.panel),
        copyright=copyright_of(instrument.licence),
        item=items,
    )


def computable_name(short_name: str) -> str:
    """FHIR's machine name: letters, digits and '_', starting with a capital ("PHQ-9" -> "PHQ9")."""
    name = re.sub(r"[^A-Za-z0-9_]", "", short_name)
    if not name or not name[0].isalpha():
        return "Q" + name
    return name[0].upper() + name[1:]


def copyright_of(licence: Licence) -> str:
    parts = [licence.holder.rstrip(".") + ".", licence.note, licence.clinic_note or ""]
    return " ".join(part for part in parts if part)


def _part_group(part: Instrument) -> QuestionnaireItem:
    return QuestionnaireItem(
        linkId=part.id,
        text=part.title,
        type="group",
        required=False,
        code=_codes(part.codes.panel),
        item=_items(part, link_prefix=part.id + PART_SEPARATOR),
    )


def _items(instrument: Instrument, *, link_prefix: str) -> list[QuestionnaireItem]:
    items = [_question(instrument, item, link_prefix) for item in instrument.items]
    if instrument.stem:
        items.insert(0, QuestionnaireItem(linkId=link_prefix + STEM_LINK_ID, text=instrument.stem, type="display"))
    return items


def _question(instrument: Instrument, item: Item, link_prefix: str) -> QuestionnaireItem:
    return QuestionnaireItem(
        linkId=link_prefix + item.id,
        prefix=item.number,
        text=item.display_text,
        type="choice",
        required=False,
        code=_codes(item.code),
        answerOption=_options(instrument, item),
    )


def _options(instrument: Instrument, item: Item) -> list[QuestionnaireItemAnswerOption]:
    options = [
        QuestionnaireItemAnswerOption(valueCoding=answer_coding(instrument, item, option.value))
        for option in item.options
    ]
    if item.not_applicable_allowed:
        options.append(QuestionnaireItemAnswerOption(valueCoding=not_applicable_coding(item)))
    return options


def _codes(code: Code | None) -> list[Coding] | None:
    return [coding(code)] if code is not None else None
