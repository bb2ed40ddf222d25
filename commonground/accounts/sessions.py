"""The server-side session store: Django's database sessions, refusing keys it could never have issued.

A forged cookie (say with an encoded NUL byte) is treated as no session at all, before any query,
instead of reaching the database (where PostgreSQL would refuse it with an error).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

SESSION_KEY = re.compile(r"[a-z0-9]{32,40}")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        return isinstance(key, str) and SESSION_KEY.fullmatch(key) is not None
