"""The demo clinic's safety net: an on-call rota, safety plans made with six patients (the demo patient
`patient` among them, with three versions), and a few alerts the team raised about those patients: sent
on to the responsible clinician and to whoever was on call, acknowledged with what was done, one still open.

Synthetic and deterministic: the same seed gives the same plans; everything goes through the services,
with the clock pinned to the day it happened. Called once by `seed.load_demo_clinic`.

An alert is sent on when the clinic's escalation rule would have sent it on: after its hours of working time
(4, Monday to Friday 08:00-17:00 by default), counted with `coordination.workinghours` as the rules job counts
them; a step the rule would take later than now is left to the rules job.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import Organisation
from commonground.careteam import selectors as team_selectors
from commonground.careteam.models import OnCallShift
from commonground.coordination import rules as escalation_rules
from commonground.coordination import selectors as coordination_selectors
from commonground.coordination.choices import RuleKind
from commonground.coordination.workinghours import WorkingHours, add_working_time
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import Patient
from commonground.safety import selectors, services
from commonground.safety.choices import Urgency
from commonground.safety.models import Alert, CrisisResource

TIME_ZONE = "Europe/Amsterdam"
FICTIONAL_NUMBERS = tuple(f"555-01{last:02d}" for last in range(100))  # the range kept for fiction
ROTA = ("psychiatrist", "psychologist", "therapist")  # who takes the on-call day in turn

WARNING_SIGNS = [
    "Lying awake after 3 am going over everything",
    "Cancelling plans and not answering the phone",
    "Thinking 'this pain will never stop'",
    "Skipping meals and not getting dressed",
    "Feeling that I am a burden to my family",
    "Arguments at home about money",
]
COPING = [
    "A warm shower, then the breathing exercise from therapy",
    "Walk round the block with headphones on",
    "Write down three things I got done today",
    "Put on the playlist my daughter made",
    "Make tea and sit by the window for ten minutes",
    "Stretching routine from the physiotherapist",
]
DISTRACTIONS = [
    "The library café on the square",
    "Call my neighbour and ask to walk the dog together",
    "The allotment garden",
    "Sunday dinner at my sister's",
    "The swimming pool (quiet hour, 8 am)",
]
HELPERS = ["My sister Lies", "My friend Karim", "Neighbour Joke", "My partner Sam", "Cousin Ayla", "My son Daan"]
SAFE = [
    "Give my extra tablets to the pharmacy to keep",
    "Ask Sam to keep the car keys on bad nights",
    "Keep only a week of medicines at home",
    "Put the boxes of painkillers in my sister's care",
]
REASONS = [
    "Seeing my grandchildren grow up",
    "My dog, Bram",
    "Finishing the garden I started",
    "The trip to the coast we planned for next summer",
]


def seed_safety(organisation: Organisation, *, staff: dict[str, Any], today: date, seed: str) -> None:
    rng = random.Random(seed)
    hours, allowed = escalation_rule(organisation)
    _on_call_rota(organisation, staff, today)
    patients = _safety_plans(organisation, staff, today, rng, hours)
    _raised_concerns(organisation, staff, patients[1:], hours, allowed)


def escalation_rule(organisation: Organisation) -> tuple[WorkingHours, timedelta]:
    """The clinic's rule for urgent alerts nobody acknowledges: its working hours and how much of them an alert
    waits before it is sent on (the defaults when the clinic has not edited the rule)."""
    parameters = escalation_rules.defaults(RuleKind.UNACKNOWLEDGED_ALERT)
    for rule in coordination_selectors.rules_of(organisation.id):
        if rule.kind == RuleKind.UNACKNOWLEDGED_ALERT:
            parameters.update(rule.parameters)
    return WorkingHours.of(parameters, organisation.time_zone), timedelta(hours=parameters["hours"])


def care_team_contact(organisation: Organisation, hours: WorkingHours) -> dict[str, str]:
    """The care team as a safety-plan contact: its own fictional number (none a crisis service uses) and the
    clinic's working hours."""
    taken = set(CrisisResource.objects.values_list("phone", flat=True))
    phone = next(number for number in FICTIONAL_NUMBERS[20:] if number not in taken)
    return {
        "name": f"My care team at {organisation.name} (weekdays {hours.start:%H:%M}-{hours.end:%H:%M})",
        "phone": phone,
    }


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(TIME_ZONE))


def _on_call_rota(organisation: Organisation, staff: dict[str, Any], today: date) -> None:
    """Day shifts, 08:00 to 08:00 the next morning, in turn, from a week ago to two weeks ahead."""
    OnCallShift.objects.bulk_create(
        OnCallShift(
            organisation=organisation,
            staff=staff[ROTA[offset % len(ROTA)]],
            starts_at=_at(today + timedelta(days=offset), 8),
            ends_at=_at(today + timedelta(days=offset + 1), 8),
            note="Phone: clinic switchboard, option 9",
        )
        for offset in range(-7, 15)
    )


def _safety_plans(
    organisation: Organisation, staff: dict[str, Any], today: date, rng: random.Random, hours: WorkingHours
) -> list[Patient]:
    """Six plans: the demo patient's (three versions over two months) and five patients' with urgent alerts
    or active care, one or two versions each."""
    active = list(
        Patient.objects.filter(organisation=organisation, status=PatientStatus.ACTIVE)
        .select_related("user")
        .order_by("record_number")
    )
    alerted = set(
        Alert.objects.filter(organisation=organisation, urgency=Urgency.URGENT).values_list("patient_id", flat=True)
    )
    demo_patient = next(p for p in active if p.user is not None and p.user.username == "patient")
    others = [p for p in active if p.id in alerted and p.id != demo_patient.id]
    others += [p for p in active if p.id not in alerted and p.id != demo_patient.id]
    crisis = [{"name": r.name, "phone": r.phone} for r in selectors.crisis_resources(organisation.id, "en") if r.phone]
    professionals = [care_team_contact(organisation, hours), *crisis]
    chosen = [demo_patient, *others[:5]]
    for number, patient in enumerate(chosen):
        versions = 3 if number == 0 else 1 + rng.randrange(2)
        started = today - timedelta(days=60 if number == 0 else rng.randrange(10, 50))
        team = patient.care_team
        authors = [team.care_coordinator or staff["coordinator"], team.responsible_clinician or staff["therapist"]]
        content = _plan(rng, professionals)
        for step in range(versions):
            saved_on = started + timedelta(days=step * 21)
            if saved_on > today:
                break
            if step:
                content = _revised(rng, content, step)
            with clock.pinned(_at(saved_on, 11, 15 + step)):
                services.save_safety_plan(
                    patient,
                    by=authors[step % 2],
                    content=content,
                    expected_version=step,
                    change_note=("Made together in session" if step == 0 else _change_note(step)),
                )
    return chosen


def _plan(rng: random.Random, professionals: list[dict[str, str]]) -> dict[str, Any]:
    helpers = rng.sample(HELPERS, 2)
    # A friend's number is never one of the services' numbers.
    free = [number for number in FICTIONAL_NUMBERS if number not in {p["phone"] for p in professionals}]
    return {
        "warning_signs": rng.sample(WARNING_SIGNS, 3),
        "coping_strategies": rng.sample(COPING, 3),
        "distractions": rng.sample(DISTRACTIONS, 2),
        "help_contacts": [
            {"name": name, "phone": phone} for name, phone in zip(helpers, rng.sample(free, 2), strict=True)
        ],
        "professionals": professionals,
        "safe_environment": rng.sample(SAFE, 2),
        "reasons_for_living": rng.sample(REASONS, 2) if rng.random() < 0.7 else [],
    }


def _revised(rng: random.Random, content: dict[str, Any], step: int) -> dict[str, Any]:
    revised = {name: list(value) for name, value in content.items()}
    if step == 1:
        revised["coping_strategies"].append(rng.choice([c for c in COPING if c not in revised["coping_strategies"]]))
    else:
        revised["warning_signs"].append(rng.choice([w for w in WARNING_SIGNS if w not in revised["warning_signs"]]))
        if not revised["reasons_for_living"]:
            revised["reasons_for_living"] = rng.sample(REASONS, 1)
    return revised


def _change_note(step: int) -> str:
    return "Added what helped last week" if step == 1 else "Reviewed after a difficult weekend; new warning sign"


# Worries the team raised as alerts: (days ago, urgency, what happened, sent on up to level (1: the responsible
# clinician, 2: on call; each step when the escalation rule takes it), acknowledged how long after the last step
# (None: still open), by whom, what was done).
CONCERNS: tuple[tuple[int, str, str, int, timedelta | None, str, str], ...] = (
    (
        20,
        Urgency.URGENT,
        "Phoned the clinic in tears after a bad week; said she could not go on like this",
        1,
        timedelta(minutes=55),
        "responsible",
        "Called back within the hour: no plan or intent, went through her safety plan together; "
        "sister staying over. Extra session on Thursday.",
    ),
    (
        9,
        Urgency.URGENT,
        "Missed two sessions; partner called, worried about talk of giving up",
        2,
        timedelta(minutes=40),
        "on_call",
        "On call: reached him at home with his partner. Safe, agreed to keep the tablets at the pharmacy; "
        "the team follows up tomorrow.",
    ),
    (
        4,
        Urgency.ROUTINE,
        "Said in the group session that the pain makes everything pointless",
        0,
        timedelta(hours=26),
        "coordinator",
        "Talked it through by phone; next session brought forward and added to the case review.",
    ),
    (0, Urgency.URGENT, "Left a voicemail sounding very low; not reached yet", 1, None, "", ""),
)


def _raised_concerns(
    organisation: Organisation,
    staff: dict[str, Any],
    patients: list[Patient],
    hours: WorkingHours,
    allowed: timedelta,
) -> None:
    """A few alerts the team raised about the patients with a safety plan, followed up as a clinic would: sent
    on when nobody acknowledged them within the rule's working hours, then acknowledged with what was done; the
    newest still open. The alerts the measurement histories raised are theirs and stay as they are."""
    now = clock.now()
    for patient, (days, urgency, summary, sent_on_to, after, who, note) in zip(patients, CONCERNS, strict=False):
        team = patient.care_team
        raised_at = now - timedelta(hours=5) if days == 0 else _at(now.date() - timedelta(days=days), 10)
        with clock.pinned(raised_at):
            alert = services.raise_concern(
                patient, by=team.care_coordinator or staff["coordinator"], urgency=urgency, summary=summary
            )
        last_step = raised_at
        for level in range(1, sent_on_to + 1):
            moment = add_working_time(last_step, allowed, hours)
            if moment > now:
                break  # not yet: the rules job sends it on when the time comes
            with clock.pinned(moment):
                services.escalate_alert(alert, to_level=level, now=moment)
            last_step = moment
        if after is None or last_step + after > now:
            continue
        moment = last_step + after
        if who == "on_call":
            by = (team_selectors.on_call_now(organisation.id, moment) or [staff["psychiatrist"]])[0]
        elif who == "responsible":
            by = team.responsible_clinician or staff["therapist"]
        else:
            by = team.care_coordinator or staff["coordinator"]
        with clock.pinned(moment):
            services.acknowledge(alert, by=by, note=note, expected_version=alert.version)
