"""gunicorn settings shared by the application and its floor: each worker reports itself ready.

A worker writes a file into BENCH_READY_DIR once it has loaded its WSGI application, so measuring starts
only when every worker is up (a worker still importing Django would steal CPU from the measurement). The
application's worker first loads its URL configuration — every view module, imported by Django on a worker's
first request otherwise (~0.2 s, and 0.7 s on a loaded machine: a large part of a 2-second warm-up) — as a
server that has been up for a while has.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

worker_class = "sync"
timeout = 120
graceful_timeout = 5
loglevel = "warning"


def post_worker_init(worker: Any) -> None:
    if getattr(worker.app, "app_uri", "").startswith("commonground."):
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018  (imports the URL configuration and every view)
    ready = os.environ.get("BENCH_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()
