"""The analyst command line: `commonground score`, `change` and `instruments` (issue 4 item 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground import cli

SCORE_KEYS = ["instrument", "scorable", "total", "total_unrounded", "band", "flags", "reason"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def commonground(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console command in a child process, for exit codes and stderr."""
    return subprocess.run(  # noqa: S603 (our own executable, fixed arguments)
        [sys.executable, "-m", "commonground.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COMMONGROUND_ENV": "test"},
        check=False,
    )


def test_score_prints_one_json_object_with_the_contracts_keys() -> None:
    """Issue 4 item 10: {"instrument", "scorable", "total", "total_unrounded", "band", "flags", "reason"}."""
    result = json.loads(run("score", "phq9", "--items", "[2, 2, 2, 2, 2, 1, 1, 1, 1]"))
    assert list(result) == SCORE_KEYS
    assert result == {
        "instrument": "phq9",
        "scorable": True,
        "total": 14,
        "total_unrounded": 14,
        "band": "moderate",
        "flags": ["item9_positive", "major_depressive_syndrome"],
        "reason": None,
    }


def test_score_reports_an_unscorable_response_with_its_reason() -> None:
    """Issue 4 item 10: exits 0 also when the response is not scorable; then `reason` says why."""
    result = json.loads(run("score", "sss8", "--items", "[1, 1, 1, 1, 1, 1, 1, null]"))
    assert (result["scorable"], result["total"], result["band"]) == (False, None, None)
    assert "Item 8 was not answered" in result["reason"]


def test_score_takes_not_applicable_and_the_patients_sex() -> None:
    """Section 13 item 1 through the command line: item 4 and --sex male; WSAS exact totals."""
    items = json.dumps([1, 1, 1, None, *[1] * 11])
    assert json.loads(run("score", "phq15", "--items", items, "--sex", "male"))["total"] == 14
    assert json.loads(run("score", "phq15", "--items", items, "--sex", "female"))["total"] == 15
    wsas = json.loads(run("score", "wsas", "--items", '["not_applicable", 5, 4, 4, 4]'))
    assert (wsas["total"], wsas["total_unrounded"], wsas["band"]) == (21.25, 21.25, "moderately_severe_or_worse")


def test_score_of_a_battery_prints_each_part_and_the_composite() -> None:
    result = json.loads(run("score", "phq_sads", "--items", json.dumps([0] * 15 + [1] * 7 + [2] * 9)))
    assert result["parts"]["gad7"]["total"] == 7 and result["parts"]["phq9"]["band"] == "moderately_severe"
    assert result["composites"]["phq_ads"]["total"] == 25


@pytest.mark.parametrize(
    ("instrument_id", "items", "message"),
    [
        ("phq9", "[0, 0, 0, 0, 0, 0, 0, 0, 4]", "4 is not a value this item allows"),
        ("phq9", "[0, 0, 0]", "needs 9 answers"),
        ("phq9", '["not_applicable", 0, 0, 0, 0, 0, 0, 0, 0]', "cannot be marked not applicable"),
        ("phq9", "{}", "must be a JSON array"),
        ("phq9", "[0, 0", "must be a JSON array"),
        ("phq10", "[]", "unknown instrument 'phq10'"),
    ],
)
def test_score_refuses_invalid_input_with_the_reason(instrument_id: str, items: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("score", instrument_id, "--items", items)


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The `commonground` entry point in this process: exit code, stdout, stderr."""
    try:
        cli.main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_console_command_exits_zero_with_json_and_non_zero_with_the_reason_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 4 item 10: exit 0 with one JSON object; invalid input exits non-zero with the reason on stderr."""
    code, out, _ = main(capsys, "score", "gad7", "--items", "[1, 1, 1, 1, 1, 1, null]")
    assert code == 0
    assert json.loads(out) == {
        "instrument": "gad7",
        "scorable": True,
        "total": 7,
        "total_unrounded": 7,
        "band": "mild",
        "flags": [],
        "reason": None,
    }
    code, out, err = main(capsys, "score", "gad7", "--items", "[1, 1, 1, 1, 1, 1, 9]")
    assert code != 0 and out == ""
    assert "item 7 (Afraid something awful might happen): 9 is not a value this item allows" in err
    code, _, err = main(capsys, "score", "gad7")
    assert code != 0 and "--items" in err


def test_the_change_console_command_prints_rci_and_classification(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = main(capsys, "change", "--pre", "20", "--post", "15", "--sd", "4", "--reliability", "0.8")
    assert code == 0
    assert json.loads(out) == {"rci": pytest.approx(-1.9764235376052372), "classification": "reliable_improvement"}
    code, out, err = main(capsys, "change", "--pre", "20", "--post", "15", "--sd", "4", "--reliability", "1")
    assert code != 0 and out == "" and "reliability must be below 1" in err
    code, _, err = main(capsys, "change", "--pre", "twenty", "--post", "15", "--sd", "4", "--reliability", "0.8")
    assert code != 0 and "'twenty' is not a number" in err


def test_the_installed_console_command_runs_in_its_own_process() -> None:
    """The real `commonground` executable: the reason on stderr and a non-zero exit code."""
    bad = commonground("score", "phq9", "--items", '[0, 0, 0, 0, 0, 0, 0, 0, "not_applicable"]')
    assert bad.returncode != 0 and bad.stdout == ""
    assert "PHQ-9 item 9 (Thoughts of death or self-harm): cannot be marked not applicable" in bad.stderr


def test_change_with_an_instrument_uses_its_figures_and_direction() -> None:
    """Section 13 item 11: the figures come from the instrument's data file."""
    result = json.loads(run("change", "--pre", "15", "--post", "9", "--instrument", "phq9"))
    assert list(result) == ["rci", "classification"]
    assert result["rci"] == pytest.approx(-2.3258, abs=1e-4) and result["classification"] == "reliable_improvement"
    assert json.loads(run("change", "--pre", "12", "--post", "9", "--instrument", "gad7"))["classification"] == (
        "no_reliable_change"
    )


def test_change_flips_the_sign_for_higher_is_better() -> None:
    """Section 13 item 11: for higher-is-better scales (CARE) a rise is an improvement."""
    up = json.loads(
        run("change", "--pre", "30", "--post", "45", "--sd", "5", "--reliability", "0.8", "--higher-is-better")
    )
    assert up["classification"] == "reliable_improvement" and up["rci"] > 1.96
    down = json.loads(run("change", "--pre", "30", "--post", "45", "--sd", "5", "--reliability", "0.8"))
    assert down["classification"] == "reliable_deterioration"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--instrument", "peg"], "peg has no reliable-change figures"),
        (["--instrument", "phq9", "--sd", "4"], "either --instrument, or --sd and --reliability"),
        (["--sd", "4"], "both --sd and --reliability"),
        (["--sd", "0", "--reliability", "0.8"], "SD must be above 0"),
        (["--instrument", "phq9", "--higher-is-better"], "lower scores are better"),
        (["--instrument", "nope"], "unknown instrument 'nope'"),
    ],
)
def test_change_refuses_what_cannot_give_an_rci(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("change", "--pre", "10", "--post", "5", *args)


def test_instruments_list_and_show() -> None:
    listing = json.loads(run("instruments", "list", "--json"))
    assert [row["id"] for row in listing] == [
        "care",
        "gad7",
        "peg",
        "phq15",
        "phq9",
        "phq_sads",
        "sss8",
        "whiteley7",
        "wsas",
    ]
    assert {row["id"]: row["text"] for row in listing}["wsas"] == "labels_only"
    assert "phq15" in run("instruments", "list")
    shown = run("instruments", "show", "phq9")
    assert "critical item 9: item9_positive at 1 or more" in shown and "44261-6" in shown and "ASSUMED" in shown
    assert "above 20 to 40" in run("instruments", "show", "wsas")
    with pytest.raises(CommandError, match="unknown instrument"):
        run("instruments", "show", "nope")


def test_instruments_load_installs_a_valid_file_and_refuses_an_invalid_one(tmp_path: Path, clinic_folder: Path) -> None:
    text = {
        "format": "commonground.instrument-text/1",
        "extends": "care",
        "licence_note": "Official form used under the CARE terms (test).",
        "items": {str(n): {"text": f"Official CARE wording {n}"} for n in range(1, 11)},
    }
    source = tmp_path / "care-official.json"
    source.write_text(json.dumps(text), encoding="utf-8")
    output = run("instruments", "load", str(source))
    assert "installed text extension for care (CARE)" in output and "item text: full" in output
    assert (clinic_folder / "care+care-official.json").exists()
    with pytest.raises(CommandError, match="already installed; load it with --replace"):
        run("instruments", "load", str(source))
    assert "replaced" in run("instruments", "load", str(source), "--replace")
    text["items"]["1"] = {"text": "x", "options": {"0": "zero"}}
    source.write_text(json.dumps(text), encoding="utf-8")
    with pytest.raises(CommandError, match=r"care-official\.json: items\.1\.options: '0' is not one of 1, 2, 3, 4, 5"):
        run("instruments", "load", str(source), "--replace")
