"""Personal patterns (issue 6, item 11): one patient-year analysed, and the clinic's diaries as a batch.

patterns_one: `commonground.diary.patterns.findings` over one patient-year of the bench clinic (the diary of the
coordinator's first patient, read through `selectors.diary_table`: 15 variables, a year of days) with *every*
variable as an outcome — 15 outcomes × 14 factors × 2 lags, the largest family a diary of 15 variables can ask
for (the patient's own outcomes, two here, are a seventh of it: timed too, in the details). After 3 warm-up
calls (the first call in a process imports SciPy: its time is kept as `first_call_ms`), 30 timed calls: median
and p95. Target: median ≤ 100 ms. In-process, on a fresh working copy, no floor.

patterns_batch: for every diary patient of the clinic, in one process (one worker), what the "what goes with my
better days" page computes: the set-up (`selectors.set_up_of`, `definition_of`), the diary as one row a day
(`selectors.diary_table`) and the passing findings in words (`selectors.personal_patterns`, English) — patients
per second, with each patient's time (p50, p95). One patient is analysed before the clock starts (imports).
Its floor, as audit_seal's: the same reads as plain SQL through the driver (the set-up with its version's
definition, the patient's entries) and the same pure analysis (`patterns.findings` over the same rows, the same
pairs said once), without the ORM, model objects, per-entry value objects or words; both sides must reach the
same findings.

`python -m benchmarks.diary_patterns one|app|floor` runs one side against DATABASE_URL and prints JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from typing import Any

from benchmarks.config import PYTHON, ROOT
from benchmarks.context import RunContext
from benchmarks.environment import app_env
from benchmarks.stats import percentile
from benchmarks.stores import postgres_conninfo, sqlite_path

ONE_WARMUP = 3
ONE_RUNS = 30
TARGET_ONE_MS = 100.0
TRIGGER_PREFIX = "trigger:"


def measure_one(context: RunContext) -> list[dict[str, Any]]:
    store, config = context.store, context.config
    url = store.working_copy("patterns_one")
    try:
        result = _side("one", url)
    finally:
        store.drop(url)
    print(
        f"  patterns_one: {result['variables']} variables, {result['days']} days, {result['tests']} tests: median "
        f"{result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms (own {len(result['own_outcomes'])} outcomes: "
        f"{result['own_p50_ms']:.1f} ms; first call {result['first_call_ms']:.0f} ms)"
    )
    return [
        {
            "name": "patterns_one",
            "backend": store.backend,
            "patients": config.patients,
            "concurrency": 1,
            "p99_ms": None,
            "rps": None,
            "floor_rps": None,
            "unit": "ms",
            "errors": 0,
            **result,
            "target_stat": "p50",
            "target_ms": TARGET_ONE_MS,
            "target_share": None,
            "target": f"median <= {TARGET_ONE_MS:.0f} ms",
            "target_met": result["p50_ms"] <= TARGET_ONE_MS,
        }
    ]


def measure_batch(context: RunContext) -> list[dict[str, Any]]:
    store, config = context.store, context.config
    sides: dict[str, dict[str, Any]] = {}
    for side in ("app", "floor"):
        url = store.working_copy(f"patterns_{side}")
        try:
            sides[side] = _side(side, url)
        finally:
            store.drop(url)
    app, floor = sides["app"], sides["floor"]
    rate, floor_rate = app["patients"] / app["seconds"], floor["patients"] / floor["seconds"]
    same = app["digest"] == floor["digest"] and app["patients"] == floor["patients"]
    print(
        f"  patterns_batch: {app['patients']:,} diaries in {app['seconds']:.1f} s ({rate:,.1f} patients/s, p50 "
        f"{app['p50_ms']:.1f} ms, p95 {app['p95_ms']:.1f} ms); floor {floor['seconds']:.1f} s ({floor_rate:,.1f}/s); "
        f"{app['findings']:,} findings, same as the floor: {'yes' if same else 'NO'}"
    )
    return [
        {
            "name": "patterns_batch",
            "backend": store.backend,
            "patients": config.patients,
            "concurrency": 1,
            "p50_ms": app["p50_ms"],
            "p95_ms": app["p95_ms"],
            "p99_ms": app["p99_ms"],
            "rps": round(rate, 2),
            "floor_rps": round(floor_rate, 2),
            "rps_ratio": round(rate / floor_rate, 3),
            "unit": "patients/s",
            "diary_patients": app["patients"],
            "seconds": round(app["seconds"], 2),
            "floor_seconds": round(floor["seconds"], 2),
            "floor_p50_ms": floor["p50_ms"],
            "floor_p95_ms": floor["p95_ms"],
            "findings": app["findings"],
            "matches_floor": same,
            "errors": 0 if same else 1,
        }
    ]


def _side(side: str, url: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(PYTHON), "-m", "benchmarks.diary_patterns", side],
        env=app_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _ms(values: list[float], q: float) -> float:
    found = percentile(values, q)
    return round(found or 0.0, 2)


# --- patterns_one ----------------------------------------------------------------------------------------------


def run_one() -> dict[str, Any]:
    import django

    django.setup()
    from django.utils import translation

    from commonground.diary import patterns, selectors
    from commonground.diary.models import DiarySetUp

    translation.activate("en")
    set_up = DiarySetUp.objects.current().select_related("patient", "current").order_by("patient__record_number")[0]
    patient, definition = set_up.patient, selectors.definition_of(set_up)
    assert definition is not None
    table = selectors.diary_table(patient)
    days, every = table.rows, [item.key for item in table.columns]
    own = [key for key in definition.outcomes if key in every]

    started = time.perf_counter()
    patterns.findings(days, every)
    first_call_ms = (time.perf_counter() - started) * 1000
    for _ in range(ONE_WARMUP):
        passing = patterns.findings(days, every)
    timed, own_timed = [], []
    for _ in range(ONE_RUNS):
        started = time.perf_counter()
        patterns.findings(days, every)
        timed.append((time.perf_counter() - started) * 1000)
    for _ in range(ONE_RUNS):
        started = time.perf_counter()
        patterns.findings(days, own)
        own_timed.append((time.perf_counter() - started) * 1000)
    table_timed, page_timed = [], []
    for _ in range(10):  # what the patterns page adds around it: the table read, and the analysis in words
        started = time.perf_counter()
        table = selectors.diary_table(patient)
        table_timed.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        selectors.personal_patterns(table, definition, words=translation)
        page_timed.append((time.perf_counter() - started) * 1000)
    return {
        "record_number": patient.record_number,
        "variables": len(every),
        "days": len(days),
        "outcomes": "every variable",
        "tests": len(patterns.all_tests(days, every)),
        "passing": len(passing),
        "runs": ONE_RUNS,
        "p50_ms": _ms(timed, 50),
        "p95_ms": _ms(timed, 95),
        "own_outcomes": own,
        "own_p50_ms": _ms(own_timed, 50),
        "own_p95_ms": _ms(own_timed, 95),
        "first_call_ms": round(first_call_ms, 1),
        "table_p50_ms": _ms(table_timed, 50),
        "page_patterns_p50_ms": _ms(page_timed, 50),
    }


# --- patterns_batch: the application's way ----------------------------------------------------------------------


def run_app() -> dict[str, Any]:
    import django

    django.setup()
    from django.utils import translation

    from commonground.diary import selectors
    from commonground.patients.models import Patient

    translation.activate("en")

    def analyse(patient: Any) -> list[Any]:
        definition = selectors.definition_of(selectors.set_up_of(patient))
        table = selectors.diary_table(patient)
        return selectors.personal_patterns(table, definition, words=translation)

    diarists = Patient.objects.current().filter(diary_set_up__isnull=False).order_by("record_number")
    analyse(diarists[0])  # imports (SciPy) and first-use costs, before the clock
    started = time.perf_counter()
    each, digest, findings = [], [], 0
    for patient in diarists:
        began = time.perf_counter()
        found = analyse(patient)
        each.append((time.perf_counter() - began) * 1000)
        findings += len(found)
        digest.append([_key(pattern.finding) for pattern in found])
    seconds = time.perf_counter() - started
    return _batch_result(each, seconds, findings, digest)


def _key(finding: Any) -> list[Any]:
    return [finding.outcome, finding.factor, finding.lag, finding.n_days, round(finding.estimate, 9)]


def _batch_result(each: list[float], seconds: float, findings: int, digest: list[Any]) -> dict[str, Any]:
    return {
        "patients": len(each),
        "seconds": seconds,
        "p50_ms": _ms(each, 50),
        "p95_ms": _ms(each, 95),
        "p99_ms": _ms(each, 99),
        "mean_ms": round(statistics.fmean(each), 2) if each else 0.0,
        "findings": findings,
        "digest": hashlib.sha256(json.dumps(digest).encode()).hexdigest(),
    }


# --- patterns_batch: the floor ----------------------------------------------------------------------------------


def run_floor() -> dict[str, Any]:
    from commonground.diary import patterns  # pure: no Django needed

    url = os.environ["DATABASE_URL"]
    sqlite = url.startswith("sqlite")
    connection = _connect(url, sqlite)
    mark = "?" if sqlite else "%s"
    current = "record_status <> 'entered_in_error'"
    set_up_sql = (
        "SELECT v.id, v.definition FROM diary_diarysetup s JOIN diary_diaryversion v ON v.id = s.current_id "  # noqa: S608
        f"WHERE s.patient_id = {mark} AND s.{current}"
    )
    entries_sql = (
        "SELECT day, kind, made_with_id, ratings, sleep_hours, sleep_quality, activities, rest_breaks, practice, "  # noqa: S608
        f"triggers FROM diary_diaryentry WHERE patient_id = {mark} AND {current} ORDER BY day, recorded_at"
    )
    version_sql = f"SELECT definition FROM diary_diaryversion WHERE id = {mark}"  # noqa: S608
    practice_sql = f"SELECT starts_on, ends_on FROM careplans_homepractice WHERE patient_id = {mark} AND {current}"  # noqa: S608
    loads = json.loads if sqlite else _same

    def practice_on(patient_id: Any, periods: list[Any], day: Any) -> bool:
        """The care plan had home practice that day (its periods read once per patient, only when asked)."""
        if not periods:
            periods.append(connection.execute(practice_sql, [patient_id]).fetchall())
        when = _day(day)
        return any(_day(first) <= when and (last is None or when <= _day(last)) for first, last in periods[0])

    def analyse(patient_id: Any) -> list[Any]:
        version_id, definition = connection.execute(set_up_sql, [patient_id]).fetchone()
        definitions = {version_id: loads(definition)}
        readings: dict[Any, list[dict[str, float | None]]] = defaultdict(list)
        periods: list[Any] = []
        for day, kind, made_with, *values in connection.execute(entries_sql, [patient_id]).fetchall():
            if made_with not in definitions:
                definitions[made_with] = loads(connection.execute(version_sql, [made_with]).fetchone()[0])
            row = _variables(definitions[made_with], kind, values, loads)
            own = definitions[made_with]["own_practice"]
            if row.get("practice_done") == 0 and not own and not practice_on(patient_id, periods, day):
                row["practice_done"] = None  # no practice to do that day
            readings[day].append(row)
        days = {_day(day): _average(rows) for day, rows in readings.items()}
        now = definitions[version_id]
        columns = _columns(now)
        outcomes = [key for key in now["outcomes"] if key in columns]
        found, said = [], set()
        for finding in patterns.findings(days, outcomes) if days and outcomes else []:
            pair = (frozenset((finding.factor, finding.outcome)), finding.lag) if finding.lag == 0 else None
            if pair is not None and pair in said:
                continue
            said.add(pair)
            found.append(finding)
        return found

    patient_sql = (
        "SELECT p.id FROM patients_patient p JOIN diary_diarysetup s ON s.patient_id = p.id "  # noqa: S608
        f"WHERE p.{current} ORDER BY p.record_number"
    )
    diarists = [row[0] for row in connection.execute(patient_sql).fetchall()]
    analyse(diarists[0])  # imports, as the application's side
    started = time.perf_counter()
    diarists = [row[0] for row in connection.execute(patient_sql).fetchall()]
    each, digest, findings = [], [], 0
    for patient_id in diarists:
        began = time.perf_counter()
        found = analyse(patient_id)
        each.append((time.perf_counter() - began) * 1000)
        findings += len(found)
        digest.append([_key(finding) for finding in found])
    seconds = time.perf_counter() - started
    connection.close()
    return _batch_result(each, seconds, findings, digest)


def _same(value: Any) -> Any:
    return value


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _rating_keys(definition: dict[str, Any]) -> list[str]:
    return [key for key, _label in definition["symptoms"]] + list(definition["scales"])


def _columns(definition: dict[str, Any]) -> list[str]:
    keys = _rating_keys(definition)
    if definition.get("track_sleep", True):
        keys += ["sleep_hours", "sleep_quality"]
    if definition["activities"]:
        keys += ["activity_load", "rest_breaks"]
    keys.append("practice_done")
    return keys + [TRIGGER_PREFIX + key for key, _label in definition["triggers"]]


def _variables(definition: dict[str, Any], kind: str, values: list[Any], loads: Any) -> dict[str, float | None]:
    """One entry as the diary's variables: what `entries.variables_of` gives, in plain code."""
    ratings, sleep_hours, sleep_quality, activities, rest_breaks, practice, triggers = values
    ratings = loads(ratings)
    rating_keys = _rating_keys(definition)
    row: dict[str, float | None] = {key: _number(ratings.get(key)) for key in rating_keys}
    if kind == "check_in":
        return row  # a check-in records ratings only
    if definition.get("track_sleep", True):
        row["sleep_hours"] = _number(sleep_hours)
        row["sleep_quality"] = _number(sleep_quality)
    if definition["activities"]:
        activities = loads(activities)
        answered = any(item["done"] or item["planned"] for item in activities)
        load = sum(
            item["minutes"] * item["effort"] / 10
            for item in activities
            if item["done"] and item["minutes"] is not None and item["effort"] is not None
        )
        row["activity_load"] = float(load) if answered else None
        row["rest_breaks"] = _number(rest_breaks)
    row["practice_done"] = float(len(loads(practice)))
    noticed = set(loads(triggers))
    for key, _label in definition["triggers"]:
        row[TRIGGER_PREFIX + key] = 1.0 if key in noticed else 0.0
    return row


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _average(rows: list[dict[str, float | None]]) -> dict[str, float | None]:
    totals: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in row.items():
            if value is not None:
                totals[key].append(value)
            else:
                totals.setdefault(key, [])
    return {key: (sum(values) / len(values) if values else None) for key, values in totals.items()}


def _connect(url: str, sqlite: bool) -> Any:
    if sqlite:
        import sqlite3

        return sqlite3.connect(sqlite_path(url), isolation_level=None)
    import psycopg

    return psycopg.connect(postgres_conninfo(url), autocommit=True)


if __name__ == "__main__":
    run = {"one": run_one, "app": run_app, "floor": run_floor}[sys.argv[1]]
    print(json.dumps(run()))
