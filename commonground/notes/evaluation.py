"""How well the note-language check does on a labelled set of sentences: precision and recall.

A labelled set is a tab-separated file with the header `id, label, category, hard_negative, sentence`:
`label` is `flag` (stigmatising or dismissive wording) or `ok`; `category` names the LanguageCategory of a
flagged sentence (empty for ok); `hard_negative` is 1 for an ok sentence that looks like a flagged one
("denies chest pain", "functional neurological disorder"), else 0.

A sentence counts as flagged when the check finds anything in it. Precision and recall are over sentences;
recall per category is over the flagged sentences of that category; whether the check also named the right
category (any of its findings in that sentence) is reported on its own, so a wrong category is visible but
does not count as a miss. Pure: no database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonground.notes.choices import LanguageCategory
from commonground.notes.language_check import Rule, check

HEADER = ("id", "label", "category", "hard_negative", "sentence")
LABELS = ("flag", "ok")
LABELLED_SET = Path(__file__).resolve().parent / "tests" / "labelled_sentences_en.tsv"
HELD_OUT_SET = Path(__file__).resolve().parent / "tests" / "heldout_sentences_en.tsv"
FRESH_SET = Path(__file__).resolve().parent / "tests" / "fresh_sentences_en.tsv"


class BadLabelledSet(ValueError):
    """The file is not a labelled set (the message names the line and the problem)."""


@dataclass(frozen=True)
class Labelled:
    id: str
    flagged: bool
    category: str
    hard_negative: bool
    sentence: str


@dataclass(frozen=True)
class Outcome:
    item: Labelled
    predicted: bool
    categories: tuple[str, ...]  # of the findings, in text order
    rule_keys: tuple[str, ...]

    @property
    def category_right(self) -> bool:
        return self.item.category in self.categories


@dataclass
class CategoryFigures:
    flagged: int = 0
    found: int = 0
    category_right: int = 0
    missed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "found": self.found,
            "recall": _ratio(self.found, self.flagged),
            "category_right": self.category_right,
            "missed": self.missed,
        }


@dataclass(frozen=True)
class Evaluation:
    outcomes: tuple[Outcome, ...]

    def _count(self, *, flagged: bool, predicted: bool) -> int:
        return sum(1 for o in self.outcomes if o.item.flagged is flagged and o.predicted is predicted)

    @property
    def true_positives(self) -> int:
        return self._count(flagged=True, predicted=True)

    @property
    def false_positives(self) -> int:
        return self._count(flagged=False, predicted=True)

    @property
    def false_negatives(self) -> int:
        return self._count(flagged=True, predicted=False)

    @property
    def true_negatives(self) -> int:
        return self._count(flagged=False, predicted=False)

    @property
    def precision(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    def by_category(self) -> dict[str, CategoryFigures]:
        figures = {category: CategoryFigures() for category in LanguageCategory.values}
        for outcome in self.outcomes:
            if not outcome.item.flagged:
                continue
            row = figures[outcome.item.category]
            row.flagged += 1
            if outcome.predicted:
                row.found += 1
                row.category_right += outcome.category_right
            else:
                row.missed.append(outcome.item.id)
        return figures

    def false_positive_ids(self) -> list[str]:
        return [o.item.id for o in self.outcomes if o.predicted and not o.item.flagged]

    def false_negative_ids(self) -> list[str]:
        return [o.item.id for o in self.outcomes if o.item.flagged and not o.predicted]

    def as_dict(self) -> dict[str, Any]:
        ok = [o for o in self.outcomes if not o.item.flagged]
        hard = [o for o in ok if o.item.hard_negative]
        found = [o for o in self.outcomes if o.item.flagged and o.predicted]
        return {
            "sentences": len(self.outcomes),
            "flagged": sum(1 for o in self.outcomes if o.item.flagged),
            "ok": len(ok),
            "hard_negatives": len(hard),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
            "precision": self.precision,
            "recall": self.recall,
            "category_right": sum(1 for o in found if o.category_right),
            "hard_negatives_flagged": sum(1 for o in hard if o.predicted),
            "by_category": {category: row.as_dict() for category, row in self.by_category().items()},
            "false_positive_ids": self.false_positive_ids(),
            "false_negative_ids": self.false_negative_ids(),
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def read_labelled_set(path: Path) -> list[Labelled]:
    """The sentences of a labelled set; BadLabelledSet if the file is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadLabelledSet(f"{path}: cannot read it ({error})") from None
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(cell.strip() for cell in rows[0]) != HEADER:
        raise BadLabelledSet(f"{path}: line 1 must be the header {' / '.join(HEADER)} (tab-separated)")
    items = [_labelled(row, number) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if not items:
        raise BadLabelledSet(f"{path}: no sentences")
    ids = [item.id for item in items]
    doubled = sorted({i for i in ids if ids.count(i) > 1})
    if doubled:
        raise BadLabelledSet(f"{path}: id(s) used twice: {', '.join(doubled)}")
    return items


def _labelled(row: Sequence[str], number: int) -> Labelled:
    if len(row) != len(HEADER):
        raise BadLabelledSet(f"line {number}: expected {len(HEADER)} tab-separated fields, found {len(row)}")
    ident, label, category, hard, sentence = (cell.strip() for cell in row)
    if not ident or not sentence:
        raise BadLabelledSet(f"line {number}: id and sentence are required")
    if label not in LABELS:
        raise BadLabelledSet(f"line {number}: label must be flag or ok, not {label!r}")
    if label == "flag" and category not in LanguageCategory.values:
        raise BadLabelledSet(
            f"line {number}: a flagged sentence needs a category ({', '.join(LanguageCategory.values)})"
        )
    if label == "ok" and category:
        raise BadLabelledSet(f"line {number}: an ok sentence has no category")
    if hard not in ("0", "1"):
        raise BadLabelledSet(f"line {number}: hard_negative must be 0 or 1")
    if hard == "1" and label == "flag":
        raise BadLabelledSet(f"line {number}: a hard negative is an ok sentence")
    return Labelled(ident, label == "flag", category, hard == "1", sentence)


def evaluate(items: Iterable[Labelled], rules: Iterable[Rule]) -> Evaluation:
    chosen = list(rules)
    outcomes = []
    for item in items:
        findings = check(item.sentence, chosen)
        outcomes.append(
            Outcome(
                item=item,
                predicted=bool(findings),
                categories=tuple(f.category for f in findings),
                rule_keys=tuple(f.rule_key for f in findings),
            )
        )
    return Evaluation(tuple(outcomes))
