"""Clinic configuration: the escalation rules (one of each kind per clinic, made with the clinic), edited by its
administrator. The parameters are checked per kind (`coordination.rules.check_parameters`) before saving."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from commonground.coordination.models import EscalationRule
from commonground.safety.admin import OwnClinicOnly


@admin.register(EscalationRule)
class EscalationRuleAdmin(OwnClinicOnly, admin.ModelAdmin[EscalationRule]):
    list_display = ("kind", "enabled", "parameters")
    list_filter = ("enabled",)
    fields = ("kind", "enabled", "parameters", "description")
    readonly_fields = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every kind exists for every clinic; switch one off instead

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
