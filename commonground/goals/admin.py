"""Clinic configuration of goal attainment scaling: whether goals are weighted, and ρ.

Goals, values, ladders and reviews are clinical records and are not in the administration site.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.goals.models import GasSettings
from commonground.safety.admin import OwnClinicOnly


class GasSettingsForm(forms.ModelForm[GasSettings]):
    class Meta:
        model = GasSettings
        fields = ("weighted", "rho")
        help_texts = {
            "weighted": gettext_lazy("Weight = importance × difficulty (each 1-3) when both are rated; else 1."),
            "rho": gettext_lazy("From 0 to below 1; 0.3 is the usual value (Kiresuk and Sherman)."),
        }

    def clean_rho(self) -> Decimal:
        value = self.cleaned_data["rho"]
        if value is None or not Decimal(0) <= value < Decimal(1):
            raise forms.ValidationError(_("ρ must be at least 0 and below 1."))
        return Decimal(value)


@admin.register(GasSettings)
class GasSettingsAdmin(OwnClinicOnly, admin.ModelAdmin[GasSettings]):
    form = GasSettingsForm
    list_display = ("organisation", "weighted", "rho")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """One row per clinic: it can be added once, then changed."""
        user: Any = request.user
        if not super().has_add_permission(request):
            return False
        return not GasSettings.objects.filter(organisation_id=user.organisation_id).exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
