"""FHIR token search (`code=`, `category=`), pure: which resources a token parameter keeps.

A token is `[system]|[code]` or a bare `code`; a comma between tokens means any of them (FHIR R4 search,
3.1.1.4.7 "token"): `system|code` matches a coding with that system and code, `|code` a coding with that
code and no system, `system|` any code of that system, a bare `code` a coding with that code in any system.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

MAX_TOKENS = 20  # a parameter naming more codes than this is refused: no search needs it


class InvalidToken(ValueError):
    """A token parameter that cannot be a search (empty between commas, or too many tokens)."""


Token = tuple[str | None, str | None]  # (system: None for any, "" for none; code: None for any)


def tokens(value: str) -> list[Token]:
    """(system, code) for each comma-separated token."""
    found: list[Token] = []
    for token in value.split(","):
        system, bar, code = token.rpartition("|")
        if not code and not (bar and system):
            raise InvalidToken(f"'{token}' names no code")
        found.append((system if bar else None, code or None))
    if len(found) > MAX_TOKENS:
        raise InvalidToken(f"at most {MAX_TOKENS} codes in one parameter")
    return found


def matches(concepts: Iterable[Any], wanted: list[Token]) -> bool:
    """True when a coding of any of the CodeableConcepts matches any of the tokens."""
    codings = [coding for concept in concepts if concept is not None for coding in concept.coding or []]
    return any(_coding_matches(coding, system, code) for coding in codings for system, code in wanted)


def _coding_matches(coding: Any, system: str | None, code: str | None) -> bool:
    if code is not None and coding.code != code:
        return False
    return system is None or (coding.system or "") == system


def query_string(parameters: dict[str, str | None]) -> str:
    """The parameters a search used, for its Bundle's self link ('' when none)."""
    used = {name: value for name, value in parameters.items() if value}
    return urlencode(used, safe="/|,:") if used else ""
