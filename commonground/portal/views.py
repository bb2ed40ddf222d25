"""The patient's pages: today, questionnaires one question at a time, help now, who looked at my record,
my consents."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.careplans import selectors as plan_selectors
from commonground.careteam import selectors as team_selectors
from commonground.diary import selectors as diary_selectors
from commonground.goals import selectors as goal_selectors
from commonground.goals.choices import GoalStatus
from commonground.groups import services as group_services
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.http import post_only
from commonground.measures import services as measures_services
from commonground.measures.choices import EntryMode, ScheduleStatus
from commonground.measures.models import Response
from commonground.patients import selectors as patient_selectors
from commonground.patients import services as patient_services
from commonground.patients.choices import ConsentScope
from commonground.patients.models import Patient
from commonground.portal import selectors
from commonground.portal.forms import AnswerForm
from commonground.safety import selectors as safety_selectors

# A patient withdraws these themselves; consent to care itself is talked through with the team.
SELF_WITHDRAWABLE = {ConsentScope.SUPPORTER_SHARING, ConsentScope.GROUP_PARTICIPATION, ConsentScope.RESEARCH}


@route(Audience.PATIENT, relationships=(SELF,))
def today(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user)
    now = clock.now()
    today = clock.local_date(now, patient.time_zone)
    context: dict[str, Any] = {
        "patient": patient,
        "today": today,
        "hour": now.astimezone(ZoneInfo(patient.time_zone)).hour,
        "team": team_selectors.care_team_of(patient.id),
        "members": team_selectors.current_members(patient.id),
        "episode": patient_selectors.current_episode(patient),
        "waiting": selectors.waiting_questionnaires(patient, today=today),
        "reminders": selectors.reminders(patient),
        "practice": plan_selectors.home_practice_of(patient, today=today),
        "diary": diary_selectors.today_status(patient, today),
        "next_steps": [
            ladder
            for ladder in goal_selectors.ladders(patient)
            if ladder.goal.status == GoalStatus.ACTIVE and ladder.goal.agreed_by_patient
        ],
    }
    return render(request, "portal/today.html", context)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def dismiss_reminder(request: HttpRequest, reminder_id: str) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, action=Action.UPDATE, object_type="reminder")
    reminder = selectors.own_reminder(patient, reminder_id)
    if reminder is None:
        raise Http404()
    measures_services.dismiss_reminder(reminder)
    return redirect("portal:today")


@route(Audience.PATIENT, relationships=(SELF,))
def help_now(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="crisis_resources")
    return render(request, "portal/help_now.html", {"lines": selectors.crisis_lines(patient)})


# --- questionnaires ---------------------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def start_questionnaire(request: HttpRequest, scheduled_id: str) -> HttpResponse:
    """Start a waiting questionnaire, or carry on with the half-finished one."""
    patient = gateway.own_patient_record(request.user, object_type="response")
    scheduled = selectors.own_scheduled(patient, scheduled_id)
    if scheduled is None:
        raise Http404()
    today = clock.local_date(clock.now(), patient.time_zone)
    if scheduled.status != ScheduleStatus.OPEN or scheduled.due_on > today:
        messages.info(request, _("This questionnaire is not waiting for you at the moment. Thank you."))
        return redirect("portal:today")
    try:
        response = measures_services.start_response(
            patient,
            instrument_id=scheduled.instrument,
            entered_by=request.user,
            mode=EntryMode.PORTAL,
            scheduled=scheduled,
            language=patient.preferred_language,
        )
    except DomainError as error:
        messages.info(request, error.message)
        return redirect("portal:today")
    return _carry_on(response)


@route(Audience.PATIENT, relationships=(SELF,))
def carry_on(request: HttpRequest, response_id: str) -> HttpResponse:
    """Back to where the patient left off: the question after the last one answered."""
    patient = gateway.own_patient_record(request.user, object_type="response")
    return _carry_on(_own_response(patient, response_id))


def _carry_on(response: Response) -> HttpResponse:
    if response.is_completed:
        return redirect("portal:sent", response_id=response.id)
    number = selectors.resume_at(response)
    if number is None:
        return redirect("portal:check_answers", response_id=response.id)
    return redirect("portal:question", response_id=response.id, number=number)


@route(Audience.PATIENT, relationships=(SELF,))
def question(request: HttpRequest, response_id: str, number: int) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="response")
    response = _own_response(patient, response_id)
    if response.is_completed:
        return redirect("portal:sent", response_id=response.id)
    page = selectors.question(response, number)
    if page is None:
        raise Http404()
    posted = request.POST if request.method == "POST" else None
    form = AnswerForm(posted, initial={"then": request.GET.get("then", "")})
    if request.method == "POST" and _save_answer(response, number, form):
        if form.back_to_check or page.is_last:
            return redirect("portal:check_answers", response_id=response.id)
        return redirect("portal:question", response_id=response.id, number=number + 1)
    then = form.data.get("then") if form.is_bound else form.initial["then"]
    # A critical item already answered positively: where to get help stays in view for the rest of the form.
    lines = selectors.crisis_lines(patient) if selectors.has_critical_answer(response) else None
    return render(
        request,
        "portal/question.html",
        {
            "page": page,
            "form": form,
            "back_to_check": then == "check",
            "chosen": _chosen(form, page.chosen),
            "crisis_lines": lines,
            "has_safety_plan": lines is not None and _has_safety_plan(patient),
        },
    )


def _save_answer(response: Response, number: int, form: AnswerForm) -> bool:
    """Save this question's answer (or that it was skipped); False, with the reason on the form, if not."""
    if not form.is_valid():
        return False
    if form.skipped:
        value = None
    else:
        value = form.cleaned_data["answer"]
        if value is None:
            form.add_error(
                "answer",
                _(
                    "You have not chosen an answer yet. Please choose the one closest to how things have been, "
                    "or skip this question."
                ),
            )
            return False
    try:
        measures_services.save_answers(response, {selectors.item_id_at(response, number): value})
    except DomainError as error:
        form.add_error("answer", f"{error.message} {_('Please choose one of the answers shown.')}")
        return False
    return True


def _chosen(form: AnswerForm, saved: str) -> str:
    """The option to show as chosen: the one just picked (when the page comes back), else the saved one."""
    if form.is_bound and not form.data.get("skip"):
        return str(form.data.get("answer", "")) or saved
    return saved


@route(Audience.PATIENT, relationships=(SELF,))
def check_answers(request: HttpRequest, response_id: str) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="response")
    response = _own_response(patient, response_id)
    if response.is_completed:
        return redirect("portal:sent", response_id=response.id)
    rows = selectors.answers_to_check(response)
    return render(
        request,
        "portal/check_answers.html",
        {
            "response": response,
            "title": selectors.instrument_of(response).title,
            "rows": rows,
            "unanswered": sum(1 for row in rows if not row.answer),
        },
    )


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def send_answers(request: HttpRequest, response_id: str) -> HttpResponse:
    """Send the answers. Sending twice (a double click, a resend) completes the questionnaire once."""
    patient = gateway.own_patient_record(request.user, object_type="response")
    response = _own_response(patient, response_id)
    try:
        measures_services.submit_response(response.id, patient=patient)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:today")
    return redirect("portal:sent", response_id=response.id)


@route(Audience.PATIENT, relationships=(SELF,))
def sent(request: HttpRequest, response_id: str) -> HttpResponse:
    """Thank you; and where a critical question says so, where to get help now, before anything else."""
    patient = gateway.own_patient_record(request.user, object_type="response")
    response = _own_response(patient, response_id)
    if not response.is_completed:
        return redirect("portal:check_answers", response_id=response.id)
    if selectors.needs_crisis_support(response):
        context = {
            "crisis": True,
            "lines": selectors.crisis_lines(patient),
            "answered_critical": selectors.has_critical_answer(response),
            "has_safety_plan": _has_safety_plan(patient),
        }
        return render(request, "portal/sent.html", context)
    today = clock.local_date(clock.now(), patient.time_zone)
    return render(
        request,
        "portal/sent.html",
        {"crisis": False, "waiting": selectors.waiting_questionnaires(patient, today=today)},
    )


def _has_safety_plan(patient: Patient) -> bool:
    """Whether the patient has a safety plan to open beside the crisis numbers (the first save makes one)."""
    return safety_selectors.safety_plan_of(patient.id) is not None


def _own_response(patient: Patient, response_id: str) -> Response:
    """The patient's own questionnaire from the portal; anything else (or entered in error) is not found."""
    response = selectors.own_response(patient, response_id)
    if response is None:
        raise Http404()
    return response


@route(Audience.PATIENT, relationships=(SELF,))
def access_log(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="access_log")
    page = selectors.who_accessed(patient.id, viewer=request.user, page=_page(request))
    return render(request, "portal/access_log.html", {"patient": patient, "page": page, "tz": patient.time_zone})


@route(Audience.PATIENT, relationships=(SELF,))
def my_consents(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="consent")
    return render(
        request,
        "portal/consents.html",
        {
            "patient": patient,
            "consents": patient_selectors.consents(patient),
            "withdrawable": SELF_WITHDRAWABLE,
            "tz": patient.time_zone,
        },
    )


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def withdraw_my_consent(request: HttpRequest, consent_id: str) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="consent")
    consent = patient_selectors.consents(patient).filter(pk=consent_id, scope__in=SELF_WITHDRAWABLE).first()
    if consent is None:
        raise Http404()
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Something went wrong with the form. Please try again."))
        withdrawn = patient_services.withdraw_consent(
            consent, expected_version=form.cleaned_data["version"], note="Withdrawn by the patient"
        )
        group_services.consent_withdrawn(withdrawn, by=request.user)  # a group place ends with its consent
        messages.success(request, _("Done. Your consent is withdrawn from now on."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("portal:consents")


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
