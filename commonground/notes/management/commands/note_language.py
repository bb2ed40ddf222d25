"""`commonground note_language evaluate [--set FILE] [--language en]`: how well the note-language check does;
`commonground note_language counts --clinic SLUG [--since YYYY-MM-DD]`: a clinic's suggestions by category.

Runs the built-in lexicon of the language over a labelled set (default: the set the lexicon was tuned on,
`commonground/notes/tests/labelled_sentences_en.tsv`) and prints one JSON object: sentences, counts, precision,
recall, per category recall and how often the category was right, hard negatives flagged, and the ids of the
false positives and false negatives. A file that is not a labelled set (see `notes.evaluation`) exits non-zero
with the reason on stderr. `--set heldout` and `--set fresh` name the sets written blind (docs/note-language-check.md).

`counts` prints the programme metric: for each category, the suggestions raised, dismissed and resolved by an
edit in one clinic. Counts only; it never reads a note's text.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.accounts.models import Organisation
from commonground.notes.evaluation import (
    FRESH_SET,
    HELD_OUT_SET,
    LABELLED_SET,
    BadLabelledSet,
    evaluate,
    read_labelled_set,
)
from commonground.notes.language_check import InvalidRule, builtin_rules
from commonground.notes.selectors import category_counts

NAMED_SETS = {"tuning": LABELLED_SET, "heldout": HELD_OUT_SET, "fresh": FRESH_SET}


class Command(BaseCommand):
    help = "Evaluate the note-language check on a labelled set of sentences and print the figures as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["evaluate", "counts"],
            help="evaluate: precision and recall on a labelled set; counts: a clinic's suggestions by category",
        )
        parser.add_argument("--clinic", help="counts: the clinic's slug")
        parser.add_argument("--since", help="counts: only suggestions from this day (YYYY-MM-DD)")
        parser.add_argument(
            "--set",
            dest="labelled_set",
            default="tuning",
            help="a labelled set (TSV: id, label, category, hard_negative, sentence), or 'tuning' or 'heldout'",
        )
        parser.add_argument("--language", default="en", help="the built-in lexicon to use (default en)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "counts":
            self.stdout.write(json.dumps(self._counts(options["clinic"], options["since"]), indent=2))
            return
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

    @staticmethod
    def _counts(slug: str | None, since: str | None) -> dict[str, Any]:
        if not slug:
            raise CommandError("name the clinic: --clinic SLUG")
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"there is no clinic {slug!r}")
        start = None
        if since:
            try:
                start = datetime.combine(date.fromisoformat(since), time.min, ZoneInfo(organisation.time_zone))
            except ValueError:
                raise CommandError(f"--since: {since!r} is not a date (YYYY-MM-DD)") from None
        return {"clinic": slug, "since": since, "by_category": category_counts(organisation.id, since=start)}
