"""The documented maintenance path around the append-only guard.

The application never calls this. It exists for two operator tasks only: the test suite's proof that
tampering is detected (it must get past the guard to tamper), and restoring a database from backup.
Every use is visible: it is a context manager that drops the guard and puts it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from commonground.audit import triggers


@contextmanager
def append_only_guard_lifted() -> Iterator[None]:
    with connection.cursor() as cursor:
        for statement in triggers.drop_statements(connection.vendor):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in triggers.create_statements(connection.vendor):
                cursor.execute(statement)
