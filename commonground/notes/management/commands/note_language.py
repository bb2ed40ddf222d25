"""`commonground note_language evaluate [--set FILE] [--language en]`: how well the note-language check does.

Runs the built-in lexicon of the language over a labelled set (default: the set the lexicon was tuned on,
`commonground/notes/tests/labelled_sentences_en.tsv`) and prints one JSON object: sentences, counts, precision,
recall, per category recall and how often the category was right, hard negatives flagged, and the ids of the
false positives and false negatives. A file that is not a labelled set (see `notes.evaluation`) exits non-zero
with the reason on stderr. `--set heldout` names the held-out set written blind after the lexicon was tuned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.notes.evaluation import HELD_OUT_SET, LABELLED_SET, BadLabelledSet, evaluate, read_labelled_set
from commonground.notes.language_check import InvalidRule, builtin_rules

NAMED_SETS = {"tuning": LABELLED_SET, "heldout": HELD_OUT_SET}


class Command(BaseCommand):
    help = "Evaluate the note-language check on a labelled set of sentences and print the figures as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["evaluate"], help="evaluate: precision and recall on a labelled set")
        parser.add_argument(
            "--set",
            dest="labelled_set",
            default="tuning",
            help="a labelled set (TSV: id, label, category, hard_negative, sentence), or 'tuning' or 'heldout'",
        )
        parser.add_argument("--language", default="en", help="the built-in lexicon to use (default en)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = NAMED_SETS.get(options["labelled_set"]) or Path(options["labelled_set"])
        try:
            rules = builtin_rules(options["language"])
        except InvalidRule as error:
            raise CommandError(f"the built-in lexicon cannot be used: {error}") from None
        if not rules:
            raise CommandError(f"there is no built-in lexicon for language {options['language']!r}")
        try:
            items = read_labelled_set(path)
        except BadLabelledSet as error:
            raise CommandError(str(error)) from None
        figures = {"set": str(path), "language": options["language"], "rules": len(rules)}
        figures |= evaluate(items, rules).as_dict()
        self.stdout.write(json.dumps(figures, indent=2))
