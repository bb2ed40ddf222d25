"""The patient's pages for goals and the milestone ladder, the care plan in plain words, home practice,
the exercise library and reflections on sessions.

Each view opens the patient's own record through the gateway, calls the goals or care-plan domain, renders.
The patient never sees a score, a T-score, the team's summary of the plan or a clinician's note: the pages
show the patient's own words, the plain-language plan and what they did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.careplans import library
from commonground.careplans import selectors as plan_selectors
from commonground.careplans import services as plan_services
from commonground.careplans.choices import ElementKind, ElementStatus, LibraryKind
from commonground.careplans.models import CarePlan, HomePractice, TherapySession
from commonground.goals import selectors as goal_selectors
from commonground.goals import services as goal_services
from commonground.goals.choices import GoalStatus, LadderEventKind, RungState
from commonground.goals.models import Goal
from commonground.goals.selectors import Ladder
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.http import post_only
from commonground.patients.models import Patient
from commonground.portal.care_forms import MarkStepForm, ReflectionForm

# The four elements of therapy, said the way a patient would say them.
ELEMENT_WORDS: dict[str, Promise] = {
    ElementKind.PSYCHOEDUCATION: gettext_lazy(
        "Understanding your symptoms: how the body, stress and attention affect each other"
    ),
    ElementKind.BODY_ORIENTED: gettext_lazy("Exercises for the body: breathing, relaxing, sensing and moving"),
    ElementKind.COGNITIVE_BEHAVIOURAL: gettext_lazy(
        "Working with the thoughts and habits that can keep symptoms going"
    ),
    ElementKind.ACTIVATION: gettext_lazy("Doing more of what matters to you again, step by step, at your pace"),
}
ELEMENT_STATUS_WORDS: dict[str, Promise] = {
    ElementStatus.PLANNED: gettext_lazy("Coming up"),
    ElementStatus.ACTIVE: gettext_lazy("Under way"),
    ElementStatus.PAUSED: gettext_lazy("Paused for now"),
    ElementStatus.COMPLETED: gettext_lazy("Done"),
    ElementStatus.STOPPED: gettext_lazy("Not part of the plan any more"),
}
# The goal attainment levels, without numbers: the patient's own words say what each one looks like.
LEVEL_NAMES: dict[int, Promise] = {
    -2: gettext_lazy("Much less than we hope for"),
    -1: gettext_lazy("A bit less than we hope for"),
    0: gettext_lazy("What we hope for"),
    1: gettext_lazy("A bit more than we hope for"),
    2: gettext_lazy("Much more than we hope for"),
}
REFLECTION_TOO_LONG = gettext_lazy("Please keep it under 4,000 characters.")
STEP_ICONS = {RungState.DONE: "✓", RungState.PARTLY: "◐", RungState.NOT_YET: "○"}
GOAL_STATUS_WORDS: dict[str, Promise] = {
    GoalStatus.ACTIVE: gettext_lazy("Working on it"),
    GoalStatus.ON_HOLD: gettext_lazy("Paused for now"),
    GoalStatus.ACHIEVED: gettext_lazy("Reached"),
    GoalStatus.ENDED: gettext_lazy("Set aside for now"),
}


@dataclass(frozen=True)
class Setback:
    on: date
    reason: str  # ends with a full stop (or ! ? …): the page adds none


@dataclass(frozen=True)
class GoalPage:
    """One goal as the patient sees it: the ladder, the step they may undo, setbacks, the level words."""

    ladder: Ladder
    undo_rung_id: Any  # the highest rung ticked, which the patient may set back to "not yet" if ticked by mistake
    setbacks: list[Setback]
    levels: list[tuple[int, str, str]]  # (level, name, the patient's words), from less to more

    @property
    def goal(self) -> Goal:
        return self.ladder.goal

    @property
    def is_active(self) -> bool:
        return bool(self.ladder.goal.status == GoalStatus.ACTIVE)

    @property
    def is_proposed(self) -> bool:
        """Suggested by the team and not yet agreed by the patient (only an active goal can be agreed to)."""
        return self.is_active and not self.goal.agreed_by_patient

    @property
    def may_tick(self) -> bool:
        """Steps can be ticked on a goal being worked on that the patient has agreed to."""
        return self.is_active and bool(self.goal.agreed_by_patient)

    @property
    def short_title(self) -> str:
        title = " ".join(self.goal.title.split())
        return title if len(title) <= 40 else title[:39].rstrip() + "…"


# --- my goals ------------------------------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def my_goals(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="goals")
    pages = [_goal_page(ladder, patient) for ladder in goal_selectors.ladders(patient)]
    proposed = [page for page in pages if page.is_proposed]
    working = (GoalStatus.ACTIVE, GoalStatus.ON_HOLD)
    current = [page for page in pages if page.goal.status in working and not page.is_proposed]
    near, rest = _notices_by_goal(request, [*proposed, *current])
    return render(
        request,
        "portal/goals.html",
        {
            "patient": patient,
            "values": list(goal_selectors.values_of(patient)),
            "proposed": proposed,
            "current": current,
            "earlier": [page for page in pages if page.goal.status not in working],
            "icons": STEP_ICONS,
            "goal_status_words": GOAL_STATUS_WORDS,
            "notices": near,
            # base.html lists flash messages at the top through `get_messages`: here only those not shown on the
            # goal they are about (the page lands there after ticking a step).
            "get_messages": lambda _request: rest,
        },
    )


def _notices_by_goal(request: HttpRequest, cards: list[GoalPage]) -> tuple[dict[str, list[Any]], list[Any]]:
    """Flash messages about a goal shown as a card go on that card; the rest stay at the top of the page."""
    anchors = {f"goal-{page.goal.id}" for page in cards}
    near: dict[str, list[Any]] = {}
    rest = []
    for message in messages.get_messages(request):
        if message.extra_tags in anchors:
            near.setdefault(message.extra_tags, []).append(message)
        else:
            rest.append(message)
    return near, rest


def _goal_page(ladder: Ladder, patient: Patient) -> GoalPage:
    ticked = [rung for rung in ladder.rungs if rung.state != RungState.NOT_YET]
    setbacks = [
        Setback(clock.local_date(event.at, patient.time_zone), _as_sentence(event.reason))
        for event in ladder.events
        if event.kind == LadderEventKind.STEPPED_BACK
    ]
    goal = ladder.goal
    levels = [(level, str(LEVEL_NAMES[level]), goal.level_words(level)) for level in sorted(LEVEL_NAMES)]
    return GoalPage(ladder, ticked[-1].id if ticked else None, setbacks, levels)


def _as_sentence(text: str) -> str:
    """The words as a sentence: one full stop at the end, never two ("stayed in." stays "stayed in.")."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?", "…")) else f"{text}."


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def mark_step(request: HttpRequest, milestone_id: str) -> HttpResponse:
    """Tick my next step (done or partly done), or set the highest step I ticked back to "not yet" if I ticked
    it by mistake. Only on a goal being worked on that I have agreed to; anything else changes nothing."""
    patient = gateway.own_patient_record(request.user, action=Action.UPDATE, object_type="milestone")
    milestone = goal_selectors.milestone_of(patient, milestone_id)
    if milestone is None:
        raise Http404()
    anchor = f"goal-{milestone.goal_id}"
    back = redirect(reverse("portal:goals") + f"#{anchor}")
    form = MarkStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong with the form. Please try again."), extra_tags=anchor)
        return back
    state = form.cleaned_data["state"]
    if milestone.state == state:  # sent twice (a double tap): already so, and that is fine
        messages.success(request, _step_message(state, milestone.action), extra_tags=anchor)
        return back
    refusal = _why_not(_goal_page(goal_selectors.ladder(milestone.goal), patient), milestone.id, state)
    if refusal:
        messages.error(request, refusal, extra_tags=anchor)
        return back
    try:
        goal_services.mark_rung(milestone, state=state, by=request.user)
    except DomainError as error:
        messages.error(request, error.message, extra_tags=anchor)
    else:
        messages.success(request, _step_message(state, milestone.action), extra_tags=anchor)
    return back


def _why_not(page: GoalPage, milestone_id: Any, state: str) -> str:
    """Why the patient may not mark this step so, in kind words; empty when they may."""
    if not page.is_active:
        return _(
            "This goal is not being worked on just now, so its steps stay as they are. "
            "If you want to pick it up again, talk it over with your team."
        )
    if not page.goal.agreed_by_patient:
        return _(
            "Once you agree with this goal, you can tick its steps. Talk it over with your team if you are unsure."
        )
    next_rung = page.ladder.next_rung
    if state in (RungState.DONE, RungState.PARTLY) and next_rung is not None and next_rung.id == milestone_id:
        return ""
    if state == RungState.NOT_YET and page.undo_rung_id == milestone_id:
        return ""
    return _(
        "Nothing was changed. Here you can tick your next step, or undo the last step you ticked. "
        "Your team can help with the other steps at your next session."
    )


def _step_message(state: str, action: str) -> str:
    if state == RungState.DONE:
        return _("Well done. You ticked “%(step)s”.") % {"step": action}
    if state == RungState.PARTLY:
        return _("Noted: “%(step)s” is partly done. Every bit counts.") % {"step": action}
    return _("“%(step)s” is back to “not yet”.") % {"step": action}


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def agree_goal(request: HttpRequest, goal_id: str) -> HttpResponse:
    """I agree with a goal my team suggested: it becomes one of my goals, and I can tick its steps."""
    patient = gateway.own_patient_record(request.user, action=Action.UPDATE, object_type="goal")
    goal = goal_selectors.goal_of(patient, goal_id)
    if goal is None:
        raise Http404()
    anchor = f"goal-{goal.id}"
    try:
        goal_services.agree_to_goal(goal, by=request.user)
    except DomainError as error:
        messages.error(request, error.message, extra_tags=anchor)
    else:
        text = _("Thank you. “%(goal)s” is now one of your goals, and you can tick its steps.") % {"goal": goal.title}
        messages.success(request, text, extra_tags=anchor)
    return redirect(reverse("portal:goals") + f"#{anchor}")


# --- my plan ---------------------------------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def my_plan(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="care_plan")
    return render(request, "portal/plan.html", _plan_context(patient))


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def reflect(request: HttpRequest, session_id: str) -> HttpResponse:
    """Add or change my own reflection on a session. An empty box is fine: the reflection is optional."""
    patient = gateway.own_patient_record(request.user, action=Action.UPDATE, object_type="therapy_session")
    session = plan_selectors.session_of(patient, session_id)
    if session is None:
        raise Http404()
    form = _reflection_form(request.POST, session_id=str(session.id))
    if form.is_valid():
        words = form.cleaned_data["text"].strip()
        try:
            plan_services.add_reflection(session, text=words, patient=patient)  # empty text removes it
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            if words:
                messages.success(request, _("Thank you. Your reflection is saved."))
            elif session.reflection:
                messages.success(request, _("Your reflection is removed. You can write a new one at any time."))
            return redirect(reverse("portal:plan") + f"#session-{session.id}")
    return render(request, "portal/plan.html", _plan_context(patient, bound=form, bound_session_id=session.id))


def _reflection_form(data: Any, *, session_id: str) -> ReflectionForm:
    """The reflection form, saying a too long text in plain words (not Django's "Ensure this value ...")."""
    form = ReflectionForm(data, session_id=session_id)
    form.fields["text"].error_messages["max_length"] = REFLECTION_TOO_LONG
    return form


@dataclass(frozen=True)
class SessionRow:
    session: TherapySession
    number: int
    of_about: str  # "Session 4 of about 6 to 12"
    elements: list[str]
    exercises: list[tuple[str, library.LibraryItem | None]]  # (slug, the library item if there is one)
    form: ReflectionForm


def _plan_context(
    patient: Patient, *, bound: ReflectionForm | None = None, bound_session_id: Any = None
) -> dict[str, Any]:
    plan = plan_selectors.plan_of(patient)
    context: dict[str, Any] = {"patient": patient, "plan": plan, "today": _today(patient)}
    if plan is None:
        return context
    sessions = list(plan_selectors.sessions_of(patient))  # newest first
    rows = [
        _session_row(session, len(sessions) - index, plan, patient, bound if session.id == bound_session_id else None)
        for index, session in enumerate(sessions)
    ]
    context.update(
        {
            "elements": [
                (ELEMENT_WORDS.get(element.kind, element.get_kind_display()), element)
                for element in plan_selectors.elements_of(plan)
            ],
            "element_status_words": ELEMENT_STATUS_WORDS,
            "progress": plan_selectors.sessions_against_plan(plan),
            "sessions": rows,
            "paragraphs": _paragraphs(plan.patient_summary),
        }
    )
    return context


def _session_row(
    session: TherapySession, number: int, plan: CarePlan, patient: Patient, bound: ReflectionForm | None
) -> SessionRow:
    of_about = _session_number(number, plan)
    form = bound or ReflectionForm(initial={"text": session.reflection}, session_id=str(session.id))
    return SessionRow(
        session=session,
        number=number,
        of_about=of_about,
        elements=[str(ELEMENT_WORDS.get(kind, kind)) for kind in session.elements or []],
        exercises=[(slug, library.item(slug, patient.preferred_language)) for slug in session.exercises or []],
        form=form,
    )


def _session_number(number: int, plan: CarePlan) -> str:
    """The session's place in the plan: "Session 4 of about 6 to 12"; past the plan, "Session 14 (6 to 12 were
    planned)", never "14 of 12"."""
    values = {"number": number, "low": plan.sessions_min, "high": plan.sessions_max}
    if number > plan.sessions_max:
        if plan.sessions_min == plan.sessions_max:
            return _("Session %(number)d (about %(high)d were planned)") % values
        return _("Session %(number)d (%(low)d to %(high)d were planned)") % values
    if plan.sessions_min == plan.sessions_max:
        return _("Session %(number)d of about %(high)d") % values
    return _("Session %(number)d of about %(low)d to %(high)d") % values


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


# --- home practice and the exercise library --------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def exercises(request: HttpRequest) -> HttpResponse:
    """My home practice first, then every exercise and explanation in the library."""
    patient = gateway.own_patient_record(request.user, object_type="home_practice")
    practice = plan_selectors.home_practice_of(patient, today=_today(patient))
    items = library.items(patient.preferred_language)
    return render(
        request,
        "portal/exercises.html",
        {"patient": patient, "practice": practice, "items": items, "kind_words": dict(LibraryKind.choices)},
    )


@route(Audience.PATIENT, relationships=(SELF,))
def exercise(request: HttpRequest, slug: str) -> HttpResponse:
    """One library item, readable on a phone; and, if it is my home practice, how often and until when."""
    patient = gateway.own_patient_record(request.user, object_type="home_practice")
    item = library.item(slug, patient.preferred_language)
    if item is None:
        raise Http404()
    practice = _practice_for(plan_selectors.home_practice_of(patient, today=_today(patient)), slug)
    return render(
        request,
        "portal/exercise.html",
        {"patient": patient, "item": item, "practice": practice, "kind_words": dict(LibraryKind.choices)},
    )


def _practice_for(practice: list[HomePractice], slug: str) -> list[HomePractice]:
    return [entry for entry in practice if entry.library_item == slug]


def _today(patient: Patient) -> date:
    return clock.local_date(clock.now(), patient.time_zone)
