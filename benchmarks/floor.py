"""The floor: a plain WSGI application (no framework, no session machinery, no template) that replays the
application's own SQL for one request, audit insert included, in one transaction, and answers the rows it
read as minimal JSON.

Served by the same gunicorn as the application: `gunicorn benchmarks.floor:application`, with
BENCH_FLOOR_SCRIPT naming the script `benchmarks.capture` wrote and DATABASE_URL the working copy.
`GET /` replays a list page; `GET /<patient id>` replays a one-patient page for that patient.
The current time and a fresh request id take the place the application gives them; on SQLite the
transaction is `BEGIN IMMEDIATE`, as the application's (settings: transaction_mode IMMEDIATE).
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
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


def _placeholder(param: list[Any]) -> str | None:
    if param[0] in ("now", "patient"):
        return f"{param[0]}:{param[1]}"
    if param[0] == "request_id":
        return "request_id"
    return None


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
    return param[1]


class Floor:
    def __init__(self, script: dict[str, Any], database_url: str) -> None:
        self.sqlite = script["backend"] == "sqlite"
        self.database_url = database_url
        self.statements = [Statement(item, self.sqlite) for item in script["statements"]]
        self._connection: Any = None

    def connection(self) -> Any:
        """One connection per worker process, opened after the fork, kept open."""
        if self._connection is None:
            if self.sqlite:
                import sqlite3

                path = self.database_url.removeprefix("sqlite:///")
                self._connection = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
                for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
                    self._connection.execute(f"PRAGMA {pragma}")
            else:
                import psycopg

                conninfo = "postgresql://" + self.database_url.split("://", 1)[1]
                self._connection = psycopg.connect(conninfo, cursor_factory=psycopg.ClientCursor)
        return self._connection

    def replay(self, patient: str | None) -> list[Any]:
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "now:datetime": now,
            "now:sqlite": str(now.replace(tzinfo=None)),
            "request_id": uuid.uuid4().hex,
        }
        if patient:
            patient_id = uuid.UUID(patient)
            values.update({"patient:uuid": patient_id, "patient:hex": patient_id.hex, "patient:str": str(patient_id)})
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
            rows = _the_floor().replay(path.strip("/") or None)
            body = json.dumps({"rows": rows}, default=str).encode()
        except Exception as error:
            status, body = "500 Internal Server Error", json.dumps({"error": repr(error)}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}"),
    ]
    start_response(status, headers)
    return [body]
