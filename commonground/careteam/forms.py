from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.accounts.models import User


class OffboardForm(forms.Form):
    successor = forms.ModelChoiceField(label=_("Who takes over the caseload"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = clinicians  # type: ignore[attr-defined]
