"""Every built-in instrument as a FHIR R4 Questionnaire (issue 4 item 9), checked through the R4B models."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from commonground.interop.fhir.questionnaires import computable_name, questionnaire
from commonground.interop.fhir.terminology import NULL_FLAVOR, ORDINAL_VALUE
from commonground.interop.fhir.tests.support import round_trip
from commonground.measures.definitions import builtin_library

LOINC = "http://loinc.org"
BUILTIN = builtin_library()
SINGLE = sorted(key for key, found in BUILTIN.items() if found.battery is None)


def questions(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question (not a group, not the stem), depth first."""
    found = []
    for item in data.get("item", []):
        if item["type"] == "group":
            found.extend(questions(item))
        elif item["type"] != "display":
            found.append(item)
    return found


def link_ids(data: dict[str, Any]) -> list[str]:
    ids = []
    for item in data.get("item", []):
        ids.append(item["linkId"])
        ids.extend(link_ids(item))
    return ids


def question(data: dict[str, Any], link_id: str) -> dict[str, Any]:
    return next(item for item in questions(data) if item["linkId"] == link_id)


def option_codes(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(option["valueCoding"]["system"], option["valueCoding"]["code"]) for option in item["answerOption"]]


def weights(item: dict[str, Any]) -> list[Any]:
    return [
        next((e["valueDecimal"] for e in option["valueCoding"].get("extension", []) if e["url"] == ORDINAL_VALUE), None)
        for option in item["answerOption"]
    ]


@pytest.mark.parametrize("instrument_id", sorted(BUILTIN))
def test_every_builtin_instrument_is_a_valid_questionnaire(instrument_id, settings):
    settings.SITE_URL = "https://clinic.example.org"
    instrument = BUILTIN[instrument_id]
    data = round_trip(questionnaire(instrument))
    assert data["resourceType"] == "Questionnaire"
    assert data["status"] == "active"
    assert data["url"] == f"https://clinic.example.org/api/fhir/Questionnaire/{instrument_id.replace('_', '-')}"
    assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", data["id"])
    assert re.fullmatch(r"[A-Z][A-Za-z0-9_]{0,254}", data["name"])
    assert (data["version"], data["title"]) == (instrument.version, instrument.title)
    assert instrument.licence.note in data["copyright"]
    ids = link_ids(data)
    assert len(ids) == len(set(ids)), "linkIds are unique in a Questionnaire"
    for item in questions(data):
        assert item["type"] == "choice" and item["required"] is False and item["answerOption"]


@pytest.mark.parametrize("instrument_id", SINGLE)
def test_one_question_per_item_in_published_order_scored_or_not(instrument_id):
    instrument = BUILTIN[instrument_id]
    data = round_trip(questionnaire(instrument))
    assert [item["linkId"] for item in questions(data)] == [item.id for item in instrument.items]
    assert [item["text"] for item in questions(data)] == [item.display_text for item in instrument.items]
    for item, mapped in zip(instrument.items, questions(data), strict=True):
        values = [str(option.value) for option in item.options]
        local = [code for system, code in option_codes(mapped) if system.endswith(f"/CodeSystem/{data['id']}-answers")]
        assert local == [] or local == values[: len(local)]
        assert len(mapped["answerOption"]) == len(item.options) + item.not_applicable_allowed


def test_phq9_uses_loinc_codes_and_scores_only_the_scored_items():
    data = round_trip(questionnaire(BUILTIN["phq9"]))
    assert data["code"] == [
        {"system": LOINC, "code": "44249-1", "display": "PHQ-9 quick depression assessment panel [Reported.PHQ]"}
    ]
    item9 = question(data, "9")
    assert item9["code"] == [{"system": LOINC, "code": "44260-8"}]
    assert option_codes(item9) == [(LOINC, "LA6568-5"), (LOINC, "LA6569-3"), (LOINC, "LA6570-1"), (LOINC, "LA6571-9")]
    assert [option["valueCoding"]["display"] for option in item9["answerOption"]] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert weights(item9) == [0, 1, 2, 3]
    difficulty = question(data, "10")  # recorded, not scored: its answers carry no score a receiver could add
    assert [code for _system, code in option_codes(difficulty)] == ["0", "1", "2", "3"]
    assert weights(difficulty) == [None, None, None, None]


def test_the_stem_is_shown_above_the_questions():
    data = round_trip(questionnaire(BUILTIN["phq9"]))
    assert data["item"][0]["type"] == "display"
    assert data["item"][0]["text"].startswith("Over the last 2 weeks")
    assert "Recall period: the last 2 weeks" in data["description"]


@pytest.mark.parametrize(("instrument_id", "item_id"), [("phq15", "4"), ("wsas", "1")])
def test_not_applicable_is_offered_where_the_item_allows_it(instrument_id, item_id):
    instrument = BUILTIN[instrument_id]
    data = round_trip(questionnaire(instrument))
    last = question(data, item_id)["answerOption"][-1]["valueCoding"]
    assert (last["system"], last["code"]) == (NULL_FLAVOR, "NA")
    assert last["display"] == instrument.item(item_id).not_applicable_label
    others = [item for item in questions(data) if item["linkId"] != item_id]
    assert all(option_codes(item)[-1] != (NULL_FLAVOR, "NA") for item in others)


def test_an_unconfirmed_loinc_code_says_so_and_a_confirmed_one_does_not():
    data = round_trip(questionnaire(BUILTIN["phq15"]))
    panel = data["code"][0]
    assert panel["code"] == "69728-4"
    assert [e["url"].rsplit("/", 1)[-1] for e in panel["extension"]] == ["unconfirmed-code"]
    assert "to be confirmed against LOINC" in panel["extension"][0]["valueString"]
    assert "extension" in question(data, "14")["code"][0]
    assert "extension" not in question(data, "1")["code"][0]
    assert "extension" not in round_trip(questionnaire(BUILTIN["phq9"]))["code"][0]


def test_licensed_wording_is_not_shipped_only_the_labels():
    instrument = BUILTIN["wsas"]
    data = round_trip(questionnaire(instrument))
    assert instrument.licence.text == "labels_only"
    assert [item["text"] for item in questions(data)] == [item.label for item in instrument.items]
    assert data["item"][0]["type"] == "choice", "no stem: its wording is licensed too"
    assert data["copyright"].startswith(instrument.licence.holder.rstrip("."))


def test_phq_sads_is_one_questionnaire_with_a_group_per_part():
    battery = BUILTIN["phq_sads"]
    data = round_trip(questionnaire(battery))
    assert data["id"] == "phq-sads"
    groups = data["item"]
    assert [(group["linkId"], group["type"]) for group in groups] == [
        ("phq15", "group"),
        ("gad7", "group"),
        ("phq9", "group"),
    ]
    assert groups[2]["code"][0]["code"] == "44249-1"
    for group in groups:
        part = BUILTIN[group["linkId"]]
        assert [item["linkId"] for item in questions(group)] == [f"{part.id}/{item.id}" for item in part.items]
    assert len(questions(data)) == sum(len(BUILTIN[part].items) for part in battery.battery.parts)


def test_the_model_refuses_what_fhir_forbids():
    """The validation is real: a Questionnaire without its status, or with an unknown field, is refused."""
    data = round_trip(questionnaire(BUILTIN["gad7"]))
    with pytest.raises(ValueError, match="status"):
        Questionnaire.model_validate({key: value for key, value in data.items() if key != "status"})
    with pytest.raises(ValueError, match="scoring"):
        Questionnaire.model_validate({**data, "scoring": "sum"})


@pytest.mark.parametrize(
    ("short_name", "name"), [("PHQ-9", "PHQ9"), ("Whiteley-7", "Whiteley7"), ("my scale", "Myscale"), ("8x", "Q8x")]
)
def test_the_computable_name_follows_fhir(short_name, name):
    assert computable_name(short_name) == name
