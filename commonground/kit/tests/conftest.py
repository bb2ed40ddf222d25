"""Fixtures of the kit's tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def own_connections(django_db_blocker: Any) -> Any:
    """For tests that open their own connections to a database file: the test database's guard is not for them."""
    with django_db_blocker.unblock():
        yield
