"""Decision 0021: on a SQLite file, writers wait their turn for the write lock in a queue.

These open their own connections to a temporary database file, outside the test database.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from commonground.kit.sqlite.base import DatabaseWrapper
from commonground.kit.tests.sqlite_files import file_connection


def _wrapper(name: str, alias: str, busy_timeout: float = 20) -> DatabaseWrapper:
    return file_connection(name, alias, timeout=busy_timeout)


pytestmark = pytest.mark.usefixtures("own_connections")


@pytest.fixture
def database(tmp_path: Path) -> str:
    name = str(tmp_path / "queue.sqlite3")
    first = _wrapper(name, "first")
    first.ensure_connection()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE visit (who TEXT)")
    first.close()
    return name


def _begin(wrapper: DatabaseWrapper) -> None:
    wrapper.ensure_connection()
    wrapper._start_transaction_under_autocommit()


def _insert(wrapper: DatabaseWrapper, who: str) -> None:
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO visit VALUES (%s)", [who])


def _writer_in_thread(name: str, who: str, done: list[str]) -> threading.Thread:
    def write() -> None:
        # No busy handler at all: without the queue, BEGIN IMMEDIATE would fail at once ("database is locked").
        wrapper = _wrapper(name, who, busy_timeout=0)
        _begin(wrapper)
        _insert(wrapper, who)
        wrapper.commit()
        done.append(who)
        wrapper.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def _visits(name: str) -> list[Any]:
    reader = _wrapper(name, "reader")
    with reader.cursor() as cursor:
        cursor.execute("SELECT who FROM visit ORDER BY rowid")
        rows = [row[0] for row in cursor.fetchall()]
    reader.close()
    return rows


def test_a_second_writer_waits_until_the_first_commits(database: str) -> None:
    first = _wrapper(database, "first")
    _begin(first)
    _insert(first, "first")
    done: list[str] = []
    second = _writer_in_thread(database, "second", done)
    second.join(timeout=0.3)
    assert second.is_alive() and done == []  # waiting for its turn, not failed
    first.commit()
    second.join(timeout=10)
    assert done == ["second"]
    assert _visits(database) == ["first", "second"]
    first.close()


def test_a_rollback_ends_the_turn(database: str) -> None:
    first = _wrapper(database, "first")
    _begin(first)
    _insert(first, "rolled back")
    first.rollback()
    done: list[str] = []
    _writer_in_thread(database, "second", done).join(timeout=10)
    assert done == ["second"]
    assert _visits(database) == ["second"]
    first.close()


def test_closing_a_connection_in_a_transaction_ends_the_turn(database: str) -> None:
    first = _wrapper(database, "first")
    _begin(first)
    first.close()
    done: list[str] = []
    _writer_in_thread(database, "second", done).join(timeout=10)
    assert done == ["second"]


def test_a_failed_begin_ends_the_turn(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _wrapper(database, "first")
    first.ensure_connection()

    def refuse(self: Any) -> None:
        raise RuntimeError("BEGIN refused")

    monkeypatch.setattr("django.db.backends.sqlite3.base.DatabaseWrapper._start_transaction_under_autocommit", refuse)
    with pytest.raises(RuntimeError):
        first._start_transaction_under_autocommit()
    monkeypatch.undo()
    assert first._holds_write_turn is False
    done: list[str] = []
    _writer_in_thread(database, "second", done).join(timeout=10)
    assert done == ["second"]
    first.close()


def test_an_in_memory_database_has_no_queue_file(tmp_path: Path) -> None:
    wrapper = _wrapper(":memory:", "memory")
    wrapper.ensure_connection()
    assert wrapper._writers_file is None
    _begin(wrapper)
    wrapper.commit()
    assert list(tmp_path.iterdir()) == []
