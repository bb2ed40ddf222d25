"""The staff's group pages about members: the roster and waiting list (enrol, offer a place, withdraw), one
member's page (their trajectory, opened through the gateway with the care team's or the group facilitator's
relationship), and the chart's Groups tab for the care team."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.relationships import CARE_TEAM
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.clinician import groups_common as common
from commonground.clinician import groups_display as display
from commonground.clinician import groups_forms as forms
from commonground.clinician.views import _chart
from commonground.groups import selectors, services
from commonground.groups.apps import GROUP_FACILITATOR
from commonground.groups.choices import CohortStatus, EnrolmentStatus
from commonground.kit.errors import DomainError
from commonground.kit.http import post_only

# --- members and the waiting list ---------------------------------------------------------------------------------


def _enrollable(request: HttpRequest) -> list[tuple[str, str]]:
    """The patients the person may see (through their care teams), to enrol."""
    patients = gateway.visible_patients(request).filter(status__in=services.IN_CARE)
    patients = patients.order_by("family_name", "given_name")[:500]
    return [(str(p.id), f"{p.display_name} ({p.record_number})") for p in patients]


def _members_page(
    request: HttpRequest, found: Any, *, status: int = 200, enrol_form: Any = None, full: bool = False
) -> HttpResponse:
    roster, waiting = selectors.roster(found), selectors.waiting_list(found)
    patients = _enrollable(request)
    gateway.audit_listed([e.patient for e in roster + waiting], object_type="group_enrolment")
    return common.cohort_page(
        request,
        found,
        "members",
        "clinician/groups/members.html",
        status=status,
        roster=display.member_rows(roster),
        waiting=display.member_rows(waiting),
        enrol_form=enrol_form or forms.EnrolForm(patients=patients),
        enrollable=bool(patients),
        full=full,
        places_left=max(found.capacity - found.places_taken, 0),
        may_enrol=found.status in (CohortStatus.PLANNED, CohortStatus.RUNNING),
    )


@route(Audience.CLINICIAN)
def members(request: HttpRequest, cohort_id: str) -> HttpResponse:
    return _members_page(request, common.cohort_of(request, cohort_id))


@route(Audience.CLINICIAN)
@post_only
def enrol(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Enrol a patient the person may see; when the last place has just gone, say so and offer the waiting
    list (the same form, sent again with `waiting_list_if_full`)."""
    found = common.cohort_of(request, cohort_id)
    form = forms.EnrolForm(request.POST, patients=_enrollable(request))
    if not form.is_valid():
        return _members_page(request, found, status=400, enrol_form=form)
    patient = gateway.open_patient(
        request, form.cleaned_data["patient"], action=Action.CREATE, object_type="group_enrolment"
    )
    try:
        enrolment = services.enrol(found, patient, by=request.user, **form.choices())
    except services.CohortFull as error:
        form.add_error(None, error.message)
        return _members_page(request, found, status=409, enrol_form=form, full=True)
    except DomainError as error:
        common.apply_error(form, error)
        return _members_page(request, found, status=400, enrol_form=form)
    if enrolment.status == EnrolmentStatus.WAITING:
        messages.success(request, _("%(name)s is on the waiting list.") % {"name": patient.display_name})
    else:
        messages.success(request, _("%(name)s is enrolled.") % {"name": patient.display_name})
    return common.back_to(found, "clinician:cohort_members")


@route(Audience.CLINICIAN)
@post_only
def offer_place(request: HttpRequest, cohort_id: str, enrolment_id: str) -> HttpResponse:
    """Give someone on the waiting list a place (the cohort's facilitators and coordinators do; the service writes
    the audit event of the change)."""
    found = common.cohort_of(request, cohort_id)
    enrolment = common.enrolment_of(found, enrolment_id)
    try:
        services.offer_place(enrolment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s has a place now.") % {"name": enrolment.patient.display_name})
    return common.back_to(found, "clinician:cohort_members")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
@post_only
def withdraw(request: HttpRequest, cohort_id: str, enrolment_id: str) -> HttpResponse:
    found = common.cohort_of(request, cohort_id)
    enrolment = common.enrolment_of(found, enrolment_id)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why they are leaving the group. Nothing was changed."))
        return common.back_to(found, "clinician:cohort_members", anchor=f"member-{enrolment.id}")
    gateway.open_patient(request, enrolment.patient_id, action=Action.UPDATE, object_type="group_enrolment")
    try:
        services.withdraw(enrolment, reason=form.cleaned_data["reason"].strip(), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s has left the group.") % {"name": enrolment.patient.display_name})
    return common.back_to(found, "clinician:cohort_members")


@route(Audience.CLINICIAN, relationships=(CARE_TEAM, GROUP_FACILITATOR))
def member(request: HttpRequest, cohort_id: str, enrolment_id: str) -> HttpResponse:
    """One member: their attendance, their questionnaires' trajectory and their before/after."""
    found = common.cohort_of(request, cohort_id)
    enrolment = common.enrolment_of(found, enrolment_id)
    patient = gateway.open_patient(request, enrolment.patient_id, object_type="group_enrolment")
    shown = display.member_page(found, enrolment, patient, time_zone=common.time_zone(request))
    return common.cohort_page(
        request, found, "members", "clinician/groups/member.html", enrolment=enrolment, patient=patient, shown=shown
    )


# --- the chart's Groups tab ---------------------------------------------------------------------------------------


def _offerable(request: HttpRequest, patient: Any) -> list[Any]:
    """The clinic's groups taking members that this person may enrol into: every one for a care coordinator,
    the ones they facilitate for anyone else (the groups service decides who enrols)."""
    mine = {c.id for c in selectors.cohorts_for_staff(request.user)}
    return [c for c in selectors.open_cohorts_for_enrolment(patient.organisation_id) if c.id in mine]


def _open_cohorts(request: HttpRequest, patient: Any) -> list[tuple[str, str]]:
    return [(str(c.id), display.cohort_label(c)) for c in _offerable(request, patient)]


def _tab(
    request: HttpRequest, patient: Any, *, status: int = 200, form: Any = None, full: bool = False
) -> HttpResponse:
    response = _chart(
        request,
        patient,
        "groups",
        "clinician/groups/tab.html",
        enrolments=display.patient_enrolments(patient),
        mine={c.id for c in selectors.cohorts_for_staff(request.user)},
        form=form or forms.OfferPlaceForm(cohorts=_open_cohorts(request, patient)),
        open_groups=len(selectors.open_cohorts_for_enrolment(patient.organisation_id)),
        full=full,
    )
    return common.with_status(response, status)


@route(Audience.CLINICIAN)
def patient_groups(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="group_enrolment")
    return _tab(request, patient)


@route(Audience.CLINICIAN)
@post_only
def offer_group_place(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Offer the patient a place in a group (from the care plan or by referral), with their consent."""
    patient = gateway.open_patient(request, patient_id, action=Action.CREATE, object_type="group_enrolment")
    form = forms.OfferPlaceForm(request.POST, cohorts=_open_cohorts(request, patient))
    if not form.is_valid():
        return _tab(request, patient, status=400, form=form)
    chosen = form.cleaned_data["cohort"]
    found = next((c for c in _offerable(request, patient) if str(c.id) == chosen), None)
    if found is None:
        raise Http404()
    try:
        enrolment = services.enrol(found, patient, by=request.user, **form.choices())
    except services.CohortFull as error:
        form.add_error(None, error.message)
        return _tab(request, patient, status=409, form=form, full=True)
    except DomainError as error:
        common.apply_error(form, error)
        return _tab(request, patient, status=400, form=form)
    if enrolment.status == EnrolmentStatus.WAITING:
        messages.success(
            request,
            _("%(name)s is on the waiting list of %(group)s.") % {"name": patient.display_name, "group": found.name},
        )
    else:
        messages.success(
            request, _("%(name)s has a place in %(group)s.") % {"name": patient.display_name, "group": found.name}
        )
    return redirect("clinician:patient_groups", patient_id=patient.id)
