"""Clinic configuration: the clinic's own note-language rules, per language.

A rule with the key of a built-in rule replaces it for the clinic (fields left empty are copied from the
built-in rule, so switching "in use" off is enough to turn a built-in rule off); a new key adds a rule.
Patterns are checked exactly as the note-language check will use them, so a broken regular expression is
refused here with the reason, not discovered when a note is saved.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.notes.language_check import LEXICON_DIR, InvalidRule, builtin_rules, rule_from_dict
from commonground.notes.models import LexiconEntry
from commonground.patients.choices import Language
from commonground.safety.admin import OwnClinicOnly


class PatternListField(forms.CharField):
    """A list of regular expressions typed one per line (a JSON list is accepted too)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 80})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(item) for item in value]
        text = str(value or "").strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                raise forms.ValidationError(_("Give one pattern per line, or a JSON list of patterns.")) from None
            if not isinstance(loaded, list) or not all(isinstance(item, str) for item in loaded):
                raise forms.ValidationError(_("Give one pattern per line, or a JSON list of patterns."))
            return loaded
        return [line.strip() for line in text.splitlines() if line.strip()]


def built_in_keys_help() -> str:
    """The shipped rules a clinic can change or turn off by their key, per language, with their category."""
    lines = []
    for path in sorted(LEXICON_DIR.glob("*.json")):
        rules = builtin_rules(path.stem)
        listed = ", ".join(f"{rule.key} ({rule.category})" for rule in rules)
        lines.append(f"{path.stem}: {listed}")
    return str(
        gettext_lazy("Use a built-in rule's key to change it or (unticking 'in use') turn it off. Built-in rules: %s")
    ) % "; ".join(lines)


class LexiconEntryForm(forms.ModelForm[LexiconEntry]):
    language = forms.ChoiceField(label=gettext_lazy("language"), choices=Language.choices)
    patterns = PatternListField(
        label=gettext_lazy("patterns"),
        help_text=gettext_lazy(
            "Regular expressions, one per line, matched without regard to case within one sentence, "
            r"e.g. \bnon[-\s]?compliant\b. Left empty, the built-in rule's are used."
        ),
        required=False,
    )
    unless = PatternListField(
        label=gettext_lazy("not when the sentence matches"),
        help_text=gettext_lazy(
            "Optional. A match that lies inside a match of one of these, in the same sentence, is not flagged, "
            r"e.g. \brefus\w*\b.*\bcapacity\b."
        ),
        required=False,
    )

    class Meta:
        model = LexiconEntry
        fields = ("language", "key", "category", "patterns", "unless", "why", "suggestion", "enabled")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("category", "why", "suggestion"):
            self.fields[name].required = False  # taken from the built-in rule of the same key when left empty
        self.fields["key"].help_text = built_in_keys_help()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        language = str(data.get("language", ""))
        builtin = {rule.key: rule for rule in builtin_rules(language)}.get(str(data.get("key", "")))
        if builtin is not None:
            for name in ("category", "patterns", "unless", "why", "suggestion"):
                if not data.get(name):
                    value = getattr(builtin, name)
                    data[name] = list(value) if isinstance(value, tuple) else value
        entry = {name: data.get(name) for name in ("key", "category", "patterns", "unless", "why", "suggestion")}
        try:
            rule_from_dict(entry, language=language)
        except InvalidRule as error:
            raise forms.ValidationError(_("This rule cannot be used: %(reason)s") % {"reason": error}) from None
        return data

    def validate_unique(self) -> None:
        # `organisation` is set by the server, not the form, so the one-rule-per-key constraint is checked here.
        super().validate_unique()
        user: Any = getattr(self, "user", None)
        if user is None or self.errors:
            return
        clash = LexiconEntry.objects.filter(
            organisation_id=user.organisation_id,
            language=self.cleaned_data.get("language"),
            key=self.cleaned_data.get("key"),
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("key", _("The clinic already has a rule with this key in this language; edit that one."))


@admin.register(LexiconEntry)
class LexiconEntryAdmin(OwnClinicOnly, admin.ModelAdmin[LexiconEntry]):
    form = LexiconEntryForm
    list_display = ("key", "language", "category", "enabled")
    list_filter = ("language", "category", "enabled")
    search_fields = ("key",)
    ordering = ("language", "key")

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class WithUser(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                self.user = user

        return WithUser
