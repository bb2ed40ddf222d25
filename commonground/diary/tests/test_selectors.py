"""Personal patterns as the pages read them (issue 6, item 4): the patient's own diary, every outcome they care
about in one family, only findings that pass, each pair said once, triggers in plain words."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from commonground.diary import selectors, services
from commonground.diary.entries import EntryValues
from commonground.diary.tests.support import set_up
from commonground.kit import clock

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)


def _write_days(patient: Any, days: int, make: Any) -> None:
    for n in range(days):
        on = START + timedelta(days=n)
        with clock.pinned(datetime(on.year, on.month, on.day, 18, 0, tzinfo=UTC)):
            services.record_entry(patient, day=on, values=make(n))


def test_a_planted_pattern_is_found_and_said_in_plain_words(patient_record: Any, therapist: Any) -> None:
    diary_rng = random.Random(7)
    set_up(patient_record, therapist, outcomes=["fatigue"])
    late_nights = [diary_rng.random() < 0.4 for _ in range(61)]

    def make(n: int) -> EntryValues:
        sleep = diary_rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5])
        fatigue = round(min(10, max(0, 12 - sleep + diary_rng.gauss(0, 1))))
        pain = round(min(10, max(0, 3 + 3 * late_nights[n - 1] + diary_rng.gauss(0, 1)))) if n else 4
        triggers = ("a-late-night",) if late_nights[n] else ()
        return EntryValues(
            ratings={"fatigue": fatigue, "pain": pain, "mood": diary_rng.randint(0, 10)},
            sleep_hours=Decimal(str(sleep)),
            triggers=triggers,
        )

    _write_days(patient_record, 60, make)
    table = selectors.diary_table(patient_record)
    found = selectors.personal_patterns(
        table, selectors.definition_of(selectors.set_up_of(patient_record)), words=translation
    )
    by_factor = {(p.finding.factor, p.finding.lag): p for p in found}
    sleep = by_factor[("sleep_hours", 0)]
    assert sleep.finding.estimate < -0.4 and sleep.finding.outcome == "fatigue"
    assert "“Hours of sleep” was higher, “Tiredness (fatigue)” tended to be lower" in sleep.for_patient
    assert "not that one causes the other" in sleep.for_patient
    assert all(p.finding.q_value <= 0.1 and p.finding.n_days >= 21 for p in found)
    assert "Spearman ρ" in sleep.for_clinician


def test_a_trigger_reads_as_something_noticed(patient_record: Any, therapist: Any) -> None:
    rng = random.Random(11)
    set_up(patient_record, therapist, outcomes=["pain"])
    noticed = [rng.random() < 0.45 for _ in range(61)]

    def make(n: int) -> EntryValues:
        pain = round(min(10, max(0, 3 + 4 * noticed[n - 1] + rng.gauss(0, 1)))) if n else 3
        return EntryValues(ratings={"pain": pain}, triggers=("a-late-night",) if noticed[n] else ())

    _write_days(patient_record, 60, make)
    table = selectors.diary_table(patient_record)
    found = selectors.personal_patterns(
        table, selectors.definition_of(selectors.set_up_of(patient_record)), words=translation
    )
    lagged = [p for p in found if p.finding.factor == "trigger:a-late-night" and p.finding.lag == 1]
    assert lagged and lagged[0].for_patient.startswith(
        "After days when you noticed “A late night”, “Pain” the next day tended to be higher."
    )


def test_two_outcomes_that_go_together_are_said_once(patient_record: Any, therapist: Any) -> None:
    rng = random.Random(3)
    set_up(patient_record, therapist, outcomes=["energy", "mood"])

    def make(_n: int) -> EntryValues:
        energy = rng.randint(0, 10)
        return EntryValues(ratings={"energy": energy, "mood": min(10, max(0, energy + rng.choice([-1, 0, 1])))})

    _write_days(patient_record, 40, make)
    table = selectors.diary_table(patient_record)
    found = selectors.personal_patterns(
        table, selectors.definition_of(selectors.set_up_of(patient_record)), words=translation
    )
    same_day = [p for p in found if p.finding.lag == 0 and {p.finding.factor, p.finding.outcome} == {"energy", "mood"}]
    assert len(same_day) == 1


def test_fewer_days_than_the_minimum_show_nothing(patient_record: Any, therapist: Any) -> None:
    rng = random.Random(5)
    set_up(patient_record, therapist, outcomes=["pain"])
    _write_days(
        patient_record, 20, lambda _n: EntryValues(ratings={"pain": rng.randint(0, 10), "mood": rng.randint(0, 10)})
    )
    table = selectors.diary_table(patient_record)
    assert (
        selectors.personal_patterns(
            table, selectors.definition_of(selectors.set_up_of(patient_record)), words=translation
        )
        == []
    )


def test_pacing_is_read_from_the_whole_diary_and_only_with_activities_and_ratings(
    patient_record: Any, therapist: Any
) -> None:
    from commonground.diary.entries import Activity

    set_up(patient_record, therapist, outcomes=["pain"])
    activity = {14: 90}  # a boom on the day after the baseline weeks …
    pain = {15: 7}  # … and a flare the next day

    def make(n: int) -> EntryValues:
        minutes = activity.get(n, 30)
        return EntryValues(
            ratings={"pain": pain.get(n, 4)},
            activities=(Activity("walking-the-dog", done=True, minutes=minutes, effort=5),),
        )

    _write_days(patient_record, 17, make)
    definition = selectors.definition_of(selectors.set_up_of(patient_record))
    today = START + timedelta(days=16)
    picture = selectors.pacing_picture(patient_record, definition, today=today)
    assert picture is not None
    boom, flare = START + timedelta(days=14), START + timedelta(days=15)
    assert [(e.boom_on, e.flare_on) for e in picture.episodes] == [(boom, flare)]
    assert picture.feedback is not None and picture.feedback.kind == "within"
    team = selectors.pacing_picture(patient_record, definition, today=today, parts=frozenset({"ratings"}))
    assert team is None


def test_the_weekly_summary_averages_each_week_and_counts_its_days() -> None:
    rows: dict[date, dict[str, float | None]] = {
        START: {"pain": 2.0},
        START + timedelta(days=1): {"pain": 4.0},
        START + timedelta(days=3): {"pain": None},
        START + timedelta(days=8): {"pain": 7.0},
    }
    weeks = selectors.weekly_summary(
        rows, ["pain"], first=START, last=START + timedelta(days=9), filled={START, START + timedelta(days=1)}
    )
    assert [(w.start, w.days, w.filled, w.means["pain"]) for w in weeks] == [
        (START + timedelta(days=7), 3, 0, 7.0),
        (START, 7, 2, 3.0),
    ]


# --- a new valued activity: old ease ratings keep their meaning ----------------------------------------------


def _ease_on(patient: Any, on: date, ease: int) -> None:
    with clock.pinned(datetime(on.year, on.month, on.day, 18, 0, tzinfo=UTC)):
        services.record_entry(patient, day=on, values=EntryValues(ratings={"ease": ease, "pain": 4}))


def test_ratings_about_an_activity_no_longer_named_stay_their_own_variable(patient_record: Any, therapist: Any) -> None:
    from commonground.diary.definitions import higher_is_better
    from commonground.diary.tests.support import typical_definition

    with clock.pinned(datetime(START.year, START.month, START.day, 9, 0, tzinfo=UTC)):
        set_up(patient_record, therapist)  # "Playing with my grandchildren"
    _ease_on(patient_record, START, 3)
    work = typical_definition(valued_activity="Going to work")
    services.set_up_diary(patient_record, definition=work, by=therapist, reason="A new aim")
    _ease_on(patient_record, START + timedelta(days=1), 7)

    table = selectors.diary_table(patient_record)
    old_key = "ease:playing-with-my-grandchildren"
    assert table.rows[START][old_key] == 3 and "ease" not in table.rows[START]
    assert table.rows[START + timedelta(days=1)]["ease"] == 7 and old_key not in table.rows[START + timedelta(days=1)]
    labels = {item.key: item.label for item in table.columns}
    assert labels["ease"].endswith(": Going to work")
    assert labels[old_key].endswith(": Playing with my grandchildren")
    assert higher_is_better(old_key) is True
    team = selectors.diary_table(patient_record, parts=frozenset({"ratings"}))
    assert team.rows[START][old_key] == 3  # shared with the ratings, like the rating it is
    assert old_key not in {
        item.key for item in selectors.diary_table(patient_record, parts=frozenset({"sleep"})).columns
    }


def test_the_same_activity_in_other_capitals_or_spacing_keeps_its_ratings(patient_record: Any, therapist: Any) -> None:
    from commonground.diary.tests.support import typical_definition

    with clock.pinned(datetime(START.year, START.month, START.day, 9, 0, tzinfo=UTC)):
        set_up(patient_record, therapist)
    _ease_on(patient_record, START, 3)
    same = typical_definition(valued_activity="playing with  my Grandchildren")
    services.set_up_diary(patient_record, definition=same, by=therapist, reason="Tidied the words")
    table = selectors.diary_table(patient_record)
    assert table.rows[START]["ease"] == 3
    assert not any(item.key.startswith("ease:") for item in table.columns)


# --- home practice done: only on days there was practice to do ----------------------------------------------


def test_practice_done_is_empty_on_days_without_practice_to_do(patient_record: Any, therapist: Any) -> None:
    from commonground.careplans.models import HomePractice

    with clock.pinned(datetime(START.year, START.month, START.day, 9, 0, tzinfo=UTC)):
        set_up(patient_record, therapist, own_practice=[])
    for n in range(4):
        _ease_on(patient_record, START + timedelta(days=n), 5)
    assert [
        selectors.diary_table(patient_record).rows[START + timedelta(days=n)]["practice_done"] for n in range(4)
    ] == [None] * 4
    HomePractice.objects.create(
        patient=patient_record,
        organisation_id=patient_record.organisation_id,
        title="Breathing out slowly",
        starts_on=START + timedelta(days=2),
        ends_on=START + timedelta(days=2),
        assigned_by=therapist,
    )
    rows = selectors.diary_table(patient_record).rows
    assert [rows[START + timedelta(days=n)]["practice_done"] for n in range(4)] == [None, None, 0.0, None]


def test_practice_done_counts_none_done_when_the_patient_has_their_own(patient_record: Any, therapist: Any) -> None:
    with clock.pinned(datetime(START.year, START.month, START.day, 9, 0, tzinfo=UTC)):
        set_up(patient_record, therapist)  # with "Stretching in the morning"
    _ease_on(patient_record, START, 5)
    assert selectors.diary_table(patient_record).rows[START]["practice_done"] == 0.0
