from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import TokenScope


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(label=_("Username or e-mail"), max_length=254)


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=256,
        help_text=_("A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class JoinForm(NewPasswordForm):
    username = forms.RegexField(
        label=_("Choose a username"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]{3,150}$",
        help_text=_("Letters, numbers, dots, dashes or underscores; at least 3."),
        error_messages={"invalid": _("Use letters, numbers, dots, dashes or underscores (at least 3).")},
    )
    field_order = ["username", "password", "password_again"]


class JoinWithCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your invitation code"),
        max_length=20,
        help_text=_("The code on the letter from your care team, for example K7QM-3XPA-9RTW."),
    )


class ApiTokenForm(forms.Form):
    """A token always acts as the person who makes it: nobody mints a token that acts as someone else."""

    name = forms.CharField(label=_("What it is for"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        assert isinstance(days, forms.IntegerField)
        days.max_value = settings.API_TOKEN_MAX_DAYS
        days.validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
