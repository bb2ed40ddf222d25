"""The note-language check measured on the labelled set written blind before the lexicon (issue 5 item 7):
precision ≥ 0.85 and recall ≥ 0.80, at least 30 % hard negatives; and the evaluation's own arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonground.notes.evaluation import (
    LABELLED_SET,
    BadLabelledSet,
    Labelled,
    evaluate,
    read_labelled_set,
)
from commonground.notes.language_check import builtin_rules, rule_from_dict

HEADER = "id\tlabel\tcategory\thard_negative\tsentence\n"


def test_the_labelled_set_is_the_committed_one_and_at_least_30_percent_hard_negatives() -> None:
    items = read_labelled_set(LABELLED_SET)
    assert len(items) >= 200
    assert sum(item.hard_negative for item in items) / len(items) >= 0.30


def test_the_check_reaches_the_targets_on_the_labelled_set() -> None:
    result = evaluate(read_labelled_set(LABELLED_SET), builtin_rules("en"))
    assert result.precision is not None and result.precision >= 0.85
    assert result.recall is not None and result.recall >= 0.80


def test_every_category_is_found_on_the_labelled_set() -> None:
    """Recall per category, so one category cannot hide behind the others."""
    figures = evaluate(read_labelled_set(LABELLED_SET), builtin_rules("en")).by_category()
    for category, row in figures.items():
        assert row.flagged > 0, category
        assert row.found / row.flagged >= 0.80, (category, row.missed)


def item(ident: str, flagged: bool, sentence: str, category: str = "credibility") -> Labelled:
    return Labelled(ident, flagged, category if flagged else "", not flagged, sentence)


def test_precision_recall_and_the_error_lists_are_counted_per_sentence() -> None:
    claims = rule_from_dict(
        {"key": "claims", "category": "credibility", "patterns": [r"\bclaims\b"], "why": "w.", "suggestion": "s."},
        language="en",
    )
    items = [
        item("a", True, "Claims the pain is 9/10. Claims it again."),  # two findings, one sentence: one hit
        item("b", True, "Insists the pain is 9/10."),  # missed
        item("c", False, "Claims handler called."),  # false positive
        item("d", False, "Denies chest pain."),
        item("e", True, "Claims to be allergic.", category="blame"),  # found, category wrong
    ]
    result = evaluate(items, [claims])
    assert (result.true_positives, result.false_positives, result.false_negatives, result.true_negatives) == (
        2,
        1,
        1,
        1,
    )
    assert result.precision == pytest.approx(2 / 3, abs=1e-4)
    assert result.recall == pytest.approx(2 / 3, abs=1e-4)
    assert result.false_positive_ids() == ["c"]
    assert result.false_negative_ids() == ["b"]
    figures = result.as_dict()
    assert figures["category_right"] == 1
    assert figures["by_category"]["credibility"] == {
        "flagged": 2,
        "found": 1,
        "recall": 0.5,
        "category_right": 1,
        "missed": ["b"],
    }
    assert figures["by_category"]["blame"]["category_right"] == 0
    assert figures["by_category"]["authority"]["recall"] is None  # nothing to find is not a perfect score


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "line 1 must be the header"),
        ("id,label,category,hard_negative,sentence\n", "line 1 must be the header"),
        (HEADER, "no sentences"),
        (HEADER + "x1\tflag\tcredibility\t0\n", "expected 5 tab-separated fields"),
        (HEADER + "x1\tmaybe\t\t0\tClaims.\n", "label must be flag or ok"),
        (HEADER + "x1\tflag\trude\t0\tClaims.\n", "needs a category"),
        (HEADER + "x1\tok\tblame\t1\tFine.\n", "an ok sentence has no category"),
        (HEADER + "x1\tok\t\tyes\tFine.\n", "hard_negative must be 0 or 1"),
        (HEADER + "x1\tflag\tblame\t1\tRefuses.\n", "a hard negative is an ok sentence"),
        (HEADER + "x1\tok\t\t0\tFine.\nx1\tok\t\t0\tAlso fine.\n", "used twice"),
        (HEADER + "\tok\t\t0\tFine.\n", "id and sentence are required"),
    ],
)
def test_a_file_that_is_not_a_labelled_set_is_refused_with_the_line(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "set.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(BadLabelledSet, match=reason):
        read_labelled_set(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadLabelledSet, match="cannot read it"):
        read_labelled_set(tmp_path / "nowhere.tsv")
