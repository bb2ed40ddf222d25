"""The server-side session store: Django's database sessions, refusing keys it could never have issued.

A forged cookie (say with an encoded NUL byte) is treated as no session at all, before any query,
instead of reaching the database (where PostgreSQL would refuse it with an error).

Every request reads its session, so the read is one plain statement rather than an ORM query: the same SQL
Django's `SessionStore.load` sends, without building and compiling a query each time (about a third of a
millisecond per request; docs/benchmarks.md, "What we learned"). Writing stays Django's.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

SESSION_KEY = re.compile(r"[a-z0-9]{32,40}")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        return isinstance(key, str) and SESSION_KEY.fullmatch(key) is not None

    def load(self) -> dict[str, Any]:
        data = self._stored_session_data()
        if data is None:
            self._session_key = None  # as Django's: an unknown or expired key is no session
            return {}
        return self.decode(data)

    def _stored_session_data(self) -> str | None:
        """The columns of Django's `AbstractBaseSession`; only the table name comes from the model."""
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        return None if row is None else str(row[0])
