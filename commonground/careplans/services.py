"""Writes of the care-plan domain: the shared plan and its elements, sessions, home practice, ending therapy.

Callers have opened the patient through the access gateway. Each write records its audit event in the same
transaction. The plan's version guards the plan and its elements together: every change to either claims the
plan's version (`kit.versioning.save_edit` on the plan) with a reason, so of two clinicians editing the same
plan one saves and the other gets `StaleEdit` with the saved plan; nothing is lost.

CONTRACT (frozen signatures; other modules are written against them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careplans import library
from commonground.careplans.choices import ElementKind, ElementStatus, PlanStatus, PracticeStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.careteam import selectors as careteam_selectors
from commonground.goals import selectors as goals_selectors
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.models import ClinicalRecord
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.measures import services as measures_services
from commonground.notes import services as notes_services
from commonground.notes.choices import NoteKind
from commonground.patients.models import Patient

PLAN_FIELDS = (
    "summary",
    "patient_summary",
    "sessions_min",
    "sessions_max",
    "minutes_min",
    "minutes_max",
    "goal_ids",
    "starts_on",
    "review_on",
)
ELEMENT_FIELDS = ("kind", "description", "responsible_id", "frequency", "intensity", "position", "status")
SESSION_FIELDS = ("held_on", "duration_minutes", "clinician", "elements", "exercises")
RECORD_FIELDS = (*SESSION_FIELDS, "submission_key")  # recording also names the form it came from
PRACTICE_FIELDS = ("library_item", "title", "instructions", "how_often", "starts_on", "ends_on")
PRACTICE_CHANGE_FIELDS = ("instructions", "how_often", "ends_on")
PRACTICE_DAYS_BACK = 14  # home practice may start up to two weeks back (assigned late), never earlier

PLAN_DEFAULTS: dict[str, Any] = {"sessions_min": 6, "sessions_max": 12, "minutes_min": 30, "minutes_max": 45}
SESSIONS_RANGE = (1, 60)  # sessions planned
MINUTES_RANGE = (5, 240)  # minutes per session, planned and held
CARE_MEASURE = "care"  # the CARE Measure's instrument id (measures/instruments/care.json)
SUMMARY_MAX = 4000
TEXT_MAX = 2000
SHORT_MAX = 120
TITLE_MAX = 200
REFLECTION_MAX = 4000
NOTE_MAX = 20000
REASON_MAX = 500

RecordT = TypeVar("RecordT", bound=ClinicalRecord)

# History reasons written by the therapy's ending, so resuming can undo exactly what the ending changed.
ENDED_WITH_THERAPY = "Therapy ended"
# History reason of home practice that stops because the session it was assigned in was entered in error.
SESSION_IN_ERROR = "Its session was entered in error"


@dataclass(frozen=True)
class Recorded:
    """A session recorded from a form; `already_recorded` when the same form was sent before (Back, then Save
    again): the session is the one recorded then, and nothing new was written."""

    session: TherapySession
    already_recorded: bool


def _audit(patient: Patient, action: str, object_type: str, object_id: Any) -> None:
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=str(object_id)
    )


def _patient_today(patient: Patient) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


# --- checking input ---------------------------------------------------------------------------------------


def _locked(record: RecordT) -> RecordT:
    """The record as saved now, its row locked until the transaction ends. Edits start from this copy, never
    from the caller's (which may be older, and would write its old values back over a newer save)."""
    saved: RecordT = type(record).objects.select_for_update().get(pk=record.pk)
    return saved


def _at_version(saved: RecordT, expected_version: int) -> RecordT:
    """StaleEdit when someone saved the record after `expected_version`."""
    if saved.version != expected_version:
        raise StaleEdit(current=saved)
    return saved


def _as_saved(record: RecordT, expected_version: int) -> RecordT:
    """The record as saved now and locked (`_locked`), at the version the editor saw (`_at_version`)."""
    return _at_version(_locked(record), expected_version)


def _reason(reason: str, message: str | None = None) -> str:
    if not reason or not reason.strip():
        raise DomainError(message or _("Say why this changes."), field="reason")
    if len(reason.strip()) > REASON_MAX:
        raise DomainError(_("Please keep the reason to %(limit)d characters.") % {"limit": REASON_MAX}, field="reason")
    return reason.strip()


def _only(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})


def _text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise DomainError(_("Please fill this in."), field=field)
    if len(text) > limit:
        raise DomainError(_("Please keep this to %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _whole_number(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool | float):
        raise DomainError(_("Give a whole number."), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Give a whole number."), field=field) from None
    if not low <= number <= high:
        raise DomainError(_("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field)
    return number


def _required_day(value: Any, field: str) -> date:
    found = _day(value, field)
    if found is None:
        raise DomainError(_("Give a date."), field=field)
    return found


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Give a date as year-month-day."), field=field) from None


def _choice(value: Any, field: str, choices: list[str]) -> str:
    if value not in choices:
        raise DomainError(_("Choose one of the options."), field=field)
    return str(value)


def _as_uuid(value: Any) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _person_id(user_or_id: Any) -> UUID | None:
    return _as_uuid(getattr(user_or_id, "pk", user_or_id))


def _team_member(patient: Patient, user_or_id: Any, field: str) -> Any:
    """The user, if they hold a clinical place on the patient's care team now."""
    user = user_or_id if hasattr(user_or_id, "role") else None
    user_id = _person_id(user_or_id)
    if user is None and user_id is not None:
        user = get_user_model().objects.filter(pk=user_id, organisation_id=patient.organisation_id).first()
    if user is None or not careteam_selectors.is_on_care_team(user, patient.id):
        raise DomainError(_("Choose someone on this patient's care team."), field=field)
    return user


# --- the plan ---------------------------------------------------------------------------------------------


def _goal_ids(patient: Patient, value: Any, *, already: list[str]) -> list[str]:
    """The patient's own current goals, as text ids, each once, in the order given. A goal the plan already
    served that has since been entered in error leaves the plan; any other unknown id is refused."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise DomainError(_("Choose the goals from the list."), field="goal_ids")
    known = {str(goal_id) for goal_id in goals_selectors.goals_of(patient).values_list("id", flat=True)}
    chosen = list(dict.fromkeys(str(goal_id) for goal_id in value))
    if any(goal_id not in known and goal_id not in already for goal_id in chosen):
        raise DomainError(_("Choose goals of this patient from the list."), field="goal_ids")
    return [goal_id for goal_id in chosen if goal_id in known]


def _checked_plan(patient: Patient, values: dict[str, Any], *, goal_ids: list[str] | None = None) -> dict[str, Any]:
    """Every plan field checked and cleaned; `values` holds them all; `goal_ids` are the plan's goals so far."""
    low, high = SESSIONS_RANGE
    checked: dict[str, Any] = {
        "summary": _text(values.get("summary"), "summary", limit=SUMMARY_MAX, required=True),
        "patient_summary": _text(values.get("patient_summary"), "patient_summary", limit=SUMMARY_MAX, required=True),
        "sessions_min": _whole_number(values.get("sessions_min"), "sessions_min", low, high),
        "sessions_max": _whole_number(values.get("sessions_max"), "sessions_max", low, high),
        "minutes_min": _whole_number(values.get("minutes_min"), "minutes_min", *MINUTES_RANGE),
        "minutes_max": _whole_number(values.get("minutes_max"), "minutes_max", *MINUTES_RANGE),
        "goal_ids": _goal_ids(patient, values.get("goal_ids"), already=goal_ids or []),
        "starts_on": _required_day(values.get("starts_on"), "starts_on"),
        "review_on": _day(values.get("review_on"), "review_on"),
    }
    if checked["sessions_min"] > checked["sessions_max"]:
        raise DomainError(_("The fewest sessions cannot be more than the most."), field="sessions_max")
    if checked["minutes_min"] > checked["minutes_max"]:
        raise DomainError(_("The shortest session cannot be longer than the longest."), field="minutes_max")
    if checked["review_on"] is not None and checked["review_on"] < checked["starts_on"]:
        raise DomainError(_("The review cannot be before therapy starts."), field="review_on")
    return checked


@transaction.atomic
def create_plan(patient: Patient, *, details: dict[str, Any], by: Any) -> CarePlan:
    """The patient's one care plan (a second is refused with a clear message). `details` holds PLAN_FIELDS;
    defaults 6-12 sessions of 30-45 minutes; min ≤ max; goal_ids are this patient's current goals."""
    _only(details, PLAN_FIELDS)
    checked = _checked_plan(patient, PLAN_DEFAULTS | details)
    already = _("This patient already has a care plan; change it instead.")
    if CarePlan.objects.filter(patient=patient).exists():
        raise DomainError(already)
    plan = CarePlan(patient=patient, organisation_id=patient.organisation_id, created_by=by, **checked)
    try:
        with transaction.atomic():
            save_new(plan, reason="Care plan agreed")
    except IntegrityError:  # another clinician created it a moment ago
        raise DomainError(already) from None
    _audit(patient, Action.CREATE, "care_plan", plan.id)
    return plan


@transaction.atomic
def update_plan(plan: CarePlan, *, expected_version: int, changes: dict[str, Any], reason: str) -> CarePlan:
    """Change the plan (reason required; StaleEdit if someone saved after `expected_version`)."""
    reason = _reason(reason)
    _only(changes, PLAN_FIELDS)
    plan = _as_saved(plan, expected_version)
    patient = plan.patient
    merged = {field: changes.get(field, getattr(plan, field)) for field in PLAN_FIELDS}
    checked = _checked_plan(patient, merged, goal_ids=[str(goal_id) for goal_id in plan.goal_ids])
    first_session = (
        TherapySession.objects.current().filter(plan=plan).order_by("held_on").values_list("held_on", flat=True)
    ).first()
    if first_session is not None and checked["starts_on"] > first_session:
        raise DomainError(_("A session was held before that day."), field="starts_on")
    if plan.therapy_ended_on is not None and checked["starts_on"] > plan.therapy_ended_on:
        raise DomainError(_("Therapy cannot start after it ended."), field="starts_on")
    plan = save_edit(plan, expected_version=expected_version, reason=reason, changes=checked)
    _audit(patient, Action.UPDATE, "care_plan", plan.id)
    return plan


# --- elements ---------------------------------------------------------------------------------------------


def _responsible(patient: Patient, value: Any, *, unchanged: UUID | None) -> UUID | None:
    """Nobody, the person already responsible (who may have left the team since), or a team member."""
    if value in (None, ""):
        return None
    if unchanged is not None and _person_id(value) == unchanged:
        return unchanged
    return _team_member(patient, value, "responsible_id").pk  # type: ignore[no-any-return]


def _checked_element(patient: Patient, values: dict[str, Any], *, responsible: UUID | None = None) -> dict[str, Any]:
    return {
        "kind": _choice(values.get("kind"), "kind", ElementKind.values),
        "description": _text(values.get("description"), "description", limit=TEXT_MAX),
        "responsible_id": _responsible(patient, values.get("responsible_id"), unchanged=responsible),
        "frequency": _text(values.get("frequency"), "frequency", limit=SHORT_MAX),
        "intensity": _text(values.get("intensity"), "intensity", limit=SHORT_MAX),
        "position": _whole_number(values.get("position"), "position", 1, 100),
        "status": _choice(values.get("status"), "status", ElementStatus.values),
    }


def _claim_plan(plan: CarePlan, *, expected_version: int, reason: str) -> CarePlan:
    """Take the plan's version for a change to one of its elements (StaleEdit if someone saved since); the
    plan's history keeps the reason. `plan` is the plan as saved (`_as_saved`)."""
    return save_edit(plan, expected_version=expected_version, reason=reason, changes={})


@transaction.atomic
def add_element(plan: CarePlan, *, expected_version: int, details: dict[str, Any], reason: str) -> TherapyElement:
    """Add an element (ELEMENT_FIELDS); the responsible person must be on the patient's care team."""
    reason = _reason(reason)
    _only(details, ELEMENT_FIELDS)
    plan = _as_saved(plan, expected_version)
    patient = plan.patient
    next_position = TherapyElement.objects.current().filter(plan=plan).count() + 1
    checked = _checked_element(
        patient, {"position": min(next_position, 100), "status": ElementStatus.PLANNED} | details
    )
    _claim_plan(plan, expected_version=expected_version, reason=reason)
    element = save_new(TherapyElement(plan=plan, organisation_id=plan.organisation_id, **checked), reason=reason)
    _audit(patient, Action.CREATE, "therapy_element", element.id)
    return element


@transaction.atomic
def update_element(
    element: TherapyElement, *, expected_version: int, changes: dict[str, Any], reason: str
) -> TherapyElement:
    """`expected_version` is the PLAN's version the editor saw (one version for the plan and its elements)."""
    reason = _reason(reason)
    _only(changes, ELEMENT_FIELDS)
    plan = _as_saved(element.plan, expected_version)
    # The plan is locked at the version the editor saw, so the element is as they saw it too: every change
    # to it claims the plan first.
    element = TherapyElement.objects.get(pk=element.pk)
    if element.is_entered_in_error:
        raise DomainError(_("This element was entered in error and cannot be changed."))
    merged = {field: changes.get(field, getattr(element, field)) for field in ELEMENT_FIELDS}
    checked = _checked_element(plan.patient, merged, responsible=element.responsible_id)
    _claim_plan(plan, expected_version=expected_version, reason=reason)
    element = save_edit(element, expected_version=element.version, reason=reason, changes=checked)
    _audit(plan.patient, Action.UPDATE, "therapy_element", element.id)
    return element


# --- sessions ---------------------------------------------------------------------------------------------


def _plan_for_sessions(patient: Patient) -> CarePlan:
    plan: CarePlan | None = CarePlan.objects.current().filter(patient=patient).first()
    if plan is None:
        raise DomainError(_("Agree a care plan first; sessions are recorded against it."))
    return plan


def _readable(day: date) -> str:
    """A date as people read it: 3 March 2026."""
    return f"{day.day} {date_format(day, 'F Y')}"


def _still_in_therapy(plan: CarePlan | None, message: str) -> None:
    """Sessions and home practice belong to therapy going on: once it ended, resume it first."""
    if plan is not None and plan.status == PlanStatus.ENDED and plan.therapy_ended_on is not None:
        raise DomainError(message % {"day": _readable(plan.therapy_ended_on)})


def _listed(value: Any, field: str, message: str) -> list[Any]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise DomainError(message, field=field)
    return list(dict.fromkeys(value))


def _kinds(value: Any) -> list[str]:
    kinds = _listed(value, "elements", _("Choose the elements from the list."))
    if any(kind not in ElementKind.values for kind in kinds):
        raise DomainError(_("Choose the elements from the list."), field="elements")
    return kinds


def _exercises(value: Any) -> list[str]:
    slugs = _listed(value, "exercises", _("Choose the exercises from the library."))
    known = library.slugs()
    if any(slug not in known for slug in slugs):
        raise DomainError(_("Choose the exercises from the library."), field="exercises")
    return slugs


def _clinician(patient: Patient, value: Any, *, unchanged: Any) -> Any:
    """Who held the session: a care-team member, or the one recorded already (who may have left the team)."""
    if unchanged is not None and _person_id(value) == unchanged.pk:
        return unchanged
    return _team_member(patient, value, "clinician")


def _checked_session(
    patient: Patient, plan: CarePlan, values: dict[str, Any], *, clinician: Any = None
) -> dict[str, Any]:
    held_on = _required_day(values.get("held_on"), "held_on")
    if held_on > _patient_today(patient):
        raise DomainError(_("A session cannot be recorded before it is held."), field="held_on")
    if held_on < plan.starts_on:
        raise DomainError(_("The care plan starts after that day."), field="held_on")
    if plan.therapy_ended_on is not None and held_on > plan.therapy_ended_on:
        raise DomainError(
            _("Therapy ended on %(day)s; resume therapy to record a later session.")
            % {"day": _readable(plan.therapy_ended_on)},
            field="held_on",
        )
    return {
        "held_on": held_on,
        "duration_minutes": _whole_number(values.get("duration_minutes"), "duration_minutes", *MINUTES_RANGE),
        "clinician": _clinician(patient, values.get("clinician"), unchanged=clinician),
        "elements": _kinds(values.get("elements")),
        "exercises": _exercises(values.get("exercises")),
    }


def _submission_key(value: Any) -> UUID | None:
    if value in (None, ""):
        return None
    key = _as_uuid(value)
    if key is None:
        raise DomainError(_("The form was incomplete. Please try again."), field="submission_key")
    return key


def _recorded_before(key: UUID | None, patient: Patient) -> TherapySession | None:
    """The session this form recorded already, if it did (the same form sent twice records one session)."""
    if key is None:
        return None
    existing: TherapySession | None = TherapySession.objects.filter(submission_key=key).first()
    if existing is None:
        return None
    if existing.patient_id != patient.id:
        raise DomainError(_("This form was already used for another record. Please start again."))
    if existing.is_entered_in_error:
        raise DomainError(
            _("This form recorded a session that was then marked as entered in error. Open a new form to record it.")
        )
    return existing


@transaction.atomic
def record_session(
    patient: Patient,
    *,
    details: dict[str, Any],
    by: Any,
    note_text: str = "",
    note_language: str | None = None,
    home_practice: list[dict[str, Any]] | None = None,
    ask_about_consultation: bool = False,
) -> TherapySession:
    """A session held: details are held_on (not in the future, not before the plan starts), duration_minutes
    (5-240), clinician (a user on the care team; default `by`), elements (ElementKind values), exercises (library
    slugs), and optionally submission_key (a UUID from the form: sending the same form again returns the session
    it recorded, and records nothing new). `note_text`, if given, becomes a session note through
    `notes.services.write_note` (checked for wording with the lexicon of `note_language`; None: the note
    service's default). Each `home_practice` dict (library_item or title, instructions, how_often, ends_on) is
    assigned as `assign_home_practice` does. `ask_about_consultation` asks the patient the CARE questionnaire
    about this session through `measures.services.request_measure`. Needs a care plan with therapy going on
    (DomainError otherwise: resume therapy first)."""
    return record_session_once(
        patient,
        details=details,
        by=by,
        note_text=note_text,
        note_language=note_language,
        home_practice=home_practice,
        ask_about_consultation=ask_about_consultation,
    ).session


@transaction.atomic
def record_session_once(
    patient: Patient,
    *,
    details: dict[str, Any],
    by: Any,
    note_text: str = "",
    note_language: str | None = None,
    home_practice: list[dict[str, Any]] | None = None,
    ask_about_consultation: bool = False,
) -> Recorded:
    """`record_session`, saying whether the form's session was recorded already (`Recorded.already_recorded`)."""
    _only(details, RECORD_FIELDS)
    key = _submission_key(details.get("submission_key"))
    earlier = _recorded_before(key, patient)
    if earlier is not None:
        return Recorded(earlier, already_recorded=True)
    plan = _plan_for_sessions(patient)  # a session held before therapy ended may be written up afterwards
    values = {name: value for name, value in details.items() if name != "submission_key"}
    checked = _checked_session(patient, plan, {"clinician": by} | values)
    note_text = _text(note_text, "note_text", limit=NOTE_MAX)
    practices = _checked_practices(patient, plan, home_practice or [])
    # Everything is checked; write. The note and the session are one step, so a form sent twice at once
    # leaves one session and one note (the unique submission key refuses the second).
    try:
        with transaction.atomic():
            session = _save_session(patient, plan, checked, key=key, by=by, note=(note_text, note_language))
    except IntegrityError:
        found = _recorded_before(key, patient)
        if found is None:
            raise
        return Recorded(found, already_recorded=True)
    _audit(patient, Action.CREATE, "therapy_session", session.id)
    for practice in practices:
        _save_practice(patient, practice, by=by, session=session)
    if ask_about_consultation:
        measures_services.request_measure(patient, instrument_id=CARE_MEASURE, by=by, due_on=session.held_on)
    return Recorded(session, already_recorded=False)


def _save_session(
    patient: Patient, plan: CarePlan, checked: dict[str, Any], *, key: UUID | None, by: Any, note: tuple[str, Any]
) -> TherapySession:
    text, language = note
    written = (
        notes_services.write_note(patient, kind=NoteKind.SESSION, text=text, by=by, language=language) if text else None
    )
    session = TherapySession(
        patient=patient,
        organisation_id=patient.organisation_id,
        plan=plan,
        note=written,
        submission_key=key,
        **checked,
    )
    return save_new(session, reason="Session recorded")


@transaction.atomic
def update_session(
    session: TherapySession, *, expected_version: int, changes: dict[str, Any], reason: str
) -> TherapySession:
    """Correct a session's details (SESSION_FIELDS; reason required). Its note is changed through the notes
    domain, and the patient's reflection only by the patient."""
    reason = _reason(reason)
    _only(changes, SESSION_FIELDS)
    session = _locked(session)
    if session.is_entered_in_error:
        raise DomainError(_("This session was entered in error and cannot be changed."))
    _at_version(session, expected_version)
    patient = session.patient
    merged = {field: changes.get(field, getattr(session, field)) for field in SESSION_FIELDS}
    checked = _checked_session(patient, session.plan, merged, clinician=session.clinician)
    session = save_edit(session, expected_version=expected_version, reason=reason, changes=checked)
    _audit(patient, Action.UPDATE, "therapy_session", session.id)
    return session


@transaction.atomic
def mark_session_in_error(session: TherapySession, *, expected_version: int, reason: str) -> TherapySession:
    """A session recorded by mistake (the wrong patient, a session that did not take place): the session, its
    note and the home practice assigned in it are marked entered in error (they stay in the record history, out
    of every view), and a CARE Measure asked about it is withdrawn while unanswered. Reason required."""
    reason = _reason(reason, _("Please say why this session was entered in error."))
    session = _locked(session)
    if session.is_entered_in_error:
        raise DomainError(_("This session is already marked as entered in error."))
    _at_version(session, expected_version)
    patient = session.patient
    note = session.note if session.note_id is not None else None
    assigned = list(HomePractice.objects.current().select_for_update().filter(session=session))
    session = mark_entered_in_error(session, expected_version=expected_version, reason=reason)
    _audit(patient, Action.ENTERED_IN_ERROR, "therapy_session", session.id)
    if note is not None and not note.is_entered_in_error:
        notes_services.mark_note_in_error(note, expected_version=note.version, reason=reason)
    for practice in assigned:  # assigned in a session that did not take place: a mistake too
        mark_entered_in_error(practice, expected_version=practice.version, reason=SESSION_IN_ERROR)
        _audit(patient, Action.ENTERED_IN_ERROR, "home_practice", practice.id)
    # The CARE Measure asked about this consultation is taken back while unanswered.
    measures_services.withdraw_request(patient, instrument_id=CARE_MEASURE, due_on=session.held_on)
    return session


@transaction.atomic
def add_reflection(session: TherapySession, *, text: str, patient: Patient) -> TherapySession:
    """The patient's own reflection on a session, written in the portal (≤ 4000 characters). They may change it
    at any time; empty text removes it."""
    words = _text(text, "reflection", limit=REFLECTION_MAX)
    # The patient writes on the session as saved now: a clinician's edit in between is kept, not overwritten.
    current: TherapySession = TherapySession.objects.select_for_update().get(pk=session.pk)
    if current.patient_id != patient.id or current.is_entered_in_error:
        raise DomainError(_("We could not find that session."))
    if words == current.reflection:
        return current  # nothing changes
    changes: dict[str, Any] = {"reflection": words, "reflection_at": clock.now() if words else None}
    reason = "Reflection written by the patient" if words else "Reflection removed by the patient"
    current = save_edit(current, expected_version=current.version, reason=reason, changes=changes)
    _audit(patient, Action.UPDATE, "therapy_session", current.id)
    return current


# --- home practice ----------------------------------------------------------------------------------------


def _practice_start(patient: Patient, plan: CarePlan | None, value: Any) -> date:
    """The first day of practice: as given (not before the plan started, at most two weeks back), else today,
    or the plan's first day when therapy starts later."""
    today = _patient_today(patient)
    starts_on = _day(value, "starts_on")
    if starts_on is None:
        return max(today, plan.starts_on) if plan is not None else today
    if plan is not None and starts_on < plan.starts_on:
        raise DomainError(
            _("The care plan starts on %(day)s; home practice cannot start before that.")
            % {"day": _readable(plan.starts_on)},
            field="starts_on",
        )
    if starts_on < today - timedelta(days=PRACTICE_DAYS_BACK):
        raise DomainError(
            _("Home practice can start at most %(days)d days back.") % {"days": PRACTICE_DAYS_BACK}, field="starts_on"
        )
    return starts_on


def _checked_practice(patient: Patient, details: dict[str, Any], *, plan: CarePlan | None) -> dict[str, Any]:
    _only(details, PRACTICE_FIELDS)
    slug = _text(details.get("library_item"), "library_item", limit=60)
    found = library.item(slug) if slug else None
    if slug and found is None:
        raise DomainError(_("Choose an exercise from the library."), field="library_item")
    title = _text(details.get("title"), "title", limit=TITLE_MAX) or (found.title if found else "")
    if not title:
        raise DomainError(_("Choose an exercise from the library or say what to practise."), field="title")
    starts_on = _practice_start(patient, plan, details.get("starts_on"))
    ends_on = _day(details.get("ends_on"), "ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The practice cannot end before it starts."), field="ends_on")
    return {
        "library_item": slug,
        "title": title,
        "instructions": _text(details.get("instructions"), "instructions", limit=TEXT_MAX),
        "how_often": _text(details.get("how_often"), "how_often", limit=SHORT_MAX),
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def _checked_practices(
    patient: Patient, plan: CarePlan | None, practices: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each practice checked; a library item the patient is practising already (or twice in one go) is refused:
    change the running one instead."""
    checked = [_checked_practice(patient, practice, plan=plan) for practice in practices]
    slugs = [practice["library_item"] for practice in checked if practice["library_item"]]
    if not slugs:
        return checked
    today = _patient_today(patient)
    running = (
        HomePractice.objects.current()
        .filter(patient=patient, status=PracticeStatus.ACTIVE, library_item__in=slugs)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("library_item", flat=True)
    )
    doubled = set(running) | {slug for slug in slugs if slugs.count(slug) > 1}
    for practice in checked:
        if practice["library_item"] in doubled:
            raise DomainError(
                _("The patient is already practising “%(title)s”; change that practice instead.")
                % {"title": practice["title"]},
                field="library_item",
            )
    return checked


def _save_practice(
    patient: Patient, checked: dict[str, Any], *, by: Any, session: TherapySession | None
) -> HomePractice:
    practice = save_new(
        HomePractice(
            patient=patient, organisation_id=patient.organisation_id, session=session, assigned_by=by, **checked
        ),
        reason="Home practice assigned",
    )
    _audit(patient, Action.CREATE, "home_practice", practice.id)
    return practice


@transaction.atomic
def assign_home_practice(
    patient: Patient, *, details: dict[str, Any], by: Any, session: TherapySession | None = None
) -> HomePractice:
    """details: library_item (a library slug, title taken from it unless given; not one the patient practises
    already) or title; instructions; how_often; starts_on (default today in the patient's time zone, or the
    plan's first day if later; not before the plan starts, at most 14 days back); ends_on (≥ starts_on).
    Refused once therapy ended (resume it first)."""
    if session is not None and session.patient_id != patient.id:
        raise DomainError(_("That session belongs to someone else."), field="session")
    plan: CarePlan | None = CarePlan.objects.current().filter(patient=patient).first()
    _still_in_therapy(plan, _("Therapy ended on %(day)s. To assign home practice, resume therapy first."))
    (checked,) = _checked_practices(patient, plan, [details])
    return _save_practice(patient, checked, by=by, session=session)


@transaction.atomic
def assign_group_practice(patient: Patient, *, details: dict[str, Any], by: Any) -> HomePractice | None:
    """Home practice given to a whole group (groups.services.assign_session_practice): the member's own copy,
    in their diary and on their Today page. Needs no care plan and is not refused once therapy ended (group
    members may have finished individual therapy). A member already practising the same library item is
    skipped: None (the group service reports who was skipped)."""
    checked = _checked_practice(patient, details, plan=None)
    if checked["library_item"] and _practising(patient, checked["library_item"]):
        return None  # their running practice of it stays as it is
    return _save_practice(patient, checked, by=by, session=None)


def _practising(patient: Patient, slug: str) -> bool:
    today = _patient_today(patient)
    return bool(
        HomePractice.objects.current()
        .filter(patient=patient, status=PracticeStatus.ACTIVE, library_item=slug)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


def _running(practice: HomePractice, expected_version: int) -> HomePractice:
    """The practice as saved, locked, still running and at the version the editor saw."""
    saved = _locked(practice)
    if saved.status == PracticeStatus.ENDED or saved.is_entered_in_error:
        raise DomainError(_("This practice has already finished."))
    return _at_version(saved, expected_version)


@transaction.atomic
def update_practice(
    practice: HomePractice, *, expected_version: int, changes: dict[str, Any], reason: str
) -> HomePractice:
    """Change how often, the instructions or until when (PRACTICE_CHANGE_FIELDS; reason required) of practice
    still running. The last day is not before the first, nor moved into the past (end the practice instead)."""
    reason = _reason(reason)
    _only(changes, PRACTICE_CHANGE_FIELDS)
    practice = _running(practice, expected_version)
    ends_on = _day(changes.get("ends_on", practice.ends_on), "ends_on")
    if ends_on is not None and ends_on < practice.starts_on:
        raise DomainError(_("The practice cannot end before it starts."), field="ends_on")
    if ends_on is not None and ends_on != practice.ends_on and ends_on < _patient_today(practice.patient):
        raise DomainError(_("The last day cannot be in the past. To stop the practice now, end it."), field="ends_on")
    checked = {
        "instructions": _text(changes.get("instructions", practice.instructions), "instructions", limit=TEXT_MAX),
        "how_often": _text(changes.get("how_often", practice.how_often), "how_often", limit=SHORT_MAX),
        "ends_on": ends_on,
    }
    practice = save_edit(practice, expected_version=expected_version, reason=reason, changes=checked)
    _audit(practice.patient, Action.UPDATE, "home_practice", practice.id)
    return practice


@transaction.atomic
def end_home_practice(practice: HomePractice, *, expected_version: int, by: Any) -> HomePractice:
    """The practice stops today (it leaves the patient's today page); already finished is left as it is."""
    practice = _running(practice, expected_version)
    today = _patient_today(practice.patient)
    changes = {"status": PracticeStatus.ENDED, "ends_on": _ended_by(practice, today)}
    practice = save_edit(practice, expected_version=expected_version, reason="Home practice ended", changes=changes)
    _audit(practice.patient, Action.UPDATE, "home_practice", practice.id)
    return practice


@transaction.atomic
def mark_practice_in_error(practice: HomePractice, *, expected_version: int, reason: str) -> HomePractice:
    """Home practice assigned by mistake: marked entered in error (it stays in the record history and leaves
    the patient's pages and the team's list). Reason required."""
    reason = _reason(reason, _("Please say why this practice was entered in error."))
    practice = _locked(practice)
    if practice.is_entered_in_error:
        raise DomainError(_("This practice is already marked as entered in error."))
    _at_version(practice, expected_version)
    practice = mark_entered_in_error(practice, expected_version=expected_version, reason=reason)
    _audit(practice.patient, Action.ENTERED_IN_ERROR, "home_practice", practice.id)
    return practice


def _ended_by(practice: HomePractice, day: date) -> date | None:
    """The practice's last day when it stops on `day`: never later than planned, never before it started."""
    if practice.starts_on > day:
        return practice.ends_on
    if practice.ends_on is None or practice.ends_on > day:
        return day
    return practice.ends_on


# --- the end of therapy -----------------------------------------------------------------------------------


@transaction.atomic
def end_therapy(plan: CarePlan, *, expected_version: int, ended_on: date, reason: str, today: date) -> CarePlan:
    """Therapy ends: the plan records the day and why; elements under way complete, and those planned or paused
    stop (they will not come now); the measures domain schedules the end-of-therapy and follow-up
    questionnaires at once (`measures.services.record_end_of_therapy`). Home practice goes on: patients keep
    practising after therapy, and the team ends each item when it is time. Not in the future; not before the
    plan started or its last session; an ending already recorded is refused as such."""
    reason = _text(reason, "reason", limit=300, required=True)
    plan = _locked(plan)
    if plan.status == PlanStatus.ENDED:
        raise DomainError(_("Therapy has already ended."))
    _at_version(plan, expected_version)
    if ended_on > today:
        raise DomainError(_("Therapy cannot end in the future."), field="ended_on")
    if ended_on < plan.starts_on:
        raise DomainError(_("Therapy cannot end before the plan started."), field="ended_on")
    last_session = (
        TherapySession.objects.current().filter(plan=plan).order_by("-held_on").values_list("held_on", flat=True)
    ).first()
    if last_session is not None and last_session > ended_on:
        raise DomainError(
            _("A session was held on %(day)s, after that day.") % {"day": _readable(last_session)}, field="ended_on"
        )
    changes = {"status": PlanStatus.ENDED, "therapy_ended_on": ended_on, "end_reason": reason}
    plan = save_edit(plan, expected_version=expected_version, reason=reason, changes=changes)
    open_elements = (ElementStatus.ACTIVE, ElementStatus.PLANNED, ElementStatus.PAUSED)
    for element in TherapyElement.objects.current().filter(plan=plan, status__in=open_elements):
        status = ElementStatus.COMPLETED if element.status == ElementStatus.ACTIVE else ElementStatus.STOPPED
        save_edit(element, expected_version=element.version, reason=ENDED_WITH_THERAPY, changes={"status": status})
    _audit(plan.patient, Action.UPDATE, "care_plan", plan.id)
    measures_services.record_end_of_therapy(plan.patient, ended_on=ended_on, today=today)
    return plan


@transaction.atomic
def resume_therapy(plan: CarePlan, *, expected_version: int, reason: str, today: date) -> CarePlan:
    """Undo an ending recorded by mistake or therapy taken up again: the elements the ending completed or
    stopped are as they were (unless changed since), and the measures schedule follows."""
    reason = _reason(reason)
    plan = _locked(plan)
    if plan.status != PlanStatus.ENDED:
        raise DomainError(_("Therapy is going on; there is nothing to resume."))
    _at_version(plan, expected_version)
    changes = {"status": PlanStatus.ACTIVE, "therapy_ended_on": None, "end_reason": ""}
    plan = save_edit(plan, expected_version=expected_version, reason=reason, changes=changes)
    _undo_ending(TherapyElement.objects.current().filter(plan=plan), ("status",), reason)
    _audit(plan.patient, Action.UPDATE, "care_plan", plan.id)
    measures_services.record_end_of_therapy(plan.patient, ended_on=None, today=today)
    return plan


def _undo_ending(records: Any, fields: tuple[str, ...], reason: str) -> None:
    """Put back `fields` of the records whose latest change was the therapy's ending (nothing changed since),
    as they were just before it, from the record history."""
    current = {record.pk: record for record in records}
    if not current:
        return
    history = type(next(iter(current.values()))).history  # the model's history, every record's rows
    ended = history.filter(id__in=list(current), history_change_reason=ENDED_WITH_THERAPY)
    changed = {row.id: current[row.id] for row in ended if row.version == current[row.id].version}
    if not changed:
        return
    wanted = {(pk, record.version - 1) for pk, record in changed.items()}
    for row in history.filter(id__in=list(changed)):
        if (row.id, row.version) in wanted:
            record = changed[row.id]
            restored = {field: getattr(row, field) for field in fields}
            save_edit(record, expected_version=record.version, reason=reason, changes=restored)
