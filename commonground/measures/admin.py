"""Clinic configuration of measurement-based care: the registry's key questionnaires and thresholds."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from commonground.measures import definitions
from commonground.measures.models import RegistrySettings
from commonground.safety.admin import OwnClinicOnly


class RegistrySettingsForm(forms.ModelForm[RegistrySettings]):
    class Meta:
        model = RegistrySettings
        fields = (
            "key_instruments",
            "plan_instruments",
            "interval_weeks",
            "overdue_after_days",
            "not_improving_weeks",
            "not_improving_percent",
        )

    def _instrument_list(self, field: str) -> list[str]:
        value = self.cleaned_data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            raise forms.ValidationError(_('Give a list of questionnaire ids, e.g. ["phq15", "phq9"].'))
        known = definitions.library()
        unknown = [name for name in value if name not in known]
        if unknown:
            raise forms.ValidationError(_("Unknown questionnaire: %(ids)s") % {"ids": ", ".join(unknown)})
        return value

    def clean_key_instruments(self) -> list[str]:
        return self._instrument_list("key_instruments")

    def clean_plan_instruments(self) -> list[str]:
        return self._instrument_list("plan_instruments")

    def clean_not_improving_percent(self) -> int:
        value = int(self.cleaned_data["not_improving_percent"])
        if not 1 <= value <= 100:
            raise forms.ValidationError(_("Give a percentage between 1 and 100."))
        return value


@admin.register(RegistrySettings)
class RegistrySettingsAdmin(OwnClinicOnly, admin.ModelAdmin[RegistrySettings]):
    form = RegistrySettingsForm
    list_display = ("organisation", "interval_weeks", "overdue_after_days", "not_improving_weeks")

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
