"""The tidy diary CSV, pure (issue 6, item 8; docs/patterns.md): a `date` column (YYYY-MM-DD), then one column
per variable, one row per date, an empty cell where a value is missing.

CONTRACT: `write_csv(rows, variables) -> str` and `read_csv(text) -> (variables, days)`, raising
`UnreadableDiary(reason)` on anything it cannot read with certainty (no header, no `date` column, a column
named twice, a bad date or a cell that is not a number, with its line and column). Several rows with the same
date are extra check-ins and are averaged, as in the diary itself.

Spreadsheets treat a cell starting with `=`, `+`, `-` or `@` as a formula (CSV injection). The cells written
here are dates and numbers only, which a spreadsheet reads as values; a variable name that could be read as a
formula is refused rather than written.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date

from commonground.diary.patterns import one_row_per_day

DATE_COLUMN = "date"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class UnreadableDiary(ValueError):
    """The text is not a tidy diary CSV; the message says why, and where."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def write_csv(rows: Mapping[date, Mapping[str, float | None]], variables: Sequence[str]) -> str:
    """The CSV text: the header `date` and the variables in the order given, then one line per date, oldest
    first. Whole numbers are written without a decimal point; a missing value is an empty cell. Raises
    ValueError for a variable name that is empty, `date`, given twice or could be read as a formula, and for a
    value that is not a finite number."""
    _check_names(variables)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([DATE_COLUMN, *variables])
    for on in sorted(rows):
        values = rows[on]
        writer.writerow([on.isoformat(), *(number_text(values.get(name)) for name in variables)])
    return out.getvalue()


def number_text(value: float | None) -> str:
    """A value as a cell: "" for missing, "7" for 7.0, the shortest exact form otherwise ("6.5", "0.1")."""
    if value is None:
        return ""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return str(int(number)) if number.is_integer() else repr(number)


def read_csv(text: str) -> tuple[list[str], dict[date, dict[str, float | None]]]:
    """The variables (in the header's order, without `date`) and the days (one row per date, extra check-ins
    averaged). Raises UnreadableDiary with the reason."""
    if text.startswith("\ufeff"):  # the byte-order mark some spreadsheets write
        text = text[1:]
    if not text.strip():
        raise UnreadableDiary("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        columns = _columns(header)
        date_at = columns.index(DATE_COLUMN)
        variables = [name for name in columns if name != DATE_COLUMN]
        checkins = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            checkins.append(_row(cells, reader.line_num, columns, date_at))
    except csv.Error as error:
        raise UnreadableDiary(f"line {reader.line_num}: {error}") from None
    return variables, one_row_per_day(checkins)


def _check_names(variables: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in variables:
        if not name.strip():
            raise ValueError("a variable has no name")
        if name == DATE_COLUMN:
            raise ValueError(f"a variable cannot be called {DATE_COLUMN!r}")
        if name in seen:
            raise ValueError(f"the variable {name!r} is given twice")
        if name.startswith(FORMULA_STARTS):
            raise ValueError(f"the variable name {name!r} could be read as a formula by a spreadsheet")
        seen.add(name)


def _columns(header: list[str]) -> list[str]:
    columns = [cell.strip() for cell in header]
    if not any(columns):
        raise UnreadableDiary("the first line must be the header: date, then one column per variable")
    if DATE.fullmatch(columns[0]):
        raise UnreadableDiary("there is no header: the first line must name the columns, starting with date")
    for number, name in enumerate(columns, start=1):
        if not name:
            raise UnreadableDiary(f"column {number} of the header has no name")
    named_twice = sorted({name for name in columns if columns.count(name) > 1})
    if named_twice:
        raise UnreadableDiary(f"columns named more than once: {', '.join(named_twice)}")
    if DATE_COLUMN not in columns:
        raise UnreadableDiary(f"there is no {DATE_COLUMN!r} column in the header (found: {', '.join(columns)})")
    return columns


def _row(cells: list[str], line: int, columns: list[str], date_at: int) -> tuple[date, dict[str, float | None]]:
    if len(cells) != len(columns):
        raise UnreadableDiary(f"line {line} has {len(cells)} cells; the header has {len(columns)}")
    on = _date(cells[date_at].strip(), line)
    values = {
        name: _number(cell.strip(), line, name)
        for number, (name, cell) in enumerate(zip(columns, cells, strict=True))
        if number != date_at
    }
    return on, values


def _date(text: str, line: int) -> date:
    if DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise UnreadableDiary(f"line {line}: {text!r} is not a date (YYYY-MM-DD)")


def _number(text: str, line: int, column: str) -> float | None:
    if not text:
        return None
    if NUMBER.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    raise UnreadableDiary(f"line {line}, column {column!r}: {text!r} is not a number")
