"""For the SQLite engine's tests: connections of their own to a database file, outside the test database."""

from __future__ import annotations

from typing import Any

from django.db import connections

from commonground.kit.sqlite.base import DatabaseWrapper


def file_connection(name: str, alias: str, **options: Any) -> DatabaseWrapper:
    """A connection through the project's SQLite engine, with `BEGIN IMMEDIATE` and the given options."""
    settings = dict(connections["default"].settings_dict)
    settings.update(
        NAME=name,
        ENGINE="commonground.kit.sqlite",
        OPTIONS={"transaction_mode": "IMMEDIATE", **options},
        CONN_MAX_AGE=0,
    )
    return DatabaseWrapper(settings, alias=alias)
