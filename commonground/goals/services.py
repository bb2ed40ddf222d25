"""Writes of the goals domain: values, goals, the milestone ladder and goal attainment reviews.

Callers have opened the patient through the access gateway. Each write records its audit event in the same
transaction. Ladder changes lock the goal's row, keep every rung (a split or removed rung stays, off the
ladder) and write a `LadderEvent`, so the ladder's history is never lost. A step back is information,
recorded with its reason, never a failure.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.goals.choices import (
    GAS_LEVELS,
    GoalStatus,
    LadderEventKind,
    LifeArea,
    ProposedBy,
    RungState,
    RungStatus,
)
from commonground.goals.models import GasReview, GasSettings, Goal, LadderEvent, Milestone, Value
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.patients import selectors as patient_selectors
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

SHORT_TEXT = 300  # titles, indicators, level descriptions, rung actions
LONG_TEXT = 2000  # barriers, plans, reasons, notes
LONGEST_GOAL_DAYS = 5 * 366  # a goal is time-bound: reached within five years
LEVEL_TEXT_FIELDS = ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")
OPTIONAL_TEXT_FIELDS = ("barriers", "enablers", "triggers", "accelerants", "contingency_plan")


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )


def _text(value: Any, *, field: str, limit: int, required: str | None = None) -> str:
    """Stripped text; `required` is the message when it is empty (None: it may be empty)."""
    text = "" if value is None else str(value).strip()
    if required is not None and not text:
        raise DomainError(required, field=field)
    if len(text) > limit:
        raise DomainError(_("Please keep this to %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _patient_today(patient: Patient) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


# --- values ------------------------------------------------------------------------------------------------


def _checked_value(life_area: str, words: str) -> tuple[str, str]:
    if life_area not in LifeArea.values:
        raise DomainError(_("Choose the part of life this is about."), field="life_area")
    text = _text(words, field="words", limit=1000, required=_("Write what matters, in the patient's own words."))
    return life_area, text


@transaction.atomic
def add_value(patient: Patient, *, life_area: str, words: str, by: Any) -> Value:
    """Record what matters to the patient in one life area, in their words (required, ≤ 1000 characters)."""
    life_area, text = _checked_value(life_area, words)
    last = Value.objects.current().filter(patient=patient).aggregate(last=Max("position"))["last"] or 0
    value = Value(
        patient=patient,
        organisation_id=patient.organisation_id,
        life_area=life_area,
        words=text,
        position=last + 1,
        recorded_by=by,
    )
    save_new(value, reason="Value recorded")
    _audit(patient, Action.CREATE, "value", value.id)
    return value


@transaction.atomic
def update_value(value: Value, *, expected_version: int, life_area: str, words: str, reason: str) -> Value:
    _text(reason, field="reason", limit=LONG_TEXT, required=_("Say why this changes."))
    if value.is_entered_in_error:
        raise DomainError(_("This was entered in error and can no longer change."))
    life_area, text = _checked_value(life_area, words)
    save_edit(
        value, expected_version=expected_version, reason=reason.strip(), changes={"life_area": life_area, "words": text}
    )
    _audit(value.patient, Action.UPDATE, "value", value.id)
    return value


# --- goals -------------------------------------------------------------------------------------------------


def _checked_value_id(patient: Patient, value_id: Any) -> uuid.UUID | None:
    if value_id in (None, ""):
        return None
    found = _as_uuid(value_id)
    if found is None or not Value.objects.current().filter(pk=found, patient=patient).exists():
        raise DomainError(_("Choose one of this patient's own values."), field="value_id")
    return found


def _checked_target_date(target_date: Any, today: date) -> date:
    if not isinstance(target_date, date):
        raise DomainError(_("Give the date by which the goal should be reached."), field="target_date")
    if target_date <= today:
        raise DomainError(_("The date to reach the goal by must be after today."), field="target_date")
    if target_date > today + timedelta(days=LONGEST_GOAL_DAYS):
        raise DomainError(
            _("A goal is time-bound: choose a date within the next five years, and a nearer one if you can."),
            field="target_date",
        )
    return target_date


def _checked_supporters(patient: Patient, supporter_ids: Any, already: list[str]) -> list[str]:
    """Supporters the goal involves; each one added must have the patient's sharing consent in force."""
    if supporter_ids in (None, ""):
        return []
    if isinstance(supporter_ids, str) or not isinstance(supporter_ids, list | tuple):
        raise DomainError(_("Choose the supporters from the list."), field="supporter_ids")
    chosen: list[str] = []
    for supporter_id in supporter_ids:
        parsed = _as_uuid(supporter_id)
        if parsed is None:
            raise DomainError(_("Choose the supporters from the list."), field="supporter_ids")
        if str(parsed) not in chosen:
            chosen.append(str(parsed))
    consented = {str(supporter.id) for supporter in patient_selectors.supporters(patient)}
    if any(supporter_id not in consented and supporter_id not in already for supporter_id in chosen):
        raise DomainError(
            _("A supporter can be involved only while the patient's consent to share with them is in force."),
            field="supporter_ids",
        )
    return chosen


def _checked_rating(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or value not in (1, 2, 3):
        raise DomainError(_("Choose 1, 2 or 3, or leave it empty."), field=field)
    return int(value)


def _checked_level(value: Any, field: str) -> int:
    if isinstance(value, bool) or value not in GAS_LEVELS:
        raise DomainError(_("Choose a level from −2 to +2."), field=field)
    return int(value)


def _checked_goal(patient: Patient, details: dict[str, Any], *, today: date, previous: Goal | None) -> dict[str, Any]:
    """Every field of a goal checked and cleaned; raises DomainError(field=...) at the first problem."""
    values: dict[str, Any] = {
        "value_id": _checked_value_id(patient, details.get("value_id")),
        "title": _text(
            details.get("title"),
            field="title",
            limit=SHORT_TEXT,
            required=_("Say what the patient wants to be able to do."),
        ),
        "indicator": _text(
            details.get("indicator"),
            field="indicator",
            limit=SHORT_TEXT,
            required=_("Say how you will both know the goal is reached: something you can count or see."),
        ),
    }
    target_date = details.get("target_date")
    if previous is None or target_date != previous.target_date:
        target_date = _checked_target_date(target_date, today)
    values["target_date"] = target_date
    if details.get("proposed_by") not in ProposedBy.values:
        raise DomainError(_("Say who proposed the goal."), field="proposed_by")
    values["proposed_by"] = details["proposed_by"]
    values["agreed_by_patient"] = bool(details.get("agreed_by_patient", False))
    for field in OPTIONAL_TEXT_FIELDS:
        values[field] = _text(details.get(field), field=field, limit=LONG_TEXT)
    already = [] if previous is None else [str(item) for item in previous.supporter_ids]
    values["supporter_ids"] = _checked_supporters(patient, details.get("supporter_ids"), already)
    values["importance"] = _checked_rating(details.get("importance"), "importance")
    values["difficulty"] = _checked_rating(details.get("difficulty"), "difficulty")
    for field in LEVEL_TEXT_FIELDS:
        values[field] = _text(
            details.get(field),
            field=field,
            limit=SHORT_TEXT,
            required=_("Describe each of the five levels, in the patient's words."),
        )
    values["baseline_level"] = _checked_level(details.get("baseline_level", -1), "baseline_level")
    return values


@transaction.atomic
def set_goal(patient: Patient, *, details: dict[str, Any], by: Any, today: date) -> Goal:
    """A new goal. `details` holds GOAL_FIELDS (status excepted). Checks: title, indicator and the five level
    descriptions given; target date after today; value (if any) is the same patient's; supporters each have
    the patient's sharing consent in force; importance/difficulty 1-3 or empty; baseline level −2..+2 (usually −1, or −2
    when it could not be worse). If the patient agrees (`agreed_by_patient`), `agreed_by`
    is `by` and `agreed_on` today. Raises DomainError(field=...) with a plain message."""
    values = _checked_goal(patient, details, today=today, previous=None)
    goal = Goal(
        patient=patient,
        organisation_id=patient.organisation_id,
        set_on=today,
        status=GoalStatus.ACTIVE,
        created_by=by,
        **values,
    )
    if goal.agreed_by_patient:
        goal.agreed_by = by
        goal.agreed_on = today
    save_new(goal, reason="Goal set")
    _audit(patient, Action.CREATE, "goal", goal.id)
    return goal


@transaction.atomic
def update_goal(
    goal: Goal, *, expected_version: int, changes: dict[str, Any], reason: str, by: Any, today: date
) -> Goal:
    """Revise a goal (versioned with a reason; StaleEdit when someone saved first). Same checks as set_goal."""
    why = _text(reason, field="reason", limit=LONG_TEXT, required=_("Say why the goal changes."))
    unknown = sorted(set(changes) - set(GOAL_FIELDS))
    if unknown:
        raise DomainError(
            _("These details of a goal cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)}
        )
    if goal.is_entered_in_error:
        raise DomainError(_("This goal was entered in error and can no longer change."))
    merged = {field: getattr(goal, field) for field in GOAL_FIELDS} | changes
    values = _checked_goal(goal.patient, merged, today=today, previous=goal)
    if merged.get("status") not in GoalStatus.values:
        raise DomainError(_("Choose where the goal stands."), field="status")
    values["status"] = merged["status"]
    _check_scale_unchanged(goal, values)
    _check_closing(goal, values["status"])
    values["closed_on"] = _closed_on(goal, values["status"], today)
    if values["agreed_by_patient"] and not goal.agreed_by_patient:
        values |= {"agreed_by": by, "agreed_on": today}
    elif not values["agreed_by_patient"] and goal.agreed_by_patient:
        values |= {"agreed_by": None, "agreed_on": None}
    changed = {field: value for field, value in values.items() if getattr(goal, field) != value}
    if not changed:
        return goal
    save_edit(goal, expected_version=expected_version, reason=why, changes=changed)
    _audit(goal.patient, Action.UPDATE, "goal", goal.id)
    return goal


def _check_scale_unchanged(goal: Goal, values: dict[str, Any]) -> None:
    """The five levels and the starting level are fixed once the goal has a review, so reviews stay comparable."""
    scale = (*LEVEL_TEXT_FIELDS, "baseline_level")
    if any(values[field] != getattr(goal, field) for field in scale) and _has_reviews(goal):
        raise DomainError(
            _(
                "The five levels and the starting level are fixed once the goal has been reviewed, so that "
                "reviews stay comparable. To change the scale, set a new goal."
            ),
            field="level_0",
        )


def _has_reviews(goal: Goal) -> bool:
    return bool(GasReview.objects.current().filter(goal=goal).exists())


def _check_closing(goal: Goal, status: str) -> None:
    """Achieved means at least the expected outcome: the latest review must say so first."""
    if status != GoalStatus.ACHIEVED or goal.status == GoalStatus.ACHIEVED:
        return
    latest = GasReview.objects.current().filter(goal=goal).order_by("-reviewed_on", "-created_at").first()
    if latest is None or latest.level < 0:
        raise DomainError(
            _(
                "Record a review at the expected outcome (0) or above first: a goal is achieved when the "
                "patient reaches at least what you agreed to expect."
            ),
            field="status",
        )


def _achieved_on_it(review: GasReview) -> bool:
    """Is this the review that lets its goal count as achieved (no other current review at 0 or above)?"""
    if not Goal.objects.filter(pk=review.goal_id, status=GoalStatus.ACHIEVED).exists():
        return False
    others = GasReview.objects.current().filter(goal_id=review.goal_id, level__gte=0).exclude(pk=review.pk)
    return not others.exists()


def _closed_on(goal: Goal, status: str, today: date) -> date | None:
    if status not in (GoalStatus.ACHIEVED, GoalStatus.ENDED):
        return None
    return goal.closed_on if goal.status == status and goal.closed_on else today


@transaction.atomic
def agree_to_goal(goal: Goal, *, by: Any) -> Goal:
    """The patient agrees to a goal their team proposed (from the portal): it becomes theirs, and counts."""
    locked = _lock_goal(goal)
    if locked.agreed_by_patient:
        raise DomainError(_("You have already agreed to this goal."))
    if locked.status != GoalStatus.ACTIVE:
        raise DomainError(_("This goal is not being worked on now, so there is nothing to agree to."))
    today = _patient_today(locked.patient)
    save_edit(
        locked,
        expected_version=locked.version,
        reason="The patient agreed to the goal",
        changes={"agreed_by_patient": True, "agreed_by": by, "agreed_on": today},
    )
    _audit(locked.patient, Action.UPDATE, "goal", locked.id)
    return locked


@transaction.atomic
def mark_in_error(record: Value | Goal | GasReview, *, expected_version: int, reason: str) -> Value | Goal | GasReview:
    """A value, goal or review entered by mistake leaves the clinic's view (it stays in the history)."""
    why = _text(reason, field="reason", limit=LONG_TEXT, required=_("Please say why this was entered in error."))
    if isinstance(record, Value) and Goal.objects.current().filter(value=record).exists():
        raise DomainError(_("A goal serves this value; link that goal to another value first."))
    if isinstance(record, GasReview) and _achieved_on_it(record):
        raise DomainError(
            _(
                "The goal is marked achieved on the strength of this review. Set the goal back to “Working on "
                "it” first, then mark the review entered in error."
            )
        )
    mark_entered_in_error(record, expected_version=expected_version, reason=why)
    patient = record.goal.patient if isinstance(record, GasReview) else record.patient
    _audit(patient, Action.ENTERED_IN_ERROR, type(record).__name__.lower(), record.id)
    return record


# --- the milestone ladder ---------------------------------------------------------------------------------


def _lock_goal(goal: Goal) -> Goal:
    """The goal's row, locked until the transaction ends, so ladder changes happen one at a time."""
    locked: Goal = Goal.objects.select_for_update().select_related("patient").get(pk=goal.pk)
    if locked.is_entered_in_error:
        raise DomainError(_("This goal was entered in error; its ladder can no longer change."))
    return locked


def _lock_rung(milestone: Milestone) -> Goal:
    """Lock the rung's goal and reload the rung (the caller's copy may be out of date)."""
    goal = _lock_goal(Goal(pk=milestone.goal_id))
    milestone.refresh_from_db()
    if not milestone.on_ladder or milestone.is_entered_in_error:
        raise DomainError(_("This step is no longer on the ladder."))
    return goal


def _on_ladder(goal: Goal) -> QuerySet[Milestone]:
    return Milestone.objects.current().filter(goal=goal, status=RungStatus.ON_LADDER)


def _action(action: str) -> str:
    return _text(action, field="action", limit=SHORT_TEXT, required=_("Describe the step: one small, doable action."))


def _rung_target(target_date: Any, goal: Goal) -> date | None:
    """A step's date: empty, or from the day the goal was set up to five years on."""
    if target_date in (None, ""):
        return None
    if not isinstance(target_date, date):
        raise DomainError(_("Give a date, or leave it empty."), field="target_date")
    if target_date < goal.set_on:
        raise DomainError(
            _("A step's date cannot be before the goal was set (%(day)s).") % {"day": _day(goal.set_on)},
            field="target_date",
        )
    if target_date > goal.set_on + timedelta(days=LONGEST_GOAL_DAYS):
        raise DomainError(_("Choose a date within five years of setting the goal."), field="target_date")
    return target_date


def _day(day: date) -> str:
    """A date as people read it: 3 March 2026."""
    return f"{day.day} {date_format(day, 'F Y')}"


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _record(
    goal: Goal, kind: str, by: Any, *, milestone: Milestone | None, detail: dict[str, Any], reason: str = ""
) -> LadderEvent:
    event = LadderEvent.objects.create(
        goal=goal, milestone=milestone, kind=kind, detail=detail, reason=reason, by=by, at=clock.now()
    )
    _audit(goal.patient, Action.UPDATE, "goal", goal.id)
    return event


def _check_position(position: Any, highest: int, field: str) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= highest:
        raise DomainError(_("Choose a step from 1 to %(highest)d.") % {"highest": highest}, field=field)
    return position


@transaction.atomic
def add_rung(goal: Goal, *, action: str, target_date: date | None, by: Any, position: int | None = None) -> Milestone:
    """Add a small doable step at `position` (1-based; None = at the top of the ladder); later rungs move up."""
    text = _action(action)
    when = _rung_target(target_date, goal)
    locked = _lock_goal(goal)
    top = _on_ladder(locked).count() + 1
    place = top if position is None else _check_position(position, top, "position")
    _on_ladder(locked).filter(position__gte=place).update(position=F("position") + 1)
    rung = Milestone(
        goal=locked,
        organisation_id=locked.organisation_id,
        position=place,
        action=text,
        target_date=when,
        created_by=by,
    )
    save_new(rung, reason="Step added")
    _audit(locked.patient, Action.CREATE, "milestone", rung.id)
    _record(
        locked,
        LadderEventKind.ADDED,
        by,
        milestone=rung,
        detail={"position": place, "action": text, "target_date": _iso(when)},
    )
    return rung


@transaction.atomic
def edit_rung(
    milestone: Milestone, *, expected_version: int, action: str, target_date: date | None, by: Any
) -> Milestone:
    """Reword a step or change its date; nothing changed writes nothing."""
    text = _action(action)
    goal = _lock_rung(milestone)
    when = _rung_target(target_date, goal)
    before = {"action": milestone.action, "target_date": _iso(milestone.target_date)}
    after = {"action": text, "target_date": _iso(when)}
    if before == after:
        return milestone
    save_edit(
        milestone,
        expected_version=expected_version,
        reason="Step reworded",
        changes={"action": text, "target_date": when},
    )
    _audit(goal.patient, Action.UPDATE, "milestone", milestone.id)
    _record(goal, LadderEventKind.EDITED, by, milestone=milestone, detail={"from": before, "to": after})
    return milestone


@transaction.atomic
def split_rung(
    milestone: Milestone, *, steps: list[tuple[str, date | None]], by: Any, reason: str = ""
) -> list[Milestone]:
    """Replace one rung by two or more smaller ones in its place; the old rung stays, marked split."""
    if len(steps) < 2:
        raise DomainError(_("Split a step into at least two smaller steps."), field="steps")
    goal = _lock_rung(milestone)
    cleaned = [(_action(action), _rung_target(when, goal)) for action, when in steps]
    why = _text(reason, field="reason", limit=LONG_TEXT)
    place = milestone.position
    _on_ladder(goal).filter(position__gt=place).update(position=F("position") + len(cleaned) - 1)
    save_edit(milestone, expected_version=milestone.version, reason="Step split", changes={"status": RungStatus.SPLIT})
    _audit(goal.patient, Action.UPDATE, "milestone", milestone.id)
    smaller = []
    for offset, (text, when) in enumerate(cleaned):
        rung = Milestone(
            goal=goal,
            organisation_id=goal.organisation_id,
            position=place + offset,
            action=text,
            target_date=when,
            split_from=milestone,
            created_by=by,
        )
        save_new(rung, reason="Step added by splitting a larger one")
        _audit(goal.patient, Action.CREATE, "milestone", rung.id)
        smaller.append(rung)
    detail = {"position": place, "into": [str(rung.id) for rung in smaller]}
    _record(goal, LadderEventKind.SPLIT, by, milestone=milestone, detail=detail, reason=why)
    return smaller


@transaction.atomic
def move_rung(milestone: Milestone, *, to_position: int, by: Any) -> Milestone:
    """Reorder: the rung goes to `to_position` (1-based among rungs on the ladder); others close up."""
    goal = _lock_rung(milestone)
    rungs = _on_ladder(goal)
    target = _check_position(to_position, rungs.count(), "to_position")
    place = milestone.position
    if target == place:
        return milestone
    if target < place:
        rungs.filter(position__gte=target, position__lt=place).update(position=F("position") + 1)
    else:
        rungs.filter(position__gt=place, position__lte=target).update(position=F("position") - 1)
    Milestone.objects.filter(pk=milestone.pk).update(position=target)
    milestone.position = target
    _audit(goal.patient, Action.UPDATE, "milestone", milestone.id)
    _record(
        goal, LadderEventKind.MOVED, by, milestone=milestone, detail={"from_position": place, "to_position": target}
    )
    return milestone


def _set_state(milestone: Milestone, state: str, reason: str) -> None:
    save_edit(
        milestone,
        expected_version=milestone.version,
        reason=reason,
        changes={"state": state, "state_changed_at": clock.now()},
    )


@transaction.atomic
def mark_rung(milestone: Milestone, *, state: str, by: Any, note: str = "") -> Milestone:
    """Done, partly done or not yet. Patients mark their own rungs too (`by` is then the patient's user).
    Marking the same state again changes nothing and writes no event."""
    if state not in RungState.values:
        raise DomainError(_("Choose done, partly done or not yet."), field="state")
    why = _text(note, field="note", limit=LONG_TEXT)
    goal = _lock_rung(milestone)
    before = milestone.state
    if before == state:
        return milestone
    _set_state(milestone, state, "Progress marked")
    _audit(goal.patient, Action.UPDATE, "milestone", milestone.id)
    _record(goal, LadderEventKind.MARKED, by, milestone=milestone, detail={"from": before, "to": state}, reason=why)
    return milestone


@transaction.atomic
def step_back(goal: Goal, *, reason: str, by: Any, milestone: Milestone | None = None) -> Milestone | None:
    """A step back, recorded with its reason (required): the given rung, or else the highest rung marked done
    or partly done, is open again ("not yet"). With no such rung the step back is still recorded."""
    why = _text(
        reason, field="reason", limit=LONG_TEXT, required=_("Say what happened; a step back tells us something useful.")
    )
    if milestone is not None:
        if milestone.goal_id != goal.pk:
            raise DomainError(_("This step is on another goal's ladder."))
        locked = _lock_rung(milestone)
        rung: Milestone | None = milestone
    else:
        locked = _lock_goal(goal)
        rung = _on_ladder(locked).filter(state__in=(RungState.DONE, RungState.PARTLY)).order_by("-position").first()
    detail: dict[str, Any] = {}
    if rung is not None:
        detail = {"from": rung.state, "to": RungState.NOT_YET.value, "position": rung.position}
        if rung.state != RungState.NOT_YET:
            _set_state(rung, RungState.NOT_YET, "Stepped back")
            _audit(locked.patient, Action.UPDATE, "milestone", rung.id)
    _record(locked, LadderEventKind.STEPPED_BACK, by, milestone=rung, detail=detail, reason=why)
    return rung


@transaction.atomic
def remove_rung(milestone: Milestone, *, reason: str, by: Any) -> Milestone:
    """Take a rung off the ladder (it stays in the history); rungs above close up."""
    why = _text(reason, field="reason", limit=LONG_TEXT)
    goal = _lock_rung(milestone)
    place = milestone.position
    save_edit(
        milestone,
        expected_version=milestone.version,
        reason="Step taken off the ladder",
        changes={"status": RungStatus.REMOVED},
    )
    _on_ladder(goal).filter(position__gt=place).update(position=F("position") - 1)
    _audit(goal.patient, Action.UPDATE, "milestone", milestone.id)
    _record(goal, LadderEventKind.REMOVED, by, milestone=milestone, detail={"position": place}, reason=why)
    return milestone


# --- goal attainment scaling --------------------------------------------------------------------------------


@transaction.atomic
def review_goal(goal: Goal, *, level: int, reviewed_on: date, by: Any, note: str = "") -> GasReview:
    """The goal attainment level reached at a review (−2..+2; not in the future; not before the goal was set).
    A second review of the same goal on the same day replaces the first's level (versioned)."""
    reached = _checked_level(level, "level")
    text = _text(note, field="note", limit=LONG_TEXT)
    if not isinstance(reviewed_on, date):
        raise DomainError(_("Give the date of the review."), field="reviewed_on")
    locked = _lock_goal(goal)
    if locked.status in (GoalStatus.ACHIEVED, GoalStatus.ENDED):
        raise DomainError(
            _("This goal is no longer being worked on. To review it again, set it back to “Working on it” first.")
        )
    if reviewed_on > _patient_today(locked.patient):
        raise DomainError(_("A review cannot be dated in the future."), field="reviewed_on")
    if reviewed_on < locked.set_on:
        raise DomainError(
            _("A review cannot be dated before the goal was set (%(day)s).") % {"day": _day(locked.set_on)},
            field="reviewed_on",
        )
    same_day: GasReview | None = (
        GasReview.objects.current().filter(goal=locked, reviewed_on=reviewed_on).order_by("-created_at").first()
    )
    if same_day is not None:
        save_edit(
            same_day,
            expected_version=same_day.version,
            reason="Reviewed again the same day",
            changes={"level": reached, "note": text, "reviewed_by": by},
        )
        _audit(locked.patient, Action.UPDATE, "gas_review", same_day.id)
        return same_day
    review = GasReview(
        goal=locked,
        organisation_id=locked.organisation_id,
        reviewed_on=reviewed_on,
        level=reached,
        note=text,
        reviewed_by=by,
    )
    save_new(review, reason="Goal reviewed")
    _audit(locked.patient, Action.CREATE, "gas_review", review.id)
    return review


@transaction.atomic
def gas_settings_for(organisation_id: Any) -> GasSettings:
    """The clinic's settings, created with the defaults (unweighted, ρ 0.3) the first time."""
    found, _created = GasSettings.objects.get_or_create(organisation_id=organisation_id)
    return found
