"""A functional goal as a FHIR R4 Goal (decision 0012).

- `lifecycleStatus` follows the goal's status; an active goal the patient has not agreed to yet is `proposed`.
- `achievementStatus` follows the latest goal attainment review, read against the goal's baseline level: the
  expected outcome (0) or better is `achieved`; below it, `improving`, `no-change` or `worsening` against
  where the patient started. Without a review an open goal is `in-progress`.
- `description.text` is the goal in the patient's words; the one `target` is the measurable indicator
  (`measure.text`), the expected outcome (GAS level 0, `detailString`) and the date (`dueDate`).
- `outcomeCode` is the level reached at the latest review (local code system `gas-levels`, code −2..2 as
  "-2".."2"), its text the patient's words for that level.
- `expressedBy` is the patient or the clinician who set the goal; a goal proposed together has none.
- `priority` is the patient's importance rating; the contingency plan is a `note`.

The milestone ladder is not part of the Goal: its rungs are activities of the CarePlan (see `careplans`).
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.goal import Goal as FhirGoal
from fhir.resources.R4B.goal import GoalTarget
from fhir.resources.R4B.reference import Reference

from commonground.accounts.choices import AccountKind
from commonground.goals import selectors
from commonground.goals.choices import GoalStatus, ProposedBy
from commonground.goals.models import GasReview, Goal
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import base_url, patient_reference_of
from commonground.patients.models import Patient

GOAL_ACHIEVEMENT: Final = "http://terminology.hl7.org/CodeSystem/goal-achievement"
GOAL_PRIORITY: Final = "http://terminology.hl7.org/CodeSystem/goal-priority"

ACHIEVEMENT_DISPLAY: Final = {
    "in-progress": "In Progress",
    "improving": "Improving",
    "worsening": "Worsening",
    "no-change": "No Change",
    "achieved": "Achieved",
}
# Turner-Stokes' importance (1-3) as the goal's priority.
PRIORITY: Final = {
    1: ("low-priority", "Low Priority"),
    2: ("medium-priority", "Medium Priority"),
    3: ("high-priority", "High Priority"),
}
GAS_LEVEL_DISPLAY: Final = {
    -2: "Much less than expected",
    -1: "Somewhat less than expected",
    0: "Expected outcome",
    1: "Somewhat more than expected",
    2: "Much more than expected",
}
LIFECYCLE: Final = {
    GoalStatus.ACTIVE: "active",
    GoalStatus.ON_HOLD: "on-hold",
    GoalStatus.ACHIEVED: "completed",
    GoalStatus.ENDED: "cancelled",
}


def gas_levels_system() -> str:
    """Goal attainment levels: code = the level, "-2" to "2" (0 = the expected outcome)."""
    return f"{base_url()}/CodeSystem/gas-levels"


def goal_resource(goal: Goal, latest_review: GasReview | None = None) -> FhirGoal:
    """`latest_review` is the goal's most recent current review, if any (see `goals.selectors.latest_reviews`)."""
    achievement = achievement_code(goal, latest_review)
    return FhirGoal(
        id=str(goal.id),
        lifecycleStatus=lifecycle_status(goal),
        achievementStatus=_achievement(achievement) if achievement else None,
        priority=_priority(goal.importance),
        description=CodeableConcept(text=goal.title),
        subject=Reference(reference=patient_reference_of(goal.patient_id)),
        startDate=goal.set_on,
        target=[
            GoalTarget(
                measure=CodeableConcept(text=goal.indicator), detailString=goal.level_0, dueDate=goal.target_date
            )
        ],
        expressedBy=_expressed_by(goal),
        note=[Annotation(text=f"When symptoms flare: {goal.contingency_plan}")] if goal.contingency_plan else None,
        outcomeCode=[_level_reached(goal, latest_review)] if latest_review else None,
    )


def lifecycle_status(goal: Goal) -> str:
    if goal.is_entered_in_error:
        return "entered-in-error"
    if goal.status == GoalStatus.ACTIVE and not goal.agreed_by_patient:
        return "proposed"  # co-created: not under way until the patient agrees
    return LIFECYCLE[GoalStatus(goal.status)]


def achievement_code(goal: Goal, latest_review: GasReview | None) -> str | None:
    """Where the goal stands, from the latest review read against where the patient started."""
    if goal.status == GoalStatus.ACHIEVED:
        return "achieved"
    if latest_review is None:
        return "in-progress" if goal.status in (GoalStatus.ACTIVE, GoalStatus.ON_HOLD) else None
    if latest_review.level >= 0:
        return "achieved"
    if latest_review.level > goal.baseline_level:
        return "improving"
    if latest_review.level == goal.baseline_level:
        return "no-change"
    return "worsening"


def goal_of(patient: Patient, goal_id: UUID) -> FhirGoal | None:
    found = selectors.goal_of(patient, goal_id)
    if found is None:
        return None
    return goal_resource(found, selectors.latest_reviews([found]).get(found.id))


def goals_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """Every current goal of the patient (ended ones too), as a searchset."""
    found = list(selectors.goals_of(patient).select_related("created_by"))
    reviews = selectors.latest_reviews(found)
    return searchset([goal_resource(goal, reviews.get(goal.id)) for goal in found], self_url=self_url)


def _achievement(code: str) -> CodeableConcept:
    display = ACHIEVEMENT_DISPLAY[code]
    return CodeableConcept(coding=[Coding(system=GOAL_ACHIEVEMENT, code=code, display=display)], text=display)


def _priority(importance: int | None) -> CodeableConcept | None:
    if importance not in PRIORITY:
        return None
    code, display = PRIORITY[importance]
    return CodeableConcept(coding=[Coding(system=GOAL_PRIORITY, code=code, display=display)], text=display)


def _level_reached(goal: Goal, review: GasReview) -> CodeableConcept:
    level = Coding(system=gas_levels_system(), code=str(review.level), display=GAS_LEVEL_DISPLAY[review.level])
    return CodeableConcept(coding=[level], text=goal.level_words(review.level) or GAS_LEVEL_DISPLAY[review.level])


def _expressed_by(goal: Goal) -> Reference | None:
    if goal.proposed_by == ProposedBy.PATIENT:
        return Reference(reference=patient_reference_of(goal.patient_id))
    if goal.proposed_by != ProposedBy.CLINICIAN:
        return None  # proposed together: R4 allows one person here, and neither alone proposed it
    creator: Any = goal.created_by
    if creator.kind != AccountKind.STAFF:
        return None  # typed in by the patient: we do not know which clinician proposed it
    return Reference(reference=f"Practitioner/{goal.created_by_id}")
