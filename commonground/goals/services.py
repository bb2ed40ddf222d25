"""Writes of the goals domain: values, goals, the milestone ladder and goal attainment reviews.

Callers have opened the patient through the access gateway. Each write records its audit event in the same
transaction. Ladder changes lock the goal's row, keep every rung (a split or removed rung stays, off the
ladder) and write a `LadderEvent`, so the ladder's history is never lost. A step back is information,
recorded with its reason, never a failure.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from commonground.goals.models import GasReview, GasSettings, Goal, Milestone, Value
from commonground.patients.models import Patient

# Fields of a goal a clinician edits through `update_goal` (the others have their own functions).
GOAL_FIELDS = (
    "value_id",
    "title",
    "indicator",
    "target_date",
    "proposed_by",
    "agreed_by_patient",
    "barriers",
    "enablers",
    "triggers",
    "accelerants",
    "contingency_plan",
    "supporter_ids",
    "importance",
    "difficulty",
    "level_minus_2",
    "level_minus_1",
    "level_0",
    "level_plus_1",
    "level_plus_2",
    "baseline_level",
    "status",
)


def add_value(patient: Patient, *, life_area: str, words: str, by: Any) -> Value:
    """Record what matters to the patient in one life area, in their words (required, ≤ 1000 characters)."""
    raise NotImplementedError


def update_value(value: Value, *, expected_version: int, life_area: str, words: str, reason: str) -> Value:
    raise NotImplementedError


def set_goal(patient: Patient, *, details: dict[str, Any], by: Any, today: date) -> Goal:
    """A new goal. `details` holds GOAL_FIELDS (status excepted). Checks: title, indicator and the five level
    descriptions given; target date after today; value (if any) is the same patient's; supporters each have
    the patient's sharing consent in force; importance/difficulty 1-3 or empty; baseline level −2..+2 (usually −1, or −2
    when it could not be worse). If the patient agrees (`agreed_by_patient`), `agreed_by`
    is `by` and `agreed_on` today. Raises DomainError(field=...) with a plain message."""
    raise NotImplementedError


def update_goal(
    goal: Goal, *, expected_version: int, changes: dict[str, Any], reason: str, by: Any, today: date
) -> Goal:
    """Revise a goal (versioned with a reason; StaleEdit when someone saved first). Same checks as set_goal."""
    raise NotImplementedError


def add_rung(goal: Goal, *, action: str, target_date: date | None, by: Any, position: int | None = None) -> Milestone:
    """Add a small doable step at `position` (1-based; None = at the top of the ladder); later rungs move up."""
    raise NotImplementedError


def edit_rung(
    milestone: Milestone, *, expected_version: int, action: str, target_date: date | None, by: Any
) -> Milestone:
    raise NotImplementedError


def split_rung(
    milestone: Milestone, *, steps: list[tuple[str, date | None]], by: Any, reason: str = ""
) -> list[Milestone]:
    """Replace one rung by two or more smaller ones in its place; the old rung stays, marked split."""
    raise NotImplementedError


def move_rung(milestone: Milestone, *, to_position: int, by: Any) -> Milestone:
    """Reorder: the rung goes to `to_position` (1-based among rungs on the ladder); others close up."""
    raise NotImplementedError


def mark_rung(milestone: Milestone, *, state: str, by: Any, note: str = "") -> Milestone:
    """Done, partly done or not yet. Patients mark their own rungs too (`by` is then the patient's user).
    Marking the same state again changes nothing and writes no event."""
    raise NotImplementedError


def step_back(goal: Goal, *, reason: str, by: Any, milestone: Milestone | None = None) -> Milestone | None:
    """A step back, recorded with its reason (required): the given rung, or else the highest rung marked done
    or partly done, is open again ("not yet"). With no such rung the step back is still recorded."""
    raise NotImplementedError


def remove_rung(milestone: Milestone, *, reason: str, by: Any) -> Milestone:
    """Take a rung off the ladder (it stays in the history); rungs above close up."""
    raise NotImplementedError


def review_goal(goal: Goal, *, level: int, reviewed_on: date, by: Any, note: str = "") -> GasReview:
    """The goal attainment level reached at a review (−2..+2; not in the future; not before the goal was set).
    A second review of the same goal on the same day replaces the first's level (versioned)."""
    raise NotImplementedError


def gas_settings_for(organisation_id: Any) -> GasSettings:
    """The clinic's settings, created with the defaults (unweighted, ρ 0.3) the first time."""
    raise NotImplementedError
