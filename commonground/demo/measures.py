"""The demo clinic's measurement-based care: crisis resources, registry settings, measurement plans, and a
history of questionnaires for most patients in care, each telling a story the caseload registry can show.

Everything is made up. Answers are generated item by item, from a target total and the patient's main
symptoms; the totals, bands and flags are the engine's, because every form goes through
`measures.services.enter_response` (a paper form entered by staff), which scores it with the patient's sex
and raises alerts by the clinic's own rules.

The stories, handed out in record-number order (so the same seed tells the same stories):

- `improving`: scores fall to 30-45 % of baseline over 12-20 weeks (reliable improvement on the PHQ-15);
- `partial`: scores fall to 60-78 % of baseline (some change, now and then reliable);
- `stuck`: scores stay within a point or two of baseline (not improving after 10 weeks in care);
- `deteriorating` (one patient): steady, then somatic symptoms flare at the latest review, a reliable
  deterioration on the PHQ-15 and SSS-8 that raises its alerts;
- `critical_item` (one patient): steady, and PHQ-9 item 9 answered "several days" at the latest review,
  which raises an urgent alert, left open for the team.

Besides: the `patient` portal login has a whole review (the PHQ-15 among it) due since yesterday; three
patients on the `coordinator` login's caseload have not returned their latest review (one has missed two),
so it is overdue; three who only just started have no plan yet; one `stuck` patient is flagged for case review.

Dates are relative to the clinic's today, like the rest of the demo. A patient is asked at baseline (the
first session, a few days after the care episode opens) and every 4 weeks; most forms come back within a
few days, some are still due, a few patients have not returned theirs for weeks (overdue).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.models import Organisation, User
from commonground.coordination import services as coordination_services
from commonground.coordination.choices import ReviewReason
from commonground.measures import definitions
from commonground.measures import selectors as measures_selectors
from commonground.measures import services as measures_services
from commonground.measures.choices import EntryMode, ScheduleStatus
from commonground.measures.datatypes import Instrument
from commonground.measures.models import DEFAULT_KEY_INSTRUMENTS, MeasurementPlan, RegistrySettings, ScheduledMeasure
from commonground.measures.schedule import occasions
from commonground.measures.scoring import NOT_APPLICABLE
from commonground.patients.models import CareEpisode, Patient
from commonground.safety.models import CrisisResource

TIME_ZONE = "Europe/Amsterdam"
PLAN_INSTRUMENTS = list(DEFAULT_KEY_INSTRUMENTS)  # PHQ-15, SSS-8, PHQ-9, GAD-7, WSAS
INTERVAL_WEEKS = 4
SUBMISSION_NAMESPACE = uuid.UUID("6f1c2a52-3d0e-4f7b-9a55-1d2c3b4a5e60")

IMPROVING = "improving"
PARTIAL = "partial"
STUCK = "stuck"
DETERIORATING = "deteriorating"
CRITICAL_ITEM = "critical_item"

# Fictional numbers only: 555-0100 to 555-0199 are reserved for fiction. A clinic replaces them all.
CRISIS_RESOURCES = [
    (
        "en",
        "Demo crisis line (replace with your local service)",
        "555-0100",
        "DEMO ONLY, not a real service: the clinic must enter its own crisis line here before real use. "
        "Open day and night, for anyone who feels they cannot keep themselves safe.",
    ),
    (
        "en",
        "Demo out-of-hours doctor (replace with your local service)",
        "555-0101",
        "DEMO ONLY, not a real service: the clinic must enter its own out-of-hours number here. "
        "For urgent help when the practice is closed.",
    ),
    (
        "en",
        "Emergency services",
        "",
        "If you are in danger now, call your local emergency number.",
    ),
    (
        "nl",
        "Demo-crisislijn (vervang door uw eigen dienst)",
        "555-0110",
        "ALLEEN VOOR DE DEMO, geen echte dienst: de kliniek vult hier haar eigen crisislijn in. "
        "Dag en nacht bereikbaar, als u zich niet veilig voelt.",
    ),
    (
        "nl",
        "Demo-huisartsenpost (vervang door uw eigen dienst)",
        "555-0111",
        "ALLEEN VOOR DE DEMO, geen echte dienst: de kliniek vult hier haar eigen nummer in. "
        "Voor dringende hulp als de praktijk gesloten is.",
    ),
    (
        "nl",
        "Hulpdiensten",
        "",
        "Bent u nu in gevaar? Bel dan het noodnummer van uw land.",
    ),
]


def configure_clinic(organisation: Organisation) -> None:
    """The clinic's registry settings (the defaults, with the SSS-8 in new plans) and its crisis resources."""
    RegistrySettings.objects.create(
        organisation=organisation,
        key_instruments=list(DEFAULT_KEY_INSTRUMENTS),
        plan_instruments=list(PLAN_INSTRUMENTS),
    )
    CrisisResource.objects.bulk_create(
        CrisisResource(
            organisation=organisation, language=language, name=name, phone=phone, description=text, position=position
        )
        for position, (language, name, phone, text) in enumerate(CRISIS_RESOURCES)
    )


# --- who gets which story ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    course: str
    plan: bool = True
    left_open: int = 0  # the latest reviews the patient has not returned (yet)
    timed: int | None = None  # the plan is timed so that the latest review fell due this many days ago
    case_review: bool = False


@dataclass(frozen=True)
class Facts:
    in_care: bool
    days_in_care: int
    latest_review_age: int  # days since the latest review fell due, with the patient's usual plan start
    main_coordinator: bool  # on the caseload of the `coordinator` demo login


LONG_COURSES = [IMPROVING, STUCK, IMPROVING, PARTIAL, IMPROVING, STUCK, PARTIAL]
SHORT_COURSES = [IMPROVING, PARTIAL]


@dataclass
class Casting:
    """Hands out the stories in record-number order; the first two patients in care have the portal logins."""

    in_care_seen: int = 0
    given: Counter[str] = field(default_factory=Counter)

    def story_for(self, facts: Facts) -> Story:
        if not facts.in_care:
            return Story(IMPROVING)  # discharged: a course of therapy that helped
        index = self.in_care_seen
        self.in_care_seen += 1
        if index == 0:
            return Story(IMPROVING, left_open=1, timed=1)  # `patient`: the PHQ-15 and the rest of a review to do
        if index == 1:
            return Story(PARTIAL)  # `patient2`
        if facts.days_in_care < 28 and self._take("no_plan", 3):
            return Story(STUCK, plan=False)  # just started: the measurement plan is still to be agreed
        main, long = facts.main_coordinator, facts.days_in_care >= 84
        if main and facts.days_in_care >= 112 and self._take(DETERIORATING, 1):
            return Story(DETERIORATING, timed=5)  # the flare-up came back this week
        if main and long and self._take(CRITICAL_ITEM, 1):
            return Story(CRITICAL_ITEM, timed=3)  # sent in the last few days, the alert still open
        if main and long and facts.latest_review_age >= 10 and self._take("overdue", 3):
            return Story(self._course(LONG_COURSES), left_open=2 if self.given["overdue"] == 1 else 1)
        if long:
            course = self._course(LONG_COURSES)
            review = course == STUCK and main and self._take("case_review", 1)
            return Story(course, case_review=review)
        return Story(self._course(SHORT_COURSES, "short"))

    def _take(self, what: str, limit: int) -> bool:
        if self.given[what] >= limit:
            return False
        self.given[what] += 1
        return True

    def _course(self, courses: list[str], key: str = "long") -> str:
        """The next course in turn, so the stories mix on every caseload."""
        course = courses[self.given[key] % len(courses)]
        self.given[key] += 1
        return course


def measurement_history(
    patient: Patient,
    *,
    seed: str,
    casting: Casting,
    main_coordinator: bool,
    staff: dict[str, User],
    today: date,
) -> Story | None:
    """Give the patient their story: a plan, the forms returned so far, and a case-review flag where it says."""
    episode = CareEpisode.objects.filter(patient=patient).order_by("-started_on").first()
    if episode is None:
        return None  # referred, not started yet
    rng = random.Random(seed)
    days = (today - episode.started_on).days
    offset = rng.randint(0, max(0, min(7, days - 14)))  # the baseline is asked at the first session
    story = casting.story_for(
        Facts(
            in_care=episode.ended_on is None,
            days_in_care=days,
            latest_review_age=(days - offset) % (7 * INTERVAL_WEEKS),
            main_coordinator=main_coordinator,
        )
    )
    if story.timed is not None:
        offset = (days - story.timed) % (7 * INTERVAL_WEEKS)
    if story.plan:
        _tell(patient, story, starts_on=episode.started_on + timedelta(days=offset), staff=staff, today=today, rng=rng)
    return story


# --- the history ------------------------------------------------------------------------------------------


def _tell(
    patient: Patient, story: Story, *, starts_on: date, staff: dict[str, User], today: date, rng: random.Random
) -> None:
    coordinator = staff["coordinator"]
    plan = measures_services.create_plan(
        patient,
        by=coordinator,
        details={
            "instruments": PLAN_INSTRUMENTS,
            "starts_on": starts_on,
            "interval_weeks": INTERVAL_WEEKS,
            "at_end_of_therapy": True,
            "follow_up_months": 12,
        },
        today=starts_on,  # the plan was agreed then; the history is lived forward from that day
    )
    returned = _returned_reviews(_reviews_due(patient, plan, today), story, today, rng)
    profile = Profile.draw(patient, story.course, rng, today)
    for step, (review, completed_at) in enumerate(returned):
        weeks = (review.due_on - returned[0][0].due_on).days / 7
        mode = EntryMode.INTERVIEW if rng.random() < 0.15 else EntryMode.PAPER
        last = step == len(returned) - 1
        measures_services.refresh_schedule(patient, today=review.due_on)  # what the clinic had on that day
        items = _scheduled_on(patient, review)
        for instrument_id in PLAN_INSTRUMENTS:
            answers = profile.answers(instrument_id, step=step, weeks=weeks, last=last, rng=rng)
            measures_services.enter_response(
                patient,
                instrument_id=instrument_id,
                answers=answers,
                entered_by=coordinator,
                submission_key=uuid.uuid5(
                    SUBMISSION_NAMESPACE, f"{patient.record_number}/{instrument_id}/{review.occasion}/{review.due_on}"
                ),
                completed_on=completed_at,
                mode=mode,
                scheduled=items[instrument_id],
            )
    measures_services.refresh_schedule(patient, today=today)
    if story.case_review:
        coordination_services.flag_for_case_review(
            patient,
            by=coordinator,
            reason=ReviewReason.NOT_IMPROVING,
            note="No change on any questionnaire since the start. Discuss adding graded activity with the physio.",
        )


@dataclass(frozen=True)
class Review:
    """One occasion of the plan: the five questionnaires due together."""

    due_on: date
    occasion: str


def _reviews_due(patient: Patient, plan: MeasurementPlan, today: date) -> list[Review]:
    """Every occasion of the plan up to today, from the plan's own timetable."""
    timetable = occasions(
        measures_services.plan_times(plan), therapy_ended_on=measures_selectors.therapy_ended_on(patient), until=today
    )
    return [Review(due_on, occasion) for due_on, occasion in timetable]


def _scheduled_on(patient: Patient, review: Review) -> dict[str, ScheduledMeasure]:
    rows = ScheduledMeasure.objects.filter(
        patient=patient, due_on=review.due_on, occasion=review.occasion, status=ScheduleStatus.OPEN
    )
    return {row.instrument: row for row in rows}


def _returned_reviews(
    reviews: list[Review], story: Story, today: date, rng: random.Random
) -> list[tuple[Review, datetime]]:
    """Which reviews came back, and when: most within a few days; today's, and some of the last days', not yet."""
    returned = []
    last = len(reviews) - 1
    must_return = story.course in (DETERIORATING, CRITICAL_ITEM)
    for index, review in enumerate(reviews):
        age = (today - review.due_on).days
        if (story.left_open and index > last - story.left_open) or age == 0:
            continue
        if age <= 3 and not must_return and rng.random() < 0.5:
            continue  # due now: not filled in yet
        returned_on = review.due_on + timedelta(days=rng.randint(0, min(5, age - 1)))
        moment = datetime.combine(returned_on, time(rng.randint(8, 20), rng.choice((0, 15, 30, 45))))
        returned.append((review, moment.replace(tzinfo=ZoneInfo(TIME_ZONE))))
    return returned


# --- answers ----------------------------------------------------------------------------------------------

# Which PHQ-15 and SSS-8 items a main symptom (ICPC-2) weighs on.
SYMPTOM_ITEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "A01": {"phq15": ("3", "2"), "sss8": ("3", "2")},  # pain, general
    "A04": {"phq15": ("14",), "sss8": ("7",)},  # weakness, tiredness
    "A11": {"phq15": ("6",), "sss8": ("5",)},  # chest pain
    "D01": {"phq15": ("1",), "sss8": ("1",)},  # abdominal pain
    "D09": {"phq15": ("13",), "sss8": ("1",)},  # nausea
    "D93": {"phq15": ("12",), "sss8": ("1",)},  # irritable bowel
    "K04": {"phq15": ("9",), "sss8": ("5",)},  # palpitations
    "L02": {"phq15": ("2",), "sss8": ("2",)},  # back
    "L03": {"phq15": ("2",), "sss8": ("2",)},  # low back
    "L18": {"phq15": ("3",), "sss8": ("3",)},  # muscle pain
    "N01": {"phq15": ("5",), "sss8": ("4",)},  # headache
    "N17": {"phq15": ("7",), "sss8": ("6",)},  # vertigo, dizziness
    "P01": {"phq15": ("9",), "sss8": ()},  # feeling anxious
    "P06": {"phq15": ("15",), "sss8": ("8",)},  # sleep disturbance
    "R02": {"phq15": ("10",), "sss8": ("5",)},  # shortness of breath
}

BASE_WEIGHTS: dict[str, dict[str, float]] = {
    "phq15": {"8": 0.15, "11": 0.3, "4": 0.5, "14": 1.3, "15": 1.0},
    "sss8": {"7": 1.3, "8": 1.0},
    "phq9": {"1": 1.0, "2": 1.0, "3": 1.2, "4": 1.5, "5": 0.6, "6": 0.7, "7": 0.9, "8": 0.4, "9": 0.0},
    "gad7": {"1": 1.2, "2": 1.0, "3": 1.0, "4": 1.2, "5": 0.6, "6": 0.8, "7": 0.7},
    "wsas": {"1": 1.3},
}
DIFFICULTY_ITEMS = {"phq9": "10", "gad7": "8"}  # recorded, not scored
WORSENING = {"phq15": 7, "sss8": 7, "phq9": 4, "gad7": 3, "wsas": 6}  # reliable only on the PHQ-15 and SSS-8
MAY_LEAVE_ONE_OUT = ("phq15", "phq9", "gad7")  # prorated by the engine; never the critical item


@dataclass
class Profile:
    """One patient's answering pattern: baselines, where their course goes, and which items weigh most."""

    course: str
    baseline: dict[str, int]
    final: dict[str, float]
    ramp_weeks: int
    weights: dict[str, dict[str, float]]
    fixed: dict[str, dict[str, Any]]  # items answered the same every time ("not applicable")

    @classmethod
    def draw(cls, patient: Patient, course: str, rng: random.Random, today: date) -> Profile:
        age = (today - patient.date_of_birth).days // 365
        phq15 = rng.randint(12, 18)
        anxious = "P01" in patient.main_symptoms
        baseline = {
            "phq15": phq15,
            "sss8": max(8, min(24, phq15 + rng.randint(-2, 3))),
            "phq9": rng.randint(13, 16) if course == CRITICAL_ITEM else rng.randint(8, 15),
            "gad7": rng.randint(7, 12) + (2 if anxious else 0),
            "wsas": rng.randint(14, 28),
        }
        low, high = (0.30, 0.45) if course == IMPROVING else (0.60, 0.78)
        final = {name: rng.uniform(low, high) for name in PLAN_INSTRUMENTS}
        fixed: dict[str, dict[str, Any]] = {name: {} for name in PLAN_INSTRUMENTS}
        if patient.sex != "female" or age >= 52:
            fixed["phq15"]["4"] = NOT_APPLICABLE
        if age >= 67:
            fixed["wsas"]["1"] = NOT_APPLICABLE  # retired
        weights = {name: item_weights(name, patient.main_symptoms, rng) for name in PLAN_INSTRUMENTS}
        return cls(course, baseline, final, rng.randint(12, 20), weights, fixed)

    def target(self, name: str, *, step: int, weeks: float, last: bool, rng: random.Random) -> int:
        """The total this review aims at; the engine scores the answers built from it."""
        base = self.baseline[name]
        if step == 0:
            return base
        if self.course == DETERIORATING and last:
            return base + WORSENING[name]
        ratio = 1.0
        if self.course in (IMPROVING, PARTIAL):
            ratio = 1 - (1 - self.final[name]) * min(1.0, weeks / self.ramp_weeks)
        spread = 2 if name == "wsas" else 1
        value = int(base * ratio + 0.5) + spread * rng.choice((-1, 0, 0, 1))
        if self.course in (STUCK, DETERIORATING, CRITICAL_ITEM):
            return max(base - 2 * spread, min(base + spread, value))
        return max(0, min(base + 1, value))

    def answers(self, name: str, *, step: int, weeks: float, last: bool, rng: random.Random) -> dict[str, Any]:
        instrument = definitions.instrument(name)
        fixed = dict(self.fixed[name])
        if name == "phq9":
            fixed["9"] = 1 if self.course == CRITICAL_ITEM and last else 0
        target = self.target(name, step=step, weeks=weeks, last=last, rng=rng)
        answers = spread_answers(instrument, target, self.weights[name], fixed, rng)
        middle = step > 0 and not last and self.course in (IMPROVING, PARTIAL)
        if middle and name in MAY_LEAVE_ONE_OUT and rng.random() < 0.05:
            answered = [item for item, value in answers.items() if isinstance(value, int) and item not in fixed]
            answers[rng.choice(sorted(answered, key=int))] = None  # left blank: the engine prorates
        if name in DIFFICULTY_ITEMS:
            given = sum(value for value in answers.values() if isinstance(value, int))
            answers[DIFFICULTY_ITEMS[name]] = 0 if given < 5 else 1 if given < 10 else 2 if given < 16 else 3
        return answers


def item_weights(name: str, symptoms: list[str], rng: random.Random) -> dict[str, float]:
    instrument = definitions.instrument(name)
    base = BASE_WEIGHTS[name]
    weights = {item.id: base.get(item.id, 0.6) * rng.uniform(0.7, 1.3) for item in instrument.scored_items}
    for code in symptoms:
        for item_id in SYMPTOM_ITEMS.get(code, {}).get(name, ()):
            weights[item_id] = 3.0 * rng.uniform(0.9, 1.1)
    return weights


def spread_answers(
    instrument: Instrument, target: int, weights: dict[str, float], fixed: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """Item answers adding up to `target` (fixed items aside), the heavier items taking more of it."""
    free = [item for item in instrument.scored_items if item.id not in fixed]
    points = target - sum(value for value in fixed.values() if isinstance(value, int))
    if NOT_APPLICABLE in fixed.values() and instrument.scoring and instrument.scoring.not_applicable == "prorated":
        points = int(target * len(free) / len(instrument.scored_items) + 0.5)  # the engine prorates it back
    values = {item.id: 0 for item in free}
    jitter = {item.id: weights[item.id] * rng.uniform(0.85, 1.15) for item in free}
    points = max(0, min(points, sum(item.highest for item in free if jitter[item.id] > 0)))
    while points > 0:
        room = [item for item in free if jitter[item.id] > 0 and values[item.id] < item.highest]
        weight = sum(jitter[item.id] for item in room)
        shares = {item.id: points * jitter[item.id] / weight for item in room}
        added = 0
        for item in room:
            step = min(int(shares[item.id]), item.highest - values[item.id])
            values[item.id] += step
            added += step
        if added == 0:
            chosen = max(room, key=lambda item: shares[item.id])
            values[chosen.id] += 1
            added = 1
        points -= added
    answers: dict[str, Any] = {item.id: None for item in instrument.items}
    answers.update(values)
    answers.update(fixed)
    return answers
