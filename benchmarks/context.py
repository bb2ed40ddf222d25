"""What every scenario is given: the settings of the run and the store holding the built clinic."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.config import BenchConfig
from benchmarks.stores import Store


@dataclass(frozen=True)
class RunContext:
    config: BenchConfig
    store: Store
