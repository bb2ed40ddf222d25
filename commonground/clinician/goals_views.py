"""The care team's goals pages: the chart's Goals tab (values, goals with their milestone ladders, goal
attainment reviews and the T-score trend), the goal form, and one small POST route per ladder action.

Each view parses input, opens the patient through the access gateway, calls one service, and redirects back
to the tab at the goal it changed. Bad input renders the tab again with the form and its errors (nothing is
saved); a stale edit says so and reloads what is saved now. What the tab shows is composed by
`commonground.clinician.goals_display`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.clinician import goals_display as display
from commonground.clinician import goals_forms as forms
from commonground.clinician.views import _chart
from commonground.goals import selectors, services
from commonground.goals.choices import GasLevel
from commonground.goals.models import Goal, Milestone
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit

# --- the Goals tab ------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def goals(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="goals")
    return _tab(request, patient)


def _tab(request: HttpRequest, patient: Any, *, bound: display.Bound | None = None) -> HttpResponse:
    """The tab; with `bound`, the form that came back with errors is shown open, and named at the top."""
    bound = bound or {}
    return _chart(
        request,
        patient,
        "goals",
        "clinician/goals/tab.html",
        **display.goals_tab(patient, today=_today(patient), bound=bound),
        error_anchor=next(iter(bound), ""),
    )


def _tab_at(patient: Any, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("clinician:goals", args=[patient.id]) + (f"#{anchor}" if anchor else ""))


def _submit(
    request: HttpRequest,
    patient: Any,
    *,
    form: django_forms.Form,
    form_key: str,
    anchor: str,
    save: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Check the form, call the service through `save` (it returns the message to show), go back to the tab.

    A DomainError puts the service's plain message on the form; the tab shows it again, open. A stale edit
    reloads the tab with what is saved now.
    """
    if form.is_valid():
        try:
            messages.success(request, save(form.cleaned_data))
            return _tab_at(patient, anchor)
        except StaleEdit as error:
            messages.error(request, error.message)
            return _tab_at(patient, anchor)
        except DomainError as error:
            _apply_error(form, error)
    return _tab(request, patient, bound={form_key: form})


# --- values -------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@require_POST
def add_value(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="value")
    form = forms.ValueForm(request.POST, auto_id=display.auto_id("value-new"))

    def save(data: dict[str, Any]) -> str:
        services.add_value(patient, life_area=data["life_area"], words=data["words"], by=request.user)
        return _("The value is recorded in the patient's words.")

    return _submit(request, patient, form=form, form_key="value-new", anchor="values", save=save)


@route(Audience.CLINICIAN)
@require_POST
def edit_value(request: HttpRequest, patient_id: str, value_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="value", object_id=str(value_id))
    value = selectors.value_of(patient, value_id)
    if value is None:
        raise Http404()
    form_key = display.key("value-edit", value)
    form = forms.ValueEditForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.update_value(
            value,
            expected_version=data["version"],
            life_area=data["life_area"],
            words=data["words"],
            reason=data["reason"],
        )
        return _("The value is changed; the earlier words stay in its history.")

    return _submit(request, patient, form=form, form_key=form_key, anchor="values", save=save)


# --- a goal: set and revise ---------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def new_goal(request: HttpRequest, patient_id: str) -> HttpResponse:
    writing = request.method == "POST"
    patient = gateway.open_patient(request, patient_id, object_type="goal")
    form = forms.GoalForm(
        request.POST if writing else None,
        values=list(selectors.values_of(patient)),
        supporters=list(selectors.supporters_for_goals(patient)),
        auto_id=display.auto_id("goal"),
    )
    if writing and form.is_valid():
        try:
            goal = services.set_goal(patient, details=form.goal_details(), by=request.user, today=_today(patient))
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The goal is set. Now build its ladder, one small doable step at a time."))
            return _tab_at(patient, f"goal-{goal.id}")
    return _chart(request, patient, "goals", "clinician/goals/goal_form.html", form=form, goal=None)


@route(Audience.CLINICIAN)
def edit_goal(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    writing = request.method == "POST"
    patient = gateway.open_patient(request, patient_id, object_type="goal", object_id=str(goal_id))
    goal = _goal_or_404(patient, goal_id)
    form = forms.GoalEditForm(
        request.POST if writing else None,
        initial=forms.goal_initial(goal),
        values=list(selectors.values_of(patient)),
        supporters=list(selectors.supporters_for_goals(patient)),
        auto_id=display.auto_id("goal"),
    )
    if writing and form.is_valid():
        try:
            services.update_goal(
                goal,
                expected_version=form.cleaned_data["version"],
                changes=form.goal_changes(),
                reason=form.cleaned_data["reason"],
                by=request.user,
                today=_today(patient),
            )
        except StaleEdit as error:
            messages.error(request, error.message)  # the page reloads with the goal as it is saved now
            return redirect("clinician:edit_goal", patient_id=patient.id, goal_id=goal.id)
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The goal is revised; the earlier version stays in its history."))
            return _tab_at(patient, f"goal-{goal.id}")
    return _chart(request, patient, "goals", "clinician/goals/goal_form.html", form=form, goal=goal)


# --- the milestone ladder -----------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@require_POST
def add_rung(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id)
    found = selectors.ladder(goal)
    form_key = display.key("goal-add", goal)
    form = forms.AddRungForm(request.POST, rungs=len(found.rungs), auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.add_rung(
            goal, action=data["action"], target_date=data["target_date"], by=request.user, position=data["position"]
        )
        return _("The step is on the ladder.")

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{goal.id}", save=save)


@route(Audience.CLINICIAN)
@require_POST
def step_back(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id)
    found = selectors.ladder(goal)
    form_key = display.key("goal-stepback", goal)
    form = forms.StepBackForm(request.POST, rungs=found.rungs, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        chosen = next((rung for rung in found.rungs if str(rung.id) == data["milestone"]), None)
        services.step_back(goal, reason=data["reason"], by=request.user, milestone=chosen)
        return _("The step back is noted with what happened. Plan the next step from here.")

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{goal.id}", save=save)


@route(Audience.CLINICIAN)
@require_POST
def edit_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    form_key = display.key("rung-edit", rung)
    form = forms.EditRungForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.edit_rung(
            rung,
            expected_version=data["version"],
            action=data["action"],
            target_date=data["target_date"],
            by=request.user,
        )
        return _("The step is reworded.")

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{rung.goal_id}", save=save)


@route(Audience.CLINICIAN)
@require_POST
def split_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    form_key = display.key("rung-split", rung)
    form = forms.SplitRungForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        steps = form.steps()
        services.split_rung(rung, steps=steps, by=request.user, reason=data["reason"])
        return _("The step is split into %(count)d smaller steps.") % {"count": len(steps)}

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{rung.goal_id}", save=save)


@route(Audience.CLINICIAN)
@require_POST
def remove_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    form_key = display.key("rung-remove", rung)
    form = forms.RemoveRungForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.remove_rung(rung, reason=data["reason"], by=request.user)
        return _("The step is off the ladder; it stays in the ladder's history.")

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{rung.goal_id}", save=save)


@route(Audience.CLINICIAN)
@require_POST
def mark_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    form = forms.MarkRungForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose done, partly done or not yet."))
        return _tab_at(patient, f"goal-{rung.goal_id}")
    try:
        marked = services.mark_rung(rung, state=form.cleaned_data["state"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        state = str(marked.get_state_display()).lower()
        messages.success(request, _("“%(action)s” is marked %(state)s.") % {"action": marked.action, "state": state})
    return _tab_at(patient, f"goal-{rung.goal_id}")


@route(Audience.CLINICIAN)
@require_POST
def move_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    form = forms.MoveRungForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where on the ladder the step goes."))
        return _tab_at(patient, f"goal-{rung.goal_id}")
    try:
        services.move_rung(rung, to_position=form.cleaned_data["to_position"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The step is now step %(number)d.") % {"number": form.cleaned_data["to_position"]})
    return _tab_at(patient, f"goal-{rung.goal_id}")


# --- goal attainment scaling --------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@require_POST
def review_goal(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id, object_type="gas_review")
    form_key = display.key("goal-review", goal)
    form = forms.ReviewForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.review_goal(
            goal, level=data["level"], reviewed_on=data["reviewed_on"], by=request.user, note=data["note"]
        )
        return _("The review is recorded: %(level)s.") % {"level": GasLevel(data["level"]).label}

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{goal.id}", save=save)


# --- helpers ------------------------------------------------------------------------------------------------


def _open_goal(request: HttpRequest, patient_id: str, goal_id: str, *, object_type: str = "goal") -> tuple[Any, Goal]:
    patient = gateway.open_patient(request, patient_id, object_type=object_type, object_id=str(goal_id))
    return patient, _goal_or_404(patient, goal_id)


def _open_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> tuple[Any, Milestone]:
    patient = gateway.open_patient(request, patient_id, object_type="milestone", object_id=str(milestone_id))
    rung = selectors.milestone_of(patient, milestone_id)
    if rung is None:
        raise Http404()
    return patient, rung


def _goal_or_404(patient: Any, goal_id: str) -> Goal:
    goal = selectors.goal_of(patient, goal_id)
    if goal is None:
        raise Http404()
    return goal


def _today(patient: Any) -> date:
    """The patient's own day: the goals services date goals and reviews by it."""
    return clock.local_date(clock.now(), str(patient.time_zone))


def _apply_error(form: django_forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)
