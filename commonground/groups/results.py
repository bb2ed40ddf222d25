"""Group outcomes from the database: per cohort and per member, following the published rules of
groups/outcomes.py (before/after windows, reliable change with measures.change, completion, drop-out,
attendance, goal attainment at the end). Read through `selectors.cohort_outcomes` / `selectors.member_outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.goals import selectors as goals_selectors
from commonground.groups import outcomes
from commonground.groups.choices import EnrolmentStatus, SessionStatus
from commonground.groups.models import Cohort, Enrolment
from commonground.groups.selectors import AttendanceGrid, SessionRate, attendance_grid, roster, sessions_of
from commonground.kit import clock
from commonground.measures.change import Change, reliable_change_threshold
from commonground.measures.models import Response
from commonground.measures.selectors import instrument_or_none
from commonground.patients.models import Patient


@dataclass(frozen=True)
class MemberChange:
    instrument_id: str
    short_name: str
    pre: outcomes.Scored | None
    post: outcomes.Scored | None
    change: Change | None


@dataclass(frozen=True)
class MemberOutcome:
    enrolment: Enrolment
    present: int
    marked: int
    rate: float | None
    completed: bool
    changes: list[MemberChange]
    gas_t: float | None  # the goal attainment T-score at the end, if the member has agreed goals


@dataclass(frozen=True)
class InstrumentOutcome:
    instrument_id: str
    short_name: str
    higher_is_better: bool
    pre_mean: float | None
    post_mean: float | None
    counts: outcomes.ChangeCounts
    reliable_change_points: float | None


@dataclass(frozen=True)
class CohortOutcomes:
    attendance: list[SessionRate]
    attendance_rate: float | None
    ever_placed: int
    left_early: int
    dropout_rate: float | None
    sessions_needed: int
    completed: int
    completion_rate: float | None
    instruments: list[InstrumentOutcome]
    gas_mean_t: float | None
    gas_members: int
    members: list[MemberOutcome]
    first_session: datetime | None
    last_session: datetime | None


def _window(cohort: Cohort) -> tuple[datetime | None, datetime | None, int]:
    held = [s for s in sessions_of(cohort) if s.status != SessionStatus.CANCELLED]
    if not held:
        return None, None, 0
    return held[0].starts_at, held[-1].starts_at, len(held)


def _scored(patient_ids: list[Any], instruments: list[str]) -> dict[tuple[Any, str], list[outcomes.Scored]]:
    rows = (
        Response.objects.current()
        .filter(patient_id__in=patient_ids, instrument__in=instruments, status="completed", scorable=True)
        .exclude(total__isnull=True)
        .exclude(completed_at__isnull=True)
        .values_list("patient_id", "instrument", "completed_at", "total")
        .order_by("completed_at")
    )
    found: dict[tuple[Any, str], list[outcomes.Scored]] = {}
    for patient_id, instrument, completed_at, total in rows:
        found.setdefault((patient_id, instrument), []).append(outcomes.Scored(completed_at, total))
    return found


def _gas_at(patient: Patient, last: datetime | None) -> float | None:
    if last is None:
        return None
    until = clock.local_date(last, patient.time_zone) + outcomes.POST_AFTER
    points = [p for p in goals_selectors.gas_trend(patient) if p.on <= until]
    return points[-1].t_score if points else None


def _member_outcomes(cohort: Cohort, members: list[Enrolment], grid: AttendanceGrid) -> list[MemberOutcome]:
    first, last, planned = _window(cohort)
    needed = outcomes.sessions_needed(cohort.programme.sessions_to_complete, planned)
    rows = {row.enrolment.id: row for row in grid.rows}
    instruments = [i for i in (instrument_or_none(x) for x in cohort.programme.instruments) if i is not None]
    scored = _scored([m.patient_id for m in members], [i.id for i in instruments])
    result = []
    for member in members:
        row = rows.get(member.id)
        present, marked = (row.present, row.marked) if row else (0, 0)
        sex = member.patient.sex if member.patient.sex in {"female", "male"} else None
        changes = []
        for instrument in instruments:
            pre, post = (None, None)
            if first is not None and last is not None:
                pre, post = outcomes.pre_post(scored.get((member.patient_id, instrument.id), []), first, last)
            change = outcomes.change_of(instrument, pre, post, sex=sex)
            changes.append(MemberChange(instrument.id, instrument.short_name, pre, post, change))
        result.append(
            MemberOutcome(
                enrolment=member,
                present=present,
                marked=marked,
                rate=outcomes.rate(present, marked),
                completed=outcomes.completed(present, needed),
                changes=changes,
                gas_t=_gas_at(member.patient, last),
            )
        )
    return result


def member_outcome(enrolment: Enrolment) -> MemberOutcome:
    """One member's attendance, completion, before/after per questionnaire and goal attainment at the end
    (for the care team and the facilitators, who opened the patient through the gateway)."""
    return _member_outcomes(enrolment.cohort, [enrolment], attendance_grid(enrolment.cohort))[0]


def _instrument_outcomes(members: list[MemberOutcome]) -> list[InstrumentOutcome]:
    if not members:
        return []
    result = []
    for index, first in enumerate(members[0].changes):
        column = [m.changes[index] for m in members]
        instrument = instrument_or_none(first.instrument_id)
        if instrument is None:
            continue
        paired = [c for c in column if c.change is not None]
        figures = instrument.reliable_change
        threshold = next((c.change.reliable_change_points for c in paired if c.change), None)
        if threshold is None and figures is not None:
            threshold = reliable_change_threshold(figures.sd, figures.reliability)
        result.append(
            InstrumentOutcome(
                instrument_id=first.instrument_id,
                short_name=first.short_name,
                higher_is_better=instrument.higher_is_better,
                pre_mean=outcomes.mean(c.pre.total for c in paired if c.pre is not None),
                post_mean=outcomes.mean(c.post.total for c in paired if c.post is not None),
                counts=outcomes.count_changes(c.change for c in column),
                reliable_change_points=threshold,
            )
        )
    return result


def cohort_outcomes(cohort: Cohort) -> CohortOutcomes:
    """Attendance per session, drop-out, completion, before/after per questionnaire with reliable-change counts
    and goal attainment at the end (the rules are in groups/outcomes.py). Everyone who had a place counts."""
    placed = [m for m in roster(cohort) if m.enrolled_at is not None]
    grid = attendance_grid(cohort)
    members = _member_outcomes(cohort, placed, grid)
    first, last, planned = _window(cohort)
    left = sum(1 for m in placed if m.status == EnrolmentStatus.WITHDRAWN)
    done = sum(1 for m in members if m.completed and m.enrolment.status != EnrolmentStatus.WITHDRAWN)
    gas = [m.gas_t for m in members if m.gas_t is not None]
    all_present = sum(r.present for r in grid.rows)
    all_marked = sum(r.marked for r in grid.rows)
    return CohortOutcomes(
        attendance=grid.per_session,
        attendance_rate=outcomes.rate(all_present, all_marked),
        ever_placed=len(placed),
        left_early=left,
        dropout_rate=outcomes.dropout_rate(left, len(placed)),
        sessions_needed=outcomes.sessions_needed(cohort.programme.sessions_to_complete, planned),
        completed=done,
        completion_rate=outcomes.rate(done, len(placed)),
        instruments=_instrument_outcomes(members),
        gas_mean_t=outcomes.mean(gas),
        gas_members=len(gas),
        members=members,
        first_session=first,
        last_session=last,
    )
