"""Reads of the notes domain. Callers have opened the patient through the access gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from commonground.kit.models import RecordStatus
from commonground.notes.choices import LanguageCategory
from commonground.notes.language_check import InvalidRule, Rule, builtin_rules, rule_from_dict
from commonground.notes.models import LanguageSuggestion, LexiconEntry, Note
from commonground.patients.models import Patient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShownSuggestion:
    """A suggestion as a page shows it: the phrase is read from the note's current text at start:end."""

    id: UUID
    phrase: str
    category: str
    category_label: str
    why: str
    suggestion: str
    dismissed: bool
    start: int | None = None  # where the phrase starts in the note's text, so a page marks it exactly


def notes_of(patient: Patient, *, kind: str | None = None) -> QuerySet[Note]:
    """Current notes, newest first, with the author joined."""
    found = Note.objects.current().filter(patient=patient).select_related("author")
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-written_at", "-created_at")


def note_of(patient: Patient, note_id: UUID | str) -> Note | None:
    key = _uuid(note_id)
    if key is None:
        return None
    return Note.objects.current().filter(patient=patient, pk=key).select_related("author", "patient").first()


def suggestion_of(note: Note, suggestion_id: UUID | str) -> LanguageSuggestion | None:
    key = _uuid(suggestion_id)
    if key is None:
        return None
    return note.suggestions.filter(pk=key).first()


def open_suggestions(note: Note) -> list[ShownSuggestion]:
    """The current suggestions on the note's latest wording, not dismissed, in text order."""
    return _shown(note, note.suggestions.filter(dismissed_at__isnull=True))


def open_suggestions_of(notes: list[Note]) -> dict[UUID, list[ShownSuggestion]]:
    """`open_suggestions` for a page of notes: one query for the suggestions, each clinic's lexicon read once."""
    versions = {note.id: note.version for note in notes}
    rows = LanguageSuggestion.objects.filter(
        note_id__in=list(versions), current=True, dismissed_at__isnull=True
    ).order_by("start", "end", "rule_key")
    by_note: dict[UUID, list[LanguageSuggestion]] = {note.id: [] for note in notes}
    for row in rows:
        if versions[row.note_id] == row.note_version:
            by_note[row.note_id].append(row)
    lexicons: dict[tuple[Any, str], dict[str, Rule]] = {}
    shown: dict[UUID, list[ShownSuggestion]] = {}
    for note in notes:
        found = by_note[note.id]
        if found and (note.organisation_id, note.language) not in lexicons:
            rules = rules_for(note.organisation_id, note.language)
            lexicons[(note.organisation_id, note.language)] = {rule.key: rule for rule in rules}
        lexicon = lexicons.get((note.organisation_id, note.language), {})
        shown[note.id] = [_one(note, row, lexicon.get(row.rule_key)) for row in found]
    return shown


def suggestions_shown(note: Note) -> list[ShownSuggestion]:
    """Every current suggestion, dismissed ones included (marked), in text order."""
    return _shown(note, note.suggestions.all())


def category_counts(organisation_id: Any, *, since: datetime | None = None) -> dict[str, dict[str, int]]:
    """Programme metrics: for each category, {"raised": n, "dismissed": m, "resolved": r}: suggestions raised
    (on the current wording, or taken away by an edit: the clinician acted on them), dismissed, and resolved by
    an edit. Counts only; never note text."""
    found = LanguageSuggestion.objects.filter(organisation_id=organisation_id, note__record_status=RecordStatus.ACTIVE)
    found = found.filter(Q(current=True) | Q(resolved_at__isnull=False))
    if since is not None:
        found = found.filter(created_at__gte=since)
    rows = found.values("category").annotate(
        raised=Count("id"),
        dismissed=Count("id", filter=Q(current=True, dismissed_at__isnull=False)),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
    )
    counts = {category: {"raised": 0, "dismissed": 0, "resolved": 0} for category in LanguageCategory.values}
    for row in rows:
        counts[row["category"]] = {key: row[key] for key in ("raised", "dismissed", "resolved")}
    return counts


def rules_for(organisation_id: Any, language: str) -> list[Any]:
    """The clinic's lexicon for a language: built-in rules (notes/lexicon/<language>.json) with the clinic's
    `LexiconEntry` rows replacing those of the same key, disabled ones dropped, the clinic's own added."""
    rules: dict[str, Rule] = {rule.key: rule for rule in builtin_rules(language)}
    for entry in LexiconEntry.objects.filter(organisation_id=organisation_id, language=language).order_by("key"):
        if not entry.enabled:
            rules.pop(entry.key, None)
            continue
        try:
            rules[entry.key] = rule_from_dict(lexicon_entry_data(entry), language=language)
        except InvalidRule as error:
            # The rule and the reason, never a note's words: a broken clinic rule never stops a save.
            logger.warning("note-language rule %r of clinic %s skipped: %s", entry.key, organisation_id, error)
    return list(rules.values())


def lexicon_entry_data(entry: LexiconEntry) -> dict[str, Any]:
    """A clinic's rule as a lexicon entry (the shape of notes/lexicon/<language>.json)."""
    return {
        "key": entry.key,
        "category": entry.category,
        "patterns": entry.patterns,
        "unless": entry.unless if entry.unless is not None else [],
        "why": entry.why,
        "suggestion": entry.suggestion,
    }


# --- helpers ----------------------------------------------------------------------------------------------


def _uuid(value: UUID | str) -> UUID | None:
    if isinstance(value, UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _shown(note: Note, suggestions: QuerySet[LanguageSuggestion]) -> list[ShownSuggestion]:
    rows = list(suggestions.filter(current=True, note_version=note.version).order_by("start", "end", "rule_key"))
    if not rows:
        return []
    rules = {rule.key: rule for rule in rules_for(note.organisation_id, note.language)}
    return [_one(note, row, rules.get(row.rule_key)) for row in rows]


def _one(note: Note, row: LanguageSuggestion, rule: Rule | None) -> ShownSuggestion:
    category = LanguageCategory(row.category) if row.category in LanguageCategory.values else None
    return ShownSuggestion(
        id=row.id,
        phrase=note.text[row.start : row.end],
        category=row.category,
        category_label=str(category.label) if category is not None else row.category,
        why=rule.why if rule is not None else _("This wording was flagged by a rule the clinic no longer uses."),
        suggestion=rule.suggestion if rule is not None else "",
        dismissed=row.dismissed_at is not None,
        start=row.start,
    )
