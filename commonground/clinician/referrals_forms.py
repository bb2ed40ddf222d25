"""Forms of the referrals pages: a referral out, one in from the GP, a move, the feedback letter, the directory.
They parse and check input; the referrals service decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.clinician.forms import DATE_INPUT
from commonground.referrals.choices import OUTGOING_SERVICES, Cost, ResourceKind, Service, State, Urgency
from commonground.referrals.states import OPEN

TEXT = forms.Textarea(attrs={"rows": 4})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class OutgoingReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Refer to"), choices=[(s.value, s.label) for s in OUTGOING_SERVICES])
    resource_id = forms.ChoiceField(
        label=_("Service from the directory"),
        choices=[],
        required=False,
        help_text=_("Only an entry that fits the service referred to; each entry says which services it fits."),
    )
    counterpart = forms.CharField(
        label=_("Practice, team or person"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the name of the service chosen from the directory."),
    )
    reason = forms.CharField(label=_("Reason for referral"), max_length=4000, widget=TEXT)
    question = forms.CharField(label=_("Question to answer"), max_length=2000, widget=SHORT_TEXT, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)

    def __init__(self, *args: Any, resources: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "out_%s")
        super().__init__(*args, **kwargs)
        self.fields["resource_id"].choices = [("", _("None")), *resources]  # type: ignore[attr-defined]

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class DraftForm(OutgoingReferralForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class IncomingReferralForm(forms.Form):
    counterpart = forms.CharField(label=_("Referred by (GP and practice)"), max_length=200)
    referred_on = forms.DateField(label=_("Date of the GP's referral"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason for referral"), max_length=4000, widget=TEXT)
    question = forms.CharField(label=_("The GP's question"), max_length=2000, widget=SHORT_TEXT, required=False)
    symptoms = forms.CharField(label=_("Symptoms described"), max_length=4000, widget=TEXT, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "in_%s")
        super().__init__(*args, **kwargs)

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class MoveForm(forms.Form):
    """One form per referral; each allowed next state is a button carrying `to_state`."""

    to_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    on = forms.DateField(
        label=_("It happened on"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Leave empty for today."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Needed when declining or withdrawing: say why."),
    )


class LetterForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    recipient = forms.CharField(label=_("To"), max_length=200, required=False)
    findings = forms.CharField(label=_("Findings"), max_length=6000, widget=TEXT)
    plan = forms.CharField(label=_("Plan"), max_length=4000, widget=TEXT, required=False)
    advice = forms.CharField(label=_("Advice to the referrer"), max_length=4000, widget=TEXT, required=False)

    def __init__(self, *args: Any, incoming: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not incoming:
            self.fields["recipient"].label = _("From (the service that sent the feedback)")
            self.fields["advice"].label = _("Advice to us")

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("recipient", "findings", "plan", "advice")}


class InErrorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Why is this referral entered in error?"), max_length=500)


class BoardFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All open")), *[(s.value, s.label) for s in State if s.value in OPEN]],
    )
    service = forms.ChoiceField(label=_("Service"), required=False, choices=[("", _("All")), *Service.choices])


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search name, language, eligibility"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *ResourceKind.choices])


class ResourceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    contact = forms.CharField(label=_("Contact (phone, e-mail, address)"), max_length=400, required=False)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    languages = forms.CharField(label=_("Languages"), max_length=200, required=False)
    cost = forms.ChoiceField(label=_("Cost"), choices=Cost.choices, initial=Cost.FREE)
    eligibility = forms.CharField(label=_("Who can use it"), max_length=2000, widget=SHORT_TEXT, required=False)
    notes = forms.CharField(label=_("Notes for the team"), max_length=2000, widget=SHORT_TEXT, required=False)
    active = forms.BooleanField(label=_("In use (offered for new referrals)"), required=False, initial=True)

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}
