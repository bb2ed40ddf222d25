"""Account writes: signing in and out, invitations, password resets, API tokens, deactivation.

Side effects (e-mails) are sent after commit by the notifications domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from commonground.accounts import secrets
from commonground.accounts.choices import AccountKind, LinkPurpose, TokenScope
from commonground.accounts.models import ApiToken, OneTimeLink, User, UserSession
from commonground.audit.choices import Action
from commonground.audit.services import record_security_event
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.notifications.services import send_email

SESSION_LOGIN_AT = "cg_login_at"
SESSION_LAST_ACTIVE_AT = "cg_last_active_at"


# --- signing in and out -------------------------------------------------------------------------


@dataclass
class SignInResult:
    user: User | None
    locked_out: bool = False
    next_step: str = "done"  # "second_factor" once staff MFA lands


def check_password(request: HttpRequest, username: str, password: str) -> SignInResult:
    """The first sign-in step. Unknown user and wrong password look the same, in words and time."""
    user = authenticate(request, username=username.strip().lower(), password=password)
    if getattr(request, "axes_locked_out", False):
        return SignInResult(user=None, locked_out=True)
    return SignInResult(user=user, next_step=next_sign_in_step(user) if user else "done")


def next_sign_in_step(user: Any) -> str:
    """Where the sign-in goes after the password. Staff TOTP will return "second_factor" here."""
    return "done"


def begin_session(request: HttpRequest, user: User) -> None:
    """A new session id at sign-in (Django cycles the key), remembered so it can be ended at once."""
    login(request, user, backend="commonground.accounts.backends.AccountBackend")
    now = clock.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_ACTIVE_AT] = now
    request.session.save()
    UserSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})


def end_session(request: HttpRequest, *, action: str = Action.LOGOUT) -> None:
    user = request.user
    if user.is_authenticated:
        record_security_event(
            action, actor_id=user.id, actor_username=user.username, organisation_id=user.organisation_id
        )
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)  # flushes the server-side session


def end_all_sessions(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


# --- one-time links: invitations and password resets ---------------------------------------------


@dataclass
class IssuedLink:
    link: OneTimeLink
    token: str
    code: str = ""


@transaction.atomic
def invite_patient_account(user: User, *, invited_by: User) -> IssuedLink:
    """A single-use, expiring invitation: a link for e-mail and a printed code for a patient without it."""
    OneTimeLink.objects.filter(user=user, purpose=LinkPurpose.INVITATION, used_at__isnull=True).update(
        expires_at=clock.now()
    )
    token, code = secrets.new_link_token(), secrets.new_printed_code()
    link = OneTimeLink.objects.create(
        user=user,
        purpose=LinkPurpose.INVITATION,
        token_hash=secrets.digest(token),
        code_hash=secrets.digest(code),
        expires_at=clock.now() + timedelta(days=settings.INVITATION_DAYS),
        created_by=invited_by,
    )
    record_security_event(Action.INVITATION_SENT, object_type="account", object_id=str(user.id))
    if user.email:
        send_email(
            to=user.email,
            subject=_("Your invitation to Common Ground"),
            template="accounts/emails/invitation.txt",
            context={"url": f"{settings.SITE_URL}/accounts/join/{token}/", "days": settings.INVITATION_DAYS},
        )
    return IssuedLink(link=link, token=token, code=code)


def find_usable_link(*, purpose: str, token: str = "", code: str = "") -> OneTimeLink | None:
    if token:
        found = OneTimeLink.objects.filter(purpose=purpose, token_hash=secrets.digest(token))
    elif code:
        found = OneTimeLink.objects.filter(purpose=purpose, code_hash=secrets.digest(secrets.normalise_code(code)))
    else:
        return None
    link = found.select_related("user").first()
    if link is None or not link.is_usable(clock.now()):
        return None
    return link


@transaction.atomic
def set_password_with_link(link: OneTimeLink, *, password: str, username: str | None = None) -> User:
    """Use a link once: set the password (and, when joining, the chosen username).

    Everything is checked before the link is used up, so a refused password leaves the link usable.
    """
    user = link.user
    if username is not None:
        username = username.strip().lower()
        if User.objects.filter(username=username).exclude(pk=user.pk).exists():
            raise DomainError(_("That username is taken. Please choose another."), field="username")
        user.username = username
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(_(" ").join(error.messages), field="password") from error
    claimed = OneTimeLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=clock.now())
    if not claimed:
        raise DomainError(_("This link has already been used. Please ask for a new one."))
    user.set_password(password)
    user.save()
    end_all_sessions(user)
    action = Action.INVITATION_USED if link.purpose == LinkPurpose.INVITATION else Action.PASSWORD_CHANGED
    record_security_event(action, actor_id=user.id, actor_username=user.username, organisation_id=user.organisation_id)
    return user


@transaction.atomic
def request_password_reset(identifier: str) -> None:
    """The same answer and the same work for every caller: the look-up happens in a job after commit,
    so neither the words nor the time of the answer tell whether an account exists."""
    identifier = identifier.strip().lower()[:254]
    record_security_event(Action.PASSWORD_RESET_REQUESTED, detail="requested")
    transaction.on_commit(lambda: _enqueue_reset(identifier))


def _enqueue_reset(identifier: str) -> None:
    from django_q.tasks import async_task

    async_task("commonground.accounts.tasks.send_password_reset", identifier)


RESET_RESEND_MINUTES = 5


@transaction.atomic
def send_password_reset(identifier: str) -> bool:
    """The job behind `request_password_reset`: an e-mail only to an active account with an address,
    and at most one every few minutes (a flood of requests sends no flood of e-mails)."""
    user = (
        User.objects.filter(is_active=True, username=identifier).first()
        or User.objects.filter(is_active=True, email__iexact=identifier).first()
    )
    if user is None or not user.email or not user.has_usable_password():
        return False
    recent = clock.now() - timedelta(minutes=RESET_RESEND_MINUTES)
    if OneTimeLink.objects.filter(user=user, purpose=LinkPurpose.PASSWORD_RESET, created_at__gt=recent).exists():
        return False
    issued = _issue_reset_link(user, with_code=False)
    send_email(
        to=user.email,
        subject=_("Resetting your Common Ground password"),
        template="accounts/emails/password_reset.txt",
        context={
            "url": f"{settings.SITE_URL}/accounts/reset/{issued.token}/",
            "minutes": settings.PASSWORD_RESET_MINUTES,
        },
    )
    return True


@transaction.atomic
def issue_reset_code(user: User, *, issued_by: User) -> IssuedLink:
    """For a patient without e-mail who forgot their password: a printed code from the care team."""
    issued = _issue_reset_link(user, with_code=True, issued_by=issued_by, days=settings.INVITATION_DAYS)
    record_security_event(
        Action.PASSWORD_RESET_REQUESTED, object_type="account", object_id=str(user.id), detail="printed code"
    )
    return issued


def _issue_reset_link(user: User, *, with_code: bool, issued_by: User | None = None, days: int = 0) -> IssuedLink:
    OneTimeLink.objects.filter(user=user, purpose=LinkPurpose.PASSWORD_RESET, used_at__isnull=True).update(
        expires_at=clock.now()
    )
    token = secrets.new_link_token()
    code = secrets.new_printed_code() if with_code else ""
    lifetime = timedelta(days=days) if days else timedelta(minutes=settings.PASSWORD_RESET_MINUTES)
    link = OneTimeLink.objects.create(
        user=user,
        purpose=LinkPurpose.PASSWORD_RESET,
        token_hash=secrets.digest(token),
        code_hash=secrets.digest(code) if code else None,
        expires_at=clock.now() + lifetime,
        created_by=issued_by,
    )
    return IssuedLink(link=link, token=token, code=code)


# --- API tokens ------------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(user: User, *, name: str, scope: str, days: int, created_by: User) -> tuple[ApiToken, str]:
    """Returns the token once; only its hash is kept."""
    if not name.strip():
        raise DomainError(_("Say what the token is for."), field="name")
    if scope not in TokenScope.values:
        raise DomainError(_("Choose read or read and write."), field="scope")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise DomainError(_("A token lasts 1 to %(days)d days.") % {"days": settings.API_TOKEN_MAX_DAYS}, field="days")
    if not user.is_active:
        raise DomainError(_("This account is not active."))
    secret = secrets.new_api_token()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scope=scope,
        prefix=secret[:10],
        token_hash=secrets.digest(secret),
        expires_at=clock.now() + timedelta(days=days),
    )
    record_security_event(
        Action.TOKEN_CREATED, object_type="api_token", object_id=str(token.id), detail=f"for {user.username}, {scope}"
    )
    return token, secret


def authenticate_token(secret: str) -> ApiToken | None:
    if not secret.startswith(secrets.API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(token_hash=secrets.digest(secret), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    now = clock.now()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke_api_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    record_security_event(Action.TOKEN_REVOKED, object_type="api_token", object_id=str(token.id))


# --- accounts ---------------------------------------------------------------------------------------


@transaction.atomic
def create_staff_account(
    *,
    organisation: Any,
    username: str,
    display_name: str,
    role: str,
    email: str = "",
    password: str | None = None,
    can_break_glass: bool = False,
) -> User:
    user = User.objects.create_user(
        username,
        password,
        organisation=organisation,
        display_name=display_name,
        email=email,
        kind=AccountKind.STAFF,
        role=role,
        can_break_glass=can_break_glass,
        is_staff=role == "administrator",
    )
    record_security_event(
        Action.ROLE_CHANGE, object_type="account", object_id=str(user.id), detail=f"created as {role}"
    )
    return user


def change_role(user: User, *, role: str, changed_by: User) -> User:
    user.role = role
    user.is_staff = role == "administrator"
    user.save(update_fields=["role", "is_staff"])  # the role change is audited by accounts.signals
    return user


def end_access(user: User) -> None:
    """Everything that lets an account in ends now: sessions, API tokens, unused links."""
    end_all_sessions(user)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
    OneTimeLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=clock.now())


@transaction.atomic
def deactivate_account(user: User, *, reason: str) -> None:
    """Sessions and tokens end at once; the account stays for the record."""
    user.is_active = False
    user.deactivated_at = clock.now()
    user.deactivated_reason = reason[:300]
    user.save(update_fields=["is_active", "deactivated_at", "deactivated_reason"])  # signals end its access
    record_security_event(Action.ACCOUNT_CHANGE, object_type="account", object_id=str(user.id), detail="deactivated")
