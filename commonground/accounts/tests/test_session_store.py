"""The session store reads a session with one plain statement: it must find exactly what Django's would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangosStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from commonground.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data: object) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_a_saved_session_is_read_back_as_djangos_store_reads_it() -> None:
    key = _saved(colour="blue", count=3)
    assert dict(SessionStore(key).items()) == {"colour": "blue", "count": 3}
    assert dict(SessionStore(key).items()) == dict(DjangosStore(key).items())


def test_an_expired_session_is_no_session() -> None:
    key = _saved(colour="blue")
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert dict(store.items()) == {}
    assert store.session_key is None


def test_an_unknown_key_is_no_session_and_is_not_kept() -> None:
    store = SessionStore("a" * 32)
    assert dict(store.items()) == {}
    assert store.session_key is None


def test_a_key_it_could_never_have_issued_never_reaches_the_database(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    store = SessionStore("abc\x00def" + "a" * 30)
    with django_assert_num_queries(0):
        assert dict(store.items()) == {}
