"""Measure one page scenario: the application and its floor, each round on fresh working copies.

Each round: the floor's copy gets the application's SQL captured on it (the capture's sign-in leaves the
session row the replayed statements read), then the floor is served and loaded; the application is served
on another fresh copy and loaded with signed-in sessions. Rounds alternate which side goes first. Figures
are the median over rounds; each round's p95 and requests per second are kept beside them.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from benchmarks.config import BENCH_COORDINATOR, BENCH_DIR, BENCH_PASSWORD, PYTHON, ROOT
from benchmarks.context import RunContext
from benchmarks.environment import app_env
from benchmarks.server import Server
from benchmarks.stats import median, percentile, ratio

if TYPE_CHECKING:  # the scenarios' registry imports the diary's scenarios, which measure with this module
    from benchmarks.scenarios import PageScenario

TARGET_P95_MS = 50.0  # the default; a scenario may set its own (`PageScenario.target_p95_ms`)
TARGET_FLOOR_SHARE = 0.25


def measure(context: RunContext, scenario: PageScenario) -> list[dict[str, Any]]:
    config = context.config
    rounds: list[dict[str, Any]] = []
    capture: dict[str, Any] = {}
    for number in range(config.rounds):
        sides = ("floor", "app") if number % 2 == 0 else ("app", "floor")
        figures: dict[str, Any] = {}
        for side in sides:
            if side == "floor":
                figures["floor"], capture = _measure_floor(context, scenario, number)
            else:
                figures["app"] = _measure_app(context, scenario, number, capture.get("patients"))
        rounds.append(figures)
        print(
            f"  {scenario.name} round {number + 1}/{config.rounds}: app p95 {_fmt(figures['app']['p95_ms'])} ms, "
            f"{figures['app']['rps']:.0f} req/s ({figures['app']['errors']} errors); floor p95 "
            f"{_fmt(figures['floor']['p95_ms'])} ms, {figures['floor']['rps']:.0f} req/s"
        )
    return [_row(context, scenario, rounds, capture)]


def _measure_floor(context: RunContext, scenario: PageScenario, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    store, config = context.store, context.config
    url = store.working_copy(f"{scenario.name}_floor")
    script_path = BENCH_DIR / "scripts" / f"{scenario.name}-{store.backend}.json"
    script_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        env = app_env(url)
        subprocess.run(
            [str(PYTHON), "-m", "benchmarks.capture", scenario.name, str(script_path)], env=env, cwd=ROOT, check=True
        )
        capture: dict[str, Any] = json.loads(script_path.read_text())
        env["BENCH_FLOOR_SCRIPT"] = str(script_path)
        label = f"{scenario.name}-{store.backend}-floor-{number + 1}"
        with Server("benchmarks.floor:application", env, workers=config.workers, label=label) as server:
            result = _load(context, server.port, scenario.floor_paths(capture["patients"]), sign_in=False)
    finally:
        store.drop(url)
    return result, capture


def _measure_app(
    context: RunContext, scenario: PageScenario, number: int, patients: list[str] | None
) -> dict[str, Any]:
    store, config = context.store, context.config
    if not patients:
        raise RuntimeError("the floor's capture names the coordinator's patients; it runs first")
    url = store.working_copy(f"{scenario.name}_app")
    try:
        label = f"{scenario.name}-{store.backend}-app-{number + 1}"
        with Server("commonground.wsgi:application", app_env(url), workers=config.workers, label=label) as server:
            return _load(context, server.port, scenario.paths(patients), sign_in=True)
    finally:
        store.drop(url)


def _load(context: RunContext, port: int, paths: list[str], *, sign_in: bool) -> dict[str, Any]:
    plan = {
        "paths": paths,
        "sign_in": {"username": BENCH_COORDINATOR, "password": BENCH_PASSWORD} if sign_in else None,
    }
    return load(context, port, plan)


def load(context: RunContext, port: int, plan: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator (`benchmarks.loadgen`) with the run's concurrency and bounds; its figures."""
    config = context.config
    plan = {
        "port": port,
        "concurrency": config.concurrency,
        "warmup_s": config.warmup_s,
        "duration_s": config.duration_s,
        "max_requests": config.max_requests,
        **plan,
    }
    done = subprocess.run(
        [str(PYTHON), "-m", "benchmarks.loadgen"],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr}")
    raw: dict[str, Any] = json.loads(done.stdout)
    for sample in raw["error_samples"]:
        print(f"    error: {sample}")
    return {
        "requests": raw["requests"],
        "warmup_requests": raw["warmup_requests"],
        "errors": raw["errors"],
        "rps": raw["rps"],
        "p50_ms": percentile(raw["server_ms"], 50),
        "p95_ms": percentile(raw["server_ms"], 95),
        "p99_ms": percentile(raw["server_ms"], 99),
        "client_p50_ms": percentile(raw["client_ms"], 50),
        "client_p95_ms": percentile(raw["client_ms"], 95),
        "client_p99_ms": percentile(raw["client_ms"], 99),
    }


def _row(
    context: RunContext, scenario: PageScenario, rounds: list[dict[str, Any]], capture: dict[str, Any]
) -> dict[str, Any]:
    row = rounds_row(context, scenario.name, rounds, capture)
    row["target_p95_ms"] = scenario.target_p95_ms
    row["target"] = f"p95 <= {scenario.target_p95_ms:.0f} ms and rps >= {TARGET_FLOOR_SHARE:.2f} x floor"
    row["target_met"] = bool(
        row["errors"] == 0
        and row["p95_ms"] is not None
        and row["p95_ms"] <= scenario.target_p95_ms
        and (row["rps_ratio"] or 0) >= TARGET_FLOOR_SHARE
    )
    return row


def rounds_row(context: RunContext, name: str, rounds: list[dict[str, Any]], capture: dict[str, Any]) -> dict[str, Any]:
    """The results row of a scenario measured against its floor over rounds: medians, per-round figures."""
    config = context.config

    def middle(side: str, key: str) -> float | None:
        value = median([figures[side][key] for figures in rounds])
        return None if value is None else round(value, 2)

    row: dict[str, Any] = {
        "name": name,
        "backend": context.store.backend,
        "patients": config.patients,
        "concurrency": config.concurrency,
        "p50_ms": middle("app", "p50_ms"),
        "p95_ms": middle("app", "p95_ms"),
        "p99_ms": middle("app", "p99_ms"),
        "rps": middle("app", "rps"),
        "floor_rps": middle("floor", "rps"),
        "unit": "requests/s",
        "workers": config.workers,
        "client_p50_ms": middle("app", "client_p50_ms"),
        "client_p95_ms": middle("app", "client_p95_ms"),
        "client_p99_ms": middle("app", "client_p99_ms"),
        "floor_p50_ms": middle("floor", "p50_ms"),
        "floor_p95_ms": middle("floor", "p95_ms"),
        "floor_p99_ms": middle("floor", "p99_ms"),
        "floor_client_p95_ms": middle("floor", "client_p95_ms"),
        "errors": sum(figures["app"]["errors"] for figures in rounds),
        "floor_errors": sum(figures["floor"]["errors"] for figures in rounds),
        "requests": sum(figures["app"]["requests"] for figures in rounds),
        "floor_requests": sum(figures["floor"]["requests"] for figures in rounds),
        "rounds": len(rounds),
        "p95_ms_rounds": [_round(figures["app"]["p95_ms"]) for figures in rounds],
        "p99_ms_rounds": [_round(figures["app"]["p99_ms"]) for figures in rounds],
        "rps_rounds": [_round(figures["app"]["rps"]) for figures in rounds],
        "floor_rps_rounds": [_round(figures["floor"]["rps"]) for figures in rounds],
        "statements": len(capture.get("statements", [])),
        "profile": capture.get("profile", {}),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    row["rps_ratio"] = _round(ratio(row["rps"], row["floor_rps"]), 4)  # 4 places: 0.2496 is not 0.25
    row["p95_ratio"] = _round(ratio(row["p95_ms"], row["floor_p95_ms"]), 2)
    return row


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
