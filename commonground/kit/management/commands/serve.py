"""`commonground serve`: the production web server (gunicorn) and the task worker, together.

For the demo and a small clinic on one machine. Larger installations run `gunicorn` processes
behind a proxy and one or more `commonground worker` processes separately (see the README).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server and the task worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.getenv("COMMONGROUND_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.getenv("COMMONGROUND_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bin_dir, "gunicorn"),
            "commonground.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--access-logformat",
            "%(m)s %(s)s %(L)ss",
        ]
        # Stopping this command (Ctrl+C or SIGTERM) stops both children.
        signal.signal(signal.SIGTERM, _stop)
        processes = [subprocess.Popen(web)]
        if not options["no_worker"]:
            processes.append(subprocess.Popen([os.path.join(bin_dir, "commonground"), "worker"]))
        self.stdout.write(f"Common Ground is running on http://{options['bind']}/  (Ctrl+C to stop)")
        try:
            processes[0].wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
