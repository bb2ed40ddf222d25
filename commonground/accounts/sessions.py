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

from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
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

    def save(self, must_create: bool = False) -> None:
        """Django's save; on PostgreSQL, a session saved in a transaction of its own does not wait for the
        write-ahead log to reach the disk (`synchronous_commit` off for that transaction only, decision 0026).

        The session holds who is signed in, when they were last active and the next page's message; a crash
        of the database server in the fraction of a second before the log is flushed could lose that write
        (the person signs in again, a message is not shown), never a clinical record or an audit event, whose
        transactions still wait. Inside a larger transaction (signing in) the save joins it and changes
        nothing about it.
        """
        connection = connections[router.db_for_write(self.model)]
        if connection.vendor != "postgresql" or connection.in_atomic_block or self.session_key is None:
            super().save(must_create=must_create)  # a new key: Django's `create` comes back here
            return
        self.save_without_waiting(connection, must_create=must_create)

    def save_without_waiting(self, connection: Any, *, must_create: bool) -> None:
        """Django's `save` as one transaction: the setting first, then the row (no savepoint around it)."""
        loaded: Any = self
        session = self.create_model_instance(loaded._get_session(no_load=must_create))
        try:
            with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                session.save(force_insert=must_create, force_update=not must_create, using=connection.alias)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
