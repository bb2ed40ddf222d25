"""Security events from Django's and axes' signals into the audit trail."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from commonground.accounts.models import User
from commonground.audit import context as audit_context
from commonground.audit.choices import Action, Outcome
from commonground.audit.services import record_security_event


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_context.identify(user.id, user.username, user.role or user.kind, user.organisation_id)
    record_security_event(Action.LOGIN)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).values_list("id", "organisation_id").first()
    record_security_event(
        Action.LOGIN_FAILED,
        outcome=Outcome.FAILURE,
        actor_id=known[0] if known else None,
        actor_username=username,
        organisation_id=known[1] if known else None,
        survive_rollback=True,
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    known = User.objects.filter(username=username).values_list("id", "organisation_id").first()
    record_security_event(
        Action.LOCKOUT,
        outcome=Outcome.DENIED,
        actor_id=known[0] if known else None,
        actor_username=str(username)[:150],
        organisation_id=known[1] if known else None,
        survive_rollback=True,
    )


WATCHED_FIELDS = ("role", "kind", "is_active", "is_staff", "can_break_glass", "organisation_id", "email")
# Compared, never written into the audit detail.
SECRET_FIELDS = ("password",)


@receiver(pre_save, sender=User)
def _remember_previous_role(sender: Any, instance: User, **kwargs: Any) -> None:
    previous = (
        User.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS, *SECRET_FIELDS).first() if instance.pk else None
    )
    instance._previous_access = previous  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _role_or_status_changed(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """However an account changes (a service, the admin site), a role or status change is audited,
    and a deactivated account's sessions end at once."""
    previous = getattr(instance, "_previous_access", None)
    if created or not previous:
        return
    if previous["password"] != instance.password:
        record_security_event(Action.PASSWORD_CHANGED, object_type="account", object_id=str(instance.id))
    changed = [name for name in WATCHED_FIELDS if previous[name] != getattr(instance, name)]
    if not changed:
        return
    detail = ", ".join(f"{name}: {previous[name]} -> {getattr(instance, name)}" for name in changed if name != "email")
    if "email" in changed:
        detail = ", ".join(filter(None, [detail, "e-mail changed"]))
    record_security_event(Action.ROLE_CHANGE, object_type="account", object_id=str(instance.id), detail=detail)
    if previous["is_active"] and not instance.is_active:
        from commonground.accounts.services import end_access  # services import this module's app

        end_access(instance)
