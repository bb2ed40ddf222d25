"""Signing in and out, joining with an invitation, resetting a password, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.access.routes import Audience, route
from commonground.accounts import selectors, services
from commonground.accounts.choices import LinkPurpose
from commonground.accounts.forms import (
    ApiTokenForm,
    JoinForm,
    JoinWithCodeForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SignInForm,
)
from commonground.kit.errors import DomainError
from commonground.kit.http import post_only

SIGN_IN_FAILED = gettext_lazy("That username and password do not match an active account.")
LOCKED = gettext_lazy(
    "Too many attempts. For your safety this account is locked for a while; "
    "please try again later or ask your administrator."
)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """What axes shows when a locked account tries again: the same page, a plain message, status 429."""
    form = SignInForm(request.POST or None)
    return render(request, "accounts/sign_in.html", {"form": form, "error": LOCKED}, status=429)


@route(Audience.PUBLIC)
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.check_password(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if result.locked_out:
            return locked_out(request)
        if result.user is not None:
            services.begin_session(request, result.user)
            return redirect(_safe_next(request))
        error = str(SIGN_IN_FAILED)
    return render(request, "accounts/sign_in.html", {"form": form, "error": error}, status=200 if not error else 400)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@route(Audience.SIGNED_IN)
@post_only
def sign_out(request: HttpRequest) -> HttpResponse:
    services.end_session(request)
    response = redirect("accounts:login")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@route(Audience.PUBLIC)
def password_reset_request(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(form.cleaned_data["identifier"])
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset_request.html", {"form": form})


@route(Audience.PUBLIC)
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    link = services.find_usable_link(purpose=LinkPurpose.PASSWORD_RESET, token=token)
    if link is None:
        return render(request, "accounts/link_unusable.html", status=404)
    return _choose_new_password(request, link)


def _choose_new_password(request: HttpRequest, link: Any, done: Any = None) -> HttpResponse:
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password_with_link(link, password=form.cleaned_data["password"])
        except DomainError as error:
            form.add_error("password" if error.field == "password" else None, error.message)
        else:
            if done:
                done()
            messages.success(request, _("Your password is changed. Please sign in."))
            return redirect("accounts:login")
    return render(request, "accounts/new_password.html", {"form": form})


@route(Audience.PUBLIC)
def reset_with_code(request: HttpRequest) -> HttpResponse:
    """After a printed reset code from the care team: choose a new password."""
    link = selectors.usable_link_by_id(request.session.get("cg_reset_link"), LinkPurpose.PASSWORD_RESET)
    if link is None:
        return render(request, "accounts/link_unusable.html", status=404)
    return _choose_new_password(request, link, done=lambda: request.session.pop("cg_reset_link", None))


@route(Audience.PUBLIC)
def join_with_code(request: HttpRequest) -> HttpResponse:
    """A patient without e-mail types the printed code; then chooses a username and password."""
    form = JoinWithCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        link = services.find_usable_link(purpose=LinkPurpose.INVITATION, code=code)
        if link is not None:
            request.session["cg_join_link"] = str(link.id)
            return redirect("accounts:join_finish")
        reset = services.find_usable_link(purpose=LinkPurpose.PASSWORD_RESET, code=code)
        if reset is not None:
            request.session["cg_reset_link"] = str(reset.id)
            return redirect("accounts:reset_finish")
        form.add_error("code", _("This code is not valid or has expired. Please ask your care team for a new one."))
    return render(request, "accounts/join_code.html", {"form": form})


@route(Audience.PUBLIC)
def join_with_link(request: HttpRequest, token: str) -> HttpResponse:
    link = services.find_usable_link(purpose=LinkPurpose.INVITATION, token=token)
    if link is None:
        return render(request, "accounts/link_unusable.html", status=404)
    request.session["cg_join_link"] = str(link.id)
    return redirect("accounts:join_finish")


@route(Audience.PUBLIC)
def join_finish(request: HttpRequest) -> HttpResponse:
    link = selectors.usable_link_by_id(request.session.get("cg_join_link"), LinkPurpose.INVITATION)
    if link is None:
        return render(request, "accounts/link_unusable.html", status=404)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password_with_link(
                link, password=form.cleaned_data["password"], username=form.cleaned_data["username"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            request.session.pop("cg_join_link", None)
            messages.success(request, _("Welcome! Your account is ready. Please sign in."))
            return redirect("accounts:login")
    return render(request, "accounts/join.html", {"form": form})


@route(Audience.STAFF)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Staff make tokens for their own account (an integration signs in as a named person);
    administrators also see, and may revoke, every token of the clinic."""
    user: Any = request.user
    form = ApiTokenForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.create_api_token(
                user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
                created_by=user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    tokens = selectors.tokens_visible_to(user)
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret})


@route(Audience.STAFF)
@post_only
def revoke_api_token(request: HttpRequest, token_id: str) -> HttpResponse:
    user: Any = request.user
    token = selectors.token_visible_to(user, token_id)
    services.revoke_api_token(token)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:api_tokens")
