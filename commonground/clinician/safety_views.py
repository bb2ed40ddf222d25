"""The care team's safety pages: the alerts centre (open alerts by urgency and age, who they went to, how far
they were sent on; acknowledging with a note; what was done lately), one alert with its steps, and the
patient's safety plan (chart tab), its versions and its editing.

Two people acknowledging the same alert at once: one acknowledgement is recorded (the service claims the row
with a conditional UPDATE); the other is brought to the alert, told who acknowledged it and when, and finds
their own note kept there, ready to be added to the alert's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.access import gateway
from commonground.access.relationships import CARE_TEAM
from commonground.access.routes import Audience, route
from commonground.careteam import selectors as team_selectors
from commonground.clinician import safety_forms as forms
from commonground.clinician.measures_forms import CaseReviewForm
from commonground.clinician.measures_views import _next_or
from commonground.clinician.views import _chart, _clinic_time_zone
from commonground.coordination.choices import ReviewReason
from commonground.jinja import local_time
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.safety import sections, selectors, services
from commonground.safety.apps import ALERT_RECIPIENT
from commonground.safety.choices import AlertKind, EscalationLevel, StepReason, Urgency
from commonground.safety.models import Alert

# An on-call clinician an alert was sent on to may open that alert and the patient's safety plan.
ALERT_ROUTES = (CARE_TEAM, ALERT_RECIPIENT)
ACKNOWLEDGED_SHOWN_FOR = timedelta(days=7)
UNSAVED_NOTE = "safety.unsaved_note.{}"
REVIEW_REASON_OF_KIND = {
    AlertKind.CRITICAL_ITEM: ReviewReason.CRITICAL_ITEM,
    AlertKind.RELIABLE_DETERIORATION: ReviewReason.DETERIORATED,
}


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    waited: str
    sent_to: list[str]
    level: str


# --- the alerts centre ---------------------------------------------------------------------------------------


@route(Audience.CLINICIAN, relationships=ALERT_ROUTES)
def alerts(request: HttpRequest) -> HttpResponse:
    """Open alerts of every patient the user may see, urgent first and the longest waiting first; then what
    was done about the ones acknowledged in the last week."""
    now = clock.now()
    visible = gateway.visible_patients(request).values("id")
    found = list(selectors.open_alerts_for_staff(request.user, visible))
    done = selectors.recently_acknowledged(visible, since=now - ACKNOWLEDGED_SHOWN_FOR)
    listed = {(alert.patient_id, alert.organisation_id) for alert in found + done}
    gateway.audit_listed_ids(sorted(listed, key=str), object_type="alert")
    rows = [_row(alert, now) for alert in found]
    user: Any = request.user
    return _render(
        request,
        "clinician/alerts/list.html",
        urgent=[row for row in rows if row.alert.urgency == Urgency.URGENT],
        routine=[row for row in rows if row.alert.urgency != Urgency.URGENT],
        alerts=found,
        acknowledged=done,
        on_call=team_selectors.on_call_rota(user.organisation_id, now),
        now=now,
        section="alerts",
        here=request.path,
        review_form=CaseReviewForm(auto_id=False),
        review_reasons=REVIEW_REASON_OF_KIND,
    )


def _row(alert: Alert, now: datetime) -> AlertRow:
    return AlertRow(
        alert=alert,
        waited=waited(alert.raised_at, now),
        sent_to=sorted({recipient.staff.display_name for recipient in alert.recipients.all()}),
        level=str(EscalationLevel(alert.escalation_level).label),
    )


def waited(since: datetime, now: datetime) -> str:
    """How long an alert has waited, in words a busy clinician reads at a glance."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes % 60}
    return ngettext("%(num)d day", "%(num)d days", hours // 24) % {"num": hours // 24}


# --- one alert -----------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN, relationships=ALERT_ROUTES)
def alert(request: HttpRequest, patient_id: str, alert_id: str) -> HttpResponse:
    """One alert: what happened, whom it went to and when, who acknowledged it; and the user's own note when
    it could not be saved as the acknowledgement."""
    patient = gateway.open_patient(request, patient_id, object_type="alert", object_id=str(alert_id))
    found = selectors.alert_of(patient.id, alert_id)
    if found is None:
        raise Http404()
    unsaved = request.session.pop(UNSAVED_NOTE.format(found.id), "")
    return _alert_page(request, patient, found, unsaved=unsaved)


def _alert_page(
    request: HttpRequest,
    patient: Any,
    found: Alert,
    *,
    unsaved: str = "",
    typed: str | None = None,
    error: str = "",
    next_page: str = "",
    status: int = 200,
) -> HttpResponse:
    """The alert's page; after an acknowledgement that could not be saved (`error`), with what was typed
    (`typed`, and where the form came from, `next_page`) back in the form and the error beside it."""
    response = _render(
        request,
        "clinician/alerts/alert.html",
        patient=patient,
        alert=found,
        row=_row(found, clock.now()),
        steps=selectors.steps_of(found),
        reasons=dict(StepReason.choices),
        levels=dict(EscalationLevel.choices),
        unsaved=unsaved,
        typed=unsaved if typed is None else typed,
        ack_error=error,
        ack_next=next_page or reverse("clinician:alert", args=[patient.id, found.id]),
        acknowledged_by_me=found.acknowledged_by_id is not None and found.acknowledged_by_id == request.user.pk,
        section="alerts",
    )
    response.status_code = status
    return response


@route(Audience.CLINICIAN, relationships=ALERT_ROUTES)
@post_only
def acknowledge_alert(request: HttpRequest, patient_id: str, alert_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="alert", object_id=str(alert_id))
    found = selectors.alert_of(patient.id, alert_id)
    if found is None:
        raise Http404()
    form = forms.AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Please try again."))
        return redirect(_next_or(request, reverse("clinician:measures", args=[patient.id]) + "#alerts"))
    note = form.cleaned_data["note"]
    try:
        services.acknowledge(found, by=request.user, note=note, expected_version=form.cleaned_data["version"])
    except services.AlreadyAcknowledged as error:
        current = error.current
        when = local_time(current.acknowledged_at, _clinic_time_zone(request))
        if current.acknowledged_by_id == request.user.pk:
            text = _(
                "You acknowledged this alert already (in another window) at %(when)s. This note was not saved; "
                "it is kept below."
            ) % {"when": when}
        else:
            who = current.acknowledged_by.display_name if current.acknowledged_by else _("A colleague")
            text = _(
                "%(name)s acknowledged this alert on %(when)s, before you. Your note was not saved; it is kept below."
            ) % {"name": who, "when": when}
        messages.error(request, text)
        return _back_to_the_alert(request, patient.id, found.id, note)
    except StaleEdit as error:
        messages.error(request, error.message)
        return _back_to_the_alert(request, patient.id, found.id, note)
    except DomainError as error:
        if error.field != "note":
            messages.error(request, error.message)
            return redirect(_next_or(request, reverse("clinician:measures", args=[patient.id]) + "#alerts"))
        # Nothing was written: the alert's page with the form as it was sent and the error beside it.
        return _alert_page(
            request,
            patient,
            found,
            typed=note,
            error=_missing_note(found, patient),
            next_page=_next_or(request, ""),
            status=400,
        )
    messages.success(request, _("The alert is acknowledged. It will not be sent on to anyone else."))
    return redirect(_next_or(request, reverse("clinician:measures", args=[patient.id]) + "#alerts"))


def _missing_note(found: Alert, patient: Any) -> str:
    """The error of an acknowledgement without a note, naming the alert and whose it is."""
    return _(
        "Write what was done about the %(urgency)s alert “%(kind)s” for %(name)s (record %(number)s) before you "
        "acknowledge it."
    ) % {
        "urgency": str(found.get_urgency_display()).lower(),
        "kind": found.get_kind_display(),
        "name": patient.display_name,
        "number": patient.record_number,
    }


def _back_to_the_alert(request: HttpRequest, patient_id: Any, alert_id: Any, note: str) -> HttpResponse:
    """The note typed is never lost: it waits in the (server-side) session for the alert's page."""
    if note.strip():
        request.session[UNSAVED_NOTE.format(alert_id)] = note.strip()[:4000]
    return redirect("clinician:alert", patient_id=patient_id, alert_id=alert_id)


@route(Audience.CLINICIAN, relationships=ALERT_ROUTES)
@post_only
def add_alert_note(request: HttpRequest, patient_id: str, alert_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="alert", object_id=str(alert_id))
    found = selectors.alert_of(patient.id, alert_id)
    if found is None:
        raise Http404()
    form = forms.AlertNoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.add_note(found, by=request.user, note=note)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your note is added to the alert's record."))
    return redirect("clinician:alert", patient_id=patient.id, alert_id=found.id)


@route(Audience.CLINICIAN)
@post_only
def raise_concern(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A team member raises an alert about a worry (a phone call, something said in a session)."""
    patient = gateway.open_patient(request, patient_id, object_type="alert")
    form = forms.ConcernForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        raised = services.raise_concern(
            patient, by=request.user, urgency=data.get("urgency", ""), summary=data.get("summary", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("clinician:safety_plan", args=[patient.id]) + "#raise-alert")
    messages.success(request, _("The alert is raised and the care coordinator and responsible clinician are told."))
    return redirect("clinician:alert", patient_id=patient.id, alert_id=raised.id)


# --- the safety plan -----------------------------------------------------------------------------------------


@route(Audience.CLINICIAN, relationships=ALERT_ROUTES)
def safety_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="safety_plan")
    plan = selectors.safety_plan_of(patient.id)
    return _chart(
        request,
        patient,
        "safety_plan",
        "clinician/safety/plan.html",
        plan=plan,
        current=selectors.current_version(plan),
        crisis=selectors.crisis_resources(patient.organisation_id, patient.preferred_language),
        # Someone an alert was sent on to reads the plan; raising alerts is for the care team.
        concern_form=(
            forms.ConcernForm(auto_id="concern_%s")
            if team_selectors.is_on_care_team(request.user, patient.id)
            else None
        ),
        **_section_context(),
    )


@route(Audience.CLINICIAN)
def edit_safety_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="safety_plan")
    plan = selectors.safety_plan_of(patient.id)
    current = selectors.current_version(plan)
    initial = forms.plan_initial(
        current, plan_version=plan.version if plan else 0, professionals=_crisis_contacts(patient)
    )
    form = forms.SafetyPlanForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_safety_plan(
                patient,
                by=request.user,
                content=form.content(),
                expected_version=form.cleaned_data["version"],
                change_note=form.cleaned_data["change_note"],
            )
        except StaleEdit as error:
            # Keep what was typed, now at the saved version, beside the version a colleague saved.
            plan = error.current
            conflict = selectors.current_version(plan)
            form = forms.SafetyPlanForm({**request.POST.dict(), "version": plan.version})
            form.is_valid()
            messages.error(request, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The safety plan is saved. The patient sees this version in the portal."))
            return redirect("clinician:safety_plan", patient_id=patient.id)
    response = _chart(
        request,
        patient,
        "safety_plan",
        "clinician/safety/edit.html",
        plan=plan,
        form=form,
        conflict=conflict,
        **_section_context(),
    )
    if conflict is not None:
        response.status_code = 409
    return response


@route(Audience.CLINICIAN)
def safety_plan_history(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Every saved version, newest first; `?version=N` shows that one as it was."""
    patient = gateway.open_patient(request, patient_id, object_type="safety_plan")
    plan = selectors.safety_plan_of(patient.id)
    versions = selectors.versions_of(plan) if plan else []
    shown = None
    wanted = request.GET.get("version", "")
    if plan is not None and wanted.isdigit():
        shown = selectors.version_of(plan, int(wanted))
        if shown is None:
            raise Http404()
    return _chart(
        request,
        patient,
        "safety_plan",
        "clinician/safety/history.html",
        plan=plan,
        versions=versions,
        shown=shown,
        **_section_context(),
    )


def _crisis_contacts(patient: Any) -> list[dict[str, str]]:
    """A new plan starts with the clinic's crisis services filled in."""
    resources = selectors.crisis_resources(patient.organisation_id, patient.preferred_language)
    return [{"name": resource.name, "phone": resource.phone} for resource in resources]


def _section_context() -> dict[str, Any]:
    return sections.as_context()


def _render(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    context.setdefault("tz", _clinic_time_zone(request))
    return render(request, template, context)
