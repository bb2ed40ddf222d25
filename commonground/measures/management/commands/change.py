"""`commonground change --pre X --post Y (--instrument ID | --sd S --reliability R) [--higher-is-better]`.

Prints `{"rci", "classification"}`: the Reliable Change Index (Jacobson & Truax) and one of
`reliable_improvement`, `no_reliable_change`, `reliable_deterioration` (|RCI| > 1.96). With `--instrument`
the SD and reliability come from the instrument's definition file, and so does the direction (CARE: higher is
better); `--higher-is-better` says so for figures given by hand. Invalid figures (SD <= 0, reliability >= 1),
or an instrument without reliable-change figures, exit non-zero with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.measures.change import InvalidFigures, classify, reliable_change_index
from commonground.measures.definitions import DefinitionError, UnknownInstrument, instrument


def number(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


class Command(BaseCommand):
    help = "Reliable Change Index between two scores, and its classification, as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pre", type=number, required=True, help="the earlier score")
        parser.add_argument("--post", type=number, required=True, help="the later score")
        parser.add_argument("--instrument", help="use this instrument's SD, reliability and direction")
        parser.add_argument("--sd", type=number, help="standard deviation (with --reliability)")
        parser.add_argument("--reliability", type=number, help="reliability coefficient r, below 1 (with --sd)")
        parser.add_argument(
            "--higher-is-better", action="store_true", help="higher scores are better (e.g. CARE): the sign flips"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sd, reliability, higher = self._figures(options)
        try:
            rci = reliable_change_index(options["pre"], options["post"], sd, reliability)
        except InvalidFigures as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps({"rci": rci, "classification": classify(rci, higher)}))

    def _figures(self, options: dict[str, Any]) -> tuple[Decimal, Decimal, bool]:
        by_hand = options["sd"] is not None or options["reliability"] is not None
        if options["instrument"] and by_hand:
            raise CommandError("give either --instrument, or --sd and --reliability, not both")
        if options["instrument"]:
            try:
                found = instrument(options["instrument"])
            except (UnknownInstrument, DefinitionError) as error:
                raise CommandError(str(error)) from None
            if found.reliable_change is None:
                raise CommandError(
                    f"{found.id} has no reliable-change figures in its definition; give --sd and --reliability"
                )
            if options["higher_is_better"] and not found.higher_is_better:
                raise CommandError(
                    f"{found.id}: lower scores are better; --higher-is-better contradicts its definition"
                )
            figures = found.reliable_change
            return figures.sd, figures.reliability, found.higher_is_better
        if options["sd"] is None or options["reliability"] is None:
            raise CommandError("give --instrument, or both --sd and --reliability")
        return options["sd"], options["reliability"], options["higher_is_better"]
