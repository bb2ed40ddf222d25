"""Build the synthetic clinic once and cache it: real migrations, bulk load, ANALYZE, a marker.

The marker records the builder version, a hash of the builder's own source and the migration state, so a
second run with nothing changed starts measuring at once, and a new migration or builder change rebuilds.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import clinic, loader
from benchmarks.config import BENCH_PASSWORD, COMMONGROUND, ROOT, BenchConfig
from benchmarks.progress import ProgressBar
from benchmarks.stores import Store

BUILDER_VERSION = 3  # 2: measurement-based care (plans, schedules, responses, alerts, flags); 3: diaries
PATIENT_CHUNK = 500
MARKER_KEYS = ("builder_version", "builder_source", "migrations", "patients", "backend")


def _scoring_sources() -> list[Path]:
    measures = ROOT / "commonground" / "measures"
    diary = ROOT / "commonground" / "diary"
    return [
        measures / "scoring.py",
        measures / "change.py",
        *sorted((measures / "instruments").glob("*.json")),
        diary / "definitions.py",  # the diaries' set-ups are built by the real definitions module
    ]


SCORING_SOURCES = _scoring_sources()


@dataclass
class BuildInfo:
    cached: bool
    seconds: float
    marker: dict[str, Any]


def setup_django() -> None:
    """The runner uses Django only for its migration graph and its password hasher, never its database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()


def expected_marker(config: BenchConfig, store: Store) -> dict[str, Any]:
    sources = hashlib.sha256()
    for name in ("clinic.py", "clinic_measures.py", "clinic_diary.py", "loader.py", "build.py"):
        sources.update((Path(__file__).parent / name).read_bytes())
    for path in SCORING_SOURCES:  # the responses' totals, bands and flags come from the real engine
        sources.update(path.read_bytes())
    return {
        "builder_version": BUILDER_VERSION,
        "builder_source": sources.hexdigest()[:16],
        "migrations": migration_state(),
        "patients": config.patients,
        "backend": store.backend,
    }


def migration_state() -> str:
    """Every migration Django knows (name and, for the project's own, content), as one short hash."""
    setup_django()
    from django.db.migrations.loader import MigrationLoader

    state = hashlib.sha256()
    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    for app, name in sorted(disk):
        state.update(f"{app}.{name};".encode())
    for path in sorted((ROOT / "commonground").glob("*/migrations/*.py")):
        state.update(path.read_bytes())
    return state.hexdigest()[:16]


def ensure_clinic(config: BenchConfig, store: Store) -> BuildInfo:
    wanted = expected_marker(config, store)
    marker = store.read_marker()
    if marker and not config.rebuild and all(marker.get(key) == wanted[key] for key in MARKER_KEYS):
        print(f"Clinic of {config.patients:,} patients: cached ({store.describe()}, built {marker['built_at']})")
        return BuildInfo(cached=True, seconds=float(marker["build_seconds"]), marker=marker)
    reason = "rebuild asked for" if marker and config.rebuild else "changed" if marker else "not built yet"
    print(f"Clinic of {config.patients:,} patients: building ({reason}) into {store.describe()}")
    return build(config, store, wanted)


def build(config: BenchConfig, store: Store, wanted: dict[str, Any]) -> BuildInfo:
    started = time.perf_counter()
    url = store.start_build()
    migrate(url)
    migrated = time.perf_counter()
    print(f"  migrated the schema in {migrated - started:.1f} s")
    connection = store.connect(url)
    try:
        counts = load(config, store.backend, connection)
        loaded = time.perf_counter()
        analyse(store.backend, connection)
    finally:
        connection.close()
    analysed = time.perf_counter()
    print(f"  loaded {sum(counts.values()):,} rows in {loaded - migrated:.1f} s; analysed in {analysed - loaded:.1f} s")
    marker = {
        **wanted,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "build_seconds": round(analysed - started, 1),
        "migrate_seconds": round(migrated - started, 1),
        "load_seconds": round(loaded - migrated, 1),
        "rows": counts,
    }
    store.finish_build(marker)
    print(f"  built in {analysed - started:.1f} s")
    return BuildInfo(cached=False, seconds=analysed - started, marker=marker)


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "COMMONGROUND_ENV": "development", "COMMONGROUND_LOG_LEVEL": "WARNING"}
    subprocess.run([str(COMMONGROUND), "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)


def password_hash() -> str:
    setup_django()
    from django.contrib.auth.hashers import make_password

    return make_password(BENCH_PASSWORD, hasher="argon2")


def load(config: BenchConfig, backend: str, connection: Any) -> dict[str, int]:
    if backend == "sqlite":
        for pragma in ("journal_mode=MEMORY", "synchronous=OFF", "cache_size=-262144", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("BEGIN")
    writer = loader.Writer(backend, connection)
    now = datetime.now(UTC).replace(tzinfo=None)
    plan = clinic.ClinicPlan(patients=config.patients, now=now, password_hash=password_hash())
    for table, rows in clinic.organisation_and_staff(plan).items():
        writer.write(table, rows)
    bar = ProgressBar("patients", config.patients)
    for start in range(0, config.patients, PATIENT_CHUNK):
        stop = min(start + PATIENT_CHUNK, config.patients)
        rows_by_table = clinic.patient_rows(plan, start, stop)
        for table in loader.ORDER:
            writer.write(table, rows_by_table.get(table, []))
        bar.advance(stop - start)
    bar.finish()
    clinic.staff_logins(plan)
    bar = ProgressBar("audit events", len(plan.events))
    for batch in clinic.audit_rows(plan):
        bar.advance(writer.write("audit_auditevent", batch))
    bar.finish()
    connection.commit() if backend == "postgresql" else connection.execute("COMMIT")
    return writer.counts


def analyse(backend: str, connection: Any) -> None:
    if backend == "sqlite":
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"the built clinic breaks foreign keys: {problems[:5]}")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode=WAL")
        return
    connection.autocommit = True
    connection.execute("VACUUM (ANALYZE)")
