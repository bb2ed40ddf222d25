"""A clinic's own instruments, licensed text and translations (section 13 item 9; issue 4 item 1).

`install` validates a file and keeps it in the clinic's folder; it never lets a file change a built-in
instrument's values or scoring.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commonground.measures.definitions import BUILTIN_DIR, DefinitionError, install, instrument, library
from commonground.measures.scoring import score
from commonground.measures.tests.support import NA


def own_instrument(instrument_id: str = "sleep3") -> dict[str, Any]:
    """A small instrument of a clinic's own: 3 items 0-3, sum, 1 missing prorated, two bands."""
    return {
        "format": "commonground.instrument/1",
        "id": instrument_id,
        "short_name": "Sleep-3",
        "title": "Riverside sleep check",
        "version": "2025-1",
        "kind": "outcome",
        "purpose": "Sleep problems",
        "recall_period": {"days": 7, "text": "the past week"},
        "higher_is_better": False,
        "items": [
            {
                "id": str(n),
                "label": f"Sleep {n}",
                "text": f"Sleep question {n}",
                "options": [
                    {"value": 0, "label": "No"},
                    {"value": 1, "label": "A bit"},
                    {"value": 2, "label": "Often"},
                    {"value": 3, "label": "Always"},
                ],
            }
            for n in (1, 2, 3)
        ],
        "scoring": {
            "method": "sum",
            "range": [0, 9],
            "max_missing": 1,
            "rounding": "half_up",
            "description": "Sum; one missing item prorated.",
            "source": "Riverside clinic",
        },
        "bands": [
            {"id": "low", "label": "Low", "min": 0, "max": 4},
            {"id": "high", "label": "High", "min": 5, "max": 9},
        ],
        "licence": {"holder": "Riverside clinic", "text": "full", "note": "Our own questionnaire."},
    }


def wsas_text(**extra: Any) -> dict[str, Any]:
    document = {
        "format": "commonground.instrument-text/1",
        "extends": "wsas",
        "licence_note": "Used with the rights holder's permission (test letter).",
        "items": {str(n): {"text": f"Licensed WSAS wording {n}"} for n in range(1, 6)},
    }
    document.update(extra)
    return document


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_clinic_installs_an_instrument_of_its_own(tmp_path: Path, clinic_folder: Path) -> None:
    installed = install(write(tmp_path, "sleep.json", own_instrument()))
    assert installed.kind == "instrument" and installed.path == clinic_folder / "sleep3.json"
    assert installed.path.read_text(encoding="utf-8") == (tmp_path / "sleep.json").read_text(encoding="utf-8")
    found = instrument("sleep3")
    assert found.origin == "clinic" and "sleep3" in library() and "phq9" in library()
    result = score(found, [3, 2, None])  # 5 x 3 / 2 = 7.5 -> 8
    assert (result.total, result.band) == (8, "high")


def test_a_licensed_text_extension_adds_wording_without_changing_the_score(tmp_path: Path) -> None:
    """Section 13 item 9: a clinic that holds the licence loads the full text through the same format."""
    before = score(instrument("wsas"), [NA, 5, 4, 4, 4])
    installed = install(write(tmp_path, "wsas-licensed.json", wsas_text()))
    assert installed.kind == "extension" and installed.path.name == "wsas+wsas-licensed.json"
    wsas = instrument("wsas")
    assert wsas.licence.text == "full" and wsas.item("1").text == "Licensed WSAS wording 1"
    assert wsas.licence.clinic_note == "Used with the rights holder's permission (test letter)."
    assert wsas.origin == "built-in, text added by the clinic"
    assert score(wsas, [NA, 5, 4, 4, 4]) == before


def test_a_translation_extension_adds_a_language(tmp_path: Path) -> None:
    translation = {
        "format": "commonground.instrument-text/1",
        "extends": "phq9",
        "licence_note": "PHQ translations need no permission.",
        "translations": {
            "nl": {"source": "test", "items": {"1": {"text": "Weinig interesse", "options": {"3": "Bijna elke dag"}}}}
        },
    }
    install(write(tmp_path, "phq9-nl.json", translation))
    dutch = instrument("phq9").localised("nl")
    assert dutch.item("1").text == "Weinig interesse" and dutch.item("1").options[3].label == "Bijna elke dag"


def test_a_definition_may_not_reuse_a_built_in_id(tmp_path: Path, clinic_folder: Path) -> None:
    """Issue 4: refuse to replace a built-in id unless the file only extends it with text."""
    document = json.loads((BUILTIN_DIR / "phq9.json").read_text(encoding="utf-8"))
    document["bands"][0]["max"] = 5
    document["bands"][1]["min"] = 6
    with pytest.raises(DefinitionError, match="id 'phq9' is a built-in instrument; a clinic may only add text"):
        install(write(tmp_path, "phq9.json", document))
    assert not clinic_folder.exists()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (wsas_text(scoring={"method": "mean"}), "unknown field 'scoring'"),
        (wsas_text(bands=[]), "unknown field 'bands'"),
        (
            wsas_text(items={"1": {"text": "only one"}}),
            "full text must be given for every item or for none; missing: 2, 3, 4, 5",
        ),
        (wsas_text(items={"6": {"text": "no such item"}}), r"items: '6' is not one of 1, 2, 3, 4, 5"),
        (wsas_text(items={"1": {"options": {"9": "nine"}}}), r"items\.1\.options: '9' is not one of"),
        (wsas_text(items={"2": {"not_applicable": "retired"}}), "item 2 does not allow not applicable"),
        (wsas_text(extends="nothing"), "extends 'nothing', which is not a known instrument"),
        (wsas_text(licence_note=""), "licence_note: must be a non-empty string"),
    ],
)
def test_an_invalid_extension_is_refused_with_the_reason(
    tmp_path: Path, clinic_folder: Path, document: dict[str, Any], message: str
) -> None:
    with pytest.raises(DefinitionError, match=message) as caught:
        install(write(tmp_path, "text.json", document))
    assert str(caught.value).startswith("text.json: ")
    assert not clinic_folder.exists()


def test_an_invalid_definition_is_refused_and_nothing_is_installed(tmp_path: Path, clinic_folder: Path) -> None:
    document = own_instrument()
    document["items"][0]["options"][1]["value"] = 1.5
    with pytest.raises(DefinitionError, match=r"sleep\.json: items\[0\] \(item 1\)\.options\[1\]\.value"):
        install(write(tmp_path, "sleep.json", document))
    assert not clinic_folder.exists()


def test_an_installed_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    source = write(tmp_path, "sleep.json", own_instrument())
    install(source)
    with pytest.raises(DefinitionError, match=r"sleep3\.json is already installed; load it with --replace"):
        install(source)
    changed = own_instrument()
    changed["title"] = "Riverside sleep check, second edition"
    installed = install(write(tmp_path, "sleep.json", changed), replace=True)
    assert installed.replaced and instrument("sleep3").title == "Riverside sleep check, second edition"


def test_a_file_that_would_break_an_installed_extension_is_refused(tmp_path: Path) -> None:
    install(write(tmp_path, "sleep.json", own_instrument()))
    text = {
        "format": "commonground.instrument-text/1",
        "extends": "sleep3",
        "licence_note": "ours",
        "translations": {"de": {"source": "ours", "items": {"3": {"text": "Schlaf 3"}}}},
    }
    install(write(tmp_path, "sleep-de.json", text))
    shorter = own_instrument()
    shorter["items"] = shorter["items"][:2]
    shorter["scoring"]["range"] = [0, 6]
    shorter["bands"] = [
        {"id": "low", "label": "Low", "min": 0, "max": 2},
        {"id": "high", "label": "High", "min": 3, "max": 6},
    ]
    with pytest.raises(DefinitionError, match=r"sleep3\+sleep-de\.json: translations\.de\.items: '3' is not one of"):
        install(write(tmp_path, "sleep.json", shorter), replace=True)
    assert instrument("sleep3").title == "Riverside sleep check"


def test_a_broken_file_in_the_clinic_folder_fails_loudly(clinic_folder: Path) -> None:
    write(clinic_folder, "oops.json", {"format": "commonground.instrument/1", "id": "oops"})
    with pytest.raises(DefinitionError, match=r"oops\.json: missing field"):
        library()


def test_a_newly_installed_file_is_seen_at_once(tmp_path: Path) -> None:
    assert "sleep3" not in library()
    install(write(tmp_path, "sleep.json", own_instrument()))
    assert "sleep3" in library()
