"""The load generator: a separate process, a fixed number of threads, each with its own connection.

`python -m benchmarks.loadgen` reads its plan as JSON on stdin and prints its measurements as JSON.
Each thread keeps one keep-alive-capable http.client connection (gunicorn's sync workers close it after
every response; the thread then reconnects) and, for the application, its own session: it signs in through
the real sign-in page (CSRF cookie and token) before any timing. Then all threads warm up together, and
measure until the request or time bound is reached. Every response must be 200 with a Server-Timing header.

A plan may instead list its `requests` ([method, path, session], in order) with `sessions` opened before the
run (each a cookie jar and the form it posts, CSRF token included): a POST sends its session's form, with a
fresh uuid in `fresh_field` each time (a browser form's submission key). With `once`, each request is made at
most once (each is a distinct write) and the threads stop when all are taken. `expect_status` (and for a
redirect `expect_location`, a prefix of its target) replaces the 200.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SERVER_TIMING = re.compile(r"app;dur=([\d.]+)")


class Client:
    """One connection and one cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        jar: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request with this client's cookies, or those of `jar` (a session opened before the run)."""
        cookies = self.cookies if jar is None else jar
        sent = dict(headers or {})
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the server closed a kept-alive connection: reconnect once
                if attempt == 2:
                    raise
        if response.will_close:
            self.connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    cookies.pop(name, None)
                else:
                    cookies[name] = morsel.value
        return response.status, response.headers, data

    def sign_in(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/accounts/sign-in/")
        found = CSRF_FIELD.search(page.decode())
        if status != 200 or found is None:
            raise RuntimeError(f"the sign-in page answered {status} without a CSRF token")
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": found[1]})
        status, _, _ = self.request(
            "POST", "/accounts/sign-in/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"signing in as {username} answered {status}, not a redirect: stopping at once")


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    warmup_requests: int = 0
    last_done: float = 0.0

    def error(self, text: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(text[:300])


def run(plan: dict[str, Any]) -> dict[str, Any]:
    clients = [Client(plan["port"]) for _ in range(plan["concurrency"])]
    if plan.get("sign_in"):
        for client in clients:  # one after another: a wrong password stops at the first failure
            client.sign_in(plan["sign_in"]["username"], plan["sign_in"]["password"])
    requests = plan.get("requests") or [["GET", path, None] for path in plan["paths"]]
    sessions: list[dict[str, Any]] = plan.get("sessions") or []
    once, fresh_field = bool(plan.get("once")), plan.get("fresh_field")
    expect_status, expect_location = plan.get("expect_status", 200), plan.get("expect_location")
    counter = itertools.count()
    tally = Tally()
    warm_until = time.perf_counter() + plan["warmup_s"]
    measure_from = warm_until
    stop_at = measure_from + plan["duration_s"]
    budget = itertools.count()  # measured requests started, bounded by max_requests

    def work(client: Client) -> None:
        while True:
            started = time.perf_counter()
            measuring = started >= measure_from
            if started >= stop_at or (measuring and next(budget) >= plan["max_requests"]):
                return
            number = next(counter)
            if once and number >= len(requests):
                return  # every distinct request is made: the run ends early
            method, path, session = requests[number % len(requests)]
            jar, body, headers = None, None, {}
            if session is not None:
                jar = sessions[session]["cookies"]
                if method == "POST":
                    form = dict(sessions[session]["form"])
                    if fresh_field:
                        form[fresh_field] = str(uuid.uuid4())
                    body, headers = urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"}
            try:
                status, answered, _ = client.request(method, path, body, headers, jar)
            except (OSError, http.client.HTTPException) as error:
                tally.error(f"{path}: {error!r}")
                continue
            done = time.perf_counter()
            timing = SERVER_TIMING.search(answered.get("Server-Timing", ""))
            location = answered.get("Location", "")
            if (
                status != expect_status
                or timing is None
                or (expect_location is not None and not location.startswith(expect_location))
            ):
                tally.error(
                    f"{method} {path}: status {status}, Location {location!r}, "
                    f"Server-Timing {answered.get('Server-Timing')!r}"
                )
                continue
            with tally.lock:
                if not measuring:
                    tally.warmup_requests += 1
                    continue
                tally.server_ms.append(float(timing[1]))
                tally.client_ms.append((done - started) * 1000)
                tally.last_done = max(tally.last_done, done)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(tally.last_done - measure_from, 1e-9)
    return {
        "requests": len(tally.server_ms),
        "elapsed_s": elapsed,
        "rps": len(tally.server_ms) / elapsed,
        "server_ms": tally.server_ms,
        "client_ms": tally.client_ms,
        "errors": tally.errors,
        "error_samples": tally.error_samples,
        "warmup_requests": tally.warmup_requests,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.load(sys.stdin))))
