from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.audit.selectors import SORTABLE


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(f"-{f}", f"{f} ↓") for f in SORTABLE] + [(f, f"{f} ↑") for f in SORTABLE],
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        elif data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366:
            self.add_error("end", _("Please choose at most a year at a time."))
        return data
