"""The session store reads a session with one plain statement: it must find exactly what Django's would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangosStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_on_postgresql_a_session_saved_alone_does_not_wait_for_the_disk() -> None:
    key = _saved(colour="blue")
    store = SessionStore(key)
    store["colour"] = "green"
    with CaptureQueriesContext(connection) as queries:
        if connection.vendor == "postgresql":
            store.save_without_waiting(connection, must_create=False)  # as `save` does outside a transaction
        else:
            store.save()
    sent = [query["sql"] for query in queries.captured_queries]
    assert dict(SessionStore(key).items()) == {"colour": "green"}
    if connection.vendor == "postgresql":
        assert sent[0] == "SET LOCAL synchronous_commit TO OFF" and sent[1].startswith('UPDATE "django_session"')
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "off"  # for this (the test's) transaction only: `SET LOCAL`
    else:
        assert not any("synchronous" in sql for sql in sent)  # SQLite's commits wait as configured


def test_a_session_saved_inside_a_larger_transaction_joins_it_unchanged() -> None:
    key = _saved(colour="blue")
    store = SessionStore(key)
    store["colour"] = "red"
    with CaptureQueriesContext(connection) as queries:
        store.save()  # the test's own transaction is around it, as a sign-in's is
    assert not any("synchronous" in query["sql"] for query in queries.captured_queries)
    assert dict(SessionStore(key).items()) == {"colour": "red"}
