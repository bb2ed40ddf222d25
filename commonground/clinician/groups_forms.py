"""Forms of the staff's group pages: programmes and their sessions, cohorts, enrolment, a session's attendance,
notes, practice and schedule, partners, the board and concerns. They parse and check input; the groups service
decides (capacity, who may be enrolled, who may be paired)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.clinician.forms import DATE_INPUT
from commonground.groups.choices import Attendance, EnrolmentSource, PostKind, ShownName

TEXT = forms.Textarea(attrs={"rows": 4})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

Choices = list[tuple[str, str]]


def _details(form: forms.Form, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names}


# --- programmes ---------------------------------------------------------------------------------------------------


class ProgrammeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("Name"), max_length=120)
    summary = forms.CharField(label=_("What members can expect"), max_length=2000, widget=TEXT, required=False)
    session_minutes = forms.IntegerField(label=_("Minutes per session"), min_value=15, max_value=240)
    days_between = forms.IntegerField(label=_("Days between sessions"), min_value=1, max_value=60)
    sessions_to_complete = forms.IntegerField(
        label=_("Sessions attended to complete the programme"),
        min_value=0,
        max_value=60,
        help_text=_("0 means half of the sessions, rounded up."),
    )
    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires before and after"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("In use (offered for new cohorts)"), required=False)

    FIELDS = ("name", "summary", "session_minutes", "days_between", "sessions_to_complete", "instruments", "active")

    def __init__(self, *args: Any, instruments: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = instruments  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        found = _details(self, self.FIELDS)
        found["instruments"] = list(found["instruments"])
        return found


class CurriculumSessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    topic = forms.CharField(label=_("Psychoeducation topic"), max_length=2000, widget=TEXT, required=False)
    skill = forms.CharField(label=_("Skill to practise"), max_length=200, required=False)
    home_practice = forms.CharField(label=_("Home practice"), max_length=200, required=False)
    home_practice_how = forms.CharField(
        label=_("How to practise at home"), max_length=2000, widget=SHORT_TEXT, required=False
    )
    library_item = forms.ChoiceField(label=_("Material from the library"), choices=[], required=False)

    FIELDS = ("title", "topic", "skill", "home_practice", "home_practice_how", "library_item")

    def __init__(self, *args: Any, library: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library_item"].choices = [("", _("None")), *library]  # type: ignore[attr-defined]

    def details(self) -> dict[str, Any]:
        return _details(self, self.FIELDS)


# --- cohorts ------------------------------------------------------------------------------------------------------


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Name of this group"), max_length=120)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=40)
    starts_on = forms.DateField(label=_("First session on"), widget=DATE_INPUT)
    session_time = forms.TimeField(label=_("Time of day"), widget=TIME_INPUT)
    session_minutes = forms.IntegerField(
        label=_("Minutes per session"),
        min_value=15,
        max_value=240,
        required=False,
        help_text=_("Leave empty for the programme's length."),
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), max_length=200, required=False, assume_scheme="https")
    facilitators = forms.MultipleChoiceField(label=_("Facilitators"), choices=[], widget=forms.CheckboxSelectMultiple)

    FIELDS = ("name", "capacity", "starts_on", "session_time", "session_minutes", "place", "online_link")

    def __init__(self, *args: Any, staff: Choices, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["starts_on"].widget = forms.DateInput(
            attrs={"type": "date", "min": today.isoformat()}, format="%Y-%m-%d"
        )
        self.fields["facilitators"].choices = staff  # type: ignore[attr-defined]
        self.fields["facilitators"].error_messages["required"] = _("Choose at least one facilitator.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data["starts_on"] < self.today:
            self.add_error("starts_on", _("The first session cannot be in the past. Choose today or a later day."))
        if not (data.get("place") or "").strip() and not data.get("online_link") and "online_link" not in self.errors:
            self.add_error("place", _("Say where the group meets, or give the online link."))
        return data

    def details(self) -> dict[str, Any]:
        found = _details(self, self.FIELDS)
        if found["session_minutes"] is None:
            del found["session_minutes"]
        return found


class CohortEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("Name of this group"), max_length=120)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=40)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), max_length=200, required=False, assume_scheme="https")

    FIELDS = ("name", "capacity", "place", "online_link")

    def changes(self) -> dict[str, Any]:
        return _details(self, self.FIELDS)


class FacilitatorForm(forms.Form):
    user = forms.ChoiceField(label=_("A colleague to facilitate this group"), choices=[])

    def __init__(self, *args: Any, staff: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = staff  # type: ignore[attr-defined]


class CohortStatusForm(forms.Form):
    """Start the group (finishing and cancelling each have a page of their own that says what happens)."""

    action = forms.ChoiceField(
        choices=[("start", _("Start")), ("finish", _("Finish")), ("cancel", _("Cancel"))], widget=forms.HiddenInput
    )


class FinishCohortForm(forms.Form):
    """Finishing is confirmed on a page of its own that says what happens."""

    confirmed = forms.BooleanField(widget=forms.HiddenInput, error_messages={"required": _("Confirm to finish.")})


class CancelCohortForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the group cancelled?"),
        max_length=300,
        help_text=_("The members are told the group will not take place, not why."),
        error_messages={"required": _("Say why the group is cancelled.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Say why the group is cancelled."))
        return reason


# --- enrolment ----------------------------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    """What an enrolment needs besides who and where: how they came, consent and what the others see of them."""

    source = forms.ChoiceField(label=_("How they came"), choices=EnrolmentSource.choices)
    shown_name = forms.ChoiceField(
        label=_("What the other members see of them"),
        choices=[
            (ShownName.FIRST_NAME.value, _("Their first name only")),
            (ShownName.INITIALS.value, _("Their initials only")),
            (ShownName.CHOSEN_NAME.value, _("A name they chose")),
        ],
        initial=ShownName.FIRST_NAME,
        help_text=_("Never their family name, record or health details. They can change this later themselves."),
    )
    chosen_name = forms.CharField(
        label=_("The name they chose"),
        max_length=40,
        required=False,
        help_text=_("Only when they chose to be shown by a name of their own."),
    )
    wants_partner = forms.BooleanField(label=_("They would like a peer partner"), required=False)
    consent_given = forms.BooleanField(
        label=_(
            "They agreed to take part in the group and to what the other members see of them "
            "(by default their first name only)."
        ),
        error_messages={"required": _("Their consent is needed: tick the box once they have agreed.")},
    )
    waiting_list_if_full = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("shown_name") == ShownName.CHOSEN_NAME and not (data.get("chosen_name") or "").strip():
            self.add_error("chosen_name", _("Write the name they chose, or choose another way to be shown."))
        return data

    def choices(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "consent_given": data["consent_given"],
            "shown_name": data["shown_name"],
            "chosen_name": (data["chosen_name"] or "").strip(),
            "wants_partner": data["wants_partner"],
            "waiting_list_if_full": data["waiting_list_if_full"],
        }


class EnrolForm(PlaceForm):
    """A coordinator or facilitator enrols one of the patients they may see."""

    patient = forms.ChoiceField(label=_("Patient"), choices=[])
    field_order = ("patient", "source", "shown_name", "chosen_name", "wants_partner", "consent_given")

    def __init__(self, *args: Any, patients: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "enrol_%s")
        super().__init__(*args, **kwargs)
        self.fields["patient"].choices = [("", _("Choose a patient")), *patients]  # type: ignore[attr-defined]
        self.fields["patient"].error_messages["required"] = _("Choose the patient to enrol.")


class OfferPlaceForm(PlaceForm):
    """The care team offers their patient a place in one of the clinic's groups (the chart's Groups tab)."""

    cohort = forms.ChoiceField(label=_("Group"), choices=[])
    field_order = ("cohort", "source", "shown_name", "chosen_name", "wants_partner", "consent_given")

    def __init__(self, *args: Any, cohorts: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "offer_%s")
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", _("Choose a group")), *cohorts]  # type: ignore[attr-defined]
        self.fields["cohort"].error_messages["required"] = _("Choose the group.")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are they leaving the group?"),
        max_length=300,
        error_messages={"required": _("Say why they are leaving the group.")},
    )


# --- a session ----------------------------------------------------------------------------------------------------

MARK_PREFIX = "mark_"
MARKS = [
    (Attendance.PRESENT.value, _("Present")),
    (Attendance.ABSENT_WITH_NOTICE.value, _("Absent with notice")),
    (Attendance.ABSENT.value, _("Absent")),
]


class AttendanceForm(forms.Form):
    """One choice per member, all in one form: present, absent with notice, absent."""

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for enrolment_id, name in members:
            field = forms.ChoiceField(label=name, choices=MARKS, widget=forms.RadioSelect)
            field.error_messages["required"] = _("Choose present, absent with notice or absent for %(name)s.") % {
                "name": name
            }
            self.fields[MARK_PREFIX + enrolment_id] = field

    def marks(self) -> dict[str, str]:
        return {name.removeprefix(MARK_PREFIX): value for name, value in self.cleaned_data.items()}


class SessionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note about the session"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("About the group as a whole; name no member here (a note about one member goes below)."),
    )
    skills_practised = forms.CharField(label=_("Skills practised"), max_length=400, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("note") or "").strip() and not (data.get("skills_practised") or "").strip():
            self.add_error("note", _("Write a note or the skills practised."))
        return data


class MemberNoteForm(forms.Form):
    enrolment = forms.ChoiceField(label=_("About"), choices=[])
    text = forms.CharField(
        label=_("Note"),
        max_length=6000,
        widget=TEXT,
        help_text=_("It becomes a clinical note in their record, seen by their care team."),
        error_messages={"required": _("Write the note.")},
    )

    def __init__(self, *args: Any, members: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "member_note_%s")
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [("", _("Choose a member")), *members]  # type: ignore[attr-defined]
        self.fields["enrolment"].error_messages["required"] = _("Choose the member the note is about.")


class ChangeMemberNoteForm(forms.Form):
    """The author changes their note about a member (versioned, with a reason)."""

    note = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("Note"), max_length=6000, widget=TEXT, error_messages={"required": _("Write the note.")}
    )
    reason = forms.CharField(
        label=_("Why does it change?"), max_length=300, error_messages={"required": _("Say why the note changes.")}
    )


class MemberNoteInErrorForm(forms.Form):
    """The author marks their note as entered in error (it leaves the record's view, stays in its history)."""

    note = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Why was it entered in error?"),
        max_length=300,
        error_messages={"required": _("Please say why this note was entered in error.")},
    )


class SessionPracticeForm(forms.Form):
    library_item = forms.ChoiceField(label=_("From the library"), choices=[], required=False)
    title = forms.CharField(
        label=_("Or your own: what to practise"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the library item's title."),
    )
    instructions = forms.CharField(label=_("How"), max_length=2000, required=False, widget=SHORT_TEXT)
    how_often = forms.CharField(
        label=_("How often"), max_length=120, required=False, help_text=_("For example: twice a day, 5 minutes.")
    )
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT, required=False)

    FIELDS = ("library_item", "title", "instructions", "how_often", "ends_on")

    def __init__(self, *args: Any, library: Choices, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "practice_%s")
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["library_item"].choices = [("", _("Not from the library")), *library]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("library_item") and not (data.get("title") or "").strip():
            self.add_error("title", _("Choose a library item or write what to practise."))
        if data.get("ends_on") and data["ends_on"] < self.today:
            self.add_error("ends_on", _("The end cannot be in the past."))
        return data

    def details(self) -> dict[str, Any]:
        found = _details(self, self.FIELDS)
        found["title"] = found["title"].strip()
        return found


class RescheduleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    on = forms.DateField(label=_("New date"), widget=DATE_INPUT)
    at = forms.TimeField(label=_("New time"), widget=TIME_INPUT)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), max_length=200, required=False, assume_scheme="https")
    reason = forms.CharField(
        label=_("Why does it move?"),
        max_length=300,
        help_text=_("For the record; members are told only that the time changed."),
        error_messages={"required": _("Say why the session moves.")},
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reschedule_%s")
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["on"].widget = forms.DateInput(attrs={"type": "date", "min": today.isoformat()}, format="%Y-%m-%d")

    def clean_on(self) -> date:
        on: date = self.cleaned_data["on"]
        if on < self.today:
            raise forms.ValidationError(_("A session cannot move to a day in the past."))
        return on

    def when(self) -> tuple[date, time]:
        return self.cleaned_data["on"], self.cleaned_data["at"]


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the session cancelled?"),
        max_length=300,
        error_messages={"required": _("Say why the session is cancelled.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)


# --- partners, board, concerns ------------------------------------------------------------------------------------


class ProposePairingForm(forms.Form):
    first = forms.ChoiceField(label=_("First member"), choices=[])
    second = forms.ChoiceField(label=_("Second member"), choices=[])
    asked = forms.BooleanField(
        label=_("I have asked them both, and both would like to be suggested as partners."),
        required=False,
        help_text=_("Needed when one of them did not ask for a partner."),
    )

    def __init__(self, *args: Any, members: Choices, not_wanting: dict[str, str], **kwargs: Any) -> None:
        """`not_wanting`: enrolment id -> name of the members who did not ask for a partner."""
        super().__init__(*args, **kwargs)
        self.not_wanting = not_wanting
        for name in ("first", "second"):
            self.fields[name].choices = [("", _("Choose a member")), *members]  # type: ignore[attr-defined]
            self.fields[name].error_messages["required"] = _("Choose two members.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", _("Choose two different members."))
            return data
        unasked = [self.not_wanting[key] for key in (data.get("first"), data.get("second")) if key in self.not_wanting]
        if unasked and not data.get("asked"):
            self.add_error(
                "asked",
                _(
                    "%(names)s did not ask for a partner. Tick the box once you have asked them both and they "
                    "would like it."
                )
                % {"names": _(" and ").join(unasked)},
            )
        return data


class BoardPostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(PostKind.ANNOUNCEMENT.value, _("Announcement")), (PostKind.MATERIAL.value, _("Material"))],
    )
    text = forms.CharField(
        label=_("Text"), max_length=2000, widget=TEXT, error_messages={"required": _("Write the post.")}
    )
    link = forms.URLField(label=_("Link"), max_length=200, required=False, assume_scheme="https")
    library_item = forms.ChoiceField(label=_("From the library"), choices=[], required=False)

    def __init__(self, *args: Any, library: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library_item"].choices = [("", _("None")), *library]  # type: ignore[attr-defined]


class HidePostForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hide it?"),
        max_length=300,
        error_messages={"required": _("Say why the post is hidden.")},
    )


class AnswerConcernForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=2000, widget=TEXT, error_messages={"required": _("Write your answer.")}
    )
