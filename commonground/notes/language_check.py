"""The note-language check, pure: find stigmatising or dismissive wording in a note (clinical.md section 12).

A rule is a few regular expressions (matched case-insensitively, one sentence at a time) with `unless`
patterns: a match that lies inside a match of an `unless` pattern in the same sentence is legitimate and not a
finding ("refuses" inside "refuses ... capacity assessed", "supratentorial" inside "no supratentorial or
infratentorial abnormality"). An `unless` pattern may end in `.*` or start with `.*` to cover the rest of the
sentence after, or before, its cue ("was told ... .*": someone else's words, reported). The check only
advises; it never changes the text.

A clinic may add its own patterns, so no pattern can be trusted to be quick: every pattern runs on the `regex`
engine with a time limit per sentence (a pattern that runs out of time is skipped for that sentence, and its
key, never the text, is logged), and a sentence longer than `MAX_SENTENCE` characters is checked in pieces
cut at white space. A note is always saved whatever the check does (decision 0014).

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import regex

from commonground.notes.choices import LanguageCategory

logger = logging.getLogger(__name__)

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

RULE_FIELDS = frozenset({"key", "category", "patterns", "unless", "why", "suggestion"})
MAX_PATTERNS = 40
MAX_PATTERN_LENGTH = 400
MATCH_SECONDS = 0.05  # the time one pattern may take on one sentence
MAX_SENTENCE = 1000  # characters checked at a time; longer sentences are cut at white space
CHECK_SECONDS = 2.0  # the most one note's check may take
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
# A group that holds a quantifier, itself repeated without bound, e.g. (\w+)+ : the shape of catastrophic
# backtracking. A bounded repeat such as (\s\w+){0,3} is fine.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}?]\)(?:[+*]|\{\d*,\})")
# A sentence ends at . ! or ? (and any closing quote or bracket) before white space and a capital, a digit or
# an opening quote (not after a title such as "Dr."); and at every line break. "pt v. demanding" stays one.
_ABBREVIATIONS = frozenset({"dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "vs.", "approx.", "e.g.", "i.e.", "cf."})
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\s*\n\s*")


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


# --- rules ------------------------------------------------------------------------------------------------


def rule_from_dict(data: dict[str, Any], *, language: str) -> Rule:
    """A rule from a lexicon entry, every pattern compiled once to prove it works; InvalidRule says why not."""
    if not isinstance(data, dict):
        raise InvalidRule("a rule must be an object with key, category, patterns, why and suggestion")
    unknown = sorted(set(data) - RULE_FIELDS)
    if unknown:
        raise InvalidRule(f"unknown field(s): {', '.join(unknown)}")
    key = _text(data, "key")
    if not _KEY.match(key):
        raise InvalidRule(f"key {key!r}: use lower-case letters, digits, '-' or '_' (at most 60)")
    category = _text(data, "category")
    if category not in LanguageCategory.values:
        raise InvalidRule(f"rule {key}: category must be one of {', '.join(LanguageCategory.values)}")
    patterns = _patterns(data.get("patterns"), f"rule {key}: patterns", required=True)
    unless = _patterns(data.get("unless", []), f"rule {key}: unless", required=False)
    return Rule(
        key=key,
        language=language,
        category=category,
        patterns=patterns,
        unless=unless,
        why=_text(data, "why", key),
        suggestion=_text(data, "suggestion", key),
    )


def _text(data: dict[str, Any], field: str, key: str = "") -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        where = f"rule {key}: " if key else ""
        raise InvalidRule(f"{where}{field} must be a non-empty text")
    return value.strip()


def _patterns(value: Any, where: str, *, required: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRule(f"{where} must be a list of regular expressions")
    if required and not value:
        raise InvalidRule(f"{where}: give at least one pattern")
    if len(value) > MAX_PATTERNS:
        raise InvalidRule(f"{where}: at most {MAX_PATTERNS} patterns")
    for pattern in value:
        _check_pattern(pattern, where)
    return tuple(value)


def _check_pattern(pattern: str, where: str) -> None:
    if not pattern.strip():
        raise InvalidRule(f"{where}: a pattern is empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidRule(f"{where}: a pattern is longer than {MAX_PATTERN_LENGTH} characters")
    if _NESTED_QUANTIFIER.search(pattern):
        raise InvalidRule(f"{where}: {pattern!r} repeats a group that repeats itself, which can hang the check")
    try:
        compiled = _compiled(pattern)
    except (re.error, regex.error) as error:
        raise InvalidRule(f"{where}: {pattern!r} is not a valid regular expression ({error})") from None
    if compiled.search("") is not None:
        raise InvalidRule(f"{where}: {pattern!r} matches empty text, so it would match everywhere")


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Any:
    return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)


@cache
def builtin_rules(language: str) -> tuple[Rule, ...]:
    """The shipped lexicon for `language` (empty when none is shipped), read once."""
    if not _LANGUAGE.match(language):
        return ()
    path = LEXICON_DIR / f"{language}.json"
    if not path.is_file():
        return ()
    return rules_from_file(path, language=language)


def rules_from_file(path: Path, *, language: str) -> tuple[Rule, ...]:
    """Every rule of a lexicon file `{"rules": [...]}`; InvalidRule names the first entry that cannot be used."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InvalidRule(f"{path.name}: expected an object with a list of rules")
    rules = tuple(rule_from_dict(entry, language=language) for entry in entries)
    keys = [rule.key for rule in rules]
    doubled = sorted({key for key in keys if keys.count(key) > 1})
    if doubled:
        raise InvalidRule(f"{path.name}: key(s) used twice: {', '.join(doubled)}")
    return rules


# --- the check --------------------------------------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, in order; the spans cover the text but the breaks between."""
    spans: list[tuple[int, int]] = []
    start = 0
    for found in _SENTENCE_BREAK.finditer(text):
        if "\n" not in found.group() and _ends_in_abbreviation(text[start : found.start()]):
            continue
        if found.start() > start:
            spans.append((start, found.start()))
        start = found.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _ends_in_abbreviation(text: str) -> bool:
    words = text.rsplit(None, 1)
    return bool(words) and words[-1].lower().lstrip("(") in _ABBREVIATIONS


def check(text: str, rules: Iterable[Rule], *, budget_seconds: float = CHECK_SECONDS) -> list[Finding]:
    """Every finding in `text`, in text order, overlapping findings of the same rule merged.

    A rule that runs out of time once is left out for the rest of the note; past `budget_seconds` in all,
    the check stops with what it found so far (and logs that it did), so saving a note never waits long."""
    chosen = list(rules)
    findings: list[Finding] = []
    slow: set[str] = set()
    deadline = time.monotonic() + budget_seconds
    for start, end in sentence_spans(text):
        for piece_start, piece_end in _pieces(text, start, end):
            sentence = text[piece_start:piece_end]
            for rule in chosen:
                if rule.key in slow:
                    continue
                if time.monotonic() > deadline:
                    logger.warning(
                        "note-language check stopped after %.1f s; the rest of the note is unchecked", budget_seconds
                    )
                    return _merged(findings)
                found = _in_sentence(text, sentence, piece_start, rule)
                if found is None:
                    slow.add(rule.key)
                    continue
                findings.extend(found)
    return _merged(findings)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence, or a long one cut at white space into pieces of at most MAX_SENTENCE characters."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _spans(rule: Rule, patterns: tuple[str, ...], sentence: str) -> list[tuple[int, int]] | None:
    """Where the patterns match in the sentence; None when one ran out of time (the rule is then left out)."""
    found: list[tuple[int, int]] = []
    try:
        for pattern in patterns:
            found.extend(match.span() for match in _compiled(pattern).finditer(sentence, timeout=MATCH_SECONDS))
    except TimeoutError:
        logger.warning("note-language rule %r ran out of time and is left out of this check", rule.key)
        return None
    return found


def _in_sentence(text: str, sentence: str, offset: int, rule: Rule) -> list[Finding] | None:
    """The rule's findings in one sentence; None when it ran out of time (say nothing rather than something
    wrong)."""
    matched = _spans(rule, rule.patterns, sentence)
    if matched is None:
        return None
    spans = [(begin, finish) for begin, finish in matched if finish > begin]
    if not spans:
        return []
    allowed = _spans(rule, rule.unless, sentence)
    if allowed is None:
        return None
    return [
        _finding(text, rule, offset + begin, offset + finish)
        for begin, finish in spans
        if not any(a_start <= begin and finish <= a_end for a_start, a_end in allowed)
    ]


def _finding(text: str, rule: Rule, start: int, end: int) -> Finding:
    return Finding(
        rule_key=rule.key,
        category=rule.category,
        start=start,
        end=end,
        phrase=text[start:end],
        why=rule.why,
        suggestion=rule.suggestion,
    )


def _merged(findings: list[Finding]) -> list[Finding]:
    """Text order; a finding overlapping an earlier one of the same rule widens it instead of repeating it."""
    merged: list[Finding] = []
    last_of_rule: dict[str, int] = {}
    for found in sorted(findings, key=lambda f: (f.start, -f.end, f.rule_key)):
        index = last_of_rule.get(found.rule_key)
        if index is not None and found.start < merged[index].end:
            earlier = merged[index]
            if found.end > earlier.end:
                merged[index] = _finding_span(earlier, earlier.start, found.end, found)
            continue
        last_of_rule[found.rule_key] = len(merged)
        merged.append(found)
    return merged


def _finding_span(earlier: Finding, start: int, end: int, later: Finding) -> Finding:
    phrase = earlier.phrase + later.phrase[earlier.end - later.start :]
    return Finding(
        rule_key=earlier.rule_key,
        category=earlier.category,
        start=start,
        end=end,
        phrase=phrase,
        why=earlier.why,
        suggestion=earlier.suggestion,
    )
