"""The demo clinic: deterministic, plausible, every role, and safe to load twice."""

from __future__ import annotations

import random

import pytest

from commonground.accounts.choices import Role
from commonground.accounts.models import User
from commonground.audit.models import AuditEvent
from commonground.coordination.models import CaseReviewFlag
from commonground.demo.seed import GIVEN, PATIENT_COUNT, SEED, SeedResult, load_demo_clinic
from commonground.measures.models import MeasurementPlan, RegistrySettings, Response, ScheduledMeasure
from commonground.patients.choices import PatientStatus
from commonground.patients.models import CareEpisode, Consent, Patient
from commonground.safety.models import Alert, CrisisResource

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, ...]:
    models = (
        User,
        Patient,
        CareEpisode,
        Consent,
        MeasurementPlan,
        ScheduledMeasure,
        Response,
        Alert,
        CaseReviewFlag,
        CrisisResource,
        RegistrySettings,
        AuditEvent,
    )
    return tuple(model.objects.count() for model in models)


def test_the_demo_clinic_loads_once_and_a_second_run_changes_nothing(demo_clinic: SeedResult):
    counts = _snapshot()
    second = load_demo_clinic()
    assert demo_clinic.created and not second.created
    assert _snapshot() == counts
    assert Patient.objects.count() == PATIENT_COUNT >= 60
    assert Response.objects.count() > 1000 and Alert.objects.count() >= 2 and MeasurementPlan.objects.count() > 40


def test_every_staff_role_has_a_demo_login(demo_clinic: SeedResult):
    assert set(Role.values) <= set(User.objects.values_list("role", flat=True))
    assert User.objects.filter(username__in=["patient", "patient2"], patient__isnull=False).count() == 2


def test_histories_span_several_months_and_all_statuses(demo_clinic: SeedResult):
    starts = sorted(CareEpisode.objects.values_list("started_on", flat=True))
    assert (starts[-1] - starts[0]).days > 120
    assert set(Patient.objects.values_list("status", flat=True)) == set(PatientStatus.values)


def test_the_same_seed_gives_the_same_clinic(demo_clinic: SeedResult):
    names = list(Patient.objects.order_by("record_number").values_list("given_name", "family_name", "date_of_birth"))
    assert names[0][0] and len(set(names)) > 50
    # The generator is seeded: the first patient is always the same person (relative to today).
    rng = random.Random(SEED)
    expected_sex = "female" if rng.random() < 0.68 else "male"
    assert names[0][0] in GIVEN[expected_sex]
