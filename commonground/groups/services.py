"""Writes of the groups domain: programmes, cohorts and their facilitators, enrolment and the waiting list,
sessions, attendance, notes and home practice given to the whole group.

The member's own writes (action plans, partners and check-ins, the board, concerns) live in `members.py` and
are re-exported here, so every caller imports `commonground.groups.services`.

Every check comes before the first write. A place is taken with ONE conditional UPDATE
(`places_taken < capacity`): of two coordinators booking the last place, exactly one gets it and the other gets
`CohortFull`. E-mail notices carry no patient data ("sign in to see") and go out only once the transaction
commits (`notifications.services.send_email`). Every write of a member's data records its audit event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonground.access.gateway import record_write
from commonground.audit.choices import Action
from commonground.careplans import services as careplans_services
from commonground.groups import checks, schedule
from commonground.groups.choices import (
    MEMBER_STATUSES,
    OPEN_ENROLMENT,
    Attendance,
    CohortStatus,
    EnrolmentStatus,
    SessionStatus,
)
from commonground.groups.enrolment import (
    CONSENT_TEXT_VERSION,
    IN_CARE,
    CohortFull,
    _close,
    change_member_choices,
    consent_withdrawn,
    enrol,
    offer_place,
    withdraw,
)
from commonground.groups.members import (
    add_action_step,
    agree_to_pairing,
    answer_concern,
    ask_to_pair,
    change_action_step,
    check_in,
    decline_pairing,
    end_pairing,
    hide_post,
    mark_step_done,
    post_small_win,
    post_to_board,
    propose_pairing,
    raise_concern,
    remove_action_step,
    set_partner_shares,
    share_plan_with_group,
    take_down_post,
)
from commonground.groups.models import (
    AttendanceRecord,
    Cohort,
    CohortFacilitator,
    CurriculumSession,
    Enrolment,
    GroupSession,
    MemberNote,
    PracticeCopy,
    Programme,
    SessionPractice,
)
from commonground.groups.programmes import (
    create_programme,
    create_programme_from_template,
    remove_curriculum_session,
    save_curriculum_session,
    update_programme,
)
from commonground.groups.selectors import members_at
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.notes import language_check
from commonground.notes import selectors as notes_selectors
from commonground.notes import services as notes_services
from commonground.notes.choices import NoteKind
from commonground.notes.language_check import Finding
from commonground.notes.models import Note
from commonground.notifications.services import send_email

__all__ = [
    "CONSENT_TEXT_VERSION",
    "IN_CARE",
    "CohortFull",
    "add_action_step",
    "add_facilitator",
    "agree_to_pairing",
    "answer_concern",
    "ask_to_pair",
    "assign_session_practice",
    "cancel_cohort",
    "cancel_session",
    "change_action_step",
    "change_member_choices",
    "check_in",
    "consent_withdrawn",
    "create_cohort",
    "create_programme",
    "create_programme_from_template",
    "decline_pairing",
    "end_pairing",
    "enrol",
    "finish_cohort",
    "hide_post",
    "mark_step_done",
    "offer_place",
    "post_small_win",
    "post_to_board",
    "propose_pairing",
    "raise_concern",
    "record_attendance",
    "remove_action_step",
    "remove_curriculum_session",
    "remove_facilitator",
    "reschedule_session",
    "save_curriculum_session",
    "set_partner_shares",
    "share_plan_with_group",
    "start_cohort",
    "take_down_post",
    "update_cohort",
    "update_programme",
    "withdraw",
    "write_member_note",
    "write_session_note",
]

COHORT_FIELDS = ("name", "capacity", "starts_on", "session_time", "session_minutes", "place", "online_link")
PRACTICE_FIELDS = ("title", "library_item", "instructions", "how_often", "ends_on")
MAX_CAPACITY = 40
SESSION_CHANGED = "groups/email/session_changed.txt"
# Attendance can be taken from a little before the session starts (people arrive early), never for later ones.
ATTENDANCE_FROM = timedelta(minutes=30)


# --- cohorts ------------------------------------------------------------------------------------------------


def _time_zone(cohort_or_programme: Any) -> str:
    return str(cohort_or_programme.organisation.time_zone)


def _checked_facilitators(organisation_id: Any, facilitators: list[Any]) -> list[Any]:
    people = list({person.id: person for person in facilitators}.values())
    if not people:
        raise DomainError(_("Choose at least one facilitator."), field="facilitators")
    if any(not checks.may_facilitate(person, organisation_id) for person in people):
        raise DomainError(_("Facilitators must be clinical staff of this clinic."), field="facilitators")
    return people


def _checked_cohort(programme: Programme, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": checks.text(details.get("name"), "name", limit=120, required=True),
        "capacity": checks.whole(details.get("capacity"), "capacity", low=1, high=MAX_CAPACITY),
        "starts_on": checks.day(details.get("starts_on"), "starts_on", required=True),
        "session_time": checks.clock_time(details.get("session_time"), "session_time"),
        "session_minutes": checks.whole(
            details.get("session_minutes") or programme.session_minutes, "session_minutes", low=15, high=480
        ),
        "place": checks.text(details.get("place"), "place", limit=300),
        "online_link": checks.text(details.get("online_link"), "online_link", limit=200),
    }


def _link(value: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise DomainError(_("Give the full link, starting with https://."), field="online_link")
    return value


@transaction.atomic
def create_cohort(programme: Programme, *, details: dict[str, Any], facilitators: list[Any], by: Any) -> Cohort:
    """A run of the programme, with one session per programme session, every `days_between` days at the same
    clock time in the clinic's time zone."""
    checks.keeps_programmes(programme.organisation_id, by)
    checks.only(details, COHORT_FIELDS)
    if not programme.active or programme.is_entered_in_error:
        raise DomainError(_("This programme is no longer in use."))
    checked = _checked_cohort(programme, details)
    _not_in_past(checked["starts_on"], programme)
    _link(checked["online_link"])
    people = _checked_facilitators(programme.organisation_id, facilitators)
    _no_twin(programme, checked)
    plan = list(CurriculumSession.objects.current().filter(programme=programme).order_by("number"))
    if not plan:
        raise DomainError(_("This programme has no sessions yet."))
    cohort = save_new(
        Cohort(programme=programme, organisation_id=programme.organisation_id, created_by=by, **checked),
        reason="Group made",
    )
    now = clock.now()
    for person in people:
        CohortFacilitator.objects.create(cohort=cohort, user=person, added_at=now)
    starts = schedule.session_starts(
        checked["starts_on"],
        checked["session_time"],
        _time_zone(programme),
        count=len(plan),
        days_between=programme.days_between,
    )
    for planned, starts_at in zip(plan, starts, strict=True):
        save_new(
            GroupSession(
                cohort=cohort,
                organisation_id=cohort.organisation_id,
                number=planned.number,
                curriculum_session=planned,
                title=planned.title,
                topic=planned.topic,
                skill=planned.skill,
                starts_at=starts_at,
                minutes=cohort.session_minutes,
                place=cohort.place,
                online_link=cohort.online_link,
            ),
            reason="Group session planned",
        )
    return cohort


def _locked_cohort(cohort: Cohort) -> Cohort:
    locked: Cohort = Cohort.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=cohort.pk)
    return locked


def _today(cohort_or_programme: Any) -> date:
    return clock.local_date(clock.now(), _time_zone(cohort_or_programme))


def _not_in_past(day: date, cohort_or_programme: Any) -> None:
    if day < _today(cohort_or_programme):
        raise DomainError(_("The first session cannot be in the past. Choose today or a later day."), field="starts_on")


def _no_twin(programme: Programme, checked: dict[str, Any], *, other_than: Any = None) -> None:
    """A second group of the same programme, name and first session is a double submission."""
    twins = Cohort.objects.current().filter(
        programme=programme,
        name__iexact=checked["name"],
        starts_on=checked["starts_on"],
        session_time=checked["session_time"],
    )
    if other_than is not None:
        twins = twins.exclude(pk=other_than)
    if twins.exclude(status=CohortStatus.CANCELLED).exists():
        raise DomainError(_("A group with this name and first session exists already."), field="name")


@transaction.atomic
def update_cohort(cohort: Cohort, *, expected_version: int, changes: dict[str, Any], by: Any) -> Cohort:
    """Change the name, places, place, online link or minutes; the first day and time only while the group is
    planned (its scheduled sessions move with it). Places never fall below the places taken."""
    checks.runs_cohort(cohort, by)
    checks.only(changes, COHORT_FIELDS)
    saved = _locked_cohort(cohort)
    checks.at_version(saved, expected_version)
    checks.not_over(saved)
    current = {field: getattr(saved, field) for field in COHORT_FIELDS}
    checked = _checked_cohort(saved.programme, current | changes)
    _link(checked["online_link"])
    if checked["capacity"] < saved.places_taken:
        raise DomainError(
            _("%(taken)d places are taken already; the group needs at least that many.")
            % {"taken": saved.places_taken},
            field="capacity",
        )
    moved = (checked["starts_on"], checked["session_time"]) != (saved.starts_on, saved.session_time)
    if moved and saved.status != CohortStatus.PLANNED:
        raise DomainError(_("The group has started; move single sessions instead."), field="starts_on")
    if moved:
        _not_in_past(checked["starts_on"], saved)
        _no_twin(saved.programme, checked, other_than=saved.pk)
    old = {"place": saved.place, "online_link": saved.online_link, "minutes": saved.session_minutes}
    saved = save_edit(saved, expected_version=expected_version, reason="Group changed", changes=checked)
    _follow_cohort(saved, old, moved)
    return saved


def _follow_cohort(cohort: Cohort, old: dict[str, Any], moved: bool) -> None:
    """Scheduled sessions follow a change of the group's place, link, minutes or (while planned) its days."""
    sessions = list(
        GroupSession.objects.current().filter(cohort=cohort, status=SessionStatus.SCHEDULED).order_by("number")
    )
    for session in sessions:
        changes: dict[str, Any] = {}
        if session.place == old["place"] and cohort.place != old["place"]:
            changes["place"] = cohort.place
        if session.online_link == old["online_link"] and cohort.online_link != old["online_link"]:
            changes["online_link"] = cohort.online_link
        if session.minutes == old["minutes"] and cohort.session_minutes != old["minutes"]:
            changes["minutes"] = cohort.session_minutes
        if moved:
            first_day = cohort.starts_on + timedelta(days=cohort.programme.days_between * (session.number - 1))
            changes["starts_at"] = schedule.local_start(first_day, cohort.session_time, _time_zone(cohort))
        if changes:
            save_edit(session, expected_version=session.version, reason="Group changed", changes=changes)


@transaction.atomic
def add_facilitator(cohort: Cohort, user: Any, *, by: Any) -> CohortFacilitator:
    checks.runs_cohort(cohort, by)
    checks.not_over(cohort)
    if not checks.may_facilitate(user, cohort.organisation_id):
        raise DomainError(_("Facilitators must be clinical staff of this clinic."), field="user")
    found: CohortFacilitator | None = CohortFacilitator.objects.filter(
        cohort=cohort, user=user, removed_at__isnull=True
    ).first()
    if found is not None:
        return found
    return CohortFacilitator.objects.create(cohort=cohort, user=user, added_at=clock.now())


@transaction.atomic
def remove_facilitator(cohort: Cohort, user: Any, *, by: Any) -> CohortFacilitator:
    """The facilitator stops seeing the group (and its members' data) at once; the last one cannot leave."""
    checks.runs_cohort(cohort, by)
    _locked_cohort(cohort)  # two removals at once cannot leave the group with nobody
    current = list(CohortFacilitator.objects.filter(cohort=cohort, removed_at__isnull=True))
    leaving = next((row for row in current if row.user_id == user.id), None)
    if leaving is None:
        raise DomainError(_("This person is not a facilitator of the group."), field="user")
    if len(current) == 1:
        raise DomainError(_("A group needs at least one facilitator. Add another one first."), field="user")
    leaving.removed_at = clock.now()
    leaving.save(update_fields=["removed_at", "updated_at"])
    return leaving


@transaction.atomic
def start_cohort(cohort: Cohort, *, by: Any) -> Cohort:
    checks.runs_cohort(cohort, by)
    saved = _locked_cohort(cohort)
    if saved.status != CohortStatus.PLANNED:
        raise DomainError(_("Only a planned group can start."))
    return save_edit(
        saved, expected_version=saved.version, reason="Group started", changes={"status": CohortStatus.RUNNING}
    )


@transaction.atomic
def finish_cohort(cohort: Cohort, *, by: Any, early: bool = False) -> Cohort:
    """Enrolled members finish (they keep the materials and their plan); the waiting list is closed; pairings
    end; group practice stops. With sessions still planned (to come, not cancelled) it needs `early=True`: the
    person confirmed finishing the group early (those sessions are then cancelled)."""
    checks.runs_cohort(cohort, by)
    saved = _locked_cohort(cohort)
    if saved.status not in (CohortStatus.PLANNED, CohortStatus.RUNNING):
        raise DomainError(_("This group has already finished or was cancelled."))
    planned = list(
        GroupSession.objects.current().filter(cohort=saved, status=SessionStatus.SCHEDULED, starts_at__gt=clock.now())
    )
    if planned and not early:
        raise DomainError(
            ngettext(
                "%(count)d session is still planned. To finish the group early, confirm it.",
                "%(count)d sessions are still planned. To finish the group early, confirm it.",
                len(planned),
            )
            % {"count": len(planned)},
            field="early",
        )
    for session in planned:
        save_edit(
            session,
            expected_version=session.version,
            reason="The group finished early",
            changes={"status": SessionStatus.CANCELLED, "reschedule_reason": _("The group finished early.")},
        )
    for enrolment in _open_enrolments(saved):
        to = EnrolmentStatus.FINISHED if enrolment.status == EnrolmentStatus.ENROLLED else EnrolmentStatus.WITHDRAWN
        _close(enrolment, to, reason="" if to == EnrolmentStatus.FINISHED else _("The group finished."), by=by)
    return save_edit(
        saved, expected_version=saved.version, reason="Group finished", changes={"status": CohortStatus.FINISHED}
    )


@transaction.atomic
def cancel_cohort(cohort: Cohort, *, reason: str, by: Any) -> Cohort:
    """Scheduled sessions are cancelled, every place and the waiting list are freed, members get a notice."""
    why = checks.reason(reason, _("Say why the group is cancelled."))
    checks.runs_cohort(cohort, by)
    saved = _locked_cohort(cohort)
    checks.not_over(saved)
    enrolled = [e for e in _open_enrolments(saved) if e.status == EnrolmentStatus.ENROLLED]
    for enrolment in _open_enrolments(saved):
        _close(enrolment, EnrolmentStatus.WITHDRAWN, reason=_("The group was cancelled."), by=by)
    for session in GroupSession.objects.current().filter(cohort=saved, status=SessionStatus.SCHEDULED):
        save_edit(session, expected_version=session.version, reason=why, changes={"status": SessionStatus.CANCELLED})
    saved.refresh_from_db()
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason=why,
        changes={"status": CohortStatus.CANCELLED, "places_taken": 0},
    )
    _tell_members(enrolled, subject=gettext_lazy("A change to your group"), template="groups/email/group_changed.txt")
    return saved


def _open_enrolments(cohort: Cohort) -> list[Enrolment]:
    return list(
        Enrolment.objects.current()
        .select_for_update(of=("self",))
        .filter(cohort=cohort, status__in=OPEN_ENROLMENT)
        .select_related("patient")
        .order_by("created_at")
    )


# --- sessions -----------------------------------------------------------------------------------------------


def _locked_session(session: GroupSession) -> GroupSession:
    locked: GroupSession = (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("cohort", "cohort__organisation")
        .get(pk=session.pk)
    )
    return locked


def _members(cohort: Cohort, statuses: tuple[str, ...] = (EnrolmentStatus.ENROLLED,)) -> list[Enrolment]:
    return list(
        Enrolment.objects.current()
        .filter(cohort=cohort, status__in=statuses)
        .select_related("patient", "patient__user")
        .order_by("created_at")
    )


@transaction.atomic
def record_attendance(session: GroupSession, *, marks: dict[UUID, str], by: Any) -> list[AttendanceRecord]:
    """Marks per enrolment id (present, absent with notice, absent) of members of the group; the session is
    held. Recording again changes a mark (versioned); marks not given stay as they were."""
    checks.runs_cohort(session.cohort, by)
    saved = _locked_session(session)
    checks.not_over(saved.cohort)
    if saved.status == SessionStatus.CANCELLED:
        raise DomainError(_("This session was cancelled."))
    if clock.now() < saved.starts_at - ATTENDANCE_FROM:
        raise DomainError(_("Attendance can be recorded from the session's start."), field="marks")
    members = {m.id: m for m in members_at(saved)}
    wanted = {checks.as_uuid(key): checks.choice(value, "marks", Attendance) for key, value in marks.items()}
    if any(key not in members for key in wanted):
        raise DomainError(
            _("Attendance can only be recorded for those who were members of the group at this session."),
            field="marks",
        )
    existing = {r.enrolment_id: r for r in AttendanceRecord.objects.current().filter(session=saved)}
    records = [_mark(saved, members[key], status, existing.get(key), by) for key, status in wanted.items() if key]
    if saved.status != SessionStatus.HELD:
        save_edit(saved, expected_version=saved.version, reason="Session held", changes={"status": SessionStatus.HELD})
    return records


def _mark(
    session: GroupSession, enrolment: Enrolment, status: str, found: AttendanceRecord | None, by: Any
) -> AttendanceRecord:
    if found is not None:
        if found.status == status:
            return found
        record = save_edit(
            found,
            expected_version=found.version,
            reason="Attendance changed",
            changes={"status": status, "recorded_by": by},
        )
        record_write(enrolment.patient, action=Action.UPDATE, object_type="group_attendance", object_id=str(record.id))
        return record
    record = save_new(
        AttendanceRecord(
            session=session, enrolment=enrolment, organisation_id=session.organisation_id, status=status, recorded_by=by
        ),
        reason="Attendance recorded",
    )
    record_write(enrolment.patient, action=Action.CREATE, object_type="group_attendance", object_id=str(record.id))
    return record


@transaction.atomic
def write_session_note(
    session: GroupSession, *, note: str, skills_practised: str, by: Any
) -> tuple[GroupSession, list[Finding]]:
    """The facilitator's note about the session as a whole (no member named in it) and the skills practised;
    returns the note-language check's findings for the facilitator to look at."""
    checks.runs_cohort(session.cohort, by)
    saved = _locked_session(session)
    changes = {
        "note": checks.text(note, "note", limit=4000),
        "skills_practised": checks.text(skills_practised, "skills_practised", limit=400),
    }
    saved = save_edit(saved, expected_version=saved.version, reason="Session note written", changes=changes)
    language = (settings.LANGUAGE_CODE or "en").split("-")[0].lower()
    findings = language_check.check(changes["note"], notes_selectors.rules_for(saved.organisation_id, language))
    return saved, findings


@transaction.atomic
def write_member_note(session: GroupSession, enrolment: Enrolment, *, text: str, by: Any) -> Note:
    """A note about one member in this session: a clinical note of the member (kind group), language-checked."""
    checks.runs_cohort(session.cohort, by)
    if enrolment.cohort_id != session.cohort_id or enrolment.status not in MEMBER_STATUSES:
        raise DomainError(_("Notes can only be written about members of this group."))
    note = notes_services.write_note(enrolment.patient, kind=NoteKind.GROUP, text=text, by=by)
    MemberNote.objects.create(session=session, enrolment=enrolment, note=note)
    return note


@transaction.atomic
def reschedule_session(
    session: GroupSession,
    *,
    starts_at: datetime,
    reason: str,
    expected_version: int,
    by: Any,
    place: str | None = None,
    online_link: str | None = None,
) -> GroupSession:
    """Move a scheduled session; each member with a portal account gets a notice after commit that a session
    time changed (nothing more: they sign in to see)."""
    checks.runs_cohort(session.cohort, by)
    why = checks.reason(reason, _("Say why the session moves."))
    saved = _locked_session(session)
    checks.at_version(saved, expected_version)
    checks.not_over(saved.cohort)
    if saved.status != SessionStatus.SCHEDULED:
        raise DomainError(_("Only a session still to come can be moved."))
    new_start = checks.moment(starts_at, "starts_at", _time_zone(saved.cohort))
    _fits_schedule(saved, new_start)
    original = saved.rescheduled_from or saved.starts_at
    changes: dict[str, Any] = {
        "starts_at": new_start,
        "rescheduled_from": None if new_start == original else original,
        "reschedule_reason": "" if new_start == original else why,
    }
    if place is not None:
        changes["place"] = checks.text(place, "place", limit=300)
    if online_link is not None:
        changes["online_link"] = _link(checks.text(online_link, "online_link", limit=200))
    saved = save_edit(saved, expected_version=expected_version, reason=why, changes=changes)
    _tell_members(_members(saved.cohort), subject=SESSION_CHANGED_SUBJECT, template=SESSION_CHANGED)
    return saved


def _fits_schedule(session: GroupSession, starts_at: datetime) -> None:
    """A new time is not in the past, does not overlap another session of the group, and keeps the sessions in
    their order (a session stays after the one before it and before the one after it)."""
    if starts_at <= clock.now():
        raise DomainError(_("The new time has passed already. Choose a time still to come."), field="starts_at")
    others = list(
        GroupSession.objects.current()
        .filter(cohort_id=session.cohort_id)
        .exclude(pk=session.pk)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("number")
    )
    ends_at = starts_at + timedelta(minutes=session.minutes)
    for other in others:
        if other.starts_at < ends_at and starts_at < other.starts_at + timedelta(minutes=other.minutes):
            raise DomainError(
                _("That time overlaps session %(number)d of the group. Choose another time.")
                % {"number": other.number},
                field="starts_at",
            )
    before = [other for other in others if other.number < session.number]
    after = [other for other in others if other.number > session.number]
    if before and starts_at <= before[-1].starts_at:
        raise DomainError(
            _("Sessions stay in order: session %(number)d must come after session %(before)d.")
            % {"number": session.number, "before": before[-1].number},
            field="starts_at",
        )
    if after and starts_at >= after[0].starts_at:
        raise DomainError(
            _("Sessions stay in order: session %(number)d must come before session %(after)d.")
            % {"number": session.number, "after": after[0].number},
            field="starts_at",
        )


@transaction.atomic
def cancel_session(session: GroupSession, *, reason: str, by: Any) -> GroupSession:
    checks.runs_cohort(session.cohort, by)
    why = checks.reason(reason, _("Say why the session is cancelled."))
    saved = _locked_session(session)
    checks.not_over(saved.cohort)
    if saved.status != SessionStatus.SCHEDULED:
        raise DomainError(_("Only a session still to come can be cancelled."))
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason=why,
        changes={"status": SessionStatus.CANCELLED, "reschedule_reason": why},
    )
    _tell_members(_members(saved.cohort), subject=SESSION_CHANGED_SUBJECT, template=SESSION_CHANGED)
    return saved


SESSION_CHANGED_SUBJECT = gettext_lazy("A group session has changed")


def _tell_members(enrolments: list[Enrolment], *, subject: Any, template: str) -> None:
    """A notice to sign in, in each member's own language, for each member with an active portal account: no
    name, no group, no content. `subject` is a lazy translation, rendered in the member's language."""
    for enrolment in enrolments:
        user = enrolment.patient.user
        address = user.email if user is not None and user.is_active else ""
        if address:
            with translation.override(enrolment.patient.preferred_language or None):
                send_email(
                    to=address,
                    subject=str(subject),
                    template=template,
                    context={"url": f"{settings.SITE_URL.rstrip('/')}/portal/groups/"},
                )


# --- home practice for the whole group ---------------------------------------------------------------------


def _checked_practice(details: dict[str, Any]) -> dict[str, Any]:
    from commonground.careplans import library

    checks.only(details, PRACTICE_FIELDS)
    slug = checks.text(details.get("library_item"), "library_item", limit=60)
    found = library.item(slug) if slug else None
    if slug and found is None:
        raise DomainError(_("Choose an exercise from the library."), field="library_item")
    title = checks.text(details.get("title"), "title", limit=200) or (found.title if found else "")
    if not title:
        raise DomainError(_("Choose an exercise from the library or say what to practise."), field="title")
    ends_on: date | None = checks.day(details.get("ends_on"), "ends_on")
    return {
        "title": title,
        "library_item": slug,
        "instructions": checks.text(details.get("instructions"), "instructions", limit=2000),
        "how_often": checks.text(details.get("how_often"), "how_often", limit=120),
        "ends_on": ends_on,
    }


@transaction.atomic
def assign_session_practice(session: GroupSession, *, details: dict[str, Any], by: Any) -> SessionPractice:
    """Home practice for every enrolled member: each gets their own careplans HomePractice (in their diary and on
    their Today page), linked by PracticeCopy. A member already practising the same library item is skipped
    (see `selectors.practice_skipped`)."""
    checks.runs_cohort(session.cohort, by)
    saved = _locked_session(session)
    checks.not_over(saved.cohort)
    if saved.status == SessionStatus.CANCELLED:
        raise DomainError(_("This session was cancelled."))
    checked = _checked_practice(details)
    given = SessionPractice.objects.filter(session=saved)
    same = Q(title__iexact=checked["title"])
    if checked["library_item"]:
        same |= Q(library_item=checked["library_item"])
    if given.filter(same).exists():
        raise DomainError(_("That practice was already given at this session."), field="title")
    practice = SessionPractice.objects.create(session=saved, assigned_by=by, **checked)
    for enrolment in _members(saved.cohort):
        copy = careplans_services.assign_group_practice(
            enrolment.patient, details={key: value for key, value in checked.items() if value not in (None, "")}, by=by
        )
        if copy is not None:
            PracticeCopy.objects.create(practice=practice, enrolment=enrolment, home_practice=copy)
    return practice
