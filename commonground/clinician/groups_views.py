"""The staff's group pages: the facilitator's (or coordinator's) cohorts, programmes and their curriculum, a
cohort's schedule, members and waiting list, sessions (attendance, notes, home practice, a new time), partners,
board, concerns and outcomes; a member's page; and the chart's Groups tab for the care team.

A cohort is seen by its current facilitators and by the clinic's care coordinators (selectors.cohort_for_staff);
for anyone else every cohort URL is 404, like a cohort that does not exist. A member's clinical data (their
trajectory) is reached only through the gateway, with the care team's or the group facilitator's relationship.
Each view parses input, resolves the caller, calls one service or selector, renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.relationships import CARE_TEAM
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.careplans import library
from commonground.clinician import groups_display as display
from commonground.clinician import groups_forms as forms
from commonground.clinician.views import _chart
from commonground.groups import selectors, services
from commonground.groups.apps import GROUP_FACILITATOR
from commonground.groups.choices import CohortStatus, EnrolmentStatus
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only

SECTION = "groups"


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _library() -> list[tuple[str, str]]:
    return [(item.slug, item.title) for item in library.items(_language())]


def _apply(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _status(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    return response


def _time_zone(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.organisation.time_zone)


def _today(request: HttpRequest) -> Any:
    return clock.local_date(clock.now(), _time_zone(request))


# --- the cohorts and programmes -----------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def groups_home(request: HttpRequest) -> HttpResponse:
    """The groups the person runs (a facilitator) or all the clinic's groups (a coordinator)."""
    cohorts = selectors.cohorts_for_staff(request.user)
    return render(
        request,
        "clinician/groups/home.html",
        {
            "section": SECTION,
            "current": [
                (c, selectors.next_session(c))
                for c in cohorts
                if c.status in (CohortStatus.PLANNED, CohortStatus.RUNNING)
            ],
            "past": [(c, None) for c in cohorts if c.status not in (CohortStatus.PLANNED, CohortStatus.RUNNING)],
            "may_manage": selectors.may_manage_programmes(request.user),
            "tz": _time_zone(request),
        },
    )


def _programme_keeper(request: HttpRequest) -> Any:
    """Programmes are kept by facilitators and coordinators; for anyone else their pages do not exist."""
    if not selectors.may_manage_programmes(request.user):
        raise Http404()
    return request.user


def _programme(request: HttpRequest, programme_id: Any) -> Any:
    _programme_keeper(request)
    programme = selectors.programme_for_staff(request.user, programme_id)
    if programme is None:
        raise Http404()
    return programme


@route(Audience.CLINICIAN)
def programmes(request: HttpRequest) -> HttpResponse:
    user = _programme_keeper(request)
    return render(
        request,
        "clinician/groups/programmes.html",
        {"section": SECTION, "programmes": list(selectors.programmes_of(user.organisation_id))},
    )


@route(Audience.CLINICIAN)
@post_only
def new_programme(request: HttpRequest) -> HttpResponse:
    """A new programme from the standard curriculum, to change afterwards."""
    user = _programme_keeper(request)
    try:
        programme = services.create_programme_from_template(user.organisation, by=user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("clinician:group_programmes")
    messages.success(request, _("The programme is made from the standard curriculum. Change it to fit your group."))
    return redirect("clinician:group_programme", programme_id=programme.id)


def _instrument_choices() -> list[tuple[str, str]]:
    from commonground.measures import definitions

    found = [i for i in definitions.library().values() if not i.is_battery and i.scoring is not None]
    return [(i.id, f"{i.short_name} — {i.title}") for i in sorted(found, key=lambda i: i.short_name)]


def _programme_initial(programme: Any) -> dict[str, Any]:
    initial = {name: getattr(programme, name) for name in forms.ProgrammeForm.FIELDS}
    return initial | {"version": programme.version}


@route(Audience.CLINICIAN)
def edit_programme(request: HttpRequest, programme_id: str) -> HttpResponse:
    programme = _programme(request, programme_id)
    form = forms.ProgrammeForm(
        request.POST or None, initial=_programme_initial(programme), instruments=_instrument_choices()
    )
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(
                programme, expected_version=form.cleaned_data["version"], changes=form.changes(), by=request.user
            )
        except StaleEdit as error:
            conflict = _("A colleague changed this programme after you opened it; yours was not saved. This is theirs.")
            form = forms.ProgrammeForm(initial=_programme_initial(error.current), instruments=_instrument_choices())
            status = 409
        except DomainError as error:
            _apply(form, error)
            status = 400
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("clinician:group_programme", programme_id=programme.id)
    elif request.method == "POST":
        status = 400
    sessions = selectors.curriculum_of(programme)
    response = render(
        request,
        "clinician/groups/programme.html",
        {
            "section": SECTION,
            "programme": programme,
            "sessions": sessions,
            "next_number": (sessions[-1].number + 1) if sessions else 1,
            "form": form,
            "conflict": conflict,
        },
    )
    return _status(response, status)


@route(Audience.CLINICIAN)
def curriculum_session(request: HttpRequest, programme_id: str, number: int) -> HttpResponse:
    """Change one session of the curriculum, or add the next one."""
    programme = _programme(request, programme_id)
    existing = next((s for s in selectors.curriculum_of(programme) if s.number == number), None)
    initial = {name: getattr(existing, name) for name in forms.CurriculumSessionForm.FIELDS} if existing else {}
    form = forms.CurriculumSessionForm(request.POST or None, initial=initial, library=_library())
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_curriculum_session(programme, number=number, details=form.details(), by=request.user)
        except DomainError as error:
            _apply(form, error)
            status = 400
        else:
            messages.success(request, _("Session %(number)d is saved.") % {"number": number})
            return redirect("clinician:group_programme", programme_id=programme.id)
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "clinician/groups/curriculum_session.html",
        {"section": SECTION, "programme": programme, "number": number, "existing": existing, "form": form},
    )
    return _status(response, status)


def _staff_choices(request: HttpRequest) -> list[tuple[str, str]]:
    from commonground.accounts import selectors as account_selectors

    user: Any = request.user
    return [
        (str(person.id), f"{person.display_name} ({person.get_role_display()})")
        for person in account_selectors.active_clinicians(user.organisation_id)
    ]


@route(Audience.CLINICIAN)
def new_cohort(request: HttpRequest, programme_id: str) -> HttpResponse:
    """A new run of the programme: its name, places, first session, time, place or link, facilitators."""
    programme = _programme(request, programme_id)
    staff = _staff_choices(request)
    user: Any = request.user
    initial = {"session_minutes": programme.session_minutes, "facilitators": [str(user.id)]}
    form = forms.CohortForm(request.POST or None, initial=initial, staff=staff)
    status = 200
    if request.method == "POST" and form.is_valid():
        from commonground.accounts import selectors as account_selectors

        chosen = set(form.cleaned_data["facilitators"])
        people = [p for p in account_selectors.active_clinicians(user.organisation_id) if str(p.id) in chosen]
        try:
            cohort = services.create_cohort(programme, details=form.details(), facilitators=people, by=user)
        except DomainError as error:
            _apply(form, error)
            status = 400
        else:
            messages.success(request, _("The group is made, with its sessions planned."))
            return redirect("clinician:cohort", cohort_id=cohort.id)
    elif request.method == "POST":
        status = 400
    response = render(
        request, "clinician/groups/new_cohort.html", {"section": SECTION, "programme": programme, "form": form}
    )
    return _status(response, status)


# --- one cohort ---------------------------------------------------------------------------------------------------


def _cohort(request: HttpRequest, cohort_id: Any) -> Any:
    cohort = selectors.cohort_for_staff(request.user, cohort_id)
    if cohort is None:
        raise Http404()
    return cohort


COHORT_TABS = (
    ("overview", "clinician:cohort"),
    ("members", "clinician:cohort_members"),
    ("partners", "clinician:cohort_partners"),
    ("board", "clinician:cohort_board"),
    ("concerns", "clinician:cohort_concerns"),
    ("outcomes", "clinician:cohort_outcomes"),
)


def _cohort_tabs() -> list[tuple[str, str, str]]:
    labels = {
        "overview": _("Schedule"),
        "members": _("Members"),
        "partners": _("Partners"),
        "board": _("Board"),
        "concerns": _("Concerns"),
        "outcomes": _("Outcomes"),
    }
    return [(key, labels[key], url_name) for key, url_name in COHORT_TABS]


def _cohort_page(
    request: HttpRequest, cohort: Any, tab: str, template: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    context.update(section=SECTION, cohort=cohort, tab=tab, tabs=_cohort_tabs(), tz=_time_zone(request))
    return _status(render(request, template, context), status)


def _back_to(cohort: Any, url_name: str = "clinician:cohort", anchor: str = "") -> HttpResponse:
    return redirect(reverse(url_name, args=[cohort.id]) + (f"#{anchor}" if anchor else ""))


@route(Audience.CLINICIAN)
def cohort(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """The cohort's overview: programme, place or link, facilitators, the schedule of sessions."""
    found = _cohort(request, cohort_id)
    return _overview(request, found)


def _overview(request: HttpRequest, found: Any, *, status: int = 200, **extra: Any) -> HttpResponse:
    overview = display.cohort_overview(found)
    context = {
        "overview": overview,
        "status_form": extra.pop("status_form", None) or forms.CohortStatusForm(),
        "facilitator_form": forms.FacilitatorForm(staff=_staff_choices(request)),
    }
    return _cohort_page(request, found, "overview", "clinician/groups/cohort.html", status=status, **context, **extra)


def _cohort_initial(found: Any) -> dict[str, Any]:
    return {name: getattr(found, name) for name in forms.CohortEditForm.FIELDS} | {"version": found.version}


@route(Audience.CLINICIAN)
def edit_cohort(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    form = forms.CohortEditForm(request.POST or None, initial=_cohort_initial(found))
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cohort(
                found, expected_version=form.cleaned_data["version"], changes=form.changes(), by=request.user
            )
        except StaleEdit as error:
            conflict = _("A colleague changed this group after you opened it; yours was not saved. This is theirs.")
            form = forms.CohortEditForm(initial=_cohort_initial(error.current))
            status = 409
        except DomainError as error:
            _apply(form, error)
            status = 400
        else:
            messages.success(request, _("The group's details are saved."))
            return _back_to(found)
    elif request.method == "POST":
        status = 400
    return _cohort_page(
        request, found, "overview", "clinician/groups/edit_cohort.html", status=status, form=form, conflict=conflict
    )


@route(Audience.CLINICIAN)
@post_only
def cohort_status(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Start, finish or cancel the cohort."""
    found = _cohort(request, cohort_id)
    form = forms.CohortStatusForm(request.POST)
    if not form.is_valid():
        return _overview(request, found, status=400, status_form=form)
    action, user = form.cleaned_data["action"], request.user
    try:
        if action == "start":
            services.start_cohort(found, by=user)
            done = _("The group is running.")
        elif action == "finish":
            services.finish_cohort(found, by=user)
            done = _("The group is finished. Its members keep their materials and their own plans.")
        else:
            services.cancel_cohort(found, reason=form.cleaned_data["reason"].strip(), by=user)
            done = _("The group is cancelled.")
    except DomainError as error:
        form.add_error(None, error.message)
        return _overview(request, found, status=400, status_form=form)
    messages.success(request, done)
    return _back_to(found)


def _facilitator_change(request: HttpRequest, cohort_id: str, *, add: bool) -> HttpResponse:
    found = _cohort(request, cohort_id)
    form = forms.FacilitatorForm(request.POST, staff=_staff_choices(request))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague."))
        return _back_to(found, anchor="facilitators")
    from commonground.accounts import selectors as account_selectors

    user: Any = request.user
    person = account_selectors.active_clinicians(user.organisation_id).get(pk=form.cleaned_data["user"])
    try:
        if add:
            services.add_facilitator(found, person, by=user)
        else:
            services.remove_facilitator(found, person, by=user)
    except DomainError as error:
        messages.error(request, error.message)
        return _back_to(found, anchor="facilitators")
    if add:
        messages.success(request, _("%(name)s now facilitates this group.") % {"name": person.display_name})
    else:
        messages.success(request, _("%(name)s no longer facilitates this group.") % {"name": person.display_name})
    if not add and person.pk == user.pk and selectors.cohort_for_staff(user, found.id) is None:
        return redirect("clinician:groups")
    return _back_to(found, anchor="facilitators")


@route(Audience.CLINICIAN)
@post_only
def add_facilitator(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _facilitator_change(request, cohort_id, add=True)


@route(Audience.CLINICIAN)
@post_only
def remove_facilitator(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _facilitator_change(request, cohort_id, add=False)


# --- members and the waiting list ---------------------------------------------------------------------------------


def _enrollable(request: HttpRequest) -> list[tuple[str, str]]:
    """The patients the person may see (through their care teams), to enrol."""
    patients = gateway.visible_patients(request).order_by("family_name", "given_name")[:500]
    return [(str(p.id), f"{p.display_name} ({p.record_number})") for p in patients]


def _members_page(
    request: HttpRequest, found: Any, *, status: int = 200, enrol_form: Any = None, full: bool = False
) -> HttpResponse:
    roster, waiting = selectors.roster(found), selectors.waiting_list(found)
    gateway.audit_listed([e.patient for e in roster + waiting], object_type="group_enrolment")
    return _cohort_page(
        request,
        found,
        "members",
        "clinician/groups/members.html",
        status=status,
        roster=display.member_rows(roster),
        waiting=display.member_rows(waiting),
        enrol_form=enrol_form or forms.EnrolForm(patients=_enrollable(request)),
        full=full,
        places_left=max(found.capacity - found.places_taken, 0),
        may_enrol=found.status in (CohortStatus.PLANNED, CohortStatus.RUNNING),
    )


@route(Audience.CLINICIAN)
def members(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _members_page(request, _cohort(request, cohort_id))


@route(Audience.CLINICIAN)
@post_only
def enrol(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Enrol a patient the person may see; when the last place has just gone, say so and offer the waiting
    list (the same form, sent again with `waiting_list_if_full`)."""
    found = _cohort(request, cohort_id)
    form = forms.EnrolForm(request.POST, patients=_enrollable(request))
    if not form.is_valid():
        return _members_page(request, found, status=400, enrol_form=form)
    patient = gateway.open_patient(
        request, form.cleaned_data["patient"], action=Action.CREATE, object_type="group_enrolment"
    )
    try:
        enrolment = services.enrol(found, patient, by=request.user, **form.choices())
    except services.CohortFull as error:
        form.add_error(None, error.message)
        return _members_page(request, found, status=409, enrol_form=form, full=True)
    except DomainError as error:
        _apply(form, error)
        return _members_page(request, found, status=400, enrol_form=form)
    if enrolment.status == EnrolmentStatus.WAITING:
        messages.success(request, _("%(name)s is on the waiting list.") % {"name": patient.display_name})
    else:
        messages.success(request, _("%(name)s is enrolled.") % {"name": patient.display_name})
    return _back_to(found, "clinician:cohort_members")


def _enrolment(found: Any, enrolment_id: Any) -> Any:
    enrolment = selectors.enrolment_for_staff(found, enrolment_id)
    if enrolment is None:
        raise Http404()
    return enrolment


@route(Audience.CLINICIAN)
@post_only
def offer_place(request: HttpRequest, cohort_id: str, enrolment_id: str) -> HttpResponse:
    """Give someone on the waiting list a place (the cohort's facilitators and coordinators do; the service writes
    the audit event of the change)."""
    found = _cohort(request, cohort_id)
    enrolment = _enrolment(found, enrolment_id)
    try:
        services.offer_place(enrolment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s has a place now.") % {"name": enrolment.patient.display_name})
    return _back_to(found, "clinician:cohort_members")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def withdraw(request: HttpRequest, cohort_id: str, enrolment_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    enrolment = _enrolment(found, enrolment_id)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why they are leaving the group. Nothing was changed."))
        return _back_to(found, "clinician:cohort_members", anchor=f"member-{enrolment.id}")
    gateway.open_patient(request, enrolment.patient_id, action=Action.UPDATE, object_type="group_enrolment")
    try:
        services.withdraw(enrolment, reason=form.cleaned_data["reason"].strip(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s has left the group.") % {"name": enrolment.patient.display_name})
    return _back_to(found, "clinician:cohort_members")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
def member(request: HttpRequest, cohort_id: str, enrolment_id: str) -> HttpResponse:
    """One member: their attendance, their questionnaires' trajectory and their before/after."""
    found = _cohort(request, cohort_id)
    enrolment = _enrolment(found, enrolment_id)
    patient = gateway.open_patient(request, enrolment.patient_id, object_type="group_enrolment")
    shown = display.member_page(found, enrolment, patient, time_zone=_time_zone(request))
    return _cohort_page(
        request, found, "members", "clinician/groups/member.html", enrolment=enrolment, patient=patient, shown=shown
    )


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
    on, at = display.local_parts(session.starts_at, _time_zone(request))
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
        or forms.SessionPracticeForm(library=_library(), today=_today(request)),
        "reschedule_form": forms_.get("reschedule_form") or forms.RescheduleForm(initial=reschedule_initial),
        "cancel_form": forms_.get("cancel_form") or forms.CancelSessionForm(),
        "conflict": forms_.get("conflict", ""),
        "practice": display.practice_of(session),
        "member_notes": selectors.member_notes_of(session),
    }
    return _cohort_page(request, found, "overview", "clinician/groups/session.html", status=status, **context)


@route(Audience.CLINICIAN)
def session(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    return _session_page(request, found, _session(found, session_id))


def _to_session(found: Any, session: Any, anchor: str = "") -> HttpResponse:
    url = reverse("clinician:group_session", args=[found.id, session.id])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@route(Audience.CLINICIAN)
@post_only
def attendance(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    """Everyone's attendance in one form; nothing is saved unless every member has a mark."""
    found = _cohort(request, cohort_id)
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
    found = _cohort(request, cohort_id)
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
        _apply(form, error)
        return _session_page(request, found, session_, status=400, note_form=form)
    messages.success(request, _("The session note is saved."))
    if not findings:
        return _to_session(found, saved, "note")
    return _session_page(request, found, saved, findings=display.findings(findings))


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def member_note(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.MemberNoteForm(request.POST, members=_members_choices(found))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, member_note_form=form)
    enrolment = _enrolment(found, form.cleaned_data["enrolment"])
    gateway.open_patient(request, enrolment.patient_id, action=Action.CREATE, object_type="note")
    try:
        services.write_member_note(session_, enrolment, text=form.cleaned_data["text"], by=request.user)
    except DomainError as error:
        _apply(form, error)
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
    found = _cohort(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.SessionPracticeForm(request.POST, library=_library(), today=_today(request))
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, practice_form=form)
    try:
        services.assign_session_practice(session_, details=form.details(), by=request.user)
    except DomainError as error:
        _apply(form, error)
        return _session_page(request, found, session_, status=400, practice_form=form)
    messages.success(request, _("The home practice is given to every member; it shows in their diaries."))
    return _to_session(found, session_, "practice")


@route(Audience.CLINICIAN)
@post_only
def reschedule(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.RescheduleForm(request.POST)
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, reschedule_form=form)
    data = form.cleaned_data
    on, at = form.when()
    try:
        services.reschedule_session(
            session_,
            starts_at=display.local_moment(on, at, _time_zone(request)),
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
        _apply(form, error)
        return _session_page(request, found, session_, status=400, reschedule_form=form)
    messages.success(request, _("The session has its new time. Members with an account get a notice to look."))
    return _to_session(found, session_)


@route(Audience.CLINICIAN)
@post_only
def cancel_session(request: HttpRequest, cohort_id: str, session_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    session_ = _session(found, session_id)
    form = forms.CancelSessionForm(request.POST)
    if not form.is_valid():
        return _session_page(request, found, session_, status=400, cancel_form=form)
    try:
        services.cancel_session(session_, reason=form.cleaned_data["reason"].strip(), by=request.user)
    except DomainError as error:
        _apply(form, error)
        return _session_page(request, found, session_, status=400, cancel_form=form)
    messages.success(request, _("The session is cancelled."))
    return _back_to(found)


# --- partners, board, concerns, outcomes --------------------------------------------------------------------------


def _enrolled_choices(found: Any) -> list[tuple[str, str]]:
    return [(str(e.id), e.patient.display_name) for e in selectors.roster(found) if e.status == "enrolled"]


def _partners_page(request: HttpRequest, found: Any, *, status: int = 200, form: Any = None) -> HttpResponse:
    return _cohort_page(
        request,
        found,
        "partners",
        "clinician/groups/partners.html",
        status=status,
        pairings=selectors.pairings_for_facilitator(found),
        form=form or forms.ProposePairingForm(members=_enrolled_choices(found)),
        wanting=[e for e in selectors.roster(found) if e.status == "enrolled" and e.wants_partner],
    )


@route(Audience.CLINICIAN)
def partners(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _partners_page(request, _cohort(request, cohort_id))


@route(Audience.CLINICIAN)
@post_only
def propose_pairing(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    form = forms.ProposePairingForm(request.POST, members=_enrolled_choices(found))
    if not form.is_valid():
        return _partners_page(request, found, status=400, form=form)
    first = _enrolment(found, form.cleaned_data["first"])
    second = _enrolment(found, form.cleaned_data["second"])
    try:
        services.propose_pairing(found, first, second, by=request.user)
    except DomainError as error:
        _apply(form, error)
        return _partners_page(request, found, status=400, form=form)
    messages.success(request, _("The pair is suggested. They become partners once both agree."))
    return _back_to(found, "clinician:cohort_partners")


@route(Audience.CLINICIAN)
@post_only
def end_pairing(request: HttpRequest, cohort_id: str, pairing_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    pairing = selectors.pairing_for_staff(found, pairing_id)
    if pairing is None:
        raise Http404()
    try:
        services.end_pairing(pairing, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The pairing is ended."))
    return _back_to(found, "clinician:cohort_partners")


def _board_page(request: HttpRequest, found: Any, *, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", forms.BoardPostForm(library=_library()))
    return _cohort_page(
        request,
        found,
        "board",
        "clinician/groups/board.html",
        status=status,
        posts=display.board_rows(found, dict(_library())),
        **context,
    )


@route(Audience.CLINICIAN)
def board(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _board_page(request, _cohort(request, cohort_id))


@route(Audience.CLINICIAN)
@post_only
def post_to_board(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    form = forms.BoardPostForm(request.POST, library=_library())
    if not form.is_valid():
        return _board_page(request, found, status=400, form=form)
    data = form.cleaned_data
    try:
        services.post_to_board(
            found,
            kind=data["kind"],
            text=data["text"],
            link=data["link"],
            library_item=data["library_item"],
            by=request.user,
        )
    except DomainError as error:
        _apply(form, error)
        return _board_page(request, found, status=400, form=form)
    messages.success(request, _("The post is on the group's board."))
    return _back_to(found, "clinician:cohort_board")


@route(Audience.CLINICIAN)
@post_only
def hide_post(request: HttpRequest, cohort_id: str, post_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    post = selectors.post_for_staff(found, post_id)
    if post is None:
        raise Http404()
    form = forms.HidePostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the post is hidden. Nothing was changed."))
        return _back_to(found, "clinician:cohort_board", anchor=f"post-{post.id}")
    try:
        services.hide_post(post, reason=form.cleaned_data["reason"].strip(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The post is hidden from the members."))
    return _back_to(found, "clinician:cohort_board")


@route(Audience.CLINICIAN)
def concerns(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    return _cohort_page(
        request,
        found,
        "concerns",
        "clinician/groups/concerns.html",
        concerns=display.concern_rows(found),
        form=forms.AnswerConcernForm(),
    )


@route(Audience.CLINICIAN)
@post_only
def answer_concern(request: HttpRequest, cohort_id: str, concern_id: str) -> HttpResponse:
    found = _cohort(request, cohort_id)
    concern = selectors.concern_for_staff(found, concern_id)
    if concern is None:
        raise Http404()
    form = forms.AnswerConcernForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer. Nothing was saved."))
        return _back_to(found, "clinician:cohort_concerns", anchor=f"concern-{concern.id}")
    try:
        services.answer_concern(concern, answer=form.cleaned_data["answer"].strip(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your answer is saved; the member sees it on their group page."))
    return _back_to(found, "clinician:cohort_concerns")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
def outcomes(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Attendance per session and drop-out, before and after per questionnaire, goal attainment. Each member's
    own scores are shown only to those who may see the patient (care team, the group's facilitators), and
    every patient named is audited; the totals count everyone."""
    found = _cohort(request, cohort_id)
    members = [e.patient_id for e in selectors.roster(found)]
    visible = set(gateway.visible_patients(request).filter(id__in=members).values_list("id", flat=True))
    shown = display.cohort_outcomes(found, _time_zone(request), visible=visible)
    gateway.audit_listed(shown.listed, object_type="group_outcome")
    return _cohort_page(request, found, "outcomes", "clinician/groups/outcomes.html", shown=shown)


# --- the chart's Groups tab ---------------------------------------------------------------------------------------


def _offerable(request: HttpRequest, patient: Any) -> list[Any]:
    """The clinic's groups taking members that this person may enrol into: every one for a care coordinator,
    the ones they facilitate for anyone else (the groups service decides who enrols)."""
    mine = {c.id for c in selectors.cohorts_for_staff(request.user)}
    return [c for c in selectors.open_cohorts_for_enrolment(patient.organisation_id) if c.id in mine]


def _open_cohorts(request: HttpRequest, patient: Any) -> list[tuple[str, str]]:
    return [(str(c.id), display.cohort_label(c)) for c in _offerable(request, patient)]


def _tab(
    request: HttpRequest, patient: Any, *, status: int = 200, form: Any = None, full: bool = False
) -> HttpResponse:
    response = _chart(
        request,
        patient,
        "groups",
        "clinician/groups/tab.html",
        enrolments=display.patient_enrolments(patient),
        mine={c.id for c in selectors.cohorts_for_staff(request.user)},
        form=form or forms.OfferPlaceForm(cohorts=_open_cohorts(request, patient)),
        open_groups=len(selectors.open_cohorts_for_enrolment(patient.organisation_id)),
        full=full,
    )
    return _status(response, status)


@route(Audience.CLINICIAN)
def patient_groups(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="group_enrolment")
    return _tab(request, patient)


@route(Audience.CLINICIAN)
@post_only
def offer_group_place(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Offer the patient a place in a group (from the care plan or by referral), with their consent."""
    patient = gateway.open_patient(request, patient_id, action=Action.CREATE, object_type="group_enrolment")
    form = forms.OfferPlaceForm(request.POST, cohorts=_open_cohorts(request, patient))
    if not form.is_valid():
        return _tab(request, patient, status=400, form=form)
    chosen = form.cleaned_data["cohort"]
    found = next((c for c in _offerable(request, patient) if str(c.id) == chosen), None)
    if found is None:
        raise Http404()
    try:
        enrolment = services.enrol(found, patient, by=request.user, **form.choices())
    except services.CohortFull as error:
        form.add_error(None, error.message)
        return _tab(request, patient, status=409, form=form, full=True)
    except DomainError as error:
        _apply(form, error)
        return _tab(request, patient, status=400, form=form)
    if enrolment.status == EnrolmentStatus.WAITING:
        messages.success(
            request,
            _("%(name)s is on the waiting list of %(group)s.") % {"name": patient.display_name, "group": found.name},
        )
    else:
        messages.success(
            request, _("%(name)s has a place in %(group)s.") % {"name": patient.display_name, "group": found.name}
        )
    return redirect("clinician:patient_groups", patient_id=patient.id)
