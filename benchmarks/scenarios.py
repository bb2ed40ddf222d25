"""The scenario registry. A later issue adds its pages or jobs here, with `register`.

A page scenario is measured twice in each round, on fresh working copies: the application under gunicorn,
and its floor (the application's own SQL for that request, replayed by a plain WSGI app). A job scenario
measures itself and returns its result rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks import audit_seal, diary_patterns, diary_submit, scoring
from benchmarks.config import CASELOAD_SIZE
from benchmarks.context import RunContext

CHART_LINK = re.compile(r"/clinician/patients/([0-9a-f-]{36})/")


def _no_check(page: str, patient: str) -> str | None:
    return None


@dataclass(frozen=True)
class PageScenario:
    name: str
    description: str
    path: Callable[[str], str]  # the page of one of the coordinator's patients (ignored by list pages)
    rotates_patients: bool = False  # each request takes the next of the coordinator's 120 patients
    # Is the page the right one? (page HTML, the patient asked for) -> a complaint, or None. Run at capture.
    check: Callable[[str, str], str | None] = _no_check
    target_p95_ms: float = 50.0  # the target for the page's p95 server time

    def paths(self, patients: list[str]) -> list[str]:
        return [self.path(patient) for patient in patients] if self.rotates_patients else [self.path(patients[0])]

    def floor_paths(self, patients: list[str]) -> list[str]:
        return [f"/{patient}" for patient in patients] if self.rotates_patients else ["/"]


@dataclass(frozen=True)
class JobScenario:
    name: str
    description: str
    run: Callable[[RunContext], list[dict[str, Any]]]


Scenario = PageScenario | JobScenario
_registry: dict[str, Scenario] = {}


def register(scenario: Scenario) -> None:
    _registry[scenario.name] = scenario


def get(name: str) -> Scenario:
    try:
        return _registry[name]
    except KeyError:
        raise SystemExit(f"no scenario named {name!r}; known: {', '.join(_registry)}") from None


def names() -> list[str]:
    return list(_registry)


def selected(names: tuple[str, ...]) -> list[Scenario]:
    return [get(name) for name in names] if names else list(_registry.values())


register(
    PageScenario(
        "caseload",
        "GET /clinician/ as bench-coordinator: the caseload of 120 patients",
        path=lambda patient: "/clinician/",
        check=lambda page, patient: (
            None
            if len(set(CHART_LINK.findall(page))) == CASELOAD_SIZE
            else f"the caseload does not link exactly {CASELOAD_SIZE} patients"
        ),
    )
)
register(
    PageScenario(
        "chart",
        "GET /clinician/patients/<id>/, rotating over bench-coordinator's 120 patients",
        path=lambda patient: f"/clinician/patients/{patient}/",
        rotates_patients=True,
        check=lambda page, patient: None if f"/clinician/patients/{patient}/" in page else "not this patient's chart",
    )
)
register(
    PageScenario(
        "registry",
        "GET /clinician/registry/ as bench-coordinator: the caseload registry of 120 patients, 12 responses each",
        path=lambda patient: "/clinician/registry/",
        check=lambda page, patient: (
            None
            if len(set(CHART_LINK.findall(page))) == CASELOAD_SIZE and "reliable" in page
            else f"the registry does not show exactly {CASELOAD_SIZE} patients with their change"
        ),
        target_p95_ms=100.0,
    )
)
register(
    JobScenario(
        "scoring",
        "measures.scoring.score over 20,000 seeded responses of 8 questionnaires (responses/s), beside a plain sum",
        run=scoring.measure,
    )
)
register(
    JobScenario(
        "audit_seal",
        "seal_pending() over every unsealed event of the clinic (events/s), then `commonground audit verify`",
        run=audit_seal.measure,
    )
)
register(
    JobScenario(
        "diary_submit",
        "POST /portal/diary/days/<day>/ by signed-in patients: the typical entry validated, saved with its history "
        "and audit, answered by the redirect; each a new entry over a pool of diary patients (beside its floor)",
        run=diary_submit.measure_submit,
    )
)
register(
    JobScenario(
        "patterns_one",
        "diary.patterns.findings over one patient-year of 15 variables, every variable an outcome (median of 30)",
        run=diary_patterns.measure_one,
    )
)
register(
    JobScenario(
        "patterns_batch",
        "diary_table + personal_patterns for every diary patient of the clinic, one process (patients/s), "
        "beside plain SQL and the same analysis",
        run=diary_patterns.measure_batch,
    )
)
