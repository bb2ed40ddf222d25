"""Forms of the team's messages pages. They parse input; the conversations service decides what is refused
(an empty or too long message, a missing subject), with its own plain words.

Each form carries its own `submission_id`, so that a form sent twice saves one message.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.conversations.models import MESSAGE_LIMIT, SUBJECT_LIMIT
from commonground.conversations.selectors import InboxOrder


def _text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,  # the service says what is missing, in words fit for the page
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_LIMIT}),
    )


class MessageForm(forms.Form):
    text = _text(_("Message"))
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class ReplyToPatientForm(MessageForm):
    text = _text(_("Your answer to the patient"))


class NewThreadForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        help_text=_("A few words the team will recognise, e.g. 'Physiotherapy referral' or 'Sleep medication'."),
        widget=forms.TextInput(attrs={"maxlength": SUBJECT_LIMIT}),
    )
    text = _text(_("Message"))
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class InErrorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why was it entered in error?"), max_length=300, required=False)


class InboxFilterForm(forms.Form):
    unread = forms.BooleanField(label=_("Only conversations with unread messages"), required=False)
    awaiting = forms.BooleanField(
        label=_("Only conversations awaiting a reply"),
        required=False,
        help_text=_("The patient wrote last and nobody of the team has answered yet, even if someone has read it."),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (InboxOrder.NEWS, _("Unread first, then the most recent")),
            (InboxOrder.AWAITING, _("Awaiting a reply first, the longest wait first")),
            (InboxOrder.RECENT, _("The most recent first")),
        ],
    )
