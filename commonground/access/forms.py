from django import forms
from django.utils.translation import gettext_lazy as _


class BreakGlassForm(forms.Form):
    record_number = forms.CharField(
        label=_("Patient's record number"), max_length=20, help_text=_("For example CG-000123.")
    )
    reason = forms.CharField(
        label=_("Why emergency access is needed"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
