"""Forms of the clinician's pages. They parse and check input; the domains' services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.accounts.models import User
from commonground.kit.clock import time_zone_choices
from commonground.patients.choices import (
    ConsentScope,
    EducationLevel,
    Gender,
    IdentifierSystem,
    Language,
    PatientStatus,
    Sex,
)
from commonground.patients.symptoms import symptom_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PatientDetailsForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("Not recorded")), *Gender.choices], required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.ENGLISH
    )
    education_level = forms.ChoiceField(
        label=_("Education level"), choices=EducationLevel.choices, initial=EducationLevel.UNKNOWN
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[])
    main_symptoms = forms.MultipleChoiceField(
        label=_("Main symptoms"),
        choices=symptom_choices(),
        required=False,
        help_text=_("ICPC-2 codes. Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]


class RegisterPatientForm(PatientDetailsForm):
    care_consent_version = forms.CharField(
        label=_("Consent to care: version of the text agreed to"),
        max_length=40,
        required=False,
        help_text=_("Leave empty if the patient has not yet agreed to integrated care."),
    )
    start_episode = forms.BooleanField(label=_("Start a care episode today"), required=False)


class EditPatientForm(PatientDetailsForm):
    status = forms.ChoiceField(label=_("Status"), choices=PatientStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why is the record changed?"), max_length=200)


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} — {obj.get_role_display()}"


class AddMemberForm(forms.Form):
    staff = StaffChoiceField(label=_("Colleague"), queryset=User.objects.none())

    def __init__(self, *args: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = clinicians  # type: ignore[attr-defined]


class TeamRolesForm(forms.Form):
    care_coordinator = StaffChoiceField(label=_("Care coordinator"), queryset=User.objects.none())
    responsible_clinician = StaffChoiceField(
        label=_("Responsible clinician"), queryset=User.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)

    def __init__(self, *args: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_coordinator"].queryset = clinicians  # type: ignore[attr-defined]
        self.fields["responsible_clinician"].queryset = clinicians  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Consent to"), choices=[c for c in ConsentScope.choices if c[0] != ConsentScope.SUPPORTER_SHARING]
    )
    text_version = forms.CharField(label=_("Version of the text agreed to"), max_length=40)
    scope_reference = forms.CharField(label=_("For which study or group (if any)"), max_length=64, required=False)


class SupporterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relationship = forms.CharField(label=_("Relationship to the patient"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    text_version = forms.CharField(label=_("Version of the sharing consent text agreed to"), max_length=40)
    patient_agrees = forms.BooleanField(
        label=_("The patient agrees that this supporter is recorded and may be contacted")
    )


class EpisodeStartForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=DATE_INPUT)
    reason_for_care = forms.CharField(label=_("Reason for care"), max_length=300, required=False)


class EpisodeEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE_INPUT)
    end_reason = forms.CharField(label=_("Reason for ending"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class IdentifierForm(forms.Form):
    system = forms.ChoiceField(
        label=_("Kind of number"),
        choices=[c for c in IdentifierSystem.choices if c[0] != IdentifierSystem.RECORD_NUMBER],
    )
    value = forms.CharField(label=_("Number"), max_length=64)


class VersionedActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Find a patient"), max_length=100, required=False)
    coordinating = forms.BooleanField(label=_("Only patients I coordinate"), required=False)
