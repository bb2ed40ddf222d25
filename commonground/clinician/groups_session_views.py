"""The staff's page of one group session: attendance, the session note, notes about members (with their
wording check), home practice for the group, a new time or cancelling."""

from __future__ import annotations

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
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only

# --- a session ----------------------------------------------------------------------------------------------------


def _session(found: Any, session_id: Any) -> Any:
    session = selectors.session_for_staff(found, session_id)
    if session is None:
        raise Http404()
    return session


def _members_choices(found: Any) -> list[tuple[str, str]]:
    return [(str(e.id), e.patient.display_name) for e in selectors.roster(found) if e.status != "withdrawn"]


def _session_page(request: HttpRequest, found: Any, session: Any, *, status: int = 200, **forms_: Any) -> HttpResponse:
    roster = [e for e in selectors.roster(found) if e.status != EnrolmentStatus.WITHDRAWN]
    gateway.audit_listed([e.patient for e in roster], object_type="group_enrolment")
    members_ = [(str(e.id), e.patient.display_name) for e in roster]
    marks = display.marks_of(session)
    on, at = display.local_parts(session.starts_at, common.time_zone(request))
    reschedule_initial = {
        "version": session.version,
        "on": on,
        "at": at,
        "place": session.place,
        "online_link": session.online_link,
    }
    context = {
        "session": session,
        "attendance_form": forms_.get("attendance_form")
        or forms.AttendanceForm(members=members_, initial={forms.MARK_PREFIX + k: v for k, v in marks.items()}),
        "note_form": forms_.get("note_form")
        or forms.SessionNoteForm(initial={"note": session.note, "skills_practised": session.skills_practised}),
        "findings": forms_.get("findings"),
        "member_note_form": forms_.get("member_note_form") or forms.MemberNoteForm(members=members_),
        "practice_form": forms_.get("practice_form")
        or forms.SessionPracticeForm(library=common.library_choices(), today=common.today(request)),
        "reschedule_form": forms_.get("reschedule_form") or forms.RescheduleForm(initial=reschedule_initial),
        "cancel_form": forms_.get("cancel_form") or forms.CancelSessionForm(),
        "conflict": forms_.get("conflict", ""),
        "practice": display.practice_of(session),
        "member_notes": selectors.member_notes_of(session),
    }
    return common.cohort_page(request, found, "overview", "clinician/groups/session.html", status=status, **context)


@route(Audience.CLINICIAN)
def session(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    return _session_page(request, found, _session(found, session_id))


def _to_session(found: Any, session: Any, anchor: str = "") -> HttpResponse:
    url = reverse("clinician:group_session", args=[found.id, session.id])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@route(Audience.CLINICIAN)
@post_only
def attendance(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """Everyone's attendance in one form; nothing is saved unless every member has a mark."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.AttendanceForm(request.POST, members=_members_choices(found))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, attendance_form=form)
    try:
        services.record_attendance(session_, marks=display.as_uuid_keys(form.marks()), by=request.user)
    except DomainError as error:
        form.add_error(None, error.message)
        return _session_page(request, found, session_, status=400, attendance_form=form)
    messages.success(request, _("Attendance is saved."))
    return _to_session(found, session_, "attendance")


@route(Audience.CLINICIAN)
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
        services.write_member_note(session_, enrolment, text=form.cleaned_data["text"], by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, member_note_form=form)
    messages.success(
        request,
        _("The note about %(name)s is saved in their record. Its wording check is shown with the note there.")
        % {"name": enrolment.patient.display_name},
    )
    return _to_session(found, session_, "member-note")


@route(Audience.CLINICIAN)
@post_only
def session_practice(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """Home practice for every member: it appears in each member's diary and on their Today page."""
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.SessionPracticeForm(request.POST, library=common.library_choices(), today=common.today(request))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, practice_form=form)
    try:
        services.assign_session_practice(session_, details=form.details(), by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _session_page(request, found, session_, status=400, practice_form=form)
    messages.success(request, _("The home practice is given to every member; it shows in their diaries."))
    return _to_session(found, session_, "practice")


@route(Audience.CLINICIAN)
@post_only
def reschedule(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.RescheduleForm(request.POST)
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


@route(Audience.CLINICIAN)
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
