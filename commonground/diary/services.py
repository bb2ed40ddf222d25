"""Writes of the diary: the set-up (co-created, each change a new version), what the patient shares, reminder
times, daily entries and extra check-ins (edits versioned), and graded-activity steps.

Callers have opened the patient through the access gateway. Each write records its audit event in the same
transaction; nothing here commits on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careplans import selectors as plan_selectors
from commonground.diary import entries
from commonground.diary.choices import EntryKind, Part
from commonground.diary.definitions import Definition, from_json
from commonground.diary.entries import EntryValues, InvalidEntry
from commonground.diary.models import DiaryEntry, DiarySetUp, DiaryVersion, PacingStep
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.patients.models import Patient

LATE_DAYS = 3  # the last three days may be filled in late
MAX_DAILY_LOAD = 10_000
REASON_MAX = 300
PLAN_PRACTICE_PREFIX = "plan:"


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )


def patient_today(patient: Patient) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


# --- the set-up --------------------------------------------------------------------------------------------


STARTING = 0  # the set-up form's version when the diary has not been started yet


@transaction.atomic
def set_up_diary(
    patient: Patient, *, definition: Definition, by: Any, reason: str = "", expected_version: int | None = None
) -> DiarySetUp:
    """Start the diary, or save a changed set-up as its next version (an unchanged one saves nothing).

    `expected_version` is the number of the set-up version the form was opened at (STARTING when the diary had
    none): a colleague's change in between raises StaleEdit rather than being overwritten. None skips the check
    (the demo and jobs). The patient's own settings (sharing, reminders) have the record's `version` to
    themselves, so a set-up change never clashes with them.
    """
    reason = " ".join(str(reason or "").split())[:REASON_MAX]
    set_up: DiarySetUp | None = DiarySetUp.objects.select_for_update().filter(patient=patient).first()
    if set_up is None:
        if expected_version not in (None, STARTING):
            raise DomainError(_("This diary's set-up was not found. Please start again."))
        return _start(patient, definition, reason, by)
    opened_at = set_up.current.number if set_up.current else STARTING
    if expected_version is not None and expected_version != opened_at:
        raise StaleEdit(current=set_up)
    if set_up.current is not None and set_up.current.definition == definition.to_json():
        return set_up
    version = _new_version(set_up, opened_at + 1, definition, reason, by)
    set_up.current = version
    save_new(set_up, reason=reason or "Set-up changed")  # a history row; the patient's version stays
    _audit(patient, Action.UPDATE, "diary_set_up", version.id)
    return set_up


def _start(patient: Patient, definition: Definition, reason: str, by: Any) -> DiarySetUp:
    """The first version. Two people starting the same diary at once: the second gets StaleEdit."""
    set_up = DiarySetUp(patient=patient, organisation_id=patient.organisation_id, started_on=patient_today(patient))
    try:
        with transaction.atomic():
            save_new(set_up, reason=reason or "Diary started")
    except IntegrityError:
        raise StaleEdit(current=DiarySetUp.objects.get(patient=patient)) from None
    version = _new_version(set_up, 1, definition, reason, by)
    DiarySetUp.objects.filter(pk=set_up.pk).update(current=version)
    set_up.current = version
    _audit(patient, Action.CREATE, "diary_set_up", version.id)
    return set_up


def _new_version(set_up: DiarySetUp, number: int, definition: Definition, reason: str, by: Any) -> DiaryVersion:
    version: DiaryVersion = DiaryVersion.objects.create(
        set_up=set_up, number=number, definition=definition.to_json(), reason=reason, made_by=by
    )
    return version


@transaction.atomic
def set_sharing(patient: Patient, *, parts: Iterable[str], expected_version: int) -> DiarySetUp:
    """What the care team sees of the diary: the patient's decision alone (the caller is the patient)."""
    chosen = list(dict.fromkeys(parts))
    if any(part not in Part.values for part in chosen):
        raise DomainError(_("Choose from the parts listed."), field="parts")
    set_up = _set_up_for_change(patient)
    set_up = save_edit(
        set_up,
        expected_version=expected_version,
        reason="Sharing changed by the patient",
        changes={"shared_parts": chosen},
    )
    _audit(patient, Action.UPDATE, "diary_sharing", set_up.id)
    return set_up


@transaction.atomic
def set_reminder(
    patient: Patient, *, at: time | None, quiet_from: time, quiet_until: time, expected_version: int
) -> DiarySetUp:
    """The time of the daily reminder (None: no reminder) and the quiet hours in which none is ever sent."""
    if at is not None and in_quiet_hours(at, quiet_from, quiet_until):
        raise DomainError(
            _("That time is inside your quiet hours. Choose another time, or change your quiet hours."), field="at"
        )
    set_up = _set_up_for_change(patient)
    changes = {"reminder_at": at, "quiet_from": quiet_from, "quiet_until": quiet_until}
    set_up = save_edit(set_up, expected_version=expected_version, reason="Reminder changed", changes=changes)
    _audit(patient, Action.UPDATE, "diary_reminder", set_up.id)
    return set_up


def in_quiet_hours(moment: time, quiet_from: time, quiet_until: time) -> bool:
    """Quiet hours may run past midnight (21:00 to 08:00): `quiet_from` inclusive, `quiet_until` exclusive."""
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= moment < quiet_until
    return moment >= quiet_from or moment < quiet_until


def _set_up_for_change(patient: Patient) -> DiarySetUp:
    set_up: DiarySetUp | None = DiarySetUp.objects.current().filter(patient=patient).first()
    if set_up is None:
        raise DomainError(_("The diary has not been set up yet."))
    return set_up


# --- entries -----------------------------------------------------------------------------------------------


def practice_keys(patient: Patient, definition: Definition, *, on: date, kept: Iterable[str] = ()) -> list[str]:
    """The home practice that may be ticked for a day: the care plan's exercises that ran that day (also those
    ended since), the patient's own, and whatever the entry already holds (`kept`), so an edit loses nothing."""
    from_plan = [
        PLAN_PRACTICE_PREFIX + str(practice_id)
        for practice_id, _title in plan_selectors.practice_titles(patient, on=on)
    ]
    own = [item.key for item in definition.own_practice]
    return list(dict.fromkeys([*from_plan, *own, *kept]))


def _checked(
    patient: Patient,
    version: DiaryVersion,
    values: EntryValues,
    on: date,
    *,
    check_in: bool,
    kept: Iterable[str] = (),
    allowed: Iterable[str] | None = None,
) -> EntryValues:
    definition = from_json(version.definition)
    if allowed is None:
        allowed = practice_keys(patient, definition, on=on, kept=kept)
    try:
        return entries.check(values, definition, allowed, check_in=check_in)
    except InvalidEntry as error:
        raise DomainError(error.reason, field=error.field) from None


def _check_day(patient: Patient, day: date) -> bool:
    """True when the day is filled in late; refuses days in the future or more than LATE_DAYS back."""
    today = patient_today(patient)
    if day > today:
        raise DomainError(_("That day has not come yet."), field="day")
    if day < today - timedelta(days=LATE_DAYS):
        raise DomainError(_("Only today and the last three days can be filled in."), field="day")
    return day < today


def _current_version(patient: Patient) -> DiaryVersion:
    set_up = DiarySetUp.objects.current().select_related("current").filter(patient=patient).first()
    if set_up is None or set_up.current is None:
        raise DomainError(_("The diary has not been set up yet."))
    version: DiaryVersion = set_up.current
    return version


def _stored(values: EntryValues) -> dict[str, Any]:
    return {
        "ratings": dict(values.ratings),
        "sleep_hours": values.sleep_hours,
        "sleep_quality": values.sleep_quality,
        "activities": [activity.to_json() for activity in values.activities],
        "rest_breaks": values.rest_breaks,
        "practice": list(values.practice),
        "triggers": list(values.triggers),
        "warning_signs": list(values.warning_signs),
        "small_win": values.small_win.strip(),
        "note": values.note.strip(),
    }


def _submitted_before(key: uuid.UUID | None, patient: Patient) -> DiaryEntry | None:
    """The entry this very form saved already (sent twice: one entry)."""
    if key is None:
        return None
    existing: DiaryEntry | None = DiaryEntry.objects.filter(submission_key=key).first()
    if existing is not None and (existing.patient_id != patient.id or existing.is_entered_in_error):
        raise DomainError(_("This form was already used. Please start again."))
    return existing


@transaction.atomic
def record_entry(
    patient: Patient,
    *,
    day: date,
    values: EntryValues,
    submission_key: uuid.UUID | None = None,
    set_up: DiarySetUp | None = None,
    practice: Iterable[str] | None = None,
) -> DiaryEntry:
    """Save the day's entry. One daily entry a day: a second one for the same day is refused (edit it instead).

    A page that has read the set-up and the practice offered that day passes them (`set_up`, `practice`: the
    keys), so they are not read twice in one request. A form sent twice is found when its second insert
    meets the unique submission key (no read before every save for the rare double send)."""
    late = _check_day(patient, day)
    version = set_up.current if set_up is not None and set_up.current is not None else _current_version(patient)
    checked = _checked(patient, version, values, day, check_in=False, allowed=practice)
    entry = DiaryEntry(
        patient=patient,
        organisation_id=patient.organisation_id,
        made_with=version,
        kind=EntryKind.DAILY,
        day=day,
        recorded_at=clock.now(),
        late=late,
        submission_key=submission_key,
        **_stored(checked),
    )
    try:
        with transaction.atomic():
            save_new(entry, reason="Entry saved")
    except IntegrityError:
        earlier = _submitted_before(submission_key, patient)
        if earlier is not None:
            return earlier
        raise DomainError(_("There is already an entry for this day. You can change it instead.")) from None
    _audit(patient, Action.CREATE, "diary_entry", entry.id)
    return entry


@transaction.atomic
def record_check_in(patient: Patient, *, values: EntryValues, submission_key: uuid.UUID | None = None) -> DiaryEntry:
    """An extra check-in today: ratings (and a note) at this moment. A day's check-ins are averaged."""
    earlier = _submitted_before(submission_key, patient)
    if earlier is not None:
        return earlier
    today = patient_today(patient)
    version = _current_version(patient)
    checked = _checked(patient, version, values, today, check_in=True)
    entry = DiaryEntry(
        patient=patient,
        organisation_id=patient.organisation_id,
        made_with=version,
        kind=EntryKind.CHECK_IN,
        day=today,
        recorded_at=clock.now(),
        submission_key=submission_key,
        **_stored(checked),
    )
    try:
        with transaction.atomic():
            save_new(entry, reason="Check-in saved")
    except IntegrityError:  # the same form, sent twice at the same moment: the first one saved it
        return DiaryEntry.objects.get(submission_key=submission_key, patient=patient)
    _audit(patient, Action.CREATE, "diary_entry", entry.id)
    return entry


@transaction.atomic
def edit_entry(entry: DiaryEntry, *, values: EntryValues, expected_version: int) -> DiaryEntry:
    """Change an entry of the last three days; the earlier version stays in its history."""
    patient = entry.patient
    _check_day(patient, entry.day)
    if entry.is_entered_in_error:
        raise DomainError(_("This entry was removed, so it cannot be changed."))
    checked = _checked(patient, entry.made_with, values, entry.day, check_in=not entry.is_daily, kept=entry.practice)
    entry = save_edit(entry, expected_version=expected_version, reason="Entry changed", changes=_stored(checked))
    _audit(patient, Action.UPDATE, "diary_entry", entry.id)
    return entry


@transaction.atomic
def remove_entry(entry: DiaryEntry, *, expected_version: int) -> DiaryEntry:
    """An entry made by mistake is marked entered in error (kept in the history, out of every view); like a
    change, only for the last three days."""
    _check_day(entry.patient, entry.day)
    entry = mark_entered_in_error(entry, expected_version=expected_version, reason="Removed by the patient")
    _audit(entry.patient, Action.ENTERED_IN_ERROR, "diary_entry", entry.id)
    return entry


# --- pacing --------------------------------------------------------------------------------------------------


@transaction.atomic
def add_pacing_step(patient: Patient, *, starts_on: date, daily_load: int, note: str, by: Any) -> PacingStep:
    """A graded-activity step agreed with the patient: from `starts_on`, this much activity a day is the plan."""
    if not 0 < daily_load <= MAX_DAILY_LOAD:
        raise DomainError(_("Planned activity: a number from 1 to 10,000."), field="daily_load")
    today = patient_today(patient)
    if starts_on < today - timedelta(days=14) or starts_on > today + timedelta(days=366):
        raise DomainError(_("A step starts within two weeks back and a year ahead."), field="starts_on")
    note = " ".join(str(note or "").split())
    if len(note) > REASON_MAX:
        raise DomainError(_("Please keep this to 300 characters."), field="note")
    step = save_new(
        PacingStep(
            patient=patient,
            organisation_id=patient.organisation_id,
            starts_on=starts_on,
            daily_load=daily_load,
            note=note,
            agreed_by=by,
        ),
        reason="Graded activity step agreed",
    )
    _audit(patient, Action.CREATE, "pacing_step", step.id)
    return step


@transaction.atomic
def step_in_error(step: PacingStep, *, expected_version: int, reason: str) -> PacingStep:
    """A graded-activity step saved by mistake (a typo in the figure, the wrong day) leaves the plan, kept in
    the history with the reason."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError(_("Say briefly why this step was a mistake."), field="reason")
    step = mark_entered_in_error(step, expected_version=expected_version, reason=reason[:REASON_MAX])
    _audit(step.patient, Action.ENTERED_IN_ERROR, "pacing_step", step.id)
    return step
