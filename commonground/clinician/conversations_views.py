"""The care team's messages pages: the chart's Messages tab (the patient's conversation with the team, and the
team's own threads about the patient), one team thread with its replies, marking a message entered in error,
and the inbox of every conversation of the user's patients, unread ones first.

Each view opens the patient through the access gateway (which audits the read), calls one conversations
service or selector, and renders. Showing messages to a person records that they read them (read receipts).
A refused message (empty, too long, no subject) comes back on the form with what was typed; nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.clinician import conversations_forms as forms
from commonground.clinician.views import _apply_error, _chart
from commonground.conversations import selectors, services
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import Message, Thread
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.patients.models import Patient

# --- the Messages tab -------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def messages_tab(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="messages")
    return _tab(request, patient)


def _tab(
    request: HttpRequest,
    patient: Patient,
    *,
    reply_form: forms.ReplyToPatientForm | None = None,
    thread_form: forms.NewThreadForm | None = None,
) -> HttpResponse:
    conversation = selectors.patient_conversation(patient)
    shown = selectors.messages_of(conversation)
    new = selectors.unread_ids(shown, request.user)
    services.mark_read(shown, request.user)
    return _chart(
        request,
        patient,
        "messages",
        "clinician/conversations/tab.html",
        conversation=shown,
        new=new,
        read_by=selectors.read_by(shown),
        in_error_forms=_in_error_forms(shown, request.user),
        reply_form=reply_form or forms.ReplyToPatientForm(auto_id="reply_%s"),
        thread_form=thread_form or forms.NewThreadForm(auto_id="thread_%s"),
        threads=selectors.team_threads(patient, request.user),
        awaiting_since=selectors.awaiting_reply_since(conversation),
        response_days=selectors.response_working_days(patient.organisation_id),
        has_portal=patient.user_id is not None,
        limit=selectors.SHOWN_MESSAGES,
    )


@route(Audience.CLINICIAN)
@post_only
def reply_to_patient(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="message")
    form = forms.ReplyToPatientForm(request.POST, auto_id="reply_%s")
    if form.is_valid():
        try:
            services.write_to_patient(
                patient,
                text=form.cleaned_data["text"],
                by=request.user,
                submission_id=form.cleaned_data["submission_id"],
            )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Your message to the patient is sent."))
            return redirect(reverse("clinician:messages", args=[patient.id]) + "#patient-conversation")
    return _tab(request, patient, reply_form=form)


@route(Audience.CLINICIAN)
@post_only
def new_thread(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="message_thread")
    form = forms.NewThreadForm(request.POST, auto_id="thread_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.start_team_thread(
                patient,
                subject=data["subject"],
                text=data["text"],
                by=request.user,
                submission_id=data["submission_id"],
            )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The thread is started. The care team sees it in their messages."))
            return redirect("clinician:message_thread", patient_id=patient.id, thread_id=thread.id)
    return _tab(request, patient, thread_form=form)


# --- one team thread ------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def thread(request: HttpRequest, patient_id: str, thread_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="message_thread", object_id=str(thread_id))
    found = selectors.team_thread_of(patient, thread_id)
    if found is None:
        raise Http404()
    form = forms.MessageForm(request.POST or None, auto_id="message_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_in_team_thread(
                found, text=form.cleaned_data["text"], by=request.user, submission_id=form.cleaned_data["submission_id"]
            )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Your reply is sent to the care team."))
            return redirect(reverse("clinician:message_thread", args=[patient.id, found.id]) + "#reply")
    shown = selectors.messages_of(found)
    new = selectors.unread_ids(shown, request.user)
    services.mark_read(shown, request.user)
    return _chart(
        request,
        patient,
        "messages",
        "clinician/conversations/thread.html",
        thread=found,
        shown=shown,
        new=new,
        read_by=selectors.read_by(shown),
        in_error_forms=_in_error_forms(shown, request.user),
        form=form,
        limit=selectors.SHOWN_MESSAGES,
    )


# --- entered in error -----------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@post_only
def message_in_error(request: HttpRequest, patient_id: str, message_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="message", object_id=str(message_id))
    message = selectors.message_of(patient, message_id)
    if message is None:
        raise Http404()
    form = forms.InErrorForm(request.POST)
    back = _place_of(patient, message)
    if not form.is_valid():
        messages.error(request, _("Please say why this message was entered in error."))
        return redirect(back)
    try:
        services.mark_in_error(
            message, by=request.user, reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"]
        )
    except StaleEdit as error:
        messages.error(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The message is marked as entered in error. It stays in the record, with your reason.")
        )
    return redirect(back)


def _place_of(patient: Patient, message: Message) -> str:
    thread: Thread = message.thread
    if thread.kind == ThreadKind.TEAM:
        return reverse("clinician:message_thread", args=[patient.id, thread.id]) + f"#message-{message.id}"
    return reverse("clinician:messages", args=[patient.id]) + f"#message-{message.id}"


def _in_error_forms(shown: list[Message], user: Any) -> dict[Any, forms.InErrorForm]:
    """For the user's own current messages: only the author marks a message entered in error."""
    return {
        message.id: forms.InErrorForm(initial={"version": message.version}, auto_id=f"in_error_{message.id}_%s")
        for message in shown
        if message.author_id == user.id and not message.is_entered_in_error
    }


# --- the navigation's count ------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def messages_badge(request: HttpRequest) -> HttpResponse:
    """The nav link's "(n unread)", fetched by the page after it loads (no query added to every page)."""
    count = selectors.unread_for_staff(request)
    return render(request, "clinician/conversations/badge.html", {"count": count})


# --- the inbox ---------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def inbox(request: HttpRequest) -> HttpResponse:
    chosen = forms.InboxFilterForm(request.GET or None)
    wanted = chosen.cleaned_data if chosen.is_valid() else {}
    unread_only, awaiting_only = bool(wanted.get("unread")), bool(wanted.get("awaiting"))
    rows = selectors.inbox(
        request,
        unread_only=unread_only,
        awaiting_only=awaiting_only,
        order=wanted.get("order") or selectors.InboxOrder.NEWS,
    )
    gateway.audit_listed_ids({(row.patient_id, row.organisation_id) for row in rows}, object_type="messages")
    return render(
        request,
        "clinician/conversations/inbox.html",
        {
            "rows": rows,
            "filter_form": chosen,
            "unread_only": unread_only,
            "awaiting_only": awaiting_only,
            "limit": selectors.INBOX_ROWS,
            "tz": str(request.user.organisation.time_zone),  # type: ignore[union-attr]
        },
    )
