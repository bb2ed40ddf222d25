"""Programmes in the administration site: the clinic's own only. An administrator can rename, describe or retire
a programme; programmes are made and their sessions edited on the facilitators' pages. Nothing of any member
(cohorts, enrolments, notes, check-ins) is in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from commonground.groups.models import Programme
from commonground.safety.admin import OwnClinicOnly


@admin.register(Programme)
class ProgrammeAdmin(OwnClinicOnly, admin.ModelAdmin[Programme]):
    list_display = ("name", "session_minutes", "days_between", "active")
    list_filter = ("active",)
    search_fields = ("name",)
    fields = ("name", "summary", "active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made on the facilitators' pages, with its sessions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retired (not in use), never deleted: cohorts point to it

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.version += 1  # an edit here is a new version, like every other edit of the programme
        obj._change_reason = "Changed in the administration site"
        super().save_model(request, obj, form, change)
