"""Reads of the notes domain. Callers have opened the patient through the access gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from commonground.notes.models import LanguageSuggestion, Note
from commonground.patients.models import Patient


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


def notes_of(patient: Patient, *, kind: str | None = None) -> QuerySet[Note]:
    """Current notes, newest first, with the author joined."""
    raise NotImplementedError


def note_of(patient: Patient, note_id: UUID | str) -> Note | None:
    raise NotImplementedError


def suggestion_of(note: Note, suggestion_id: UUID | str) -> LanguageSuggestion | None:
    raise NotImplementedError


def open_suggestions(note: Note) -> list[ShownSuggestion]:
    """The current suggestions on the note's latest wording, not dismissed, in text order."""
    raise NotImplementedError


def suggestions_shown(note: Note) -> list[ShownSuggestion]:
    """Every current suggestion, dismissed ones included (marked), in text order."""
    raise NotImplementedError


def category_counts(organisation_id: Any, *, since: datetime | None = None) -> dict[str, dict[str, int]]:
    """Programme metrics: for each category, {"raised": n, "dismissed": m} over current suggestions. Counts
    only; never note text."""
    raise NotImplementedError


def rules_for(organisation_id: Any, language: str) -> list[Any]:
    """The clinic's lexicon for a language: built-in rules (notes/lexicon/<language>.json) with the clinic's
    `LexiconEntry` rows replacing those of the same key, disabled ones dropped, the clinic's own added."""
    raise NotImplementedError
