"""Writes of the notes domain: clinical notes, the note-language check on saving, dismissing a suggestion.

The check advises and never blocks: a note is saved whatever it says, and its suggestions are stored beside
it (rule and category and where, never the words). Callers have opened the patient through the gateway.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.notes import selectors
from commonground.notes.choices import NoteKind
from commonground.notes.language_check import Finding, check
from commonground.notes.models import LanguageSuggestion, Note
from commonground.patients.models import Patient

logger = logging.getLogger(__name__)

NOTE_LIMIT = 20000
REASON_LIMIT = 500
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,4})?$")


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )


# --- checks before writing --------------------------------------------------------------------------------


def _note_text(text: Any) -> str:
    value = "" if text is None else str(text).strip()
    if not value:
        raise DomainError(_("Write the note before saving it."), field="text")
    if len(value) > NOTE_LIMIT:
        raise DomainError(
            _("A note can be at most %(limit)d characters; this one has %(count)d.")
            % {"limit": NOTE_LIMIT, "count": len(value)},
            field="text",
        )
    return value


def _reason(reason: Any, message: str) -> str:
    value = "" if reason is None else str(reason).strip()
    if not value:
        raise DomainError(message, field="reason")
    if len(value) > REASON_LIMIT:
        raise DomainError(_("Keep the reason to %(limit)d characters.") % {"limit": REASON_LIMIT}, field="reason")
    return value


def _kind(kind: Any) -> str:
    if kind not in NoteKind.values:
        raise DomainError(_("Choose what kind of note this is."), field="kind")
    return str(kind)


def _language(language: str | None) -> str:
    """The note's language: as given, else the clinic's (the installation's language), else English."""
    chosen = (language or settings.LANGUAGE_CODE or "en").strip().lower()
    if not _LANGUAGE.match(chosen):
        raise DomainError(_("Choose the language the note is written in."), field="language")
    return chosen


def _same_clinic(patient: Patient, by: Any) -> None:
    if getattr(by, "organisation_id", None) != patient.organisation_id:
        raise DomainError(_("Only the patient's own clinic can write in their record."))


def _still_current(note: Note) -> None:
    if note.is_entered_in_error:
        raise DomainError(_("This note was marked as entered in error and can no longer be changed."))


# --- writes -----------------------------------------------------------------------------------------------


@transaction.atomic
def write_note(patient: Patient, *, kind: str, text: str, by: Any, language: str | None = None) -> Note:
    """Save a note (text required, ≤ 20000 characters) and check its wording with the clinic's lexicon for the
    note's language (default: the clinic's language, else English). Returns the note; its suggestions are
    `notes.selectors.open_suggestions(note)`."""
    note = Note(
        patient=patient,
        organisation_id=patient.organisation_id,
        kind=_kind(kind),
        text=_note_text(text),
        language=_language(language),
        author=by,
        written_at=clock.now(),
    )
    _same_clinic(patient, by)
    save_new(note, reason="Note written")
    _audit(patient, Action.CREATE, "note", note.id)
    _store_suggestions(note, _findings(note))
    return note


@transaction.atomic
def edit_note(note: Note, *, expected_version: int, text: str, reason: str, by: Any) -> Note:
    """Change a note (versioned with a reason; only its author: a colleague writes a note of their own); checked
    again: earlier suggestions stop being current, and those whose words the edit took away count as resolved."""
    new_text = _note_text(text)
    why = _reason(reason, _("Say why the note changes."))
    _still_current(note)
    _same_clinic(note.patient, by)
    _author_only(note, by, _("Only the author can change a note. To add to it, write a note of your own."))
    earlier_text = note.text
    earlier = list(note.suggestions.filter(current=True))
    note = save_edit(note, expected_version=expected_version, reason=why, changes={"text": new_text})
    findings = _findings(note)
    still_there = {(found.rule_key, found.phrase.lower()) for found in findings}
    resolved = [s.id for s in earlier if (s.rule_key, earlier_text[s.start : s.end].lower()) not in still_there]
    note.suggestions.filter(current=True).update(current=False)
    note.suggestions.filter(id__in=resolved).update(resolved_at=clock.now())
    _audit(note.patient, Action.UPDATE, "note", note.id)
    _store_suggestions(note, findings, dismissed_before=_dismissed_phrases(earlier, earlier_text))
    return note


def _author_only(note: Note, by: Any, message: str) -> None:
    if getattr(by, "id", None) != note.author_id:
        raise DomainError(message)


@transaction.atomic
def dismiss_suggestion(suggestion: LanguageSuggestion, *, by: Any) -> LanguageSuggestion:
    """The note's author dismisses a suggestion (kept for the counts). Dismissing again changes nothing."""
    locked = LanguageSuggestion.objects.select_for_update().select_related("note__patient").get(pk=suggestion.pk)
    if locked.dismissed_at is not None:
        return locked
    if not locked.current:
        raise DomainError(_("The note has changed since this suggestion was made; it no longer applies."))
    _same_clinic(locked.note.patient, by)
    _author_only(locked.note, by, _("Only the note's author can dismiss the wording check's suggestions."))
    locked.dismissed_at = clock.now()
    locked.dismissed_by = by
    locked.save(update_fields=["dismissed_at", "dismissed_by", "updated_at"])
    _audit(locked.note.patient, Action.UPDATE, "note", locked.note_id)
    return locked


@transaction.atomic
def mark_note_in_error(note: Note, *, expected_version: int, reason: str) -> Note:
    why = _reason(reason, _("Please say why this note was entered in error."))
    _still_current(note)
    note = mark_entered_in_error(note, expected_version=expected_version, reason=why)
    _audit(note.patient, Action.ENTERED_IN_ERROR, "note", note.id)
    return note


# --- the check --------------------------------------------------------------------------------------------


def _findings(note: Note) -> list[Finding]:
    """The check's findings on the note; a failing check is logged (never the note's words) and the note is
    saved without suggestions, because the check advises and never stands in the way of a save."""
    rules = selectors.rules_for(note.organisation_id, note.language)
    try:
        return check(note.text, rules)
    except Exception:  # the advice is optional; the note is not
        logger.exception("note-language check failed on note %s; saved without suggestions", note.id)
        return []


def _dismissed_phrases(suggestions: list[LanguageSuggestion], text: str) -> dict[tuple[str, str], list[Any]]:
    """The suggestions a clinician dismissed on the wording before an edit, by (rule, words)."""
    dismissed: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for suggestion in sorted(suggestions, key=lambda s: s.start):
        if suggestion.dismissed_at is not None:
            dismissed[(suggestion.rule_key, text[suggestion.start : suggestion.end].lower())].append(suggestion)
    return dismissed


def _store_suggestions(
    note: Note, findings: list[Finding], *, dismissed_before: dict[tuple[str, str], list[Any]] | None = None
) -> None:
    """One row per rule and wording (the first place it occurs: the same words ten times are one suggestion):
    rule, category and place, never the words. A finding on words the clinician already dismissed before an
    edit stays dismissed, so a typo fix does not ask the same question again."""
    earlier = dismissed_before or {}
    rows = []
    seen: set[tuple[str, str]] = set()
    for found in findings:
        if (found.rule_key, found.phrase.lower()) in seen:
            continue
        seen.add((found.rule_key, found.phrase.lower()))
        row = LanguageSuggestion(
            note=note,
            organisation_id=note.organisation_id,
            note_version=note.version,
            rule_key=found.rule_key,
            category=found.category,
            start=found.start,
            end=found.end,
        )
        same_words = earlier.get((found.rule_key, found.phrase.lower()))
        if same_words:
            dismissed = same_words.pop(0)
            row.dismissed_at = dismissed.dismissed_at
            row.dismissed_by_id = dismissed.dismissed_by_id
        rows.append(row)
    LanguageSuggestion.objects.bulk_create(rows)
