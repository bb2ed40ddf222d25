"""The password backend: Django's, with the signed-in user read through a prepared read.

Every request reads its user by the id in the session (`django.contrib.auth.get_user`). Django's
`ModelBackend.get_user` builds and compiles that query each time; here it is compiled once per
connection (kit/prepared.py) and answers the same: the active user with that id, or None.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import UUIDField

from commonground.accounts.models import User
from commonground.kit.prepared import Param, PreparedRead

USER_BY_ID = PreparedRead(lambda: User.objects.filter(pk=Param("user", UUIDField()))[:1])


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            user = USER_BY_ID.first(user=user_id)
        except (ValueError, TypeError, ValidationError):  # an id that was never a user's
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
