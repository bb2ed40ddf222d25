"""Scoring throughput: responses per second through the real engine, beside a floor measured in the same run.

`commonground.measures.scoring.score` scores a fixed, seeded mix of responses to the questionnaires a clinic
uses — PHQ-15, PHQ-9, GAD-7, SSS-8, WSAS (most), PEG, Whiteley-7 and CARE — with the answers a clinic sees:
most complete, some with a skipped question (prorated where the rules allow it), a few not scorable, PHQ-15
item 4 left to the patient's sex, WSAS item 1 and CARE items not applicable now and then. Every response is
checked (values, count, not applicable), scored, banded and flagged, exactly as when a patient submits it.

The floor does the least any scoring must do with the same answer lists, in the same process and run: add up
the answered values of each list (a plain Python `sum`). Its ratio says how much the engine's checks, missing-
data rules, exact decimal arithmetic, bands and flags cost per response.

Runs in a subprocess (`python -m benchmarks.scoring`), with no database: the engine is pure.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from benchmarks.config import PYTHON, ROOT
from benchmarks.context import RunContext

RESPONSES = 20_000
ROUNDS = 5
SEED = 20261123
MIX = (("phq15", 4), ("phq9", 4), ("gad7", 4), ("sss8", 2), ("wsas", 3), ("peg", 1), ("whiteley7", 1), ("care", 1))


def measure(context: RunContext) -> list[dict[str, Any]]:
    config = context.config
    done = subprocess.run(
        [str(PYTHON), "-m", "benchmarks.scoring"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    print(
        f"  scoring: {result['responses']:,} responses x {result['rounds']} rounds: {result['rps']:,.0f} responses/s "
        f"({result['us_per_response']:.1f} µs each); floor {result['floor_rps']:,.0f}/s; "
        f"{result['unscorable']:,} not scorable"
    )
    return [
        {
            "name": "scoring",
            "backend": context.store.backend,
            "patients": config.patients,
            "concurrency": 1,
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
            "unit": "responses/s",
            "errors": 0,
            **result,
        }
    ]


def responses(count: int = RESPONSES, seed: int = SEED) -> list[tuple[Any, list[Any], str]]:
    """(instrument, scored answers, sex) for `count` responses, the same every run."""
    from benchmarks.clinic_measures import answers_for
    from commonground.measures.definitions import builtin_library

    library = builtin_library()
    rng = random.Random(seed)
    names = [name for name, weight in MIX for _ in range(weight)]
    made = []
    for _ in range(count):
        instrument = library[rng.choice(names)]
        sex = "female" if rng.random() < 0.68 else "male"
        answers = answers_for(instrument, rng.uniform(0.1, 0.8), rng, sex=sex)
        if instrument.id == "care" and rng.random() < 0.2:
            answers[rng.randrange(len(answers))] = "not_applicable"
        made.append((instrument, answers, sex))
    return made


def run() -> dict[str, Any]:
    from commonground.measures.scoring import score

    made = responses()
    for instrument, answers, sex in made[:1000]:  # warm-up
        score(instrument, answers, sex=sex)
    engine, floor, per_instrument = [], [], {}
    unscorable = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        results = [score(instrument, answers, sex=sex) for instrument, answers, sex in made]
        engine.append(time.perf_counter() - started)
        started = time.perf_counter()
        sums = [sum(a for a in answers if type(a) is int) for _, answers, _ in made]
        floor.append(time.perf_counter() - started)
        unscorable = sum(1 for result in results if not result.scorable)
        assert len(sums) == len(results)
    counts = Counter(instrument.id for instrument, _, _ in made)
    for name in counts:  # each instrument on its own, once, for the details
        subset = [(instrument, answers, sex) for instrument, answers, sex in made if instrument.id == name]
        started = time.perf_counter()
        for instrument, answers, sex in subset:
            score(instrument, answers, sex=sex)
        per_instrument[name] = round(len(subset) / (time.perf_counter() - started))
    seconds, floor_seconds = statistics.median(engine), statistics.median(floor)
    return {
        "responses": len(made),
        "rounds": ROUNDS,
        "rps": round(len(made) / seconds, 1),
        "floor_rps": round(len(made) / floor_seconds, 1),
        "rps_ratio": round(floor_seconds / seconds, 4),
        "us_per_response": round(seconds / len(made) * 1e6, 2),
        "floor_us_per_response": round(floor_seconds / len(made) * 1e6, 3),
        "rps_rounds": [round(len(made) / value) for value in engine],
        "floor_rps_rounds": [round(len(made) / value) for value in floor],
        "unscorable": unscorable,
        "by_instrument": dict(sorted(per_instrument.items())),
        "mix": dict(sorted(counts.items())),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run()))
