"""Decision 0009 and 0016: a writing request is one transaction around its view, unless the view is marked
`service_is_the_transaction`, when its one service call holds the transaction and its reads run before it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from commonground.kit.http import service_is_the_transaction
from commonground.kit.middleware import WritesAreAtomicMiddleware

# The test itself runs inside a transaction (the audit trail's triggers forbid flushing the database), so
# what is measured is whether the middleware opened one more around the view.
pytestmark = pytest.mark.django_db


def _in_transaction_while_viewing(view: Any, method: str) -> bool:
    seen: list[bool] = []
    outside = len(connection.atomic_blocks)

    def spy(request: Any) -> HttpResponse:
        seen.append(len(connection.atomic_blocks) > outside)
        return HttpResponse()

    marked = service_is_the_transaction(spy) if view == "marked" else spy
    middleware = WritesAreAtomicMiddleware(lambda request: HttpResponse())
    request = getattr(RequestFactory(), method)("/")
    response = middleware.process_view(request, marked, (), {})
    if response is None:  # the middleware left the view to the handler: call it as Django would
        marked(request)
    return seen[0]


def test_a_post_runs_its_view_in_one_transaction() -> None:
    assert _in_transaction_while_viewing("plain", "post") is True


def test_a_read_runs_in_autocommit() -> None:
    assert _in_transaction_while_viewing("plain", "get") is False


def test_a_view_whose_service_is_the_transaction_reads_in_autocommit() -> None:
    assert _in_transaction_while_viewing("marked", "post") is False
