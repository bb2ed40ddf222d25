"""The demo clinic's messages: the care team's threads about fifteen patients, and the two portal patients'
conversations with their team.

Everything is made up, and written through the conversations services with the clock pinned to when it was
said, so the record, the audit trail and the read receipts carry their own times. Most messages have been read
by the whole team; the newest of a few threads have not, so the `coordinator` login opens the demo with unread
messages, and so does the `patient` login (a reminder from the team). `patient2` has just written to the team.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import Organisation, User
from commonground.careteam import selectors as team_selectors
from commonground.conversations import selectors, services
from commonground.conversations.models import Message, Thread
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import Patient

TIME_ZONE = "Europe/Amsterdam"
TEAM_PATIENTS = 15
UNREAD_EVERY = 3  # every third patient's newest thread waits unread for the coordinator


@dataclass(frozen=True)
class Line:
    who: str  # a demo username; the first of these on the patient's team says it ("|"-separated)
    text: str


@dataclass(frozen=True)
class TeamThread:
    subject: str
    lines: tuple[Line, ...]


THREADS = [
    TeamThread(
        "Graded walking",
        (
            Line("physio|therapist", "Walking is going well: 20 minutes on most days now, and no big flare since."),
            Line("coordinator|coordinator2", "Good to hear. Shall we raise the goal at the next case review?"),
            Line("physio|therapist|gp", "Yes please. I would suggest 30 minutes twice a week as the next step."),
        ),
    ),
    TeamThread(
        "Sleep and pain medication",
        (
            Line(
                "gp", "Asked me about a higher dose of the sleep medication. I would rather wait for the sleep diary."
            ),
            Line("psychiatrist|therapist", "Agreed. Low dose is fine for now; let us look at the diary first."),
        ),
    ),
    TeamThread(
        "Missed sessions",
        (
            Line("therapist|psychologist", "Two sessions missed this month. Could someone call to check in?"),
            Line("coordinator|coordinator2", "Called today: childcare problems. Moved to Thursday mornings."),
        ),
    ),
    TeamThread(
        "Return to work",
        (
            Line("socialworker|coordinator", "The occupational physician asked for an update. Do we have consent?"),
            Line("coordinator|coordinator2", "Consent covers the GP only. I will ask at the next session."),
            Line("therapist|gp", "I can bring it up on Tuesday, together with the work goal."),
        ),
    ),
    TeamThread(
        "Flare after a busy week",
        (
            Line("therapist|physio", "Symptoms flared after a busy week. We agreed to go back one step on the ladder."),
            Line("psychologist|coordinator", "Makes sense. I will give pacing extra time in the group."),
        ),
    ),
    TeamThread(
        "Planning the end of therapy",
        (
            Line("therapist|gp", "Most goals reached. I propose ending in four weeks, with a relapse plan for the GP."),
            Line("gp|coordinator", "Fine by me. Please send the letter when it is ready."),
        ),
    ),
]

# The two portal patients' conversations: (days ago, hour, who, text); "patient" is the patient.
PORTAL_TALKS: dict[str, list[tuple[int, int, str, str]]] = {
    "patient": [
        (12, 19, "patient", "Hello, a question about the breathing exercise: should I do it lying down or sitting?"),
        (
            11,
            10,
            "therapist|coordinator",
            "Hello! Either is fine. Sitting is often easier at first. We can try it together on Thursday.",
        ),
        (11, 12, "patient", "Thank you, see you on Thursday."),
        (
            1,
            9,
            "coordinator",
            "Hello, a short reminder: your next questionnaire is ready in the portal. Take your "
            "time; there are no right or wrong answers.",
        ),
    ],
    "patient2": [
        (6, 11, "coordinator", "Hello, your appointment with the physiotherapist is on Tuesday at 14:00."),
        (5, 20, "patient", "Thanks. Is it all right if my partner comes along?"),
        (5, 9, "coordinator", "Of course, you are both welcome."),
        (
            0,
            -3,
            "patient",
            "My back was worse after the walk yesterday. Should I still do the whole walk today, or less?",
        ),
    ],
}


def seed_conversations(organisation: Organisation, *, staff: dict[str, User], today: date, seed: str) -> int:
    """Write the demo's messages once (a second call finds them and writes nothing); returns how many threads."""
    if Thread.objects.filter(organisation=organisation).exists():
        return 0
    rng = random.Random(seed)
    patients = _patients(organisation)
    written = 0
    for number, patient in enumerate(patients[:TEAM_PATIENTS]):
        members = {member.staff.username: member.staff for member in team_selectors.current_members(patient.id)}
        chosen = rng.sample(THREADS, k=1 if number % 2 else 2)
        for index, template in enumerate(chosen):
            leave_unread = number % UNREAD_EVERY == 0 and index == 0
            started = today - timedelta(days=rng.randint(2, 20) if not leave_unread else rng.randint(0, 2))
            _team_thread(patient, template, members, staff, started, leave_unread=leave_unread)
            written += 1
    for patient in patients:
        if patient.user is not None and patient.user.username in PORTAL_TALKS:
            _portal_talk(patient, PORTAL_TALKS[patient.user.username], staff, today)
            written += 1
    return written


def _patients(organisation: Organisation) -> list[Patient]:
    """Active patients in record-number order, the portal patients first (they are the demo's logins)."""
    found = list(
        Patient.objects.filter(organisation=organisation, status=PatientStatus.ACTIVE)
        .select_related("user")
        .order_by("record_number")
    )
    return sorted(found, key=lambda patient: patient.user_id is None)


def _speaker(who: str, members: dict[str, User], staff: dict[str, User]) -> User:
    """The first named person on the patient's team, else someone on the team."""
    names = who.split("|")
    for name in names:
        if name in members:
            return members[name]
    return next(iter(members.values()), staff[names[0]])


def _team_thread(
    patient: Patient,
    template: TeamThread,
    members: dict[str, User],
    staff: dict[str, User],
    started: date,
    *,
    leave_unread: bool,
) -> None:
    readers = list(members.values())
    lines = template.lines
    first, rest = lines[0], lines[1:]
    moment = _not_after_now(_at(started, 9 + len(template.subject) % 5))
    with clock.pinned(moment):
        thread = services.start_team_thread(
            patient,
            subject=template.subject,
            text=first.text,
            by=_speaker(first.who, members, staff),
            submission_id=uuid.uuid4(),
        )
    for line in rest:
        moment += timedelta(hours=3)
        with clock.pinned(_not_after_now(moment)):
            services.reply_in_team_thread(
                thread, text=line.text, by=_speaker(line.who, members, staff), submission_id=uuid.uuid4()
            )
    shown = selectors.messages_of(thread)
    with clock.pinned(_not_after_now(moment + timedelta(hours=1))):
        for reader in readers:
            waiting = _newest_by_others(shown, reader) if leave_unread and reader.username.startswith("coord") else []
            services.mark_read([m for m in shown if m not in waiting], reader)


def _newest_by_others(shown: list[Message], reader: User) -> list[Message]:
    """The newest message someone else wrote: left unread for the coordinators to find."""
    return (
        [next(m for m in reversed(shown) if m.author_id != reader.id)]
        if any(m.author_id != reader.id for m in shown)
        else []
    )


def _portal_talk(patient: Patient, talk: list[tuple[int, int, str, str]], staff: dict[str, User], today: date) -> None:
    """The patient's conversation; everything is read except the newest message, left for its reader."""
    members = {member.staff.username: member.staff for member in team_selectors.current_members(patient.id)}
    user: Any = patient.user
    written: list[Message] = []
    for days_ago, hour, who, text in talk:
        moment = (
            clock.now() + timedelta(hours=hour)
            if days_ago == 0 and hour < 0
            else _at(today - timedelta(days=days_ago), hour)
        )
        with clock.pinned(_not_after_now(moment)):
            if who == "patient":
                message = services.write_to_team(patient, text=text, by=user, submission_id=uuid.uuid4())
            else:
                message = services.write_to_patient(
                    patient, text=text, by=_speaker(who, members, staff), submission_id=uuid.uuid4()
                )
        written.append(message)
    readers = [user, *members.values()]
    for message in written[:-1]:
        with clock.pinned(_not_after_now(message.sent_at + timedelta(hours=2))):
            for reader in readers:
                services.mark_read([message], reader)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), ZoneInfo(TIME_ZONE))


def _not_after_now(moment: datetime) -> datetime:
    latest = clock.now() - timedelta(minutes=5)
    return min(moment, latest)
