"""The care team's diary forms: the co-created set-up, a graded-activity step, and which variables to show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.diary.choices import Scale, Symptom
from commonground.diary.definitions import PRACTICE_DONE, REST_BREAKS, Definition, Item

LINES_HINT = _("One per line.")


def _lines(label: Any, help_text: Any = LINES_HINT) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SetUpForm(forms.Form):
    """What the diary asks each day, chosen with the patient."""

    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms to rate (0-10)"), choices=Symptom.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    own_symptoms = _lines(_("The patient's own symptoms to rate, in their words"))
    scales = forms.MultipleChoiceField(
        label=_("Everyday scales (0-10)"), choices=Scale.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    valued_activity = forms.CharField(
        label=_("The activity that matters, for “ease of taking part”"),
        help_text=_("In the patient's words, e.g. “playing with my grandchildren”."),
        required=False,
        max_length=80,
    )
    track_sleep = forms.BooleanField(label=_("Hours of sleep and how well they slept"), required=False, initial=True)
    activities = _lines(_("The patient's activities (planned or not, done or not, with effort)"))
    own_practice = _lines(
        _("The patient's own practice"), _("One per line. Exercises in the care plan are listed by themselves.")
    )
    triggers = _lines(_("Triggers and accelerants the patient noticed"))
    warning_signs = _lines(_("The patient's early-warning signs"))
    pacing_symptom = forms.ChoiceField(label=_("Pacing follows this symptom"), required=False, choices=())
    outcomes = forms.MultipleChoiceField(
        label=_("What the patient most wants to see change (for personal patterns)"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Left empty: ease of taking part and the first symptom. The patient's own symptoms can be chosen once "
            "the set-up that adds them is saved."
        ),
    )
    reason = forms.CharField(label=_("What changed and why (for the history)"), required=False, max_length=300)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, current: Definition | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcomes"].choices = _outcome_choices(current)  # type: ignore[attr-defined]
        named: dict[str, Any] = {item.key: item.label for item in current.symptoms} if current else {}
        for key, label in Symptom.choices:
            named.setdefault(key, label)
        choices = [("", _("The first symptom rated")), *named.items()]
        self.fields["pacing_symptom"].choices = choices  # type: ignore[attr-defined]

    def build_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "symptoms": data["symptoms"],
            "own_symptoms": _split(data["own_symptoms"]),
            "scales": data["scales"],
            "valued_activity": data["valued_activity"],
            "track_sleep": data["track_sleep"],
            "activities": _split(data["activities"]),
            "own_practice": _split(data["own_practice"]),
            "triggers": _split(data["triggers"]),
            "warning_signs": _split(data["warning_signs"]),
            "pacing_symptom": data["pacing_symptom"],
            "outcomes": data["outcomes"],
        }


def _outcome_choices(current: Definition | None) -> list[tuple[str, str]]:
    """The current set-up's variables, then the standard ones it does not have yet (every symptom and scale,
    sleep, activity): a first set-up, or a change that adds a symptom, can choose its outcomes in one step.
    The set-up itself refuses an outcome the diary will not record."""
    every_standard = Definition(
        symptoms=tuple(Item(key, str(label)) for key, label in Symptom.choices),
        scales=tuple(Scale.values),
        activities=(Item("activity", ""),),
    )
    standard = [item for item in every_standard.variables() if item.key not in (REST_BREAKS, PRACTICE_DONE)]
    found = {item.key: item.label for item in (current.variables() if current else [])}
    for item in standard:
        found.setdefault(item.key, item.label)
    return list(found.items())


def _split(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def initial_from(definition: Definition, version: int) -> dict[str, Any]:
    standard = set(Symptom.values)
    return {
        "symptoms": [item.key for item in definition.symptoms if item.key in standard],
        "own_symptoms": "\n".join(item.label for item in definition.symptoms if item.key not in standard),
        "scales": list(definition.scales),
        "valued_activity": definition.valued_activity,
        "track_sleep": definition.track_sleep,
        "activities": "\n".join(item.label for item in definition.activities),
        "own_practice": "\n".join(item.label for item in definition.own_practice),
        "triggers": "\n".join(item.label for item in definition.triggers),
        "warning_signs": "\n".join(item.label for item in definition.warning_signs),
        "pacing_symptom": definition.pacing_symptom,
        "outcomes": list(definition.outcomes),
        "expected_version": version,
    }


class PacingStepForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    daily_load = forms.IntegerField(
        label=_("Planned daily activity (minutes × effort ÷ 10)"),
        help_text=_("For example, 30 minutes at effort 5 is 15."),
        min_value=1,
        max_value=10_000,
    )
    note = forms.CharField(label=_("What we agreed"), required=False, max_length=300)


class ShowForm(forms.Form):
    show = forms.MultipleChoiceField(label=_("Show"), required=False, choices=(), widget=forms.CheckboxSelectMultiple)
    weeks = forms.TypedChoiceField(
        label=_("Weeks"), choices=[("4", "4"), ("12", "12"), ("26", "26"), ("52", "52")], coerce=int, initial=12
    )

    def __init__(self, *args: Any, variables: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = variables  # type: ignore[attr-defined]
