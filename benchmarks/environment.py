"""The environment the application runs in for a measurement: production settings that work on loopback.

COMMONGROUND_ENV=production with a random 50-character secret key and DEBUG off; production insists on the
SMTP transport (nothing is sent: no page measured sends e-mail) and on collected static files with their
manifest, collected once per run into `var/bench/runtime/static`. HTTPS stays on as in production (secure,
`__Host-` cookies); the load generator speaks plain HTTP on loopback, as a TLS-terminating proxy would.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess

from benchmarks.config import BENCH_DIR, COMMONGROUND, ROOT

RUNTIME_DIR = BENCH_DIR / "runtime"
# What the README tells a clinic to set on its PostgreSQL (`ALTER DATABASE ... SET random_page_cost = 1.1`),
# given to every connection of the application, its floor and the jobs alike through libpq's PGOPTIONS (a
# working copy made with `CREATE DATABASE ... TEMPLATE` does not inherit a database's settings). With the
# default of 4 the caseload's query scans the whole clinic to keep the coordinator's 120 (docs/benchmarks.md).
POSTGRES_SETTINGS = {"random_page_cost": "1.1"}
_SECRET_KEY = "".join(secrets.choice(string.ascii_letters + string.digits + "-_") for _ in range(50))


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "commonground.settings",
            "COMMONGROUND_ENV": "production",
            "COMMONGROUND_SECRET_KEY": _SECRET_KEY,
            "COMMONGROUND_DEBUG": "false",
            "COMMONGROUND_EMAIL_TRANSPORT": "smtp",
            "COMMONGROUND_VAR_DIR": str(RUNTIME_DIR),
            "COMMONGROUND_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "COMMONGROUND_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    settings = " ".join(f"-c {name}={value}" for name, value in POSTGRES_SETTINGS.items())
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {settings}".strip()  # SQLite ignores it
    return env


def collect_static() -> None:
    RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
    env = app_env("sqlite:///" + str(RUNTIME_DIR / "unused.sqlite3"))
    subprocess.run([str(COMMONGROUND), "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
