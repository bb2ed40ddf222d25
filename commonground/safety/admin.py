"""Clinic configuration: the crisis resources patients are shown at once when they need them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from commonground.accounts.admin import ForAdministrators
from commonground.safety.models import CrisisResource


class OwnClinicOnly(ForAdministrators):
    """Rows of the administrator's own clinic; the server sets the clinic, never the form."""

    exclude: Any = ("organisation",)

    def get_queryset(self, request: HttpRequest) -> Any:
        user: Any = request.user
        return super().get_queryset(request).filter(organisation_id=user.organisation_id)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user: Any = request.user
        obj.organisation_id = user.organisation_id
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)  # an outdated phone number must be removable


@admin.register(CrisisResource)
class CrisisResourceAdmin(OwnClinicOnly, admin.ModelAdmin[CrisisResource]):
    list_display = ("name", "phone", "language", "position")
    list_filter = ("language",)
