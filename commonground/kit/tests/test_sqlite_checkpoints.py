"""Decision 0023: on a SQLite file, the write-ahead log is copied into the database outside the write turn.

A row is in the database file itself only once a checkpoint has copied it there; a reader that ignores the
log (`immutable=1`) sees exactly what was checkpointed. These tests use their own database files.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.db import connections

from commonground.kit.sqlite import base
from commonground.kit.sqlite.base import DatabaseWrapper
from commonground.kit.tests.sqlite_files import file_connection


def _wrapper(name: str, alias: str = "writer") -> DatabaseWrapper:
    return file_connection(name, alias, init_command="PRAGMA journal_mode=WAL;")


pytestmark = pytest.mark.usefixtures("own_connections")


@pytest.fixture
def database(tmp_path: Path) -> str:
    name = str(tmp_path / "log.sqlite3")
    plain = sqlite3.connect(name)
    plain.execute("CREATE TABLE visit (who TEXT)")
    plain.commit()
    plain.execute("PRAGMA journal_mode=WAL")
    plain.close()  # the last connection to close checkpoints: the table is in the file
    return name


def _write(wrapper: DatabaseWrapper, who: str) -> None:
    wrapper.ensure_connection()
    wrapper._start_transaction_under_autocommit()
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO visit VALUES (%s)", [who])
    wrapper.commit()


def _in_the_database_file(name: str) -> list[str]:
    """The rows the database file itself holds, not counting the write-ahead log."""
    reader = sqlite3.connect(f"file:{name}?immutable=1", uri=True)
    try:
        return [row[0] for row in reader.execute("SELECT who FROM visit ORDER BY rowid")]
    finally:
        reader.close()


def test_the_automatic_checkpoint_inside_commit_is_off(database: str) -> None:
    wrapper = _wrapper(database)
    wrapper.ensure_connection()
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 0
    wrapper.close()


def test_outside_a_request_a_commit_checkpoints_when_a_second_has_passed(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = _wrapper(database)
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_SECONDS", 3600.0)
    _write(wrapper, "too soon")
    assert _in_the_database_file(database) == []
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_SECONDS", 0.0)
    _write(wrapper, "due")
    assert _in_the_database_file(database) == ["too soon", "due"]
    wrapper.close()


def test_in_a_request_the_checkpoint_waits_until_the_response_is_sent(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_SECONDS", 0.0)
    wrapper = _wrapper(database)
    wrapper.ensure_connection()
    wrapper._in_request = True
    _write(wrapper, "during the request")
    assert _in_the_database_file(database) == []
    monkeypatch.setattr(connections, "all", lambda initialized_only=False: [wrapper])
    request_finished.send(sender=None)
    assert wrapper._in_request is False
    assert _in_the_database_file(database) == ["during the request"]
    wrapper.close()


def test_a_write_in_autocommit_is_checkpointed_too(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_SECONDS", 0.0)
    wrapper = _wrapper(database)
    with wrapper.cursor() as cursor:  # no transaction: SQLite commits the statement by itself
        cursor.execute("INSERT INTO visit VALUES (%s)", ["in autocommit"])
    assert _in_the_database_file(database) == []
    wrapper.checkpoint_when_due()
    assert _in_the_database_file(database) == ["in autocommit"]
    wrapper.close()


def test_closing_checkpoints_what_is_left_however_recent(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_SECONDS", 3600.0)
    keep_open = sqlite3.connect(database)  # so that SQLite's own checkpoint at the last close does not run
    keep_open.execute("SELECT count(*) FROM visit").fetchall()
    wrapper = _wrapper(database)
    _write(wrapper, "just now")
    assert _in_the_database_file(database) == []
    wrapper.close()
    assert _in_the_database_file(database) == ["just now"]
    keep_open.close()


def test_a_connection_that_only_read_does_not_checkpoint(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = sqlite3.connect(database)
    plain.execute("PRAGMA wal_autocheckpoint=0")
    plain.execute("INSERT INTO visit VALUES ('someone else')")
    plain.commit()  # kept open: its closing would checkpoint
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_SECONDS", 0.0)
    wrapper = _wrapper(database)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visit")
    wrapper.checkpoint_when_due()
    assert _in_the_database_file(database) == []
    wrapper.close()
    plain.close()


def test_request_signals_mark_the_connections_serving_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper = _wrapper(":memory:")
    monkeypatch.setattr(connections, "all", lambda initialized_only=False: [wrapper])
    request_started.send(sender=None)
    assert wrapper._in_request is True
    request_finished.send(sender=None)
    assert wrapper._in_request is False
