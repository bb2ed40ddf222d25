"""The patient's diary forms: the day's entry (built from their own set-up), an extra check-in, what the team
sees, and reminders. Every choice is a tap: a typical entry needs no typing at all."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from commonground.diary.choices import ACTIVITY_MINUTES, SLEEP_HOURS, Part
from commonground.diary.definitions import Definition, Item
from commonground.diary.entries import Activity, EntryValues


class Choices(BaseChoiceIterator):
    """Choices already as Django keeps them, (value, label) pairs, handed to a field as they are.

    A field normalises any other list it is given, pair by pair, each time it is made; the entry form makes
    some 40 choice fields on every request, and that was a tenth of a diary entry's time (docs/benchmarks.md).
    """

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.pairs = list(pairs)

    def __iter__(self) -> Any:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


ZERO_TO_TEN = [(str(n), str(n)) for n in range(11)]
NOT_RATED = ("", _("Not rated"))  # a tapped rating can be taken back
RATINGS = Choices([*ZERO_TO_TEN, NOT_RATED])
REST_BREAKS = Choices([("", _("Choose")), *((str(n), str(n)) for n in range(31))])
# The words at the ends of each scale: what 0 and 10 mean (symptoms: 0 is none; energy: 10 is plenty).
ENDS: dict[str, tuple[Any, Any]] = {
    "energy": (_("no energy"), _("plenty of energy")),
    "mood": (_("very low"), _("very good")),
    "stress": (_("calm"), _("very stressed")),
    "ease": (_("could not take part"), _("took part with ease")),
    "sleep_quality": (_("very poor"), _("very good")),
}
SYMPTOM_ENDS = (_("none"), _("as bad as it gets"))
EFFORT_ENDS = (_("no effort"), _("all I had"))


def _scale(label: str, ends: tuple[Any, Any]) -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        label=label,
        choices=RATINGS,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    field.ends = ends  # type: ignore[attr-defined]  # read by the template, under the scale
    return field


FORM_PROBLEM = _("Something went wrong with this form. Please check your answers and send it again.")


class HiddenFieldsSayWhatWentWrong(forms.Form):
    """A hidden field the person cannot see or fix (a form key, a version) that came back wrong becomes one plain
    message at the top, never an error beside nothing."""

    def full_clean(self) -> None:
        super().full_clean()
        hidden = [field.name for field in self.hidden_fields() if field.name in self.errors]
        for name in hidden:
            del self.errors[name]
        if hidden:
            self.add_error(None, FORM_PROBLEM)

    def error_list(self) -> list[tuple[str, str]]:
        """(field name, message) for the error summary at the top of a long form; '' for the form as a whole."""
        return [(name, str(message)) for name, messages in self.errors.items() for message in messages]


class EntryForm(HiddenFieldsSayWhatWentWrong):
    """The day's entry. Field names: `rating-KEY`, `sleep_hours`, `sleep_quality`, `planned-KEY`, `done-KEY`,
    `minutes-KEY`, `effort-KEY`, `rest_breaks`, `practice`, `triggers`, `warning_signs`, `small_win`, `note`."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        definition: Definition,
        practice: Iterable[Item] = (),
        check_in: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.practice_items = list(practice)
        self.check_in = check_in
        for key in definition.rating_keys:
            ends = ENDS.get(key, SYMPTOM_ENDS)
            self.fields[f"rating-{key}"] = _scale(definition.rating_label(key), ends)
        if not check_in:
            self._add_day_fields(definition, self.practice_items)
        self.fields["note"] = forms.CharField(
            label=_("Anything else you want to write down (optional)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        if not self.initial.get("submission_key") and not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()

    def _add_day_fields(self, definition: Definition, practice: list[Item]) -> None:
        if definition.track_sleep:
            self.fields["sleep_hours"] = forms.TypedChoiceField(
                label=_("Hours of sleep last night"),
                choices=_sleep_hours(translation.get_language()),
                coerce=Decimal,
                required=False,
                empty_value=None,
            )
            self.fields["sleep_quality"] = _scale(str(_("How well I slept")), ENDS["sleep_quality"])
        for item in definition.activities:
            self.fields[f"planned-{item.key}"] = forms.BooleanField(label=_("Planned"), required=False)
            self.fields[f"done-{item.key}"] = forms.BooleanField(label=_("Done"), required=False)
            self.fields[f"minutes-{item.key}"] = forms.TypedChoiceField(
                label=_("How long"),
                choices=_activity_minutes(translation.get_language()),
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"effort-{item.key}"] = _scale(str(_("How hard it felt")), EFFORT_ENDS)
        if definition.activities:
            self.fields["rest_breaks"] = forms.TypedChoiceField(
                label=_("Rest breaks I took"), choices=REST_BREAKS, coerce=int, required=False, empty_value=None
            )
        self._add_checklist("practice", _("Home practice I did"), practice)
        self._add_checklist("triggers", _("Things I noticed that can set my symptoms off"), definition.triggers)
        self._add_checklist("warning_signs", _("My early-warning signs I noticed"), definition.warning_signs)
        self.fields["small_win"] = forms.CharField(
            label=_("A small win today (optional)"),
            help_text=_("Anything that went well, however small."),
            required=False,
            max_length=500,
        )

    def _add_checklist(self, name: str, label: Any, items: Iterable[Item]) -> None:
        choices = [(item.key, item.label) for item in items]
        if choices:
            self.fields[name] = forms.MultipleChoiceField(
                label=label, choices=Choices(choices), required=False, widget=forms.CheckboxSelectMultiple
            )

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[f"rating-{key}"] for key in self.definition.rating_keys]

    def activity_rows(self) -> list[tuple[Item, dict[str, forms.BoundField]]]:
        if self.check_in:
            return []
        return [
            (item, {part: self[f"{part}-{item.key}"] for part in ("planned", "done", "minutes", "effort")})
            for item in self.definition.activities
        ]

    def values(self) -> EntryValues:
        """The cleaned form as the diary's values (call after `is_valid()`)."""
        data = self.cleaned_data
        ratings = {
            key: data[f"rating-{key}"] for key in self.definition.rating_keys if data.get(f"rating-{key}") is not None
        }
        return EntryValues(
            ratings=ratings,
            sleep_hours=data.get("sleep_hours"),
            sleep_quality=data.get("sleep_quality"),
            activities=tuple(self._activities()),
            rest_breaks=data.get("rest_breaks"),
            practice=tuple(data.get("practice") or ()),
            triggers=tuple(data.get("triggers") or ()),
            warning_signs=tuple(data.get("warning_signs") or ()),
            small_win=(data.get("small_win") or "").strip(),
            note=(data.get("note") or "").strip(),
        )

    def _activities(self) -> Iterable[Activity]:
        data = self.cleaned_data
        for item in [] if self.check_in else self.definition.activities:
            answer = Activity(
                item.key,
                planned=bool(data.get(f"planned-{item.key}")),
                done=bool(data.get(f"done-{item.key}")),
                minutes=data.get(f"minutes-{item.key}"),
                effort=data.get(f"effort-{item.key}"),
            )
            if answer.planned or answer.done or answer.minutes is not None or answer.effort is not None:
                yield answer


def initial_from(values: EntryValues) -> dict[str, Any]:
    """An entry's values as the form's initial data (to change an entry)."""
    initial: dict[str, Any] = {f"rating-{key}": str(value) for key, value in values.ratings.items()}
    initial.update(
        sleep_hours=str(values.sleep_hours) if values.sleep_hours is not None else "",
        sleep_quality=str(values.sleep_quality) if values.sleep_quality is not None else None,
        rest_breaks=str(values.rest_breaks) if values.rest_breaks is not None else "",
        practice=list(values.practice),
        triggers=list(values.triggers),
        warning_signs=list(values.warning_signs),
        small_win=values.small_win,
        note=values.note,
    )
    for activity in values.activities:
        initial[f"planned-{activity.key}"] = activity.planned
        initial[f"done-{activity.key}"] = activity.done
        initial[f"minutes-{activity.key}"] = str(activity.minutes) if activity.minutes is not None else ""
        initial[f"effort-{activity.key}"] = str(activity.effort) if activity.effort is not None else None
    return initial


@cache
def _sleep_hours(language: str | None) -> Choices:
    """The hours of sleep to choose from, in the language of the page (its words made once per language)."""
    return Choices([("", _("Choose")), *((str(h), _hours(h)) for h in SLEEP_HOURS)])


@cache
def _activity_minutes(language: str | None) -> Choices:
    """How long an activity took, in the language of the page (made once per language: an entry has a field
    for each of the patient's activities)."""
    return Choices([("", _("How long?")), *((str(m), _minutes(m)) for m in ACTIVITY_MINUTES)])


def _hours(hours: float) -> str:
    whole = int(hours)
    if hours == whole:
        return str(whole)
    return f"{whole}½" if whole else "½"


def _minutes(minutes: int) -> str:
    if minutes < 60:
        return str(_("%(n)d minutes") % {"n": minutes})
    hours = minutes / 60
    return str(_("%(h)s hours") % {"h": _hours(hours)}) if minutes > 60 else str(_("1 hour"))


class SharingForm(HiddenFieldsSayWhatWentWrong):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sharing_%s")  # one page holds both settings forms: ids of their own
        super().__init__(*args, **kwargs)

    parts = forms.MultipleChoiceField(
        label=_("What my care team sees of my diary"),
        choices=Part.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


QUIET_HOURS = {
    "required": _("Please choose the quiet hours, when no reminder is ever sent (for example 22:00 until 07:00)."),
    "invalid": _("Please write a time of day, for example 22:00."),
}


class ReminderForm(HiddenFieldsSayWhatWentWrong):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reminder_%s")
        super().__init__(*args, **kwargs)

    remind = forms.BooleanField(label=_("Send me a daily reminder by e-mail"), required=False)
    at = forms.TimeField(label=_("At"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_from = forms.TimeField(
        label=_("No reminders from"), widget=forms.TimeInput(attrs={"type": "time"}), error_messages=QUIET_HOURS
    )
    quiet_until = forms.TimeField(
        label=_("until"), widget=forms.TimeInput(attrs={"type": "time"}), error_messages=QUIET_HOURS
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("remind") and data.get("at") is None and "at" not in self.errors:
            self.add_error("at", _("Choose the time for your reminder."))
        return data
