"""`commonground note_language evaluate [--set FILE]`: JSON figures on stdout, exit 0; a bad file exits non-zero
with the reason on stderr."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground import cli


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("note_language", *args, stdout=out)
    figures: dict[str, object] = json.loads(out.getvalue())
    return figures


def test_evaluate_prints_the_figures_of_the_labelled_set() -> None:
    figures = run("evaluate")
    assert figures["sentences"] == 303
    assert isinstance(figures["precision"], float) and figures["precision"] >= 0.85
    assert isinstance(figures["recall"], float) and figures["recall"] >= 0.80
    assert set(figures["by_category"]) == {  # type: ignore[arg-type]
        "credibility",
        "difficult",
        "blame",
        "authority",
        "stereotyping",
        "dismissive",
    }
    assert {"false_positive_ids", "false_negative_ids", "hard_negatives", "hard_negatives_flagged"} <= set(figures)


def test_evaluate_takes_another_set(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    path.write_text(
        "id\tlabel\tcategory\thard_negative\tsentence\n"
        "m1\tflag\tblame\t0\tNon-compliant with physio.\n"
        "m2\tok\t\t1\tDenies chest pain.\n",
        encoding="utf-8",
    )
    figures = run("evaluate", "--set", str(path))
    assert (figures["sentences"], figures["precision"], figures["recall"]) == (2, 1.0, 1.0)


def test_evaluate_names_the_held_out_set() -> None:
    """The held-out set's figures are reported in docs/note-language-check.md, not asserted here."""
    figures = run("evaluate", "--set", "heldout")
    assert str(figures["set"]).endswith("heldout_sentences_en.tsv")
    assert isinstance(figures["sentences"], int) and figures["sentences"] > 0


def test_a_bad_file_or_language_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("not a labelled set\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1 must be the header"):
        run("evaluate", "--set", str(path))
    with pytest.raises(CommandError, match="no built-in lexicon"):
        run("evaluate", "--language", "xx")


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The `commonground` entry point in this process: exit code, stdout, stderr."""
    try:
        cli.main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_console_command_exits_zero_with_json_and_non_zero_on_a_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = main(capsys, "note_language", "evaluate")
    assert code == 0 and json.loads(out)["sentences"] == 303
    code, out, err = main(capsys, "note_language", "evaluate", "--set", str(tmp_path / "missing.tsv"))
    assert code != 0 and out == "" and "cannot read it" in err


@pytest.mark.django_db
def test_counts_prints_a_clinics_suggestions_by_category_and_no_text(clinic, patient_record, therapist) -> None:
    from commonground.notes import services

    services.write_note(patient_record, kind="session", text="Claims the pain is worse. Non-compliant.", by=therapist)
    figures = run("counts", "--clinic", clinic.slug)
    by_category = figures["by_category"]
    assert isinstance(by_category, dict)
    assert by_category["credibility"] == {"raised": 1, "dismissed": 0, "resolved": 0}
    assert by_category["blame"]["raised"] == 1
    assert "Claims" not in json.dumps(figures)
    assert run("counts", "--clinic", clinic.slug, "--since", "2999-01-01")["by_category"]["blame"]["raised"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("args", [("counts",), ("counts", "--clinic", "nowhere"), ("counts", "--since", "soon")])
def test_counts_says_what_is_wrong(args: tuple[str, ...], clinic) -> None:
    extra = ("--clinic", clinic.slug) if args == ("counts", "--since", "soon") else ()
    with pytest.raises(CommandError):
        run(*args, *extra)
