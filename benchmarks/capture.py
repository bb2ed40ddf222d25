"""Capture the application's real SQL for one request, in-process, as the floor's script; and profile it.

Run as `python -m benchmarks.capture SCENARIO OUT.json` with the application's environment (DATABASE_URL
naming the floor's working copy). It signs in as bench-coordinator through the real sign-in page, warms the
page, then records every statement of one request exactly as Django hands it to the driver (SQL with its
parameters). Parameters that change per request become placeholders: the current time, the request id and,
for pages of one patient, that patient's id (`benchmarks.diary_submit` captures a POST with the same pieces,
naming the patient, account, diary version and day, and the fresh ids of the rows it inserts). It then times a
few dozen requests in-process, splitting the time into SQL, template rendering and the rest, and keeps a cProfile
of them.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

PROFILE_REQUESTS = 40
SQLITE_DATETIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?")


class Recorder:
    """A Django execute wrapper: keeps each statement, its parameters and its time."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append(
                {"sql": sql, "params": params, "many": many, "ms": (time.perf_counter() - started) * 1000}
            )


class Placeholders:
    """Turns a captured parameter into what the floor replays: a constant, or a placeholder filled per request.

    Placeholders: the current time, the request id, and named values — those the floor is given per request
    (`named`, e.g. a chart's patient; the floor's path names them in order) and those it makes fresh for each
    request (`fresh`, e.g. the id of a row the request inserts). A uuid is matched in each form Django hands the
    driver (UUID, 32-character hex, text), a date as a date or its ISO text.
    """

    def __init__(
        self,
        patient: str | None,
        request_id: str,
        window: tuple[datetime, datetime],
        *,
        named: dict[str, uuid.UUID | date] | None = None,
        fresh: dict[str, uuid.UUID] | None = None,
    ) -> None:
        self.request_id = request_id
        self.window = window
        self.named: dict[str, uuid.UUID | date] = {"patient": uuid.UUID(patient)} if patient else {}
        self.named.update(named or {})
        self.values: dict[str, uuid.UUID | date] = {**self.named, **(fresh or {})}

    @property
    def rotating(self) -> dict[str, str]:
        """The names the floor takes from its path, in order, with their type."""
        return {name: "uuid" if isinstance(value, uuid.UUID) else "date" for name, value in self.named.items()}

    def encode(self, value: Any) -> list[Any]:
        if value is None:
            return ["null"]
        if isinstance(value, bool | int | float):
            return ["v", value]
        if value == self.request_id:
            return ["request_id"]
        named = self._named(value)
        if named is not None:
            return named
        if isinstance(value, datetime):
            return ["now", "datetime"] if self._now(value) else ["datetime", value.isoformat()]
        if isinstance(value, str) and SQLITE_DATETIME.fullmatch(value):
            moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
            return ["now", "sqlite"] if self._now(moment) else ["v", value]
        if isinstance(value, uuid.UUID):
            return ["uuid", str(value)]
        if isinstance(value, date):
            return ["date", value.isoformat()]
        if isinstance(value, str):
            return ["v", value]
        if isinstance(value, Decimal):
            return ["decimal", str(value)]
        if type(value).__name__ == "Jsonb":  # PostgreSQL's JSON parameters (psycopg's Jsonb wrapper)
            return ["json", value.obj]
        # PostgreSQL: bulk_create sends one array per column (UNNEST), and the audit insert the listed patients
        # as one uuid[] (`unnest(%s::uuid[])`); each item is encoded, so a chart's patient stays a placeholder.
        if isinstance(value, list | tuple):
            return ["list", [self.encode(item) for item in value]]
        raise TypeError(f"cannot replay a parameter of type {type(value).__name__}")

    def _named(self, value: Any) -> list[Any] | None:
        for name, known in self.values.items():
            if isinstance(known, uuid.UUID):
                if value == known:
                    return [name, "uuid"]
                if value == known.hex:
                    return [name, "hex"]
                if value == str(known):
                    return [name, "str"]
            elif not isinstance(value, datetime):  # a datetime is a date too: never a day's placeholder
                if value == known:
                    return [name, "date"]
                if value == known.isoformat():
                    return [name, "str"]
        return None

    def _now(self, moment: datetime) -> bool:
        start, end = self.window
        return start - timedelta(seconds=1) <= moment <= end + timedelta(seconds=1)


def script_of(calls: list[dict[str, Any]], placeholders: Placeholders) -> list[dict[str, Any]]:
    statements = []
    for call in calls:
        if call["sql"].strip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT")):
            continue  # the floor runs everything in one transaction of its own
        if call["many"]:
            rows = [[placeholders.encode(value) for value in row] for row in call["params"]]
            statements.append({"sql": call["sql"], "many": True, "rows": rows})
        else:
            params = [placeholders.encode(value) for value in call["params"] or ()]
            statements.append({"sql": call["sql"], "params": params})
    return statements


@contextmanager
def template_timer() -> Iterator[list[float]]:
    """Time spent rendering Jinja2 templates (the project's pages), in ms per render."""
    from django.template.backends.jinja2 import Template

    spent: list[float] = []
    original = Template.render

    def timed(self: Any, context: Any = None, request: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    Template.render = timed  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        Template.render = original  # type: ignore[method-assign]


def profile(send: Callable[[int], Any], out_prefix: str, *, status: int = 200) -> dict[str, Any]:
    """Median in-process time of a request, its SQL and its template rendering; then a cProfile pass.

    `send(n)` makes the n-th request (0 to 1.5 × PROFILE_REQUESTS) and returns the response."""
    from django.db import connection

    totals, sql_times, template_times, counts = [], [], [], []
    for number in range(PROFILE_REQUESTS):
        recorder = Recorder()
        with template_timer() as rendered, connection.execute_wrapper(recorder):
            started = time.perf_counter()
            response = send(number)
            totals.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, response.status_code
        sql_times.append(sum(call["ms"] for call in recorder.calls))
        template_times.append(sum(rendered))
        counts.append(len(recorder.calls))
    profiler = cProfile.Profile()
    for number in range(PROFILE_REQUESTS, PROFILE_REQUESTS + PROFILE_REQUESTS // 2):
        profiler.enable()
        send(number)
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    with open(f"{out_prefix}.profile.txt", "w") as handle:
        handle.write(text.getvalue())
    middle = PROFILE_REQUESTS // 2
    return {
        "requests": PROFILE_REQUESTS,
        "statements": sorted(counts)[middle],
        "total_ms": round(sorted(totals)[middle], 2),
        "sql_ms": round(sorted(sql_times)[middle], 2),
        "template_ms": round(sorted(template_times)[middle], 2),
    }


def coordinator_patients() -> list[str]:
    from benchmarks.config import BENCH_COORDINATOR
    from commonground.careteam.models import CareTeamMember

    ids = (
        CareTeamMember.objects.filter(staff__username=BENCH_COORDINATOR, left_at__isnull=True)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
    )
    return [str(patient_id) for patient_id in ids]


def main() -> None:
    scenario_name, out_path = sys.argv[1], sys.argv[2]
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from benchmarks.config import BENCH_COORDINATOR, BENCH_PASSWORD
    from benchmarks.scenarios import PageScenario, get

    scenario = get(scenario_name)
    assert isinstance(scenario, PageScenario)
    client = Client()
    response = client.post("/accounts/sign-in/", {"username": BENCH_COORDINATOR, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"signing in as {BENCH_COORDINATOR} failed: {response.status_code}")
    patients = coordinator_patients()
    paths = scenario.paths(patients)
    for path in paths[:3]:  # a served worker is warm: imports done, templates compiled
        assert client.get(path).status_code == 200
    recorder = Recorder()
    started = datetime.now(UTC)
    with connection.execute_wrapper(recorder):
        response = client.get(paths[0])
    ended = datetime.now(UTC)
    assert response.status_code == 200, response.status_code
    complaint = scenario.check(response.content.decode(), patients[0])
    if complaint:
        raise SystemExit(f"{scenario.name}: {complaint}")
    placeholders = Placeholders(
        patients[0] if scenario.rotates_patients else None, response["X-Request-ID"], (started, ended)
    )
    script = {
        "scenario": scenario.name,
        "backend": connection.vendor,
        "patients": patients,
        "statements": script_of(recorder.calls, placeholders),
        "rotating": placeholders.rotating,
        "profile": profile(lambda n: client.get(paths[n % len(paths)]), out_path.removesuffix(".json")),
    }
    with open(out_path, "w") as handle:
        json.dump(script, handle, indent=1)


if __name__ == "__main__":
    main()
