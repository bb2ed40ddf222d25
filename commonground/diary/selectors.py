"""Reads of the diary: the set-up and its versions, entries, the diary as one row of variables a day (what
patterns, charts and the export read), completion, kind streaks, small wins and the pacing days.

What the care team may see is the patient's choice (`DiarySetUp.shared_parts`): `team_parts` says which parts,
and every read for the team passes them, so a part not shared never leaves this module for the team.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db.models import DateField, QuerySet, UUIDField

from commonground.careplans import selectors as plan_selectors
from commonground.diary import entries, pacing
from commonground.diary.choices import STRUCTURED_PARTS, EntryKind, Part, Scale
from commonground.diary.definitions import (
    ACTIVITY_LOAD,
    EASE_PREFIX,
    PRACTICE_DONE,
    REST_BREAKS,
    SLEEP_HOURS,
    SLEEP_QUALITY,
    TRIGGER_PREFIX,
    Definition,
    Item,
    ease_key,
    from_json,
)
from commonground.diary.entries import EntryValues
from commonground.diary.models import DiaryEntry, DiarySetUp, DiaryVersion, PacingStep
from commonground.kit.prepared import Param, PreparedRead
from commonground.patients.models import Patient

ALL_PARTS = frozenset(Part.values)
Row = dict[str, float | None]

# Every diary page reads the set-up and its current version, and the day's entry: prepared reads
# (kit/prepared.py). `order_by("pk")[:1]` is the SQL `.first()` sends.
SET_UP = PreparedRead(
    lambda: (
        DiarySetUp.objects.current()
        .select_related("current")
        .filter(patient_id=Param("patient", UUIDField()))
        .order_by("pk")[:1]
    )
)
DAILY_ENTRY = PreparedRead(
    lambda: (
        DiaryEntry.objects.current()
        .filter(patient_id=Param("patient", UUIDField()), day=Param("day", DateField()), kind=EntryKind.DAILY)
        .select_related("made_with")[:1]
    )
)


def set_up_of(patient: Patient) -> DiarySetUp | None:
    found: DiarySetUp | None = SET_UP.first(patient=patient.id)
    return found


def definition_of(set_up: DiarySetUp | None) -> Definition | None:
    if set_up is None or set_up.current is None:
        return None
    return from_json(set_up.current.definition)


def versions_of(set_up: DiarySetUp) -> QuerySet[DiaryVersion]:
    return DiaryVersion.objects.filter(set_up=set_up).select_related("made_by").order_by("number")


def team_parts(set_up: DiarySetUp | None) -> frozenset[str]:
    """The parts the patient shares with the care team (none before the diary is set up)."""
    if set_up is None:
        return frozenset()
    return frozenset(part for part in set_up.shared_parts if part in ALL_PARTS)


def entries_of(patient: Patient, *, since: date | None = None, until: date | None = None) -> QuerySet[DiaryEntry]:
    found = DiaryEntry.objects.current().filter(patient_id=patient.id).select_related("made_with")
    if since is not None:
        found = found.filter(day__gte=since)
    if until is not None:
        found = found.filter(day__lte=until)
    return found.order_by("day", "recorded_at")


def entry_of(patient: Patient, entry_id: UUID | str) -> DiaryEntry | None:
    try:
        found: DiaryEntry | None = entries_of(patient).filter(pk=entry_id).select_related("patient").first()
    except (ValueError, TypeError):
        return None
    return found


def daily_entry_on(patient: Patient, day: date) -> DiaryEntry | None:
    """The day's one daily entry (a unique constraint), with the version it was made with."""
    found: DiaryEntry | None = DAILY_ENTRY.first(patient=patient.id, day=day)
    return found


def values_of(entry: DiaryEntry) -> EntryValues:
    return entries.from_json(
        ratings=entry.ratings,
        sleep_hours=entry.sleep_hours,
        sleep_quality=entry.sleep_quality,
        activities=entry.activities,
        rest_breaks=entry.rest_breaks,
        practice=entry.practice,
        triggers=entry.triggers,
        warning_signs=entry.warning_signs,
        small_win=entry.small_win,
        note=entry.note,
    )


# --- the diary as variables, one row a day --------------------------------------------------------------------


def keys_in_parts(keys: list[str], definition: Definition, parts: frozenset[str]) -> list[str]:
    """The variables of `keys` that belong to the parts shared."""
    ratings = set(definition.rating_keys)

    def part_of(key: str) -> str:
        """A key no part names belongs to none, so it is never shared by accident."""
        if key in ratings or key.startswith(EASE_PREFIX):
            return Part.RATINGS
        if key in (SLEEP_HOURS, SLEEP_QUALITY):
            return Part.SLEEP
        if key in (ACTIVITY_LOAD, REST_BREAKS):
            return Part.ACTIVITIES
        if key == PRACTICE_DONE:
            return Part.PRACTICE
        if key.startswith(TRIGGER_PREFIX):
            return Part.TRIGGERS
        return ""

    return [key for key in keys if part_of(key) in parts]


@dataclass(frozen=True)
class DiaryTable:
    """Every variable ever recorded (the current set-up's first, in its order), and one row per day with an
    entry: a day's extra check-ins are averaged with its daily entry, each variable over the entries that
    recorded it."""

    columns: list[Item]
    rows: dict[date, Row]


def diary_table(
    patient: Patient, *, parts: frozenset[str] = ALL_PARTS, since: date | None = None, until: date | None = None
) -> DiaryTable:
    set_up = set_up_of(patient)
    current = definition_of(set_up)
    readings: dict[date, list[Row]] = defaultdict(list)
    columns: dict[str, Item] = {}
    if current is not None:
        columns.update({item.key: item for item in current.variables()})
    found = list(_plain_entries(patient, since=since, until=until))
    definitions = _definitions_of({entry.made_with_id for entry in found})
    for definition in definitions.values():
        ease = ease_key(definition, current)
        for item in definition.variables():
            key = ease if item.key == Scale.EASE else item.key
            columns.setdefault(key, Item(key, item.label))
    offered = _PracticeOffered(patient.id)
    for entry in found:
        made_with = definitions[entry.made_with_id]
        row = _with_ease_key(_variables(entry, made_with, parts), ease_key(made_with, current))
        if row.get(PRACTICE_DONE) == 0 and not made_with.own_practice and not offered.on(entry.day):
            row[PRACTICE_DONE] = None  # no practice to do that day: not "none done"
        readings[entry.day].append(row)
    shown = set(keys_in_parts(list(columns), current or Definition(), parts)) if current else None
    kept = [item for item in columns.values() if _column_shown(item.key, shown, definitions, parts)]
    averaged = {day: _average(rows) for day, rows in sorted(readings.items())}
    # A day with nothing shared to show (only a private note, say) is not a row at all.
    return DiaryTable(
        columns=kept,
        rows={day: row for day, row in averaged.items() if any(value is not None for value in row.values())},
    )


def _plain_entries(patient: Patient, *, since: date | None, until: date | None) -> QuerySet[DiaryEntry]:
    """Entries without their version: a year holds a handful of versions, each read and parsed once
    (`_definitions_of`), not once per entry."""
    return entries_of(patient, since=since, until=until).select_related(None)


def _definitions_of(version_ids: set[Any]) -> dict[Any, Definition]:
    versions = DiaryVersion.objects.filter(id__in=version_ids).values_list("id", "definition")
    return {version_id: from_json(definition) for version_id, definition in versions}


def _column_shown(key: str, shown: set[str] | None, definitions: dict[Any, Definition], parts: frozenset[str]) -> bool:
    if shown is not None and key in shown:
        return True
    return any(keys_in_parts([key], definition, parts) for definition in definitions.values())


def _variables(entry: DiaryEntry, definition: Definition, parts: frozenset[str]) -> Row:
    found = entries.variables_of(values_of(entry), definition)
    if entry.kind == EntryKind.CHECK_IN:  # a check-in records ratings only: nothing else was asked
        found = {key: value for key, value in found.items() if key in definition.rating_keys}
    allowed = set(keys_in_parts(list(found), definition, parts))
    return {key: value for key, value in found.items() if key in allowed}


class _PracticeOffered:
    """Whether the care plan had home practice on a day; its periods read once, and only when asked."""

    def __init__(self, patient_id: Any) -> None:
        self.patient_id = patient_id
        self.periods: list[tuple[date, date | None]] | None = None

    def on(self, day: date) -> bool:
        if self.periods is None:
            self.periods = plan_selectors.practice_periods(self.patient_id)
        return any(first <= day and (last is None or day <= last) for first, last in self.periods)


def _with_ease_key(row: Row, key: str) -> Row:
    if key == Scale.EASE or Scale.EASE not in row:
        return row
    return {(key if name == Scale.EASE else name): value for name, value in row.items()}


def _average(rows: list[Row]) -> Row:
    totals: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in row.items():
            if value is not None:
                totals[key].append(value)
            else:
                totals.setdefault(key, [])
    return {key: (sum(values) / len(values) if values else None) for key, values in totals.items()}


# --- completion, streaks, wins ----------------------------------------------------------------------------------


def days_with_entries(patient: Patient, *, since: date, until: date) -> set[date]:
    return set(entries_of(patient, since=since, until=until).filter(kind=EntryKind.DAILY).values_list("day", flat=True))


def days_filled_in_late(patient: Patient, *, since: date, until: date) -> set[date]:
    """The days whose daily entry was filled in later (on one of the next three days)."""
    found = entries_of(patient, since=since, until=until).filter(kind=EntryKind.DAILY, late=True)
    return set(found.values_list("day", flat=True))


def completion(days: set[date], *, since: date, until: date) -> tuple[int, int]:
    """(days with a daily entry, days in the period)."""
    total = (until - since).days + 1
    return len([day for day in days if since <= day <= until]), max(total, 0)


def streak(days: set[date], today: date) -> int:
    """Days in a row with an entry, up to today (or up to yesterday while today is not filled in yet)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class Week:
    start: date
    end: date
    days: int
    filled: int  # days with a daily entry
    means: dict[str, float | None]  # each variable's mean over the days that recorded it, to one decimal


def weekly_summary(rows: dict[date, Row], keys: list[str], *, first: date, last: date, filled: set[date]) -> list[Week]:
    """Weeks of seven days from `first` (the last one may be shorter), most recent first."""
    weeks = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=6), last)
        in_week = [row for day, row in rows.items() if start <= day <= end]
        means: dict[str, float | None] = {}
        for key in keys:
            values = [value for row in in_week if (value := row.get(key)) is not None]
            means[key] = round(sum(values) / len(values), 1) if values else None
        entered = len([day for day in filled if start <= day <= end])
        weeks.append(Week(start, end, (end - start).days + 1, entered, means))
        start = end + timedelta(days=1)
    return list(reversed(weeks))


def small_wins(patient: Patient, *, limit: int = 50) -> list[tuple[date, str]]:
    found = entries_of(patient).exclude(small_win="").order_by("-day", "-recorded_at")[:limit]
    return [(entry.day, entry.small_win) for entry in found]


# --- pacing ---------------------------------------------------------------------------------------------------


def pacing_steps(patient: Patient) -> list[PacingStep]:
    return list(
        PacingStep.objects.current()
        .filter(patient_id=patient.id)
        .select_related("agreed_by")
        .order_by("starts_on", "created_at")
    )


def pacing_step_of(patient: Patient, step_id: UUID | str) -> PacingStep | None:
    try:
        found: PacingStep | None = (
            PacingStep.objects.current().filter(patient_id=patient.id, pk=step_id).select_related("patient").first()
        )
    except (ValueError, TypeError):
        return None
    return found


def planned_load(steps: list[PacingStep], days: list[date]) -> dict[date, float]:
    """For each day, the daily activity of the latest step started by then (no step: no plan)."""
    planned: dict[date, float] = {}
    for day in days:
        started = [step for step in steps if step.starts_on <= day]
        if started:
            planned[day] = float(started[-1].daily_load)
    return planned


def pacing_days(table: DiaryTable, definition: Definition | None) -> list[pacing.Day]:
    """The days pacing reads: the activity load and the symptom the set-up follows for pacing."""
    symptom = definition.pacing_symptom if definition else ""
    return [
        pacing.Day(on=day, activity=row.get(ACTIVITY_LOAD), symptom=row.get(symptom) if symptom else None)
        for day, row in table.rows.items()
    ]


@dataclass(frozen=True)
class PacingPicture:
    feedback: pacing.Feedback | None  # the latest day with activity (today or yesterday), against the usual
    episodes: list[pacing.Episode]  # every boom-bust episode, oldest first
    steps: list[PacingStep]  # graded-activity steps, oldest first
    step: PacingStep | None  # the step in force today


PACING_PARTS = frozenset({Part.ACTIVITIES, Part.RATINGS})


def pacing_picture(
    patient: Patient,
    definition: Definition | None,
    *,
    today: date,
    parts: frozenset[str] = ALL_PARTS,
    whole: DiaryTable | None = None,
) -> PacingPicture | None:
    """Pacing from the whole diary (never the window a page shows, so patient and team see one baseline); a page
    that has read the whole diary already passes it as `whole`. None without activities or a symptom to follow,
    or, for the team, unless activities and ratings are shared."""
    if definition is None or not definition.activities or not definition.pacing_symptom:
        return None
    if not parts >= PACING_PARTS:
        return None
    days = pacing_days(whole if whole is not None else diary_table(patient, parts=PACING_PARTS), definition)
    steps = pacing_steps(patient)
    planned = planned_load(steps, [day.on for day in days])
    recent = [day.on for day in days if day.activity is not None and day.on >= today - timedelta(days=1)]
    feedback = pacing.day_feedback(days, max(recent), planned=planned) if recent else None
    try:
        episodes = pacing.booms_and_busts(days, planned=planned)
    except pacing.NotEnoughDays:
        episodes = []
    in_force = [step for step in steps if step.starts_on <= today]
    return PacingPicture(feedback, episodes, steps, in_force[-1] if in_force else None)


# --- personal patterns ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    finding: Any  # patterns.Finding
    for_patient: str
    for_clinician: str


def personal_patterns(
    table: DiaryTable, definition: Definition | None, *, words: Any, shown: set[str] | None = None
) -> list[Pattern]:
    """The findings that pass (patterns.findings: every outcome the patient cares about, each factor, lag 0 and 1,
    one Benjamini-Hochberg family), in plain words. A finding that does not pass is never returned. When two
    outcomes go together on the same day, the pair is one finding, said once.

    `table` is always the whole diary, so the family (and so every q-value) is the one the patient's own page
    tests; the care team passes `shown`, the variables the patient shares, and gets only the findings whose
    factor and outcome are both shared."""
    from commonground.diary import patterns

    if definition is None or not table.rows:
        return []
    columns = {item.key for item in table.columns}
    outcomes = [key for key in definition.outcomes if key in columns]
    if not outcomes:
        return []
    labels = {item.key: item.label for item in table.columns}
    triggers = {key for key in columns if key.startswith(TRIGGER_PREFIX)}
    plain = labels | {TRIGGER_PREFIX + item.key: item.label for item in definition.triggers}
    found, said = [], set()
    for finding in patterns.findings(table.rows, outcomes):
        if shown is not None and not {finding.factor, finding.outcome} <= shown:
            continue
        pair = (frozenset((finding.factor, finding.outcome)), finding.lag) if finding.lag == 0 else None
        if pair is not None and pair in said:
            continue
        said.add(pair)
        found.append(
            Pattern(
                finding,
                patterns.describe(finding, plain, words=words, noticed=triggers),
                patterns.describe_for_clinician(finding, labels, words=words),
            )
        )
    return found


# --- what the patient wrote, as far as shared -----------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """An entry's words and noticed signs, only the parts shared (empty strings and lists otherwise)."""

    day: date
    kind: str
    late: bool
    small_win: str
    warning_signs: list[str]
    note: str


def written(patient: Patient, *, parts: frozenset[str], since: date, until: date) -> list[Written]:
    """Entries of the period with a small win, a warning sign noticed or a note, each part only if shared;
    most recent first."""
    wanted = {Part.WINS, Part.TRIGGERS, Part.NOTES} & parts
    if not wanted:
        return []
    found = []
    entries = list(_plain_entries(patient, since=since, until=until).order_by("-day", "-recorded_at"))
    definitions = _definitions_of({entry.made_with_id for entry in entries})
    for entry in entries:
        definition = definitions[entry.made_with_id]
        signs = [_label_of(definition.warning_signs, key) for key in entry.warning_signs]
        item = Written(
            day=entry.day,
            kind=entry.kind,
            late=entry.late,
            small_win=entry.small_win if Part.WINS in parts else "",
            warning_signs=signs if Part.TRIGGERS in parts else [],
            note=entry.note if Part.NOTES in parts else "",
        )
        if item.small_win or item.warning_signs or item.note:
            found.append(item)
    return found


def _label_of(items: tuple[Item, ...], key: str) -> str:
    return next((item.label for item in items if item.key == key), key)


def today_status(patient: Patient, today: date) -> str:
    """For the patient's Today page: "" without a diary, "filled" when today's entry is there, else "waiting"."""
    found = DiaryEntry.objects.current().filter(patient_id=patient.id, day=today, kind=EntryKind.DAILY)
    if not DiarySetUp.objects.current().filter(patient_id=patient.id, current__isnull=False).exists():
        return ""
    return "filled" if found.exists() else "waiting"


def silent_diaries(organisation_id: Any, *, today: date, days: int) -> list[tuple[Patient, date]]:
    """Patients in care (record and status active) of the clinic who keep a diary started at least `days` ago
    and wrote no day's entry for `days` days: each with the day the silence began (the last day's entry, or
    the diary's start when there is none), by patient (one query, for the escalation rules engine).

    Only diaries whose days the team may see: a patient who shares none of the structured parts has not told
    the team when they write, so neither does a silence."""
    from django.db.models import Max, OuterRef, Q, Subquery

    from commonground.kit.models import RecordStatus
    from commonground.patients.choices import PatientStatus

    last_entries = (
        DiaryEntry.objects.current()
        .filter(patient_id=OuterRef("patient_id"), kind=EntryKind.DAILY)
        .values("patient_id")
        .annotate(last=Max("day"))
        .values("last")
    )
    set_ups = (
        DiarySetUp.objects.current()
        .filter(organisation_id=organisation_id, started_on__lte=today - timedelta(days=days))
        .filter(patient__record_status=RecordStatus.ACTIVE, patient__status=PatientStatus.ACTIVE)
        .annotate(last_day=Subquery(last_entries[:1]))
        .filter(Q(last_day__isnull=True) | Q(last_day__lte=today - timedelta(days=days)))
        .select_related("patient")
        .order_by("patient_id")
    )
    return [
        (set_up.patient, set_up.last_day or set_up.started_on)
        for set_up in set_ups
        if STRUCTURED_PARTS.intersection(set_up.shared_parts)
    ]
