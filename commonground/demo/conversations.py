"""The demo clinic's messages: the care team's threads about fifteen patients in care and three whose care has
ended, and the two portal patients' conversations with their team.

Everything is made up, and written through the conversations services with the clock pinned to when it was
said, so the record, the audit trail and the read receipts carry their own times. The times keep the order of a
real conversation: a reply comes after what it answers (minutes to hours later), its writer read what they
answer before writing, and each reader opened the conversation at their own time, after the message. All of it
lies in the days before today (only `patient2`'s newest message is from a few hours ago), so the same seed gives
the same clinic at any hour.

A thread fits its patient: the end of therapy is planned only for patients whose care episode has ended (weeks
before it ended), graded walking only with a physiotherapist on the team, medication only with a prescriber,
and no thread starts before the patient's care did. Most messages have been read by the whole team; the newest
of a few threads have not, so the `coordinator` login opens the demo with unread messages, and so does the
`patient` login (a reminder from the team). `patient2` has just written to the team and awaits a reply.
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
from commonground.conversations import services
from commonground.conversations.models import Message, Thread
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import CareEpisode, Patient

TIME_ZONE = "Europe/Amsterdam"
TEAM_PATIENTS = 15
ENDED_CARE_PATIENTS = 3  # discharged patients whose end of therapy the team planned in a thread
UNREAD_EVERY = 3  # every third patient's newest thread waits unread for the coordinator
PRESCRIBERS = ("gp", "psychiatrist")


@dataclass(frozen=True)
class Line:
    who: str  # a demo username; the first of these on the patient's team says it ("|"-separated)
    text: str


@dataclass(frozen=True)
class TeamThread:
    subject: str
    lines: tuple[Line, ...]
    needs: tuple[str, ...] = ()  # one of these must be on the patient's team
    min_weeks_in_care: int = 2
    ended_care: bool = False  # only for a patient whose care episode has ended


THREADS = [
    TeamThread(
        "Graded walking",
        (
            Line("physio|therapist", "Walking is going well: 20 minutes on most days now, and no big flare since."),
            Line("coordinator|coordinator2", "Good to hear. Shall we raise the goal at the next case review?"),
            Line("physio|therapist|gp", "Yes please. I would suggest 30 minutes twice a week as the next step."),
        ),
        needs=("physio",),
    ),
    TeamThread(
        "Sleep and pain medication",
        (
            Line(
                "gp", "Asked me about a higher dose of the sleep medication. I would rather wait for the sleep diary."
            ),
            Line("psychiatrist|therapist", "Agreed. Low dose is fine for now; let us look at the diary first."),
        ),
        needs=PRESCRIBERS,
    ),
    TeamThread(
        "Missed sessions",
        (
            Line("therapist|psychologist", "Two sessions missed this month. Could someone call to check in?"),
            Line("coordinator|coordinator2", "Called today: childcare problems. Moved to Thursday mornings."),
        ),
        min_weeks_in_care=6,
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
]

END_OF_THERAPY = TeamThread(
    "Planning the end of therapy",
    (
        Line("therapist|gp", "Most goals reached. I propose ending in four weeks, with a relapse plan for the GP."),
        Line("gp|coordinator", "Fine by me. Please send the letter when it is ready."),
    ),
    ended_care=True,
)

# The two portal patients' conversations, oldest first: (days ago, hour, minute, who, text); "patient" is the
# patient. A message of today (days ago 0) is `minute` minutes before the demo is loaded.
PORTAL_TALKS: dict[str, list[tuple[int, int, int, str, str]]] = {
    "patient": [
        (
            12,
            19,
            40,
            "patient",
            "Hello, a question about the breathing exercise: should I do it lying down or sitting?",
        ),
        (
            11,
            10,
            5,
            "therapist|coordinator",
            "Hello! Either is fine. Sitting is often easier at first. We can try it together on Thursday.",
        ),
        (11, 12, 30, "patient", "Thank you, see you on Thursday."),
        (
            1,
            9,
            10,
            "coordinator",
            "Hello, a short reminder: your next questionnaire is ready in the portal. Take your "
            "time; there are no right or wrong answers.",
        ),
    ],
    "patient2": [
        (6, 11, 0, "coordinator", "Hello, your appointment with the physiotherapist is on Tuesday at 14:00."),
        (5, 20, 15, "patient", "Thanks. Is it all right if my partner comes along?"),
        (4, 9, 5, "coordinator", "Of course, you are both welcome."),
        (
            0,
            0,
            180,
            "patient",
            "My back was worse after the walk yesterday. Should I still do the whole walk today, or less?",
        ),
    ],
}


@dataclass(frozen=True)
class Care:
    """What the demo knows of a patient when it picks their threads."""

    patient: Patient
    members: dict[str, User]
    started_on: date
    ended_on: date | None


def seed_conversations(organisation: Organisation, *, staff: dict[str, User], today: date, seed: str) -> int:
    """Write the demo's messages once (a second call finds them and writes nothing); returns how many threads."""
    if Thread.objects.filter(organisation=organisation).exists():
        return 0
    rng = random.Random(seed)
    latest = clock.now() - timedelta(minutes=1)  # nothing is said or read after the demo is loaded
    in_care, ended = _patients(organisation)
    written = 0
    for number, care in enumerate(in_care[:TEAM_PATIENTS]):
        fitting = [template for template in THREADS if _fits(template, care, today)]
        chosen = rng.sample(fitting, k=min(len(fitting), 1 if number % 2 else 2))
        leave_unread = number % UNREAD_EVERY == 0
        if leave_unread:  # the thread left unread is one the coordinator did not answer last
            chosen.sort(key=lambda template: _coordinator_speaks_last(template, care, staff))
        for index, template in enumerate(chosen):
            unread_here = leave_unread and index == 0
            day = today - timedelta(days=rng.randint(1, 2) if unread_here else rng.randint(2, 20))
            day = max(day, care.started_on + timedelta(days=7 * template.min_weeks_in_care))
            _team_thread(care, template, staff, day, rng, latest, leave_unread=unread_here)
            written += 1
    for care in ended[:ENDED_CARE_PATIENTS]:
        assert care.ended_on is not None
        day = max(care.ended_on - timedelta(days=28), care.started_on + timedelta(days=7))
        _team_thread(care, END_OF_THERAPY, staff, day, rng, latest, leave_unread=False)
        written += 1
    for care in in_care:
        user = care.patient.user
        if user is not None and user.username in PORTAL_TALKS:
            _portal_talk(care, PORTAL_TALKS[user.username], staff, today, rng, latest)
            written += 1
    return written


def _patients(organisation: Organisation) -> tuple[list[Care], list[Care]]:
    """Patients in care, in record-number order with the portal patients first (they are the demo's logins),
    and discharged patients whose last care episode has ended."""
    found = list(
        Patient.objects.filter(organisation=organisation, status__in=[PatientStatus.ACTIVE, PatientStatus.DISCHARGED])
        .select_related("user")
        .order_by("record_number")
    )
    episodes: dict[Any, CareEpisode] = {}
    for episode in CareEpisode.objects.current().filter(patient__in=found).order_by("started_on"):
        episodes[episode.patient_id] = episode  # the latest
    in_care: list[Care] = []
    ended: list[Care] = []
    for patient in found:
        episode = episodes.get(patient.id)
        if episode is None:
            continue
        members = {member.staff.username: member.staff for member in team_selectors.current_members(patient.id)}
        care = Care(patient, members, episode.started_on, episode.ended_on)
        if patient.status == PatientStatus.ACTIVE and episode.ended_on is None:
            in_care.append(care)
        elif patient.status == PatientStatus.DISCHARGED and episode.ended_on is not None:
            ended.append(care)
    return sorted(in_care, key=lambda care: care.patient.user_id is None), ended


def _fits(template: TeamThread, care: Care, today: date) -> bool:
    if template.ended_care != (care.ended_on is not None):
        return False
    if template.needs and not any(name in care.members for name in template.needs):
        return False
    return (today - care.started_on).days >= 7 * template.min_weeks_in_care + 2


def _speakers(lines: tuple[Line, ...], members: dict[str, User], staff: dict[str, User]) -> list[User]:
    """Who says each line: the first named person on the patient's team who did not say the line before, else
    someone else on the team, else the first named person."""
    said: list[User] = []
    for line in lines:
        names = line.who.split("|")
        previous = said[-1] if said else None
        on_team = [members[name] for name in names if name in members]
        candidates = [person for person in on_team if person != previous] or [
            person for person in members.values() if person != previous
        ]
        said.append(candidates[0] if candidates else staff[names[0]])
    return said


def _coordinator_speaks_last(template: TeamThread, care: Care, staff: dict[str, User]) -> bool:
    return _speakers(template.lines, care.members, staff)[-1].username.startswith("coordinator")


def _team_thread(
    care: Care,
    template: TeamThread,
    staff: dict[str, User],
    day: date,
    rng: random.Random,
    latest: datetime,
    *,
    leave_unread: bool,
) -> None:
    speakers = _speakers(template.lines, care.members, staff)
    times = _times(_at(day, rng.randint(8, 12), rng.randint(0, 59)), len(template.lines), rng, latest)
    with clock.pinned(times[0]):
        thread = services.start_team_thread(
            care.patient,
            subject=template.subject,
            text=template.lines[0].text,
            by=speakers[0],
            submission_id=uuid.uuid4(),
        )
    for line, speaker, moment in zip(template.lines[1:], speakers[1:], times[1:], strict=True):
        with clock.pinned(moment):
            services.reply_in_team_thread(thread, text=line.text, by=speaker, submission_id=uuid.uuid4())
    written = list(Message.objects.filter(thread=thread).order_by("sent_at"))
    unread_for = {"coordinator", "coordinator2"} if leave_unread else set()
    _read(written, list(care.members.values()), rng, latest, unread_for=unread_for)


def _times(first: datetime, count: int, rng: random.Random, latest: datetime) -> list[datetime]:
    """When each message of a thread is sent: each 25 minutes to 2.5 hours after the one before (so a reply
    always follows what it answers), all of it moved earlier if it would reach past `latest`."""
    times = [first]
    for _ in range(count - 1):
        times.append(times[-1] + timedelta(minutes=rng.randint(25, 150), seconds=rng.randint(0, 59)))
    overshoot = times[-1] - latest
    return [moment - overshoot for moment in times] if overshoot > timedelta(0) else times


def _read(
    written: list[Message], readers: list[Any], rng: random.Random, latest: datetime, *, unread_for: set[str]
) -> None:
    """Receipts as people really read: each reader opens the conversation at their own moments, and an opening
    marks everything sent before it read. Someone who writes next opened it between the message they answer and
    their answer; the others some minutes to hours after each message, each at a different time. Openings after
    `latest` have not happened yet. The newest message stays unread for the usernames in `unread_for`."""
    openings: dict[Any, list[datetime]] = {reader.id: [] for reader in readers}
    for index, message in enumerate(written):
        after = written[index + 1] if index + 1 < len(written) else None
        others = [reader for reader in readers if reader.id != message.author_id]
        delays = rng.sample(range(4, 240), k=len(others))
        for reader, delay in zip(others, delays, strict=True):
            if after is not None and reader.id == after.author_id:
                gap = int((after.sent_at - message.sent_at).total_seconds())
                upper = max(min(gap - 60, 4 * 3600), gap // 2)  # within four hours, before the answer
                moment = message.sent_at + timedelta(seconds=rng.randint(min(60, gap // 2), upper))
            else:
                moment = message.sent_at + timedelta(minutes=delay, seconds=rng.randint(0, 59))
            openings[reader.id].append(moment)
    newest = written[-1]
    for reader in readers:
        moments = sorted(openings[reader.id])
        if getattr(reader, "username", "") in unread_for and newest.author_id != reader.id:
            moments = [moment for moment in moments if moment < newest.sent_at]
        done: set[Any] = set()
        for moment in moments:
            if moment > latest:
                break
            shown = [m for m in written if m.sent_at < moment and m.id not in done and m.author_id != reader.id]
            if shown:
                with clock.pinned(moment):
                    services.mark_read(shown, reader)
                done.update(m.id for m in shown)


def _portal_talk(
    care: Care,
    talk: list[tuple[int, int, int, str, str]],
    staff: dict[str, User],
    today: date,
    rng: random.Random,
    latest: datetime,
) -> None:
    """The patient's conversation, in the order it was said; everything is read except the newest message, which
    waits for its reader."""
    patient = care.patient
    user: Any = patient.user
    written: list[Message] = []
    for days_ago, hour, minute, who, text in talk:
        moment = (
            latest - timedelta(minutes=minute) if days_ago == 0 else _at(today - timedelta(days=days_ago), hour, minute)
        )
        if written and moment <= written[-1].sent_at:
            raise ValueError(f"the demo conversation of {user.username} is out of order")
        with clock.pinned(moment):
            if who == "patient":
                message = services.write_to_team(patient, text=text, by=user, submission_id=uuid.uuid4())
            else:
                speaker = _speakers((Line(who, text),), care.members, staff)[0]
                message = services.write_to_patient(patient, text=text, by=speaker, submission_id=uuid.uuid4())
        written.append(message)
    readers = [user, *care.members.values()]
    _read(written, readers, rng, min(latest, written[-1].sent_at), unread_for=set())


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(TIME_ZONE))
