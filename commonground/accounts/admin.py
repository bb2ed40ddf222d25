"""The administration site: the administrator's own clinic's staff accounts, never clinical records.

Administrators manage staff accounts of their own clinic only. Patient accounts are not here (patients
join by invitation; their care team re-invites them). Clinics are created with `commonground clinic
create`; here an administrator may only edit their own clinic's name and time zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest

from commonground.accounts.choices import AccountKind, Role
from commonground.accounts.models import ApiToken, Organisation, User
from commonground.kit.clock import time_zone_choices


class ForAdministrators:
    """Administrators of a clinic manage its accounts and configuration; Django's per-model permissions are
    not used, and nothing is ever deleted."""

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
        return False


class OrganisationForm(forms.ModelForm[Organisation]):
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = Organisation
        fields = ("name", "time_zone")


@admin.register(Organisation)
class OrganisationAdmin(ForAdministrators, admin.ModelAdmin[Organisation]):
    form = OrganisationForm
    list_display = ("name", "slug", "time_zone")

    def get_queryset(self, request: HttpRequest) -> Any:
        user: Any = request.user
        return super().get_queryset(request).filter(pk=user.organisation_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a new clinic is set up with `commonground clinic create`


STAFF_ROLES = [(value, label) for value, label in Role.choices]


class StaffCreationForm(forms.ModelForm[User]):
    role = forms.ChoiceField(choices=STAFF_ROLES)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "role", "can_break_glass")

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip().lower()
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        validate_password(password)
        return password

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.kind = AccountKind.STAFF
        user.set_password(self.cleaned_data["password"])
        user.is_staff = user.role == Role.ADMINISTRATOR
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(ForAdministrators, DjangoUserAdmin[User]):
    add_form = StaffCreationForm
    list_display = ("username", "display_name", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "email")
    ordering = ("display_name",)
    readonly_fields = ("last_login", "date_joined", "deactivated_at", "deactivated_reason")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("display_name", "email")}),
        ("Role", {"fields": ("role", "can_break_glass", "is_active")}),
        ("History", {"fields": ("last_login", "date_joined", "deactivated_at", "deactivated_reason")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "display_name", "email", "role", "can_break_glass")}),
        ("Password", {"fields": ("password",)}),
    )
    filter_horizontal = ()

    def get_queryset(self, request: HttpRequest) -> Any:
        """Staff of the administrator's own clinic only: never patients, never another clinic."""
        user: Any = request.user
        return super().get_queryset(request).filter(organisation_id=user.organisation_id, kind=AccountKind.STAFF)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        administrator: Any = request.user
        obj.organisation_id = administrator.organisation_id  # the server decides the clinic, never the form
        obj.kind = AccountKind.STAFF
        obj.is_staff = obj.role == Role.ADMINISTRATOR
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(ForAdministrators, admin.ModelAdmin[ApiToken]):
    list_display = ("name", "prefix", "user", "scope", "expires_at", "revoked_at")
    readonly_fields = (
        *("user", "name", "prefix", "token_hash", "scope"),
        *("created_at", "expires_at", "revoked_at", "last_used_at"),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        user: Any = request.user
        return super().get_queryset(request).filter(user__organisation_id=user.organisation_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made on the API tokens page, by the person they act as

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
