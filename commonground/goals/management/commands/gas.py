"""`commonground gas --levels JSON_ARRAY [--weights JSON_ARRAY] [--rho R]`: the goal attainment T-score.

Levels are one per goal, whole numbers from -2 to 2 (0 = the expected outcome); weights (optional, every goal
1 when left out) are one per goal and above 0; rho is at least 0 and below 1 (default 0.3). Prints
`{"t_score": T}` (Kiresuk-Sherman, clinical.md section 11) and exits 0. Invalid input (not a JSON array,
a level outside -2..2, weights of another length, a weight of 0, rho of 1, anything not a number) exits
non-zero with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.goals.gas import DEFAULT_RHO, InvalidGas, t_score


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def json_array(option: str, text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise CommandError(f"{option} must be a JSON array: {error}") from None
    if not isinstance(value, list):
        raise CommandError(f"{option} must be a JSON array, one entry per goal")
    return value


class Command(BaseCommand):
    help = "Goal attainment scaling: the T-score across goals, as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--levels", required=True, help="the level reached on each goal as a JSON array, e.g. [1, 0, -1]"
        )
        parser.add_argument("--weights", help="each goal's weight as a JSON array, e.g. [6, 2, 1] (default: all 1)")
        parser.add_argument(
            "--rho", type=number, default=DEFAULT_RHO, help="assumed correlation between goals, 0 to below 1"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        levels = json_array("--levels", options["levels"])
        weights = None if options["weights"] is None else json_array("--weights", options["weights"])
        try:
            result = t_score(levels, weights, options["rho"])
        except InvalidGas as error:
            raise CommandError(error.reason) from None
        self.stdout.write(json.dumps({"t_score": result}))
