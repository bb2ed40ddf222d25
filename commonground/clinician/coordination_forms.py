"""Forms of the coordination pages: tasks, their states, case-review meetings, the agenda and decisions.

They parse and check input; the coordination services decide.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import Role
from commonground.clinician.forms import DATE_INPUT
from commonground.coordination.choices import TaskPriority, TaskStatus
from commonground.coordination.services import TASK_ROLES
from commonground.kit import clock

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
PERSON, ROLE = "person:", "role:"


def assignee_choices(staff: list[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The people offered (for a task about a patient, the patient's care team; else the clinic's care staff),
    then the roles (anyone in the role may take the task)."""
    people = [(f"{PERSON}{person.id}", f"{person.display_name} ({person.get_role_display()})") for person in staff]
    roles = [(f"{ROLE}{role.value}", str(role.label)) for role in Role if role.value in TASK_ROLES]
    return [(str(_("A person")), people), (str(_("Anyone in a role")), roles)]


def offers(staff: list[Any], person: Any) -> bool:
    """Whether `person` is among the people offered (a default assignee must be one of them)."""
    return any(member.id == person.id for member in staff)


class AssigneeMixin:
    """`assignee` as chosen: (the person, "") or (None, the role)."""

    staff: dict[str, Any]

    def chosen_assignee(self) -> tuple[Any, str]:
        value = self.cleaned_data["assignee"]  # type: ignore[attr-defined]
        if value.startswith(PERSON):
            return self.staff[value.removeprefix(PERSON)], ""
        return None, value.removeprefix(ROLE)


class TaskForm(AssigneeMixin, forms.Form):
    title = forms.CharField(label=_("What needs doing"), max_length=200)
    details = forms.CharField(
        label=_("Details"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    assignee = forms.ChoiceField(label=_("For"), choices=[])
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)
    due_time = forms.TimeField(label=_("Due by (time)"), widget=TIME_INPUT, initial=time(17, 0))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.ROUTINE, widget=forms.RadioSelect
    )

    def __init__(
        self, *args: Any, staff: list[Any], time_zone: str, offered: list[Any] | None = None, **kwargs: Any
    ) -> None:
        """`staff`: whom the form can parse (the clinic's care staff; the service decides who may have the
        task); `offered`: the people listed (for a task about a patient, the patient's care team)."""
        super().__init__(*args, **kwargs)
        self.staff = {str(person.id): person for person in staff}
        self.time_zone = time_zone
        # No one chosen by default unless the page says whom: the browser would otherwise pick the first name.
        blank = ("", _("— choose —"))
        field = self.fields["assignee"]
        field.choices = [blank, *assignee_choices(staff)]  # type: ignore[attr-defined]
        field.widget.choices = [blank, *assignee_choices(staff if offered is None else offered)]

    def clean_due_on(self) -> date:
        day: date = self.cleaned_data["due_on"]
        if day < clock.local_date(clock.now(), self.time_zone):
            raise forms.ValidationError(_("A new task cannot be due in the past: choose today or a later day."))
        return day

    def due_at(self) -> datetime:
        day: date = self.cleaned_data["due_on"]
        at: time = self.cleaned_data["due_time"]
        return datetime.combine(day, at, tzinfo=ZoneInfo(self.time_zone))


class MoveTaskForm(forms.Form):
    to = forms.ChoiceField(choices=TaskStatus.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why is it cancelled?"), required=False, max_length=300)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class HandOnForm(AssigneeMixin, forms.Form):
    assignee = forms.ChoiceField(label=_("Hand on to"), choices=[])
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(person.id): person for person in staff}
        self.fields["assignee"].choices = assignee_choices(staff)  # type: ignore[attr-defined]


class TaskFilterForm(forms.Form):
    SHOW = (("mine", _("Mine and my role's")), ("team", _("All team tasks")))
    DUE = (("", _("Any time")), ("overdue", _("Overdue")), ("today", _("Due today")), ("later", _("Later")))
    show = forms.ChoiceField(label=_("Tasks"), choices=SHOW, required=False)
    due = forms.ChoiceField(label=_("Due"), choices=DUE, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", _("Any")), *TaskPriority.choices], required=False)
    closed = forms.BooleanField(label=_("Show done and cancelled"), required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Case review"))
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    at = forms.TimeField(label=_("Time"), widget=TIME_INPUT, initial=time(13, 0))

    def starts_at(self, time_zone: str) -> datetime:
        return datetime.combine(self.cleaned_data["on"], self.cleaned_data["at"], tzinfo=ZoneInfo(time_zone))


class AttendanceForm(forms.Form):
    attendees = forms.MultipleChoiceField(
        label=_("Who attended"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [  # type: ignore[attr-defined]
            (str(person.id), f"{person.display_name} ({person.get_role_display()})") for person in staff
        ]


class HeldForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes for the whole meeting"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    # Set on the confirmation page that lists the patients not discussed.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PrepareForm(forms.Form):
    """The flagged patients to put on the agenda (ticked by default), and others added by hand."""

    patients = forms.MultipleChoiceField(
        label=_("Flagged patients"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    extra = forms.ChoiceField(label=_("Add another patient"), choices=[], required=False)
    note = forms.CharField(label=_("Note for the team (for the patient added by hand)"), required=False, max_length=500)

    def __init__(
        self, *args: Any, candidates: list[tuple[str, str]], others: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patients"].choices = candidates  # type: ignore[attr-defined]
        self.fields["extra"].choices = [("", _("— none —")), *others]  # type: ignore[attr-defined]


class DiscussionForm(forms.Form):
    discussion = forms.CharField(
        label=_("What the team discussed"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )
    plan_change = forms.CharField(
        label=_("Change to the care plan (if any)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Agreed changes to the plan; the plan itself is edited on the Care plan tab."),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DecisionForm(TaskForm):
    """A decision someone has to carry out: a task about the patient, linked to the agenda item."""
