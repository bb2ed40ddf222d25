"""The referrals pages: the chart's Referrals tab (referrals out and in, their moves, the feedback letter), the
coordinator's list of open referrals with waits, and the clinic's directory of community resources.

Each view parses input, opens the patient through the access gateway (or scopes the list by it), calls one
service or selector, and renders. A move names the version the person saw: when a colleague moved the referral
first, the page answers 409 and shows where it is now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.accounts.choices import CLINICAL_ROLES
from commonground.audit.choices import Action
from commonground.clinician import referrals_forms as forms
from commonground.clinician.views import _chart
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.patients.models import Patient
from commonground.referrals import selectors, services, states, waits
from commonground.referrals.choices import OUTGOING_SERVICES, Service, services_for_kind
from commonground.referrals.models import CommunityResource, FeedbackLetter, Referral

# --- the chart's Referrals tab ----------------------------------------------------------------------------------


@dataclass
class Card:
    """One referral as the tab shows it."""

    referral: Referral
    next_states: list[tuple[str, str]]
    days: int | None  # sent → first contact, or so far
    waiting: bool
    overdue: bool
    expected_days: int
    letter: FeedbackLetter | None
    move_form: forms.MoveForm
    in_error_form: forms.InErrorForm
    errors: list[str] = field(default_factory=list)


def _card(referral: Referral, *, now: Any, time_zone: str, move_form: forms.MoveForm | None = None) -> Card:
    waiting = referral.state in states.WAITING
    if referral.first_contact_at is not None:
        days = waits.wait_days(referral.sent_at, referral.first_contact_at, time_zone)
    elif waiting:
        days = waits.waiting_so_far(referral.sent_at, now, time_zone)
    else:
        days = None
    prefix = f"r{referral.id.hex[:8]}_%s"
    return Card(
        referral=referral,
        next_states=[(state, states.label(state)) for state in states.next_states(referral.state)],
        days=days,
        waiting=waiting,
        overdue=waiting and waits.is_overdue(days, referral.service, referral.urgency),
        expected_days=waits.expected_days(referral.service, referral.urgency),
        letter=referral.current_letter,
        move_form=move_form or forms.MoveForm(initial={"version": referral.version}, auto_id="move_" + prefix),
        in_error_form=forms.InErrorForm(initial={"version": referral.version}, auto_id="err_" + prefix),
    )


def _resources(patient: Patient) -> list[tuple[str, str]]:
    """The directory's entries in use, each named with its kind and the services it fits (the service refuses
    an entry that does not fit the service referred to)."""
    found = selectors.directory(patient.organisation_id, active_only=True)
    return [(str(resource.id), _resource_label(resource)) for resource in found]


def _resource_label(resource: CommunityResource) -> str:
    fits = services_for_kind(resource.kind)
    if len(fits) == len(OUTGOING_SERVICES):
        where = _("any service")
    else:
        where = ", ".join(str(Service(service).label).lower() for service in fits)
    return _("%(name)s (%(kind)s) — for %(services)s") % {
        "name": resource.name,
        "kind": resource.get_kind_display(),
        "services": where,
    }


def _tab(
    request: HttpRequest,
    patient: Patient,
    *,
    status: int = 200,
    out_form: forms.OutgoingReferralForm | None = None,
    in_form: forms.IncomingReferralForm | None = None,
    failed: tuple[Any, forms.MoveForm, list[str]] | None = None,
) -> HttpResponse:
    time_zone = str(patient.organisation.time_zone)
    now = clock.now()
    cards = []
    for referral in selectors.referrals_of(patient):
        if failed is not None and failed[0] == referral.id:
            card = _card(referral, now=now, time_zone=time_zone, move_form=failed[1])
            card.errors = failed[2]
        else:
            card = _card(referral, now=now, time_zone=time_zone)
        cards.append(card)
    response = _chart(
        request,
        patient,
        "referrals",
        "clinician/referrals/tab.html",
        cards=cards,
        out_form=out_form or forms.OutgoingReferralForm(resources=_resources(patient)),
        in_form=in_form or forms.IncomingReferralForm(initial={"referred_on": clock.local_date(now, time_zone)}),
        open_form="out" if out_form is not None else "in" if in_form is not None else "",
        error_anchor=_error_anchor(out_form, in_form, failed),
    )
    response.status_code = status
    return response


def _error_anchor(out_form: Any, in_form: Any, failed: Any) -> str:
    """Where the page should send the person to see what was not saved."""
    if failed is not None:
        return f"referral-{failed[0]}"
    if out_form is not None:
        return "new-referral"
    return "new-incoming" if in_form is not None else ""


@route(Audience.CLINICIAN)
def referrals(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="referral")
    return _tab(request, patient)


@route(Audience.CLINICIAN)
@post_only
def new_referral(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A referral out: saved as a draft, or sent at once (the "Save and mark as sent" button)."""
    patient = gateway.open_patient(request, patient_id, action=Action.CREATE, object_type="referral")
    form = forms.OutgoingReferralForm(request.POST, resources=_resources(patient))
    if form.is_valid():
        send_now = request.POST.get("send") == "1"
        try:
            referral = services.create_outgoing(patient, details=form.details(), by=request.user, send_now=send_now)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("The referral is sent.") if send_now else _("The referral is saved as a draft.")
            )
            return _to_card(patient, referral)
    return _tab(request, patient, out_form=form, status=400)


@route(Audience.CLINICIAN)
@post_only
def new_incoming_referral(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, action=Action.CREATE, object_type="referral")
    form = forms.IncomingReferralForm(request.POST)
    if form.is_valid():
        try:
            referral = services.register_incoming(patient, details=form.details(), by=request.user)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The GP's referral is registered as received."))
            return _to_card(patient, referral)
    return _tab(request, patient, in_form=form, status=400)


def _to_card(patient: Patient, referral: Referral) -> HttpResponse:
    return redirect(reverse("clinician:referrals", args=[patient.id]) + f"#referral-{referral.id}")


def _referral(patient: Patient, referral_id: str) -> Referral:
    referral = selectors.referral_of(patient, referral_id)
    if referral is None:
        raise Http404()
    return referral


@route(Audience.CLINICIAN)
@post_only
def move_referral(request: HttpRequest, patient_id: str, referral_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, action=Action.UPDATE, object_type="referral")
    referral = _referral(patient, referral_id)
    form = forms.MoveForm(request.POST, auto_id=f"move_r{referral.id.hex[:8]}_%s")
    if not form.is_valid():
        return _tab(request, patient, failed=(referral.id, form, [_("Choose what happened next.")]), status=400)
    data = form.cleaned_data
    try:
        moved = services.move(
            referral,
            to_state=data["to_state"],
            expected_version=data["version"],
            by=request.user,
            note=data["note"],
            on=data["on"],
        )
    except StaleEdit as error:
        current = error.current
        message = _("A colleague changed this referral after you opened it; it is now %(state)s. Nothing was saved.")
        fresh = forms.MoveForm(initial={"version": current.version}, auto_id=f"move_r{referral.id.hex[:8]}_%s")
        return _tab(
            request,
            patient,
            failed=(referral.id, fresh, [message % {"state": states.label(current.state)}]),
            status=409,
        )
    except DomainError as error:
        return _tab(request, patient, failed=(referral.id, form, [error.message]), status=400)
    messages.success(request, _("The referral is now %(state)s.") % {"state": states.label(moved.state)})
    return _to_card(patient, moved)


@route(Audience.CLINICIAN)
def edit_referral(request: HttpRequest, patient_id: str, referral_id: str) -> HttpResponse:
    """Change a draft before it is sent."""
    action = Action.UPDATE if request.method == "POST" else Action.READ
    patient = gateway.open_patient(request, patient_id, action=action, object_type="referral")
    referral = _referral(patient, referral_id)
    form = forms.DraftForm(request.POST or None, initial=_draft_initial(referral), resources=_resources(patient))
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(
                referral, expected_version=form.cleaned_data["version"], changes=form.details(), by=request.user
            )
        except StaleEdit as error:
            conflict = _("A colleague changed this referral after you opened it; yours was not saved. This is theirs.")
            form = forms.DraftForm(initial=_draft_initial(error.current), resources=_resources(patient))
            status = 409
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 400
        else:
            messages.success(request, _("The draft is changed."))
            return _to_card(patient, referral)
    elif request.method == "POST":
        status = 400
    response = _chart(
        request,
        patient,
        "referrals",
        "clinician/referrals/edit.html",
        referral=referral,
        form=form,
        conflict=conflict,
        is_draft=referral.state == "draft",
    )
    return _with_status(response, status)


def _draft_initial(referral: Referral) -> dict[str, Any]:
    return {
        "service": referral.service,
        "resource_id": str(referral.resource_id or ""),
        "counterpart": referral.counterpart,
        "reason": referral.reason,
        "question": referral.question,
        "urgency": referral.urgency,
        "version": referral.version,
    }


@route(Audience.CLINICIAN)
@post_only
def referral_in_error(request: HttpRequest, patient_id: str, referral_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, action=Action.ENTERED_IN_ERROR, object_type="referral")
    referral = _referral(patient, referral_id)
    form = forms.InErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the referral is entered in error."))
        return _to_card(patient, referral)
    try:
        services.referral_in_error(
            referral, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _to_card(patient, referral)
    messages.success(request, _("The referral is marked as entered in error. It stays in the record's history."))
    return redirect("clinician:referrals", patient_id=patient.id)


# --- the feedback letter ----------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def referral_letter(request: HttpRequest, patient_id: str, referral_id: str) -> HttpResponse:
    """Write or change the letter's draft (to the GP for a referral in; the service's feedback for one out)."""
    return _letter_page(request, patient_id, referral_id, close=False)


@route(Audience.CLINICIAN)
@post_only
def send_referral_letter(request: HttpRequest, patient_id: str, referral_id: str) -> HttpResponse:
    """Close the loop with the letter as it stands in the form ("Mark as sent" is a button of the letter's form):
    what is typed is saved, checked and at the version the person saw, and the letter marked as sent, in one
    transaction. When the save is refused nothing is sent and the form comes back with the typed text."""
    return _letter_page(request, patient_id, referral_id, close=True)


def _letter_page(request: HttpRequest, patient_id: str, referral_id: str, *, close: bool) -> HttpResponse:
    action = Action.UPDATE if request.method == "POST" else Action.READ
    patient = gateway.open_patient(request, patient_id, action=action, object_type="feedback_letter")
    referral = _referral(patient, referral_id)
    letter = referral.current_letter
    initial = _letter_initial(letter) if letter else {"recipient": referral.counterpart if referral.is_incoming else ""}
    form = forms.LetterForm(request.POST or None, initial=initial, incoming=referral.is_incoming)
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        save = services.save_and_send_letter if close else services.save_letter
        try:
            save(referral, details=form.details(), by=request.user, expected_version=form.cleaned_data["version"])
        except StaleEdit as error:
            form = forms.LetterForm(initial=_letter_initial(error.current), incoming=referral.is_incoming)
            conflict = _("A colleague changed this letter after you opened it; yours was not saved. This is theirs.")
            status = 409
        except DomainError as error:
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                conflict = error.message
            status = 400
        else:
            if not close:
                messages.success(request, _("The letter's draft is saved."))
                return redirect("clinician:referral_letter", patient_id=patient.id, referral_id=referral.id)
            if referral.is_incoming:
                messages.success(request, _("The letter is saved and marked as sent to the GP: the loop is closed."))
            else:
                messages.success(request, _("The service's feedback is saved and recorded: the loop is closed."))
            return _to_card(patient, referral)
    elif request.method == "POST":
        status = 400
    response = _chart(
        request,
        patient,
        "referrals",
        "clinician/referrals/letter.html",
        referral=referral,
        letter=letter,
        form=form,
        may_write=referral.state in states.LETTER_STATES,
        conflict=conflict,
    )
    return _with_status(response, status)


def _with_status(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    return response


def _letter_initial(letter: FeedbackLetter) -> dict[str, Any]:
    return {
        "version": letter.version,
        "recipient": letter.recipient,
        "findings": letter.findings,
        "plan": letter.plan,
        "advice": letter.advice,
    }


@route(Audience.CLINICIAN)
def print_referral_letter(request: HttpRequest, patient_id: str, referral_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, action=Action.EXPORT, object_type="feedback_letter")
    referral = _referral(patient, referral_id)
    letter = selectors.letter_of(referral)
    if letter is None:
        raise Http404()
    return render(
        request,
        "clinician/referrals/print_letter.html",
        {"patient": patient, "referral": referral, "letter": letter, "tz": str(patient.organisation.time_zone)},
    )


# --- the coordinator's Referrals page ---------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def referrals_board(request: HttpRequest) -> HttpResponse:
    """Open referrals of the patients the person may see, with the waits per service: those still waiting for
    their first contact (longest waiting first), those seen (the wait is over) and the drafts, each apart.

    The filter is in the address (a state and a service name no patient); every patient listed is audited.
    """
    user: Any = request.user
    form = forms.BoardFilterForm(request.GET or None)
    state = service = ""
    if form.is_valid():
        state, service = form.cleaned_data["state"], form.cleaned_data["service"]
    time_zone = str(user.organisation.time_zone)
    patients = gateway.visible_patients(request)
    now = clock.now()
    rows = selectors.open_referrals(patients, now=now, time_zone=time_zone, state=state, service=service)
    owed = selectors.letters_owed(patients, time_zone=time_zone)
    gateway.audit_listed_ids(
        selectors.listed_patients(rows, user.organisation_id) + selectors.listed_patients(owed, user.organisation_id)
    )
    stages = selectors.by_stage(rows)
    return render(
        request,
        "clinician/referrals/board.html",
        {
            "section": "referrals",
            "form": form,
            "rows": rows,
            "waiting": stages["waiting"],
            "seen": stages["seen"],
            "drafts": stages["draft"],
            "overdue": sum(1 for row in stages["waiting"] if row.overdue),
            "old_drafts": sum(1 for row in stages["draft"] if row.overdue),
            "draft_days": waits.DRAFT_DAYS,
            "owed": owed,
            "service_waits": selectors.waits_per_service(patients, time_zone=time_zone),
            "today": clock.local_date(now, time_zone),
        },
    )


# --- the directory of community resources ----------------------------------------------------------------------


def _layout(user: Any) -> str:
    if user.is_administrator:
        return "admin_base.html"
    return "clinician/layout.html" if user.role in CLINICAL_ROLES else "base.html"


@route(Audience.STAFF)
def directory(request: HttpRequest) -> HttpResponse:
    """Everyone in the clinic reads the directory; coordinators and administrators keep it."""
    user: Any = request.user
    form = forms.DirectoryFilterForm(request.GET or None)
    search = kind = ""
    if form.is_valid():
        search, kind = form.cleaned_data["q"].strip(), form.cleaned_data["kind"]
    return render(
        request,
        "clinician/referrals/directory.html",
        {
            "layout": _layout(user),
            "section": "referrals",
            "form": form,
            "resources": list(selectors.directory(user.organisation_id, search=search, kind=kind)),
            "may_keep": services.may_keep_directory(user),
        },
    )


def _keeper(request: HttpRequest) -> Any:
    """Only coordinators and administrators open the directory's forms; for anyone else they do not exist."""
    if not services.may_keep_directory(request.user):
        raise Http404()
    return request.user


@route(Audience.STAFF)
def new_resource(request: HttpRequest) -> HttpResponse:
    user = _keeper(request)
    form = forms.ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_resource(organisation_id=user.organisation_id, details=form.details(), by=user)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The service is added to the directory."))
            return redirect("clinician:directory")
    return _resource_page(request, form, None, status=400 if request.method == "POST" else 200)


@route(Audience.STAFF)
def edit_resource(request: HttpRequest, resource_id: str) -> HttpResponse:
    user = _keeper(request)
    resource = selectors.resource_of(user.organisation_id, resource_id)
    if resource is None:
        raise Http404()
    initial = {name: getattr(resource, name) for name in forms.ResourceForm.base_fields if name != "version"}
    form = forms.ResourceForm(request.POST or None, initial=initial | {"version": resource.version})
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resource(
                resource, expected_version=form.cleaned_data["version"] or 0, changes=form.details(), by=user
            )
        except StaleEdit as error:
            current = error.current
            initial = {name: getattr(current, name) for name in forms.ResourceForm.base_fields if name != "version"}
            form = forms.ResourceForm(initial=initial | {"version": current.version})
            conflict = error.message
            status = 409
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 400
        else:
            messages.success(request, _("The directory entry is saved."))
            return redirect("clinician:directory")
    elif request.method == "POST":
        status = 400
    return _resource_page(request, form, resource, status=status, conflict=conflict)


def _resource_page(
    request: HttpRequest, form: forms.ResourceForm, resource: Any, *, status: int, conflict: str = ""
) -> HttpResponse:
    context = {"layout": _layout(request.user), "section": "referrals", "form": form, "resource": resource}
    response = render(request, "clinician/referrals/resource_form.html", context | {"conflict": conflict})
    response.status_code = status
    return response
