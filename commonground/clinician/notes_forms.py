"""Forms of the clinician's notes pages: write a note, edit it, mark it entered in error, dismiss a wording
suggestion. They parse and check input; the notes service decides (and its wording check never blocks)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.notes.choices import NoteKind

NOTE_TEXT = forms.Textarea(attrs={"rows": 8})


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of note"), choices=NoteKind.choices, initial=NoteKind.SESSION)
    text = forms.CharField(label=_("Note"), max_length=20000, widget=NOTE_TEXT)


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
