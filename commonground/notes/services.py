"""Writes of the notes domain: clinical notes, the note-language check on saving, dismissing a suggestion.

The check advises and never blocks: a note is saved whatever it says, and its suggestions are stored beside
it (rule and category and where, never the words). Callers have opened the patient through the gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from typing import Any

from commonground.notes.models import LanguageSuggestion, Note
from commonground.patients.models import Patient


def write_note(patient: Patient, *, kind: str, text: str, by: Any, language: str | None = None) -> Note:
    """Save a note (text required, ≤ 20000 characters) and check its wording with the clinic's lexicon for the
    note's language (default: the clinic's language, else English). Returns the note; its suggestions are
    `notes.selectors.open_suggestions(note)`."""
    raise NotImplementedError


def edit_note(note: Note, *, expected_version: int, text: str, reason: str, by: Any) -> Note:
    """Change a note (versioned with a reason; author or any care-team member); checked again: earlier
    suggestions stop being current."""
    raise NotImplementedError


def dismiss_suggestion(suggestion: LanguageSuggestion, *, by: Any) -> LanguageSuggestion:
    """A clinician dismisses a suggestion (kept for the counts). Dismissing again changes nothing."""
    raise NotImplementedError


def mark_note_in_error(note: Note, *, expected_version: int, reason: str) -> Note:
    raise NotImplementedError
