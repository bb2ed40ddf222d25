"""`python -m benchmarks`: build (or reuse) the clinic, run every scenario, write the results and the docs."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import psycopg

from benchmarks import build, config, environment, measure, report, results, scenarios, stores
from benchmarks.context import RunContext
from benchmarks.report import git_commit, machine
from benchmarks.stores import PostgresStore, Store, postgres_conninfo


def main() -> None:
    started = time.perf_counter()
    commit = git_commit()  # the app keeps changing: name the state measured, as it was at the start
    settings = config.load()
    store = stores.for_config(settings.patients, settings.database_url)
    print(
        f"make bench: {store.backend}, {settings.patients:,} patients, {settings.workers} gunicorn workers, "
        f"concurrency {settings.concurrency}, {settings.rounds} round(s) of at most {settings.duration_s:.0f} s "
        f"or {settings.max_requests:,} requests"
    )
    built = build.ensure_clinic(settings, store)
    environment.collect_static()
    context = RunContext(settings, store)
    rows: list[dict[str, Any]] = []
    for scenario in scenarios.selected(settings.scenarios):
        print(f"{scenario.name}: {scenario.description}")
        if isinstance(scenario, scenarios.PageScenario):
            rows += measure.measure(context, scenario)
        else:
            rows += scenario.run(context)
    all_rows = results.merge(rows, scenarios.names())
    total = time.perf_counter() - started
    runs = results.record_run(
        store.backend,
        settings.patients,
        {
            "backend": store.backend,
            "patients": settings.patients,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "build_seconds": round(built.seconds, 1),
            "build_cached": built.cached,
            "total_seconds": round(total, 1),
            "workers": settings.workers,
            "concurrency": settings.concurrency,
            "rounds": settings.rounds,
            "scenarios": [row["name"] for row in rows],
            "database_version": database_version(store),
            "commit": commit,
            "machine": machine(),
        },
    )
    report.write(all_rows, runs)
    print()
    print(results.plain_table(results.table([row for row in all_rows if row["backend"] == store.backend])))
    print()
    built_text = "cached" if built.cached else f"built in {built.seconds:.0f} s"
    print(f"Clinic {built_text}; whole run {total / 60:.1f} min. Wrote {config.RESULTS_FILE} and {config.DOCS_FILE}.")
    failed = [row["name"] for row in rows if row.get("errors") or row.get("floor_errors")]
    if failed:
        raise SystemExit(f"FAILED: errors in {', '.join(failed)}")


def database_version(store: Store) -> str:
    if isinstance(store, PostgresStore):
        with psycopg.connect(postgres_conninfo(store.url_of("postgres"))) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0].split()[0] if row else '?'}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"
