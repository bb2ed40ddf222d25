"""The staff's page of one group session: attendance, the session note, notes about members (with their
wording check), home practice for the group, a new time or cancelling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.relationships import CARE_TEAM
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.clinician import groups_common as common
from commonground.clinician import groups_display as display
from commonground.clinician import groups_forms as forms
from commonground.groups import selectors, services
from commonground.groups.apps import GROUP_FACILITATOR
from commonground.groups.choices import EnrolmentStatus
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.notes import selectors as notes_selectors
from commonground.notes import services as notes_services

# --- a session ----------------------------------------------------------------------------------------------------


def _session(found: Any, session_id: Any) -> Any:
    session = selectors.session_for_staff(found, session_id)
    if session is None:
        raise Http404()
    return session


def _members_choices(found: Any) -> list[tuple[str, str]]:
    return [(str(e.id), e.patient.display_name) for e in selectors.roster(found) if e.status != "withdrawn"]


@dataclass(frozen=True)
class MemberNoteShown:
    """A note about a member written in this session. Its words and wording check are shown only to those who may
    see the patient (the care team, the group's facilitators); its author may change it or mark it in error."""

    member_note: Any
    name: str
    readable: bool
    suggestions: list[Any]
    mine: bool
    change_form: Any
    error_form: Any


def _member_notes(request: HttpRequest, session: Any, bound: dict[str, Any]) -> list[MemberNoteShown]:
    found = selectors.member_notes_of(session)
    ids = {m.enrolment.patient_id for m in found}
    visible = set(gateway.visible_patients(request).filter(id__in=ids).values_list("id", flat=True))
    gateway.audit_listed([m.enrolment.patient for m in found if m.enrolment.patient_id in visible], object_type="note")
    rows = []
    for m in found:
        note, readable = m.note, m.enrolment.patient_id in visible
        mine = readable and note.author_id == request.user.pk
        initial = {"note": note.id, "version": note.version}
        rows.append(
            MemberNoteShown(
                member_note=m,
                name=m.enrolment.patient.display_name,
                readable=readable,
                suggestions=notes_selectors.open_suggestions(note) if readable else [],
                mine=mine,
                change_form=bound.get(f"change-{note.id}")
                or forms.ChangeMemberNoteForm(initial=initial | {"text": note.text}, auto_id=f"change-{note.id}-%s"),
                error_form=bound.get(f"error-{note.id}")
                or forms.MemberNoteInErrorForm(initial=initial, auto_id=f"error-{note.id}-%s"),
            )
        )
    return rows


# The groups service takes attendance from half an hour before a session's start.
ATTENDANCE_FROM = timedelta(minutes=30)


def _session_page(request: HttpRequest, found: Any, session: Any, *, status: int = 200, **forms_: Any) -> HttpResponse:
    roster = [e for e in selectors.roster(found) if e.status != EnrolmentStatus.WITHDRAWN]
    at_session = selectors.members_at(session)
    gateway.audit_listed([e.patient for e in {*roster, *at_session}], object_type="group_enrolment")
    members_ = [(str(e.id), e.patient.display_name) for e in roster]
    present_then = [(str(e.id), e.patient.display_name) for e in at_session]
    marks = display.marks_of(session)
    on, at = display.local_parts(session.starts_at, common.time_zone(request))
    reschedule_initial = {
        "version": session.version,
        "on": on,
        "at": at,
        "place": session.place,
        "online_link": session.online_link,
    }
    today = common.today(request)
    context = {
        "session": session,
        "over": common.is_over(found),
        "not_started": _not_started(session),
        "attendance_form": forms_.get("attendance_form")
        or forms.AttendanceForm(members=present_then, initial={forms.MARK_PREFIX + k: v for k, v in marks.items()}),
        "note_form": forms_.get("note_form")
        or forms.SessionNoteForm(initial={"note": session.note, "skills_practised": session.skills_practised}),
        "findings": forms_.get("findings"),
        "member_note_form": forms_.get("member_note_form") or forms.MemberNoteForm(members=members_),
        "practice_form": forms_.get("practice_form")
        or forms.SessionPracticeForm(library=common.library_choices(), today=today),
        "reschedule_form": forms_.get("reschedule_form")
        or forms.RescheduleForm(initial=reschedule_initial, today=today),
        "cancel_form": forms_.get("cancel_form") or forms.CancelSessionForm(),
        "conflict": forms_.get("conflict", ""),
        "practice": display.practice_of(session),
        "member_notes": _member_notes(request, session, forms_.get("note_forms", {})),
    }
    return common.cohort_page(request, found, "overview", "clinician/groups/session.html", status=status, **context)


def _not_started(session: Any) -> bool:
    return bool(clock.now() < session.starts_at - ATTENDANCE_FROM)


def _refused(request: HttpRequest, found: Any, session: Any, *, attendance: bool = False) -> HttpResponse | None:
    """A finished or cancelled group's sessions take no attendance, practice or new time; attendance is recorded
    from the session's start. (The page does not offer these; this answers a form sent anyway.)"""
    if common.is_over(found):
        messages.error(request, _("This group has finished or was cancelled: its sessions cannot be changed."))
    elif attendance and _not_started(session):
        messages.error(request, _("Attendance can be recorded from the session's start."))
    else:
        return None
    return common.with_status(_session_page(request, found, session), 400)


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
def session(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    return _session_page(request, found, _session(found, session_id))


def _to_session(found: Any, session: Any, anchor: str = "") -> HttpResponse:
    url = reverse("clinician:group_session", args=[found.id, session.id])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def attendance(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """Everyone's attendance in one form; nothing is saved unless every member has a mark."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    if (refused := _refused(request, found, session_, attendance=True)) is not None:
        return refused
    at_session = [(str(e.id), e.patient.display_name) for e in selectors.members_at(session_)]
    form = forms.AttendanceForm(request.POST, members=at_session)
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, attendance_form=form)
    try:
        services.record_attendance(session_, marks=display.as_uuid_keys(form.marks()), by=request.user)
    except DomainError as error:
        form.add_error(None, error.message)
        return _session_page(request, found, session_, status=400, attendance_form=form)
    messages.success(request, _("Attendance is saved."))
    return _to_session(found, session_, "attendance")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def session_note(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """The note about the session and the skills practised. The wording check advises and never blocks: the
    note is saved, and its suggestions are shown on the page that follows."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.SessionNoteForm(request.POST)
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, note_form=form)
    data = form.cleaned_data
    try:
        saved, findings = services.write_session_note(
            session_, note=data["note"], skills_practised=data["skills_practised"], by=request.user
        )
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, note_form=form)
    messages.success(request, _("The session note is saved."))
    if not findings:
        return _to_session(found, saved, "note")
    return _session_page(request, found, saved, findings=display.findings(findings))


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def member_note(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.MemberNoteForm(request.POST, members=_members_choices(found))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, member_note_form=form)
    enrolment = common.enrolment_of(found, form.cleaned_data["enrolment"])
    gateway.open_patient(request, enrolment.patient_id, action=Action.CREATE, object_type="note")
    try:
        note = services.write_member_note(session_, enrolment, text=form.cleaned_data["text"], by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, member_note_form=form)
    messages.success(
        request,
        _("The note about %(name)s is saved in their record. Its wording check, if any, is shown with it below.")
        % {"name": enrolment.patient.display_name},
    )
    return _to_session(found, session_, f"note-{note.id}")


def _own_member_note(request: HttpRequest, session: Any, note_id: Any) -> Any:
    """A note about a member written in this session by the person (only its author changes it); else 404."""
    found = next((m for m in selectors.member_notes_of(session) if m.note_id == note_id), None)
    if found is None or found.note.author_id != request.user.pk:
        raise Http404()
    return found


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def change_member_note(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """The author changes their note about a member (versioned, with a reason); the wording check runs again."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.ChangeMemberNoteForm(request.POST)
    if not form.is_valid():
        if not form.has_error("note") and not form.has_error("version"):
            member_note_ = _own_member_note(request, session_, form.cleaned_data["note"])
            bound = {f"change-{member_note_.note_id}": form}
            return _session_page(request, found, session_, status=400, note_forms=bound)
        raise Http404()
    member_note_ = _own_member_note(request, session_, form.cleaned_data["note"])
    gateway.open_patient(request, member_note_.enrolment.patient_id, action=Action.UPDATE, object_type="note")
    data = form.cleaned_data
    try:
        notes_services.edit_note(
            member_note_.note,
            expected_version=data["version"],
            text=data["text"],
            reason=data["reason"],
            by=request.user,
        )
    except StaleEdit:
        messages.error(request, _("The note was changed after you opened it; yours was not saved. This is the latest."))
        return _to_session(found, session_, f"note-{member_note_.note_id}")
    except DomainError as error:
        common.apply_error(form, error)
        bound = {f"change-{member_note_.note_id}": form}
        return _session_page(request, found, session_, status=400, note_forms=bound)
    messages.success(request, _("The note is changed; its wording check ran again."))
    return _to_session(found, session_, f"note-{member_note_.note_id}")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def member_note_in_error(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """The author marks their note about a member as entered in error: it leaves the record's view."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.MemberNoteInErrorForm(request.POST)
    if not form.is_valid():
        if not form.has_error("note") and not form.has_error("version"):
            member_note_ = _own_member_note(request, session_, form.cleaned_data["note"])
            bound = {f"error-{member_note_.note_id}": form}
            return _session_page(request, found, session_, status=400, note_forms=bound)
        raise Http404()
    member_note_ = _own_member_note(request, session_, form.cleaned_data["note"])
    gateway.open_patient(request, member_note_.enrolment.patient_id, action=Action.UPDATE, object_type="note")
    try:
        notes_services.mark_note_in_error(
            member_note_.note, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
    except StaleEdit:
        messages.error(request, _("The note was changed after you opened it; nothing was marked. This is the latest."))
        return _to_session(found, session_, "member-note")
    except DomainError as error:
        common.apply_error(form, error)
        bound = {f"error-{member_note_.note_id}": form}
        return _session_page(request, found, session_, status=400, note_forms=bound)
    messages.success(request, _("The note is marked as entered in error; it no longer shows in their record."))
    return _to_session(found, session_, "member-note")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def session_practice(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """Home practice for every member: it appears in each member's diary and on their Today page."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    if (refused := _refused(request, found, session_)) is not None:
        return refused
    form = forms.SessionPracticeForm(request.POST, library=common.library_choices(), today=common.today(request))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, practice_form=form)
    try:
        practice = services.assign_session_practice(session_, details=form.details(), by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, practice_form=form)
    messages.success(request, _("The home practice is given to every member; it shows in their diaries."))
    skipped = [enrolment.patient.display_name for enrolment in selectors.practice_skipped(practice)]
    if skipped:
        messages.info(
            request,
            _("Already practising it, so not given again: %(names)s.") % {"names": ", ".join(skipped)},
        )
    return _to_session(found, session_, "practice")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def reschedule(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    if (refused := _refused(request, found, session_)) is not None:
        return refused
    form = forms.RescheduleForm(request.POST, today=common.today(request))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, reschedule_form=form)
    data = form.cleaned_data
    on, at = form.when()
    try:
        services.reschedule_session(
            session_,
            starts_at=display.local_moment(on, at, common.time_zone(request)),
            reason=data["reason"].strip(),
            expected_version=data["version"],
            by=request.user,
            place=data["place"],
            online_link=data["online_link"],
        )
    except StaleEdit as error:
        conflict = _("A colleague changed this session after you opened it; yours was not saved. This is theirs.")
        return _session_page(request, found, error.current, status=409, conflict=conflict)
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, reschedule_form=form)
    messages.success(request, _("The session has its new time. Members with an account get a notice to look."))
    return _to_session(found, session_)


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def cancel_session(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.CancelSessionForm(request.POST)
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, cancel_form=form)
    try:
        services.cancel_session(session_, reason=form.cleaned_data["reason"].strip(), by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, cancel_form=form)
    messages.success(request, _("The session is cancelled."))
    return common.back_to(found)
