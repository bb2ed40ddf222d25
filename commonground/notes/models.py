"""Clinical notes, the note-language check's suggestions on them, and each clinic's edits to the lexicon.

The check advises and never blocks. Its suggestions keep the rule and category, never the note's words, so
programme metrics count categories without reading notes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.notes.choices import LanguageCategory, NoteKind
from commonground.patients.models import Patient


class Note(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind of note"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("note"), max_length=20000)
    language = models.CharField(max_length=8, default="en")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written"))

    class Meta:
        indexes = [models.Index(fields=["patient", "written_at"])]


class LanguageSuggestion(BaseModel):
    """One finding of the check on one version of a note: where, which rule, and whether it was dismissed.

    `current` is false once the note is edited and checked again. A finding the edit took away is marked
    `resolved_at`; one still there is stored again for the new wording. So each raised suggestion is counted
    once: current, or resolved by an edit.
    """

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="suggestions")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    note_version = models.PositiveIntegerField()
    rule_key = models.CharField(max_length=60)
    category = models.CharField(max_length=20, choices=LanguageCategory.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    current = models.BooleanField(default=True)
    # Set when an edit took the wording away: the suggestion was acted on, and still counts as raised.
    resolved_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["note", "current"]),
            models.Index(fields=["organisation", "created_at"]),
        ]


class LexiconEntry(BaseModel):
    """A clinic's own rule, or its change to a built-in one (same `key`): the lexicon is data, per language.

    `patterns` and `unless` are lists of regular expressions (case-insensitive); a match inside an `unless`
    match in the same sentence is not a finding. `enabled=False` turns a built-in rule off for the clinic.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=8, default="en")
    key = models.SlugField(_("key"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=LanguageCategory.choices)
    patterns = models.JSONField(_("patterns"), default=list)
    unless = models.JSONField(_("not when the sentence matches"), default=list, blank=True)
    why = models.TextField(_("why it matters"), max_length=1000)
    suggestion = models.TextField(_("suggested alternative"), max_length=1000)
    enabled = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("note-language rule")
        verbose_name_plural = _("note-language rules")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "language", "key"], name="one_lexicon_entry_per_key")
        ]
