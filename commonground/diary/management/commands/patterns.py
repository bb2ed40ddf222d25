"""`commonground patterns FILE.csv --outcome NAME [--min-days N] [--fdr Q]`: personal patterns in a diary export.

FILE is a tidy diary CSV (a `date` column, then one column per variable, an empty cell for missing; rows
with the same date are averaged). For the outcome, every other column is a factor, on the same day (lag 0)
and on the day before (lag 1). Prints a JSON list of the findings that pass (q-value at most Q, default 0.1,
Benjamini-Hochberg over that outcome's tests; at least N paired days, default 21), each {"factor", "outcome",
"lag", "n_days", "estimate", "ci_low", "ci_high", "q_value"}, most certain first; `[]` when none passes.
A file that cannot be read, an unknown outcome or a bad option exits non-zero with the reason on stderr.
Defined in docs/patterns.md.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.diary.csvfile import UnreadableDiary, read_csv
from commonground.diary.patterns import (
    DEFAULT_FDR,
    DEFAULT_MIN_DAYS,
    MIN_TEST_DAYS,
    InvalidPatternRequest,
    as_json,
    findings,
)


def days_option(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < MIN_TEST_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r} is below {MIN_TEST_DAYS}, the fewest days a test can rest on")
    return value


def rate_option(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0 and at most 1")
    return value


class Command(BaseCommand):
    help = "Personal patterns in a diary CSV: the findings that pass for one outcome, as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help="a tidy diary CSV: date, then one column per variable")
        parser.add_argument("--outcome", required=True, help="the column to explain, e.g. fatigue")
        parser.add_argument(
            "--min-days",
            type=days_option,
            default=DEFAULT_MIN_DAYS,
            help=f"the fewest paired days a finding rests on (at least {MIN_TEST_DAYS}; default {DEFAULT_MIN_DAYS})",
        )
        parser.add_argument(
            "--fdr",
            type=rate_option,
            default=DEFAULT_FDR,
            help=f"the false discovery rate Q, above 0 and at most 1 (default {DEFAULT_FDR})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        variables, days = read_diary(Path(options["file"]))
        outcome = options["outcome"]
        if outcome not in variables:
            available = ", ".join(variables) or "none"
            raise CommandError(f"unknown outcome {outcome!r}; the file's variables are: {available}")
        try:
            found = findings(days, [outcome], min_days=options["min_days"], fdr=options["fdr"])
        except InvalidPatternRequest as error:
            raise CommandError(error.reason) from None
        self.stdout.write(json.dumps([as_json(finding) for finding in found]))


def read_diary(path: Path) -> tuple[list[str], dict[date, dict[str, float | None]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a text file in UTF-8") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        return read_csv(text)
    except UnreadableDiary as error:
        raise CommandError(f"{path}: {error.reason}") from None
