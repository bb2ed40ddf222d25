"""Forms of the clinician's care-plan pages: the plan, its elements, a session held, home practice, ending and
resuming therapy. They parse and check input; the care-plan service decides."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonground.accounts.models import User
from commonground.careplans.choices import ElementKind, ElementStatus
from commonground.careteam import selectors as team_selectors
from commonground.clinician.forms import DATE_INPUT, StaffChoiceField
from commonground.clinician.notes_forms import NoteLanguageField, offer_languages

TEXT = forms.Textarea(attrs={"rows": 4})
NOTE_TEXT = forms.Textarea(attrs={"rows": 8})
CHECKBOXES = forms.CheckboxSelectMultiple


class CarePlanForm(forms.Form):
    summary = forms.CharField(label=_("What we are working on (for the team)"), max_length=4000, widget=TEXT)
    patient_summary = forms.CharField(
        label=_("The plan in plain words (for the patient)"),
        max_length=4000,
        widget=TEXT,
        help_text=_("The patient reads this in the portal: plain, kind words, no abbreviations."),
    )
    sessions_min = forms.IntegerField(label=_("Sessions planned, at least"), min_value=1, max_value=60, initial=6)
    sessions_max = forms.IntegerField(label=_("Sessions planned, at most"), min_value=1, max_value=60, initial=12)
    minutes_min = forms.IntegerField(label=_("Minutes per session, from"), min_value=5, max_value=240, initial=30)
    minutes_max = forms.IntegerField(label=_("Minutes per session, to"), min_value=5, max_value=240, initial=45)
    starts_on = forms.DateField(label=_("Therapy starts on"), widget=DATE_INPUT)
    review_on = forms.DateField(label=_("Next review on"), widget=DATE_INPUT, required=False)
    goal_ids = forms.MultipleChoiceField(
        label=_("Goals this plan serves"), choices=[], required=False, widget=CHECKBOXES
    )

    def __init__(self, *args: Any, goals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal_ids"].choices = goals  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in (("sessions_min", "sessions_max"), ("minutes_min", "minutes_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("The most cannot be less than the least."))
        starts_on, review_on = data.get("starts_on"), data.get("review_on")
        if starts_on and review_on and review_on < starts_on:
            self.add_error("review_on", _("The review cannot come before therapy starts."))
        return data

    def plan_details(self) -> dict[str, Any]:
        data = self.cleaned_data
        details = {name: data[name] for name in PLAN_FORM_FIELDS}
        details["goal_ids"] = list(data["goal_ids"])
        return details


PLAN_FORM_FIELDS = (
    "summary",
    "patient_summary",
    "sessions_min",
    "sessions_max",
    "minutes_min",
    "minutes_max",
    "goal_ids",
    "starts_on",
    "review_on",
)


class CarePlanEditForm(CarePlanForm):
    reason = forms.CharField(label=_("Why does the plan change?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ElementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Element"), choices=ElementKind.choices)
    description = forms.CharField(label=_("What it involves"), max_length=2000, required=False, widget=TEXT)
    responsible = StaffChoiceField(
        label=_("Responsible team member"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )
    frequency = forms.CharField(
        label=_("How often"), max_length=120, required=False, help_text=_("For example: every session, weekly.")
    )
    intensity = forms.CharField(
        label=_("Intensity"), max_length=120, required=False, help_text=_("For example: 15 minutes, gentle.")
    )
    position = forms.IntegerField(label=_("Order"), min_value=1, max_value=99, initial=1)
    status = forms.ChoiceField(label=_("Status"), choices=ElementStatus.choices, initial=ElementStatus.PLANNED)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = team  # type: ignore[attr-defined]

    def element_details(self) -> dict[str, Any]:
        data = self.cleaned_data
        responsible = data["responsible"]
        return {
            "kind": data["kind"],
            "description": data["description"],
            "responsible_id": responsible.id if responsible else None,
            "frequency": data["frequency"],
            "intensity": data["intensity"],
            "position": data["position"],
            "status": data["status"],
        }


def library_choices(found: list[Any]) -> list[tuple[str, str]]:
    return [(item.slug, item.title) for item in found]


class PracticeForm(forms.Form):
    """Home practice: a library item or the clinician's own, with how often and until when.

    In the session form it is optional (everything left empty assigns nothing) and starts on the day it is
    assigned; on its own it is required and may start later.
    """

    library_item = forms.ChoiceField(label=_("From the library"), choices=[], required=False)
    title = forms.CharField(
        label=_("Or your own: what to practise"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the library item's title."),
    )
    instructions = forms.CharField(label=_("How"), max_length=2000, required=False, widget=TEXT)
    how_often = forms.CharField(
        label=_("How often"), max_length=120, required=False, help_text=_("For example: twice a day, 5 minutes.")
    )
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, library: list[Any], today: date, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today, self.optional = today, optional
        nothing = _("None") if optional else _("Not from the library (your own)")
        self.fields["library_item"].choices = [("", nothing), *library_choices(library)]  # type: ignore[attr-defined]
        if optional:
            del self.fields["starts_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("library_item") or (data.get("title") or "").strip()
        if not chosen and not (self.optional and self.is_empty(data)):
            self.add_error("title", _("Choose a library item or write what to practise."))
        starts_on = data.get("starts_on") or self.today
        if data.get("ends_on") and data["ends_on"] < starts_on:
            self.add_error("ends_on", _("The end cannot come before the start."))
        return data

    @staticmethod
    def is_empty(data: dict[str, Any]) -> bool:
        return not any((data.get(name) or "") for name in ("library_item", "title", "instructions", "how_often"))

    def practice(self) -> dict[str, Any] | None:
        """The home practice as the service takes it, or None when the optional form was left empty."""
        data = self.cleaned_data
        if self.optional and self.is_empty(data):
            return None
        details = {name: data[name] for name in ("library_item", "title", "instructions", "how_often", "ends_on")}
        details["title"] = details["title"].strip()
        if data.get("starts_on"):
            details["starts_on"] = data["starts_on"]
        return details


class SessionDetailsForm(forms.Form):
    """When, how long, who, what was used and practised: recording a session, and correcting one."""

    held_on = forms.DateField(label=_("Held on"), widget=DATE_INPUT)
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=5, max_value=240)
    clinician = StaffChoiceField(label=_("Clinician"), queryset=User.objects.none(), empty_label=None)
    elements = forms.MultipleChoiceField(
        label=_("Elements used"), choices=ElementKind.choices, required=False, widget=CHECKBOXES
    )
    exercises = forms.MultipleChoiceField(label=_("Exercises practised"), choices=[], required=False, widget=CHECKBOXES)

    def __init__(self, *args: Any, team: Any, library: list[Any], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["clinician"].queryset = team  # type: ignore[attr-defined]
        self.fields["exercises"].choices = library_choices(library)  # type: ignore[attr-defined]

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise forms.ValidationError(_("A session cannot be recorded before it is held: the date is in the future."))
        return held_on

    def session_details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "duration_minutes": data["duration_minutes"],
            "clinician": data["clinician"],
            "elements": list(data["elements"]),
            "exercises": list(data["exercises"]),
        }


class SessionForm(SessionDetailsForm):
    """A session held, with its note. The hidden key is made when the form is first shown: sending the same form
    again (Back, then Save) finds the session it recorded instead of recording a second one."""

    note_text = forms.CharField(
        label=_("Session note"),
        max_length=20000,
        required=False,
        widget=NOTE_TEXT,
        help_text=_("Checked for wording when saved. The check advises; it never stops a save."),
    )
    note_language = NoteLanguageField()
    ask_about_consultation = forms.BooleanField(
        label=_("Ask the patient about this consultation (CARE Measure)"), required=False
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_languages(self, "note_language")
        if not self.is_bound and "submission_key" not in self.initial:
            self.initial["submission_key"] = uuid.uuid4()

    def session_details(self) -> dict[str, Any]:
        details = super().session_details()
        if self.cleaned_data.get("submission_key"):
            details["submission_key"] = self.cleaned_data["submission_key"]
        return details


class SessionCorrectionForm(SessionDetailsForm):
    reason = forms.CharField(label=_("Why is the session corrected?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PracticeChangeForm(forms.Form):
    """What may change in home practice under way: how often, how, and until when."""

    how_often = forms.CharField(
        label=_("How often"), max_length=120, required=False, help_text=_("For example: twice a day, 5 minutes.")
    )
    instructions = forms.CharField(label=_("How"), max_length=2000, required=False, widget=TEXT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False)
    reason = forms.CharField(label=_("Why does it change?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("how_often", "instructions", "ends_on")}


class InErrorForm(forms.Form):
    """Marking a session or home practice as entered in error: why, at the version seen."""

    reason = forms.CharField(label=_("Why was it entered in error?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class EndTherapyForm(forms.Form):
    ended_on = forms.DateField(label=_("Therapy ended on"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Why therapy ends"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_ended_on(self) -> date:
        ended_on: date = self.cleaned_data["ended_on"]
        if ended_on > self.today:
            raise forms.ValidationError(_("The end of therapy cannot be in the future."))
        return ended_on


class ResumeTherapyForm(forms.Form):
    reason = forms.CharField(label=_("Why therapy goes on"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def team_of(patient_id: Any, *, also: Any = None) -> Any:
    """The patient's current care team as people to choose from (responsible member, session clinician), and
    `also` (the clinician a session names, who may have left the team since)."""
    members = team_selectors.current_members(patient_id).values("staff_id")
    found = Q(pk__in=members) | Q(pk=also) if also is not None else Q(pk__in=members)
    return User.objects.filter(found).order_by("display_name")
