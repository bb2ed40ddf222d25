"""The care team's pages: caseload, patient registration and the chart shell with its tabs.

Each view parses input, opens the patient through the access gateway, calls one service, renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.accounts import selectors as account_selectors
from commonground.accounts.choices import Role
from commonground.careteam import selectors as team_selectors
from commonground.careteam import services as team_services
from commonground.clinician import display, forms, selectors
from commonground.groups import services as group_services
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.measures import services as measures_services
from commonground.patients import selectors as patient_selectors
from commonground.patients import services as patient_services
from commonground.patients.choices import ConsentScope


def _clinic_time_zone(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.organisation.time_zone)


def _today(request: HttpRequest) -> Any:
    return clock.local_date(clock.now(), _clinic_time_zone(request))


def _chart(request: HttpRequest, patient: Any, tab: str, template: str, **context: Any) -> HttpResponse:
    """A chart page: the banner, the tabs and the tab's own `context`.

    The clinic's time zone is read from the patient's clinic, which is the user's (the gateway opens only
    patients of the user's clinic) and comes joined to the patient: no query for the user's organisation.
    """
    tz = str(patient.organisation.time_zone)
    today = clock.local_date(clock.now(), tz)
    episode = patient_selectors.current_episode(patient)
    context.update(
        patient=patient,
        tab=tab,
        tabs=selectors.chart_tabs(),
        episode=episode,
        weeks_in_care=patient_selectors.weeks_in_care(episode, today),
        age=patient.age_on(today),
        tz=tz,
    )
    return render(request, template, context)


def _apply_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@route(Audience.CLINICIAN)
def caseload(request: HttpRequest) -> HttpResponse:
    # Searching posts the form: a patient's name is patient data and never goes into a URL.
    form = forms.SearchForm(request.POST or None)
    search, coordinating = "", False
    if form.is_valid():
        search, coordinating = form.cleaned_data["q"].strip(), form.cleaned_data["coordinating"]
    rows = selectors.caseload(request, search=search, coordinating_only=coordinating)
    template = "clinician/caseload_rows.html" if request.headers.get("HX-Request") else "clinician/caseload.html"
    context = {"form": form, "rows": rows, "rows_html": display.caseload_rows_html(rows)}
    return render(request, template, {**context, "limit": selectors.CASELOAD_PAGE_SIZE})


@route(Audience.CLINICIAN)
def register_patient(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.RegisterPatientForm(request.POST or None, initial={"time_zone": user.organisation.time_zone})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consent_version, start_episode = data.pop("care_consent_version"), data.pop("start_episode")
        try:
            with transaction.atomic():
                patient = patient_services.register_patient(organisation=user.organisation, details=data)
                coordinator = user if user.role == Role.CARE_COORDINATOR else None
                team_services.form_care_team(
                    patient, coordinator=coordinator or user, responsible_clinician=None if coordinator else user
                )
                if consent_version:
                    patient_services.record_consent(
                        patient, scope=ConsentScope.CARE, text_version=consent_version, recorded_by=user
                    )
                if start_episode:
                    patient_services.open_episode(patient, started_on=_today(request))
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The patient is registered."))
            return redirect("clinician:chart", patient_id=patient.id)
    return render(request, "clinician/register.html", {"form": form})


@route(Audience.CLINICIAN)
def chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id)
    team, members = team_selectors.team_overview(patient.id)  # one query, names only
    return _chart(
        request,
        patient,
        "overview",
        "clinician/chart_overview.html",
        team=team,
        members=members,
        identifiers=patient_selectors.identifiers(patient),
    )


@route(Audience.CLINICIAN)
def edit_patient(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id)
    initial = {field: getattr(patient, field) for field in patient_services.EDITABLE_FIELDS}
    initial["version"] = patient.version
    form = forms.EditPatientForm(request.POST or None, initial=initial)
    conflict, typed, conflict_message = None, None, ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, reason = data.pop("version"), data.pop("reason")
        try:
            patient_services.update_patient(patient, expected_version=version, changes=data, reason=reason)
        except StaleEdit as error:
            # Show both versions; the form starts again from the saved one, at its version.
            conflict, typed, conflict_message = error.current, request.POST, error.message
            saved = {field: getattr(conflict, field) for field in patient_services.EDITABLE_FIELDS}
            form = forms.EditPatientForm(initial={**saved, "version": conflict.version})
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("clinician:chart", patient_id=patient.id)
    return _chart(
        request,
        patient,
        "overview",
        "clinician/edit_patient.html",
        form=form,
        typed=typed,
        conflict_message=conflict_message,
        conflict=conflict,
        editable=patient_services.EDITABLE_FIELDS,
    )


@route(Audience.CLINICIAN)
def care_team(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_team", allow_break_glass=False)
    user: Any = request.user
    team = team_selectors.care_team_of(patient.id)
    clinicians = account_selectors.active_clinicians(user.organisation_id)
    add_form = forms.AddMemberForm(request.POST if request.POST.get("form") == "add" else None, clinicians=clinicians)
    roles_form = forms.TeamRolesForm(
        request.POST if request.POST.get("form") == "roles" else None,
        clinicians=clinicians,
        initial={
            "care_coordinator": team.care_coordinator_id if team else None,
            "responsible_clinician": team.responsible_clinician_id if team else None,
            "version": team.version if team else 1,
        },
    )
    if request.method == "POST":
        done = _care_team_post(request, patient, team, add_form, roles_form)
        if done:
            return redirect("clinician:care_team", patient_id=patient.id)
    return _chart(
        request,
        patient,
        "team",
        "clinician/care_team.html",
        team=team,
        members=team_selectors.current_members(patient.id),
        add_form=add_form,
        roles_form=roles_form,
    )


def _care_team_post(request: HttpRequest, patient: Any, team: Any, add_form: Any, roles_form: Any) -> bool:
    try:
        if request.POST.get("form") == "add" and add_form.is_valid():
            team_services.add_member(patient, staff=add_form.cleaned_data["staff"])
            messages.success(request, _("Added to the care team."))
            return True
        if request.POST.get("form") == "roles" and roles_form.is_valid() and team is not None:
            data = roles_form.cleaned_data
            team_services.assign_roles(
                team,
                expected_version=data["version"],
                coordinator=data["care_coordinator"],
                responsible_clinician=data["responsible_clinician"],
                reason=data["reason"],
            )
            messages.success(request, _("Care team roles saved."))
            return True
    except DomainError as error:
        _apply_error(roles_form if request.POST.get("form") == "roles" else add_form, error)
    return False


@route(Audience.CLINICIAN)
@post_only
def end_membership(request: HttpRequest, patient_id: str, member_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_team", allow_break_glass=False)
    member = _record_of(team_selectors.current_members(patient.id), member_id)
    form = forms.VersionedActionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("The form was incomplete. Please try again."))
        team_services.end_membership(
            member, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The colleague has left this care team."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("clinician:care_team", patient_id=patient.id)


@route(Audience.CLINICIAN)
def consents(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="consent")
    which = request.POST.get("form")
    consent_form = forms.ConsentForm(request.POST if which == "consent" else None)
    supporter_form = forms.SupporterForm(request.POST if which == "supporter" else None)
    identifier_form = forms.IdentifierForm(request.POST if which == "identifier" else None)
    if request.method == "POST" and _consents_post(
        request, patient, which, consent_form, supporter_form, identifier_form
    ):
        return redirect("clinician:consents", patient_id=patient.id)
    return _chart(
        request,
        patient,
        "consents",
        "clinician/consents.html",
        consents=patient_selectors.consents(patient),
        supporters=patient_selectors.supporters(patient),
        identifiers=patient_selectors.identifiers(patient),
        episodes=patient_selectors.episodes(patient),
        consent_form=consent_form,
        supporter_form=supporter_form,
        identifier_form=identifier_form,
        episode_start_form=forms.EpisodeStartForm(initial={"started_on": _today(request)}),
    )


def _consents_post(
    request: HttpRequest, patient: Any, which: str | None, consent_form: Any, supporter_form: Any, identifier_form: Any
) -> bool:
    user: Any = request.user
    forms_by_kind = {"consent": consent_form, "supporter": supporter_form, "identifier": identifier_form}
    form = forms_by_kind.get(which or "")
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if which == "consent":
            patient_services.record_consent(
                patient,
                scope=data["scope"],
                text_version=data["text_version"],
                scope_reference=data["scope_reference"],
                recorded_by=user,
            )
            messages.success(request, _("The consent is recorded."))
        elif which == "supporter":
            patient_services.add_supporter(
                patient,
                name=data["name"],
                relationship=data["relationship"],
                phone=data["phone"],
                email=data["email"],
                text_version=data["text_version"],
                recorded_by=user,
            )
            messages.success(request, _("The supporter is recorded with the patient's consent."))
        else:
            patient_services.add_identifier(patient, system=data["system"], value=data["value"])
            messages.success(request, _("The number is added."))
    except DomainError as error:
        _apply_error(form, error)
        return False
    return True


@route(Audience.CLINICIAN)
@post_only
def withdraw_consent(request: HttpRequest, patient_id: str, consent_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="consent")
    consent = _record_of(patient_selectors.consents(patient), consent_id)
    form = forms.VersionedActionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("The form was incomplete. Please try again."))
        withdrawn = patient_services.withdraw_consent(
            consent, expected_version=form.cleaned_data["version"], note=form.cleaned_data["reason"]
        )
        group_services.consent_withdrawn(withdrawn, by=request.user)  # a group place ends with its consent
        messages.success(request, _("The consent is withdrawn, from now on."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("clinician:consents", patient_id=patient.id)


@route(Audience.CLINICIAN)
@post_only
def mark_in_error(request: HttpRequest, patient_id: str, kind: str, record_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id)
    records = patient_selectors.correctable_records(patient, kind)
    if records is None:
        raise Http404()
    record = _record_of(records, record_id)
    form = forms.VersionedActionForm(request.POST)
    try:
        if not form.is_valid() or not form.cleaned_data["reason"]:
            raise DomainError(_("Please say why this was entered in error."))
        patient_services.mark_in_error(
            record, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Marked as entered in error. It stays in the record history."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("clinician:consents", patient_id=patient.id)


@route(Audience.CLINICIAN)
@post_only
def start_episode(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_episode")
    form = forms.EpisodeStartForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please give the start date."))
        patient_services.open_episode(
            patient, started_on=form.cleaned_data["started_on"], reason_for_care=form.cleaned_data["reason_for_care"]
        )
        messages.success(request, _("The care episode has started."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("clinician:consents", patient_id=patient.id)


@route(Audience.CLINICIAN)
@post_only
def end_episode(request: HttpRequest, patient_id: str, episode_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="care_episode")
    episode = _record_of(patient_selectors.episodes(patient), episode_id)
    form = forms.EpisodeEndForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please give the end date and the reason for ending."))
        patient_services.close_episode(
            episode,
            expected_version=form.cleaned_data["version"],
            ended_on=form.cleaned_data["ended_on"],
            end_reason=form.cleaned_data["end_reason"],
        )
        # End of therapy and follow-up questionnaires are asked from today, not from the next daily run.
        measures_services.refresh_schedule(patient, today=_today(request))
        messages.success(request, _("The care episode has ended."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("clinician:consents", patient_id=patient.id)


@route(Audience.CLINICIAN)
def history(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="record_history")
    return _chart(
        request, patient, "history", "clinician/history.html", changes=patient_selectors.record_history(patient)
    )


@route(Audience.CLINICIAN)
def invite(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Invite the patient to the portal: an e-mailed link, or a printed code to hand over."""
    patient = gateway.open_patient(request, patient_id, object_type="portal_invitation")
    issued = None
    if request.method == "POST":
        try:
            issued = patient_services.invite_to_portal(patient, invited_by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
    return _chart(request, patient, "overview", "clinician/invite.html", issued=issued)


def _record_of(queryset: Any, record_id: str) -> Any:
    try:
        return queryset.get(pk=record_id)
    except (queryset.model.DoesNotExist, ValueError) as error:
        raise Http404() from error
