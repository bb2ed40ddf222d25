"""The patient's messages page: their conversation with their care team, and a form to write to the team.

The page always says, before anything else, where to get help now: the clinic's crisis lines, the patient's
safety plan and the help-now page; and so does the confirmation after a message is sent. It says so to every
patient, whatever they wrote: nothing here reads the words of a message to guess at risk (decision 0018).
Opening the page records that the patient has read the team's messages shown (read receipts). The team's own
threads about the patient are never read here.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route
from commonground.conversations import selectors, services
from commonground.conversations.models import Message
from commonground.kit.errors import DomainError
from commonground.patients.models import Patient
from commonground.portal.conversations_forms import MessageToTeamForm
from commonground.portal.selectors import crisis_lines


@route(Audience.PATIENT, relationships=(SELF,))
def my_messages(request: HttpRequest) -> HttpResponse:
    patient = gateway.own_patient_record(request.user, object_type="messages")
    form = MessageToTeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_to_team(
                patient,
                text=form.cleaned_data["text"],
                by=request.user,
                submission_id=form.cleaned_data["submission_id"],
            )
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            days = selectors.response_working_days(patient.organisation_id)
            answer = ngettext(
                "They will answer within %(num)d working day.", "They will answer within %(num)d working days.", days
            ) % {"num": days}
            help_now = _(
                "If you need help before then, please do not wait for their answer: the ways to get help now are "
                "on this page, under 'If you need help now'."
            )
            messages.success(
                request, " ".join((_("Thank you. Your message is sent to your care team."), answer, help_now))
            )
            # The top of the page: the confirmation, with where to get help now right under it.
            return redirect(reverse("portal:messages") + "#main")
    return _page(request, patient, form)


@route(Audience.PATIENT, relationships=(SELF,))
def messages_badge(request: HttpRequest) -> HttpResponse:
    """The nav link's "(n new)": the team's messages the patient has not read, fetched after the page loads."""
    count = selectors.unread_for_patient(request.user)
    return render(request, "portal/conversations/badge.html", {"count": count})


def _page(request: HttpRequest, patient: Patient, form: MessageToTeamForm) -> HttpResponse:
    conversation = selectors.patient_conversation(patient)
    shown = selectors.messages_of(conversation)
    new = selectors.unread_ids(shown, request.user)
    services.mark_read(shown, request.user)
    return render(
        request,
        "portal/conversations/messages.html",
        {
            "shown": shown,
            "new": new,
            "read_by_team": _read_by_team(shown),
            "form": form,
            "response_days": selectors.response_working_days(patient.organisation_id),
            "lines": crisis_lines(patient),
            "tz": patient.time_zone or "UTC",
            "limit": selectors.SHOWN_MESSAGES,
        },
    )


def _read_by_team(shown: list[Message]) -> dict[UUID, datetime]:
    """For each of the patient's own messages, when someone of the team first read it."""
    found = selectors.read_by([m for m in shown if m.from_patient])
    return {message_id: receipts[0].read_at for message_id, receipts in found.items() if receipts}
