"""Errors the domains raise and the web layers translate into plain messages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class DomainError(Exception):
    """A rule of the clinic was not met; `message` is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEdit(DomainError):
    """Somebody saved the record after the editor opened it."""

    def __init__(self, current: Any) -> None:
        super().__init__(
            gettext(
                "Someone else saved this record after you opened it. "
                "Your changes were not saved; compare both versions and try again."
            )
        )
        self.current = current


class NotFound(Exception):
    """Not found and not yours look the same: both become 404."""
