"""The demo clinic's diaries: set up with the therapist, three to four months of days with gaps, late entries,
check-ins, wins and notes; Milan Koster's planted patterns and boom-bust cycle found by the diary's own code;
the same seed, the same diaries; nothing in the future; and sharing as each patient chose.

The demo clinic is loaded once for the package (`conftest.demo_clinic`)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.utils import timezone, translation

from commonground.demo.diary import LATE_NIGHT, PATTERNS, plan_diary, values_of_plan
from commonground.demo.seed import SEED, SeedResult, load_demo_clinic
from commonground.diary import pacing, selectors
from commonground.diary.choices import DEFAULT_SHARED, EntryKind, Part, Scale
from commonground.diary.definitions import SLEEP_HOURS, TRIGGER_PREFIX, Definition
from commonground.diary.models import DiaryEntry, DiarySetUp, DiaryVersion, PacingStep
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import Patient
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

SLEEP_AND_TIREDNESS = (SLEEP_HOURS, "fatigue", 0)
LATE_NIGHT_AND_PAIN = (TRIGGER_PREFIX + LATE_NIGHT, "pain", 1)
PLANTED = {SLEEP_AND_TIREDNESS, LATE_NIGHT_AND_PAIN}


def _today() -> date:
    return clock.local_date(clock.now(), "Europe/Amsterdam")


def _patient(username: str) -> Patient:
    return Patient.objects.select_related("user").get(user__username=username)


def _diary(patient: Patient) -> tuple[DiarySetUp, Definition]:
    set_up = selectors.set_up_of(patient)
    definition = selectors.definition_of(set_up)
    assert set_up is not None and definition is not None
    return set_up, definition


def test_the_portal_patients_and_several_others_keep_a_diary_set_up_with_their_therapist(demo_clinic: SeedResult):
    set_ups = list(DiarySetUp.objects.select_related("patient__user", "current__made_by"))
    keepers = {set_up.patient for set_up in set_ups}
    portal = set(Patient.objects.filter(user__isnull=False))
    assert portal <= keepers and len(keepers) >= 6
    for set_up in set_ups:
        patient = set_up.patient
        assert patient.status == PatientStatus.ACTIVE
        assert set_up.current is not None and set_up.current.made_by.username == "therapist"
        assert DiaryVersion.objects.filter(set_up=set_up).count() == 1
        definition = selectors.definition_of(set_up)
        assert definition is not None
        assert 2 <= len(definition.symptoms) <= 3
        assert set(definition.scales) == {Scale.ENERGY, Scale.MOOD, Scale.STRESS, Scale.EASE}
        assert definition.valued_activity and definition.track_sleep
        assert 3 <= len(definition.activities) <= 4 and 1 <= len(definition.own_practice) <= 2
        assert len(definition.triggers) == 2 and len(definition.warning_signs) == 2
        episode = patient.episodes.filter(ended_on__isnull=True).get()
        assert set_up.started_on > episode.started_on  # at a session, once care had started


def test_each_diary_has_three_to_four_months_of_days_with_gaps_late_entries_and_the_patients_words(
    demo_clinic: SeedResult,
):
    today = _today()
    missing, late = [], 0
    for set_up in DiarySetUp.objects.select_related("patient"):
        entries = DiaryEntry.objects.filter(patient=set_up.patient)
        daily = entries.filter(kind=EntryKind.DAILY)
        days = sorted(daily.values_list("day", flat=True))
        assert days[0] == set_up.started_on and days[-1] == today - timedelta(days=1)
        span = (today - set_up.started_on).days
        assert 90 <= span <= 120
        missing.append(1 - len(days) / span)
        assert 0.1 <= missing[-1] <= 0.2
        assert daily.filter(late=True).exists()
        late += daily.filter(late=True).count()
        assert entries.filter(kind=EntryKind.CHECK_IN).exists()
        assert daily.exclude(small_win="").count() >= 3 and daily.exclude(note="").count() >= 2
    assert 0.1 <= sum(missing) / len(missing) <= 0.2 and late >= 15


def test_no_entry_is_in_the_future_and_late_ones_were_written_within_three_days(demo_clinic: SeedResult):
    today, now = _today(), timezone.now()
    entries = list(DiaryEntry.objects.select_related("patient"))
    assert len(entries) > 500
    for entry in entries:
        written = clock.local_date(entry.recorded_at, entry.patient.time_zone)
        assert entry.day < today and entry.recorded_at <= now
        assert written >= entry.day and (written - entry.day).days <= 3
        assert entry.late == (written > entry.day)
    assert not DiaryEntry.objects.filter(recorded_at__gt=now).exists()
    assert not PacingStep.objects.filter(starts_on__gt=today).exists()


def test_milans_planted_patterns_are_what_his_patterns_page_finds(demo_clinic: SeedResult):
    milan = _patient("patient")
    _set_up, definition = _diary(milan)
    table = selectors.diary_table(milan)
    found = {
        (pattern.finding.factor, pattern.finding.outcome, pattern.finding.lag): pattern
        for pattern in selectors.personal_patterns(table, definition, words=translation)
    }
    assert set(found) >= PLANTED
    sleep = found[SLEEP_AND_TIREDNESS].finding
    assert -0.7 <= sleep.estimate <= -0.4 and sleep.n_days >= 60 and sleep.q_value <= 0.1
    late = found[LATE_NIGHT_AND_PAIN].finding
    assert 0.4 <= late.estimate <= 0.7 and late.n_days >= 60 and late.q_value <= 0.1
    unplanted = {key: pattern.finding.estimate for key, pattern in found.items() if key not in PLANTED}
    assert all(abs(rho) <= 0.5 for rho in unplanted.values()), unplanted
    assert "“A late night”" in found[LATE_NIGHT_AND_PAIN].for_patient
    assert "the next day tended to be higher" in found[LATE_NIGHT_AND_PAIN].for_patient
    assert "tended to be lower" in found[SLEEP_AND_TIREDNESS].for_patient


def test_milan_booms_then_flares_twice_and_has_one_graded_step_agreed_mid_way(demo_clinic: SeedResult):
    milan = _patient("patient")
    set_up, definition = _diary(milan)
    table = selectors.diary_table(milan)
    days = selectors.pacing_days(table, definition)
    base = pacing.baseline(days)
    assert base.days >= pacing.MIN_BASELINE_DAYS
    found = pacing.booms_and_busts(days)
    steps = selectors.pacing_steps(milan)
    planned = selectors.planned_load(steps, [day.on for day in days])
    episodes = pacing.booms_and_busts(days, planned=planned)
    assert len(episodes) == 2
    assert {(e.boom_on, e.flare_on) for e in episodes} <= {(e.boom_on, e.flare_on) for e in found}  # plan or none
    rows = table.rows
    for episode in episodes:
        assert rows[episode.boom_on]["activity_load"] >= 1.5 * max(base.activity, planned.get(episode.boom_on, 0))
        assert 1 <= (episode.flare_on - episode.boom_on).days <= 2
        flare = rows[episode.flare_on][definition.pacing_symptom]
        assert flare is not None and flare >= base.symptom + 2
    assert episodes[-1].flare_on >= _today() - timedelta(days=28)  # recent: the diary's home page shows it
    (step,) = steps
    first, last = set_up.started_on, _today() - timedelta(days=1)
    assert step.agreed_by.username == "therapist" and step.daily_load > base.activity
    assert first + timedelta(days=30) <= step.starts_on <= last - timedelta(days=30)
    assert episodes[0].boom_on < step.starts_on < episodes[1].boom_on


def test_the_same_seed_gives_the_same_diaries(demo_clinic: SeedResult):
    milan = _patient("patient")
    today, seed = _today(), f"{SEED}/diary"
    first, again = plan_diary(milan, today=today, seed=seed), plan_diary(milan, today=today, seed=seed)
    assert first is not None and first == again and first.story == PATTERNS
    written = {
        entry.day: entry for entry in DiaryEntry.objects.filter(patient=milan, kind=EntryKind.DAILY).order_by("day")
    }
    assert list(written) == [day.day for day in first.days]
    for day in first.days:
        entry = written[day.day]
        stored = {name: getattr(entry, name) for name in values_of_plan(day)}
        assert stored == values_of_plan(day)
        assert entry.late == day.late
    joost = _patient("patient2")
    other = plan_diary(joost, today=today, seed=seed)
    assert other is not None and [day.values.ratings for day in other.days] != [
        day.values.ratings for day in first.days
    ]


def test_sharing_and_reminders_are_as_the_patients_chose(demo_clinic: SeedResult):
    milan_set_up, _definition = _diary(_patient("patient"))
    assert set(milan_set_up.shared_parts) == set(DEFAULT_SHARED) and Part.NOTES not in milan_set_up.shared_parts
    assert (milan_set_up.reminder_at, milan_set_up.quiet_from, milan_set_up.quiet_until) == (
        time(19, 0),
        time(21, 0),
        time(8, 0),
    )
    joost = _patient("patient2")
    joost_set_up, _joost_definition = _diary(joost)
    assert selectors.team_parts(joost_set_up) == {Part.RATINGS, Part.SLEEP}
    seen = {column.key for column in selectors.diary_table(joost, parts=selectors.team_parts(joost_set_up)).columns}
    everything = {column.key for column in selectors.diary_table(joost).columns}
    assert "activity_load" in everything and "activity_load" not in seen and SLEEP_HOURS in seen
    others = DiarySetUp.objects.exclude(patient__user__isnull=False)
    assert all(set(set_up.shared_parts) == set(DEFAULT_SHARED) for set_up in others)


def test_milan_sees_his_diary_and_his_patterns_in_the_portal(demo_clinic: SeedResult):
    milan = _patient("patient")
    client = signed_in(milan.user)
    home = client.get("/portal/diary/")
    assert home.status_code == 200
    patterns = client.get("/portal/diary/patterns/").content.decode()
    assert "A late night" in patterns and "Hours of sleep" in patterns


def test_a_second_seed_leaves_the_diaries_as_they_are(demo_clinic: SeedResult):
    counts = (DiarySetUp.objects.count(), DiaryEntry.objects.count(), PacingStep.objects.count())
    assert not load_demo_clinic().created
    assert (DiarySetUp.objects.count(), DiaryEntry.objects.count(), PacingStep.objects.count()) == counts
