"""The synthetic clinic's diaries (issue 6): portal accounts, co-created set-ups and a year of daily entries.

For a sample of the clinic's patients (`config.DIARY_PATIENTS`, the coordinator's 120 among them) there is a
portal account (`bench-patient-NNNNNN`, the staff's password hash), a diary set-up co-created with their
coordinator, saved as one version (`commonground.diary.definitions.build(...).to_json()`: two symptoms and the
four everyday scales — six ratings —, sleep, three activities, one home practice, four triggers and a warning
sign: 15 variables), and a year of entries: a daily entry on about nine days in ten (gaps of a few days now and
then), a few extra check-ins, a few entries filled in late. The values follow a plausible model — a slowly
drifting flare state, triggers that raise the symptoms, sleep that moves energy and the next day's symptoms,
activity with its effort — so personal patterns find real links. Every entry has its creation row in the
record history (as `save_new` writes it); no audit events are added for them (the measures' responses add none
either), so the audit trail and its sealing job stay as before.

The year ends `ENDS_DAYS_BEFORE_BUILD` days before the clinic is built: today and the three days before it (the
days a patient may fill in) stay free for `diary_submit`, whenever the cached clinic is used.

Each patient's diary comes from a random generator of their own (seeded by the clinic seed and the patient's
number), so the rest of the clinic is the same as without it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.config import DIARY_USERNAME
from benchmarks.loader import HISTORICAL, history_row
from commonground.diary import definitions
from commonground.diary.choices import ACTIVITY_MINUTES, DEFAULT_SHARED

Rows = dict[str, list[tuple[Any, ...]]]

DIARY_DAYS = 365
ENDS_DAYS_BEFORE_BUILD = 5  # the patient's today and the 3 days before it stay free, in any time zone
VARIABLES = 15
SCALES = ("energy", "mood", "stress", "ease")
SYMPTOM_PAIRS = (
    ("pain", "fatigue"), ("fatigue", "dizziness"), ("headache", "pain"), ("gut", "fatigue"),
    ("pain", "breathlessness"), ("palpitations", "fatigue"),
)  # fmt: skip
VALUED = (
    "Playing with my grandchildren", "Working in my garden", "Meeting friends", "Going back to work",
    "Singing in the choir",
)  # fmt: skip
ACTIVITIES = (
    "Walking the dog", "Gardening", "Shopping", "Cooking", "Cycling", "Swimming", "Housework", "Yoga class",
)  # fmt: skip
TRIGGERS = (
    "A late night", "A stressful day", "Cold weather", "Skipping a meal", "Too much screen time", "An argument",
    "A long car journey",
)  # fmt: skip
PRACTICE = ("Stretching in the morning", "Breathing exercise", "Body scan")
SIGNS = ("Jaw clenching", "Snapping at people", "Shallow breathing")
WINS = (
    "Walked to the shop and back", "Slept through the night", "Laughed with my daughter", "Cooked a proper meal",
    "Took my rest breaks", "Said no to something", "Finished a chapter of my book",
)  # fmt: skip
NOTES = ("Busy day, tired in the evening", "Weather changed", "Visitors in the afternoon", "Bad night before")
SET_UP_REASON = "Set up together"


@dataclass(frozen=True)
class DiaryPatient:
    index: int
    id: uuid.UUID
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    display_name: str
    email: str
    coordinator_id: uuid.UUID
    registered: datetime


def _rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 2_000_003 + index)


def user_id(seed: int, index: int) -> uuid.UUID:
    """The patient's portal account: decided before the patient's row is written (it names the account)."""
    return uuid.UUID(int=random.Random(seed * 3_000_017 + index).getrandbits(128), version=4)


def username(index: int) -> str:
    return DIARY_USERNAME.format(number=index + 1)


def definition_for(rng: random.Random) -> definitions.Definition:
    """A set-up as a clinic co-creates it: six ratings, sleep, three activities, practice, four triggers, a sign."""
    activities = rng.sample(ACTIVITIES, k=3)
    if rng.random() < 0.5 and "Walking the dog" not in activities:
        activities[0] = "Walking the dog"
    definition = definitions.build(
        symptoms=list(rng.choice(SYMPTOM_PAIRS)),
        scales=SCALES,
        valued_activity=rng.choice(VALUED),
        activities=activities,
        own_practice=[rng.choice(PRACTICE)],
        triggers=rng.sample(TRIGGERS, k=4),
        warning_signs=[rng.choice(SIGNS)],
    )
    if len(definition.variables()) != VARIABLES:
        raise AssertionError(f"a bench diary has {len(definition.variables())} variables, not {VARIABLES}")
    return definition


def _new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _add(rows: Rows, table: str, row: tuple[Any, ...], reason: str, user: uuid.UUID) -> None:
    rows.setdefault(table, []).append(row)
    rows.setdefault(HISTORICAL[table], []).append(history_row(row, reason, user))


def patient_diary(seed: int, now: datetime, patient: DiaryPatient, password_hash: str, rows: Rows) -> None:
    """The patient's account, diary set-up, its version and a year of entries, with their history rows."""
    rng = _rng(seed, patient.index)
    last = now.date() - timedelta(days=ENDS_DAYS_BEFORE_BUILD)
    first = last - timedelta(days=DIARY_DAYS - 1)
    joined = min(patient.registered, datetime.combine(first, time(9)))
    rows.setdefault("accounts_user", []).append(
        (
            patient.user_id, password_hash, None, False, username(patient.index), patient.display_name,
            patient.email, "patient", "", False, True, False, joined, None, "", patient.organisation_id,
        )
    )  # fmt: skip
    definition = definition_for(rng)
    set_up_at = datetime.combine(first, time(10)) - timedelta(minutes=rng.randint(5, 90))
    set_up_id, version_id = _new_id(rng), _new_id(rng)
    reminder = time(rng.choice((19, 20, 20, 21)), rng.choice((0, 30))) if rng.random() < 0.6 else None
    if reminder is not None and reminder >= time(21):
        reminder = time(20, 30)  # outside the quiet hours, as the service insists
    set_up = (
        set_up_id, set_up_at, set_up_at, 1, "active", patient.organisation_id, patient.id, version_id,
        [str(part) for part in DEFAULT_SHARED], reminder, time(21), time(8), first,
    )  # fmt: skip
    rows.setdefault("diary_diarysetup", []).append(set_up)
    # `set_up_diary` saves the set-up (its history row), then points it at its first version by a plain UPDATE.
    history = (*set_up[:7], None, *set_up[8:], set_up_at, SET_UP_REASON, "+", patient.coordinator_id)
    rows.setdefault(HISTORICAL["diary_diarysetup"], []).append(history)
    rows.setdefault("diary_diaryversion", []).append(
        (version_id, set_up_at, set_up_at, set_up_id, 1, definition.to_json(), SET_UP_REASON, patient.coordinator_id)
    )
    _entries(rng, patient, definition, version_id, first, last, rows)


def _entries(
    rng: random.Random,
    patient: DiaryPatient,
    definition: definitions.Definition,
    version_id: uuid.UUID,
    first: date,
    last: date,
    rows: Rows,
) -> None:
    symptoms = [item.key for item in definition.symptoms]
    activities = [item.key for item in definition.activities]
    triggers = [item.key for item in definition.triggers]
    trigger_odds = [rng.uniform(0.05, 0.25) for _ in triggers]
    practice = definition.own_practice[0].key
    sign = definition.warning_signs[0].key
    levels = [rng.uniform(2.5, 5.5) for _ in symptoms]
    flare, wrote_yesterday, last_quality, last_load = 0.0, True, 6, 0.0
    day = first
    while day <= last:
        flare = 0.8 * flare + rng.gauss(0, 0.55)
        writes = rng.random() < (0.93 if wrote_yesterday else 0.55)
        wrote_yesterday = writes
        if writes:
            noticed = [key for key, odds in zip(triggers, trigger_odds, strict=True) if rng.random() < odds]
            hours = 7.2 + rng.gauss(0, 0.8) - 0.3 * flare - (1.5 if triggers[0] in noticed else 0.0)
            sleep_hours = min(11.0, max(3.0, round(hours * 2) / 2))
            quality = _scale(6 - 0.9 * flare + 0.7 * (sleep_hours - 7) + rng.gauss(0, 1.1))
            done = _activities(rng, activities, flare)
            load = sum(a["minutes"] * a["effort"] / 10 for a in done if a["done"])
            first_symptom = _scale(
                levels[0] + 1.5 * flare + 0.8 * len(noticed) + 0.012 * last_load - 0.3 * (last_quality - 6)
                + rng.gauss(0, 0.9)
            )  # fmt: skip
            ratings = {
                symptoms[0]: first_symptom,
                symptoms[1]: _scale(levels[1] + 1.1 * flare - 0.5 * (sleep_hours - 7) + rng.gauss(0, 1.0)),
                "energy": _scale(6 - 1.1 * flare + 0.4 * (quality - 6) + rng.gauss(0, 1.0)),
                "mood": _scale(6.2 - 0.8 * flare - 0.5 * len(noticed) + rng.gauss(0, 1.1)),
                "stress": _scale(4 + 0.7 * flare + (1.5 if triggers[1] in noticed else 0.0) + rng.gauss(0, 1.1)),
                "ease": _scale(6.5 - 0.6 * (first_symptom - levels[0]) - 0.5 * flare + rng.gauss(0, 1.0)),
            }
            for key in list(ratings):
                if rng.random() < 0.03:
                    del ratings[key]  # a rating left out that day
            values = {
                "ratings": ratings,
                "sleep_hours": Decimal(f"{sleep_hours:.1f}") if rng.random() < 0.95 else None,
                "sleep_quality": quality if rng.random() < 0.95 else None,
                "activities": done,
                "rest_breaks": rng.randint(0, 6) if rng.random() < 0.8 else None,
                "practice": [practice] if rng.random() < 0.5 else [],
                "triggers": noticed,
                "warning_signs": [sign] if rng.random() < 0.05 + 0.05 * max(0.0, flare) else [],
                "small_win": rng.choice(WINS) if rng.random() < 0.12 else "",
                "note": rng.choice(NOTES) if rng.random() < 0.04 else "",
            }
            _entry(rng, patient, version_id, day, "daily", values, rows)
            if rng.random() < 0.06:  # an extra check-in in the afternoon: ratings (and now and then a note)
                check_in = {symptoms[0]: _scale(first_symptom + rng.gauss(0, 1)), "energy": ratings.get("energy", 5)}
                empty: dict[str, list[Any]] = {"activities": [], "practice": [], "triggers": [], "warning_signs": []}
                extra = {"ratings": check_in, "sleep_hours": None, "sleep_quality": None, "rest_breaks": None}
                _entry(rng, patient, version_id, day, "check_in", {**extra, **empty, "small_win": "", "note": ""}, rows)
            last_quality, last_load = quality, load
        day += timedelta(days=1)


def _scale(value: float) -> int:
    return min(10, max(0, round(value)))


def _activities(rng: random.Random, keys: list[str], flare: float) -> list[dict[str, Any]]:
    """What was planned and done that day, as the form stores it: only the activities answered."""
    answered = []
    for key in keys:
        planned = rng.random() < 0.45
        done = rng.random() < (0.75 if planned else 0.35) - 0.1 * max(0.0, flare)
        if not (planned or done):
            continue
        minutes = rng.choice(ACTIVITY_MINUTES[:6]) if done else None
        effort = min(10, max(1, round(rng.gauss(5, 1.8) + 0.8 * flare))) if done else None
        answered.append({"key": key, "planned": planned, "done": done, "minutes": minutes, "effort": effort})
    return answered


def _entry(
    rng: random.Random,
    patient: DiaryPatient,
    version_id: uuid.UUID,
    day: date,
    kind: str,
    values: dict[str, Any],
    rows: Rows,
) -> None:
    evening = kind == "daily"
    recorded = datetime.combine(day, time(19 if evening else 13)) + timedelta(minutes=rng.randint(0, 170))
    late = evening and rng.random() < 0.05
    if late:  # filled in the next day or the day after
        recorded += timedelta(days=rng.choice((1, 1, 2)), hours=-rng.randint(4, 10))
    row = (
        _new_id(rng), recorded, recorded, 1, "active", patient.organisation_id, patient.id, version_id, kind, day,
        recorded, late, values["ratings"], values["sleep_hours"], values["sleep_quality"], values["activities"],
        values["rest_breaks"], values["practice"], values["triggers"], values["warning_signs"], values["small_win"],
        values["note"], _new_id(rng),
    )  # fmt: skip
    _add(rows, "diary_diaryentry", row, "Entry saved" if evening else "Check-in saved", patient.user_id)
