"""What the coordination pages show, composed from the domains' selectors: the tasks grouped for "My tasks",
the case-review agenda's sources, and the one-screen summary of a patient on the agenda.

The agenda's sources reuse the caseload registry (`clinician.registry`): its flags "not improving",
"deteriorated" and "critical item" are the registry's own rules, computed once for every patient the user
may see; the open case-review flags and the "long wait" hook come from coordination.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils.translation import gettext as _

from commonground.careplans import selectors as careplan_selectors
from commonground.careplans.choices import ElementStatus
from commonground.clinician import registry
from commonground.clinician.registry_forms import DEFAULT_SORT, RegistryChoice, default_direction
from commonground.coordination import selectors
from commonground.coordination.choices import ReviewReason, TaskPriority
from commonground.coordination.models import Task
from commonground.goals import selectors as goal_selectors
from commonground.measures import selectors as measure_selectors
from commonground.measures.change import RELIABLE_DETERIORATION, RELIABLE_IMPROVEMENT
from commonground.measures.registry import CRITICAL_ITEM, DETERIORATED, NOT_IMPROVING
from commonground.patients.models import Patient
from commonground.safety import selectors as safety_selectors

# --- My tasks ---------------------------------------------------------------------------------------------------


@dataclass
class TaskGroups:
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)
    closed: list[Task] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.later) + len(self.closed)


def grouped(tasks: list[Task], *, now: datetime, time_zone: str, due: str = "", priority: str = "") -> TaskGroups:
    """Overdue first (urgent first, then the longest overdue), then due today, then later; closed last."""
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    groups = TaskGroups()
    for task in tasks:
        if priority and task.priority != priority:
            continue
        if not task.is_open:
            groups.closed.append(task)
        elif task.due_at < now:
            groups.overdue.append(task)
        elif task.due_at.astimezone(zone).date() == today:
            groups.today.append(task)
        else:
            groups.later.append(task)
    groups.overdue.sort(key=_urgent_first)
    groups.today.sort(key=_urgent_first)
    if due == "overdue":
        groups.today, groups.later = [], []
    elif due == "today":
        groups.overdue, groups.later = [], []
    elif due == "later":
        groups.overdue, groups.today = [], []
    return groups


def _urgent_first(task: Any) -> tuple[bool, Any]:
    return (task.priority != TaskPriority.URGENT, task.due_at)


# --- the agenda's sources ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    patient_id: Any
    name: str
    record_number: str
    reasons: tuple[str, ...]
    reason_words: str
    flag_note: str = ""
    # Not reached at a held meeting: the note to carry ("Not reached at the meeting of ...", and the old note).
    carried_note: str = ""


REGISTRY_SOURCES = (NOT_IMPROVING, DETERIORATED, CRITICAL_ITEM)


def agenda_candidates(
    request: HttpRequest, *, today: date, already: set[Any], not_reached: Sequence[Any] = (), time_zone: str = "UTC"
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """The patients the user may see who are flagged (by the registry's rules, a case-review flag or a long
    wait), not on this agenda yet; and every other visible patient, for adding by hand. First come the
    patients not reached at an earlier meeting (`not_reached`, agenda items), with their reasons and note."""
    choice = RegistryChoice(
        search="", coordinating_only=False, flag="", sort=DEFAULT_SORT, direction=default_direction(DEFAULT_SORT)
    )
    page = registry.registry(request, today=today, choice=choice)
    ids = [row.id for row in page.rows]
    flags = {flag.patient_id: flag for flag in selectors.case_review_list(ids)}
    waiting = selectors.long_wait_source(ids)
    words = dict(ReviewReason.choices)
    found, others = [], []
    carried = set()
    for item in not_reached:
        if item.patient_id in already:
            continue
        carried.add(item.patient_id)
        held_on = item.meeting.starts_at.astimezone(ZoneInfo(time_zone)).strftime("%d %b %Y")
        note = _("Not reached at the meeting of %(date)s.") % {"date": held_on}
        found.append(
            Candidate(
                patient_id=item.patient_id,
                name=item.patient.display_name,
                record_number=item.patient.record_number,
                reasons=tuple(item.reasons),
                reason_words=", ".join(str(words.get(reason, reason)) for reason in item.reasons),
                flag_note=item.note,
                carried_note=f"{note} {item.note}".strip()[:500],
            )
        )
    for row in sorted(page.rows, key=lambda row: row.sort_name):
        if row.id in already or row.id in carried:
            continue
        reasons = [flag for flag in row.summary.flags if flag in REGISTRY_SOURCES]
        flag = flags.get(row.id)
        if flag is not None and flag.reason not in reasons:
            reasons.insert(0, flag.reason)
        if row.id in waiting:
            reasons.append(ReviewReason.LONG_WAIT)
        if reasons:
            found.append(
                Candidate(
                    patient_id=row.id,
                    name=row.name,
                    record_number=row.record_number,
                    reasons=tuple(reasons),
                    reason_words=", ".join(str(words.get(reason, reason)) for reason in reasons),
                    flag_note=flag.note if flag is not None else "",
                )
            )
        else:
            others.append((str(row.id), f"{row.name} ({row.record_number})"))
    return found, others


# --- one patient on the agenda ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorePoint:
    """One answered questionnaire in the trajectory table: when, the score, its band and the change since the
    previous score (reliable or not, as the measures domain judges it)."""

    completed_at: datetime
    total: Decimal | None
    band: str
    change: str
    classification: str


@dataclass(frozen=True)
class ScoreLine:
    name: str
    first: Decimal | None
    latest: Decimal | None
    band: str
    change: str
    classification: str
    answered: int
    points: tuple[ScorePoint, ...] = ()


@dataclass(frozen=True)
class GoalLine:
    title: str
    target_date: date
    status: str
    level: int | None
    level_words: str
    reviewed_on: date | None


@dataclass
class PatientSummary:
    scores: list[ScoreLine]
    goals: list[GoalLine]
    plan: Any
    elements: list[Any]
    alerts: list[Any]
    tasks: list[Task]


def patient_summary(patient: Patient) -> PatientSummary:
    """One screen: latest scores with change, goals with their latest attainment, the plan's current elements,
    open alerts and open tasks (each from its domain's selectors, a handful of queries for one patient)."""
    plan = careplan_selectors.plan_of(patient)
    elements = []
    if plan is not None:
        done = {ElementStatus.COMPLETED, ElementStatus.STOPPED}
        elements = [element for element in careplan_selectors.elements_of(plan) if element.status not in done]
    return PatientSummary(
        scores=_scores(patient),
        goals=_goals(patient),
        plan=plan,
        elements=elements,
        alerts=[alert for alert in safety_selectors.alerts_of(patient.id) if alert.is_open],
        tasks=[task for task in selectors.tasks_of(patient.id) if task.is_open],
    )


def _scores(patient: Patient) -> list[ScoreLine]:
    classes = {
        RELIABLE_IMPROVEMENT: _("reliable improvement"),
        RELIABLE_DETERIORATION: _("reliable deterioration"),
    }
    lines = []
    for trajectory in measure_selectors.trajectories(patient):
        scored = trajectory.scored
        if not scored:
            continue
        change = trajectory.latest_change
        text = ""
        if change is not None:
            text = f"{change.difference:+.0f}"
            if change.percent_change is not None:
                text += f" ({change.percent_change:+.0f} %)"
        lines.append(
            ScoreLine(
                name=trajectory.instrument.short_name,
                first=scored[0].total,
                latest=scored[-1].total,
                band=scored[-1].band_label,
                change=text,
                classification=str(classes.get(change.classification or "", _("no reliable change"))) if change else "",
                answered=len(scored),
                points=tuple(_point(point, classes) for point in scored[-POINTS_SHOWN:]),
            )
        )
    return lines


POINTS_SHOWN = 8


def _point(point: Any, classes: dict[str, Any]) -> ScorePoint:
    change = point.since_previous
    return ScorePoint(
        completed_at=point.completed_at,
        total=point.total,
        band=point.band_label,
        change=f"{change.difference:+.0f}" if change is not None else "",
        classification=str(classes.get(change.classification or "", _("no reliable change"))) if change else "",
    )


def _goals(patient: Patient) -> list[GoalLine]:
    goals = list(goal_selectors.goals_of(patient, include_ended=False))
    reviews = goal_selectors.latest_reviews(goals)
    lines = []
    for goal in goals:
        review = reviews.get(goal.id)
        lines.append(
            GoalLine(
                title=goal.title,
                target_date=goal.target_date,
                status=goal.get_status_display(),
                level=review.level if review else None,
                level_words=goal.level_words(review.level) if review else "",
                reviewed_on=review.reviewed_on if review else None,
            )
        )
    return lines
