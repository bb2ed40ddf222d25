"""`python -m benchmarks`: build (or reuse) the clinic, run every scenario, write the results and the docs."""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import traceback
from datetime import UTC, datetime
from typing import Any

import psycopg

from benchmarks import build, config, environment, measure, report, results, scenarios, stores
from benchmarks.context import RunContext
from benchmarks.report import git_commit, machine
from benchmarks.stores import PostgresStore, Store, postgres_conninfo


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    listed = "\n".join(f"  {scenario.name:<15} {scenario.description}" for scenario in scenarios.selected(()))
    variables = "\n".join(f"  {name:<19} {default:<6} {meaning}" for name, default, meaning in config.VARIABLES)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Common Ground's performance harness (`make bench`): build or reuse the synthetic clinic, "
        "measure the scenarios, write var/bench/results.json and docs/benchmarks.md. PostgreSQL when DATABASE_URL "
        "names a server (its credentials are used; the harness makes its own databases), SQLite otherwise.",
        epilog=f"scenarios:\n{listed}\n\nenvironment (default):\n{variables}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scenarios", metavar="A,B", help="comma-separated scenarios to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    if options.list:
        for scenario in scenarios.selected(()):
            print(f"{scenario.name}: {scenario.description}")
        return
    started = time.perf_counter()
    load = LoadSampler()  # the machine is shared: say how busy it was
    load.start()
    commit = git_commit()  # the app keeps changing: name the state measured, as it was at the start
    settings = config.load(options.scenarios)
    scenarios.selected(settings.scenarios)  # an unknown name stops here, before any building
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
    broken: list[str] = []
    for scenario in scenarios.selected(settings.scenarios):
        print(f"{scenario.name}: {scenario.description}")
        try:
            if isinstance(scenario, scenarios.PageScenario):
                rows += measure.measure(context, scenario)
            else:
                rows += scenario.run(context)
        except Exception:  # one broken scenario (the app changes while we measure) must not lose the others
            traceback.print_exc()
            print(f"  {scenario.name}: FAILED, see above; its earlier figures are kept")
            broken.append(scenario.name)
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
            "load": load.summary(),
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
    failed = [row["name"] for row in rows if row.get("errors") or row.get("floor_errors")] + broken
    if failed:
        raise SystemExit(f"FAILED: errors in {', '.join(failed)}")


class LoadSampler(threading.Thread):
    """The 1-minute load average every 10 s while the run lasts (the harness's own processes count too)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples = [os.getloadavg()[0]]

    def run(self) -> None:
        while True:
            time.sleep(10)
            self.samples.append(os.getloadavg()[0])

    def summary(self) -> str:
        return f"{statistics.fmean(self.samples):.1f} (max {max(self.samples):.1f})"


def database_version(store: Store) -> str:
    if isinstance(store, PostgresStore):
        with psycopg.connect(postgres_conninfo(store.url_of("postgres"))) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0].split()[0] if row else '?'}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"
