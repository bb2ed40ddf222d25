"""Writes of the measures domain: measurement plans and their schedule, responses and their scores.

Callers have opened the patient through the access gateway. Each write records its audit event in the
same transaction; e-mails and jobs go after commit. Scoring is the pure engine's (`measures.scoring`),
and alerts raised by a response are the safety domain's (`safety.services`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.measures import definitions, selectors
from commonground.measures.change import change_between
from commonground.measures.choices import EntryMode, Occasion, ResponseStatus, ScheduleStatus
from commonground.measures.datatypes import Instrument, UnknownInstrument
from commonground.measures.models import MeasurementPlan, Reminder, Response, ScheduledMeasure
from commonground.measures.schedule import PlanTimes, add_months, horizon, planned_measures, superseded
from commonground.measures.scoring import NOT_APPLICABLE, InvalidResponse, Score, score
from commonground.patients.models import Patient
from commonground.safety import services as safety_services

PLAN_FIELDS = ("instruments", "starts_on", "interval_weeks", "at_end_of_therapy", "follow_up_months")


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )


# --- instruments -----------------------------------------------------------------------------------------


def known_instrument(instrument_id: str) -> Instrument:
    try:
        return definitions.instrument(instrument_id)
    except UnknownInstrument:
        raise DomainError(_("There is no questionnaire called %(id)s.") % {"id": instrument_id}) from None


def scheduled_instruments(instrument_ids: list[str]) -> list[str]:
    """The plan's questionnaires as scheduled: a battery (PHQ-SADS) becomes its parts, each asked once."""
    result: list[str] = []
    for instrument_id in instrument_ids:
        found = known_instrument(instrument_id)
        parts = list(found.battery.parts) if found.battery else [found.id]
        result.extend(part for part in parts if part not in result)
    return result


# --- measurement plans and schedules ---------------------------------------------------------------------


def _check_plan(details: dict[str, Any]) -> None:
    if not details.get("instruments"):
        raise DomainError(_("Choose at least one questionnaire."), field="instruments")
    scheduled_instruments(list(details["instruments"]))
    if not 1 <= int(details.get("interval_weeks", 0)) <= 52:
        raise DomainError(_("The interval must be between 1 and 52 weeks."), field="interval_weeks")
    months = details.get("follow_up_months")
    if months is not None and not 1 <= int(months) <= 36:
        raise DomainError(_("Follow-up must be between 1 and 36 months after therapy."), field="follow_up_months")


def create_plan(patient: Patient, *, by: Any, details: dict[str, Any], today: date) -> MeasurementPlan:
    """The patient's measurement plan, and its schedule written up to the next review."""
    _check_plan(details)
    if MeasurementPlan.objects.filter(patient=patient).exists():
        raise DomainError(_("This patient already has a measurement plan; change it instead."))
    values = {field: details[field] for field in PLAN_FIELDS if field in details}
    plan = MeasurementPlan(patient=patient, organisation_id=patient.organisation_id, created_by=by, **values)
    try:
        with transaction.atomic():
            save_new(plan, reason="Measurement plan agreed")
    except IntegrityError:
        raise DomainError(_("This patient already has a measurement plan; change it instead.")) from None
    _audit(patient, Action.CREATE, "measurement_plan", plan.id)
    refresh_schedule(patient, today=today)
    return plan


def update_plan(
    plan: MeasurementPlan, *, expected_version: int, changes: dict[str, Any], reason: str, today: date
) -> MeasurementPlan:
    if not reason.strip():
        raise DomainError(_("Say why the plan changes."), field="reason")
    merged = {field: changes.get(field, getattr(plan, field)) for field in PLAN_FIELDS}
    _check_plan(merged)
    plan = save_edit(plan, expected_version=expected_version, reason=reason, changes=merged)
    _audit(plan.patient, Action.UPDATE, "measurement_plan", plan.id)
    refresh_schedule(plan.patient, today=today)
    return plan


def record_end_of_therapy(patient: Patient, *, ended_on: date | None, today: date) -> None:
    """Therapy ended on `ended_on` (None: it goes on after all): the end-of-therapy and follow-up
    questionnaires are scheduled (or withdrawn) at once, not at the next daily run."""
    plan = MeasurementPlan.objects.current().filter(patient=patient).first()
    if plan is None:
        return
    if plan.therapy_ended_on != ended_on:
        reason = "Therapy ended" if ended_on else "Therapy resumed"
        save_edit(plan, expected_version=plan.version, reason=reason, changes={"therapy_ended_on": ended_on})
        _audit(patient, Action.UPDATE, "measurement_plan", plan.id)
    refresh_schedule(patient, today=today)


def plan_times(plan: MeasurementPlan) -> PlanTimes:
    return PlanTimes(
        starts_on=plan.starts_on,
        interval_weeks=plan.interval_weeks,
        at_end_of_therapy=plan.at_end_of_therapy,
        follow_up_months=plan.follow_up_months,
    )


def refresh_schedule(patient: Patient, *, today: date) -> int:
    """Write the plan's questionnaires due up to the next review; cancel open ones the plan no longer asks for.

    Safe to run again (the daily job does): existing items are kept, answered ones are never touched.
    Returns how many items were added.
    """
    plan = MeasurementPlan.objects.current().filter(patient=patient).first()
    if plan is None:
        return 0
    times = plan_times(plan)
    existing = list(ScheduledMeasure.objects.filter(patient=patient, plan=plan))
    ended_on = selectors.therapy_ended_on(patient)
    # Look as far ahead as the schedule already reaches, so a shorter interval never cancels a later review;
    # once therapy has ended, as far as the follow-up, so it is on the schedule from the day therapy ends.
    reach = [horizon(today, times), *(row.due_on for row in existing)]
    if ended_on is not None and plan.follow_up_months:
        reach.append(add_months(ended_on, plan.follow_up_months))
    wanted = planned_measures(
        times, scheduled_instruments(plan.instruments), therapy_ended_on=ended_on, until=max(reach)
    )
    wanted_keys = {(item.instrument, item.occasion, item.due_on) for item in wanted}
    have = {(row.instrument, row.occasion, row.due_on): row for row in existing}
    new = [
        ScheduledMeasure(
            patient=patient,
            organisation_id=patient.organisation_id,
            plan=plan,
            instrument=item.instrument,
            occasion=item.occasion,
            due_on=item.due_on,
        )
        for item in wanted
        if (item.instrument, item.occasion, item.due_on) not in have
    ]
    ScheduledMeasure.objects.bulk_create(new, ignore_conflicts=True)
    _set_status(
        [row.id for key, row in have.items() if key not in wanted_keys and row.status == ScheduleStatus.OPEN],
        ScheduleStatus.OPEN,
        ScheduleStatus.CANCELLED,
    )
    _set_status(
        [row.id for key, row in have.items() if key in wanted_keys and row.status == ScheduleStatus.CANCELLED],
        ScheduleStatus.CANCELLED,
        ScheduleStatus.OPEN,
    )
    mark_missed(patient, today=today)
    return len(new)


def mark_missed(patient: Patient, *, today: date) -> int:
    """Open questionnaires replaced by a later one of the same kind that is due now become *missed*."""
    open_items = ScheduledMeasure.objects.filter(patient=patient, status=ScheduleStatus.OPEN, due_on__lte=today)
    missed = superseded(open_items.values_list("id", "instrument", "due_on"), today)
    _set_status(missed, ScheduleStatus.OPEN, ScheduleStatus.MISSED)
    return len(missed)


def _set_status(ids: list[Any], old: str, new: str) -> None:
    if ids:
        ScheduledMeasure.objects.filter(id__in=ids, status=old).update(status=new, updated_at=clock.now())


def request_measure(patient: Patient, *, instrument_id: str, by: Any, due_on: date) -> ScheduledMeasure:
    """Ask for one questionnaire outside the plan (CARE after a session, or any other on request)."""
    found = known_instrument(instrument_id)
    if found.battery is not None:
        raise DomainError(_("Ask for the questionnaires of %(name)s one by one.") % {"name": found.short_name})
    item, _created = ScheduledMeasure.objects.get_or_create(
        patient=patient,
        instrument=found.id,
        occasion=Occasion.ON_REQUEST,
        due_on=due_on,
        defaults={"organisation_id": patient.organisation_id, "requested_by": by},
    )
    if item.status == ScheduleStatus.COMPLETED:
        raise DomainError(_("%(name)s was already answered on that day.") % {"name": found.short_name})
    if item.status == ScheduleStatus.CANCELLED:
        item.status = ScheduleStatus.OPEN
        item.save(update_fields=["status", "updated_at"])
    _audit(patient, Action.CREATE, "scheduled_measure", item.id)
    return item


def withdraw_request(patient: Patient, *, instrument_id: str, due_on: date) -> int:
    """Take back a questionnaire asked for on one day that is still open (the session it was about was
    recorded by mistake). Answered ones stay. Returns how many were withdrawn."""
    found = ScheduledMeasure.objects.filter(
        patient=patient,
        instrument=instrument_id,
        occasion=Occasion.ON_REQUEST,
        due_on=due_on,
        status=ScheduleStatus.OPEN,
    )
    ids = list(found.values_list("id", flat=True))
    _set_status(ids, ScheduleStatus.OPEN, ScheduleStatus.CANCELLED)
    for item_id in ids:
        _audit(patient, Action.UPDATE, "scheduled_measure", item_id)
    return len(ids)


# --- answers ----------------------------------------------------------------------------------------------


def check_answers(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """Every item's answer (a value it allows, None, or not applicable where allowed); unknown items refused."""
    known = {item.id: item for item in instrument.items}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise DomainError(_("These are not questions of this questionnaire: %(ids)s") % {"ids": ", ".join(unknown)})
    checked: dict[str, Any] = {}
    for position, item in enumerate(instrument.items, start=1):
        value = answers.get(item.id)
        if value == NOT_APPLICABLE and not item.not_applicable_allowed:
            raise DomainError(_("Question %(n)s cannot be answered 'does not apply'.") % {"n": position})
        if value is not None and value != NOT_APPLICABLE and (isinstance(value, bool) or value not in item.values):
            raise DomainError(_("That is not one of the answers to question %(n)s.") % {"n": position})
        checked[item.id] = value
    return checked


def scored_answers(instrument: Instrument, answers: dict[str, Any]) -> list[Any]:
    """The answers the engine takes: scored items only, in published order."""
    return [answers.get(item.id) for item in instrument.scored_items]


def engine_sex(patient: Patient) -> str | None:
    return patient.sex if patient.sex in {"female", "male"} else None


# --- responses --------------------------------------------------------------------------------------------


def start_response(
    patient: Patient,
    *,
    instrument_id: str,
    entered_by: Any,
    mode: str = EntryMode.PORTAL,
    scheduled: ScheduledMeasure | None = None,
    language: str = "en",
) -> Response:
    """A half-finished response to fill in; the patient's existing one for the same questionnaire is resumed."""
    found = known_instrument(instrument_id)
    if found.battery is not None:
        raise DomainError(_("Each questionnaire of %(name)s is filled in on its own.") % {"name": found.short_name})
    if scheduled is not None:
        # Lock the scheduled questionnaire: two Starts at once (a double tap) then find one draft, not two.
        scheduled = ScheduledMeasure.objects.select_for_update().get(pk=scheduled.pk)
        if scheduled.status != ScheduleStatus.OPEN:
            raise DomainError(_("This questionnaire has already been filled in."))
    draft = selectors.draft_response(patient, instrument_id=found.id, scheduled=scheduled)
    if draft is not None:
        return draft
    response = Response(
        patient=patient,
        organisation_id=patient.organisation_id,
        instrument=found.id,
        instrument_version=found.version,
        scheduled=scheduled,
        submission_key=uuid.uuid4(),
        mode=mode,
        entered_by=entered_by,
        language=language,
        answers={},
        started_at=clock.now(),
    )
    save_new(response, reason="Questionnaire started")
    _audit(patient, Action.CREATE, "response", response.id)
    return response


def save_answers(response: Response, answers: dict[str, Any]) -> Response:
    """Keep answers given so far (the patient can stop and come back); nothing is scored yet.

    The row is locked, so two answers saved at once both stay. A critical item answered positively raises
    its urgent alert now, not only when the form is sent: an answer the clinic holds is an answer it acts on.
    """
    locked = Response.objects.select_for_update().filter(pk=response.pk).first()
    if locked is None or locked.is_completed or locked.is_entered_in_error:
        raise DomainError(_("This questionnaire has already been sent."))
    instrument = known_instrument(locked.instrument)
    merged = check_answers(instrument, {**locked.answers, **answers})
    Response.objects.filter(pk=locked.pk).update(answers=merged, version=F("version") + 1, updated_at=clock.now())
    response.answers, response.version = merged, locked.version + 1
    locked.answers = merged  # the alert below names the answer just given
    _audit(locked.patient, Action.UPDATE, "response", locked.id)
    for critical in instrument.critical_items:
        value = merged.get(critical.item)
        if isinstance(value, int) and value >= critical.at_least:
            _raise_critical_alert(locked, instrument, critical, answered=True, before_sending=True)
    return response


@dataclass(frozen=True)
class Submitted:
    response: Response
    score: Score | None
    needs_crisis_support: bool  # a critical item was answered positively or left unanswered
    already_submitted: bool


def submit_response(response_id: Any, *, patient: Patient) -> Submitted:
    """Score and complete a response. Sending the same form twice completes it once.

    The row is locked, so two concurrent sends see one completion; the second gets the first's result.
    """
    response = Response.objects.select_for_update().filter(pk=response_id, patient=patient).first()
    if response is None or response.is_entered_in_error:
        raise DomainError(_("This questionnaire could not be found."))
    instrument = known_instrument(response.instrument)
    if response.is_completed:
        return Submitted(response, None, _needs_crisis_support(instrument, response.flags), already_submitted=True)
    if response.scheduled_id is not None and not _still_open(response.scheduled_id):
        raise DomainError(
            _("Your care team has already recorded this questionnaire for you, so there is nothing more to send.")
        )
    result = _complete(response, instrument, patient, completed_at=clock.now())
    return Submitted(response, result, _needs_crisis_support(instrument, response.flags), already_submitted=False)


def _still_open(scheduled_id: Any) -> bool:
    """Lock the scheduled questionnaire and say whether it still waits for an answer (one answer each)."""
    found = ScheduledMeasure.objects.select_for_update().filter(pk=scheduled_id).first()
    return found is not None and found.status == ScheduleStatus.OPEN


def enter_response(
    patient: Patient,
    *,
    instrument_id: str,
    answers: dict[str, Any],
    entered_by: Any,
    submission_key: Any,
    completed_on: datetime,
    mode: str = EntryMode.PAPER,
    scheduled: ScheduledMeasure | None = None,
) -> Submitted:
    """A form completed on paper (or asked by phone) and entered by staff, recorded as such.

    `submission_key` comes from the form: entering the same form twice stores it once.
    """
    if mode not in {EntryMode.PAPER, EntryMode.INTERVIEW}:
        raise DomainError(_("Staff enter paper forms or answers given by phone or in person."))
    existing = Response.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _already_entered(existing, patient)
    instrument = known_instrument(instrument_id)
    if scheduled is not None and (scheduled.patient_id != patient.id or scheduled.instrument != instrument.id):
        raise DomainError(_("That scheduled questionnaire is not this one."), field="scheduled")
    if scheduled is not None and not _still_open(scheduled.id):
        raise DomainError(
            _("That scheduled questionnaire was completed in the meantime. Check the schedule before entering it."),
            field="scheduled",
        )
    if completed_on > clock.now():
        raise DomainError(_("The date the form was filled in cannot be in the future."), field="completed_on")
    if instrument.battery is not None:
        raise DomainError(_("Enter each questionnaire of %(name)s on its own.") % {"name": instrument.short_name})
    checked = check_answers(instrument, answers)
    response = Response(
        patient=patient,
        organisation_id=patient.organisation_id,
        instrument=instrument.id,
        instrument_version=instrument.version,
        scheduled=scheduled,
        submission_key=submission_key,
        mode=mode,
        entered_by=entered_by,
        answers=checked,
        started_at=completed_on,
    )
    try:
        with transaction.atomic():
            save_new(response, reason=f"Entered by staff ({mode})")
    except IntegrityError:  # the same form, sent twice at once: the other request stored it
        return _already_entered(Response.objects.get(submission_key=submission_key), patient)
    result = _complete(response, instrument, patient, completed_at=completed_on)
    return Submitted(response, result, _needs_crisis_support(instrument, response.flags), already_submitted=False)


def _already_entered(existing: Response, patient: Patient) -> Submitted:
    if existing.patient_id != patient.id:
        raise DomainError(_("This form was already used for another record. Please start again."))
    instrument = known_instrument(existing.instrument)
    return Submitted(existing, None, _needs_crisis_support(instrument, existing.flags), already_submitted=True)


def _complete(response: Response, instrument: Instrument, patient: Patient, *, completed_at: datetime) -> Score:
    answers = check_answers(instrument, response.answers)
    sex = engine_sex(patient)
    try:
        result = score(instrument, scored_answers(instrument, answers), sex=sex)
    except InvalidResponse as error:  # check_answers makes this unreachable; never store a wrong number
        raise DomainError(error.reason) from error
    response.answers = answers
    response.status = ResponseStatus.COMPLETED
    response.completed_at = completed_at
    response.scorable = result.scorable
    # As the columns keep them, so the returned object and the alert texts match what is stored.
    response.total = _stored(result.total, "0.0001")
    response.total_unrounded = _stored(result.total_unrounded, "0.000001")
    response.band = result.band or ""
    response.flags = list(result.flags)
    response.unscorable_reason = result.reason or ""
    response.sex_used = sex or ""
    response.version += 1  # a form opened on the draft cannot then change the completed response
    response._change_reason = "Questionnaire completed and scored"  # type: ignore[attr-defined]
    response.save()
    if response.scheduled_id is not None:
        ScheduledMeasure.objects.filter(pk=response.scheduled_id, status=ScheduleStatus.OPEN).update(
            status=ScheduleStatus.COMPLETED, completed_at=completed_at, updated_at=clock.now()
        )
    _audit(patient, Action.CREATE, "response", response.id)
    _raise_alerts(response, instrument, patient)
    return result


def _stored(value: Decimal | None, places: str) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _needs_crisis_support(instrument: Instrument, flags: list[str] | tuple[str, ...]) -> bool:
    return bool(selectors.critical_flags(instrument) & set(flags))


def _raise_alerts(response: Response, instrument: Instrument, patient: Patient) -> None:
    for critical in instrument.critical_items:
        if critical.flag in response.flags:
            _raise_critical_alert(response, instrument, critical, answered=True)
        elif critical.unanswered_flag and critical.unanswered_flag in response.flags:
            _raise_critical_alert(response, instrument, critical, answered=False)
    if not response.scorable or instrument.reliable_change is None:
        return
    baseline = selectors.baseline_response(patient.id, instrument.id)
    if baseline is None or baseline.id == response.id:
        return
    change = change_between(
        instrument, selectors.scored_total(baseline), selectors.scored_total(response), sex=engine_sex(patient)
    )
    if change.classification == "reliable_deterioration":
        summary = _("%(name)s: reliable deterioration since baseline (%(pre)s to %(post)s)") % {
            "name": instrument.short_name,
            "pre": _plain(baseline.total),
            "post": _plain(response.total),
        }
        safety_services.raise_deterioration_alert(patient, summary=summary, response_id=response.id)


def _raise_critical_alert(
    response: Response, instrument: Instrument, critical: Any, *, answered: bool, before_sending: bool = False
) -> None:
    if answered:
        summary = _("%(name)s: %(label)s answered %(answer)s") % {
            "name": instrument.short_name,
            "label": critical.label,
            "answer": _answer_label(instrument, critical.item, response.answers.get(critical.item)),
        }
    else:
        summary = _("%(name)s: %(label)s left unanswered") % {"name": instrument.short_name, "label": critical.label}
    if before_sending:
        summary += " " + _("(in a form not sent yet)")
    safety_services.raise_critical_item_alert(response.patient, summary=summary, response_id=response.id)


def _answer_label(instrument: Instrument, item_id: str, value: Any) -> str:
    if not isinstance(value, int):
        return str(value)
    try:
        return f"{value} ({instrument.item(item_id).option(value).label})"
    except (KeyError, ValueError):
        return str(value)


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


def dismiss_reminder(reminder: Reminder) -> None:
    """The patient has seen a portal reminder; the questionnaire itself stays waiting."""
    Reminder.objects.filter(pk=reminder.pk, dismissed_at__isnull=True).update(
        dismissed_at=clock.now(), updated_at=clock.now()
    )
    _audit(reminder.patient, Action.UPDATE, "reminder", reminder.id)


def mark_response_in_error(response: Response, *, expected_version: int, reason: str) -> Response:
    """A response entered for the wrong patient or from the wrong form leaves the clinic's view, not the history.

    Its scheduled questionnaire opens again.
    """
    if not reason.strip():
        raise DomainError(_("Say why the response was entered in error."), field="reason")
    marked = mark_entered_in_error(response, expected_version=expected_version, reason=reason)
    if marked.scheduled_id is not None:
        ScheduledMeasure.objects.filter(pk=marked.scheduled_id, status=ScheduleStatus.COMPLETED).update(
            status=ScheduleStatus.OPEN, completed_at=None, updated_at=clock.now()
        )
    _audit(marked.patient, Action.ENTERED_IN_ERROR, "response", marked.id)
    return marked
