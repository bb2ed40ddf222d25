"""The demo clinic's co-created care: values, goals with their milestone ladders and goal attainment reviews,
care plans with their elements, the sessions held against them with their notes, and home practice.

Everything is made up. It goes through the domains' services with the clock pinned to the day each thing
happened, so ladders, reviews, notes and sessions carry their own dates and history rows, and every note is
checked for wording like a real one (a few demo notes use wording the check advises on, so the Notes tab has
something to show).

The course of care follows the patient's questionnaire story (`demo.measures`): improving patients climb
their ladders and reach their expected goal level; partial ones climb more slowly; stuck ones take a step back
along the way; the one whose symptoms flared steps back at the latest review. Patients in care for less than
two weeks have their values recorded and no goals yet; a patient whose care episode ended has ended therapy on
that day, so their end-of-therapy questionnaires are scheduled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import User
from commonground.careplans import selectors as careplan_selectors
from commonground.careplans import services as careplan_services
from commonground.careplans.choices import ElementKind, ElementStatus
from commonground.careteam import selectors as team_selectors
from commonground.demo.measures import DETERIORATING, IMPROVING, PARTIAL
from commonground.goals import selectors as goal_selectors
from commonground.goals import services as goal_services
from commonground.goals.choices import LifeArea, ProposedBy, RungState
from commonground.kit import clock
from commonground.patients.models import CareEpisode, Patient

TIME_ZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class GoalTemplate:
    life_area: str
    value_words: str
    title: str
    indicator: str
    levels: tuple[str, str, str, str, str]  # -2, -1, 0, +1, +2 in the patient's words
    rungs: tuple[str, ...]
    barriers: str
    enablers: str
    triggers: str
    accelerants: str
    contingency: str  # what the patient will do: the form says "When symptoms flare, I will …"


GOALS = [
    GoalTemplate(
        LifeArea.LEISURE,
        "Walking in the dunes, like I used to every Sunday. Outside I feel like myself.",
        "Walk for 30 minutes in the park twice a week",
        "Walks of 30 minutes or more each week",
        (
            "No walks, or only to the car",
            "One short walk of 10 minutes a week",
            "Two walks of 30 minutes a week",
            "Three walks of 30 minutes a week",
            "A one-hour walk in the dunes with my sister",
        ),
        (
            "Walk to the end of the street and back on three days this week",
            "Walk 10 minutes to the bakery, twice this week",
            "Walk 20 minutes in the park, with a rest on the bench halfway",
            "Walk 30 minutes in the park, twice a week",
        ),
        "Bad days with dizziness; rain; worrying that walking makes the pain worse.",
        "My neighbour likes to walk; good shoes; the bench halfway round the park.",
        "Long days at the computer; poor sleep.",
        "Walking in the morning, when I have the most energy.",
        "walk to the end of the street and back instead, and rest after.",
    ),
    GoalTemplate(
        LifeArea.WORK,
        "Going back to my job at the library, even part-time. I miss my colleagues and the routine.",
        "Work three mornings a week at the library",
        "Mornings worked each week",
        (
            "Not in contact with work",
            "In contact with my manager, not working yet",
            "Working three mornings of three hours",
            "Working four mornings of three hours",
            "Back at my full contract hours",
        ),
        (
            "Talk with my manager about a plan for coming back",
            "Visit work for an hour, for coffee with colleagues",
            "Work two mornings of two hours",
            "Work three mornings of three hours",
        ),
        "Fear of letting colleagues down; the bus journey.",
        "An understanding manager; the occupational physician's plan.",
        "Busy, noisy rooms; skipping breaks.",
        "Planning a rest straight after work.",
        "tell my manager early and work two hours instead of three.",
    ),
    GoalTemplate(
        LifeArea.FRIENDS,
        "Seeing my friends without having to cancel at the last minute.",
        "Meet a friend for coffee every week without cancelling",
        "Meetings with friends each month that went ahead",
        (
            "No contact with friends",
            "Messages only, no meetings",
            "Coffee with a friend once a week",
            "Coffee once a week and a longer outing once a month",
            "A weekend away with my friends",
        ),
        (
            "Send one friend a message to say how I am",
            "Meet a friend for 30 minutes at my home",
            "Meet a friend for coffee in town, with a rest planned afterwards",
            "Meet a friend every week for a month",
        ),
        "Feeling guilty when I have to cancel; evenings are hard.",
        "Friends who know about my symptoms; meeting close to home.",
        "Crowded cafés; a busy day before.",
        "Meeting in the afternoon; short first meetings.",
        "suggest a short phone call instead of cancelling.",
    ),
    GoalTemplate(
        LifeArea.FAMILY,
        "Being there for my children: cooking with them and watching their matches.",
        "Cook dinner for the family three times a week",
        "Evenings each week I cooked dinner",
        (
            "Not cooking at all",
            "Cooking once a week, exhausted afterwards",
            "Cooking three times a week, with rests",
            "Cooking four times a week",
            "Cooking and also going to my son's Saturday match",
        ),
        (
            "Cook one simple meal, sitting down for the chopping",
            "Cook twice in a week, resting between preparing and cooking",
            "Cook three times a week; the children help with the washing up",
        ),
        "Standing for a long time; the rush before dinner.",
        "A stool in the kitchen; simple recipes; the children's help.",
        "Late nights; skipping lunch.",
        "Preparing vegetables in the morning.",
        "make a simple meal from the freezer and ask for help with the washing up.",
    ),
    GoalTemplate(
        LifeArea.COMMUNITY,
        "Singing in the choir again on Thursday evenings. It is where I have my friends.",
        "Sing with the choir on Thursday evenings again",
        "Choir evenings attended each month",
        (
            "Not going to the choir",
            "Listening to the choir's recordings at home",
            "Going to the choir twice a month",
            "Going every week",
            "Singing in the spring concert",
        ),
        (
            "Ask the conductor whether I can sit during rehearsals",
            "Go to the first half of one rehearsal",
            "Go to one whole rehearsal, sitting when I need to",
            "Go to rehearsal twice a month",
        ),
        "Evenings are my worst time; breathlessness when singing.",
        "The conductor knows; a chair at the end of the row.",
        "Rushing after work; a cold.",
        "Breathing exercises before rehearsal.",
        "listen to the recording at home and go again the week after.",
    ),
]

ELEMENT_PLANS = [
    (
        ElementKind.PSYCHOEDUCATION,
        "How persistent symptoms work: the body's alarm system, attention and stress.",
        "Sessions 1-3",
        "Short explanations, with the patient's own examples",
    ),
    (
        ElementKind.BODY_ORIENTED,
        "Breathing, body scan and gentle movement, alternating with conversation.",
        "Every session",
        "10-15 minutes, gently building up",
    ),
    (
        ElementKind.COGNITIVE_BEHAVIOURAL,
        "Noticing worrying thoughts about symptoms and testing them together.",
        "From session 3",
        "One theme per session",
    ),
    (
        ElementKind.ACTIVATION,
        "Graded activity toward the goals, with pacing on bad days.",
        "Weekly plan",
        "Small steps, agreed each session",
    ),
]

SESSION_NOTES = [
    "Session {n}. We talked about how stress and attention can turn up the volume of bodily signals; {name} "
    "recognised this from the evenings. Practised diaphragmatic breathing for 10 minutes. Agreed to practise "
    "twice a day.",
    "Session {n}. Reviewed the week: two good days and one harder day after a busy morning. We looked at pacing "
    "and planned rests. Body scan practised; {name} noticed tension in the shoulders and could let some of it go.",
    "Session {n}. {name} describes the dizziness as less frightening now {they} {know} what it is. We discussed the "
    "next step on the ladder and agreed it together. Gentle movement exercises practised.",
    "Session {n}. Talked through a worrying thought ('the pain means something is damaged') and what speaks for "
    "and against it. {name} found it helpful to write it down. Grounding exercise practised.",
    "Session {n}. Goal review: progress on the ladder discussed, {name} chose the next small step. We agreed the "
    "plan for a flare and wrote it on the goal.",
]

# A few notes use wording the note-language check advises on, so the Notes tab shows how it works.
CHECKED_NOTES = [
    "Session {n}. Patient claims the exercises make the pain worse. Non-compliant with the breathing practice "
    "this week.",
    "Session {n}. {name} insists the fatigue is physical. I told the patient that the scans were normal.",
]


def care_history(
    patient: Patient, *, course: str | None, staff: dict[str, User], today: date, seed: str, reflects: bool = False
) -> None:
    """Values, goals, ladders, GAS reviews, a care plan and its sessions for one patient, as they happened.

    `reflects`: the patient wrote their own reflection on their latest session in the portal."""
    episode = CareEpisode.objects.filter(patient=patient).order_by("-started_on").first()
    if episode is None:
        return  # referred, not started yet
    rng = random.Random(seed)
    clinician = _lead_clinician(patient, staff)
    templates = rng.sample(GOALS, k=2 if rng.random() < 0.6 else 1)
    started = episode.started_on
    ended = episode.ended_on
    with clock.pinned(_at(started + timedelta(days=1))):
        values = [
            goal_services.add_value(patient, life_area=template.life_area, words=template.value_words, by=clinician)
            for template in templates
        ]
    last_day = min(today, ended) if ended else today
    if (last_day - started).days < 14:
        return  # only just started: values recorded, goals come at the second session
    plan = _care_plan(patient, clinician=clinician, staff=staff, starts_on=started + timedelta(days=7))
    goals = [
        _set_goal(patient, template, value, by=clinician, set_on=started + timedelta(days=14), rng=rng)
        for template, value in zip(templates, values, strict=True)
    ]
    if goals:
        with clock.pinned(_at(started + timedelta(days=14))):
            plan = careplan_services.update_plan(
                plan,
                expected_version=plan.version,
                changes={"goal_ids": [str(goal.id) for goal in goals]},
                reason="Goals agreed at the second session",
            )
    _sessions(patient, plan, clinician=clinician, first=started + timedelta(days=7), last=last_day, rng=rng)
    for goal in goals:
        _climb(goal, course=course, by=clinician, last=last_day, rng=rng)
    if reflects:
        _reflect(patient)
        _propose(patient, next(t for t in GOALS if t not in templates), by=clinician, on=last_day, rng=rng)
    if ended:
        with clock.pinned(_at(ended)):
            plan.refresh_from_db()
            careplan_services.end_therapy(
                plan,
                expected_version=plan.version,
                ended_on=ended,
                reason="Goals reached; back to the GP with a relapse plan",
                today=ended,
            )


def _lead_clinician(patient: Patient, staff: dict[str, User]) -> User:
    """The therapist where they are on the team, else the responsible clinician (the GP)."""
    members = {member.staff_id for member in team_selectors.current_members(patient.id)}
    return staff["therapist"] if staff["therapist"].id in members else staff["gp"]


def _care_plan(patient: Patient, *, clinician: User, staff: dict[str, User], starts_on: date) -> Any:
    members = {member.staff_id for member in team_selectors.current_members(patient.id)}
    with clock.pinned(_at(starts_on)):
        plan = careplan_services.create_plan(
            patient,
            details={
                "summary": (
                    "Multimodal therapy for persistent symptoms: shared explanation first, then body-oriented "
                    "work alternating with conversation, and graded activity toward the patient's goals."
                ),
                "patient_summary": (
                    "Together we will learn how your symptoms work and what helps. Each session mixes talking "
                    "with exercises for your body. Step by step, you will do more of what matters to you."
                ),
                "sessions_min": 6,
                "sessions_max": 12,
                "minutes_min": 30,
                "minutes_max": 45,
                "goal_ids": [],
                "starts_on": starts_on,
                "review_on": starts_on + timedelta(weeks=12),
            },
            by=clinician,
        )
        for position, (kind, description, frequency, intensity) in enumerate(ELEMENT_PLANS, start=1):
            responsible = clinician
            if kind in (ElementKind.BODY_ORIENTED, ElementKind.ACTIVATION) and staff["physio"].id in members:
                responsible = staff["physio"]
            if kind == ElementKind.COGNITIVE_BEHAVIOURAL and staff["psychologist"].id in members:
                responsible = staff["psychologist"]
            careplan_services.add_element(
                plan,
                expected_version=plan.version,
                details={
                    "kind": kind,
                    "description": description,
                    "responsible_id": responsible.id,
                    "frequency": frequency,
                    "intensity": intensity,
                    "position": position,
                    "status": ElementStatus.ACTIVE if position <= 2 else ElementStatus.PLANNED,
                },
                reason="Plan agreed with the patient",
            )
            plan.refresh_from_db()
    return plan


def _set_goal(
    patient: Patient,
    template: GoalTemplate,
    value: Any,
    *,
    by: User,
    set_on: date,
    rng: random.Random,
    agreed: bool = True,
) -> Any:
    with clock.pinned(_at(set_on)):
        goal = goal_services.set_goal(
            patient,
            details={
                "value_id": value.id if value is not None else None,
                "title": template.title,
                "indicator": template.indicator,
                "target_date": set_on + timedelta(weeks=16),
                "proposed_by": rng.choice([ProposedBy.PATIENT, ProposedBy.TOGETHER])
                if agreed
                else ProposedBy.CLINICIAN,
                "agreed_by_patient": agreed,
                "barriers": template.barriers,
                "enablers": template.enablers,
                "triggers": template.triggers,
                "accelerants": template.accelerants,
                "contingency_plan": template.contingency,
                "supporter_ids": [],
                "importance": rng.randint(2, 3),
                "difficulty": rng.randint(1, 3),
                "level_minus_2": template.levels[0],
                "level_minus_1": template.levels[1],
                "level_0": template.levels[2],
                "level_plus_1": template.levels[3],
                "level_plus_2": template.levels[4],
                "baseline_level": -1,
            },
            by=by,
            today=set_on,
        )
        for action in template.rungs:
            goal_services.add_rung(goal, action=action, target_date=None, by=by)
    return goal


# How far up the ladder each course climbs (share of rungs done), and its GAS levels at the 4-weekly reviews.
CLIMB = {IMPROVING: 0.9, PARTIAL: 0.55, DETERIORATING: 0.5}
LEVELS = {IMPROVING: (-1, 0, 0, 1, 1, 2), PARTIAL: (-1, -1, 0, 0, 0, 0), DETERIORATING: (-1, 0, 0, 0, -1, -1)}
STUCK_LEVELS = (-1, -1, -2, -1, -1, -1)


def _climb(goal: Any, *, course: str | None, by: User, last: date, rng: random.Random) -> None:
    """Live the ladder and the reviews forward: a rung every two weeks or so, a review every four weeks."""
    rungs = list(goal_selectors.ladder(goal).rungs)
    share = CLIMB.get(course or "", 0.3)
    to_climb = max(1, round(share * len(rungs)))
    day = goal.set_on
    for index, rung in enumerate(rungs[:to_climb]):
        day += timedelta(days=rng.randint(9, 16))
        if day >= last:
            break
        state = RungState.DONE if index < to_climb - 1 or course == IMPROVING else RungState.PARTLY
        with clock.pinned(_at(day)):
            goal_services.mark_rung(rung, state=state, by=by)
        if index == 1 and rng.random() < 0.25 and len(rungs) > 3:
            _split_next(goal, rungs[index + 1], by=by, day=day)
            break
    if course not in (IMPROVING, None) and day < last:
        reason = (
            "A flare after a busy week at work; we agreed to go back a step and build up again."
            if course == DETERIORATING
            else "A cold and two bad nights; stepping back a rung while recovering."
        )
        with clock.pinned(_at(min(last, day + timedelta(days=5)))):
            goal_services.step_back(goal, reason=reason, by=by)
    _reviews(goal, course=course, by=by, last=last)


def _split_next(goal: Any, rung: Any, *, by: User, day: date) -> None:
    with clock.pinned(_at(day)):
        goal_services.split_rung(
            rung,
            steps=[(f"{rung.action} — first half", None), (f"{rung.action} — all of it", None)],
            by=by,
            reason="The step felt too big; we made it two smaller ones.",
        )


def _reviews(goal: Any, *, course: str | None, by: User, last: date) -> None:
    levels = LEVELS.get(course or "", STUCK_LEVELS)
    day = goal.set_on + timedelta(weeks=4)
    step = 0
    while day <= last and step < len(levels):
        with clock.pinned(_at(day)):
            goal_services.review_goal(goal, level=levels[step], reviewed_on=day, by=by)
        day += timedelta(weeks=4)
        step += 1


# Home practice handed out at the first sessions: (session number, library item, how often).
PRACTICE = [
    (1, "diaphragmatic-breathing", "Twice a day, 5 minutes"),
    (2, "pacing", "Every day"),
    (4, "body-scan", "Three times a week"),
]
EXERCISES = ["diaphragmatic-breathing", "body-scan", "grounding", "gentle-movement"]


def _sessions(patient: Patient, plan: Any, *, clinician: User, first: date, last: date, rng: random.Random) -> None:
    """A session every one or two weeks, up to twelve; each with its note and, early on, home practice."""
    day, number = first, 1
    name = patient.preferred_name or patient.given_name
    while day <= last and number <= 12:
        wording = CHECKED_NOTES if rng.random() < 0.12 else SESSION_NOTES
        practice = [
            {"library_item": slug, "how_often": how_often, "instructions": "", "ends_on": None}
            for at, slug, how_often in PRACTICE
            if at == number
        ]
        with clock.pinned(_at(day, hour=rng.choice((9, 10, 11, 14, 15)))):
            careplan_services.record_session(
                patient,
                details={
                    "held_on": day,
                    "duration_minutes": rng.choice((30, 40, 45, 45)),
                    "clinician": clinician,
                    "elements": _elements_for(number),
                    "exercises": rng.sample(EXERCISES, k=rng.randint(1, 2)),
                },
                by=clinician,
                note_text=rng.choice(wording).format(n=number, name=name, **_pronouns(patient)),
                home_practice=practice,
            )
        day += timedelta(days=rng.choice((7, 7, 14)))
        number += 1


def _propose(patient: Patient, template: GoalTemplate, *, by: User, on: date, rng: random.Random) -> None:
    """A goal the clinician suggested at the latest session, which the patient has not agreed to yet."""
    _set_goal(patient, template, None, by=by, set_on=on, rng=rng, agreed=False)


def _reflect(patient: Patient) -> None:
    latest = careplan_selectors.sessions_of(patient).first()
    if latest is not None:
        with clock.pinned(_at(latest.held_on, hour=20)):
            careplan_services.add_reflection(
                latest,
                text="The breathing helps most in the evening. I want to try the walk to the bakery again.",
                patient=patient,
            )


def _pronouns(patient: Patient) -> dict[str, str]:
    if patient.sex == "female":
        return {"they": "she", "know": "knows"}
    if patient.sex == "male":
        return {"they": "he", "know": "knows"}
    return {"they": "they", "know": "know"}


def _elements_for(number: int) -> list[str]:
    if number <= 2:
        return [ElementKind.PSYCHOEDUCATION, ElementKind.BODY_ORIENTED]
    if number % 2:
        return [ElementKind.BODY_ORIENTED, ElementKind.COGNITIVE_BEHAVIOURAL]
    return [ElementKind.BODY_ORIENTED, ElementKind.ACTIVATION]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), ZoneInfo(TIME_ZONE))
