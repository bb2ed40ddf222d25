"""Helpers the domains' API routers share: write scope for tokens."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja.errors import HttpError

from commonground.accounts.choices import TokenScope


def require_write(request: Any) -> None:
    token = getattr(request, "api_token", None)
    if token is not None and token.scope != TokenScope.WRITE:
        raise HttpError(403, _("This token may only read."))
