"""The instrument library as data: every built-in file loads, holds what the reference says, and a malformed
file is refused with an error naming the file and the field (DESIGN rule 6; issue 4 item 1)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from commonground.measures.definitions import (
    BUILTIN_DIR,
    DefinitionError,
    UnknownInstrument,
    builtin_library,
    clinic_instruments_dir,
    instrument,
    library,
    load_definition,
)
from commonground.measures.parsing import loinc_check_digit
from commonground.measures.tests.support import get

LIBRARY_IDS = {"phq15", "phq9", "gad7", "sss8", "wsas", "peg", "whiteley7", "care", "phq_sads"}


def test_every_built_in_file_loads_and_the_library_has_the_issues_instruments() -> None:
    """Issue 4 item 1: PHQ-15, PHQ-9, GAD-7, PHQ-SADS, SSS-8, WSAS, PEG, Whiteley-7 and CARE."""
    files = sorted(BUILTIN_DIR.glob("*.json"))
    assert {load_definition(path).id for path in files} == LIBRARY_IDS == set(builtin_library())
    assert all(path.stem == load_definition(path).id for path in files)


@pytest.mark.parametrize(
    ("instrument_id", "count"),
    [("phq15", 15), ("phq9", 9), ("gad7", 7), ("sss8", 8), ("wsas", 5), ("peg", 3), ("whiteley7", 7), ("care", 10)],
)
def test_scored_item_counts(instrument_id: str, count: int) -> None:
    """Section 13 "Scored items": 15, 9, 7, 8, 5, 3, 7 and 10."""
    assert len(get(instrument_id).scored_items) == count


@pytest.mark.parametrize(
    ("instrument_id", "bands"),
    [
        ("phq15", ["minimal", "low", "medium", "high"]),
        ("phq9", ["none_minimal", "mild", "moderate", "moderately_severe", "severe"]),
        ("gad7", ["minimal", "mild", "moderate", "severe"]),
        ("sss8", ["none_to_minimal", "low", "medium", "high", "very_high"]),
        ("wsas", ["subclinical", "significant_impairment_less_severe", "moderately_severe_or_worse"]),
        ("peg", []),
        ("care", []),
        ("whiteley7", []),
    ],
)
def test_band_ids_are_those_of_issue_4(instrument_id: str, bands: list[str]) -> None:
    """Issue 4 item 10: the band ids, exactly."""
    assert [band.id for band in get(instrument_id).bands] == bands


@pytest.mark.parametrize(
    ("instrument_id", "flags"),
    [
        ("phq15", ("three_or_more_severe",)),
        ("phq9", ("item9_positive", "item9_unknown", "major_depressive_syndrome", "other_depressive_syndrome")),
        ("whiteley7", ("screen_positive",)),
        ("gad7", ()),
    ],
)
def test_flag_ids_are_those_of_issue_4(instrument_id: str, flags: tuple[str, ...]) -> None:
    """Issue 4 item 10: the flag ids, exactly."""
    assert get(instrument_id).flag_ids == flags


def test_full_item_text_only_where_the_licence_allows() -> None:
    """Section 13 item 9: full text for PHQ-15, PHQ-9, GAD-7; structure and short labels for the others."""
    for instrument_id in ("phq15", "phq9", "gad7"):
        found = get(instrument_id)
        assert found.licence.text == "full" and all(item.text for item in found.items)
    for instrument_id in ("sss8", "wsas", "whiteley7", "peg", "care"):
        found = get(instrument_id)
        assert found.licence.text == "labels_only"
        assert all(item.text is None and item.label for item in found.items)
        assert "commonground instruments load" in found.licence.note


def test_the_unscored_difficulty_questions_are_recorded_not_scored() -> None:
    """Section 3 and 13: the PHQ-9's 10th item and the GAD-7's difficulty item are recorded, not scored."""
    assert [item.id for item in get("phq9").items if not item.scored] == ["10"]
    assert [item.id for item in get("gad7").items if not item.scored] == ["8"]


def test_loinc_codes_are_as_given_and_marked_uncertain_where_the_reference_says() -> None:
    """Section 13 item 10 and section 14 item 4: [S] codes are used as given and marked uncertain."""
    phq15, phq9, gad7, peg = get("phq15"), get("phq9"), get("gad7"), get("peg")
    assert phq15.codes.panel is not None and (phq15.codes.panel.code, phq15.codes.panel.uncertain) == ("69728-4", True)
    assert phq15.codes.total is not None and (phq15.codes.total.code, phq15.codes.total.uncertain) == ("70273-8", False)
    assert [(i.code.code, i.code.uncertain) for i in phq15.items[-2:] if i.code] == [
        ("69731-8", True),
        ("69732-6", True),
    ]
    assert not any(item.code.uncertain for item in phq15.items[:13] if item.code)
    assert phq9.codes.panel is not None and (phq9.codes.panel.code, phq9.codes.panel.uncertain) == ("44249-1", False)
    assert phq9.item("9").code is not None and phq9.item("9").code.code == "44260-8"
    assert gad7.codes.panel is not None and (gad7.codes.panel.code, gad7.codes.panel.uncertain) == ("69737-5", True)
    assert gad7.codes.total is not None and gad7.codes.total.code == "70274-6"
    assert peg.codes.total is not None and (peg.codes.total.code, peg.codes.total.uncertain) == ("91147-9", True)
    for instrument_id in ("sss8", "wsas", "whiteley7", "care"):
        assert get(instrument_id).codes.panel is None and get(instrument_id).codes.total is None


@pytest.mark.parametrize(
    ("instrument_id", "sd", "reliability", "assumed"),
    [
        ("phq15", "4.0", "0.80", False),
        ("phq9", "5.5", "0.89", True),
        ("gad7", "4.5", "0.92", True),
        ("sss8", "4.0", "0.81", True),
        ("wsas", "8.0", "0.80", True),
    ],
)
def test_reliable_change_figures_are_those_of_section_13(
    instrument_id: str, sd: str, reliability: str, assumed: bool
) -> None:
    """Section 13 item 11: the default SD and r, each with its source, marked where assumed."""
    figures = get(instrument_id).reliable_change
    assert figures is not None
    assert (figures.sd, figures.reliability, figures.assumed) == (Decimal(sd), Decimal(reliability), assumed)
    assert figures.source and figures.reliability_source


def test_norms_and_mcids_are_those_of_the_reference() -> None:
    """Sections 1, 3, 4 (population norms by sex) and 13 item 11 (MCID PHQ-9 5, GAD-7 4, SSS-8 3)."""
    expected = {
        "phq15": [("female", "4.3", "4.1"), ("male", "3.4", "4.0")],
        "phq9": [("female", "3.1", "3.5"), ("male", "2.7", "3.5")],
        "gad7": [("female", "3.2", "3.5"), ("male", "2.7", "3.2")],
    }
    for instrument_id, groups in expected.items():
        norms = get(instrument_id).norms
        assert norms is not None and norms.source
        assert [(g.sex, g.mean, g.sd) for g in norms.groups] == [(s, Decimal(m), Decimal(d)) for s, m, d in groups]
    assert {i: get(i).mcid.points for i in ("phq9", "gad7", "sss8") if get(i).mcid} == {"phq9": 5, "gad7": 4, "sss8": 3}
    for instrument_id in ("phq15", "wsas", "peg", "care", "whiteley7"):
        assert get(instrument_id).mcid is None
    for instrument_id in ("sss8", "wsas", "peg", "care", "whiteley7"):
        assert get(instrument_id).norms is None


def test_recall_periods_differ_by_instrument() -> None:
    """Section 0 rule 4: PHQ-15 4 weeks; PHQ-9 and GAD-7 2 weeks; SSS-8 and PEG 7 days."""
    days = {i: get(i).recall_period.days for i in ("phq15", "phq9", "gad7", "sss8", "peg")}
    assert days == {"phq15": 28, "phq9": 14, "gad7": 14, "sss8": 7, "peg": 7}


def test_the_loinc_check_digit() -> None:
    """The mod-10 check digit catches a mistyped LOINC code (44261-6 is the PHQ-9 total)."""
    assert loinc_check_digit("44261") == 6 and loinc_check_digit("69729") == 2


def test_an_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(UnknownInstrument, match="unknown instrument 'phq10'; known instruments: care, gad7"):
        instrument("phq10")


def test_library_returns_a_copy_and_the_built_ins_are_read_once() -> None:
    first = library()
    first.pop("phq9")
    assert "phq9" in library()
    assert builtin_library() is builtin_library()


def test_the_clinic_folder_comes_from_the_environment(clinic_folder: Path) -> None:
    """COMMONGROUND_INSTRUMENTS_DIR (set per test in conftest.py)."""
    assert clinic_instruments_dir() == clinic_folder


# --- Malformed files: clear errors naming the file and the field ------------------------------------------------


def phq9_document() -> dict[str, Any]:
    return json.loads((BUILTIN_DIR / "phq9.json").read_text(encoding="utf-8"))


def broken(change: Callable[[dict[str, Any]], None]) -> str:
    document = copy.deepcopy(phq9_document())
    change(document)
    return json.dumps(document)


def set_in(path: list[str | int], value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def inline_options_with(value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["items"][2]["options"] = [{"value": 0, "label": "Not at all"}, {"value": value, "label": "Some"}]

    return change


def remove(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: document.pop(key)


MALFORMED = [
    (
        inline_options_with(1.5),
        r"items\[2\] \(item 3\)\.options\[1\]\.value: option values must be whole numbers, got 1.5",
    ),
    (inline_options_with("1"), r"item 3\)\.options\[1\]\.value: option values must be whole numbers"),
    (set_in(["option_sets", "frequency", 1, "value"], 0), r"option_sets\.frequency: two options have the same value"),
    (set_in(["band"], []), r"phq9\.json: unknown field 'band'"),
    (remove("scoring"), r"phq9\.json: missing field 'scoring'"),
    (set_in(["scoring", "range"], [0, 30]), r"scoring\.range: is 0\.\.30 but the scored items give 0\.\.27"),
    (set_in(["scoring", "max_missing"], 9), r"scoring\.max_missing: must be 0 to 8"),
    (set_in(["scoring", "rounding"], "banker"), r"scoring\.rounding: must be one of 'half_up', 'none'"),
    (set_in(["bands", 1, "min"], 6), r"bands\[1\] \(mild\): must start where none_minimal ends"),
    (set_in(["bands", 1, "min"], 4), r"bands\[1\] \(mild\): must start where none_minimal ends"),
    (set_in(["bands", 4, "max"], 26), r"bands\[4\] \(severe\): must end at the highest possible total, 27"),
    (set_in(["critical_items", 0, "item"], "12"), r"critical_items\[0\]\.item: '12' is not a scored item"),
    (set_in(["critical_items", 0, "item"], "10"), r"critical_items\[0\]\.item: '10' is not a scored item"),
    (
        set_in(["critical_items", 0, "flag"], "major_depressive_syndrome"),
        r"flag id 'major_depressive_syndrome' is used twice",
    ),
    (set_in(["flags", 0, "rule"], "magic"), r"flags\[0\]\.rule: must be one of"),
    (set_in(["items", 1, "id"], "1"), r"items: two items have the same id"),
    (
        set_in(["items", 0, "code", "code"], "44250-8"),
        r"items\[0\] \(item 1\)\.code\.code: '44250-8': the LOINC check digit is wrong",
    ),
    (set_in(["codes", "panel", "uncertain"], True), r"codes\.panel: an uncertain code needs a 'note'"),
    (set_in(["reliable_change", "reliability"], 1), r"reliable_change\.reliability: must be at least 0 and below 1"),
    (set_in(["reliable_change", "sd"], 0), r"reliable_change\.sd: must be above 0"),
    (set_in(["licence", "text"], "labels_only"), r"item 1\.text: the licence says labels_only"),
    (set_in(["items", 3, "text"], None), r"item 4: the licence says full, so every item needs its full 'text'"),
    (set_in(["id"], "PHQ 9"), r"id: 'PHQ 9' must be lower-case letters"),
    (set_in(["kind"], "quiz"), r"kind: must be one of 'outcome', 'screening', 'experience', 'battery'"),
    (set_in(["format"], "commonground.instrument/2"), r"format: must be 'commonground.instrument/1'"),
    (set_in(["higher_is_better"], "no"), r"higher_is_better: must be true or false"),
    (set_in(["items", 0, "not_applicable"], {"label": "n/a"}), r"scoring: missing field 'not_applicable'"),
    (
        set_in(["translations"], {"de": {"source": "x", "items": {"11": {"text": "y"}}}}),
        r"translations\.de\.items: '11' is not one of",
    ),
    (
        set_in(["translations"], {"de": {"source": "x", "items": {"1": {"options": {"4": "y"}}}}}),
        r"items\.1\.options: '4' is not one of 0, 1, 2, 3",
    ),
    (set_in(["translations"], {"German": {"source": "x"}}), r"translations\.German: the key must be a language code"),
]


@pytest.mark.parametrize(("change", "message"), MALFORMED)
def test_a_malformed_definition_is_refused_with_the_file_and_the_field(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    """Issue 4 item 1: definitions are validated at load with clear errors."""
    with pytest.raises(DefinitionError, match=message) as caught:
        load_definition(broken(change), name="phq9.json")
    assert str(caught.value).startswith("phq9.json: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", r"bad\.json: not valid JSON"),
        ('{"a": 1, "a": 2}', r"bad\.json: not valid JSON: the field 'a' appears twice"),
        ("[1, 2]", r"bad\.json: must be a JSON object"),
    ],
)
def test_text_that_is_not_a_definition_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match=message):
        load_definition(path)


def test_nan_is_refused(tmp_path: Path) -> None:
    text = (BUILTIN_DIR / "phq9.json").read_text(encoding="utf-8").replace('"sd": 5.5', '"sd": NaN')
    with pytest.raises(DefinitionError, match="NaN is not a number"):
        load_definition(text, name="phq9.json")


def test_a_missing_file_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"nowhere\.json: cannot be read"):
        load_definition(tmp_path / "nowhere.json")


def test_wsas_bands_with_fractional_totals_must_share_their_boundaries() -> None:
    """Section 6: WSAS totals can be fractions, so "10-20" then "21-40" would leave 20.25 without a band."""
    document = json.loads((BUILTIN_DIR / "wsas.json").read_text(encoding="utf-8"))
    document["bands"][2] = {"id": "moderately_severe_or_worse", "label": "x", "min": 21, "max": 40}
    with pytest.raises(DefinitionError, match=r"bands\[2\].*totals can be fractions"):
        load_definition(json.dumps(document), name="wsas.json")


def test_a_battery_must_name_known_parts(clinic_folder: Path) -> None:
    clinic_folder.mkdir()
    battery = json.loads((BUILTIN_DIR / "phq_sads.json").read_text(encoding="utf-8"))
    battery["id"] = "my_battery"
    battery["battery"] = {"parts": ["phq9", "nope"]}
    (clinic_folder / "my_battery.json").write_text(json.dumps(battery), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"my_battery: battery\.parts: 'nope' is not a known single instrument"):
        library()


def test_localised_uses_a_translation_and_falls_back_to_the_original() -> None:
    """Issue 4 item 1: translations per language (item texts, option labels, title)."""
    document = phq9_document()
    document["translations"] = {
        "de": {
            "source": "test translation",
            "title": "Gesundheitsfragebogen",
            "items": {"1": {"text": "Wenig Interesse", "options": {"0": "Überhaupt nicht"}}},
        }
    }
    german = load_definition(json.dumps(document), name="phq9.json").localised("de")
    assert german.title == "Gesundheitsfragebogen"
    assert german.item("1").text == "Wenig Interesse" and german.item("1").options[0].label == "Überhaupt nicht"
    assert german.item("2").text == get("phq9").item("2").text
    assert get("phq9").localised("fr") is get("phq9")
