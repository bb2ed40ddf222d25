"""The demo clinic's safety net: an on-call rota covering now, six safety plans (the demo patient's with three
versions, which the portal shows), alerts sent on and acknowledged, one left open; nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commonground.accounts.models import Organisation, User
from commonground.careteam import selectors as team_selectors
from commonground.coordination import rules as escalation_rules
from commonground.coordination.choices import RuleKind
from commonground.coordination.workinghours import WorkingHours, add_working_time
from commonground.demo.seed import DEMO_SLUG, SeedResult
from commonground.kit import clock
from commonground.safety.choices import AlertKind, AlertStatus, StepKind
from commonground.safety.models import Alert, AlertStep, CrisisResource, SafetyPlan, SafetyPlanVersion
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


def test_alerts_are_sent_on_when_the_escalation_rule_would_send_them(demo_clinic: SeedResult) -> None:
    """Counted in working hours (4, Monday to Friday 08:00-17:00 in the clinic's time zone), as the rules job does:
    never at 07:22 for an alert raised at 03:22."""
    clinic = Organisation.objects.get(slug=DEMO_SLUG)
    hours = WorkingHours.of(escalation_rules.defaults(RuleKind.UNACKNOWLEDGED_ALERT), clinic.time_zone)
    now = clock.now()
    checked = 0
    for alert in Alert.objects.filter(organisation=clinic, kind=AlertKind.CONCERN):
        steps = list(AlertStep.objects.filter(alert=alert).order_by("at", "created_at"))
        since = alert.raised_at
        for step in steps:
            assert step.at <= now
            if step.kind == StepKind.ESCALATED:
                assert step.at == add_working_time(since, timedelta(hours=4), hours), (alert.summary, step.level)
                since = step.at
                checked += 1
            elif step.kind == StepKind.ACKNOWLEDGED:
                assert step.at > since  # acknowledged after the last step, not before it
        if alert.is_open and alert.escalation_level == 0:
            assert add_working_time(alert.raised_at, timedelta(hours=4), hours) > now  # not due yet
    assert checked >= 3


def test_the_care_team_has_its_own_number_and_the_clinics_hours_in_the_safety_plans(demo_clinic: SeedResult) -> None:
    crisis = set(CrisisResource.objects.exclude(phone="").values_list("phone", flat=True))
    for plan in SafetyPlan.objects.filter(organisation__slug=DEMO_SLUG):
        current = SafetyPlanVersion.objects.get(plan=plan, number=plan.version)
        phones = [contact["phone"] for contact in current.help_contacts + current.professionals if contact["phone"]]
        assert len(phones) == len(set(phones)), phones  # no number listed twice
        team = current.professionals[0]
        assert "care team" in team["name"] and "08:00-17:00" in team["name"]
        assert team["phone"].startswith("555-01") and team["phone"] not in crisis
