"""Start and stop gunicorn (the README's production server) for the application or its floor."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from benchmarks.config import BENCH_DIR, GUNICORN, ROOT

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`with Server("commonground.wsgi:application", env, workers=4, label="caseload-app") as server:`"""

    def __init__(self, app: str, env: dict[str, str], *, workers: int, label: str) -> None:
        self.app, self.env, self.workers, self.label = app, dict(env), workers, label
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.ready_dir = Path(tempfile.mkdtemp(prefix="bench-ready-"))
        self.log_path = BENCH_DIR / "logs" / f"{label}.log"

    def __enter__(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.env["BENCH_READY_DIR"] = str(self.ready_dir)
        command = [
            str(GUNICORN),
            self.app,
            "--config", "python:benchmarks.gunicorn_conf",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.label}) exited; see {self.log_path}")
            if len(list(self.ready_dir.iterdir())) >= self.workers and self._healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn ({self.label}) was not ready in {START_TIMEOUT_S} s; see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=5) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.ready_dir, ignore_errors=True)
