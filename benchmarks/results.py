"""var/bench/results.json (one row per scenario, backend and clinic size) and var/bench/runs.json.

A run replaces only its own rows: a SQLite run never erases PostgreSQL's figures, nor another clinic size's.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.config import RESULTS_FILE, RUNS_FILE

Row = dict[str, Any]


def load_rows() -> list[Row]:
    if not RESULTS_FILE.exists():
        return []
    rows: list[Row] = json.loads(RESULTS_FILE.read_text())
    return rows


def merge(new_rows: list[Row], order: list[str]) -> list[Row]:
    """Replace this run's rows in results.json; sort by backend, clinic size and the registry's order."""
    replaced = {(row["name"], row["backend"], row["patients"]) for row in new_rows}
    kept = [row for row in load_rows() if (row["name"], row["backend"], row["patients"]) not in replaced]

    def place(row: Row) -> tuple[bool, int, int]:
        name = row["name"]
        return row["backend"] != "sqlite", row["patients"], order.index(name) if name in order else len(order)

    rows = sorted([*kept, *new_rows], key=place)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(rows, indent=2) + "\n")
    return rows


def load_runs() -> dict[str, Row]:
    if not RUNS_FILE.exists():
        return {}
    runs: dict[str, Row] = json.loads(RUNS_FILE.read_text())
    return runs


def record_run(backend: str, patients: int, run: Row) -> dict[str, Row]:
    runs = load_runs()
    runs[f"{backend}-{patients}"] = run
    RUNS_FILE.write_text(json.dumps(runs, indent=2, sort_keys=True) + "\n")
    return runs


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: list[Row]) -> list[list[str]]:
    """Header and one line per row: server-time percentiles, client p95, throughput and both ratios."""
    lines = [
        [
            "scenario", "backend", "patients", "p50 ms", "p95 ms", "p99 ms", "client p95 ms", "rate",
            "floor rate", "rate / floor", "floor p95 ms", "p95 / floor", "errors", "target",
        ]
    ]  # fmt: skip
    for row in rows:
        unit = {"events/s": "ev/s", "responses/s": "resp/s", "patients/s": "patients/s"}.get(
            row.get("unit", ""), "req/s"
        )
        target = "-" if "target_met" not in row else ("met" if row["target_met"] else "MISSED")
        lines.append(
            [
                row["name"],
                row["backend"],
                f"{row['patients']:,}",
                _number(row.get("p50_ms")),
                _number(row.get("p95_ms")),
                _number(row.get("p99_ms")),
                _number(row.get("client_p95_ms")),
                _rate(row.get("rps"), unit),
                _rate(row.get("floor_rps"), unit),
                _number(row.get("rps_ratio") or _ratio(row.get("rps"), row.get("floor_rps")), 2),
                _number(row.get("floor_p95_ms")),
                _number(row.get("p95_ratio"), 2),
                str(row.get("errors", 0)),
                target,
            ]
        )
    return lines


def _rate(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{_number(value, 1 if unit == 'patients/s' else 0)} {unit}"


def _ratio(value: float | None, floor: float | None) -> float | None:
    return value / floor if value is not None and floor else None


def plain_table(lines: list[list[str]]) -> str:
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


def markdown_table(lines: list[list[str]]) -> str:
    header, *body = lines
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in body]
    return "\n".join(out)
