"""The synthetic clinic's measurement-based care: plans, schedules, 12 scored responses per patient, alerts, flags.

Every patient has a measurement plan (PHQ-15, PHQ-9, GAD-7 and WSAS every 4 weeks from the start of care) and
answered it on three occasions — baseline, a review half-way and the latest review — so 12 responses each,
entered by staff and scored by the real engine (`commonground.measures.scoring`), with the bands and flags it
gives. Their scheduled questionnaires are there too: the completed ones, a missed latest review for about a
quarter of the patients in care long enough (due or overdue), and the next review (upcoming) while in care.
Trajectories are plausible: about 45 % improve, 35 % change little, 8 % get worse and 12 % are mixed; PHQ-9
item 9 is answered positively in about 3 % of responses (8 % for those getting worse), which raises an urgent
alert (open when it is the latest PHQ-9, otherwise acknowledged); a reliable deterioration since baseline raises
a routine one. About 3 % of patients are on the case-review list.

Each patient's measures come from a random generator of their own (seeded by the clinic seed and the patient's
number), so the rest of the clinic — patients, teams, audit trail — is the same as without them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.loader import HISTORICAL, history_row
from commonground.measures.change import change_between
from commonground.measures.datatypes import Instrument
from commonground.measures.definitions import builtin_library
from commonground.measures.registry import critical_flag_ids
from commonground.measures.scoring import NOT_APPLICABLE, Answer, score

PLAN_INSTRUMENTS = ("phq15", "phq9", "gad7", "wsas")
INTERVAL_DAYS = 28
OVERDUE_AFTER_DAYS = 7
TRAJECTORIES = (("improving", 0.45), ("little_change", 0.35), ("worse", 0.08), ("mixed", 0.12))
FACTORS = {"improving": 0.55, "little_change": 0.1, "worse": -0.5}  # share of the baseline level lost by the end
Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Patient:
    index: int
    id: uuid.UUID
    organisation_id: uuid.UUID
    sex: str
    started: date
    ended: date | None
    coordinator_id: uuid.UUID
    responsible_id: uuid.UUID | None


def instruments() -> dict[str, Instrument]:
    library = builtin_library()
    return {name: library[name] for name in PLAN_INSTRUMENTS}


# --- answers -----------------------------------------------------------------------------------------------------


def answers_for(instrument: Instrument, level: float, rng: random.Random, *, sex: str | None) -> list[Answer]:
    """The scored items' answers around `level` (0-1 of each item's range), with the odd gap and n/a."""
    answers: list[Answer] = []
    for item in instrument.scored_items:
        low, high = item.lowest, item.highest
        value = round(low + level * (high - low) + rng.gauss(0, 0.35 * max(1, (high - low) / 3)))
        answers.append(min(high, max(low, value)))
    for position, item in enumerate(instrument.scored_items):
        if item.not_applicable_if_unanswered_for and sex in item.not_applicable_if_unanswered_for:
            answers[position] = None  # PHQ-15 item 4 for a man: unanswered, taken as not applicable
        elif item.not_applicable_allowed and instrument.id == "wsas" and rng.random() < 0.15:
            answers[position] = NOT_APPLICABLE  # not working for reasons unrelated to the problem
    gap = rng.random()
    if gap < 0.03:  # one question skipped: prorated where the rules allow it
        answers[rng.randrange(len(answers))] = None
    elif gap < 0.035:  # most of the form skipped: not scorable
        for position in rng.sample(range(len(answers)), k=min(len(answers), 5)):
            answers[position] = None
    return answers


def _all_items(instrument: Instrument, scored: list[Answer], rng: random.Random) -> dict[str, Any]:
    """Every item's answer, as a response stores it (the recorded-not-scored "how difficult" item too)."""
    values = iter(scored)
    return {item.id: next(values) if item.scored else rng.choice(sorted(item.values)) for item in instrument.items}


# --- one patient --------------------------------------------------------------------------------------------------


def patient_measures(seed: int, now: datetime, patient: Patient, rows: Rows) -> None:
    rng = random.Random(seed * 1_000_003 + patient.index)
    today = now.date()
    known = instruments()
    plan_id = _plan(rng, patient, rows)
    occasions, missed, upcoming = _occasions(rng, patient, today)
    kind = _weighted(rng, TRAJECTORIES)
    kinds = {name: _weighted(rng, TRAJECTORIES[:3]) if kind == "mixed" else kind for name in PLAN_INSTRUMENTS}
    levels = {name: rng.uniform(0.3, 0.75) for name in PLAN_INSTRUMENTS}
    latest: dict[str, uuid.UUID] = {}  # each questionnaire's latest response
    baseline: dict[str, Decimal] = {}
    alerts: list[tuple[str, uuid.UUID, datetime, str]] = []
    for number, (due_on, occasion) in enumerate(occasions):
        progress = number / max(1, len(occasions) - 1)
        answered_at = datetime.combine(due_on, datetime.min.time()) + timedelta(
            hours=8 + 4 * number, minutes=rng.randint(0, 200)
        )  # in order also when the three fall on one day
        completed_at = min(now - timedelta(minutes=30 - 10 * number), answered_at)
        for name in PLAN_INSTRUMENTS:
            instrument = known[name]
            scheduled = _scheduled(rng, patient, plan_id, name, occasion, due_on, rows, completed_at=completed_at)
            level = max(0.0, min(1.0, levels[name] * (1 - FACTORS[kinds[name]] * progress)))
            scored = answers_for(instrument, level, rng, sex=patient.sex)
            if name == "phq9" and scored[8] is not None:  # item 9 follows no level: mostly "not at all"
                positive = rng.random() < (0.08 if kinds[name] == "worse" else 0.03)
                scored[8] = rng.choice((1, 1, 2, 3)) if positive else 0
            result = score(instrument, scored, sex=patient.sex)
            response_id = _response(rng, patient, instrument, scheduled, _all_items(instrument, scored, rng), result,
                                    completed_at, rows)  # fmt: skip
            if critical_flag_ids(instrument) & set(result.flags):
                alerts.append(("critical_item", response_id, completed_at, name))
            if result.total is not None:
                if name in baseline:
                    change = change_between(instrument, baseline[name], result.total)
                    if change.classification == "reliable_deterioration":
                        alerts.append(("reliable_deterioration", response_id, completed_at, name))
                else:
                    baseline[name] = result.total
            latest[name] = response_id
    for due_on in missed + upcoming:
        for name in PLAN_INSTRUMENTS:
            _scheduled(rng, patient, plan_id, name, "interval", due_on, rows, completed_at=None)
    _alerts(rng, patient, now, alerts, latest, rows)
    if rng.random() < 0.03:
        _flag(rng, patient, now, rows)


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in choices], weights=[weight for _, weight in choices])[0]


def _occasions(
    rng: random.Random, patient: Patient, today: date
) -> tuple[list[tuple[date, str]], list[date], list[date]]:
    """Baseline, a review half-way and the latest review answered; a missed review; the next one."""
    end = patient.ended or today
    reviews = (end - patient.started).days // INTERVAL_DAYS
    upcoming = [] if patient.ended else [patient.started + timedelta(days=INTERVAL_DAYS * (reviews + 1))]
    if reviews < 2:  # in care for less than 8 weeks: three answers packed into the time there is (one asked for)
        span = (end - patient.started).days
        days = [0, round(span / 2), span]
        occasions = ("baseline", "on_request", "interval")
        return [(patient.started + timedelta(days=d), o) for d, o in zip(days, occasions, strict=True)], [], upcoming
    missed_one = reviews >= 3 and rng.random() < 0.25
    last = reviews - 1 if missed_one else reviews
    answered = [
        (patient.started + timedelta(days=INTERVAL_DAYS * k), "baseline" if k == 0 else "interval")
        for k in (0, last // 2, last)
    ]
    missed = [patient.started + timedelta(days=INTERVAL_DAYS * reviews)] if missed_one else []
    return answered, missed, upcoming


# --- rows -----------------------------------------------------------------------------------------------------------


def _add(rows: Rows, table: str, row: tuple[Any, ...], reason: str, user: uuid.UUID) -> None:
    rows.setdefault(table, []).append(row)
    rows.setdefault(HISTORICAL[table], []).append(history_row(row, reason, user))


def _new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _record(rng: random.Random, when: datetime) -> tuple[Any, ...]:
    return (_new_id(rng), when, when, 1, "active")


def _plan(rng: random.Random, patient: Patient, rows: Rows) -> uuid.UUID:
    when = datetime.combine(patient.started, datetime.min.time()) + timedelta(hours=10)
    plan = (
        *_record(rng, when),
        patient.organisation_id,
        patient.id,
        list(PLAN_INSTRUMENTS),
        patient.started,
        INTERVAL_DAYS // 7,
        True,
        12,
        patient.coordinator_id,
    )
    _add(rows, "measures_measurementplan", plan, "Measurement plan agreed", patient.coordinator_id)
    return plan[0]


def _scheduled(
    rng: random.Random,
    patient: Patient,
    plan_id: uuid.UUID,
    instrument: str,
    occasion: str,
    due_on: date,
    rows: Rows,
    *,
    completed_at: datetime | None,
) -> uuid.UUID:
    when = datetime.combine(patient.started, datetime.min.time()) + timedelta(hours=10)
    row = (
        *_record(rng, when),
        patient.organisation_id,
        patient.id,
        plan_id,
        instrument,
        occasion,
        due_on,
        "completed" if completed_at else "open",
        completed_at,
        None,
    )
    # The application writes schedules with bulk_create and updates their status in bulk: no history rows.
    rows.setdefault("measures_scheduledmeasure", []).append(row)
    return row[0]


def _response(
    rng: random.Random,
    patient: Patient,
    instrument: Instrument,
    scheduled: uuid.UUID,
    answers: dict[str, Any],
    result: Any,
    completed_at: datetime,
    rows: Rows,
) -> uuid.UUID:
    row = (
        *_record(rng, completed_at),
        patient.organisation_id,
        patient.id,
        instrument.id,
        instrument.version,
        scheduled,
        _new_id(rng),
        "",
        "completed",
        "paper" if rng.random() < 0.85 else "interview",
        patient.coordinator_id,
        "en",
        answers,
        completed_at - timedelta(minutes=rng.randint(3, 15)),
        completed_at,
        result.scorable,
        result.total,
        result.total_unrounded,
        result.band or "",
        list(result.flags),
        result.reason or "",
        patient.sex,
    )
    _add(rows, "measures_response", row, "Entered by staff (paper)", patient.coordinator_id)
    return row[0]


def _alerts(
    rng: random.Random,
    patient: Patient,
    now: datetime,
    alerts: list[tuple[str, uuid.UUID, datetime, str]],
    latest: dict[str, uuid.UUID],
    rows: Rows,
) -> None:
    recipients = [patient.coordinator_id]
    if patient.responsible_id and patient.responsible_id != patient.coordinator_id:
        recipients.append(patient.responsible_id)
    for kind, response_id, raised, name in alerts:
        still_open = response_id == latest.get(name) and rng.random() < 0.7
        acknowledged = None if still_open else min(now, raised + timedelta(hours=rng.randint(1, 48)))
        urgent = kind == "critical_item"
        alert = (
            *_record(rng, raised),
            patient.organisation_id,
            patient.id,
            kind,
            "urgent" if urgent else "routine",
            f"{name.upper()}: item 9 answered" if urgent else f"{name.upper()}: reliable deterioration since baseline",
            "response",
            str(response_id),
            raised,
            "open" if still_open else "acknowledged",
            None if still_open else patient.coordinator_id,
            acknowledged,
            "" if still_open else "Phoned the patient; safety plan reviewed.",
            0,  # escalation level: as raised, not sent on
            None,
        )
        _add(rows, "safety_alert", alert, "Raised by a rule", patient.coordinator_id)
        for staff in recipients:
            rows.setdefault("safety_alertrecipient", []).append((_new_id(rng), raised, raised, alert[0], staff, 0))


def _flag(rng: random.Random, patient: Patient, now: datetime, rows: Rows) -> None:
    flagged = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
    flag = (
        *_record(rng, flagged),
        patient.organisation_id,
        patient.id,
        rng.choice(("not_improving", "deteriorated", "manual", "overdue")),
        "For the next team meeting",
        patient.coordinator_id,
        flagged,
        "open",
        None,
    )
    _add(rows, "coordination_casereviewflag", flag, "Flagged for case review", patient.coordinator_id)
