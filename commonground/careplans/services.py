"""Writes of the care-plan domain: the shared plan and its elements, sessions, home practice, ending therapy.

Callers have opened the patient through the access gateway. Each write records its audit event in the same
transaction. The plan's version guards the plan and its elements together: every change to either claims the
plan's version (`kit.versioning.save_edit` on the plan) with a reason, so of two clinicians editing the same
plan one saves and the other gets `StaleEdit` with the saved plan; nothing is lost.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.patients.models import Patient

PLAN_FIELDS = (
    "summary",
    "patient_summary",
    "sessions_min",
    "sessions_max",
    "minutes_min",
    "minutes_max",
    "goal_ids",
    "starts_on",
    "review_on",
)
ELEMENT_FIELDS = ("kind", "description", "responsible_id", "frequency", "intensity", "position", "status")


def create_plan(patient: Patient, *, details: dict[str, Any], by: Any) -> CarePlan:
    """The patient's one care plan (a second is refused with a clear message). `details` holds PLAN_FIELDS;
    defaults 6-12 sessions of 30-45 minutes; min ≤ max; goal_ids are this patient's current goals."""
    raise NotImplementedError


def update_plan(plan: CarePlan, *, expected_version: int, changes: dict[str, Any], reason: str) -> CarePlan:
    """Change the plan (reason required; StaleEdit if someone saved after `expected_version`)."""
    raise NotImplementedError


def add_element(plan: CarePlan, *, expected_version: int, details: dict[str, Any], reason: str) -> TherapyElement:
    """Add an element (ELEMENT_FIELDS); the responsible person must be on the patient's care team."""
    raise NotImplementedError


def update_element(
    element: TherapyElement, *, expected_version: int, changes: dict[str, Any], reason: str
) -> TherapyElement:
    """`expected_version` is the PLAN's version the editor saw (one version for the plan and its elements)."""
    raise NotImplementedError


def record_session(
    patient: Patient,
    *,
    details: dict[str, Any],
    by: Any,
    note_text: str = "",
    home_practice: list[dict[str, Any]] | None = None,
    ask_about_consultation: bool = False,
) -> TherapySession:
    """A session held: details are held_on (not in the future, not before the plan starts), duration_minutes
    (5-240), clinician (a user on the care team; default `by`), elements (ElementKind values), exercises (library
    slugs). `note_text`, if given, becomes a session note through `notes.services.write_note` (checked for
    wording). Each `home_practice` dict (library_item or title, instructions, how_often, ends_on) is assigned
    through `assign_home_practice`. `ask_about_consultation` asks the patient the CARE questionnaire about this
    session through `measures.services.request_measure`. Needs a care plan (DomainError otherwise)."""
    raise NotImplementedError


def update_session(
    session: TherapySession, *, expected_version: int, changes: dict[str, Any], reason: str
) -> TherapySession:
    raise NotImplementedError


def add_reflection(session: TherapySession, *, text: str, patient: Patient) -> TherapySession:
    """The patient's own reflection on a session, written in the portal (≤ 4000 characters; may be replaced)."""
    raise NotImplementedError


def assign_home_practice(
    patient: Patient, *, details: dict[str, Any], by: Any, session: TherapySession | None = None
) -> HomePractice:
    """details: library_item (a library slug, title taken from it unless given) or title; instructions;
    how_often; starts_on (default today in the patient's time zone); ends_on (≥ starts_on)."""
    raise NotImplementedError


def end_home_practice(practice: HomePractice, *, expected_version: int, by: Any) -> HomePractice:
    raise NotImplementedError


def end_therapy(plan: CarePlan, *, expected_version: int, ended_on: date, reason: str, today: date) -> CarePlan:
    """Therapy ends: the plan records the day and why; active elements complete; active home practice ends;
    the measures domain schedules the end-of-therapy and follow-up questionnaires at once
    (`measures.services.record_end_of_therapy`). Not in the future; not before the plan started."""
    raise NotImplementedError


def resume_therapy(plan: CarePlan, *, expected_version: int, reason: str, today: date) -> CarePlan:
    """Undo an ending recorded by mistake or therapy taken up again (the measures schedule follows)."""
    raise NotImplementedError
