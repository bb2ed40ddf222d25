"""The patient registry: demographics, identifiers, care episodes, consents and supporters."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.kit.models import ClinicalRecord
from commonground.patients.choices import (
    ConsentScope,
    EducationLevel,
    Gender,
    IdentifierSystem,
    Language,
    PatientStatus,
    Sex,
)


def age_on(born: date, day: date) -> int:
    """Age in whole years on `day` (a birthday on 29 February counts from 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Patient(ClinicalRecord):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="patient"
    )
    record_number = models.CharField(_("record number"), max_length=20)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    education_level = models.CharField(
        _("education level"), max_length=20, choices=EducationLevel.choices, default=EducationLevel.UNKNOWN
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64)
    main_symptoms = models.JSONField(_("main symptoms"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PatientStatus.choices, default=PatientStatus.REFERRED)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "record_number"], name="unique_record_number")]
        indexes = [models.Index(fields=["organisation", "family_name", "given_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)


class PatientIdentifier(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="identifiers")
    system = models.CharField(_("kind"), max_length=20, choices=IdentifierSystem.choices)
    value = models.CharField(_("number"), max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "system", "value"],
                condition=models.Q(record_status="active"),
                name="unique_identifier_in_use",
            )
        ]


class CareEpisode(ClinicalRecord):
    """One stretch of integrated care: gives "weeks in care" and "end of therapy" their meaning."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    reason_for_care = models.CharField(_("reason for care"), max_length=300, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "started_on"])]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class Consent(ClinicalRecord):
    """One consent model for every purpose: its scope, the text version agreed to, given and withdrawn.

    `scope_reference` narrows a scope to one thing (a supporter's id, a study's id, a group's id).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(_("what for"), max_length=30, choices=ConsentScope.choices)
    scope_reference = models.CharField(max_length=64, blank=True)
    text_version = models.CharField(_("version of the text agreed to"), max_length=40)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawal_note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "scope", "scope_reference"])]

    @property
    def is_in_force(self) -> bool:
        return self.withdrawn_at is None and not self.is_entered_in_error


class Supporter(ClinicalRecord):
    """A family member or friend, recorded only while the patient's consent to it is in force."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="supporters")
    consent = models.OneToOneField(Consent, on_delete=models.PROTECT, related_name="supporter")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship to the patient"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
