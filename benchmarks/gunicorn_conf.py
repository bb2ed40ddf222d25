"""gunicorn settings shared by the application and its floor: each worker reports itself ready.

A worker writes a file into BENCH_READY_DIR once it has loaded its WSGI application, so measuring starts
only when every worker is up (a worker still importing Django would steal CPU from the measurement).
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
    ready = os.environ.get("BENCH_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()
