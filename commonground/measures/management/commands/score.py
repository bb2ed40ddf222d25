"""`commonground score INSTRUMENT --items JSON_ARRAY [--sex female|male]`: score one response, print JSON.

Items are the instrument's SCORED items in published order: a value, `null` for unanswered, or
`"not_applicable"` where the item allows it. Prints one JSON object
`{"instrument", "scorable", "total", "total_unrounded", "band", "flags": [...], "reason"}` and exits 0, also
when the response is not scorable (then `reason` says why). Invalid input (a value the item does not allow,
the wrong number of items, not applicable where it is not allowed, an unknown instrument) exits non-zero
with the reason on stderr. A battery (phq_sads) takes the answers of its parts one after another (PHQ-15,
GAD-7, PHQ-9: 31) and prints `{"instrument", "parts": {...}, "composites": {...}}`.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.measures.definitions import DefinitionError, UnknownInstrument, battery_parts, instrument
from commonground.measures.scoring import InvalidResponse, score, score_battery


class Command(BaseCommand):
    help = "Score one response to an instrument and print the result as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument", help="instrument id, e.g. phq9 (see `commonground instruments list`)")
        parser.add_argument(
            "--items",
            required=True,
            help='the scored items in published order as a JSON array, e.g. [1, 0, null, "not_applicable"]',
        )
        parser.add_argument("--sex", choices=["female", "male"], help="the patient's recorded sex")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = instrument(options["instrument"])
        except (UnknownInstrument, DefinitionError) as error:
            raise CommandError(str(error)) from None
        try:
            answers = json.loads(options["items"])
        except ValueError as error:
            raise CommandError(f"--items must be a JSON array: {error}") from None
        if not isinstance(answers, list):
            raise CommandError("--items must be a JSON array, one entry per scored item")
        try:
            if found.is_battery:
                result = score_battery(found, battery_parts(found), answers, sex=options["sex"]).as_dict()
            else:
                result = score(found, answers, sex=options["sex"]).as_dict()
        except InvalidResponse as error:
            raise CommandError(error.reason) from None
        self.stdout.write(json.dumps(result))
