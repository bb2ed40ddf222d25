"""Clinic configuration: how soon the team promises to answer a patient's message."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from commonground.accounts.admin import ForAdministrators
from commonground.conversations.models import MessagingSettings


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(ForAdministrators, admin.ModelAdmin[MessagingSettings]):
    """One row per clinic, of the administrator's own clinic; the server sets the clinic, never the form."""

    exclude = ("organisation",)
    list_display = ("response_working_days",)

    def get_queryset(self, request: HttpRequest) -> Any:
        user: Any = request.user
        return super().get_queryset(request).filter(organisation_id=user.organisation_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        if not self._is_administrator(request):
            return False
        return not MessagingSettings.objects.filter(organisation_id=user.organisation_id).exists()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user: Any = request.user
        obj.organisation_id = user.organisation_id
        super().save_model(request, obj, form, change)
