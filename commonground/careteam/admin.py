"""Clinic configuration: the on-call rota that urgent alerts are sent on to (decision 0019)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from commonground.accounts.admin import ForAdministrators
from commonground.accounts.choices import CLINICAL_ROLES, AccountKind
from commonground.accounts.models import User
from commonground.careteam.models import OnCallShift


class OnCallShiftForm(forms.ModelForm[OnCallShift]):
    class Meta:
        model = OnCallShift
        fields = ("staff", "starts_at", "ends_at", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise forms.ValidationError(_("A shift ends after it starts."))
        return data


@admin.register(OnCallShift)
class OnCallShiftAdmin(ForAdministrators, admin.ModelAdmin[OnCallShift]):
    """The administrator's own clinic's rota; the server sets the clinic, and only its active clinicians can be
    on call."""

    form = OnCallShiftForm
    list_display = ("staff", "starts_at", "ends_at", "note")
    ordering = ("-starts_at",)

    def get_queryset(self, request: HttpRequest) -> Any:
        user: Any = request.user
        return super().get_queryset(request).filter(organisation_id=user.organisation_id)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "staff":
            user: Any = request.user
            kwargs["queryset"] = User.objects.filter(
                organisation_id=user.organisation_id,
                kind=AccountKind.STAFF,
                role__in=sorted(CLINICAL_ROLES),
                is_active=True,
            ).order_by("display_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user: Any = request.user
        obj.organisation_id = user.organisation_id
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)  # a shift entered by mistake must be removable
