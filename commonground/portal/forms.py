"""The patient's forms: one answer at a time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.measures.scoring import NOT_APPLICABLE


class AnswerForm(forms.Form):
    """One question's answer: an option's value, "does not apply", or nothing (skipped).

    Whether the value is one the question allows is the measures service's decision (`save_answers`).
    """

    answer = forms.CharField(required=False, max_length=20)
    skip = forms.CharField(required=False)
    then = forms.CharField(required=False)

    def clean_answer(self) -> Any:
        text = self.cleaned_data["answer"].strip()
        if text in ("", NOT_APPLICABLE):
            return text or None
        try:
            return int(text)
        except ValueError:
            raise forms.ValidationError(_("Please choose one of the answers shown.")) from None

    @property
    def skipped(self) -> bool:
        return bool(self.cleaned_data.get("skip"))

    @property
    def back_to_check(self) -> bool:
        return self.cleaned_data.get("then") == "check"
