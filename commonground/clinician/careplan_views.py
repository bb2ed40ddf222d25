"""The care team's care-plan pages (chart tab): the shared plan and its elements, sessions against the plan,
recording a session (its note checked for wording), home practice, ending and resuming therapy.

The plan and its elements share one version (the plan's): an edit names the version it started from and a
reason; when a colleague saved first the page shows both versions and the form again at the saved one.
Each view parses input, opens the patient through the access gateway, calls one service or selector, renders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.careplans import library, selectors, services
from commonground.careplans.choices import ElementKind, ElementStatus, PlanStatus
from commonground.careplans.models import CarePlan, HomePractice, TherapyElement, TherapySession
from commonground.clinician import careplan_forms as forms
from commonground.clinician.measures_display import _titles as instrument_titles
from commonground.clinician.notes_views import note_shown, note_versions, saved_message
from commonground.clinician.views import _chart
from commonground.goals import selectors as goal_selectors
from commonground.goals.choices import GoalStatus
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.measures import selectors as measure_selectors

# A service names the detail it refused; the form calls some of them differently.
FIELD_OF = {"responsible_id": "responsible", "note": "note_text", "text": "note_text", "language": "note_language"}
PRACTICE_FIELDS = frozenset({"library_item", "title", "instructions", "how_often", "ends_on"})

# --- the Care plan tab ----------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def care_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_plan")
    plan = selectors.plan_of(patient)
    goals = list(goal_selectors.goals_of(patient))
    choices = _goal_choices(goals)
    create_form = forms.CarePlanForm(request.POST or None, goals=choices, initial={"starts_on": _today(patient)})
    conflict: list[tuple[str, str, str]] = []
    if request.method == "POST" and create_form.is_valid():
        if plan is None and _create(request, patient, create_form):
            return redirect("clinician:care_plan", patient_id=patient.id)
        if plan is not None:  # a colleague agreed a plan since this one was typed: show both, keep theirs
            conflict = _plan_conflict(create_form, plan, create_form.plan_details(), dict(choices))
            messages.error(request, _("A colleague saved a care plan meanwhile, so yours was not saved."))
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/tab.html",
        plan=plan,
        create_form=create_form,
        conflict=conflict,
        **(_plan_context(patient, plan, goals) if plan is not None else {}),
    )


def _create(request: HttpRequest, patient: Any, form: forms.CarePlanForm) -> bool:
    try:
        services.create_plan(patient, details=form.plan_details(), by=request.user)
    except DomainError as error:
        _apply_error(form, error)
        return False
    messages.success(request, _("The care plan is saved. The patient can read the plain-language version."))
    return True


def _plan_context(patient: Any, plan: CarePlan, goals: list[Any]) -> dict[str, Any]:
    titles = {item.slug: item.title for item in library.items(_language())}
    titles_of_goals = dict(_goal_choices(goals))
    practice = selectors.home_practice_of(patient, active_only=False)
    return {
        "today": _today(patient),
        "goals_served": [
            titles_of_goals.get(str(goal_id), _("A goal no longer in the record")) for goal_id in plan.goal_ids
        ],
        "elements": list(selectors.elements_of(plan)),
        "against": selectors.sessions_against_plan(plan),
        "sessions": list(selectors.sessions_of(patient)),
        "practice": practice,
        "element_labels": dict(ElementKind.choices),
        "library_titles": titles,
        "ended": plan.status == PlanStatus.ENDED,
        "resume_form": forms.ResumeTherapyForm(initial={"version": plan.version}),
        "practice_in_error": {
            item.id: forms.InErrorForm(initial={"version": item.version}, auto_id=f"practice_{item.id}_%s")
            for item in practice
        },
    }


# --- the plan -------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def edit_care_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_plan")
    plan = selectors.plan_of(patient)
    if plan is None:
        return _no_plan(request, patient)
    choices = _goal_choices(list(goal_selectors.goals_of(patient)))
    form = forms.CarePlanEditForm(request.POST or None, goals=choices, initial=_plan_initial(plan))
    conflict: list[tuple[str, str, str]] = []
    conflict_message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_plan(
                plan, expected_version=data["version"], changes=form.plan_details(), reason=data["reason"]
            )
        except StaleEdit as error:
            conflict = _plan_conflict(form, error.current, form.plan_details(), dict(choices))
            conflict_message = error.message
            form = forms.CarePlanEditForm(goals=choices, initial=_plan_initial(error.current))
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The care plan is changed."))
            return redirect("clinician:care_plan", patient_id=patient.id)
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/edit_plan.html",
        plan=plan,
        form=form,
        conflict=conflict,
        conflict_message=conflict_message,
    )


def _plan_initial(plan: CarePlan) -> dict[str, Any]:
    initial = {name: getattr(plan, name) for name in forms.PLAN_FORM_FIELDS}
    initial["goal_ids"] = [str(goal_id) for goal_id in plan.goal_ids]
    initial["version"] = plan.version
    return initial


def _plan_conflict(
    form: forms.CarePlanForm, saved: CarePlan, typed: dict[str, Any], goal_titles: dict[str, str]
) -> list[tuple[str, str, str]]:
    """Each field of the plan as saved by the colleague beside what this user typed."""

    def shown(name: str, value: Any) -> str:
        if name == "goal_ids":
            return ", ".join(goal_titles.get(str(goal_id), str(goal_id)) for goal_id in value or [])
        if isinstance(value, date):
            return value.strftime("%d %b %Y")
        return "" if value is None else str(value)

    return [
        (str(form.fields[name].label), shown(name, getattr(saved, name)), shown(name, typed.get(name)))
        for name in forms.PLAN_FORM_FIELDS
    ]


# --- elements -------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def add_plan_element(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_plan")
    plan = selectors.plan_of(patient)
    if plan is None:
        return _no_plan(request, patient)
    initial = {"version": plan.version, "position": _next_position(plan)}
    form = forms.ElementForm(request.POST or None, team=forms.team_of(patient.id), initial=initial)
    conflict_message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_element(
                plan, expected_version=data["version"], details=form.element_details(), reason=data["reason"]
            )
        except StaleEdit as error:
            # Adding overwrites nothing: keep what was typed, at the saved version, beside the plan as it is now.
            plan, conflict_message = error.current, error.message
            form = forms.ElementForm(
                team=forms.team_of(patient.id), initial={**request.POST.dict(), "version": plan.version}
            )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The element is added to the care plan."))
            return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#elements")
    return _element_page(request, patient, plan, form, element=None, conflict_message=conflict_message)


@route(Audience.CLINICIAN)
def edit_plan_element(request: HttpRequest, patient_id: str, element_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_plan", object_id=str(element_id))
    plan = selectors.plan_of(patient)
    element = selectors.element_of(plan, element_id) if plan is not None else None
    if plan is None or element is None:
        raise Http404()
    team = forms.team_of(patient.id)
    form = forms.ElementForm(request.POST or None, team=team, initial=_element_initial(element, plan))
    conflict: list[tuple[str, str, str]] = []
    conflict_message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_element(
                element, expected_version=data["version"], changes=form.element_details(), reason=data["reason"]
            )
        except StaleEdit as error:
            plan, conflict_message = error.current, error.message
            element = selectors.element_of(plan, element_id) or element
            conflict = _element_conflict(form, element)
            form = forms.ElementForm(team=team, initial=_element_initial(element, plan))
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The element is changed."))
            return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#elements")
    return _element_page(
        request, patient, plan, form, element=element, conflict=conflict, conflict_message=conflict_message
    )


def _element_page(
    request: HttpRequest, patient: Any, plan: CarePlan, form: forms.ElementForm, **context: Any
) -> HttpResponse:
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/element.html",
        plan=plan,
        form=form,
        elements=list(selectors.elements_of(plan)),
        **context,
    )


def _next_position(plan: CarePlan) -> int:
    positions = [element.position for element in selectors.elements_of(plan)]
    return max(positions, default=0) + 1


def _element_initial(element: TherapyElement, plan: CarePlan) -> dict[str, Any]:
    initial = {name: getattr(element, name) for name in services.ELEMENT_FIELDS if name != "responsible_id"}
    initial["responsible"] = element.responsible_id
    initial["version"] = plan.version
    return initial


def _element_conflict(form: forms.ElementForm, saved: TherapyElement) -> list[tuple[str, str, str]]:
    """The element as saved by the colleague beside what this user typed, field by field."""
    typed = form.cleaned_data
    labels: dict[str, dict[Any, Any]] = {"kind": dict(ElementKind.choices), "status": dict(ElementStatus.choices)}

    def shown(name: str, value: Any) -> str:
        if name == "responsible":
            return str(value.display_name) if value else ""
        return str(labels.get(name, {}).get(value, value))

    return [
        (str(form.fields[name].label), shown(name, getattr(saved, name)), shown(name, typed[name]))
        for name in ("kind", "description", "responsible", "frequency", "intensity", "position", "status")
    ]


# --- sessions -------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def record_session(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="therapy_session")
    plan = selectors.plan_of(patient)
    if plan is None:
        return _no_plan(request, patient)
    today, found = _today(patient), library.items(_language())
    posted = request.POST if request.method == "POST" else None
    form = forms.SessionForm(
        posted,
        team=forms.team_of(patient.id),
        library=found,
        today=today,
        initial={"held_on": today, "clinician": request.user.pk},
    )
    practice = forms.PracticeForm(posted, prefix="practice", library=found, today=today, optional=True)
    if posted is not None and form.is_valid() and practice.is_valid():
        session = _record(request, patient, form, practice)
        if session is not None:
            return redirect("clinician:therapy_session", patient_id=patient.id, session_id=session.id)
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/record_session.html",
        plan=plan,
        form=form,
        practice=practice,
        against=selectors.sessions_against_plan(plan),
    )


def _record(
    request: HttpRequest, patient: Any, form: forms.SessionForm, practice: forms.PracticeForm
) -> TherapySession | None:
    assigned = practice.practice()
    try:
        recorded = services.record_session_once(
            patient,
            details=form.session_details(),
            by=request.user,
            note_text=form.cleaned_data["note_text"],
            note_language=form.cleaned_data["note_language"],
            home_practice=[assigned] if assigned else None,
            ask_about_consultation=form.cleaned_data["ask_about_consultation"],
        )
    except DomainError as error:
        if error.field in PRACTICE_FIELDS:
            practice.add_error(error.field, error.message)
        else:
            _apply_error(form, error)
        return None
    session = recorded.session
    if recorded.already_recorded:
        messages.info(
            request,
            _(
                "This form was already sent, so the session is recorded once: here it is, as first saved. "
                "If you changed anything before sending it again, use “Correct this session” or edit the note."
            ),
        )
    elif session.note is not None:
        saved_message(request, session.note, _("The session is saved."))
    else:
        messages.success(request, _("The session is saved."))
    return session


@route(Audience.CLINICIAN)
def therapy_session(request: HttpRequest, patient_id: str, session_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="therapy_session", object_id=str(session_id))
    session = selectors.session_of(patient, session_id)
    if session is None:
        raise Http404()
    note = session.note if session.note_id is not None else None
    current_note = note if note is not None and not note.is_entered_in_error else None
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/session.html",
        session=session,
        note=current_note,
        shown=note_shown(current_note) if current_note is not None else None,
        versions=note_versions([current_note]).get(current_note.id) if current_note is not None else None,
        practice=[
            found for found in selectors.home_practice_of(patient, active_only=False) if found.session_id == session.id
        ],
        element_labels=dict(ElementKind.choices),
        library_titles={item.slug: item.title for item in library.items(_language())},
        in_error_form=forms.InErrorForm(initial={"version": session.version}, auto_id="in_error_%s"),
        here=request.path,
    )


@route(Audience.CLINICIAN)
def correct_session(request: HttpRequest, patient_id: str, session_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="therapy_session", object_id=str(session_id))
    session = selectors.session_of(patient, session_id)
    if session is None:
        raise Http404()
    form = _correction_form(request.POST or None, patient, session)
    conflict_message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_session(
                session, expected_version=data["version"], changes=form.session_details(), reason=data["reason"]
            )
        except StaleEdit as error:
            # The form starts again from the session as saved now; the page says why.
            session, conflict_message = error.current, error.message
            form = _correction_form(None, patient, session)
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The session is corrected."))
            return redirect("clinician:therapy_session", patient_id=patient.id, session_id=session.id)
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/correct_session.html",
        session=session,
        form=form,
        conflict_message=conflict_message,
    )


def _correction_form(data: Any, patient: Any, session: TherapySession) -> forms.SessionCorrectionForm:
    initial = {name: getattr(session, name) for name in services.SESSION_FIELDS if name != "clinician"}
    initial |= {"clinician": session.clinician_id, "version": session.version}
    return forms.SessionCorrectionForm(
        data,
        team=forms.team_of(patient.id, also=session.clinician_id),
        library=library.items(_language()),
        today=_today(patient),
        initial=initial,
    )


@route(Audience.CLINICIAN)
@post_only
def session_in_error(request: HttpRequest, patient_id: str, session_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="therapy_session", object_id=str(session_id))
    session = selectors.session_of(patient, session_id)
    if session is None:
        raise Http404()
    form = forms.InErrorForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please say why this session was entered in error."))
        data = form.cleaned_data
        services.mark_session_in_error(session, expected_version=data["version"], reason=data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("clinician:therapy_session", patient_id=patient.id, session_id=session.id)
    messages.success(
        request,
        _(
            "The session is marked as entered in error, with its note; home practice assigned in it has ended. "
            "They stay in the record history."
        ),
    )
    return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#sessions")


# --- home practice --------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def assign_home_practice(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="home_practice")
    today = _today(patient)
    form = forms.PracticeForm(
        request.POST or None, library=library.items(_language()), today=today, initial={"starts_on": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_home_practice(patient, details=form.practice() or {}, by=request.user)
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The home practice is assigned. The patient sees it on their today page."))
            return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#practice")
    return _chart(request, patient, "care_plan", "clinician/careplan/practice.html", form=form)


@route(Audience.CLINICIAN)
@post_only
def end_home_practice(request: HttpRequest, patient_id: str, practice_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="home_practice", object_id=str(practice_id))
    practice = selectors.practice_of(patient, practice_id)
    if practice is None:
        raise Http404()
    form = forms.VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("The form was incomplete. Please try again."))
        services.end_home_practice(practice, expected_version=form.cleaned_data["version"], by=request.user)
        messages.success(request, _("The home practice has ended."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#practice")


@route(Audience.CLINICIAN)
def change_home_practice(request: HttpRequest, patient_id: str, practice_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="home_practice", object_id=str(practice_id))
    practice = selectors.practice_of(patient, practice_id)
    if practice is None:
        raise Http404()
    form = forms.PracticeChangeForm(request.POST or None, initial=_practice_initial(practice))
    conflict_message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_practice(
                practice, expected_version=data["version"], changes=form.changes(), reason=data["reason"]
            )
        except StaleEdit as error:
            practice, conflict_message = error.current, error.message
            form = forms.PracticeChangeForm(initial=_practice_initial(practice))
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request, _("The home practice is changed. The patient sees the change on their today page.")
            )
            return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#practice")
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/change_practice.html",
        practice=practice,
        form=form,
        conflict_message=conflict_message,
    )


def _practice_initial(practice: HomePractice) -> dict[str, Any]:
    return {
        "how_often": practice.how_often,
        "instructions": practice.instructions,
        "ends_on": practice.ends_on,
        "version": practice.version,
    }


@route(Audience.CLINICIAN)
@post_only
def practice_in_error(request: HttpRequest, patient_id: str, practice_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="home_practice", object_id=str(practice_id))
    practice = selectors.practice_of(patient, practice_id)
    if practice is None:
        raise Http404()
    form = forms.InErrorForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please say why this practice was entered in error."))
        data = form.cleaned_data
        services.mark_practice_in_error(practice, expected_version=data["version"], reason=data["reason"])
        messages.success(request, _("The home practice is marked as entered in error. The patient no longer sees it."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#practice")


# --- ending and resuming therapy ------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def end_therapy(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_plan")
    plan = selectors.plan_of(patient)
    if plan is None:
        return _no_plan(request, patient)
    today = _today(patient)
    initial = {"ended_on": today, "version": plan.version}
    form = forms.EndTherapyForm(request.POST or None, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.end_therapy(
                plan, expected_version=data["version"], ended_on=data["ended_on"], reason=data["reason"], today=today
            )
        except StaleEdit as error:
            plan = error.current
            messages.error(request, error.message)
            form = forms.EndTherapyForm(today=today, initial={**request.POST.dict(), "version": plan.version})
        except DomainError as error:
            if error.field is None and plan.status == PlanStatus.ENDED:  # ended on another page meanwhile
                messages.error(request, error.message)
                return redirect(reverse("clinician:care_plan", args=[patient.id]) + "#ending")
            _apply_error(form, error)
        else:
            messages.success(request, _ended_message(patient))
            return redirect("clinician:care_plan", patient_id=patient.id)
    return _chart(
        request,
        patient,
        "care_plan",
        "clinician/careplan/end.html",
        plan=plan,
        form=form,
        resume_form=forms.ResumeTherapyForm(initial={"version": plan.version}),
        **_questionnaires_at_end(patient),
    )


def _ended_message(patient: Any) -> str:
    """What ending therapy set in motion, as the measurement plan (or its absence) decides."""
    measurement_plan = measure_selectors.plan_of(patient)
    ended = _("Therapy has ended.")
    if measurement_plan is None:
        return f"{ended} " + _("No end-of-therapy or follow-up questionnaires are asked: there is no measurement plan.")
    asked = []
    if measurement_plan.at_end_of_therapy:
        names = ", ".join(instrument_titles(measurement_plan.instruments))
        asked.append(_("The end-of-therapy questionnaires are asked now: %(names)s.") % {"names": names})
    if measurement_plan.follow_up_months:
        asked.append(
            ngettext(
                "The follow-up questionnaires are asked in %(num)d month.",
                "The follow-up questionnaires are asked in %(num)d months.",
                measurement_plan.follow_up_months,
            )
            % {"num": measurement_plan.follow_up_months}
        )
    if not asked:
        asked.append(_("The measurement plan asks no questionnaires at the end of therapy or at follow-up."))
    return " ".join([ended, *asked])


def _questionnaires_at_end(patient: Any) -> dict[str, Any]:
    """What the measurement plan asks when therapy ends, so the page can say it before the clinician confirms."""
    measurement_plan = measure_selectors.plan_of(patient)
    if measurement_plan is None:
        return {"measurement_plan": None, "questionnaires": []}
    return {"measurement_plan": measurement_plan, "questionnaires": instrument_titles(measurement_plan.instruments)}


@route(Audience.CLINICIAN)
@post_only
def resume_therapy(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_plan")
    plan = selectors.plan_of(patient)
    if plan is None:
        raise Http404()
    form = forms.ResumeTherapyForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please say why therapy goes on."))
        data = form.cleaned_data
        services.resume_therapy(plan, expected_version=data["version"], reason=data["reason"], today=_today(patient))
        messages.success(request, _resumed_message(patient))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("clinician:care_plan", patient_id=patient.id)


def _resumed_message(patient: Any) -> str:
    if measure_selectors.plan_of(patient) is None:
        return _("Therapy goes on.")
    return _("Therapy goes on. The questionnaires for its end are withdrawn until it ends.")


# --- helpers --------------------------------------------------------------------------------------------------


def _no_plan(request: HttpRequest, patient: Any) -> HttpResponse:
    """Pages that need a plan say so, with the way to make one (not a 404: the patient is there)."""
    return _chart(request, patient, "care_plan", "clinician/careplan/no_plan.html")


def _goal_choices(goals: list[Any]) -> list[tuple[str, str]]:
    return [
        (
            str(goal.id),
            goal.title if goal.status == GoalStatus.ACTIVE else f"{goal.title} ({goal.get_status_display()})",
        )
        for goal in goals
    ]


def _today(patient: Any) -> date:
    """The patient's today: the care-plan service checks session and end dates against it."""
    return clock.local_date(clock.now(), str(patient.time_zone))


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _apply_error(form: Any, error: DomainError) -> None:
    name = FIELD_OF.get(error.field or "", error.field)
    form.add_error(name if name in form.fields else None, error.message)
