"""The member's pages for their group programme: my groups; a group's schedule, materials, members and board;
the action plans members chose to share; my choices (what others see of me, a partner or not); my action plan;
my partner (agree or decline, what I share, the weekly check-in, ending it); a concern for the facilitators.

Each view opens the member's own record through the gateway, finds their membership of the cohort (not a member:
404, the same as a cohort that does not exist), calls the groups domain and renders. Other members appear only by
the name they chose to be shown by, and only with what they chose to share: these pages never read another
member's patient record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

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
from commonground.goals import selectors as goal_selectors
from commonground.goals.choices import GoalStatus
from commonground.groups import names, notices, selectors, services
from commonground.groups.choices import (
    MEMBER_STATUSES,
    CohortStatus,
    EnrolmentStatus,
    PairingStatus,
    PostKind,
    ShownName,
)
from commonground.groups.models import Cohort, Enrolment, Pairing
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.patients.models import Patient
from commonground.portal.groups_forms import (
    ActionStepForm,
    CheckInForm,
    ConcernForm,
    EditStepForm,
    MyChoicesForm,
    PairingForm,
    PartnerSharesForm,
    ShareWithGroupForm,
    SmallWinForm,
)

TABS: list[tuple[str, Promise, str]] = [
    ("group", gettext_lazy("Our group"), "portal:group"),
    ("materials", gettext_lazy("Materials"), "portal:group_materials"),
    ("board", gettext_lazy("Board"), "portal:group_board"),
    ("shared_plans", gettext_lazy("Shared plans"), "portal:group_shared_plans"),
    ("plan", gettext_lazy("My action plan"), "portal:group_plan"),
    ("partner", gettext_lazy("My partner"), "portal:group_partner"),
    ("choices", gettext_lazy("My choices"), "portal:group_choices"),
    ("concerns", gettext_lazy("Ask the facilitators"), "portal:group_concerns"),
]
STATUS_WORDS: dict[str, Promise] = {
    EnrolmentStatus.WAITING: gettext_lazy("You are on the waiting list. We will let you know when a place is free."),
    EnrolmentStatus.ENROLLED: gettext_lazy("You are a member of this group."),
    EnrolmentStatus.FINISHED: gettext_lazy("You finished this programme. Its materials and your plan stay here."),
    EnrolmentStatus.WITHDRAWN: gettext_lazy("You are no longer in this group."),
}
NOT_THE_SAME = gettext_lazy("Something changed in the meantime, so nothing was changed. Please look again below.")


@dataclass(frozen=True)
class Member:
    """The signed-in member in one of their groups."""

    patient: Patient
    enrolment: Enrolment

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort

    @property
    def tz(self) -> str:
        return str(self.enrolment.cohort.organisation.time_zone)

    @property
    def running(self) -> bool:
        """Enrolled in a group that is planned or running: posting and partner check-ins are open."""
        closed = (CohortStatus.FINISHED, CohortStatus.CANCELLED)
        return self.enrolment.status == EnrolmentStatus.ENROLLED and self.cohort.status not in closed

    @property
    def shown_as(self) -> str:
        """What the others see of me, as I chose."""
        return selectors.name_of(self.enrolment)


def _member(request: HttpRequest, cohort_id: UUID, *, action: str = Action.READ, object_type: str = "group") -> Member:
    patient = gateway.own_patient_record(request.user, action=action, object_type=object_type)
    enrolment = selectors.membership_for_patient(patient, cohort_id)
    if enrolment is None:
        raise Http404()
    return Member(patient, enrolment)


def _page(request: HttpRequest, member: Member, template: str, tab: str, **context: Any) -> HttpResponse:
    context.update(
        {
            "member": member,
            "cohort": member.cohort,
            "enrolment": member.enrolment,
            "tz": member.tz,
            "shown_as": member.shown_as,
            "tab": tab,
            "tabs": TABS,
            "finished": member.enrolment.status == EnrolmentStatus.FINISHED,
            "running": member.running,
        }
    )
    return render(request, f"portal/groups/{template}.html", context)


def _back(name: str, member: Member, anchor: str = "") -> HttpResponse:
    return redirect(reverse(name, args=[member.cohort.id]) + (f"#{anchor}" if anchor else ""))


# --- my groups, and the line on the Today page ------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def my_groups(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="group")
    enrolments = selectors.enrolments_of_patient(patient)
    return render(
        request,
        "portal/groups/my_groups.html",
        {
            "enrolments": enrolments,
            "member_statuses": MEMBER_STATUSES,
            "status_words": STATUS_WORDS,
            "next_sessions": {
                e.id: selectors.next_session(e.cohort) for e in enrolments if e.status == EnrolmentStatus.ENROLLED
            },
        },
    )


@route(Audience.PATIENT, relationships=(SELF,))
def next_session_line(request: HttpRequest) -> HttpResponse:
    """The Today page's "your group" line (fetched after the page loads): the next session of my groups."""
    patient = gateway.own_patient_record(request.user, object_type="group")
    upcoming = [
        (session, enrolment)
        for enrolment in selectors.enrolments_of_patient(patient)
        if enrolment.status == EnrolmentStatus.ENROLLED
        for session in [selectors.next_session(enrolment.cohort)]
        if session is not None
    ]
    upcoming.sort(key=lambda pair: pair[0].starts_at)
    return render(request, "portal/groups/today_line.html", {"upcoming": upcoming[:1], "now": clock.now()})


# --- a group: schedule and members, materials, the board, shared plans -----------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def group(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id)
    cohort = member.cohort
    return _page(
        request,
        member,
        "group",
        "group",
        sessions=selectors.sessions_of(cohort),
        members=selectors.fellow_members(cohort),
        facilitators=selectors.facilitators_of(cohort),
        now=clock.now(),
    )


@route(Audience.PATIENT, relationships=(SELF,))
def materials(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id)
    language = member.patient.preferred_language
    sessions = selectors.sessions_of(member.cohort)
    items = {}
    for session in sessions:
        slug = session.curriculum_session.library_item if session.curriculum_session else ""
        if slug:
            items[session.id] = library.item(slug, language)
    posts = selectors.materials(member.cohort)
    post_items = {post.id: library.item(post.library_item, language) for post in posts if post.library_item}
    return _page(
        request,
        member,
        "materials",
        "materials",
        sessions=sessions,
        items=items,
        posts=posts,
        post_items=post_items,
        practice=selectors.group_practice(member.cohort),
    )


@route(Audience.PATIENT, relationships=(SELF,))
def board(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    write = request.method == "POST"
    member = _member(request, cohort_id, action=Action.CREATE if write else Action.READ, object_type="group_board")
    form = SmallWinForm(request.POST if write else None)
    if write and form.is_valid():
        text = form.cleaned_data["text"].strip()
        if notices.same_small_win_just_posted(member.enrolment, text, lock=True) is not None:
            messages.success(request, _("Your small win is on the board."))  # the same post sent twice
            return _back("portal:group_board", member)
        try:
            services.post_small_win(member.enrolment, text=text)
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("Thank you for sharing. Your small win is on the board."))
            return _back("portal:group_board", member)
    return _board_page(request, member, form)


def _board_page(request: HttpRequest, member: Member, form: SmallWinForm) -> HttpResponse:
    return _page(
        request,
        member,
        "board",
        "board",
        posts=selectors.board(member.cohort, for_facilitator=False),
        taken_down=notices.posts_taken_down_by_facilitators(member.enrolment),
        form=form,
        kinds=PostKind,
    )


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def take_down(request: HttpRequest, cohort_id: UUID, post_id: UUID) -> HttpResponse:
    """Take my own small win off the board (only mine: any other post is not found)."""
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="group_board")
    post = selectors.post_for_member(member.enrolment, post_id)
    if post is None:
        raise Http404()
    try:
        services.take_down_post(post, member.enrolment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your post is taken down. The group no longer sees it."))
    return _back("portal:group_board", member)


@route(Audience.PATIENT, relationships=(SELF,))
def shared_plans(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id)
    return _page(
        request,
        member,
        "shared_plans",
        "shared_plans",
        plans=selectors.plans_shared_with_group(member.cohort),
    )


# --- my choices ---------------------------------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def my_choices(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    write = request.method == "POST"
    member = _member(request, cohort_id, action=Action.UPDATE if write else Action.READ, object_type="enrolment")
    enrolment = member.enrolment
    initial = {
        "shown_name": enrolment.shown_name,
        "chosen_name": enrolment.chosen_name,
        "wants_partner": enrolment.wants_partner,
    }
    form = MyChoicesForm(request.POST if write else None, initial=initial)
    if write and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_member_choices(
                enrolment,
                shown_name=data["shown_name"],
                chosen_name=data["chosen_name"] if data["shown_name"] == ShownName.CHOSEN_NAME else "",
                wants_partner=data["wants_partner"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Thank you. Your choices are saved."))
            return _back("portal:group_choices", member)
    patient = member.patient
    first = patient.preferred_name or patient.given_name
    previews = {
        choice: names.shown_name(first, patient.family_name, choice, enrolment.chosen_name)
        for choice in ShownName.values
    }
    return _page(request, member, "choices", "choices", form=form, previews=previews)


# --- my action plan -----------------------------------------------------------------------------------------------


def _towards(patient: Patient) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """The select's choices (grouped by goal: the goal itself and each step of its ladder) and, for showing a
    step, what each choice is called. Only the member's own goals being worked on."""
    choices: list[tuple[str, Any]] = []
    words: dict[str, str] = {}
    for ladder in goal_selectors.ladders(patient):
        goal = ladder.goal
        words[f"goal:{goal.id}"] = goal.title
        for number, rung in enumerate(ladder.rungs, start=1):
            words[f"rung:{rung.id}"] = _("%(goal)s, step %(num)d: %(step)s") % {
                "goal": goal.title,
                "num": number,
                "step": rung.action,
            }
        if goal.status != GoalStatus.ACTIVE:
            continue
        options = [(f"goal:{goal.id}", _("The goal: %(goal)s") % {"goal": goal.title})]
        options += [
            (f"rung:{rung.id}", _("Step %(num)d: %(step)s") % {"num": number, "step": rung.action})
            for number, rung in enumerate(ladder.rungs, start=1)
        ]
        choices.append((goal.title, options))
    return choices, words


def _plan_page(request: HttpRequest, member: Member, form: ActionStepForm | None = None) -> HttpResponse:
    choices, words = _towards(member.patient)
    return _page(
        request,
        member,
        "plan",
        "plan",
        plan=selectors.action_plan_of(member.enrolment),
        steps=selectors.action_steps_of(member.enrolment),
        form=form or ActionStepForm(towards=choices),
        words=words,
    )


@route(Audience.PATIENT, relationships=(SELF,))
def my_action_plan(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    write = request.method == "POST"
    member = _member(request, cohort_id, action=Action.CREATE if write else Action.READ, object_type="action_plan")
    if not write:
        return _plan_page(request, member)
    choices, _words = _towards(member.patient)
    form = ActionStepForm(request.POST, towards=choices)
    if form.is_valid():
        data = form.cleaned_data
        kind, _sep, linked = str(data["towards"]).partition(":")
        try:
            services.add_action_step(
                member.enrolment,
                text=" ".join(data["text"].split()),
                when=" ".join(data["when"].split()),
                goal_id=UUID(linked) if kind == "goal" else None,
                milestone_id=UUID(linked) if kind == "rung" else None,
            )
        except DomainError as error:
            linked_field = "towards" if error.field in ("goal_id", "milestone_id") else error.field
            form.add_error(linked_field if linked_field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your step is added to your plan."))
            return _back("portal:group_plan", member, "steps")
    return _plan_page(request, member, form)


def _own_step(member: Member, step_id: UUID) -> Any:
    step = selectors.action_step_of(member.enrolment, step_id)
    if step is None:
        raise Http404()
    return step


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def step_done(request: HttpRequest, cohort_id: UUID, step_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="action_plan")
    step = _own_step(member, step_id)
    try:
        services.mark_step_done(step)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Well done. “%(step)s” is done.") % {"step": step.text})
    return _back("portal:group_plan", member, "steps")


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def step_not_done(request: HttpRequest, cohort_id: UUID, step_id: UUID) -> HttpResponse:
    """A step marked done by mistake (or too soon): not done yet after all."""
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="action_plan")
    step = _own_step(member, step_id)
    try:
        services.mark_step_done(step, done=False)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(step)s” is on your plan again, not done yet. That is fine.") % {"step": step.text}
        )
    return _back("portal:group_plan", member, f"step-{step.id}")


def _link_of(step: Any) -> str:
    if step.milestone_id:
        return f"rung:{step.milestone_id}"
    return f"goal:{step.goal_id}" if step.goal_id else ""


def _step_choices(member: Member, step: Any) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """The goals and ladder steps to choose from; the step's own link is kept among them even when its goal is
    no longer being worked on, so changing the words never unlinks a step unasked."""
    choices, words = _towards(member.patient)
    link = _link_of(step)
    offered = {value for _label, options in choices for value, _words in options}
    if link and link not in offered and link in words:
        choices = [(_("As it is now"), [(link, words[link])]), *choices]
    return choices, words


def _step_page(
    request: HttpRequest, member: Member, step: Any, form: EditStepForm, *, status: int = 200
) -> HttpResponse:
    response = _page(request, member, "step", "plan", step=step, form=form)
    response.status_code = status
    return response


@route(Audience.PATIENT, relationships=(SELF,))
def step_edit(request: HttpRequest, cohort_id: UUID, step_id: UUID) -> HttpResponse:
    """A step of my plan in other words (what, when, towards which goal), kept safe from a change made meanwhile
    in another window: then nothing is saved, and the page shows the step as it is now beside my words."""
    write = request.method == "POST"
    member = _member(request, cohort_id, action=Action.UPDATE if write else Action.READ, object_type="action_plan")
    step = _own_step(member, step_id)
    choices, _words = _step_choices(member, step)
    if not write:
        initial = {"text": step.text, "when": step.when, "towards": _link_of(step), "expected_version": step.version}
        return _step_page(request, member, step, EditStepForm(initial=initial, towards=choices))
    form = EditStepForm(request.POST, towards=choices)
    if not form.is_valid():
        return _step_page(request, member, step, form, status=400)
    data = form.cleaned_data
    kind, _sep, linked = str(data["towards"]).partition(":")
    changes = {
        "text": " ".join(data["text"].split()),
        "when": " ".join(data["when"].split()),
        "goal_id": UUID(linked) if kind == "goal" else None,
        "milestone_id": UUID(linked) if kind == "rung" else None,
    }
    try:
        services.change_action_step(step, expected_version=data["expected_version"], changes=changes)
    except StaleEdit as stale:
        return _step_changed_elsewhere(request, member, stale.current, choices)
    except DomainError as error:
        linked_field = "towards" if error.field in ("goal_id", "milestone_id") else error.field
        form.add_error(linked_field if linked_field in form.fields else None, error.message)
        return _step_page(request, member, step, form, status=400)
    messages.success(request, _("Saved. Your step now reads “%(step)s”.") % {"step": changes["text"]})
    return _back("portal:group_plan", member, f"step-{step.id}")


def _step_changed_elsewhere(
    request: HttpRequest, member: Member, current: Any, choices: list[tuple[str, Any]]
) -> HttpResponse:
    """The step was changed (or marked done) in another window meanwhile: nothing typed here is lost. The form
    comes back with these words, now set to replace the saved step if sent again."""
    data = request.POST.copy()
    data["expected_version"] = str(current.version)
    form = EditStepForm(data, towards=choices)
    form.is_valid()
    form.add_error(
        None,
        _(
            "This step was changed in another window or on another device just now, so nothing was saved. It now "
            "reads “%(step)s”. Save again to use your words below, or go back to your plan to keep it as it is."
        )
        % {"step": current.text},
    )
    return _step_page(request, member, current, form, status=409)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def step_remove(request: HttpRequest, cohort_id: UUID, step_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="action_plan")
    step = _own_step(member, step_id)
    try:
        services.remove_action_step(step)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(step)s” is taken off your plan.") % {"step": step.text})
    return _back("portal:group_plan", member, "steps")


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def share_plan(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="action_plan")
    form = ShareWithGroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong with the form. Please try again."))
        return _back("portal:group_plan", member, "sharing")
    shared = bool(form.cleaned_data["shared"])
    try:
        services.share_plan_with_group(member.enrolment, shared=shared)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if shared:
            messages.success(request, _("Your plan is now shared with the group. You can stop sharing at any time."))
        else:
            messages.success(request, _("Your plan is private again: only you and your care team can see it."))
    return _back("portal:group_plan", member, "sharing")


# --- my partner ---------------------------------------------------------------------------------------------------


def _partner_page(
    request: HttpRequest,
    member: Member,
    *,
    check_in_form: CheckInForm | None = None,
    shares_form: PartnerSharesForm | None = None,
) -> HttpResponse:
    enrolment = member.enrolment
    pairing = selectors.pairing_of(enrolment)
    context: dict[str, Any] = {"pairing": pairing, "statuses": PairingStatus}
    if pairing is None:
        ended = notices.partnership_ended_lately(enrolment)
        candidates = selectors.partner_candidates(enrolment) if enrolment.wants_partner else []
        if ended is not None and not ended.ended_by_me:  # not nudged to ask again someone who just stepped back
            candidates = [seen for seen in candidates if seen.enrolment_id != ended.partner_enrolment_id]
        context.update({"ended": ended, "candidates": candidates})
        return _page(request, member, "partner", "partner", **context)
    view = selectors.partner_view(pairing, enrolment)
    mine = next((c for c in view.check_ins if c.mine and c.week_of == view.week_of), None)
    if check_in_form is None:
        initial = {}
        if mine is not None:
            initial = {
                "feeling": mine.feeling,
                "message": mine.message,
                "shared_with_facilitators": mine.shared_with_facilitators,
            }
        check_in_form = CheckInForm(initial=initial)
    context.update(
        {
            "view": view,
            "this_week": mine,
            "check_in_form": check_in_form,
            "shares_form": shares_form or PartnerSharesForm(initial={"shares": view.my_shares}),
            "pairing_form": PairingForm(initial={"pairing_id": pairing.id}),
        }
    )
    return _page(request, member, "partner", "partner", **context)


@route(Audience.PATIENT, relationships=(SELF,))
def partner(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    return _partner_page(request, _member(request, cohort_id, object_type="pairing"))


def _the_pairing(request: HttpRequest, member: Member, *, status: str) -> Pairing | None:
    """The pairing the member answered about: the same one they saw, still in `status`; otherwise None (and a
    message saying nothing was changed)."""
    form = PairingForm(request.POST)
    pairing = (
        selectors.pairing_for_member(member.enrolment, form.cleaned_data["pairing_id"]) if form.is_valid() else None
    )
    if pairing is None or pairing.status != status:
        messages.info(request, str(NOT_THE_SAME))
        return None
    return pairing


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def ask_partner(request: HttpRequest, cohort_id: UUID, enrolment_id: UUID) -> HttpResponse:
    """Ask a member who also would like a partner: I agree by asking; they agree or decline."""
    member = _member(request, cohort_id, action=Action.CREATE, object_type="pairing")
    mine = selectors.pairing_of(member.enrolment)
    if mine is not None and enrolment_id in (mine.first_id, mine.second_id) and enrolment_id != member.enrolment.pk:
        return _asked_already(request, member, mine)  # a double click, or a page from before they asked me
    other = selectors.fellow_member(member.cohort, enrolment_id)
    if other is None:
        raise Http404()
    candidates = {seen.enrolment_id for seen in selectors.partner_candidates(member.enrolment)}
    if other.pk not in candidates:  # the page was older than their choice or their new partner
        messages.info(request, str(NOT_THE_SAME))
        return _back("portal:group_partner", member)
    try:
        pairing = services.ask_to_pair(member.enrolment, other)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _say_asked(request, pairing, selectors.name_of(other))
    return _back("portal:group_partner", member)


def _say_asked(request: HttpRequest, pairing: Pairing, name: str) -> None:
    words = (
        _("You are partners now, with %(name)s.")
        if pairing.status == PairingStatus.ACTIVE  # they had asked me already
        else _("Your question is sent. If %(name)s agrees too, you will be partners.")
    )
    messages.success(request, words % {"name": name})


def _asked_already(request: HttpRequest, member: Member, pairing: Pairing) -> HttpResponse:
    """Asking the member I am already paired with, or have asked: nothing new is made. If they asked me (or the
    facilitators suggested us) and I had not answered yet, asking them is saying yes."""
    view = selectors.partner_view(pairing, member.enrolment)
    if pairing.status == PairingStatus.ACTIVE:
        messages.info(request, _("You and %(name)s are partners already.") % {"name": view.partner_name})
    elif view.i_agreed:
        messages.info(request, _("Your request to %(name)s is already sent.") % {"name": view.partner_name})
    else:
        try:
            pairing = services.agree_to_pairing(pairing, member.enrolment)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            _say_asked(request, pairing, view.partner_name)
    return _back("portal:group_partner", member)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def agree_partner(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="pairing")
    pairing = _the_pairing(request, member, status=PairingStatus.PROPOSED)
    if pairing is not None:
        try:
            pairing = services.agree_to_pairing(pairing, member.enrolment)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if pairing.status == PairingStatus.ACTIVE:
                messages.success(request, _("You are partners now. Below you can choose what your partner sees."))
            else:
                messages.success(request, _("Thank you. You will be partners as soon as the other member agrees too."))
    return _back("portal:group_partner", member)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def decline_partner(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="pairing")
    pairing = _the_pairing(request, member, status=PairingStatus.PROPOSED)
    if pairing is not None:
        try:
            services.decline_pairing(pairing, member.enrolment)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("That is fine. You are not partners, and nobody needs a reason."))
    return _back("portal:group_partner", member)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def partner_shares(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.UPDATE, object_type="pairing")
    pairing = selectors.pairing_of(member.enrolment)
    if pairing is None or pairing.status != PairingStatus.ACTIVE:
        messages.info(request, str(NOT_THE_SAME))
        return _back("portal:group_partner", member)
    form = PartnerSharesForm(request.POST)
    if form.is_valid():
        try:
            services.set_partner_shares(pairing, member.enrolment, list(form.cleaned_data["shares"]))
        except DomainError as error:
            form.add_error("shares", error.message)
        else:
            messages.success(request, _("Saved. Your partner sees only what you ticked."))
            return _back("portal:group_partner", member, "sharing")
    return _partner_page(request, member, shares_form=form)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def check_in(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    member = _member(request, cohort_id, action=Action.CREATE, object_type="check_in")
    pairing = selectors.pairing_of(member.enrolment)
    if pairing is None or pairing.status != PairingStatus.ACTIVE:
        messages.info(request, str(NOT_THE_SAME))
        return _back("portal:group_partner", member)
    form = CheckInForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        again = notices.checked_in_this_week(pairing, member.enrolment)
        try:
            services.check_in(
                pairing,
                member.enrolment,
                feeling=data["feeling"],
                message=data["message"].strip(),
                shared_with_facilitators=data["shared_with_facilitators"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if again:
                messages.success(
                    request,
                    _("Thank you. You had checked in this week already, so this one replaces it for your partner."),
                )
            else:
                messages.success(request, _("Thank you. Your check-in is sent to your partner."))
            return _back("portal:group_partner", member, "check-ins")
    return _partner_page(request, member, check_in_form=form)


@route(Audience.PATIENT, relationships=(SELF,))
def end_partnership(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    """Ending needs no reason: a page that asks "are you sure?" kindly, and a button."""
    write = request.method == "POST"
    member = _member(request, cohort_id, action=Action.UPDATE if write else Action.READ, object_type="pairing")
    if write:
        pairing = _the_pairing(request, member, status=PairingStatus.ACTIVE)
        if pairing is not None:
            try:
                services.end_pairing(pairing, enrolment=member.enrolment, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your partnership has ended. Thank you for the weeks you shared."))
        return _back("portal:group_partner", member)
    pairing = selectors.pairing_of(member.enrolment)
    if pairing is None or pairing.status != PairingStatus.ACTIVE:
        return _back("portal:group_partner", member)
    view = selectors.partner_view(pairing, member.enrolment)
    return _page(
        request, member, "end_partner", "partner", view=view, form=PairingForm(initial={"pairing_id": pairing.id})
    )


# --- concerns -----------------------------------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def concerns(request: HttpRequest, cohort_id: UUID) -> HttpResponse:
    write = request.method == "POST"
    member = _member(request, cohort_id, action=Action.CREATE if write else Action.READ, object_type="concern")
    form = ConcernForm(request.POST if write else None)
    if write and form.is_valid():
        try:
            services.raise_concern(member.enrolment, about=form.cleaned_data["about"], text=form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            messages.success(
                request,
                _("Thank you for telling us. The facilitators will read it and answer you here."),
            )
            return _back("portal:group_concerns", member, "mine")
    return _page(request, member, "concerns", "concerns", form=form, mine=selectors.concerns_of(member.enrolment))
