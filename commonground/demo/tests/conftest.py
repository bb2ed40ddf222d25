"""The demo clinic, loaded once for this package's tests (it takes seconds) and rolled back after them.

Each test still runs in its own savepoint (the `db` fixture), so a test that writes leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from commonground.demo.seed import SeedResult, load_demo_clinic


@pytest.fixture(scope="package")
def demo_clinic(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SeedResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo_clinic()
        yield result
        transaction.set_rollback(True)
