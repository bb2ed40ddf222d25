"""The administration site: accounts and organisations only, never clinical records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest

from commonground.accounts.models import ApiToken, Organisation, User


class ForAdministrators:
    """Administrators manage accounts and configuration; Django's per-model permissions are not used."""

    def _is_administrator(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_administrator", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted


@admin.register(Organisation)
class OrganisationAdmin(ForAdministrators, admin.ModelAdmin[Organisation]):
    list_display = ("name", "slug", "time_zone")
    search_fields = ("name",)


class StaffCreationForm(forms.ModelForm[User]):
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        validate_password(password)
        return password

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "kind", "role", "organisation", "can_break_glass")

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.username = user.username.strip().lower()
        user.set_password(self.cleaned_data["password"])
        user.is_staff = user.role == "administrator"
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(ForAdministrators, DjangoUserAdmin[User]):
    add_form = StaffCreationForm
    list_display = ("username", "display_name", "kind", "role", "organisation", "is_active")
    list_filter = ("kind", "role", "is_active", "organisation")
    search_fields = ("username", "display_name", "email")
    ordering = ("display_name",)
    readonly_fields = ("last_login", "date_joined", "deactivated_at", "deactivated_reason")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("display_name", "email", "organisation")}),
        ("Role", {"fields": ("kind", "role", "can_break_glass", "is_active")}),
        ("History", {"fields": ("last_login", "date_joined", "deactivated_at", "deactivated_reason")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "username",
                    "display_name",
                    "email",
                    "kind",
                    "role",
                    "organisation",
                    "can_break_glass",
                    "password",
                )
            },
        ),
    )
    filter_horizontal = ()

    def get_queryset(self, request: HttpRequest) -> Any:
        user: Any = request.user
        return super().get_queryset(request).filter(organisation_id=user.organisation_id)


@admin.register(ApiToken)
class ApiTokenAdmin(ForAdministrators, admin.ModelAdmin[ApiToken]):
    list_display = ("name", "prefix", "user", "scope", "expires_at", "revoked_at")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "token_hash",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made on the API tokens page, which shows the secret once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
