"""The harness's settings, read once from the environment (every one has a default)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
COMMONGROUND = BIN / "commonground"
GUNICORN = BIN / "gunicorn"
BENCH_DIR = ROOT / "var" / "bench"
RESULTS_FILE = BENCH_DIR / "results.json"
RUNS_FILE = BENCH_DIR / "runs.json"
DOCS_FILE = ROOT / "docs" / "benchmarks.md"
NOTES_FILE = Path(__file__).resolve().parent / "NOTES.md"

# The coordinator whose caseload is measured, and the password every synthetic staff member shares.
BENCH_COORDINATOR = "bench-coordinator"
BENCH_PASSWORD = "bench-password-not-a-secret"  # noqa: S105  (a synthetic clinic on loopback)
CASELOAD_SIZE = 120
# The diary (issue 6): a year of daily entries for a sample of the clinic's patients, each with a portal account
# (`bench-patient-NNNNNN`, the staff's password). The coordinator's 120 patients are in the sample.
DIARY_PATIENTS = 1000
DIARY_USERNAME = "bench-patient-{number:06d}"


def _int(name: str, default: int) -> int:
    value = os.getenv(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name}={value!r}: a whole number is needed") from None


def _float(name: str, default: float) -> float:
    value = os.getenv(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        raise SystemExit(f"{name}={value!r}: a number is needed") from None


@dataclass(frozen=True)
class BenchConfig:
    patients: int
    workers: int
    concurrency: int
    warmup_s: float
    duration_s: float
    max_requests: int
    rounds: int
    scenarios: tuple[str, ...]
    database_url: str
    rebuild: bool

    @property
    def backend(self) -> str:
        return "postgresql" if self.database_url.startswith(("postgres://", "postgresql://")) else "sqlite"


def load(scenarios: str | None = None) -> BenchConfig:
    """The settings from the environment; `scenarios` (the command line's) takes the place of BENCH_SCENARIOS."""
    chosen = os.getenv("BENCH_SCENARIOS", "") if scenarios is None else scenarios
    config = BenchConfig(
        patients=_int("BENCH_PATIENTS", 10_000),
        workers=_int("BENCH_WORKERS", 4),
        concurrency=_int("BENCH_CONCURRENCY", 8),
        warmup_s=_float("BENCH_WARMUP", 2.0),
        duration_s=_float("BENCH_DURATION", 20.0),
        max_requests=_int("BENCH_MAX_REQUESTS", 3_000),
        rounds=_int("BENCH_ROUNDS", 3),
        scenarios=tuple(name.strip() for name in chosen.split(",") if name.strip()),
        database_url=os.getenv("DATABASE_URL", ""),
        rebuild=os.getenv("BENCH_REBUILD", "") in ("1", "true", "yes"),
    )
    if config.database_url and config.backend != "postgresql":
        raise SystemExit("DATABASE_URL must name PostgreSQL (postgres://...); leave it unset for SQLite")
    if config.patients < CASELOAD_SIZE * 2:
        raise SystemExit(f"BENCH_PATIENTS must be at least {CASELOAD_SIZE * 2}")
    if min(config.workers, config.concurrency, config.rounds, config.max_requests) < 1:
        raise SystemExit("BENCH_WORKERS, BENCH_CONCURRENCY, BENCH_ROUNDS and BENCH_MAX_REQUESTS must be positive")
    return config


# For `python -m benchmarks --help` (and docs/benchmarks.md): every variable, its default and its meaning.
VARIABLES = (
    ("BENCH_PATIENTS", "10000", "size of the synthetic clinic (at least 240)"),
    ("BENCH_WORKERS", "4", "gunicorn sync worker processes, the same for the application and every floor"),
    ("BENCH_CONCURRENCY", "8", "load-generator threads, each with its own connection (and session)"),
    ("BENCH_WARMUP", "2", "seconds of warm-up before measuring"),
    ("BENCH_DURATION", "20", "at most this many seconds measured per side and round"),
    ("BENCH_MAX_REQUESTS", "3000", "at most this many requests measured per side and round"),
    ("BENCH_ROUNDS", "3", "rounds per page scenario (application and floor alternate who goes first)"),
    ("BENCH_SCENARIOS", "all", "comma-separated names, e.g. `caseload,chart` (or `--scenarios`)"),
    ("BENCH_REBUILD", "no", "`1` rebuilds the clinic even when the cached one is current"),
)
