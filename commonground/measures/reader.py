"""Typed, exact reading of JSON definition files, with errors that name the file and the field.

`read_json` parses decimals as `Decimal` (so 0.80 stays 0.80), refuses NaN and duplicate fields. `Reader`
checks each value's type and raises `DefinitionError("phq9.json: items[2] (item 3): ...")`. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import NoReturn, cast

from commonground.measures.datatypes import DefinitionError

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the field {key!r} appears twice")
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def read_json(name: str, text: str) -> dict[str, object]:
    """Parse JSON exactly: decimals as `Decimal`, duplicate fields and NaN refused."""
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except ValueError as error:
        raise DefinitionError(f"{name}: not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise DefinitionError(f"{name}: must be a JSON object")
    return cast("dict[str, object]", value)


def shown(value: object) -> str:
    """A value as JSON, for messages."""
    return json.dumps(float(value) if isinstance(value, Decimal) else value)


class Reader:
    """Typed access to parsed JSON; every error names the file (`name`) and the field (`where`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, message: str) -> NoReturn:
        raise DefinitionError(f"{self.name}: {where}: {message}" if where else f"{self.name}: {message}")

    def obj(
        self, where: str, value: object, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, object]:
        """An object with exactly these fields: every required one, any optional one, nothing else."""
        body = self.mapping(where, value)
        needed, allowed = set(required), set(required) | set(optional)
        for key in body:
            if key not in allowed:
                self.fail(where, f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(needed):
            if key not in body:
                self.fail(where, f"missing field {key!r}")
        return body

    def mapping(self, where: str, value: object, keys: Iterable[str] | None = None) -> dict[str, object]:
        """An object with free keys, or keys from `keys` only."""
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
        body = cast("dict[str, object]", value)
        if keys is not None:
            allowed = set(keys)
            for key in body:
                if key not in allowed:
                    self.fail(where, f"{key!r} is not one of {', '.join(sorted(allowed))}")
        return body

    def text(self, where: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "must be a non-empty string")
        return value

    def optional_text(self, where: str, value: object) -> str | None:
        return None if value is None else self.text(where, value)

    def choice(self, where: str, value: object, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in choices:
            self.fail(where, f"must be one of {', '.join(repr(c) for c in choices)}, got {shown(value)}")
        return value

    def identifier(self, where: str, value: object) -> str:
        text = self.text(where, value)
        if not IDENTIFIER.match(text):
            self.fail(where, f"{text!r} must be lower-case letters, digits and underscores, starting with a letter")
        return text

    def whole(self, where: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"must be a whole number, got {shown(value)}")
        return value

    def positive(self, where: str, value: object) -> int:
        number = self.whole(where, value)
        if number < 1:
            self.fail(where, "must be 1 or more")
        return number

    def number(self, where: str, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.fail(where, f"must be a number, got {shown(value)}")
        return Decimal(value)

    def boolean(self, where: str, value: object) -> bool:
        if not isinstance(value, bool):
            self.fail(where, "must be true or false")
        return value

    def array(self, where: str, value: object, *, empty_ok: bool = False) -> list[object]:
        if not isinstance(value, list):
            self.fail(where, "must be a list")
        if not value and not empty_ok:
            self.fail(where, "must not be empty")
        return cast("list[object]", value)

    def texts(self, where: str, value: object) -> tuple[str, ...]:
        entries = self.array(where, value, empty_ok=True)
        return tuple(self.text(f"{where}[{i}]", entry) for i, entry in enumerate(entries))

    def identifiers(self, where: str, value: object) -> tuple[str, ...]:
        entries = self.array(where, value)
        result = tuple(self.identifier(f"{where}[{i}]", entry) for i, entry in enumerate(entries))
        if len(set(result)) != len(result):
            self.fail(where, "an entry is listed twice")
        return result
