"""The patient's message form. The conversations service says what is missing, in plain words."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.conversations.models import MESSAGE_LIMIT


class MessageToTeamForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_LIMIT}),
    )
    # The form's own id: sending it twice (a double tap, a slow connection) sends one message.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
