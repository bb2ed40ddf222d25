"""The audit sealing job's throughput, its floor, and `commonground audit verify` over the whole chain.

On one fresh working copy the real job (`commonground.audit.sealing.seal_pending`) seals every unsealed
event of the built clinic, in-process, and is timed (events/s); then the real `commonground audit verify`
runs as a subprocess over the whole chain and must say it is intact. On a second fresh copy the floor seals
the same events with the same hashing (`commonground.audit.chain`, pure) through the plain driver: one
SELECT and one executemany UPDATE per batch. Both must end on the same chain head hashes.

`python -m benchmarks.audit_seal app|floor` runs one side against DATABASE_URL and prints JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from benchmarks.config import COMMONGROUND, PYTHON, ROOT
from benchmarks.context import RunContext
from benchmarks.environment import app_env
from benchmarks.stores import postgres_conninfo, sqlite_path

BATCH = 5000
UUID_FIELDS = ("organisation_id", "actor_id", "on_behalf_of_id", "patient_id")


def measure(context: RunContext) -> list[dict[str, Any]]:
    store, config = context.store, context.config
    app_url = store.working_copy("seal_app")
    try:
        app = _side("app", app_url)
        verify = _verify(app_url)
    finally:
        store.drop(app_url)
    floor_url = store.working_copy("seal_floor")
    try:
        floor = _side("floor", floor_url)
    finally:
        store.drop(floor_url)
    events_per_s = app["events"] / app["seconds"]
    floor_events_per_s = floor["events"] / floor["seconds"]
    print(
        f"  audit_seal: {app['events']:,} events in {app['seconds']:.1f} s ({events_per_s:,.0f}/s); floor "
        f"{floor_events_per_s:,.0f}/s; verify {verify['seconds']:.1f} s ({verify['checked']:,} events, intact)"
    )
    return [
        {
            "name": "audit_seal",
            "backend": store.backend,
            "patients": config.patients,
            "concurrency": 1,
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
            "rps": round(events_per_s, 1),
            "floor_rps": round(floor_events_per_s, 1),
            "unit": "events/s",
            "events": app["events"],
            "events_per_s": round(events_per_s, 1),
            "floor_events_per_s": round(floor_events_per_s, 1),
            "seal_s": round(app["seconds"], 2),
            "floor_seal_s": round(floor["seconds"], 2),
            "chain_matches_floor": app["heads"] == floor["heads"],
            "verify_s": round(verify["seconds"], 2),
            "verify_internal_s": verify["internal_seconds"],
            "verify_checked": verify["checked"],
            "verify_intact": True,
            "errors": 0 if app["heads"] == floor["heads"] else 1,
        }
    ]


def _side(side: str, url: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(PYTHON), "-m", "benchmarks.audit_seal", side],
        env=app_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _verify(url: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(COMMONGROUND), "audit", "verify"], env=app_env(url), cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "audit chain intact" not in done.stdout:
        raise RuntimeError(f"audit verify did not report an intact chain:\n{done.stdout}\n{done.stderr}")
    found = re.search(r"checked (\d+) sealed events in (\d+) chains in ([\d.]+) s", done.stdout)
    if found is None:
        raise RuntimeError(f"cannot read the verify report: {done.stdout}")
    return {"seconds": seconds, "checked": int(found[1]), "internal_seconds": float(found[3])}


def run_app() -> dict[str, Any]:
    import django

    django.setup()
    from commonground.audit.models import AuditEvent, ChainHead
    from commonground.audit.sealing import seal_pending

    pending = AuditEvent.objects.filter(row_hash__isnull=True).count()
    started = time.perf_counter()
    result = seal_pending()
    seconds = time.perf_counter() - started
    if result.sealed != pending:
        raise RuntimeError(f"sealed {result.sealed} of {pending} pending events")
    heads = dict(ChainHead.objects.values_list("chain_key", "last_hash"))
    return {"events": result.sealed, "seconds": seconds, "heads": heads}


def run_floor() -> dict[str, Any]:
    from commonground.audit import chain  # pure: no Django needed

    url = os.environ["DATABASE_URL"]
    sqlite = url.startswith("sqlite")
    connection = _connect(url, sqlite)
    mark = "?" if sqlite else "%s"
    started = time.perf_counter()
    organisations = [row[0] for row in connection.execute(
        "SELECT DISTINCT organisation_id FROM audit_auditevent WHERE row_hash IS NULL"
    ).fetchall()]  # fmt: skip
    keys = sorted((chain.chain_key(_uuid(value)), value) for value in organisations)
    sealed, heads = 0, {}
    for key, stored in keys:
        while True:
            count, heads[key] = _floor_batch(connection, chain, key, stored, mark, sqlite)
            sealed += count
            if count < BATCH:
                break
    seconds = time.perf_counter() - started
    connection.close()
    return {"events": sealed, "seconds": seconds, "heads": heads}


def _floor_batch(connection: Any, chain: Any, key: str, stored: Any, mark: str, sqlite: bool) -> tuple[int, str]:
    now = datetime.now(UTC)
    stamp = str(now.replace(tzinfo=None)) if sqlite else now
    connection.execute("BEGIN IMMEDIATE") if sqlite else None
    head = connection.execute(
        f"SELECT id, last_index, last_hash FROM audit_chainhead WHERE chain_key = {mark}"  # noqa: S608
        + ("" if sqlite else " FOR UPDATE"),
        [key],
    ).fetchone()
    if head is None:
        head = connection.execute(
            f"INSERT INTO audit_chainhead (chain_key, last_index, last_hash, updated_at) "  # noqa: S608
            f"VALUES ({mark}, 0, {mark}, {mark}) RETURNING id, last_index, last_hash",
            [key, chain.GENESIS, stamp],
        ).fetchone()
    fields = chain.SEALED_FIELDS[:-1]
    where = "organisation_id IS NULL" if stored is None else f"organisation_id = {mark}"
    rows = connection.execute(
        f"SELECT {', '.join(fields)} FROM audit_auditevent WHERE row_hash IS NULL AND {where} "  # noqa: S608
        f"ORDER BY id LIMIT {BATCH}",
        [] if stored is None else [stored],
    ).fetchall()
    previous, index, updates = head[2] or chain.GENESIS, head[1], []
    for values in rows:
        index += 1
        row = dict(zip(fields, values, strict=True))
        row["chain_index"] = index
        if sqlite:
            row["occurred_at"] = datetime.fromisoformat(row["occurred_at"]).replace(tzinfo=UTC)
            for name in UUID_FIELDS:
                row[name] = _uuid(row[name])
        row_hash = chain.link_hash(previous, row)
        updates.append((index, previous, row_hash, stamp, row["id"]))
        previous = row_hash
    if updates:
        cursor = connection.cursor()
        cursor.executemany(
            f"UPDATE audit_auditevent SET chain_index = {mark}, previous_hash = {mark}, row_hash = {mark}, "  # noqa: S608
            f"sealed_at = {mark} WHERE id = {mark}",
            updates,
        )
        connection.execute(
            f"UPDATE audit_chainhead SET last_index = {mark}, last_hash = {mark}, updated_at = {mark} "  # noqa: S608
            f"WHERE id = {mark}",
            [index, previous, stamp, head[0]],
        )
    connection.execute("COMMIT") if sqlite else connection.commit()
    return len(updates), previous


def _connect(url: str, sqlite: bool) -> Any:
    if sqlite:
        import sqlite3

        connection = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=20)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection
    import psycopg

    return psycopg.connect(postgres_conninfo(url), options="-c TimeZone=UTC")


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(value)


if __name__ == "__main__":
    print(json.dumps(run_app() if sys.argv[1] == "app" else run_floor()))
