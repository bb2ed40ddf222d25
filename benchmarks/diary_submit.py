"""diary_submit: a patient's day entry posted over HTTP, beside its floor (issue 6, item 11).

Each request is what a patient's phone sends when they tap "Save" on the day's entry: a POST to
`/portal/diary/days/<YYYY-MM-DD>/` of the typical entry (six ratings, hours and quality of sleep, one activity
done with its minutes and effort; the form's hidden submission key, fresh each time, and its CSRF token) by a
signed-in patient, through the real view — session, CSRF check, the patient's record through the gateway (its
audit event), the set-up, the form's validation against it, the service's checks, the insert of the entry and
its history row, the entry's audit event, the success message kept in the session — answered by the redirect to
the diary (302 to `/portal/diary/`, the only status counted as success).

Every request is a distinct valid write. A patient has one daily entry a day and may fill in today and the three
days before, so the requests go over a pool of diary patients: each posts today's entry, then (once every patient
has) yesterday's, and so on — at most 4 × the pool's size per side and round (the clinic's diary year ends five
days before it was built, so these days are free). The pool is every patient with a diary and a portal account
but the first `CAPTURE_PATIENTS`, kept for the capture.

Sessions are opened before any timing by the application's own sign-in service (`accounts.services.
begin_session`: Django's `login`, the session row, the sign-in's audit event), on the measured working copy —
not through the sign-in page, whose Argon2 check (~0.3-0.5 s of CPU here) would take minutes for the pool.
Each session has its own CSRF cookie and the masked token its forms carry, as a browser's.

The floor (as `benchmarks.floor` defines floors): the application's SQL for one such POST, captured in-process
(a reserved patient, today's entry) and replayed by the plain WSGI floor, with the patient, their account, their
diary version and the day taken from the floor's path, and fresh ids for the entry and the submission key — the
session and user reads, the patient, set-up and entry reads, the insert of the entry and its history row, both
audit inserts and the session's update, in one transaction.

`python -m benchmarks.diary_submit capture OUT.json` and `... sessions OUT.json` run inside the application's
environment (DATABASE_URL naming a working copy).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from benchmarks import measure
from benchmarks.config import BENCH_DIR, PYTHON, ROOT
from benchmarks.context import RunContext
from benchmarks.environment import app_env
from benchmarks.server import Server

NAME = "diary_submit"
CAPTURE_PATIENTS = 20  # reserved for the capture: its 64 writes never collide with the pool's
DAYS = 4  # today and the three days before it (services.LATE_DAYS)
ENTRY_PATH = "/portal/diary/days/{day}/"
REDIRECT = "/portal/diary/"
TARGET_P99_MS = 50.0
FRESH_FIELD = "submission_key"


def measure_submit(context: RunContext) -> list[dict[str, Any]]:
    config = context.config
    rounds: list[dict[str, Any]] = []
    capture: dict[str, Any] = {}
    for number in range(config.rounds):
        sides = ("floor", "app") if number % 2 == 0 else ("app", "floor")
        figures: dict[str, Any] = {}
        for side in sides:
            if side == "floor":
                figures["floor"], capture = _measure_floor(context, number)
            else:
                figures["app"] = _measure_app(context, number)
        rounds.append(figures)
        app, floor = figures["app"], figures["floor"]
        print(
            f"  {NAME} round {number + 1}/{config.rounds}: app p95 {_fmt(app['p95_ms'])} ms, p99 "
            f"{_fmt(app['p99_ms'])} ms, {app['rps']:.0f} req/s ({app['requests']:,} writes, {app['errors']} errors); "
            f"floor p99 {_fmt(floor['p99_ms'])} ms, {floor['rps']:.0f} req/s ({floor['requests']:,} writes)"
        )
    row = measure.rounds_row(context, NAME, rounds, capture)
    row["unit"] = "requests/s"
    row["pool"] = capture.get("pool")
    row["writes_per_round"] = capture.get("writes")
    row["target_stat"] = "p99"
    row["target_ms"] = TARGET_P99_MS
    row["target_share"] = measure.TARGET_FLOOR_SHARE
    row["target"] = f"p99 <= {TARGET_P99_MS:.0f} ms and rps >= {measure.TARGET_FLOOR_SHARE:.2f} x floor"
    row["target_met"] = bool(
        row["errors"] == 0
        and row["p99_ms"] is not None
        and row["p99_ms"] <= TARGET_P99_MS
        and (row["rps_ratio"] or 0) >= measure.TARGET_FLOOR_SHARE
    )
    return [row]


def _measure_floor(context: RunContext, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    store, config = context.store, context.config
    url = store.working_copy(f"{NAME}_floor")
    script_path = BENCH_DIR / "scripts" / f"{NAME}-{store.backend}.json"
    script_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        env = app_env(url)
        subprocess.run(
            [str(PYTHON), "-m", "benchmarks.diary_submit", "capture", str(script_path)], env=env, cwd=ROOT, check=True
        )
        capture: dict[str, Any] = json.loads(script_path.read_text())
        env["BENCH_FLOOR_SCRIPT"] = str(script_path)
        label = f"{NAME}-{store.backend}-floor-{number + 1}"
        with Server("benchmarks.floor:application", env, workers=config.workers, label=label) as server:
            result = measure.load(context, server.port, {"requests": capture["requests"], "once": True})
    finally:
        store.drop(url)
    return result, capture


def _measure_app(context: RunContext, number: int) -> dict[str, Any]:
    store, config = context.store, context.config
    url = store.working_copy(f"{NAME}_app")
    sessions_path = BENCH_DIR / "scripts" / f"{NAME}-{store.backend}-sessions.json"
    try:
        env = app_env(url)
        subprocess.run(
            [str(PYTHON), "-m", "benchmarks.diary_submit", "sessions", str(sessions_path)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        opened: dict[str, Any] = json.loads(sessions_path.read_text())
        plan = {
            "requests": opened["requests"],
            "sessions": opened["sessions"],
            "once": True,
            "fresh_field": FRESH_FIELD,
            "expect_status": 302,
            "expect_location": REDIRECT,
        }
        label = f"{NAME}-{store.backend}-app-{number + 1}"
        with Server("commonground.wsgi:application", env, workers=config.workers, label=label) as server:
            return measure.load(context, server.port, plan)
    finally:
        sessions_path.unlink(missing_ok=True)  # session keys: of no use once the copy is dropped
        store.drop(url)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


# --- inside the application's environment --------------------------------------------------------------------


def writers() -> list[dict[str, Any]]:
    """Every patient with a diary and a portal account, in the order of their user names."""
    from commonground.diary.models import DiarySetUp

    found = (
        DiarySetUp.objects.current()
        .filter(patient__user__isnull=False, current__isnull=False)
        .select_related("patient__user", "current")
        .order_by("patient__user__username")
    )
    return [
        {
            "patient": set_up.patient,
            "user": set_up.patient.user,
            "version": set_up.current.id,
            "definition": set_up.current.definition,
        }
        for set_up in found
    ]


def typical_form(definition: dict[str, Any]) -> dict[str, str]:
    """The typical entry, all taps: six ratings, hours and quality of sleep, the first activity done."""
    from commonground.diary.definitions import from_json

    parsed = from_json(definition)
    values = {"pain": "4", "fatigue": "6", "energy": "3", "mood": "5", "stress": "7", "ease": "4"}
    form = {f"rating-{key}": values.get(key, "5") for key in parsed.rating_keys}
    form |= {"sleep_hours": "6.5", "sleep_quality": "5"}
    if parsed.activities:
        key = parsed.activities[0].key
        form |= {f"done-{key}": "on", f"minutes-{key}": "30", f"effort-{key}": "6"}
    return form


def days_of(patient: Any) -> list[date]:
    """The days the patient may fill in: today (in their time zone) and the three before, newest first."""
    from commonground.diary.services import patient_today

    today = patient_today(patient)
    return [today - timedelta(days=back) for back in range(DAYS)]


def open_session(user: Any) -> str:
    """A signed-in session as the sign-in page leaves it (`begin_session`), without the password check."""
    from importlib import import_module

    from django.conf import settings
    from django.http import HttpRequest

    from commonground.accounts.services import begin_session
    from commonground.audit import context as audit_context

    request = HttpRequest()
    request.method = "POST"
    request.path = "/accounts/sign-in/"
    request.META.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "benchmarks.diary_submit"})
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    token = audit_context.begin(audit_context.AuditContext(request_id=uuid.uuid4().hex, client_address="127.0.0.1"))
    try:
        begin_session(request, user)
    finally:
        audit_context.end(token)
    key = request.session.session_key
    assert key is not None  # saved by begin_session
    return key


def open_sessions() -> dict[str, Any]:
    """A session, a CSRF cookie and the typical form for each patient of the pool; the requests in order."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.http import HttpRequest
    from django.middleware.csrf import get_token
    from django.utils.crypto import get_random_string

    pool = writers()[CAPTURE_PATIENTS:]
    sessions, days = [], []
    with transaction.atomic():
        for writer in pool:
            secret = get_random_string(32)
            browser = HttpRequest()
            browser.META["CSRF_COOKIE"] = secret
            cookies = {settings.SESSION_COOKIE_NAME: open_session(writer["user"]), settings.CSRF_COOKIE_NAME: secret}
            form = typical_form(writer["definition"]) | {"csrfmiddlewaretoken": get_token(browser)}
            sessions.append({"cookies": cookies, "form": form})
            days.append(days_of(writer["patient"]))
    requests = [
        ["POST", ENTRY_PATH.format(day=days[number][back].isoformat()), number]
        for back in range(DAYS)
        for number in range(len(pool))
    ]
    return {"sessions": sessions, "requests": requests}


def capture() -> dict[str, Any]:
    """The application's SQL for one typical POST (a reserved patient's entry for today), and its profile."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from benchmarks.capture import Placeholders, Recorder, profile, script_of
    from commonground.diary.models import DiaryEntry

    everyone = writers()
    reserved, pool = everyone[:CAPTURE_PATIENTS], everyone[CAPTURE_PATIENTS:]
    if len(reserved) < CAPTURE_PATIENTS or not pool:
        raise SystemExit(f"{NAME}: the clinic has {len(everyone)} diary patients with an account; too few")
    sessions = [open_session(writer["user"]) for writer in reserved]
    pairs = [
        (number, days_of(writer["patient"])[back]) for back in range(DAYS) for number, writer in enumerate(reserved)
    ]
    client = Client()

    def post(n: int, key: str | None = None) -> Any:
        number, day = pairs[n]
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[number]
        form = typical_form(reserved[number]["definition"]) | {FRESH_FIELD: key or str(uuid.uuid4())}
        return client.post(
            ENTRY_PATH.format(day=day.isoformat()), urlencode(form), content_type="application/x-www-form-urlencoded"
        )

    for n in range(3):  # a served worker is warm: imports done, the form and the services' paths run once
        _check(post(n))
    number, day = pairs[3]
    key = str(uuid.uuid4())
    recorder = Recorder()
    started = datetime.now(UTC)
    with connection.execute_wrapper(recorder):
        response = post(3, key)
    ended = datetime.now(UTC)
    _check(response)
    writer = reserved[number]
    entry = DiaryEntry.objects.get(patient=writer["patient"], day=day, kind="daily")
    if str(entry.submission_key) != key:
        raise SystemExit(f"{NAME}: the captured POST did not save the entry it sent")
    placeholders = Placeholders(
        None,
        response["X-Request-ID"],
        (started, ended),
        named={"patient": writer["patient"].id, "user": writer["user"].id, "version": writer["version"], "day": day},
        fresh={"entry": entry.id, FRESH_FIELD: uuid.UUID(key)},
    )
    out_prefix = str(BENCH_DIR / "scripts" / f"{NAME}-{connection.vendor}")
    floor_requests = [
        ["GET", f"/{w['patient'].id}/{w['user'].id}/{w['version']}/{days_of(w['patient'])[back].isoformat()}", None]
        for back in range(DAYS)
        for w in pool
    ]
    return {
        "scenario": NAME,
        "backend": connection.vendor,
        "statements": script_of(recorder.calls, placeholders),
        "rotating": placeholders.rotating,
        "fresh": ["entry", FRESH_FIELD],
        "profile": profile(lambda n: post(4 + n), out_prefix, status=302),
        "requests": floor_requests,
        "pool": len(pool),
        "writes": len(floor_requests),
    }


def _check(response: Any) -> None:
    location = response.get("Location", "")
    if response.status_code != 302 or not location.startswith(REDIRECT):
        body = response.content.decode()[:500]
        raise SystemExit(f"{NAME}: the POST answered {response.status_code} {location!r}, not the diary:\n{body}")


if __name__ == "__main__":
    command, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    result = capture() if command == "capture" else open_sessions()
    with open(out, "w") as handle:
        json.dump(result, handle)
    print(f"  {NAME} {command}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
