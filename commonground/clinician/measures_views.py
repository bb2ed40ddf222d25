"""The care team's measures pages: the chart's Measures tab (plan, schedule, trajectories, alerts, case
review), one response with every answer, paper entry.

Each view parses input, opens the patient through the access gateway, calls one service, renders. What the
pages show is composed by `commonground.clinician.measures_display` from the domains' selectors.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.clinician import measures_display as display
from commonground.clinician import measures_forms as forms
from commonground.clinician.views import _chart
from commonground.coordination import services as coordination_services
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.measures import definitions, selectors, services
from commonground.measures.choices import DueState
from commonground.measures.datatypes import Instrument, UnknownInstrument

OPEN_STATES = frozenset({DueState.UPCOMING, DueState.DUE, DueState.OVERDUE})

# --- the Measures tab ---------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def measures(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="measures")
    today = _today(patient)
    plan = selectors.plan_of(patient)
    settings = selectors.registry_settings(patient.organisation_id)
    library = list(definitions.library().values())
    which = request.POST.get("form") if request.method == "POST" else None
    plan_form = _plan_form(request, plan, settings, library, today, bound=which == "plan")
    request_form = forms.RequestMeasureForm(
        request.POST if which == "request" else None, instruments=library, initial={"due_on": today}
    )
    if which == "plan" and _save_plan(request, patient, plan, plan_form, today):
        return redirect("clinician:measures", patient_id=patient.id)
    if which == "request" and _request_measure(request, patient, request_form):
        return redirect("clinician:measures", patient_id=patient.id)
    return _chart(
        request,
        patient,
        "measures",
        "clinician/measures/tab.html",
        **display.measures_tab(patient, plan=plan, settings=settings, today=today, time_zone=_time_zone(patient)),
        plan=plan,
        plan_form=plan_form,
        request_form=request_form,
        flag_form=forms.CaseReviewForm(auto_id="flag_%s"),
        paper_instruments=[found for found in library if not found.is_battery],
    )


def _plan_form(
    request: HttpRequest, plan: Any, settings: Any, library: list[Instrument], today: date, *, bound: bool
) -> forms.PlanForm:
    """The form to agree a plan, with the clinic's defaults; or, once there is one, to change it."""
    data = request.POST if bound else None
    if plan is None:
        initial = {
            "instruments": list(settings.plan_instruments),
            "starts_on": today,
            "interval_weeks": settings.interval_weeks,
            "at_end_of_therapy": True,
            "follow_up_months": 12,
        }
        return forms.PlanForm(data, instruments=library, initial=initial)
    initial = {field: getattr(plan, field) for field in services.PLAN_FIELDS}
    initial["version"] = plan.version
    return forms.PlanEditForm(data, instruments=library, initial=initial)


def _save_plan(request: HttpRequest, patient: Any, plan: Any, form: forms.PlanForm, today: date) -> bool:
    if not form.is_valid():
        return False
    try:
        if plan is None:
            services.create_plan(patient, by=request.user, details=form.plan_details(), today=today)
            messages.success(request, _("The measurement plan is agreed and its questionnaires are scheduled."))
        else:
            services.update_plan(
                plan,
                expected_version=form.cleaned_data["version"],
                changes=form.plan_details(),
                reason=form.cleaned_data["reason"],
                today=today,
            )
            messages.success(request, _("The measurement plan is changed and the schedule follows it."))
    except StaleEdit as error:
        messages.error(request, error.message)  # the page reloads with the plan as it is now saved
        return True
    except DomainError as error:
        _apply_error(form, error)
        return False
    return True


def _request_measure(request: HttpRequest, patient: Any, form: forms.RequestMeasureForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.request_measure(
            patient, instrument_id=form.cleaned_data["instrument"], by=request.user, due_on=form.cleaned_data["due_on"]
        )
    except DomainError as error:
        _apply_error(form, error)
        return False
    messages.success(request, _("The questionnaire is asked for; the patient sees it in the portal when it is due."))
    return True


# --- one response -------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def response(request: HttpRequest, patient_id: str, response_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="response", object_id=str(response_id))
    found = selectors.response_of(patient, response_id)
    if found is None:
        raise Http404()
    instrument = _instrument_or_404(found.instrument)
    return _chart(
        request,
        patient,
        "measures",
        "clinician/measures/response.html",
        response=found,
        detail=display.response_detail(found, instrument),
        in_error_form=forms.InErrorForm(initial={"version": found.version}),
    )


@route(Audience.CLINICIAN)
@post_only
def response_in_error(request: HttpRequest, patient_id: str, response_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="response", object_id=str(response_id))
    found = selectors.response_of(patient, response_id)
    if found is None:
        raise Http404()
    form = forms.InErrorForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("The form was incomplete. Please try again."))
        services.mark_response_in_error(
            found, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("clinician:response", patient_id=patient.id, response_id=found.id)
    messages.success(request, _("The response is marked as entered in error. It stays in the record history."))
    return redirect("clinician:measures", patient_id=patient.id)


# --- paper entry --------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def enter_response(request: HttpRequest, patient_id: str, instrument_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="response")
    instrument = selectors.instrument_or_none(instrument_id)
    if instrument is None or instrument.is_battery:
        # Not a 404: the page offers the questionnaires that can be entered (a battery part by part).
        return _chart(
            request,
            patient,
            "measures",
            "clinician/measures/choose.html",
            wanted=instrument,
            choices=[found for found in definitions.library().values() if not found.is_battery],
        )
    instrument = instrument.localised(translation.get_language() or "en")
    today = _today(patient)
    posted = request.POST.get("scheduled", "") if request.method == "POST" else ""
    scheduled_choices = [
        (str(item.id), display.due_item_label(item)) for item in _fulfillable(patient, instrument, today, posted)
    ]
    initial = {"completed_on": today, "scheduled": request.GET.get("scheduled", "")}
    form = forms.PaperEntryForm(
        request.POST if request.method == "POST" else None,
        instrument=instrument,
        scheduled=scheduled_choices,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_paper_entry(request, patient, instrument, form)
        if saved is not None:
            return saved
    return _chart(request, patient, "measures", "clinician/measures/enter.html", instrument=instrument, form=form)


def _fulfillable(patient: Any, instrument: Instrument, today: date, posted: str) -> list[selectors.DueItem]:
    """The scheduled questionnaires a paper form of `instrument` may fulfil: of its kind and not yet answered.

    The one a form was posted with stays valid once answered, so posting the same form again finds the
    response it saved (the service returns it) instead of failing on the choice.
    """
    return [
        item
        for item in selectors.schedule_of(patient, today=today)
        if item.instrument == instrument.id and (item.state in OPEN_STATES or str(item.id) == posted)
    ]


def _save_paper_entry(
    request: HttpRequest, patient: Any, instrument: Instrument, form: forms.PaperEntryForm
) -> HttpResponse | None:
    data = form.cleaned_data
    scheduled = selectors.open_scheduled(patient, data["scheduled"]) if data["scheduled"] else None
    try:
        submitted = services.enter_response(
            patient,
            instrument_id=instrument.id,
            answers=form.answers(),
            entered_by=request.user,
            submission_key=data["submission_key"],
            completed_on=_moment_of(data["completed_on"], _time_zone(patient)),
            mode=data["mode"],
            scheduled=scheduled,
        )
    except DomainError as error:
        _apply_error(form, error)
        return None
    if submitted.already_submitted:
        messages.info(request, _("This form was already saved; here it is."))
    else:
        messages.success(request, _("The %(name)s is saved and scored.") % {"name": instrument.short_name})
    if submitted.needs_crisis_support:
        messages.error(
            request,
            _(
                "A critical question was answered positively or left unanswered: an urgent alert was raised for "
                "the care coordinator and the responsible clinician. Follow it up today."
            ),
        )
    return redirect("clinician:response", patient_id=patient.id, response_id=submitted.response.id)


def _moment_of(day: date, time_zone: str) -> datetime:
    """A paper form's date as a moment: midday in the clinic's time zone, or now when that is still to come."""
    midday = datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(time_zone))
    now = clock.now()
    return now if day == clock.local_date(now, time_zone) and midday > now else midday


# --- alerts and case review ---------------------------------------------------------------------------------


# The alerts centre and acknowledging an alert live in safety_views.py.


@route(Audience.CLINICIAN)
@post_only
def flag_for_case_review(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="case_review_flag")
    form = forms.CaseReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Choose a reason for the case review."))
        coordination_services.flag_for_case_review(
            patient, by=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("%(name)s is on the case-review list.") % {"name": patient.display_name})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_next_or(request, reverse("clinician:measures", args=[patient.id]) + "#case-review"))


# --- helpers ------------------------------------------------------------------------------------------------


def _time_zone(patient: Any) -> str:
    """The clinic's time zone: the patient's clinic is the user's, and the gateway loads it with the patient."""
    return str(patient.organisation.time_zone)


def _today(patient: Any) -> date:
    return clock.local_date(clock.now(), _time_zone(patient))


def _next_or(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: a local path the form names (the registry, the alerts page), else `fallback`."""
    wanted = request.POST.get("next") or request.GET.get("next", "")
    local = wanted.startswith("/") and not wanted.startswith(("//", "/\\"))
    if local and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None, require_https=request.is_secure()):
        return wanted
    return fallback


def _apply_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _instrument_or_404(instrument_id: str) -> Instrument:
    try:
        return definitions.instrument(instrument_id).localised(translation.get_language() or "en")
    except UnknownInstrument:
        raise Http404() from None
