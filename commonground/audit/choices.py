from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("Read")
    LIST = "list", _("Listed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    ENTERED_IN_ERROR = "entered_in_error", _("Marked entered in error")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKOUT = "lockout", _("Account locked")
    LOGOUT = "logout", _("Signed out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    ROLE_CHANGE = "role_change", _("Role or permission changed")
    ACCOUNT_CHANGE = "account_change", _("Account changed")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    INVITATION_SENT = "invitation_sent", _("Invitation created")
    INVITATION_USED = "invitation_used", _("Invitation used")
    BREAK_GLASS = "break_glass", _("Emergency access started")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILURE = "failure", _("Failure")


SECURITY_ACTIONS = frozenset(
    {
        Action.LOGIN,
        Action.LOGIN_FAILED,
        Action.LOCKOUT,
        Action.LOGOUT,
        Action.SESSION_EXPIRED,
        Action.ACCESS_REFUSED,
        Action.ROLE_CHANGE,
        Action.ACCOUNT_CHANGE,
        Action.TOKEN_CREATED,
        Action.TOKEN_REVOKED,
        Action.PASSWORD_RESET_REQUESTED,
        Action.PASSWORD_CHANGED,
        Action.INVITATION_SENT,
        Action.INVITATION_USED,
        Action.BREAK_GLASS,
    }
)
