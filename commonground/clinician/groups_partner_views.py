"""The staff's group pages about the members together: peer partners, the board, concerns and outcomes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.relationships import CARE_TEAM
from commonground.access.routes import Audience, route
from commonground.clinician import groups_common as common
from commonground.clinician import groups_display as display
from commonground.clinician import groups_forms as forms
from commonground.groups import selectors, services
from commonground.groups.apps import GROUP_FACILITATOR
from commonground.groups.choices import EnrolmentStatus
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.http import post_only

# --- partners, board, concerns, outcomes --------------------------------------------------------------------------


def _pair_form(found: Any, data: Any = None) -> Any:
    enrolled = [e for e in selectors.roster(found) if e.status == EnrolmentStatus.ENROLLED]
    return forms.ProposePairingForm(
        data,
        members=[(str(e.id), e.patient.display_name) for e in enrolled],
        not_wanting={str(e.id): e.patient.display_name for e in enrolled if not e.wants_partner},
    )


def _with_weeks(request: HttpRequest, activity: Any, *, reads: bool) -> tuple[Any, list[Any]]:
    """A pairing with every week since it began (0 for a week with no check-ins), up to its end or this week.
    Only the group's facilitators read the check-ins shared with them (`reads`): members are told so."""
    if not reads:
        activity = replace(activity, shared=[])
    pairing, zone = activity.pairing, common.time_zone(request)
    if pairing.started_at is None:
        return activity, list(activity.weeks)
    first = clock.local_date(pairing.started_at, zone)
    last = clock.local_date(pairing.ended_at, zone) if pairing.ended_at else common.today(request)
    return activity, display.every_week(activity.weeks, first=first, last=last)


def _partners_page(request: HttpRequest, found: Any, *, status: int = 200, form: Any = None) -> HttpResponse:
    form = form or _pair_form(found)
    reads = selectors.is_facilitator_of_cohort(request.user, found)
    return common.cohort_page(
        request,
        found,
        "partners",
        "clinician/groups/partners.html",
        status=status,
        pairings=[_with_weeks(request, a, reads=reads) for a in selectors.pairings_for_facilitator(found)],
        reads=reads,
        form=form,
        wanting=[e for e in selectors.roster(found) if e.status == EnrolmentStatus.ENROLLED and e.wants_partner],
        not_wanting=sorted(form.not_wanting.values()),
    )


@route(Audience.CLINICIAN)
def partners(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _partners_page(request, common.cohort_of(request, cohort_id))


@route(Audience.CLINICIAN)
@post_only
def propose_pairing(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    form = _pair_form(found, request.POST)
    if not form.is_valid():
        return _partners_page(request, found, status=400, form=form)
    first = common.enrolment_of(found, form.cleaned_data["first"])
    second = common.enrolment_of(found, form.cleaned_data["second"])
    try:
        services.propose_pairing(found, first, second, by=request.user)
    except DomainError as error:
        common.apply_error(form, error)
        return _partners_page(request, found, status=400, form=form)
    messages.success(request, _("The pair is suggested. They become partners once both agree."))
    return common.back_to(found, "clinician:cohort_partners")


@route(Audience.CLINICIAN)
@post_only
def end_pairing(request: HttpRequest, cohort_id: str, pairing_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    pairing = selectors.pairing_for_staff(found, pairing_id)
    if pairing is None:
        raise Http404()
    try:
        services.end_pairing(pairing, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The pairing is ended."))
    return common.back_to(found, "clinician:cohort_partners")


def _board_page(request: HttpRequest, found: Any, *, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", forms.BoardPostForm(library=common.library_choices()))
    return common.cohort_page(
        request,
        found,
        "board",
        "clinician/groups/board.html",
        status=status,
        posts=display.board_rows(found, dict(common.library_choices())),
        **context,
    )


@route(Audience.CLINICIAN)
def board(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _board_page(request, common.cohort_of(request, cohort_id))


@route(Audience.CLINICIAN)
@post_only
def post_to_board(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    form = forms.BoardPostForm(request.POST, library=common.library_choices())
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
        common.apply_error(form, error)
        return _board_page(request, found, status=400, form=form)
    messages.success(request, _("The post is on the group's board."))
    return common.back_to(found, "clinician:cohort_board")


@route(Audience.CLINICIAN)
@post_only
def hide_post(request: HttpRequest, cohort_id: str, post_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    post = selectors.post_for_staff(found, post_id)
    if post is None:
        raise Http404()
    form = forms.HidePostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the post is hidden. Nothing was changed."))
        return common.back_to(found, "clinician:cohort_board", anchor=f"post-{post.id}")
    try:
        services.hide_post(post, reason=form.cleaned_data["reason"].strip(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The post is hidden from the members."))
    return common.back_to(found, "clinician:cohort_board")


@route(Audience.CLINICIAN)
def concerns(request: HttpRequest, cohort_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    return common.cohort_page(
        request,
        found,
        "concerns",
        "clinician/groups/concerns.html",
        concerns=display.concern_rows(found),
        form=forms.AnswerConcernForm(),
        reads=selectors.is_facilitator_of_cohort(request.user, found),
    )


@route(Audience.CLINICIAN)
@post_only
def answer_concern(request: HttpRequest, cohort_id: str, concern_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    concern = selectors.concern_for_staff(found, concern_id)
    if concern is None or not selectors.is_facilitator_of_cohort(request.user, found):
        raise Http404()
    form = forms.AnswerConcernForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer. Nothing was saved."))
        return common.back_to(found, "clinician:cohort_concerns", anchor=f"concern-{concern.id}")
    try:
        services.answer_concern(concern, answer=form.cleaned_data["answer"].strip(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your answer is saved; the member sees it on their group page."))
    return common.back_to(found, "clinician:cohort_concerns")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
def outcomes(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Attendance per session and drop-out, before and after per questionnaire, goal attainment. Each member's
    own scores are shown only to those who may see the patient (care team, the group's facilitators), and
    every patient named is audited; the totals count everyone."""
    found = common.cohort_of(request, cohort_id)
    members = [e.patient_id for e in selectors.roster(found)]
    visible = set(gateway.visible_patients(request).filter(id__in=members).values_list("id", flat=True))
    shown = display.cohort_outcomes(found, common.time_zone(request), visible=visible)
    gateway.audit_listed(shown.listed, object_type="group_outcome")
    return common.cohort_page(request, found, "outcomes", "clinician/groups/outcomes.html", shown=shown)
