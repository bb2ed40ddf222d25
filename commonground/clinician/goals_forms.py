"""Forms of the clinician's goals pages: values, goals, the milestone ladder and goal attainment reviews.

They parse and check input; `commonground.goals.services` decides. Many small forms share one page, so each
gets its own `auto_id` (e.g. `rung-<id>-split_%s`): every label points at its own control.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.clinician.forms import DATE_INPUT
from commonground.goals.choices import GasLevel, GoalStatus, LifeArea, ProposedBy, Rating, RungState

SPLIT_ROWS = 4  # a rung splits into two to four smaller steps
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
LONG_TEXT = forms.Textarea(attrs={"rows": 3})


# --- values -------------------------------------------------------------------------------------------------


class ValueForm(forms.Form):
    life_area = forms.ChoiceField(label=_("Life area"), choices=LifeArea.choices)
    words = forms.CharField(
        label=_("What matters, in the patient's own words"),
        max_length=1000,
        widget=LONG_TEXT,
        help_text=_("Write it as the patient says it, e.g. “being there for my kids after school”."),
    )


class ValueEditForm(ValueForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why does it change?"), max_length=200)


# --- goals --------------------------------------------------------------------------------------------------

LEVEL_NAMES = ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")
SCALE_FIELDS = (*LEVEL_NAMES, "baseline_level")  # fixed once the goal has a review
SCALE_FIXED_HINT = _("The scale is fixed once reviewed, so reviews stay comparable; set a new goal to change it.")

# The long goal form, in groups a phone can read one at a time: (legend, hint, field names).
GOAL_FIELDSETS: tuple[tuple[Any, Any, tuple[str, ...]], ...] = (
    (_("The goal"), "", ("title", "indicator", "target_date", "value")),
    (
        _("Agreeing it together"),
        _("A goal is co-created: say who proposed it, and tick the box only when the patient agrees with it."),
        ("proposed_by", "agreed_by_patient"),
    ),
    (_("What gets in the way, and what helps"), "", ("barriers", "enablers", "triggers", "accelerants")),
    (_("When symptoms flare"), "", ("contingency_plan",)),
    (
        _("Who helps"),
        _("Only supporters whose consent to sharing is in force can be involved."),
        ("supporter_ids",),
    ),
    (
        _("Goal attainment scale, in the patient's words"),
        _("Describe the five levels as the patient would. 0 is the outcome you both expect by the target date."),
        (*LEVEL_NAMES, "baseline_level"),
    ),
    (
        _("Importance and difficulty"),
        _("Used to weight the goal when the clinic weights goals (importance × difficulty). Leave empty if unsure."),
        ("importance", "difficulty"),
    ),
)


class GoalForm(forms.Form):
    title = forms.CharField(
        label=_("What I want to be able to do"),
        max_length=300,
        help_text=_("In the patient's words, about doing something, e.g. “walk my dog to the park and back”."),
    )
    indicator = forms.CharField(
        label=_("How we will know (measurable)"),
        max_length=300,
        help_text=_("Something you can count or see, e.g. “three times a week for 20 minutes”."),
    )
    target_date = forms.DateField(label=_("By when"), widget=DATE_INPUT)
    value = forms.ChoiceField(label=_("Which value it serves"), choices=[], required=False)
    proposed_by = forms.ChoiceField(
        label=_("Who proposed it"), choices=ProposedBy.choices, initial=ProposedBy.TOGETHER, widget=forms.RadioSelect
    )
    agreed_by_patient = forms.BooleanField(label=_("The patient agrees with this goal"), required=False)
    barriers = forms.CharField(label=_("What might get in the way"), max_length=2000, required=False, widget=SHORT_TEXT)
    enablers = forms.CharField(label=_("What helps"), max_length=2000, required=False, widget=SHORT_TEXT)
    triggers = forms.CharField(
        label=_("Triggers that make symptoms worse"), max_length=2000, required=False, widget=SHORT_TEXT
    )
    accelerants = forms.CharField(
        label=_("Accelerants: what speeds progress"), max_length=2000, required=False, widget=SHORT_TEXT
    )
    contingency_plan = forms.CharField(
        label=_("When symptoms flare, I will …"),
        max_length=2000,
        required=False,
        widget=LONG_TEXT,
        help_text=_("The patient's own plan for a bad day, e.g. “do half, rest 20 minutes, then decide”."),
    )
    supporter_ids = forms.MultipleChoiceField(
        label=_("Supporters involved"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    level_minus_2 = forms.CharField(label=GasLevel.MUCH_LESS.label, max_length=300)
    level_minus_1 = forms.CharField(label=GasLevel.SOMEWHAT_LESS.label, max_length=300)
    level_0 = forms.CharField(label=GasLevel.EXPECTED.label, max_length=300)
    level_plus_1 = forms.CharField(label=GasLevel.SOMEWHAT_MORE.label, max_length=300)
    level_plus_2 = forms.CharField(label=GasLevel.MUCH_MORE.label, max_length=300)
    baseline_level = forms.TypedChoiceField(
        label=_("Where the patient starts"),
        choices=GasLevel.choices,
        coerce=int,
        initial=GasLevel.SOMEWHAT_LESS,
        help_text=_("Usually −1; −2 when it could hardly be worse."),
    )
    importance = forms.TypedChoiceField(
        label=_("How important is it to the patient?"),
        choices=[("", _("Not rated")), *Rating.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    difficulty = forms.TypedChoiceField(
        label=_("How difficult will it be?"),
        choices=[("", _("Not rated")), *Rating.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, values: list[Any], supporters: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value_choices = [(str(found.id), f"{found.get_life_area_display()}: {_clip(found.words)}") for found in values]
        self.fields["value"].choices = [("", _("Not linked to a value yet")), *value_choices]  # type: ignore[attr-defined]
        supporter_choices = [(str(found.id), f"{found.name} ({found.relationship})") for found in supporters]
        self.fields["supporter_ids"].choices = supporter_choices  # type: ignore[attr-defined]
        if not supporter_choices:
            self.fields["supporter_ids"].help_text = _("No supporter has a consent to sharing in force.")

    def fieldsets(self) -> list[tuple[Any, Any, list[forms.BoundField]]]:
        return [(legend, hint, [self[name] for name in names]) for legend, hint, names in GOAL_FIELDSETS]

    def goal_details(self) -> dict[str, Any]:
        """The goal's fields as `goals.services` takes them (GOAL_FIELDS, status excepted)."""
        data = self.cleaned_data
        details = {
            name: data[name]
            for name in self.base_fields
            if name not in ("value", "version", "reason", "scale_editable")
        }
        details["value_id"] = data["value"] or None
        details["supporter_ids"] = list(data["supporter_ids"])
        details.pop("status", None)
        return details


class GoalEditForm(GoalForm):
    """Revising a goal. Once the goal has a review its scale (the five levels and where the patient started) is
    shown read-only: the server ignores anything posted for it, so reviews stay comparable."""

    status = forms.ChoiceField(label=_("Where the goal stands"), choices=GoalStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why does the goal change?"),
        max_length=200,
        help_text=_("E.g. “agreed a smaller first goal after a flare-up”. Kept in the goal's history."),
    )

    # Was the scale editable when the form was shown? If a colleague reviewed the goal meanwhile, the scale the
    # clinician typed still reaches the service, which refuses a change with its reason (nothing is dropped).
    scale_editable = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, scale_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale_fixed = scale_fixed
        self.fields["scale_editable"].initial = "" if scale_fixed else "1"
        if scale_fixed:
            for name in SCALE_FIELDS:  # read-only: shown as saved, nothing to fill in
                self.fields[name].disabled = True
                self.fields[name].required = False

    def fieldsets(self) -> list[tuple[Any, Any, list[forms.BoundField]]]:
        found = super().fieldsets()
        if not self.scale_fixed:
            return found
        return [(legend, SCALE_FIXED_HINT if is_scale(bounds) else hint, bounds) for legend, hint, bounds in found]

    def goal_changes(self) -> dict[str, Any]:
        changes = self.goal_details()
        changes["status"] = self.cleaned_data["status"]
        return changes


def goal_initial(goal: Any) -> dict[str, Any]:
    """A saved goal as the edit form's initial data."""
    names = [name for name in GoalEditForm.base_fields if name not in ("value", "version", "reason", "scale_editable")]
    initial = {name: getattr(goal, name) for name in names}
    initial.update(value=str(goal.value_id) if goal.value_id else "", version=goal.version)
    initial["supporter_ids"] = [str(found) for found in goal.supporter_ids or []]
    return initial


def typed_again(form: GoalEditForm, saved: Any) -> dict[str, Any]:
    """After a stale edit: what the clinician typed, at the version saved meanwhile (a read-only scale stays as
    saved), as the revision form's initial data."""
    typed = {name: value for name, value in form.cleaned_data.items() if not form.fields[name].disabled}
    return goal_initial(saved) | typed | {"version": saved.version}


def is_scale(bounds: list[forms.BoundField]) -> bool:
    return bool(bounds) and all(bound.name in SCALE_FIELDS for bound in bounds)


def _clip(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- the milestone ladder -----------------------------------------------------------------------------------


class AddRungForm(forms.Form):
    action = forms.CharField(
        label=_("A small doable step"),
        max_length=300,
        help_text=_("Small enough to do on a difficult day, e.g. “walk to the corner and back”."),
    )
    target_date = forms.DateField(label=_("Aim to do it by"), widget=DATE_INPUT, required=False)
    position = forms.TypedChoiceField(
        label=_("Where on the ladder"), choices=[], coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, rungs: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = [("", _("As the last step (step %(number)d)") % {"number": rungs + 1})]
        before = [
            (str(n), _("As step %(number)d, the later steps move on") % {"number": n}) for n in range(1, rungs + 1)
        ]
        self.fields["position"].choices = [*last, *before]  # type: ignore[attr-defined]


class EditRungForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.CharField(label=_("The step, in other words"), max_length=300)
    target_date = forms.DateField(label=_("Aim to do it by"), widget=DATE_INPUT, required=False)


class SplitRungForm(forms.Form):
    """Two to four smaller steps that take the rung's place, in the order they are done."""

    reason = forms.CharField(label=_("Why split it (optional)"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, SPLIT_ROWS + 1):
            self.fields[f"step_{row}"] = forms.CharField(
                label=_("Smaller step %(number)d") % {"number": row}, max_length=300, required=False
            )
            self.fields[f"date_{row}"] = forms.DateField(
                label=_("Aim to do step %(number)d by") % {"number": row}, widget=DATE_INPUT, required=False
            )
        self.order_fields([*(name for row in range(1, SPLIT_ROWS + 1) for name in (f"step_{row}", f"date_{row}"))])

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"step_{row}"], self[f"date_{row}"]) for row in range(1, SPLIT_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, SPLIT_ROWS + 1):
            if data.get(f"date_{row}") and not (data.get(f"step_{row}") or "").strip():
                self.add_error(f"step_{row}", _("Say what the step is, or clear its date."))
        if len(self.steps()) < 2:
            raise forms.ValidationError(_("Write at least two smaller steps."))
        return data

    def steps(self) -> list[tuple[str, date | None]]:
        data = self.cleaned_data
        found = [((data.get(f"step_{row}") or "").strip(), data.get(f"date_{row}")) for row in range(1, SPLIT_ROWS + 1)]
        return [(action, day) for action, day in found if action]


class MarkRungForm(forms.Form):
    state = forms.ChoiceField(label=_("Progress"), choices=RungState.choices)


class MoveRungForm(forms.Form):
    to_position = forms.IntegerField(label=_("Move to step"), min_value=1)


class RemoveRungForm(forms.Form):
    reason = forms.CharField(
        label=_("Why take it off the ladder?"),
        max_length=500,
        help_text=_("The step stays in the ladder's history."),
    )


class StepBackForm(forms.Form):
    reason = forms.CharField(
        label=_("What happened, in words the patient will read on their goals page"),
        max_length=2000,
        widget=SHORT_TEXT,
        help_text=_(
            "The patient sees this reason beside the step back in the portal. Say what happened, kindly and "
            "plainly, e.g. “a week of flu”."
        ),
    )
    milestone = forms.ChoiceField(label=_("Which step opens again"), choices=[], required=False)

    def __init__(self, *args: Any, rungs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reached = [
            (str(rung.id), _("Step %(number)d: %(action)s") % {"number": index, "action": _clip(rung.action)})
            for index, rung in enumerate(rungs, start=1)
            if rung.state != RungState.NOT_YET
        ]
        self.fields["milestone"].choices = [("", _("The highest step done or partly done")), *reached]  # type: ignore[attr-defined]


# --- goal attainment scaling --------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level reached"), choices=GasLevel.choices, coerce=int, widget=forms.RadioSelect
    )
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False, widget=SHORT_TEXT)


# --- entered in error ---------------------------------------------------------------------------------------


class InErrorForm(forms.Form):
    """A value, goal or review recorded by mistake: it leaves the chart and the portal, and stays in the history."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why was it entered in error?"),
        max_length=500,
        help_text=_("E.g. “recorded on the wrong patient” or “a duplicate”. Kept in the record's history."),
    )
