"""The staff's group pages: the groups start page (the facilitator's or coordinator's cohorts), programmes and
their curriculum, a new cohort, and one cohort's overview: schedule, facilitators, start, finish or cancel.

A cohort is seen by its current facilitators and by the clinic's care coordinators (selectors.cohort_for_staff);
for anyone else every cohort URL is 404, like a cohort that does not exist. Each view parses input, resolves the
caller, calls one service or selector, renders. Members, sessions and partners/board/concerns/outcomes have their
own modules (groups_member_views, groups_session_views, groups_partner_views).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.access.routes import Audience, route
from commonground.clinician import groups_common as common
from commonground.clinician import groups_dashboard as dashboard
from commonground.clinician import groups_display as display
from commonground.clinician import groups_forms as forms
from commonground.groups import selectors, services
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only

# --- the cohorts and programmes -----------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def groups_home(request: HttpRequest) -> HttpResponse:
    """The start page: today's and this week's sessions, and the groups the person runs (a facilitator) or all the
    clinic's groups (a coordinator), soonest first, with open concerns, check-ins and attendance so far."""
    shown = dashboard.dashboard(
        selectors.cohorts_for_staff(request.user), today=common.today(request), time_zone=common.time_zone(request)
    )
    return render(
        request,
        "clinician/groups/home.html",
        {
            "section": common.SECTION,
            "d": shown,
            "may_manage": selectors.may_manage_programmes(request.user),
            "tz": common.time_zone(request),
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
        {"section": common.SECTION, "programmes": list(selectors.programmes_of(user.organisation_id))},
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
            common.apply_error(form, error)
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
            "section": common.SECTION,
            "programme": programme,
            "sessions": sessions,
            "next_number": (sessions[-1].number + 1) if sessions else 1,
            "form": form,
            "conflict": conflict,
        },
    )
    return common.with_status(response, status)


@route(Audience.CLINICIAN)
def curriculum_session(request: HttpRequest, programme_id: str, number: int) -> HttpResponse:
    """Change one session of the curriculum, or add the next one."""
    programme = _programme(request, programme_id)
    sessions = selectors.curriculum_of(programme)
    existing = next((s for s in sessions if s.number == number), None)
    if existing is None and number != (sessions[-1].number + 1 if sessions else 1):
        raise Http404()  # only the sessions there are, and the next one, exist
    initial = {name: getattr(existing, name) for name in forms.CurriculumSessionForm.FIELDS} if existing else {}
    form = forms.CurriculumSessionForm(request.POST or None, initial=initial, library=common.library_choices())
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_curriculum_session(programme, number=number, details=form.details(), by=request.user)
        except DomainError as error:
            common.apply_error(form, error)
            status = 400
        else:
            messages.success(request, _("Session %(number)d is saved.") % {"number": number})
            return redirect("clinician:group_programme", programme_id=programme.id)
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "clinician/groups/curriculum_session.html",
        {"section": common.SECTION, "programme": programme, "number": number, "existing": existing, "form": form},
    )
    return common.with_status(response, status)


@route(Audience.CLINICIAN)
def new_cohort(request: HttpRequest, programme_id: str) -> HttpResponse:
    """A new run of the programme: its name, places, first session, time, place or link, facilitators."""
    programme = _programme(request, programme_id)
    staff = common.staff_choices(request)
    user: Any = request.user
    initial = {"session_minutes": programme.session_minutes, "facilitators": [str(user.id)]}
    form = forms.CohortForm(request.POST or None, initial=initial, staff=staff, today=common.today(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        from commonground.accounts import selectors as account_selectors

        chosen = set(form.cleaned_data["facilitators"])
        people = [p for p in account_selectors.active_clinicians(user.organisation_id) if str(p.id) in chosen]
        try:
            cohort = services.create_cohort(programme, details=form.details(), facilitators=people, by=user)
        except DomainError as error:
            common.apply_error(form, error)
            status = 400
        else:
            if selectors.cohort_for_staff(user, cohort.id) is None:
                messages.success(
                    request,
                    _("The group is made. Only its facilitators and the care coordinators can open it."),
                )
                return redirect("clinician:groups")
            messages.success(request, _("The group is made, with its sessions planned."))
            return redirect("clinician:cohort", cohort_id=cohort.id)
    elif request.method == "POST":
        status = 400
    response = render(
        request, "clinician/groups/new_cohort.html", {"section": common.SECTION, "programme": programme, "form": form}
    )
    return common.with_status(response, status)


# --- one cohort ---------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def cohort(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """The cohort's overview: programme, place or link, facilitators, the schedule of sessions."""
    found = common.cohort_of(request, cohort_id)
    return _overview(request, found)


def _overview(request: HttpRequest, found: Any, *, status: int = 200, **extra: Any) -> HttpResponse:
    overview = display.cohort_overview(found)
    context = {
        "overview": overview,
        "facilitator_form": forms.FacilitatorForm(staff=common.staff_choices(request)),
    }
    return common.cohort_page(
        request, found, "overview", "clinician/groups/cohort.html", status=status, **context, **extra
    )


def _cohort_initial(found: Any) -> dict[str, Any]:
    return {name: getattr(found, name) for name in forms.CohortEditForm.FIELDS} | {"version": found.version}


@route(Audience.CLINICIAN)
def edit_cohort(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
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
            common.apply_error(form, error)
            status = 400
        else:
            messages.success(request, _("The group's details are saved."))
            return common.back_to(found)
    elif request.method == "POST":
        status = 400
    return common.cohort_page(
        request, found, "overview", "clinician/groups/edit_cohort.html", status=status, form=form, conflict=conflict
    )


@route(Audience.CLINICIAN)
@post_only
def cohort_status(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Start the cohort. Finishing and cancelling go through their own page, which says what happens."""
    found = common.cohort_of(request, cohort_id)
    form = forms.CohortStatusForm(request.POST)
    if not form.is_valid():
        return _overview(request, found, status=400)
    action = form.cleaned_data["action"]
    if action != "start":
        return redirect("clinician:cohort_finish" if action == "finish" else "clinician:cohort_cancel", found.id)
    try:
        services.start_cohort(found, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return common.back_to(found, anchor="status")
    messages.success(request, _("The group is running."))
    return common.back_to(found)


def _ending_page(request: HttpRequest, found: Any, kind: str, *, form: Any = None, status: int = 200) -> HttpResponse:
    facts = display.ending_facts(found, common.time_zone(request))
    if form is None:
        form = forms.FinishCohortForm(initial={"confirmed": True}) if kind == "finish" else forms.CancelCohortForm()
    return common.cohort_page(
        request, found, "overview", "clinician/groups/ending.html", status=status, kind=kind, facts=facts, form=form
    )


def _still_open(request: HttpRequest, found: Any) -> HttpResponse | None:
    if common.is_over(found):
        messages.error(request, _("This group has already finished or was cancelled."))
        return common.back_to(found)
    return None


@route(Audience.CLINICIAN)
def cohort_finish(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Finish the group, after a page that says what happens: every member still enrolled is marked as having
    finished, and how many sessions are still scheduled (finishing early)."""
    found = common.cohort_of(request, cohort_id)
    if (over := _still_open(request, found)) is not None:
        return over
    if request.method != "POST":
        return _ending_page(request, found, "finish")
    form = forms.FinishCohortForm(request.POST)
    if not form.is_valid():
        return _ending_page(request, found, "finish", form=form, status=400)
    early = bool(display.ending_facts(found, common.time_zone(request)).scheduled)
    try:
        # the page named the sessions still scheduled: confirming it is finishing early (they are cancelled)
        services.finish_cohort(found, by=request.user, **({"early": True} if early else {}))
    except DomainError as error:
        form.add_error(None, error.message)
        return _ending_page(request, found, "finish", form=form, status=400)
    messages.success(request, _("The group is finished. Its members keep their materials and their own plans."))
    return common.back_to(found)


@route(Audience.CLINICIAN)
def cohort_cancel(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Cancel the group, with a reason, after a page that says what happens to its members and sessions."""
    found = common.cohort_of(request, cohort_id)
    if (over := _still_open(request, found)) is not None:
        return over
    if request.method != "POST":
        return _ending_page(request, found, "cancel")
    form = forms.CancelCohortForm(request.POST)
    if not form.is_valid():
        return _ending_page(request, found, "cancel", form=form, status=400)
    try:
        services.cancel_cohort(found, reason=form.cleaned_data["reason"], by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _ending_page(request, found, "cancel", form=form, status=400)
    messages.success(request, _("The group is cancelled."))
    return common.back_to(found)


def _facilitator_change(request: HttpRequest, cohort_id: str, *, add: bool) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    form = forms.FacilitatorForm(request.POST, staff=common.staff_choices(request))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague."))
        return common.back_to(found, anchor="facilitators")
    from commonground.accounts import selectors as account_selectors

    user: Any = request.user
    person = account_selectors.active_clinicians(user.organisation_id).get(pk=form.cleaned_data["user"])
    if add and any(p.pk == person.pk for p in selectors.facilitators_of(found)):
        messages.info(request, _("%(name)s already facilitates this group.") % {"name": person.display_name})
        return common.back_to(found, anchor="facilitators")
    try:
        if add:
            services.add_facilitator(found, person, by=user)
        else:
            services.remove_facilitator(found, person, by=user)
    except DomainError as error:
        messages.error(request, error.message)
        return common.back_to(found, anchor="facilitators")
    if add:
        messages.success(request, _("%(name)s now facilitates this group.") % {"name": person.display_name})
    else:
        messages.success(request, _("%(name)s no longer facilitates this group.") % {"name": person.display_name})
    if not add and person.pk == user.pk and selectors.cohort_for_staff(user, found.id) is None:
        return redirect("clinician:groups")
    return common.back_to(found, anchor="facilitators")


@route(Audience.CLINICIAN)
@post_only
def add_facilitator(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _facilitator_change(request, cohort_id, add=True)


@route(Audience.CLINICIAN)
@post_only
def remove_facilitator(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _facilitator_change(request, cohort_id, add=False)
