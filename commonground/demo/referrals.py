"""The demo clinic's referrals: about twenty-five, out and in, with the waits the region really has
(physiotherapy 2-6 weeks, psychology 4-12 weeks, psychiatry 1-3 weeks), a few declined or withdrawn, a few
GP referrals coming in, some loops closed with feedback and some still open; and a directory of twelve
community resources (synthetic names).

Synthetic and deterministic: the same seed gives the same referrals; everything goes through the services,
with the clock pinned to the day each step happened. Called once by `seed.load_demo_clinic`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import Organisation
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import Patient
from commonground.referrals import services
from commonground.referrals.choices import State
from commonground.referrals.models import CommunityResource, Referral

TIME_ZONE = "Europe/Amsterdam"

DIRECTORY: list[dict[str, Any]] = [
    {
        "name": "Riverside Walking Group",
        "kind": "exercise",
        "contact": "Tue and Thu 10:00 at the park gate; 020 555 0141",
        "languages": "Dutch, English",
        "cost": "free",
        "eligibility": "Anyone; an easy pace, 45 minutes; benches on the way.",
        "notes": "Good first step for graded activity.",
    },
    {
        "name": "Gentle Swim Hour, Oostbad",
        "kind": "exercise",
        "contact": "Front desk 020 555 0172",
        "languages": "Dutch",
        "cost": "sliding",
        "eligibility": "Adults with long-term pain or fatigue; warm pool.",
        "notes": "Quiet hour Monday 8:00.",
    },
    {
        "name": "Chronic Pain Peer Circle",
        "kind": "peer_support",
        "contact": "peercircle@example.org",
        "languages": "Dutch, English, Turkish",
        "cost": "free",
        "eligibility": "People living with persistent pain or fatigue; monthly evening meeting.",
        "notes": "",
    },
    {
        "name": "Fatigue Together (online)",
        "kind": "peer_support",
        "contact": "https://fatigue-together.example.org",
        "languages": "English",
        "cost": "free",
        "eligibility": "Adults; moderated online group.",
        "notes": "",
    },
    {
        "name": "Neighbourhood Welfare Desk West",
        "kind": "welfare",
        "contact": "Mon-Fri 9:00-12:00, Community Centre West; 020 555 0190",
        "languages": "Dutch, Arabic, Tamazight",
        "cost": "free",
        "eligibility": "Residents of the west district.",
        "notes": "Helps with benefit forms and care allowance.",
    },
    {
        "name": "Back to Work Coaching",
        "kind": "work",
        "contact": "intake@backtowork.example.org",
        "languages": "Dutch, English",
        "cost": "insured",
        "eligibility": "On sick leave or benefits; referral by the occupational physician or us.",
        "notes": "Works with graded return plans.",
    },
    {
        "name": "Debt Help Line",
        "kind": "debt",
        "contact": "0800 555 0111 (free)",
        "languages": "Dutch, English, Polish",
        "cost": "free",
        "eligibility": "Anyone with money worries.",
        "notes": "",
    },
    {
        "name": "Green Hands Allotment Volunteers",
        "kind": "volunteering",
        "contact": "Sat 10:00 at the allotments; 06 5550 1230",
        "languages": "Dutch",
        "cost": "free",
        "eligibility": "Anyone; work at your own pace.",
        "notes": "Structure and company; good for activation.",
    },
    {
        "name": "Carers' Café",
        "kind": "carers",
        "contact": "Library, first Wednesday 14:00",
        "languages": "Dutch, English",
        "cost": "free",
        "eligibility": "Partners and family who look after someone.",
        "notes": "",
    },
    {
        "name": "Housing Advice Point",
        "kind": "housing",
        "contact": "020 555 0155",
        "languages": "Dutch, English, Arabic",
        "cost": "free",
        "eligibility": "Renters in the municipality.",
        "notes": "",
    },
    {
        "name": "Night Listening Line",
        "kind": "crisis",
        "contact": "0800 555 0999, every night 22:00-06:00",
        "languages": "Dutch, English",
        "cost": "free",
        "eligibility": "Anyone who needs to talk at night.",
        "notes": "Not for emergencies: 112.",
    },
    {
        "name": "Mindful Movement Classes (closed)",
        "kind": "exercise",
        "contact": "",
        "languages": "Dutch",
        "cost": "paid",
        "eligibility": "",
        "notes": "Stopped in the summer; kept for the record.",
        "active": False,
    },
]

# Days from sending to first contact, as the region has them.
WAITS = {
    "physiotherapy": (14, 42),
    "psychology": (28, 84),
    "psychiatry": (7, 21),
    "social_work": (10, 30),
    "community": (5, 21),
}
COUNTERPARTS = {
    "physiotherapy": ["Fysio De Brug", "Physiotherapy Centre Oost", "Bakker & Partners Physiotherapy"],
    "psychology": ["Praktijk Noord Psychology", "Mind Clinic Riverside", "Psychology Practice Vondel"],
    "psychiatry": ["Riverside Mental Health, outpatient psychiatry", "City Hospital, consultation psychiatry"],
    "social_work": ["Neighbourhood Social Work Team West", "Social Care Desk Oost"],
    "community": [],
}
REASONS = {
    "physiotherapy": [
        "Graded activity for widespread pain and deconditioning",
        "Fear of movement after a long period of rest; build up walking",
        "Breathing pattern and tension in neck and shoulders",
    ],
    "psychology": [
        "CBT for worry about illness and checking behaviour",
        "Low mood and rumination alongside persistent pain",
        "Trauma history; symptoms worse since; assessment for trauma-focused therapy",
    ],
    "psychiatry": [
        "Medication review: sleep and low mood despite treatment",
        "Assessment of depression severity; advice on antidepressant",
    ],
    "social_work": [
        "Debts and benefit problems adding to stress",
        "Housing problems and isolation",
    ],
    "community": [
        "Company and structure in the week; activation",
        "Peer support with people living with similar symptoms",
    ],
}
QUESTIONS = [
    "Please assess and treat; what do you advise for our plan?",
    "Is a group or individual programme more suitable?",
    "Please let us know the outcome and any advice for the team.",
    "",
]
# The feedback each service sends back (findings, plan, advice), and ours to the GP.
FEEDBACK: dict[str, list[tuple[str, str, str]]] = {
    "physiotherapy": [
        (
            "Deconditioned; fear of movement clearly present. Motivated once the explanation made sense.",
            "Eight sessions of graded activity, twice a week, then a home programme.",
            "Keep encouraging daily walks at a set time, not on how she feels.",
        ),
        (
            "Reduced activity tolerance; good progress over eight sessions; walks 30 minutes again.",
            "Home programme; one review session in six weeks.",
            "",
        ),
    ],
    "psychology": [
        (
            "Worry about illness keeps the symptoms in focus; checking and reassurance-seeking daily.",
            "Twelve sessions of CBT; review after six.",
            "Please avoid further tests unless new signs appear; it keeps the worry going.",
        ),
    ],
    "psychiatry": [
        (
            "Moderate depression; no acute risk. Sleep poor.",
            "Raise the antidepressant; review in six weeks with the GP.",
            "Please check tolerance at four weeks.",
        ),
    ],
    "social_work": [
        (
            "Debts and a benefit stop behind much of the stress.",
            "Monthly check-in with the social worker for three months; debt advice arranged.",
            "",
        ),
    ],
    "community": [
        ("Joined the group; comes every week.", "Continue; no further action from us.", ""),
    ],
    "psychosomatic_care": [
        (
            "Persistent somatic symptoms with moderate impact; no signs of a missed disease. The explanation "
            "of how symptoms are kept going was well received.",
            "Multimodal treatment: psychoeducation, graded activity and CBT elements, 10-12 sessions.",
            "Reassurance alone has not helped; please keep to planned, regular visits rather than visits on "
            "demand, and avoid new tests unless new signs appear.",
        ),
    ],
}
GPS = [
    ("Dr R. Bos, Huisartsen Oost", "Persistent fatigue and widespread pain for a year; no somatic explanation found."),
    ("Dr S. Yilmaz, Gezondheidscentrum West", "Palpitations and dizziness; cardiology normal; avoiding going out."),
    ("Dr K. de Wit, Praktijk Centrum", "Abdominal complaints and worry about illness; many visits."),
    ("Dr M. Janssen, Huisartsen Noord", "Headache and neck pain since a car accident; off work four months."),
]


@dataclass(frozen=True)
class Plan:
    """One outgoing referral's story: how far it got and what happens to its letter."""

    service: str
    sent_days_ago: int
    end: str  # the last state it reaches (as far as the days allow)
    letter: str = ""  # "", "draft" or "sent"


# About twenty outgoing referrals: most on their way or done, a few overdue, declined or withdrawn.
PLANS_OUT = [
    Plan("physiotherapy", 120, State.COMPLETED, "sent"),
    Plan("physiotherapy", 95, State.COMPLETED, "sent"),
    Plan("physiotherapy", 70, State.COMPLETED, "draft"),
    Plan("physiotherapy", 50, State.SCHEDULED),  # still not seen after 7 weeks: overdue
    Plan("physiotherapy", 20, State.ACCEPTED),
    Plan("physiotherapy", 9, State.SENT),
    Plan("psychology", 150, State.COMPLETED, "sent"),
    Plan("psychology", 130, State.COMPLETED),  # completed, no feedback yet: the loop is open
    Plan("psychology", 100, State.SCHEDULED),  # over twelve weeks waiting: overdue
    Plan("psychology", 60, State.ACCEPTED),
    Plan("psychology", 30, State.RECEIVED),
    Plan("psychology", 45, State.WITHDRAWN),  # the patient chose a practice nearer home
    Plan("psychiatry", 80, State.COMPLETED, "sent"),
    Plan("psychiatry", 40, State.FIRST_CONTACT, "draft"),
    Plan("psychiatry", 12, State.SCHEDULED),
    Plan("psychiatry", 35, State.DECLINED),
    Plan("social_work", 75, State.COMPLETED, "sent"),
    Plan("social_work", 25, State.DECLINED),
    Plan("community", 40, State.FIRST_CONTACT),
    Plan("community", 3, State.DRAFT),
    Plan("psychology", 12, State.DRAFT),  # a draft left for almost two weeks: highlighted
]
# GP referrals coming in: (days ago the GP sent it, the state it reached, letter).
PLANS_IN = [
    (70, State.COMPLETED, "sent"),
    (40, State.FIRST_CONTACT, "draft"),
    (20, State.ACCEPTED, ""),
    (4, State.RECEIVED, ""),
]
WHY: dict[str, str] = {
    State.DECLINED: "Not within their remit; they advise the community team instead",
    State.WITHDRAWN: "The patient chose a practice nearer home",
}
PATH: list[str] = [State.SENT, State.RECEIVED, State.ACCEPTED, State.SCHEDULED, State.FIRST_CONTACT, State.COMPLETED]


def seed_referrals(organisation: Organisation, *, staff: dict[str, Any], today: date, seed: str) -> None:
    if Referral.objects.filter(organisation=organisation).exists():
        return
    rng = random.Random(seed)
    resources = _directory(organisation, staff, today)
    patients = list(
        Patient.objects.filter(organisation=organisation, status=PatientStatus.ACTIVE)
        .select_related("organisation")
        .order_by("record_number")
    )
    if not patients:
        return
    chosen = rng.sample(patients, k=min(len(patients), len(PLANS_OUT) + len(PLANS_IN)))
    for index, plan in enumerate(PLANS_OUT):
        _outgoing(chosen[index % len(chosen)], plan, staff, today, rng, resources)
    for index, (days_ago, end, letter) in enumerate(PLANS_IN):
        patient = chosen[(len(PLANS_OUT) + index) % len(chosen)]
        _incoming(patient, GPS[index % len(GPS)], days_ago, end, letter, staff, today, rng)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIME_ZONE))


def _directory(organisation: Organisation, staff: dict[str, Any], today: date) -> list[CommunityResource]:
    with clock.pinned(_at(today - timedelta(days=200), 9)):
        return [
            services.create_resource(organisation_id=organisation.id, details=dict(entry), by=staff["coordinator"])
            for entry in DIRECTORY
        ]


def _step_days(rng: random.Random, service: str, sent: date) -> dict[str, date]:
    """The day each state would be reached, given the service's usual waits."""
    low, high = WAITS[service]
    first_contact = sent + timedelta(days=rng.randint(low, high))
    received = sent + timedelta(days=rng.randint(1, 4))
    accepted = received + timedelta(days=rng.randint(2, 7))
    scheduled = accepted + timedelta(days=rng.randint(1, 5))
    if scheduled >= first_contact:
        scheduled = first_contact - timedelta(days=1)
        accepted = min(accepted, scheduled - timedelta(days=1))
        received = min(received, accepted - timedelta(days=1))
    completed = first_contact + timedelta(days=rng.randint(21, 60))
    return {
        State.SENT: sent,
        State.RECEIVED: received,
        State.ACCEPTED: accepted,
        State.SCHEDULED: scheduled,
        State.FIRST_CONTACT: first_contact,
        State.COMPLETED: completed,
    }


def _outgoing(
    patient: Patient,
    plan: Plan,
    staff: dict[str, Any],
    today: date,
    rng: random.Random,
    resources: list[CommunityResource],
) -> None:
    referrer = staff[rng.choice(["therapist", "gp", "coordinator"])]
    sent = today - timedelta(days=plan.sent_days_ago)
    details: dict[str, Any] = {
        "service": plan.service,
        "reason": rng.choice(REASONS[plan.service]),
        "question": rng.choice(QUESTIONS),
        "urgency": "soon" if plan.service == "psychiatry" and rng.random() < 0.5 else "routine",
    }
    if plan.service == "community":
        details["resource_id"] = str(rng.choice([r for r in resources if r.active]).id)
    else:
        details["counterpart"] = rng.choice(COUNTERPARTS[plan.service])
    with clock.pinned(_at(sent, 9, rng.randint(0, 50))):
        referral = services.create_outgoing(patient, details=details, by=referrer)
    if plan.end == State.DRAFT:
        return
    days = _step_days(rng, plan.service, sent)
    if plan.end == State.WITHDRAWN:
        targets: list[str] = [State.SENT, State.RECEIVED, State.ACCEPTED, State.WITHDRAWN]
        days[State.WITHDRAWN] = days[State.ACCEPTED] + timedelta(days=rng.randint(3, 10))
    elif plan.end == State.DECLINED:
        targets = [State.SENT, State.RECEIVED, State.DECLINED]
        days[State.DECLINED] = days[State.RECEIVED] + timedelta(days=rng.randint(3, 9))
    else:
        targets = PATH[: PATH.index(plan.end) + 1]
    referral = _walk(referral, targets, days, today, staff["coordinator"])
    if plan.letter and referral.state in (State.FIRST_CONTACT, State.COMPLETED, State.DECLINED):
        _letter(referral, plan.letter, days.get(referral.state, today), today, staff["coordinator"], rng)


def _walk(referral: Referral, targets: list[str], days: dict[str, date], today: date, by: Any) -> Referral:
    """Move along `targets` on their days, stopping before any day still to come (the referral waits there)."""
    for hour, target in enumerate(targets, start=10):
        day = days[target]
        if day > today:
            break
        with clock.pinned(_at(day, min(hour, 17))):
            note = WHY.get(target, "")
            referral = services.move(referral, to_state=target, expected_version=referral.version, by=by, note=note)
    return referral


def _letter(referral: Referral, status: str, since: date, today: date, by: Any, rng: random.Random) -> None:
    written = min(today, since + timedelta(days=rng.randint(3, 14)))
    findings, plan, advice = rng.choice(FEEDBACK[referral.service])
    details = {"recipient": referral.counterpart, "findings": findings, "plan": plan, "advice": advice}
    with clock.pinned(_at(written, 15)):
        letter = services.save_letter(referral, details=details, by=by)
        if status == "sent":
            services.send_letter(letter, expected_version=letter.version, by=by)


def _incoming(
    patient: Patient,
    gp: tuple[str, str],
    days_ago: int,
    end: str,
    letter: str,
    staff: dict[str, Any],
    today: date,
    rng: random.Random,
) -> None:
    referred = today - timedelta(days=days_ago)
    received = min(today, referred + timedelta(days=rng.randint(1, 3)))
    name, reason = gp
    details = {
        "counterpart": name,
        "referred_on": referred,
        "reason": reason,
        "question": "Diagnosis and treatment advice, please; can you take over the care for now?",
        "symptoms": reason.split(";")[0],
        "urgency": "routine",
    }
    with clock.pinned(_at(received, 9, 30)):
        referral = services.register_incoming(patient, details=details, by=staff["coordinator"])
    days: dict[str, date] = {State.ACCEPTED: received + timedelta(days=rng.randint(1, 5))}
    days[State.SCHEDULED] = days[State.ACCEPTED] + timedelta(days=rng.randint(1, 3))
    days[State.FIRST_CONTACT] = days[State.SCHEDULED] + timedelta(days=rng.randint(7, 21))
    days[State.COMPLETED] = days[State.FIRST_CONTACT] + timedelta(days=rng.randint(14, 30))
    path: list[str] = [State.ACCEPTED, State.SCHEDULED, State.FIRST_CONTACT, State.COMPLETED]
    targets = path[: path.index(end) + 1] if end in path else []
    referral = _walk(referral, targets, days, today, staff["therapist"])
    if letter and referral.state in (State.FIRST_CONTACT, State.COMPLETED):
        _letter(referral, letter, days[referral.state], today, staff["therapist"], rng)
