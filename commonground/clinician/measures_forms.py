"""Forms of the clinician's measures pages: the measurement plan, paper entry, alerts and case review.

They parse and check input; the measures, safety and coordination services decide.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.clinician.forms import DATE_INPUT
from commonground.coordination.choices import ReviewReason
from commonground.measures.choices import EntryMode
from commonground.measures.datatypes import Instrument, Item
from commonground.measures.scoring import NOT_APPLICABLE

MISSING = "missing"
ITEM_PREFIX = "item_"


def instrument_choices(instruments: list[Instrument], *, batteries: bool) -> list[tuple[str, str]]:
    return [
        (found.id, f"{found.short_name} — {found.title}")
        for found in sorted(instruments, key=lambda i: i.short_name)
        if batteries or not found.is_battery
    ]


class PlanForm(forms.Form):
    instruments = forms.MultipleChoiceField(label=_("Questionnaires"), choices=[], widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("Baseline due on"), widget=DATE_INPUT)
    interval_weeks = forms.IntegerField(label=_("Review every how many weeks"), min_value=1, max_value=52)
    at_end_of_therapy = forms.BooleanField(label=_("Ask again at the end of therapy"), required=False)
    follow_up_months = forms.IntegerField(
        label=_("Follow-up, months after therapy ends"),
        min_value=1,
        max_value=36,
        required=False,
        help_text=_("Leave empty for no follow-up."),
    )

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = instrument_choices(instruments, batteries=True)  # type: ignore[attr-defined]

    def plan_details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "instruments": list(data["instruments"]),
            "starts_on": data["starts_on"],
            "interval_weeks": data["interval_weeks"],
            "at_end_of_therapy": data["at_end_of_therapy"],
            "follow_up_months": data["follow_up_months"],
        }


class PlanEditForm(PlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why does the plan change?"), max_length=200)


class RequestMeasureForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"), choices=[])
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = instrument_choices(instruments, batteries=False)  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What was done"), max_length=4000, required=False, widget=forms.Textarea)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CaseReviewForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReviewReason.choices, initial=ReviewReason.MANUAL)
    note = forms.CharField(label=_("Note for the team"), max_length=500, required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class InErrorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why was it entered in error?"), max_length=200, required=False)


def _item_choices(item: Item) -> list[tuple[str, str]]:
    choices = [(str(option.value), f"{option.value} — {option.label}") for option in item.options]
    if item.not_applicable_allowed:
        choices.append((NOT_APPLICABLE, str(item.not_applicable_label or _("Does not apply"))))
    choices.append((MISSING, str(_("Left blank on the form"))))
    return choices


class PaperEntryForm(forms.Form):
    """Every item of one questionnaire as a group of radio buttons; an item left alone counts as unanswered."""

    completed_on = forms.DateField(label=_("Date the form was filled in"), widget=DATE_INPUT)
    mode = forms.ChoiceField(
        label=_("How it was completed"),
        choices=[(EntryMode.PAPER, EntryMode.PAPER.label), (EntryMode.INTERVIEW, EntryMode.INTERVIEW.label)],
        initial=EntryMode.PAPER,
    )
    scheduled = forms.ChoiceField(label=_("Fulfils the scheduled questionnaire"), choices=[], required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, instrument: Instrument, scheduled: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["scheduled"].choices = [("", _("None (not on the schedule)")), *scheduled]  # type: ignore[attr-defined]
        for item in instrument.items:
            self.fields[ITEM_PREFIX + item.id] = forms.ChoiceField(
                label=f"{item.number}. {item.display_text}",
                choices=_item_choices(item),
                required=False,
                widget=forms.RadioSelect,
                help_text="" if item.scored else _("Recorded, not scored."),
            )
        if not self.is_bound and "submission_key" not in self.initial:
            self.initial["submission_key"] = uuid.uuid4()

    def item_fields(self) -> list[forms.BoundField]:
        return [self[ITEM_PREFIX + item.id] for item in self.instrument.items]

    def answers(self) -> dict[str, Any]:
        """Item id -> a value, None (unanswered) or not applicable, as the measures service takes them."""
        return {item.id: _answer(self.cleaned_data.get(ITEM_PREFIX + item.id)) for item in self.instrument.items}


def _answer(raw: str | None) -> int | str | None:
    if not raw or raw == MISSING:
        return None
    if raw == NOT_APPLICABLE:
        return NOT_APPLICABLE
    return int(raw)
