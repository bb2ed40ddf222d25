"""The demo clinic's safety net: an on-call rota covering now, six safety plans (the demo patient's with three
versions, which the portal shows), alerts sent on and acknowledged, one left open; nothing twice."""

from __future__ import annotations

import pytest

from commonground.accounts.models import User
from commonground.careteam import selectors as team_selectors
from commonground.demo.seed import DEMO_SLUG, SeedResult
from commonground.kit import clock
from commonground.safety.choices import AlertStatus, StepKind
from commonground.safety.models import Alert, AlertStep, SafetyPlan, SafetyPlanVersion
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def test_someone_is_on_call_now(demo_clinic: SeedResult) -> None:
    clinic = User.objects.get(username="coordinator").organisation_id
    assert len(team_selectors.on_call_now(clinic, clock.now())) == 1


def test_six_safety_plans_and_the_demo_patient_sees_the_third_version(demo_clinic: SeedResult) -> None:
    assert SafetyPlan.objects.filter(organisation__slug=DEMO_SLUG).count() == 6
    patient = User.objects.get(username="patient")
    plan = SafetyPlan.objects.get(patient__user=patient)
    assert plan.version == 3 and SafetyPlanVersion.objects.filter(plan=plan).count() == 3
    page = signed_in(patient).get("/portal/safety-plan/")
    assert page.status_code == 200 and b"Warning signs" in page.content and b"555-01" in page.content


def test_alerts_were_sent_on_and_acknowledged_and_one_waits(demo_clinic: SeedResult) -> None:
    alerts = Alert.objects.filter(organisation__slug=DEMO_SLUG)
    assert alerts.filter(escalation_level__gte=1).exists()
    assert alerts.filter(status=AlertStatus.ACKNOWLEDGED).exists()
    assert alerts.filter(status=AlertStatus.OPEN, urgency="urgent").exists()
    assert AlertStep.objects.filter(kind=StepKind.ACKNOWLEDGED, alert__in=alerts).exists()
