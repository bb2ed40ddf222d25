"""Organisations, accounts, one-time links and API tokens."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, LinkPurpose, Role, TokenScope
from commonground.kit.clock import is_valid_time_zone


def validate_time_zone(value: str) -> None:
    if not is_valid_time_zone(value):
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class Organisation(models.Model):
    """A clinic. Every clinical record carries one; clinics never see each other's data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(username=username.strip().lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields: Any) -> User:
        raise NotImplementedError("Common Ground has no superusers: create an administrator account.")


class User(AbstractBaseUser, PermissionsMixin):
    """One person's account: a staff member in one role, or a patient."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(_("username"), max_length=150, unique=True)
    display_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    role = models.CharField(_("role"), max_length=40, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="accounts")
    can_break_glass = models.BooleanField(
        _("may use emergency access"),
        default=False,
        help_text=_("Designated staff may open a chart outside their care teams, with a reason."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=_("May use the administration site."))
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_reason = models.CharField(max_length=300, blank=True)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]
    objects = UserManager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind", "role"])]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_patient(self) -> bool:
        return self.kind == AccountKind.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.kind == AccountKind.STAFF and self.role in CLINICAL_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.kind == AccountKind.STAFF and self.role == Role.ADMINISTRATOR

    @property
    def is_privacy_officer(self) -> bool:
        return self.kind == AccountKind.STAFF and self.role == Role.PRIVACY_OFFICER


class OneTimeLink(models.Model):
    """A single-use, expiring secret bound to one purpose: an invitation or a password reset.

    Only hashes are stored. An invitation carries both a link token and a short printed code, so a
    patient without e-mail can join with a code handed over in person.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def is_usable(self, now: Any) -> bool:
        return self.used_at is None and now < self.expires_at and self.user.is_active


class ApiToken(models.Model):
    """A token for an integration: belongs to a named account, has a scope and an expiry, stored hashed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("what it is for"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class UserSession(models.Model):
    """Which server-side sessions belong to whom, so they can all be ended at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
