"""The note-language check, pure: find stigmatising or dismissive wording in a note (clinical.md section 12).

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    key: str
    language: str
    category: str  # a LanguageCategory value
    patterns: tuple[str, ...]  # regular expressions, matched case-insensitively
    unless: tuple[str, ...]  # a match inside the span of one of these in the same sentence is not a finding
    why: str
    suggestion: str


@dataclass(frozen=True)
class Finding:
    rule_key: str
    category: str
    start: int
    end: int
    phrase: str
    why: str
    suggestion: str


class InvalidRule(ValueError):
    """A lexicon entry that cannot be used (the message says why)."""


def rule_from_dict(data: dict, *, language: str) -> Rule:  # type: ignore[type-arg]
    raise NotImplementedError


def builtin_rules(language: str) -> tuple[Rule, ...]:
    """The shipped lexicon for `language` (empty when none is shipped), read once."""
    raise NotImplementedError


def check(text: str, rules: Iterable[Rule]) -> list[Finding]:
    """Every finding in `text`, in text order, overlapping findings of the same rule merged."""
    raise NotImplementedError
