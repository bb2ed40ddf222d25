"""The floor: a plain WSGI application (no framework, no session machinery, no template) that replays the
application's own SQL for one request, audit insert included, in one transaction, and answers the rows it
read as minimal JSON.

Served by the same gunicorn as the application: `gunicorn benchmarks.floor:application`, with
BENCH_FLOOR_SCRIPT naming the script `benchmarks.capture` wrote and DATABASE_URL the working copy.
`GET /` replays a list page; `GET /<patient id>` replays a one-patient page for that patient; in general the
path gives, in order, the values the script names as rotating (`GET /<patient>/<user>/<version>/<day>` for a
diary entry). The current time, a fresh request id and fresh ids for the rows a request inserts (the script's
`fresh` names) take the place the application gives them; on SQLite the transaction is `BEGIN IMMEDIATE`, as the
application's (settings: transaction_mode IMMEDIATE), and the write-ahead log is checkpointed as the
application's engine does it (decision 0023): not inside `COMMIT`, but passively, at most once a second, after
the response is sent.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

QMARK = re.compile(r"(?<!%)%s")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Parameters:
    """One statement's parameters: constants decoded once, placeholders filled per request."""

    def __init__(self, params: list[list[Any]]) -> None:
        self.constants: list[Any] = []
        # (position, index inside an array parameter or None, placeholder name)
        self.slots: list[tuple[int, int | None, str]] = []
        for position, param in enumerate(params):
            if param[0] == "list":
                items = []
                for index, item in enumerate(param[1]):
                    name = _placeholder(item)
                    if name:
                        self.slots.append((position, index, name))
                    items.append(None if name else _constant(item))
                self.constants.append(items)
            else:
                name = _placeholder(param)
                if name:
                    self.slots.append((position, None, name))
                self.constants.append(None if name else _constant(param))
        self.arrays_to_copy = sorted({position for position, index, _ in self.slots if index is not None})

    def fill(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.constants)
        for position in self.arrays_to_copy:
            params[position] = list(params[position])
        for position, index, name in self.slots:
            if index is None:
                params[position] = values[name]
            else:
                params[position][index] = values[name]
        return params


class Statement:
    """One captured statement: run once, or (`many`) with executemany over several parameter rows."""

    def __init__(self, item: dict[str, Any], sqlite: bool) -> None:
        self.sql = QMARK.sub("?", item["sql"]).replace("%%", "%") if sqlite else item["sql"]
        self.many = bool(item.get("many"))
        self.rows = [Parameters(row) for row in item["rows"]] if self.many else [Parameters(item["params"])]

    def run(self, cursor: Any, values: dict[str, Any]) -> None:
        if self.many:
            cursor.executemany(self.sql, [row.fill(values) for row in self.rows])
        else:
            cursor.execute(self.sql, self.rows[0].fill(values))


CONSTANTS = frozenset({"null", "v", "uuid", "datetime", "date", "decimal", "json", "list"})


def _placeholder(param: list[Any]) -> str | None:
    """`now:<form>`, `request_id`, or `<name>:<form>` for a named value (a patient, a day, a fresh id)."""
    if param[0] == "request_id":
        return "request_id"
    if param[0] in CONSTANTS:
        return None
    return f"{param[0]}:{param[1]}"


def _constant(param: list[Any]) -> Any:
    kind = param[0]
    if kind == "null":
        return None
    if kind == "uuid":
        return uuid.UUID(param[1])
    if kind == "datetime":
        return datetime.fromisoformat(param[1])
    if kind == "date":
        return date.fromisoformat(param[1])
    if kind == "decimal":
        return Decimal(param[1])
    if kind == "json":
        from psycopg.types.json import Jsonb  # only PostgreSQL's scripts hold JSON parameters

        return Jsonb(param[1])
    return param[1]


def _uuid_forms(name: str, value: uuid.UUID) -> dict[str, Any]:
    return {f"{name}:uuid": value, f"{name}:hex": value.hex, f"{name}:str": str(value)}


class Floor:
    def __init__(self, script: dict[str, Any], database_url: str) -> None:
        self.sqlite = script["backend"] == "sqlite"
        self.database_url = database_url
        self.statements = [Statement(item, self.sqlite) for item in script["statements"]]
        self.rotating: dict[str, str] = script.get("rotating", {})
        self.fresh: list[str] = script.get("fresh", [])
        self._connection: Any = None
        self._last_checkpoint = time.monotonic()

    def connection(self) -> Any:
        """One connection per worker process, opened after the fork, kept open."""
        if self._connection is None:
            if self.sqlite:
                import sqlite3

                sqlite3.register_adapter(Decimal, str)  # as Django's SQLite backend does
                path = self.database_url.removeprefix("sqlite:///")
                self._connection = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
                for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=0"):
                    self._connection.execute(f"PRAGMA {pragma}")
            else:
                import psycopg

                conninfo = "postgresql://" + self.database_url.split("://", 1)[1]
                self._connection = psycopg.connect(conninfo, cursor_factory=psycopg.ClientCursor)
        return self._connection

    def replay(self, parts: list[str]) -> list[Any]:
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "now:datetime": now,
            "now:sqlite": str(now.replace(tzinfo=None)),
            "request_id": uuid.uuid4().hex,
        }
        for (name, kind), text in zip(self.rotating.items(), parts, strict=True):
            if kind == "uuid":
                values.update(_uuid_forms(name, uuid.UUID(text)))
            else:
                values.update({f"{name}:date": date.fromisoformat(text), f"{name}:str": text})
        for name in self.fresh:
            values.update(_uuid_forms(name, uuid.uuid4()))
        connection = self.connection()
        rows: list[Any] = []
        cursor = connection.cursor()
        try:
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            for statement in self.statements:
                statement.run(cursor, values)
                if not statement.many and cursor.description is not None:
                    rows.extend(cursor.fetchall())
            if self.sqlite:
                cursor.execute("COMMIT")
            else:
                connection.commit()
        except Exception:
            if self.sqlite:
                cursor.execute("ROLLBACK") if connection.in_transaction else None
            else:
                connection.rollback()
            raise
        finally:
            cursor.close()
        return rows

    def checkpoint_when_due(self) -> None:
        if self.sqlite and self._connection is not None and time.monotonic() - self._last_checkpoint >= 1.0:
            self._last_checkpoint = time.monotonic()
            try:
                self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except Exception:  # busy: the next one copies it
                return


class Answer(list[bytes]):
    """The response body; closed by the server once it is sent, which is when the floor checkpoints."""

    def close(self) -> None:
        if _floor is not None:
            _floor.checkpoint_when_due()


_floor: Floor | None = None


def _the_floor() -> Floor:
    global _floor
    if _floor is None:
        with open(os.environ["BENCH_FLOOR_SCRIPT"]) as handle:
            _floor = Floor(json.load(handle), os.environ["DATABASE_URL"])
    return _floor


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    started = time.perf_counter()
    path = environ.get("PATH_INFO", "/")
    status = "200 OK"
    if path == "/health":
        body = b'{"status": "ok"}'
    else:
        try:
            parts = [part for part in path.strip("/").split("/") if part]
            rows = _the_floor().replay(parts)
            body = json.dumps({"rows": rows}, default=str).encode()
        except Exception as error:
            status, body = "500 Internal Server Error", json.dumps({"error": repr(error)}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}"),
    ]
    start_response(status, headers)
    return Answer([body])
