"""API test helpers: tokens for the personas and clients that send them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import User
from commonground.accounts.services import create_api_token


def issue_token(user: User, scope: str = "write", days: int = 30) -> str:
    _token, secret = create_api_token(user, name="integration test", scope=scope, days=days, created_by=user)
    return secret


def bearer_client(secret: str, **kwargs: Any) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"}, **kwargs)


@pytest.fixture
def api_as() -> Callable[..., Client]:
    """`api_as(user, scope="write")`: a client that authenticates with a fresh token of that user."""

    def make(user: User, scope: str = "write") -> Client:
        return bearer_client(issue_token(user, scope))

    return make
