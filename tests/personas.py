"""The people every test can use (after healthchecks' Alice, Bob and Charlie).

In the Riverside clinic:
- `coordinator` (Alice) coordinates `patient_record`'s care team;
- `therapist` (Bob) is on that care team;
- `outsider` (Carol, physiotherapist) is staff in the same clinic but on no care team;
- `psychiatrist` (Dev) may use emergency access and is on no care team;
- `administrator` and `privacy_officer` see no clinical data;
- `patient_user` is the patient of `patient_record`; `other_patient_user` is another patient.
In the Hillside clinic, `foreign_clinician` coordinates `foreign_patient`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.choices import AccountKind, Role
from commonground.accounts.models import Organisation, User
from commonground.careteam import services as team_services
from commonground.patients import services as patient_services
from commonground.patients.models import Patient

PASSWORD = "a-long-test-passphrase"


def make_staff(organisation: Organisation, username: str, role: str, **fields: Any) -> User:
    return User.objects.create_user(
        username,
        PASSWORD,
        organisation=organisation,
        display_name=username.title(),
        kind=AccountKind.STAFF,
        role=role,
        is_staff=role == Role.ADMINISTRATOR,
        **fields,
    )


def make_patient(
    organisation: Organisation, coordinator: User, *, given: str = "Ada", family: str = "Lovelace", **details: Any
) -> Patient:
    values = {"given_name": given, "family_name": family, "date_of_birth": date(1980, 5, 17), "sex": "female"}
    values.update(details)
    patient = patient_services.register_patient(organisation=organisation, details=values)
    team_services.form_care_team(patient, coordinator=coordinator)
    return patient


def make_patient_user(organisation: Organisation, patient: Patient, username: str) -> User:
    user = User.objects.create_user(
        username, PASSWORD, organisation=organisation, display_name=patient.display_name, kind=AccountKind.PATIENT
    )
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clinic(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Riverside test clinic", slug="riverside-test", time_zone="Europe/Amsterdam"
    )


@pytest.fixture
def other_clinic(db: Any) -> Organisation:
    return Organisation.objects.create(name="Hillside clinic", slug="hillside", time_zone="America/New_York")


@pytest.fixture
def coordinator(clinic: Organisation) -> User:
    return make_staff(clinic, "alice", Role.CARE_COORDINATOR)


@pytest.fixture
def therapist(clinic: Organisation) -> User:
    return make_staff(clinic, "bob", Role.PSYCHOSOMATIC_THERAPIST)


@pytest.fixture
def outsider(clinic: Organisation) -> User:
    return make_staff(clinic, "carol", Role.PHYSIOTHERAPIST)


@pytest.fixture
def psychiatrist(clinic: Organisation) -> User:
    return make_staff(clinic, "dev", Role.PSYCHIATRIC_CONSULTANT, can_break_glass=True)


@pytest.fixture
def administrator(clinic: Organisation) -> User:
    return make_staff(clinic, "erin", Role.ADMINISTRATOR)


@pytest.fixture
def privacy_officer(clinic: Organisation) -> User:
    return make_staff(clinic, "frank", Role.PRIVACY_OFFICER)


@pytest.fixture
def patient_record(clinic: Organisation, coordinator: User, therapist: User) -> Patient:
    patient = make_patient(clinic, coordinator)
    team_services.add_member(patient, staff=therapist)
    return patient


@pytest.fixture
def patient_user(clinic: Organisation, patient_record: Patient) -> User:
    return make_patient_user(clinic, patient_record, "ada")


@pytest.fixture
def other_patient_record(clinic: Organisation, coordinator: User) -> Patient:
    return make_patient(clinic, coordinator, given="Grace", family="Hopper")


@pytest.fixture
def other_patient_user(clinic: Organisation, other_patient_record: Patient) -> User:
    return make_patient_user(clinic, other_patient_record, "grace")


@pytest.fixture
def foreign_clinician(other_clinic: Organisation) -> User:
    return make_staff(other_clinic, "hal", Role.CARE_COORDINATOR)


@pytest.fixture
def foreign_patient(other_clinic: Organisation, foreign_clinician: User) -> Patient:
    return make_patient(other_clinic, foreign_clinician, given="Iris", family="Murdoch")


@pytest.fixture(autouse=True)
def fresh_audit_context() -> Any:
    """Each test is its own "request" for the audit trail's one-event-per-patient rule."""
    from commonground.audit import context as audit_context

    token = audit_context.begin(audit_context.AuditContext(request_id="test"))
    yield
    audit_context.end(token)
