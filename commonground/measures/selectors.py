"""Reads of the measures domain: schedules with their due state, responses, trajectories and change.

Callers have opened the patient (or scoped a list) through the access gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from commonground.measures import definitions
from commonground.measures.change import Change, change_between
from commonground.measures.choices import DueState, ResponseStatus, ScheduleStatus
from commonground.measures.datatypes import Instrument, UnknownInstrument
from commonground.measures.models import (
    DEFAULT_KEY_INSTRUMENTS,
    DEFAULT_PLAN_INSTRUMENTS,
    MeasurementPlan,
    RegistrySettings,
    Response,
    ScheduledMeasure,
)
from commonground.measures.schedule import due_state, superseded
from commonground.patients.models import CareEpisode, Patient


def registry_settings(organisation_id: Any) -> RegistrySettings:
    """The clinic's settings, or the defaults (not saved) when it has none."""
    found = RegistrySettings.objects.filter(organisation_id=organisation_id).first()
    if found is None:
        found = RegistrySettings(organisation_id=organisation_id)
    if not found.key_instruments:
        found.key_instruments = list(DEFAULT_KEY_INSTRUMENTS)
    if not found.plan_instruments:
        found.plan_instruments = list(DEFAULT_PLAN_INSTRUMENTS)
    return found


def instrument_or_none(instrument_id: str) -> Instrument | None:
    try:
        return definitions.instrument(instrument_id)
    except UnknownInstrument:
        return None


def therapy_ended_on(patient: Patient) -> date | None:
    """When therapy ended: as the care plan recorded it on the measurement plan, else the end of the latest
    care episode (a patient discharged without a care plan still gets their end-of-therapy questionnaires)."""
    recorded: date | None = (
        MeasurementPlan.objects.current().filter(patient=patient).values_list("therapy_ended_on", flat=True).first()
    )
    if recorded is not None:
        return recorded
    latest = CareEpisode.objects.current().filter(patient=patient).order_by("-started_on").first()
    return latest.ended_on if latest is not None else None


def plan_of(patient: Patient) -> MeasurementPlan | None:
    return MeasurementPlan.objects.current().filter(patient=patient).first()


# --- schedule ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    id: UUID
    instrument: str
    title: str
    occasion: str
    due_on: date
    state: str
    draft_id: UUID | None = None


def schedule_of(patient: Patient, *, today: date, overdue_after_days: int | None = None) -> list[DueItem]:
    """Every scheduled questionnaire of the patient with its state today, newest first."""
    days = (
        overdue_after_days
        if overdue_after_days is not None
        else registry_settings(patient.organisation_id).overdue_after_days
    )
    rows = ScheduledMeasure.objects.current().filter(patient=patient).order_by("-due_on", "instrument")
    return [_due_item(row, today, days) for row in rows]


def open_for_patient(patient: Patient, *, today: date) -> list[DueItem]:
    """What the patient can fill in now (due or overdue), oldest first, with a half-finished draft if any."""
    days = registry_settings(patient.organisation_id).overdue_after_days
    rows = (
        ScheduledMeasure.objects.current()
        .filter(patient=patient, status=ScheduleStatus.OPEN, due_on__lte=today)
        .order_by("due_on", "instrument")
    )
    drafts = dict(
        Response.objects.current()
        .filter(patient=patient, status=ResponseStatus.IN_PROGRESS, scheduled__in=rows)
        .values_list("scheduled_id", "id")
    )
    found = list(rows)
    replaced = set(superseded(((row.id, row.instrument, row.due_on) for row in found), today))
    return [_due_item(row, today, days, drafts.get(row.id)) for row in found if row.id not in replaced]


def _due_item(row: ScheduledMeasure, today: date, overdue_after_days: int, draft_id: UUID | None = None) -> DueItem:
    found = instrument_or_none(row.instrument)
    return DueItem(
        id=row.id,
        instrument=row.instrument,
        title=found.short_name if found else row.instrument,
        occasion=row.occasion,
        due_on=row.due_on,
        state=due_state(due_on=row.due_on, status=row.status, today=today, overdue_after_days=overdue_after_days),
        draft_id=draft_id,
    )


def open_scheduled(patient: Patient, scheduled_id: Any) -> ScheduledMeasure | None:
    return (
        ScheduledMeasure.objects.current().filter(patient=patient, pk=scheduled_id, status=ScheduleStatus.OPEN).first()
    )


# --- responses --------------------------------------------------------------------------------------------


def draft_response(patient: Patient, *, instrument_id: str, scheduled: ScheduledMeasure | None) -> Response | None:
    return (
        Response.objects.current()
        .filter(patient=patient, instrument=instrument_id, scheduled=scheduled, status=ResponseStatus.IN_PROGRESS)
        .order_by("-started_at")
        .first()
    )


def critical_flags(instrument: Instrument) -> frozenset[str]:
    """The flags that need a clinician's follow-up: a critical item answered positively or left unanswered."""
    flags = {critical.flag for critical in instrument.critical_items}
    flags |= {critical.unanswered_flag for critical in instrument.critical_items if critical.unanswered_flag}
    return frozenset(flags)


def needs_crisis_support(response: Response) -> bool:
    """Whether the patient should be shown where to get help now (after a completed response)."""
    instrument = instrument_or_none(response.instrument)
    if instrument is None or not response.is_completed:
        return False
    return bool(critical_flags(instrument) & set(response.flags))


def response_of(patient: Patient, response_id: Any) -> Response | None:
    return Response.objects.current().filter(patient=patient, pk=response_id).select_related("entered_by").first()


def completed_responses(patient_id: Any, instrument_id: str | None = None) -> QuerySet[Response]:
    found = Response.objects.current().filter(patient_id=patient_id, status=ResponseStatus.COMPLETED)
    if instrument_id is not None:
        found = found.filter(instrument=instrument_id)
    return found.order_by("completed_at", "created_at")


def baseline_response(patient_id: Any, instrument_id: str) -> Response | None:
    """The first scorable response: what change is measured from."""
    return completed_responses(patient_id, instrument_id).filter(scorable=True).first()


@dataclass(frozen=True)
class TrajectoryPoint:
    response_id: UUID
    completed_at: Any
    total: Decimal | None
    band: str
    band_label: str
    flags: tuple[str, ...]
    scorable: bool
    unscorable_reason: str
    mode: str
    since_baseline: Change | None
    since_previous: Change | None


@dataclass(frozen=True)
class Trajectory:
    instrument: Instrument
    points: list[TrajectoryPoint]

    @property
    def scored(self) -> list[TrajectoryPoint]:
        return [point for point in self.points if point.scorable]

    @property
    def latest_change(self) -> Change | None:
        scored = self.scored
        return scored[-1].since_baseline if len(scored) > 1 else None


def trajectories(patient: Patient) -> list[Trajectory]:
    """Per questionnaire answered, every completed response with its change since baseline and since the previous."""
    by_instrument: dict[str, list[Response]] = {}
    for response in completed_responses(patient.id):
        by_instrument.setdefault(response.instrument, []).append(response)
    sex = patient.sex if patient.sex in {"female", "male"} else None
    result = []
    for instrument_id, responses in by_instrument.items():
        found = instrument_or_none(instrument_id)
        if found is not None:
            result.append(trajectory(found, responses, sex=sex))
    order = {name: position for position, name in enumerate(DEFAULT_KEY_INSTRUMENTS)}
    return sorted(result, key=lambda t: (order.get(t.instrument.id, len(order)), t.instrument.short_name))


def trajectory(instrument: Instrument, responses: list[Response], *, sex: str | None) -> Trajectory:
    """Change since the first scorable response and since the previous scorable one (pure, from the rows)."""
    labels = {band.id: band.label for band in instrument.bands}
    points: list[TrajectoryPoint] = []
    baseline: Response | None = None
    previous: Response | None = None
    for response in responses:
        since_baseline = since_previous = None
        if response.scorable:
            if baseline is not None:
                since_baseline = change_between(instrument, scored_total(baseline), scored_total(response), sex=sex)
            if previous is not None:
                since_previous = change_between(instrument, scored_total(previous), scored_total(response), sex=sex)
            baseline = baseline or response
            previous = response
        points.append(
            TrajectoryPoint(
                response_id=response.id,
                completed_at=response.completed_at,
                total=response.total,
                band=response.band,
                band_label=str(labels.get(response.band, "")),
                flags=tuple(response.flags),
                scorable=bool(response.scorable),
                unscorable_reason=response.unscorable_reason,
                mode=response.mode,
                since_baseline=since_baseline,
                since_previous=since_previous,
            )
        )
    return Trajectory(instrument=instrument, points=points)


def scored_total(response: Response) -> Decimal:
    if response.total is None:
        raise ValueError("a scorable response has a total")
    return response.total


def due_counts(patient_ids: list[Any], *, today: date, overdue_after_days: int) -> dict[Any, dict[str, int]]:
    """Per patient, how many questionnaires are due and overdue today (one query)."""
    rows = list(
        ScheduledMeasure.objects.current()
        .filter(patient_id__in=patient_ids, status=ScheduleStatus.OPEN, due_on__lte=today)
        .values_list("id", "patient_id", "instrument", "due_on")
    )
    # A missed review replaced by a later one counts once (the job marks it missed; this holds in between).
    replaced = set(superseded(((i, (p, name), due) for i, p, name, due in rows), today))
    counts: dict[Any, dict[str, int]] = {}
    for item_id, patient_id, _instrument, due_on in rows:
        if item_id in replaced:
            continue
        state = due_state(due_on=due_on, status=ScheduleStatus.OPEN, today=today, overdue_after_days=overdue_after_days)
        bucket = counts.setdefault(patient_id, {DueState.DUE: 0, DueState.OVERDUE: 0})
        bucket[state] += 1
    return counts


def overdue_schedules(organisation_id: Any, *, due_on_or_before: date) -> list[tuple[Any, date]]:
    """The clinic's open scheduled questionnaires due on or before a day, of patients whose record is active:
    distinct (patient id, due day) pairs, by patient and day (one query, for the escalation rules engine)."""
    from commonground.kit.models import RecordStatus

    rows = (
        ScheduledMeasure.objects.current()
        .filter(organisation_id=organisation_id, status=ScheduleStatus.OPEN, due_on__lte=due_on_or_before)
        .filter(patient__record_status=RecordStatus.ACTIVE)
        .values_list("patient_id", "due_on")
        .distinct()
        .order_by("patient_id", "due_on")
    )
    return list(rows)
