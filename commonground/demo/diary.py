"""The demo clinic's diaries: a set-up co-created with the therapist, three to four months of days with the
gaps and noise of a real diary, and, in Milan Koster's (the `patient` login), patterns and a boom-bust cycle
that the diary's own pages find.

Everything is made up. It goes through the diary's services with the clock pinned to the moment each thing
happened: the set-up at a session, each day's entry that evening (a few filled in a day or two late, so they
are marked late), an extra check-in now and then at midday, sharing and reminders as the patient chose them,
and one graded-activity step agreed mid-way. The values are drawn day by day from a generator seeded with the
patient's record number, so the same clinic has the same diaries (relative to today, like the rest of the
demo). The last entry is yesterday's: today is left for whoever signs in to fill in.

Who keeps a diary: the two patients with a portal login, and the first few other patients in care for at least
100 days whose therapist is on their team. The diary started 90-120 days ago (at the first session for anyone
whose care started later). Its symptoms follow the patient's main symptoms; its valued activity, their values.

Milan's diary is the one people sign in to, so its patterns are planted, and everything else in it is noise:

- more hours of sleep go with less tiredness the same day (ρ about −0.5);
- after a day with "A late night", pain is higher the next day (ρ about +0.5);
- two booms (a day with more than twice his usual activity) are each followed by a flare of tiredness (the
  diary's pacing symptom) the next day and the day after, the second within the last four weeks, so the
  diary's home page shows it; a graded-activity step half-way raises his planned daily activity.

Milan shares everything but his notes (the default) and is reminded at 19:00, never between 21:00 and 08:00.
Joost Mulder (`patient2`) shares only his ratings and sleep, so his team sees less.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import Organisation, User
from commonground.audit import context as audit_context
from commonground.careplans import selectors as plan_selectors
from commonground.careteam import selectors as team_selectors
from commonground.diary import definitions, pacing, services
from commonground.diary.choices import Part, Scale, Symptom
from commonground.diary.definitions import Definition
from commonground.diary.entries import Activity, EntryValues, activity_load
from commonground.diary.models import DiarySetUp
from commonground.goals import selectors as goal_selectors
from commonground.goals.choices import LifeArea
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import CareEpisode, Patient

OTHER_KEEPERS = 5  # patients without a portal login who keep a diary too
MIN_DAYS_IN_CARE = 100
DIARY_DAYS = (90, 120)
BASELINE_DAYS = pacing.BASELINE_DAYS
SCALES = (Scale.ENERGY, Scale.MOOD, Scale.STRESS, Scale.EASE)

# The portal logins' diaries tell these stories.
PATTERNS = "patterns"  # `patient`: planted patterns, booms and busts, a graded step, a reminder
LESS_SHARED = "less_shared"  # `patient2`: shares only ratings and sleep
PORTAL_STORIES = {"patient": PATTERNS, "patient2": LESS_SHARED}

# A main symptom (ICPC-2) as the diary's symptom, where the diary has one.
SYMPTOM_OF = {
    "A01": Symptom.PAIN,
    "A04": Symptom.FATIGUE,
    "A11": Symptom.PAIN,
    "D01": Symptom.GUT,
    "D09": Symptom.GUT,
    "D93": Symptom.GUT,
    "K04": Symptom.PALPITATIONS,
    "L02": Symptom.PAIN,
    "L03": Symptom.PAIN,
    "L18": Symptom.PAIN,
    "N01": Symptom.HEADACHE,
    "N17": Symptom.DIZZINESS,
    "R02": Symptom.BREATHLESSNESS,
}
FILL_SYMPTOMS = (Symptom.FATIGUE, Symptom.PAIN)  # the usual companions when the main symptoms give too few

# The activity that matters, from the life area of the patient's first value (as `demo.care` words them).
VALUED: dict[str, str] = {
    LifeArea.LEISURE: "Walking in the dunes",
    LifeArea.WORK: "My job at the library",
    LifeArea.FRIENDS: "Seeing my friends",
    LifeArea.FAMILY: "Being there for my children",
    LifeArea.COMMUNITY: "Singing in the choir",
}


@dataclass(frozen=True)
class Doing:
    """An activity on the patient's list, and how it usually goes: minutes from the form's choices, effort."""

    label: str
    minutes: tuple[int, ...]
    effort: tuple[int, int]
    often: float  # the share of days it is planned


DOINGS = [
    Doing("Walking", (20, 30, 45), (3, 5), 0.7),
    Doing("Cooking dinner", (30, 45), (3, 5), 0.6),
    Doing("Computer work", (30, 60, 90), (4, 6), 0.5),
    Doing("Housework", (20, 30, 45), (4, 6), 0.5),
    Doing("Shopping", (20, 30, 45), (4, 6), 0.35),
    Doing("Gardening", (20, 30, 60), (4, 7), 0.3),
    Doing("Cycling to the shops", (20, 30), (4, 6), 0.3),
    Doing("Playing with the children", (30, 45, 60), (3, 6), 0.5),
    Doing("Visiting family", (60, 90), (3, 5), 0.2),
]
OWN_PRACTICE = [
    "Stretching in the morning",
    "A short rest after lunch",
    "Breathing exercise before bed",
    "Music to wind down",
    "A slow walk round the block",
]
TRIGGERS = ["A busy day at work", "An argument at home", "Skipping lunch", "A long car journey", "Hot weather"]
WARNING_SIGNS = [
    "Jaw clenching",
    "Shallow breathing",
    "Snapping at the people I love",
    "Forgetting things",
    "Feeling wired in the evening",
    "Cold hands",
]
WINS = [
    "Walked to the bakery and back without stopping.",
    "Had a cup of tea with my neighbour.",
    "Took a rest before I needed it.",
    "Said no to something, and that was fine.",
    "Slept through the night.",
    "Did the breathing exercise when I felt the tension coming.",
    "Went to the supermarket and it went well.",
    "Phoned a friend I had not spoken to for weeks.",
    "Sat in the garden in the sun for half an hour.",
    "Managed the stairs twice today.",
]
NOTES = [
    "Bad night, the neighbours were loud.",
    "Felt dizzy in the supermarket and went home early.",
    "Worried about the appointment next week.",
    "A quiet day. Not much to say.",
    "My back was stiff this morning but it eased off.",
    "Tired of being tired.",
    "A nice day, the weather helped.",
]
CHECK_IN_NOTES = ["After lunch.", "Just back from a walk.", "Feeling it more than this morning.", ""]

# Milan Koster's diary: his main symptom (dizziness) with tiredness and pain, a value about his children.


@dataclass(frozen=True)
class Choices:
    """A set-up chosen in full (Milan's); the other patients' are drawn from the lists above."""

    symptoms: tuple[str, ...]
    activities: tuple[Doing, ...]
    own_practice: tuple[str, ...]
    triggers: tuple[str, ...]
    warning_signs: tuple[str, ...]
    pacing_symptom: str
    outcomes: tuple[str, ...]


MILAN = Choices(
    symptoms=(Symptom.DIZZINESS, Symptom.FATIGUE, Symptom.PAIN),
    activities=(
        Doing("Walking", (20, 30, 45), (3, 5), 0.7),
        Doing("Cooking dinner", (30, 45), (3, 5), 0.6),
        Doing("Computer work", (30, 60, 90), (4, 6), 0.55),
        Doing("Tidying the house", (20, 30), (4, 6), 0.5),
    ),
    own_practice=("Stretching in the morning",),
    triggers=("A late night", "A long day at the computer"),
    warning_signs=("Shallow breathing", "Feeling wired in the evening"),
    pacing_symptom=Symptom.FATIGUE,
    outcomes=(Scale.EASE, Symptom.FATIGUE, Symptom.PAIN),
)
MILAN_WINS = [
    "Cooked pasta with the kids and sat down between the steps.",
    "Watched my son's match for the whole first half.",
    "Walked to the bakery and back without stopping.",
    "In bed before eleven three nights in a row.",
    "Tidied the kitchen in two short goes instead of one long one.",
    "Did my stretches every morning this week.",
    "Read a story to my daughter without the room spinning.",
]
BOOM_WORDS = [
    ("Helped my sister move house. A good day together.", "Did far more than I planned. I know I will pay for it."),
    ("The whole house spotless before the family came.", "Kept going all day. Should have stopped after lunch."),
]
LATE_NIGHT = "a-late-night"
LONG_DAY_AT_THE_COMPUTER = "a-long-day-at-the-computer"
SLEEP_MEAN = 6.75
SLEEP_EFFECT = 0.75  # points less tiredness for each hour more sleep that night (the same day's entry)
LATE_NIGHT_EFFECT = 2.0  # points more pain the day after a late night
LATE_NIGHT_CHANCE = 0.2
STEP_RISE = 1.25  # the graded-activity step: a quarter more than the baseline
USUAL: dict[str, tuple[float, float]] = {  # the range a patient's usual level is drawn from (symptoms: 4-6)
    Scale.ENERGY: (4.0, 6.0),
    Scale.MOOD: (5.0, 7.0),
    Scale.STRESS: (3.5, 5.5),
    Scale.EASE: (3.5, 5.5),
}
PHI = 0.35  # day-to-day persistence of the noise: bad days come in small runs


@dataclass(frozen=True)
class PlannedDay:
    """One day's entry as the patient made it: when it was written, and an extra check-in that day if any."""

    day: date
    values: EntryValues
    written_on: date
    at: time
    check_in: tuple[time, EntryValues] | None = None

    @property
    def late(self) -> bool:
        return self.written_on > self.day


@dataclass(frozen=True)
class Step:
    starts_on: date
    daily_load: int
    note: str


@dataclass(frozen=True)
class DiaryPlan:
    """A patient's whole diary, decided before anything is written (deterministic: the same seed, the same
    plan)."""

    story: str
    starts_on: date
    definition: Definition
    doings: tuple[Doing, ...]
    days: tuple[PlannedDay, ...]
    booms: tuple[date, ...] = ()
    step: Step | None = None
    shares: tuple[str, ...] | None = None  # None: the default
    reminder: time | None = None


# --- who keeps a diary ----------------------------------------------------------------------------------------


def seed_diaries(organisation: Organisation, *, staff: dict[str, User], today: date, seed: str) -> int:
    """Give the diary keepers their diaries; returns how many. Called once, inside the seed's transaction."""
    written = 0
    for patient in diary_keepers(organisation, staff=staff, today=today):
        plan = plan_diary(patient, today=today, seed=seed)
        if plan is not None:
            write_diary(patient, plan, by=_lead_clinician(patient, staff))
            written += 1
    return written


def diary_keepers(organisation: Organisation, *, staff: dict[str, User], today: date) -> list[Patient]:
    """The portal patients, and the first OTHER_KEEPERS patients in care long enough whose therapist is on the
    team, in record-number order."""
    found: list[Patient] = []
    others = 0
    patients = Patient.objects.filter(organisation=organisation, status=PatientStatus.ACTIVE).select_related("user")
    for patient in patients.order_by("record_number"):
        episode = _open_episode(patient)
        if episode is None:
            continue
        if patient.user_id is not None:
            found.append(patient)
        elif (
            others < OTHER_KEEPERS
            and (today - episode.started_on).days >= MIN_DAYS_IN_CARE
            and _lead_clinician(patient, staff) == staff["therapist"]
        ):
            found.append(patient)
            others += 1
    return found


def _open_episode(patient: Patient) -> CareEpisode | None:
    episode: CareEpisode | None = (
        CareEpisode.objects.filter(patient=patient, ended_on__isnull=True).order_by("-started_on").first()
    )
    return episode


def _lead_clinician(patient: Patient, staff: dict[str, User]) -> User:
    """The therapist where they are on the team, else the responsible clinician (the GP), as in `demo.care`."""
    members = {member.staff_id for member in team_selectors.current_members(patient.id)}
    return staff["therapist"] if staff["therapist"].id in members else staff["gp"]


def story_of(patient: Patient) -> str:
    username = patient.user.username if patient.user_id is not None and patient.user is not None else ""
    return PORTAL_STORIES.get(username, "")


# --- the plan -------------------------------------------------------------------------------------------------


def plan_diary(patient: Patient, *, today: date, seed: str) -> DiaryPlan | None:
    """The patient's diary from set-up to yesterday. Reads the clinic (episode, values, home practice), writes
    nothing. None for a patient not in care, or in care too briefly for a diary with a baseline."""
    episode = _open_episode(patient)
    if episode is None:
        return None
    rng = random.Random(f"{seed}/{patient.record_number}")
    story = story_of(patient)
    length = rng.randint(*DIARY_DAYS)
    starts_on = max(today - timedelta(days=length), episode.started_on + timedelta(days=7))
    if (today - starts_on).days < BASELINE_DAYS + 7:
        return None
    definition, doings = _co_created(patient, story, rng)
    practice = _running_practice(patient)
    days = [starts_on + timedelta(days=n) for n in range((today - starts_on).days)]  # up to yesterday
    booms: list[int] = []
    step_at: int | None = None
    if story == PATTERNS:
        booms = [rng.randint(28, 35), len(days) - rng.randint(10, 13)]
        step_at = len(days) // 2 + rng.randint(-3, 3)
    life = _Life(definition, doings, rng, story=story, booms=booms, step_at=step_at, practice=practice)
    planned = life.live(days, today=today)
    step = None
    if step_at is not None and life.step_load is not None:
        step = Step(
            days[step_at],
            life.step_load,
            "A quarter more each day, spread out: a longer walk, with a rest after it.",
        )
    return DiaryPlan(
        story=story,
        starts_on=starts_on,
        definition=definition,
        doings=tuple(doings),
        days=tuple(planned),
        booms=tuple(days[index] for index in booms),
        step=step,
        shares=(str(Part.RATINGS), str(Part.SLEEP)) if story == LESS_SHARED else None,
        reminder=time(19, 0) if story == PATTERNS else time(20, 0) if story == LESS_SHARED else None,
    )


def _co_created(patient: Patient, story: str, rng: random.Random) -> tuple[Definition, list[Doing]]:
    """What the therapist and the patient chose: symptoms, the four scales, sleep, activities, practice,
    triggers and warning signs."""
    valued = _valued_activity(patient)
    if story == PATTERNS:
        doings: list[Doing] = list(MILAN.activities)
        definition = definitions.build(
            symptoms=MILAN.symptoms,
            scales=SCALES,
            valued_activity=valued,
            activities=[doing.label for doing in doings],
            own_practice=MILAN.own_practice,
            triggers=MILAN.triggers,
            warning_signs=MILAN.warning_signs,
            pacing_symptom=MILAN.pacing_symptom,
            outcomes=MILAN.outcomes,
        )
        return definition, doings
    symptoms = list(dict.fromkeys(SYMPTOM_OF[code] for code in patient.main_symptoms if code in SYMPTOM_OF))[:3]
    for extra in FILL_SYMPTOMS:
        if len(symptoms) < 2 and extra not in symptoms:
            symptoms.append(extra)
    doings = rng.sample(DOINGS, k=rng.randint(3, 4))
    definition = definitions.build(
        symptoms=symptoms,
        scales=SCALES,
        valued_activity=valued,
        activities=[doing.label for doing in doings],
        own_practice=rng.sample(OWN_PRACTICE, k=rng.randint(1, 2)),
        triggers=["A late night", *rng.sample(TRIGGERS, k=1)],
        warning_signs=rng.sample(WARNING_SIGNS, k=2),
    )
    return definition, doings


def _valued_activity(patient: Patient) -> str:
    value = goal_selectors.values_of(patient).order_by("created_at").first()
    area = value.life_area if value is not None else LifeArea.FRIENDS
    return VALUED.get(area, VALUED[LifeArea.FRIENDS])


def _running_practice(patient: Patient) -> list[tuple[str, date, date | None]]:
    """The care plan's home practice (key, from, until), which the diary offers to tick on the days it runs."""
    return [
        (services.PLAN_PRACTICE_PREFIX + str(item.id), item.starts_on, item.ends_on)
        for item in plan_selectors.home_practice_of(patient)
    ]


@dataclass
class _Life:
    """Lives the days forward, drawing each day's values from the patient's usual levels and the story."""

    definition: Definition
    doings: list[Doing]
    rng: random.Random
    story: str
    booms: list[int]
    step_at: int | None
    practice: list[tuple[str, date, date | None]]
    means: dict[str, float] = field(default_factory=dict)
    noise: dict[str, float] = field(default_factory=dict)
    base: pacing.Baseline | None = None
    step_load: int | None = None

    def __post_init__(self) -> None:
        rng = self.rng
        for key in self.definition.rating_keys:
            low, high = USUAL.get(key, (4.0, 6.0))
            self.means[key] = rng.uniform(low, high)
            self.noise[key] = rng.gauss(0, 1)
        if self.story == PATTERNS:
            self.means.update({Symptom.DIZZINESS: 4.5, Symptom.FATIGUE: 5.0, Symptom.PAIN: 3.5})

    def live(self, days: list[date], *, today: date) -> list[PlannedDay]:
        planned: list[PlannedDay] = []
        late_night_before = False
        flares = {boom + offset: rise for boom in self.booms for offset, rise in ((1, 3), (2, 2))}
        gaps = self._gaps(len(days), {0, len(days) - 1, *self.booms, *flares})
        pacing_key = self.definition.pacing_symptom
        for index, day in enumerate(days):
            if index == BASELINE_DAYS:
                self.base = pacing.baseline(_pacing_days(planned, self.definition))
            if index == self.step_at and self.base is not None:
                self.step_load = round(self.base.activity * STEP_RISE)
            ratings, sleep = self._ratings(late_night_before)
            late_night = self.rng.random() < (LATE_NIGHT_CHANCE if self.story == PATTERNS else 0.15)
            late_night_before = late_night
            if index in flares and self.base is not None:
                ratings[pacing_key] = min(10, math.ceil(self.base.symptom) + flares[index])
            activities = self._boom() if index in self.booms else self._activities(index)
            if index in gaps:
                continue
            planned.append(self._day(day, index, today, ratings, sleep, activities, late_night, flare=index in flares))
        return planned

    def _gaps(self, length: int, forced: set[int]) -> set[int]:
        """The days without an entry: 12-18 % of them, mostly single days, now and then two or three in a row."""
        rng = self.rng
        wanted = round(length * rng.uniform(0.12, 0.18))
        gaps: set[int] = set()
        while len(gaps) < wanted:
            start = rng.randrange(1, length)
            run = 1 if rng.random() < 0.7 else rng.randint(2, 3)
            gaps |= {index for index in range(start, min(length, start + run)) if index not in forced}
        return gaps

    def _ratings(self, late_night_before: bool) -> tuple[dict[str, int], Decimal | None]:
        rng = self.rng
        for key in self.noise:
            self.noise[key] = PHI * self.noise[key] + math.sqrt(1 - PHI * PHI) * rng.gauss(0, 1)
        hours = min(9.5, max(4.0, round(rng.gauss(SLEEP_MEAN, 1.0) * 2) / 2))
        ratings = {}
        for key, mean in self.means.items():
            value = mean + 1.3 * self.noise[key]
            if self.story == PATTERNS and key == Symptom.FATIGUE:
                value = mean + SLEEP_EFFECT * (SLEEP_MEAN - hours) + 1.1 * self.noise[key]
            if self.story == PATTERNS and key == Symptom.PAIN:
                value = mean + LATE_NIGHT_EFFECT * late_night_before + 1.2 * self.noise[key]
            ratings[key] = _score(value)
        sleep = None if rng.random() < 0.03 else Decimal(str(hours))
        return ratings, sleep

    def _activities(self, index: int) -> list[Activity]:
        """An ordinary day: after the baseline, never a boom (below 1.3 times the usual or the plan)."""
        if self.base is None:
            return self._draw_activities(index)
        usual = max(self.base.activity, float(self.step_load or 0))
        drawn: list[Activity] = []
        for _attempt in range(40):
            drawn = self._draw_activities(index)
            load = activity_load(drawn)
            if load <= 1.3 * usual and (load >= 0.55 * usual or self.rng.random() < 0.15):
                return drawn
        return [Activity(self._keys()[0], planned=True)]  # a rest day after all

    def _draw_activities(self, index: int) -> list[Activity]:
        rng = self.rng
        stepped = self.step_at is not None and index >= self.step_at
        found = []
        for doing, key in zip(self.doings, self._keys(), strict=True):
            often = min(0.95, doing.often + (0.15 if stepped else 0))
            planned = rng.random() < often
            done = rng.random() < (0.85 if planned else 0.1)
            if planned or done:
                minutes = rng.choice(doing.minutes) if done else None
                effort = rng.randint(*doing.effort) if done else None
                found.append(Activity(key, planned=planned, done=done, minutes=minutes, effort=effort))
        return found or [Activity(self._keys()[0], planned=True)]

    def _boom(self) -> list[Activity]:
        """A day out of the ordinary: everything, for as long as it took, and harder than usual."""
        assert self.base is not None
        usual = max(self.base.activity, float(self.step_load or 0))
        found = [
            Activity(key, planned=True, done=True, minutes=max(doing.minutes), effort=doing.effort[1] + 2)
            for doing, key in zip(self.doings, self._keys(), strict=True)
        ]
        longer = [180, 120, 90, 60]
        while activity_load(found) < 2.2 * usual and longer:  # well over half as much again, whatever the plan
            found[-1] = Activity(found[-1].key, planned=False, done=True, minutes=longer.pop(), effort=8)
        return found

    def _keys(self) -> list[str]:
        return [item.key for item in self.definition.activities]

    def _day(
        self,
        day: date,
        index: int,
        today: date,
        ratings: dict[str, int],
        sleep: Decimal | None,
        activities: list[Activity],
        late_night: bool,
        *,
        flare: bool,
    ) -> PlannedDay:
        rng = self.rng
        definition = self.definition
        triggers = []
        trigger_keys = [item.key for item in definition.triggers]
        if late_night:
            triggers.append(trigger_keys[0])
        if self.story == PATTERNS:
            if any(a.key == "computer-work" and (a.minutes or 0) >= 90 for a in activities if a.done):
                triggers.append(LONG_DAY_AT_THE_COMPUTER)
        elif rng.random() < 0.12:
            triggers.append(trigger_keys[1])
        signs = [item.key for item in definition.warning_signs if rng.random() < (0.6 if flare else 0.08)]
        running = [key for key, start, end in self.practice if start <= day and (end is None or end >= day)]
        own = [item.key for item in definition.own_practice]
        practice = [key for key in [*running, *own] if rng.random() < 0.5]
        boom = index in self.booms
        wins = MILAN_WINS if self.story == PATTERNS else WINS
        small_win = rng.choice(wins) if rng.random() < 0.1 else ""
        note = rng.choice(NOTES) if rng.random() < 0.07 else ""
        if boom:
            small_win, note = BOOM_WORDS[self.booms.index(index) % len(BOOM_WORDS)]
        elif flare and ratings.get(definition.pacing_symptom, 0) >= 7:
            note = "Exhausted. Stayed on the sofa most of the day."
        values = EntryValues(
            ratings=ratings,
            sleep_hours=sleep,
            sleep_quality=None if sleep is None else _score(rng.gauss(5.5, 1.6)),
            activities=tuple(activities),
            rest_breaks=rng.randint(0, 3) + (2 if flare else 0),
            practice=tuple(practice),
            triggers=tuple(triggers),
            warning_signs=tuple(signs),
            small_win=small_win,
            note=note,
        )
        yesterday = today - timedelta(days=1)
        written_on = day
        if rng.random() < 0.08:
            written_on = min(yesterday, day + timedelta(days=2 if rng.random() < 0.3 else 1))
        at = time(rng.choice((19, 20, 20, 21, 22)), rng.choice((0, 10, 25, 40, 55)))
        check_in = None
        if rng.random() < 0.05:
            check_in = (time(rng.randint(12, 15), rng.choice((5, 20, 35, 50))), self._check_in(ratings))
        return PlannedDay(day, values, written_on, at, check_in)

    def _check_in(self, ratings: dict[str, int]) -> EntryValues:
        """A midday check-in: the pacing symptom and mood, about as they were that day."""
        keys = [self.definition.pacing_symptom or self.definition.rating_keys[0], str(Scale.MOOD)]
        moved = {key: max(0, min(10, ratings[key] + self.rng.choice((-1, 0, 0, 1)))) for key in keys}
        return EntryValues(ratings=moved, note=self.rng.choice(CHECK_IN_NOTES))


def _score(value: float) -> int:
    return max(0, min(10, round(value)))


def _pacing_days(planned: list[PlannedDay], definition: Definition) -> list[pacing.Day]:
    found = []
    for day in planned:
        symptom = day.values.ratings.get(definition.pacing_symptom)
        found.append(
            pacing.Day(
                on=day.day,
                activity=activity_load(day.values.activities),
                symptom=None if symptom is None else float(symptom),
            )
        )
    return found


# --- writing it ---------------------------------------------------------------------------------------------


def write_diary(patient: Patient, plan: DiaryPlan, *, by: User) -> None:
    """Set up and fill in the diary through the diary's services, each write on its own day."""
    zone = patient.time_zone
    with _acting_as(by), clock.pinned(_at(plan.starts_on, time(10, 30), zone)):
        services.set_up_diary(patient, definition=plan.definition, by=by, reason="Set up together at the session")
    patient_user = patient.user if patient.user_id is not None else None
    if plan.reminder is not None:
        with _acting_as(patient_user), clock.pinned(_at(plan.starts_on, time(18, 0), zone)):
            services.set_reminder(
                patient,
                at=plan.reminder,
                quiet_from=time(21, 0),
                quiet_until=time(8, 0),
                expected_version=_set_up_version(patient),
            )
    step = plan.step
    for number, day in enumerate(plan.days):
        if plan.shares is not None and number == 2:
            with _acting_as(patient_user), clock.pinned(_at(day.day, time(18, 30), zone)):
                services.set_sharing(patient, parts=plan.shares, expected_version=_set_up_version(patient))
        if step is not None and day.day >= step.starts_on:
            with _acting_as(by), clock.pinned(_at(step.starts_on, time(11, 0), zone)):
                services.add_pacing_step(
                    patient, starts_on=step.starts_on, daily_load=step.daily_load, note=step.note, by=by
                )
            step = None
        with _acting_as(patient_user):
            if day.check_in is not None:
                moment, values = day.check_in
                with clock.pinned(_at(day.day, moment, zone)):
                    services.record_check_in(patient, values=values)
            with clock.pinned(_at(day.written_on, day.at, zone)):
                services.record_entry(patient, day=day.day, values=day.values)


def _set_up_version(patient: Patient) -> int:
    return int(DiarySetUp.objects.current().values_list("version", flat=True).get(patient=patient))


@contextmanager
def _acting_as(user: User | None) -> Iterator[None]:
    """The audit trail names who did it: the therapist for the set-up and the step, the patient (where they have
    a portal login) for their own entries and choices."""
    if user is None:
        yield
        return
    context = audit_context.current()
    before = (context.actor_id, context.actor_username, context.actor_role, context.organisation_id)
    audit_context.identify(user.id, user.username, user.role, user.organisation_id)
    try:
        yield
    finally:
        audit_context.identify(*before)


def _at(day: date, moment: time, zone: str) -> datetime:
    return datetime.combine(day, moment, ZoneInfo(zone))


def values_of_plan(day: PlannedDay) -> dict[str, Any]:
    """A planned day as the entry's stored fields (for comparing a plan with what was written)."""
    values = day.values
    return {
        "ratings": dict(values.ratings),
        "sleep_hours": values.sleep_hours,
        "sleep_quality": values.sleep_quality,
        "activities": [activity.to_json() for activity in values.activities],
        "rest_breaks": values.rest_breaks,
        "practice": list(values.practice),
        "triggers": list(values.triggers),
        "warning_signs": list(values.warning_signs),
        "small_win": values.small_win,
        "note": values.note,
    }
