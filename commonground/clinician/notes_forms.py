"""Forms of the clinician's notes pages: write a note, edit it, mark it entered in error, dismiss a wording
suggestion. They parse and check input; the notes service decides (and its wording check never blocks)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from commonground.notes.choices import NoteKind
from commonground.notes.language_check import builtin_rules
from commonground.patients.choices import Language

NOTE_TEXT = forms.Textarea(attrs={"rows": 8})
FALLBACK_LANGUAGE = "en"


def note_languages() -> list[tuple[str, str]]:
    """The languages a note's wording can be checked in: those with a lexicon of their own (notes/lexicon)."""
    return [(code, str(label)) for code, label in Language.choices if builtin_rules(code)]


def default_note_language(choices: list[tuple[str, str]]) -> str:
    """The language of the page (the user's), when the check has a lexicon for it; else English."""
    current = (translation.get_language() or FALLBACK_LANGUAGE)[:2].lower()
    return current if current in {code for code, _label in choices} else FALLBACK_LANGUAGE


class NoteLanguageField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Language of the note"))
        kwargs.setdefault("help_text", _("The wording check reads the note with the words of this language."))
        super().__init__(choices=[], **kwargs)


def offer_languages(form: forms.Form, name: str) -> None:
    """Fill a form's language field with the languages that have a lexicon, the page's language first chosen."""
    choices = note_languages()
    form.fields[name].choices = choices  # type: ignore[attr-defined]
    form.fields[name].initial = default_note_language(choices)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of note"), choices=NoteKind.choices, initial=NoteKind.SESSION)
    text = forms.CharField(label=_("Note"), max_length=20000, widget=NOTE_TEXT)
    language = NoteLanguageField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_languages(self, "language")


class NoteEditForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=20000, widget=NOTE_TEXT)
    reason = forms.CharField(label=_("Why is the note changed?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class NoteInErrorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why was it entered in error?"), max_length=200)


class DismissForm(forms.Form):
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Show"), choices=[("", _("All notes")), *NoteKind.choices], required=False)
