"""The demo clinic's group programmes: the standard programme (eight weekly sessions of 90 minutes), and two
runs of it, both facilitated by Ines Moreau (the `facilitator` login).

- The morning group finished about three months ago: eight sessions held with their attendance, one member
  who left after the third session, session notes, and the members' questionnaires before and after (the
  PHQ-15 and WSAS they returned in their own care), so its outcomes show reliable-change counts and, where
  the member's goals were reviewed, goal attainment at the end.
- The afternoon group is running: three sessions held, the fourth today. Milan Koster (the `patient` login)
  and Joost Mulder (`patient2`) chose each other as partners and check in every week; two other members were
  paired by the facilitator. Joost shared a small win on the board and his action plan with the group; Milan
  made an action plan towards his own goal and shows it to his partner only. Noticing the circle of symptoms
  and worry was given as home practice to the whole group at the second session (it is in each member's diary
  and on their Today page). The group is full: one patient waits.

Synthetic and deterministic: members are chosen in record-number order by what their history holds, and
everything goes through the groups services with the clock pinned to the day it happened. Called once by
`seed.load_demo_clinic`; a second call finds the programme and writes nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import Organisation, User
from commonground.goals import selectors as goal_selectors
from commonground.groups import services
from commonground.groups.choices import Attendance, CheckInFeeling, EnrolmentSource, PartnerShare, PostKind
from commonground.groups.models import Cohort, Enrolment, GroupSession, Programme
from commonground.kit import clock
from commonground.measures.models import Response
from commonground.patients.choices import PatientStatus
from commonground.patients.models import Patient

TIME_ZONE = "Europe/Amsterdam"
# Days before today of the finished group's first session (its eighth was 7 x 7 = 49 days later, ~12 weeks ago).
FINISHED_STARTED = 133
# Days before today of the running group's first session: sessions 1-3 held, the fourth is today.
RUNNING_STARTED = 21
FINISHED_MEMBERS = 8
RUNNING_MEMBERS = 6
# Record numbers the README names for the registry's stories: they keep their own story.
KEPT_OUT = {f"CG-{n:06d}" for n in (5, 13, 14, 18, 19, 20, 21, 22, 28, 29, 34, 44, 62)}
PORTAL = ("patient", "patient2")

SESSION_NOTES = [
    "A warm start. Everyone said what brought them; belly breathing practised twice, most found it easier the "
    "second time.",
    "We drew the circle of symptoms, worry and avoiding on the board; several recognised the pattern at once.",
    "Pacing: the group compared boom-and-bust weeks. Baselines set for one activity each.",
]
SMALL_WIN = "I walked to the bakery and back on Saturday, with one rest on the bench. Last month I took the car."
ANNOUNCEMENT = (
    "Welcome to the group! Sessions are on the first floor, group room 2. Tea from a quarter of an hour before. "
    "If you cannot come, a message through the portal is enough."
)


def seed_groups(organisation: Organisation, *, staff: dict[str, User], today: date, seed: str) -> None:
    if Programme.objects.filter(organisation=organisation).exists():
        return  # loaded already
    rng = random.Random(seed)
    facilitator = staff["facilitator"]
    with clock.pinned(_at(today - timedelta(days=FINISHED_STARTED + 60))):
        programme = services.create_programme_from_template(organisation, by=facilitator)
    finished_members = _finished_members(organisation, today)
    _finished_group(programme, finished_members, facilitator=facilitator, today=today, rng=rng)
    running_members = _running_members(organisation, exclude={p.id for p in finished_members})
    _running_group(programme, running_members, facilitator=facilitator, today=today, rng=rng)


# --- who takes part ---------------------------------------------------------------------------------------


def _candidates(organisation: Organisation) -> list[Patient]:
    found = Patient.objects.filter(organisation=organisation, status=PatientStatus.ACTIVE).exclude(
        record_number__in=KEPT_OUT
    )
    return [p for p in found.select_related("user").order_by("record_number") if p.user_id is None]


def _finished_members(organisation: Organisation, today: date) -> list[Patient]:
    """Patients in care then, with a PHQ-15 and a WSAS before and after the group (the outcomes' windows)."""
    first = _at(today - timedelta(days=FINISHED_STARTED), 10)
    last = first + timedelta(days=49)
    chosen: list[Patient] = []
    for patient in _candidates(organisation):
        if _has_responses(patient, first - timedelta(days=27), first + timedelta(days=6)) and _has_responses(
            patient, last - timedelta(days=6), last + timedelta(days=27)
        ):
            chosen.append(patient)
        if len(chosen) == FINISHED_MEMBERS:
            break
    return chosen


def _has_responses(patient: Patient, start: datetime, end: datetime) -> bool:
    found = Response.objects.filter(
        patient=patient, status="completed", completed_at__gte=start, completed_at__lte=end
    ).values_list("instrument", flat=True)
    return {"phq15", "wsas"} <= set(found)


def _running_members(organisation: Organisation, *, exclude: set[Any]) -> list[Patient]:
    """Milan (`patient`) and Joost (`patient2`), and the next patients in care who are in no group yet."""
    portal = [
        Patient.objects.get(organisation=organisation, user__username=username, user__organisation=organisation)
        for username in PORTAL
    ]
    others = [p for p in _candidates(organisation) if p.id not in exclude and goal_selectors.goals_of(p).exists()]
    return portal + others[: RUNNING_MEMBERS - len(portal) + 1]  # one more than the places: the waiting list


# --- the finished group -----------------------------------------------------------------------------------


def _finished_group(
    programme: Programme, members: list[Patient], *, facilitator: User, today: date, rng: random.Random
) -> Cohort:
    starts_on = today - timedelta(days=FINISHED_STARTED)
    with clock.pinned(_at(starts_on - timedelta(days=35))):
        cohort = services.create_cohort(
            programme,
            details={
                "name": "Tuesday morning group" if starts_on.weekday() == 1 else f"{starts_on:%A} morning group",
                "capacity": 8,
                "starts_on": starts_on,
                "session_time": time(10, 0),
                "place": "Riverside Integrated Care, group room 2 (first floor)",
            },
            facilitators=[facilitator],
            by=facilitator,
        )
    enrolments = _enrol_all(cohort, members, facilitator=facilitator, on=starts_on - timedelta(days=28), rng=rng)
    with clock.pinned(_at(starts_on - timedelta(days=1))):
        cohort = services.start_cohort(cohort, by=facilitator)
    leaver = enrolments[-1] if len(enrolments) > 3 else None
    for session in _sessions(cohort):
        day = clock.local_date(session.starts_at, TIME_ZONE)
        present = [e for e in enrolments if not (leaver is not None and e == leaver and session.number > 3)]
        with clock.pinned(session.starts_at + timedelta(minutes=session.minutes + 30)):
            services.record_attendance(session, marks=_marks(present, rng), by=facilitator)
            if session.number <= len(SESSION_NOTES):
                services.write_session_note(
                    session, note=SESSION_NOTES[session.number - 1], skills_practised=session.skill, by=facilitator
                )
        if leaver is not None and session.number == 3:
            with clock.pinned(_at(day + timedelta(days=4))):
                services.withdraw(leaver, reason="Could not combine the sessions with a new job", by=facilitator)
    with clock.pinned(_at(starts_on + timedelta(days=50))):
        cohort.refresh_from_db()
        return services.finish_cohort(cohort, by=facilitator)


def _marks(enrolments: list[Enrolment], rng: random.Random) -> dict[Any, str]:
    """Most come; now and then someone lets the group know they cannot; rarely someone just does not come."""
    marks: dict[Any, str] = {}
    for enrolment in enrolments:
        draw = rng.random()
        marks[enrolment.id] = (
            Attendance.PRESENT if draw < 0.84 else (Attendance.ABSENT_WITH_NOTICE if draw < 0.95 else Attendance.ABSENT)
        )
    return marks


# --- the running group ------------------------------------------------------------------------------------


def _running_group(
    programme: Programme, members: list[Patient], *, facilitator: User, today: date, rng: random.Random
) -> Cohort:
    starts_on = today - timedelta(days=RUNNING_STARTED)
    with clock.pinned(_at(starts_on - timedelta(days=30))):
        cohort = services.create_cohort(
            programme,
            details={
                "name": f"{starts_on:%A} afternoon group",
                "capacity": RUNNING_MEMBERS,
                "starts_on": starts_on,
                "session_time": time(14, 0),
                "place": "Riverside Integrated Care, group room 2 (first floor)",
                "online_link": "https://meet.example.org/riverside-afternoon-group",
            },
            facilitators=[facilitator],
            by=facilitator,
        )
    enrolments = _enrol_all(cohort, members, facilitator=facilitator, on=starts_on - timedelta(days=21), rng=rng)
    enrolled = [e for e in enrolments if e.status == "enrolled"]
    with clock.pinned(_at(starts_on - timedelta(days=2))):
        cohort = services.start_cohort(cohort, by=facilitator)
        services.post_to_board(cohort, kind=PostKind.ANNOUNCEMENT, text=ANNOUNCEMENT, by=facilitator)
    sessions = _sessions(cohort)
    for session in sessions[:3]:
        with clock.pinned(session.starts_at + timedelta(minutes=session.minutes + 30)):
            services.record_attendance(session, marks=_marks(enrolled, rng), by=facilitator)
            services.write_session_note(
                session, note=SESSION_NOTES[session.number - 1], skills_practised=session.skill, by=facilitator
            )
            if session.number == 1:
                services.post_to_board(
                    cohort,
                    kind=PostKind.MATERIAL,
                    text="The belly breathing exercise from today, to practise at home.",
                    library_item="diaphragmatic-breathing",
                    by=facilitator,
                )
            if session.number == 2:
                services.assign_session_practice(
                    session,
                    details={
                        "library_item": "the-vicious-circle",
                        "instructions": "Notice one moment this week when the circle turned, and write it down "
                        "in your diary: what happened, what you felt in your body, what you did next.",
                        "how_often": "Once or twice this week",
                        "ends_on": today + timedelta(days=7),
                    },
                    by=facilitator,
                )
    milan, joost, third, fourth = enrolled[:4]
    _partners(cohort, milan, joost, third, fourth, facilitator=facilitator, sessions=sessions)
    _plans(milan, joost, sessions=sessions)
    with clock.pinned(sessions[2].starts_at + timedelta(days=2)):
        services.post_small_win(joost, text=SMALL_WIN)
    return cohort


def _partners(
    cohort: Cohort,
    milan: Enrolment,
    joost: Enrolment,
    third: Enrolment,
    fourth: Enrolment,
    *,
    facilitator: User,
    sessions: list[GroupSession],
) -> None:
    """Milan and Joost chose each other after the first session; the facilitator paired two others."""
    after_first = sessions[0].starts_at + timedelta(hours=3)
    with clock.pinned(after_first):
        asked = services.ask_to_pair(milan, joost)
    with clock.pinned(after_first + timedelta(hours=20)):
        pair = services.agree_to_pairing(asked, joost)
        pair = services.set_partner_shares(pair, milan, [PartnerShare.ACTION_PLAN])
        pair = services.set_partner_shares(pair, joost, [PartnerShare.ACTION_PLAN, PartnerShare.LADDER_PROGRESS])
    with clock.pinned(after_first + timedelta(hours=1)):
        suggested = services.propose_pairing(cohort, third, fourth, by=facilitator)
    with clock.pinned(after_first + timedelta(days=1)):
        services.agree_to_pairing(suggested, third)
        other = services.agree_to_pairing(suggested, fourth)
    for week, session in enumerate(sessions[:3]):
        between = session.starts_at + timedelta(days=4)
        with clock.pinned(between):
            services.check_in(pair, milan, **MILAN_CHECK_INS[week])
        with clock.pinned(between + timedelta(hours=5)):
            services.check_in(pair, joost, **JOOST_CHECK_INS[week])
        if week < 2:
            with clock.pinned(between + timedelta(days=1)):
                services.check_in(
                    other,
                    third,
                    feeling=CheckInFeeling.MIXED,
                    message="Managed the walks, skipped the breathing.",
                    shared_with_facilitators=week == 1,
                )


MILAN_CHECK_INS: list[dict[str, Any]] = [
    {"feeling": CheckInFeeling.MIXED, "message": "Breathing went well in the mornings, forgot it after work."},
    {"feeling": CheckInFeeling.HARD, "message": "Dizzy most of Tuesday. Still did the short walk."},
    {"feeling": CheckInFeeling.WELL, "message": "Kept to my pacing plan all week!"},
]
JOOST_CHECK_INS: list[dict[str, Any]] = [
    {"feeling": CheckInFeeling.WELL, "message": "Good week. How was yours?"},
    {"feeling": CheckInFeeling.MIXED, "message": "Sorry to hear about Tuesday. Well done on the walk."},
    {"feeling": CheckInFeeling.WELL, "message": "Bakery walk done, see the board :)"},
]


def _plans(milan: Enrolment, joost: Enrolment, *, sessions: list[GroupSession]) -> None:
    """Milan's steps work towards his own goal (and its next ladder step); Joost shares his plan with the group."""
    with clock.pinned(sessions[0].starts_at + timedelta(days=1)):
        goal = goal_selectors.goals_of(milan.patient, include_ended=False).order_by("created_at").first()
        rung = _next_rung(goal) if goal is not None else None
        services.add_action_step(
            milan,
            text="Belly breathing for five minutes after lunch",
            when="Every weekday",
            goal_id=goal.id if goal is not None else None,
        )
        first = services.add_action_step(
            milan,
            text="A ten-minute walk round the block before dinner",
            when="Monday, Wednesday, Friday",
            goal_id=goal.id if goal is not None else None,
            milestone_id=rung.id if rung is not None else None,
        )
        services.add_action_step(milan, text="Stop and rest before the dizziness builds up", when="When I notice it")
    with clock.pinned(sessions[1].starts_at + timedelta(days=3)):
        services.mark_step_done(first)
    with clock.pinned(sessions[0].starts_at + timedelta(days=1, hours=2)):
        services.add_action_step(joost, text="Walk to the bakery on Saturday", when="Saturday morning")
        services.add_action_step(joost, text="Write down one moment the circle turned", when="Once this week")
        services.share_plan_with_group(joost, shared=True)


def _next_rung(goal: Any) -> Any:
    return goal_selectors.ladder(goal).next_rung


# --- shared -----------------------------------------------------------------------------------------------


def _enrol_all(
    cohort: Cohort, patients: list[Patient], *, facilitator: User, on: date, rng: random.Random
) -> list[Enrolment]:
    """Each from their care plan, with their consent; first names shown, except one who chose initials. Once the
    group is full, the next waits."""
    enrolments = []
    for index, patient in enumerate(patients):
        with clock.pinned(_at(on + timedelta(days=index % 5), 11)):
            enrolments.append(
                services.enrol(
                    cohort,
                    patient,
                    source=EnrolmentSource.CARE_PLAN,
                    consent_given=True,
                    by=facilitator,
                    shown_name="initials" if index == 4 else "first_name",
                    wants_partner=index < 2 or rng.random() < 0.4,
                    waiting_list_if_full=True,
                )
            )
    return enrolments


def _sessions(cohort: Cohort) -> list[GroupSession]:
    return list(GroupSession.objects.current().filter(cohort=cohort).select_related("cohort").order_by("number"))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), ZoneInfo(TIME_ZONE))
