"""Django's SQLite backend, with writers waiting in a queue instead of in SQLite's busy handler.

SQLite has one write lock. A connection that finds it taken sleeps in the busy handler in growing steps
(up to 100 ms) and looks again, so the lock sits idle while writers sleep, and a writer can be passed over
again and again: on the benchmark's diary submissions a p99 of 75 ms for 3 ms of work (decision 0021).

Here a connection takes an operating-system lock on a small file beside the database (`<name>-writers`)
before `BEGIN IMMEDIATE` and lets it go at `COMMIT` or `ROLLBACK`. Waiting writers block in the kernel
and the next one starts as soon as the lock is free. The SQLite lock is still taken as before, so a
process that does not use this backend (the `sqlite3` shell) stays safe; it only waits as it did.

Checkpoints, too, happen outside the write turn (decision 0023). SQLite's automatic checkpoint runs inside
`COMMIT` once the write-ahead log passes 1,000 pages: it copies the log into the database and waits for the
disk twice, 7-12 ms on this machine, while the committing writer still holds the lock and everyone behind it
waits. Here the automatic checkpoint is off; a connection that has changed rows asks for a passive checkpoint
(which never blocks writers or readers) at most once a second, when its request has been answered
(`request_finished`), or straight after a commit outside a request (a command, a task), and when it closes.

An in-memory database (the test suite's) has one connection and no file: it is left as Django has it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers_file: int | None = None
        self._holds_write_turn = False
        self._in_request = False
        self._changes_at_checkpoint = 0
        self._last_checkpoint = time.monotonic()

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            self._writers_file = os.open(f"{self.settings_dict['NAME']}-writers", os.O_RDWR | os.O_CREAT, 0o600)
            connection.execute("PRAGMA wal_autocheckpoint=0")
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        self._wait_for_write_turn()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._end_write_turn()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._end_write_turn()
            if not self._in_request:
                self.checkpoint_when_due()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._end_write_turn()

    def _close(self) -> Any:
        try:
            self.checkpoint_when_due(closing=True)
            return super()._close()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._end_write_turn()
            if self._writers_file is not None:
                os.close(self._writers_file)
                self._writers_file = None

    def _wait_for_write_turn(self) -> None:
        if (
            self._writers_file is None
            or self._holds_write_turn
            or getattr(self, "transaction_mode", None) != "IMMEDIATE"
        ):
            return
        fcntl.flock(self._writers_file, fcntl.LOCK_EX)
        self._holds_write_turn = True

    def _end_write_turn(self) -> None:
        if self._holds_write_turn and self._writers_file is not None:
            fcntl.flock(self._writers_file, fcntl.LOCK_UN)
        self._holds_write_turn = False

    def checkpoint_when_due(self, *, closing: bool = False) -> None:
        """A passive checkpoint, if this connection has changed rows since its last one (in a transaction or in
        autocommit) and that was a second ago or more; when closing, whenever it has changed rows."""
        raw = self.connection
        if raw is None or self._writers_file is None or raw.in_transaction:
            return
        changes = raw.total_changes
        if changes == self._changes_at_checkpoint:
            return
        if not closing and time.monotonic() - self._last_checkpoint < CHECKPOINT_EVERY_SECONDS:
            return
        self._last_checkpoint = time.monotonic()
        try:
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            return  # busy or locked: the next one copies it
        self._changes_at_checkpoint = changes


def _request_started(**_: Any) -> None:
    for connection in connections.all(initialized_only=True):
        if isinstance(connection, DatabaseWrapper):
            connection._in_request = True


def _request_finished(**_: Any) -> None:
    """After the response is sent: the checkpoint is housekeeping, nobody should wait for it."""
    for connection in connections.all(initialized_only=True):
        if isinstance(connection, DatabaseWrapper):
            connection._in_request = False
            connection.checkpoint_when_due()


def connect_request_signals() -> None:
    """Called once at start-up (`KitConfig.ready`): which connections are serving a request."""
    request_started.connect(_request_started, dispatch_uid="commonground.kit.sqlite.request_started")
    request_finished.connect(_request_finished, dispatch_uid="commonground.kit.sqlite.request_finished")
