"""FHIR token search (`code=`, `category=`), pure: which resources a token parameter keeps.

A token is `[system]|[code]` or a bare `code`; a comma between tokens means any of them (FHIR R4 search,
3.1.1.4.7 "token"): `system|code` matches a coding with that system and code, `|code` a coding with that
code and no system, a bare `code` a coding with that code in any system.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

MAX_TOKENS = 20  # a parameter naming more codes than this is refused: no search needs it


class InvalidToken(ValueError):
    """A token parameter that cannot be a search (empty between commas, or too many tokens)."""


def tokens(value: str) -> list[tuple[str | None, str]]:
    """(system, code) for each comma-separated token: system None for any system, "" for none."""
    found: list[tuple[str | None, str]] = []
    for token in value.split(","):
        system, bar, code = token.rpartition("|")
        if not code:
            raise InvalidToken(f"'{token}' names no code")
        found.append((system if bar else None, code))
    if len(found) > MAX_TOKENS:
        raise InvalidToken(f"at most {MAX_TOKENS} codes in one parameter")
    return found


def matches(concepts: Iterable[Any], wanted: list[tuple[str | None, str]]) -> bool:
    """True when a coding of any of the CodeableConcepts matches any of the tokens."""
    codings = [coding for concept in concepts if concept is not None for coding in concept.coding or []]
    return any(_coding_matches(coding, system, code) for coding in codings for system, code in wanted)


def _coding_matches(coding: Any, system: str | None, code: str) -> bool:
    if coding.code != code:
        return False
    return system is None or (coding.system or "") == system


def query_string(parameters: dict[str, str | None]) -> str:
    """The parameters a search used, for its Bundle's self link ('' when none)."""
    used = {name: value for name, value in parameters.items() if value}
    return urlencode(used, safe="/|,:") if used else ""
