"""The care team's goals pages: the chart's Goals tab (values, goals with their milestone ladders, goal
attainment reviews and the T-score trend), the goal form, and one small POST route per ladder action.

Each view parses input, opens the patient through the access gateway, calls one service, and redirects back
to the tab at the goal it changed, where the confirmation is shown on the goal's card. Bad input renders the
tab again with the form and its errors (nothing is saved). A stale edit of a value, a goal or a step keeps what
was typed: the form comes back at the saved version with the typed words in it, beside both versions. What the
tab shows is composed by `commonground.clinician.goals_display`.
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

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.clinician import goals_display as display
from commonground.clinician import goals_forms as forms
from commonground.clinician.views import _chart
from commonground.goals import selectors, services
from commonground.goals.choices import GasLevel
from commonground.goals.models import Goal, Milestone
from commonground.jinja import day
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only

# --- the Goals tab ------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def goals(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="goals")
    return _tab(request, patient)


def _tab(
    request: HttpRequest,
    patient: Any,
    *,
    bound: display.Bound | None = None,
    conflicts: display.Conflicts | None = None,
) -> HttpResponse:
    """The tab; with `bound`, the form that came back (with errors, or after a stale edit) is shown open, and
    named at the top. A confirmation about a goal or the values is shown there, where the page lands."""
    bound = bound or {}
    shown = display.goals_tab(patient, today=_today(patient), bound=bound, conflicts=conflicts)
    anchors = {"values", "goals", *(card.anchor for card in shown["goal_cards"])}
    near, rest = display.notices_by_anchor(messages.get_messages(request), anchors)
    return _chart(
        request,
        patient,
        "goals",
        "clinician/goals/tab.html",
        **shown,
        notices=near,
        # base.html lists flash messages at the top of the page through `get_messages`; here it gets only those
        # not already shown beside the goal or the section they are about.
        get_messages=lambda _request: rest,
        error_anchor=next(iter(bound), ""),
    )


def _tab_at(patient: Any, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("clinician:goals", args=[patient.id]) + (f"#{anchor}" if anchor else ""))


Stale = Callable[[StaleEdit], tuple[django_forms.Form, display.Conflict]]


def _submit(
    request: HttpRequest,
    patient: Any,
    *,
    form: django_forms.Form,
    form_key: str,
    anchor: str,
    save: Callable[[dict[str, Any]], str],
    stale: Stale | None = None,
) -> HttpResponse:
    """Check the form, call the service through `save` (it returns the message to show), go back to the tab at
    `anchor`, where the message is shown.

    A DomainError puts the service's plain message on the form; the tab shows it again, open. A stale edit with
    `stale` shows the form again at the saved version with what was typed, beside both versions; without it
    (nothing worth keeping was typed) the tab reloads with what is saved now.
    """
    if form.is_valid():
        try:
            message = save(form.cleaned_data)
        except StaleEdit as error:
            if stale is None:
                messages.error(request, error.message, extra_tags=anchor)
                return _tab_at(patient, anchor)
            fresh, conflict = stale(error)
            return _tab(request, patient, bound={form_key: fresh}, conflicts={form_key: conflict})
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, message, extra_tags=anchor)
            return _tab_at(patient, anchor)
    return _tab(request, patient, bound={form_key: form})


# --- values -------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@post_only
def add_value(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="value")
    form = forms.ValueForm(request.POST, auto_id=display.auto_id("value-new"))

    def save(data: dict[str, Any]) -> str:
        services.add_value(patient, life_area=data["life_area"], words=data["words"], by=request.user)
        return _("The value is recorded in the patient's words.")

    return _submit(request, patient, form=form, form_key="value-new", anchor="values", save=save)


@route(Audience.CLINICIAN)
@post_only
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

    def stale(error: StaleEdit) -> tuple[django_forms.Form, display.Conflict]:
        typed, saved = form.cleaned_data, error.current
        fresh = forms.ValueEditForm(initial=typed | {"version": saved.version}, auto_id=display.auto_id(form_key))
        return fresh, display.value_conflict(error.message, saved, typed)

    return _submit(request, patient, form=form, form_key=form_key, anchor="values", save=save, stale=stale)


@route(Audience.CLINICIAN)
@post_only
def value_in_error(request: HttpRequest, patient_id: str, value_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="value", object_id=str(value_id))
    value = selectors.value_of(patient, value_id)
    if value is None:
        raise Http404()
    form_key = display.key("value-error", value)
    form = forms.InErrorForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.mark_in_error(value, expected_version=data["version"], reason=data["reason"])
        return _("The value is marked as entered in error; it stays in the record's history.")

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
            messages.success(
                request,
                _("The goal is set. Now build its ladder, one small doable step at a time."),
                extra_tags=f"goal-{goal.id}",
            )
            return _tab_at(patient, f"goal-{goal.id}")
    return _chart(request, patient, "goals", "clinician/goals/goal_form.html", form=form, goal=None)


@route(Audience.CLINICIAN)
def edit_goal(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    writing = request.method == "POST"
    patient = gateway.open_patient(request, patient_id, object_type="goal", object_id=str(goal_id))
    goal = _goal_or_404(patient, goal_id)
    form = _goal_edit_form(patient, goal, request.POST if writing else None, initial=forms.goal_initial(goal))
    conflict: display.Conflict | None = None
    if writing and form.is_valid():
        version = goal.version
        try:
            goal = services.update_goal(
                goal,
                expected_version=form.cleaned_data["version"],
                changes=form.goal_changes(),
                reason=form.cleaned_data["reason"],
                by=request.user,
                today=_today(patient),
            )
        except StaleEdit as error:
            # Someone saved first: both versions side by side, and the form again at the saved version with
            # what this clinician typed (a fixed scale stays as saved).
            goal = error.current
            conflict = display.goal_conflict(error.message, form, goal, form.cleaned_data)
            form = _goal_edit_form(patient, goal, None, initial=forms.typed_again(form, goal))
        except DomainError as error:
            _apply_error(form, error)
        else:
            if goal.version == version:
                messages.info(
                    request, _("Nothing in the goal changed, so nothing was saved."), extra_tags=f"goal-{goal.id}"
                )
            else:
                messages.success(
                    request,
                    _("The goal is revised; the earlier version stays in its history."),
                    extra_tags=f"goal-{goal.id}",
                )
            return _tab_at(patient, f"goal-{goal.id}")
    return _chart(request, patient, "goals", "clinician/goals/goal_form.html", form=form, goal=goal, conflict=conflict)


def _goal_edit_form(patient: Any, goal: Goal, data: Any, *, initial: dict[str, Any]) -> forms.GoalEditForm:
    return forms.GoalEditForm(
        data,
        initial=initial,
        values=list(selectors.values_of(patient)),
        supporters=list(selectors.supporters_for_goals(patient)),
        scale_fixed=bool(selectors.latest_reviews([goal])) and not (data and data.get("scale_editable") == "1"),
        auto_id=display.auto_id("goal"),
    )


@route(Audience.CLINICIAN)
@post_only
def goal_in_error(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id)
    form_key = display.key("goal-error", goal)
    form = forms.InErrorForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.mark_in_error(goal, expected_version=data["version"], reason=data["reason"])
        return _(
            "“%(goal)s” is marked as entered in error: it has left the chart, the patient's goals page and the "
            "T-score, and stays in the record's history."
        ) % {"goal": goal.title}

    return _submit(request, patient, form=form, form_key=form_key, anchor="goals", save=save)


# --- the milestone ladder -----------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@post_only
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
@post_only
def step_back(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id)
    found = selectors.ladder(goal)
    form_key = display.key("goal-stepback", goal)
    form = forms.StepBackForm(request.POST, rungs=found.rungs, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        chosen = next((rung for rung in found.rungs if str(rung.id) == data["milestone"]), None)
        services.step_back(goal, reason=data["reason"], by=request.user, milestone=chosen)
        saved = _("The step back is noted with what happened. Plan the next step from here.")
        return display.with_advice(saved, data["reason"], patient.organisation_id)

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{goal.id}", save=save)


@route(Audience.CLINICIAN)
@post_only
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

    def stale(error: StaleEdit) -> tuple[django_forms.Form, display.Conflict]:
        typed, saved = form.cleaned_data, error.current
        fresh = forms.EditRungForm(initial=typed | {"version": saved.version}, auto_id=display.auto_id(form_key))
        return fresh, display.rung_conflict(error.message, saved, typed)

    anchor = f"goal-{rung.goal_id}"
    return _submit(request, patient, form=form, form_key=form_key, anchor=anchor, save=save, stale=stale)


@route(Audience.CLINICIAN)
@post_only
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
@post_only
def remove_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    form_key = display.key("rung-remove", rung)
    form = forms.RemoveRungForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.remove_rung(rung, reason=data["reason"], by=request.user)
        return _("The step is off the ladder; it stays in the ladder's history.")

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{rung.goal_id}", save=save)


@route(Audience.CLINICIAN)
@post_only
def mark_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    anchor = f"goal-{rung.goal_id}"
    form = forms.MarkRungForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose done, partly done or not yet."), extra_tags=anchor)
        return _tab_at(patient, anchor)
    try:
        marked = services.mark_rung(rung, state=form.cleaned_data["state"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message, extra_tags=anchor)
    else:
        state = str(marked.get_state_display()).lower()
        text = _("“%(action)s” is marked %(state)s.") % {"action": marked.action, "state": state}
        messages.success(request, text, extra_tags=anchor)
    return _tab_at(patient, anchor)


@route(Audience.CLINICIAN)
@post_only
def move_rung(request: HttpRequest, patient_id: str, milestone_id: str) -> HttpResponse:
    patient, rung = _open_rung(request, patient_id, milestone_id)
    anchor = f"goal-{rung.goal_id}"
    form = forms.MoveRungForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where on the ladder the step goes."), extra_tags=anchor)
        return _tab_at(patient, anchor)
    try:
        services.move_rung(rung, to_position=form.cleaned_data["to_position"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message, extra_tags=anchor)
    else:
        text = _("“%(action)s” is now step %(number)d.") % {
            "action": rung.action,
            "number": form.cleaned_data["to_position"],
        }
        messages.success(request, text, extra_tags=anchor)
    return _tab_at(patient, anchor)


# --- goal attainment scaling --------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@post_only
def review_goal(request: HttpRequest, patient_id: str, goal_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id, object_type="gas_review")
    form_key = display.key("goal-review", goal)
    form = forms.ReviewForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.review_goal(
            goal, level=data["level"], reviewed_on=data["reviewed_on"], by=request.user, note=data["note"]
        )
        saved = _("The review of %(day)s is recorded: %(level)s.") % {
            "day": day(data["reviewed_on"]),
            "level": GasLevel(data["level"]).label,
        }
        return display.with_advice(saved, data["note"], patient.organisation_id)

    return _submit(request, patient, form=form, form_key=form_key, anchor=f"goal-{goal.id}", save=save)


@route(Audience.CLINICIAN)
@post_only
def review_in_error(request: HttpRequest, patient_id: str, goal_id: str, review_id: str) -> HttpResponse:
    patient, goal = _open_goal(request, patient_id, goal_id, object_type="gas_review")
    review = next((found for found in selectors.reviews_of([goal])[goal.id] if str(found.id) == str(review_id)), None)
    if review is None:
        raise Http404()
    form_key = display.key("review-error", review)
    form = forms.InErrorForm(request.POST, auto_id=display.auto_id(form_key))

    def save(data: dict[str, Any]) -> str:
        services.mark_in_error(review, expected_version=data["version"], reason=data["reason"])
        return _(
            "The review of %(day)s is marked as entered in error: it no longer counts in the T-score, and stays "
            "in the record's history."
        ) % {"day": day(review.reviewed_on)}

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
