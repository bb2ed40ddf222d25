"""docs/benchmarks.md, rewritten by every run from var/bench/results.json and var/bench/runs.json.

The hand-written part ("What we learned") lives in benchmarks/NOTES.md and is included as it is.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from typing import Any

from benchmarks.config import DOCS_FILE, NOTES_FILE, ROOT, VARIABLES
from benchmarks.measure import TARGET_FLOOR_SHARE, TARGET_P95_MS
from benchmarks.results import Row, markdown_table, table

TARGET_SCENARIOS = ("caseload", "chart", "registry", "diary_submit", "patterns_one")
TARGET_PATIENTS = 10_000

REPRODUCE = (
    """\
```sh
make bench                                    # SQLite, 10,000 patients; the clinic is built once and cached
DATABASE_URL=postgres://postgres@127.0.0.1:5432/commonground_benchsrc make bench   # PostgreSQL
BENCH_PATIENTS=500 BENCH_ROUNDS=1 BENCH_DURATION=5 make bench                      # a smoke run
BENCH_SCENARIOS=diary_submit,patterns_one,patterns_batch make bench               # some scenarios only
.venv/bin/python -m benchmarks --help          # the scenarios and variables (also --list, --scenarios A,B)
.venv/bin/python -m benchmarks.report          # rewrite this page from var/bench/*.json (after editing NOTES.md)
```

With `DATABASE_URL` set, only its server and credentials are used: the harness creates and drops its own
databases, `commonground_bench_<N>` (the cached clinic) and `commonground_bench_<N>_*` (working copies);
the role needs `CREATEDB`.

| variable | default | meaning |
|---|---|---|
"""
    + "\n".join(f"| `{name}` | {default} | {meaning} |" for name, default, meaning in VARIABLES)
    + "\n"
)

METHOD = """\
- **The clinic** (`benchmarks/clinic.py`, `loader.py`, `build.py`): the real migrations (`commonground migrate`)
  create the schema, then the rows are bulk-loaded — PostgreSQL `COPY`, SQLite `executemany` in one
  transaction — in the form Django stores them on each backend; then `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`).
  One organisation; `bench-coordinator` coordinates and is on the teams of exactly 120 patients; the other
  patients are spread over other coordinators (at most 120 each), and clinicians in six clinical roles (one per
  400 patients in each) fill teams of 2-4 current members, a tenth with a colleague who has left. Every
  patient has a record number, most a national number, a care episode started within the last year (15 %
  ended), consent to care, some to research and some to a supporter (with the Supporter row), the creation
  rows of the record history, and 15-25 audit events over the year (reads and lists by the team, unsealed),
  besides weekly sign-ins of every clinician. Measurement-based care (`benchmarks/clinic_measures.py`): every
  patient has a measurement plan (PHQ-15, PHQ-9, GAD-7, WSAS every 4 weeks) and 12 responses (baseline, a
  review half-way, the latest review), scored by the real engine, with their scheduled questionnaires (a
  quarter of those long in care missed their latest review: due or overdue; the next review upcoming), alerts
  from positive PHQ-9 item 9 answers and reliable deterioration (open or acknowledged), and a few patients on
  the case-review list; improving, unchanged, worse and mixed trajectories, so the registry shows every
  flag. The diary (`benchmarks/clinic_diary.py`): 1,000 patients (the coordinator's 120 and others evenly
  spread; all of them in a smaller clinic) have a portal account and a diary set-up co-created with their
  coordinator, one version built by `diary.definitions.build` (two symptoms and four everyday scales — six
  ratings —, sleep, three activities, a home practice, four triggers, a warning sign: 15 variables), and a year
  of entries ending five days before the build (today and the three days before stay free for `diary_submit`):
  a daily entry on about nine days in ten, some extra check-ins and late entries, values from a drifting flare
  state, triggers, sleep and activity, so patterns find real links; each entry with its history row, ~340,000
  entries in all. Only a sample: a year for all 10,000 patients would be 3.4 million entries and as many
  history rows, several minutes of building for no scenario that needs them. No audit events are added for
  the diaries (nor for the measures' responses). The built database is cached with a marker (builder version
  and source — the scoring engine, the instrument definitions and the diary's definitions included — and the
  migration state); each measurement runs on a fresh copy of it (a file copy, or `CREATE DATABASE ...
  TEMPLATE`), so rounds and runs stay comparable.
- **The application** runs under gunicorn (`commonground.wsgi:application`, sync workers, `BENCH_WORKERS`
  of them) with `COMMONGROUND_ENV=production`: a random 50-character secret key, DEBUG off, HTTPS settings on
  (secure `__Host-` cookies; plain HTTP on loopback as behind a TLS-terminating proxy), the SMTP transport
  (nothing is sent) and static files collected into `var/bench/runtime/`. No access log, for the application
  and the floor alike. Server time is the application's own `Server-Timing: app;dur=` header (the outermost
  middleware); client time is measured by the load generator around each request. Each worker loads the URL
  configuration (every view module) before it reports itself ready, as a server that has been up for a while
  has; Django would otherwise import them on each worker's first request, inside the warm-up.
- **The load generator** (`benchmarks/loadgen.py`) is a separate process on loopback: `BENCH_CONCURRENCY`
  threads, each with its own http.client connection (gunicorn's sync workers close it after each response;
  the thread reconnects) and its own session, signed in through the real sign-in page before any timing.
  A warm-up, then measuring until the request or the time bound. Every response must be 200; a round with
  errors fails the target.
- **The floor** (`benchmarks/capture.py`, `floor.py`): the application's real SQL for one request is captured
  in-process (Django's test client, signed in through the real page, an execute wrapper recording every
  statement with its parameters) on the floor's working copy, and replayed per request by a plain WSGI
  application under the same gunicorn, workers and concurrency: the same statements — the session and user
  reads and the audit insert included — in one transaction (`BEGIN IMMEDIATE` on SQLite, as the application),
  the current time, a fresh request id and (for the chart) the requested patient put in place, the rows read
  returned as minimal JSON. The application's figures are also given as ratios to the floor's, measured in
  the same run: the machine is shared and noisy, the ratios are what to compare.
- **registry** is a page like the caseload: `bench-coordinator`'s caseload registry (120 patients, their 1,440
  responses to the key questionnaires, due counts, alerts, case-review flags, one audit insert of 120 events),
  with its floor replaying the same statements. Its target is p95 ≤ 100 ms (the caseload's and chart's 50 ms).
- **scoring** (`benchmarks/scoring.py`): `measures.scoring.score` over 20,000 seeded responses to eight
  questionnaires (most complete, some prorated, a few not scorable), in a subprocess without a database, five
  rounds (median); its floor adds up the answered values of the same lists in the same process (a plain
  `sum`), so the ratio is what the engine's checks, missing-data rules, exact decimals, bands and flags cost.
- **audit_seal** (`benchmarks/audit_seal.py`): `seal_pending()` over every unsealed event of the clinic on a
  fresh copy (events/s), then `commonground audit verify` as a subprocess over the whole chain, timed, and
  required to say it is intact. Its floor seals the same events with the same hashing through the plain
  driver (one SELECT and one `executemany` UPDATE per batch of 5,000) and must reach the same chain heads.
- **diary_submit** (`benchmarks/diary_submit.py`): a patient's day entry, `POST /portal/diary/days/<day>/` of the
  typical entry (six ratings, hours and quality of sleep, one activity with its minutes and effort, the form's
  fresh submission key and its CSRF token) through the real view: session, CSRF, the patient's record through
  the gateway (an audit event), validation against their set-up, the service's checks, the entry and its history
  row, the entry's audit event, the message kept in the session, and the redirect — 302 to `/portal/diary/` is
  the only success. Every request is a new entry: a pool of 980 diary patients (all with a diary but 20 kept for
  the capture) posts today's entry, then yesterday's, and so on back three days — at most 3,920 writes per side
  and round, each request made once (a side that runs out stops early). Sessions are opened before the run by the
  application's own `begin_session` on the measured copy (the sign-in page's Argon2 check, ~0.3-0.5 s of CPU
  here, would take minutes for the pool), each with its own CSRF cookie and the masked token its form carries.
  The floor replays the SQL of one such POST with the patient, account, diary version and day from its path and
  fresh ids for the entry and submission key. Target: p99 ≤ 50 ms and at least 0.25 of the floor's rate.
- **patterns_one** (`benchmarks/diary_patterns.py`): `diary.patterns.findings` over one patient-year (the
  coordinator's first patient's diary read by `diary_table`: 15 variables, ~320 days with entries) with every
  variable as an outcome (15 × 14 × 2 = 420 tests, the largest family 15 variables allow; the patient's own two
  outcomes, 56 tests, are timed too), 30 calls after 3 warm-up calls, in-process: median (target ≤ 100 ms) and p95.
- **patterns_batch** (`benchmarks/diary_patterns.py`): for every diary patient, what the patterns page computes —
  the set-up, `diary_table`, `personal_patterns` in English words — in one process (one worker): patients per
  second and each patient's time. Its floor reads the same rows with plain SQL and runs the same analysis
  (`patterns.findings`, pairs said once) without the ORM, value objects or words; both must give the same findings.
- **The profile** columns come from the capture: the median of 40 in-process requests (Django test client,
  no gunicorn), split into the time in SQL (execute wrapper) and in template rendering; a cProfile of 20
  more is written to `var/bench/scripts/<scenario>-<backend>.profile.txt`.
"""


def machine() -> dict[str, Any]:
    model = _proc_field("/proc/cpuinfo", "model name") or platform.processor()
    memory_kib = _proc_field("/proc/meminfo", "MemTotal").split(" ")[0] or "0"
    memory_gib = int(memory_kib) / 1024 / 1024
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model or "unknown",
        "memory_gib": round(memory_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def _proc_field(path: str, name: str) -> str:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(name):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "commonground"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() + (" (app changes not committed)" if dirty.stdout.strip() else "")


def _targets(rows: list[Row]) -> str:
    lines = [
        f"Caseload page and patient chart, at {TARGET_PATIENTS:,} patients: p95 server time ≤ {TARGET_P95_MS:.0f} ms "
        f"and at least {TARGET_FLOOR_SHARE:.2f} of the floor's requests per second (and no errors); the caseload "
        "registry likewise, with p95 ≤ 100 ms. The diary (issue 6): a day's entry posted with p99 ≤ 50 ms and at "
        f"least {TARGET_FLOOR_SHARE:.2f} of its floor's rate; personal patterns over one patient-year of 15 variables "
        "in a median ≤ 100 ms.",
        "",
        "| scenario | backend | latency ms | latency target | rate / floor | ≥ 0.25 | errors | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    found = False
    for row in rows:
        if row["name"] not in TARGET_SCENARIOS or row["patients"] != TARGET_PATIENTS:
            continue
        found = True
        stat = row.get("target_stat", "p95")
        limit = row.get("target_ms") or row.get("target_p95_ms") or TARGET_P95_MS
        value = row.get(f"{stat}_ms")
        latency_ok = value is not None and value <= limit
        share = row.get("target_share", TARGET_FLOOR_SHARE)
        share_ok = (row.get("rps_ratio") or 0) >= share if share else None
        shown = {"p50": "median"}.get(stat, stat)
        lines.append(
            f"| {row['name']} | {row['backend']} | {shown} {_plain(value)} | "
            f"≤ {limit:.0f} ms: {'met' if latency_ok else 'missed'} | "
            f"{_share(row.get('rps_ratio'), share)} | {'-' if share_ok is None else 'met' if share_ok else 'missed'} | "
            f"{row.get('errors', 0)} | **{'met' if row.get('target_met') else 'missed'}** |"
        )
    if not found:
        lines.append(f"| (no run at {TARGET_PATIENTS:,} patients yet) | | | | | | | |")
    return "\n".join(lines)


def _share(value: float | None, share: float | None) -> str:
    """The ratio to two places, and to four where two would round it across the target (0.2496 → 0.25)."""
    if value is None:
        return "-"
    if share and (round(value, 2) >= share) != (value >= share):
        return f"{value:.2f} ({value:.4f})"
    return f"{value:.2f}"


def _plain(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _details(rows: list[Row]) -> str:
    lines = [
        "| scenario | backend | patients | statements | in-process ms | SQL ms | template ms | p95 per round ms | "
        "rate per round | floor rate per round |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    seal = []
    for row in rows:
        if row.get("unit") == "responses/s":
            seal.append(_scoring_line(row))
            continue
        if row["name"] in ("patterns_one", "patterns_batch"):
            seal.append(_patterns_line(row))
            continue
        if row["name"] == "diary_submit":
            seal.append(
                f"- diary_submit, {row['backend']}, {row['patients']:,} patients: a pool of {row.get('pool') or 0:,} "
                f"diary patients, at most {row.get('writes_per_round') or 0:,} distinct writes per side and round; "
                f"{row['requests']:,} measured writes (the floor {row['floor_requests']:,}); p99 per round "
                f"{', '.join(f'{value:.1f}' for value in row.get('p99_ms_rounds', []))} ms; "
                "the floor's p50 / p95 / p99 "
                f"{_plain(row.get('floor_p50_ms'))} / {_plain(row.get('floor_p95_ms'))} / "
                f"{_plain(row.get('floor_p99_ms'))} ms."
            )
        if row.get("unit") == "events/s":
            seal.append(
                f"- audit_seal, {row['backend']}, {row['patients']:,} patients: {row['events']:,} events sealed in "
                f"{row['seal_s']:.1f} s ({row['events_per_s']:,.0f}/s; the floor {row['floor_seal_s']:.1f} s, "
                f"{row['floor_events_per_s']:,.0f}/s; same chain heads: "
                f"{'yes' if row['chain_matches_floor'] else 'NO'}); "
                f"`commonground audit verify` {row['verify_s']:.1f} s for {row['verify_checked']:,} events "
                f"({row['verify_internal_s']:.1f} s inside the command), intact."
            )
            continue
        profile = row.get("profile", {})
        lines.append(
            f"| {row['name']} | {row['backend']} | {row['patients']:,} | {row.get('statements', '-')} | "
            f"{profile.get('total_ms', '-')} | {profile.get('sql_ms', '-')} | {profile.get('template_ms', '-')} | "
            f"{', '.join(f'{value:.1f}' for value in row.get('p95_ms_rounds', []))} | "
            f"{', '.join(f'{value:.0f}' for value in row.get('rps_rounds', []))} | "
            f"{', '.join(f'{value:.0f}' for value in row.get('floor_rps_rounds', []))} |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(seal)


def _patterns_line(row: Row) -> str:
    if row["name"] == "patterns_one":
        return (
            f"- patterns_one, {row['backend']}, {row['patients']:,} patients: patient {row['record_number']}, "
            f"{row['variables']} variables over {row['days']} days with entries, every variable an outcome "
            f"({row['tests']} tests, {row['passing']} passing): median {row['p50_ms']:.1f} ms, "
            f"p95 {row['p95_ms']:.1f} ms "
            f"over {row['runs']} runs; with the patient's own {len(row['own_outcomes'])} outcomes "
            f"({', '.join(row['own_outcomes'])}) {row['own_p50_ms']:.1f} ms; the first call in a process "
            f"{row['first_call_ms']:,.0f} ms (it imports SciPy); around it on the patterns page, `diary_table` "
            f"{row['table_p50_ms']:.1f} ms and `personal_patterns` (own outcomes, in words) "
            f"{row['page_patterns_p50_ms']:.1f} ms."
        )
    return (
        f"- patterns_batch, {row['backend']}, {row['patients']:,} patients: {row['diary_patients']:,} diaries in "
        f"{row['seconds']:.1f} s ({row['rps']:,.1f} patients/s; each p50 {row['p50_ms']:.1f} ms, p95 "
        f"{row['p95_ms']:.1f} ms), one process; the floor (plain SQL, the same analysis) {row['floor_seconds']:.1f} s "
        f"({row['floor_rps']:,.1f}/s; each p50 {row['floor_p50_ms']:.1f} ms); {row['findings']:,} findings, the same "
        f"as the floor's: {'yes' if row['matches_floor'] else 'NO'}."
    )


def _scoring_line(row: Row) -> str:
    each = ", ".join(f"{name} {rate:,.0f}/s" for name, rate in row.get("by_instrument", {}).items())
    return (
        f"- scoring, {row['backend']} run: {row['responses']:,} responses, {row['rounds']} rounds: "
        f"{row['rps']:,.0f} responses/s ({row['us_per_response']:.1f} µs each; per round "
        f"{', '.join(f'{value:,}' for value in row.get('rps_rounds', []))}); the floor (a plain sum of the same "
        f"answers) {row['floor_rps']:,.0f}/s ({row['floor_us_per_response']:.2f} µs); {row['unscorable']:,} not "
        f"scorable. By questionnaire: {each}."
    )


def _runs(runs: dict[str, Row]) -> str:
    lines = [
        "| backend | patients | date | clinic build | whole run | load | workers | concurrency | rounds | database "
        "| app commit |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in sorted(runs.values(), key=lambda run: (run["backend"] != "sqlite", run["patients"])):
        build = f"{run['build_seconds']:.0f} s" + (" (cached)" if run["build_cached"] else "")
        lines.append(
            f"| {run['backend']} | {run['patients']:,} | {run['date']} | {build} | "
            f"{run['total_seconds'] / 60:.1f} min | {run.get('load', '-')} | "
            f"{run['workers']} | {run['concurrency']} | {run['rounds']} | {run['database_version']} | {run['commit']} |"
        )
    return "\n".join(lines)


def write(rows: list[Row], runs: dict[str, Row]) -> None:
    here = machine()
    notes = NOTES_FILE.read_text().strip() if NOTES_FILE.exists() else "(no notes yet)"
    notes = notes.removeprefix("# What we learned").strip()
    text = f"""# Performance benchmarks

<!-- Written by `make bench` (benchmarks/report.py) from var/bench/results.json and var/bench/runs.json.
     Do not edit by hand: the next run rewrites it. "What we learned" comes from benchmarks/NOTES.md. -->

`make bench` builds a synthetic clinic, serves the real application under gunicorn and loads it from a
separate process, and measures beside it, in the same run, a *floor*: a plain WSGI application that replays
the application's own SQL for the same request. Server times are the application's `Server-Timing`; the rates
are requests (or audit events) per second; "/ floor" columns are the ratios to the floor. On this shared,
noisy machine, compare ratios and medians, not single figures.

## Targets

{_targets(rows)}

## Results

Server-time percentiles (ms), client p95 (ms, as the load generator saw it), throughput, the floor's and the
ratios; median of the rounds.

{markdown_table(table(rows))}

### Details

{_details(rows)}

## Runs

{_runs(runs)}

Load: the 1-minute load average, sampled every 10 s during the run, mean (max). The machine has 2 CPUs, and the
harness itself keeps five or six processes busy while it loads a page; more than that is other people's work.

## Machine

{here["cpus"]} CPUs ({here["cpu_model"]}), {here["memory_gib"]:.0f} GiB memory, Linux {here["kernel"]}, Python
{here["python"]}, SQLite {here["sqlite"]}. The load generator, gunicorn and the database share these CPUs.

## How to reproduce

{REPRODUCE}
## How it measures

{METHOD}
## What we learned

{notes}
"""
    DOCS_FILE.write_text(text)


if __name__ == "__main__":
    # `python -m benchmarks.report`: rewrite docs/benchmarks.md from the stored results (after editing NOTES.md).
    from benchmarks.results import load_rows, load_runs

    write(load_rows(), load_runs())
