"""The escalation rules in the administration site: the clinic's own rules only, parameters checked per kind,
no rule added or deleted (every kind exists for every clinic; a rule is switched off instead)."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.coordination.choices import RuleKind
from commonground.coordination.models import EscalationRule
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def change_url(rule: EscalationRule) -> str:
    return f"/admin/coordination/escalationrule/{rule.id}/change/"


def test_an_administrator_edits_the_numbers_and_a_wrong_one_is_refused(clinic: Any, administrator: Any) -> None:
    rule = EscalationRule.objects.get(organisation=clinic, kind=RuleKind.NO_DIARY)
    client = signed_in(administrator)
    assert client.get(change_url(rule)).status_code == 200
    wrong = client.post(change_url(rule), {"enabled": "on", "parameters": '{"days": 0}', "description": "x"})
    assert wrong.status_code == 200 and b"above 0" in wrong.content
    rule.refresh_from_db()
    assert rule.parameters["days"] == 14
    right = client.post(change_url(rule), {"enabled": "on", "parameters": '{"days": 21}', "description": "Three weeks"})
    assert right.status_code == 302
    rule.refresh_from_db()
    assert (rule.parameters["days"], rule.parameters["due_within_days"], rule.description) == (21, 2, "Three weeks")


def test_other_clinics_rules_and_clinicians_are_kept_out(
    clinic: Any, other_clinic: Any, administrator: Any, coordinator: Any
) -> None:
    foreign = EscalationRule.objects.filter(organisation=other_clinic).first()
    assert signed_in(administrator).get(change_url(foreign)).status_code in (302, 404)
    assert signed_in(administrator).get("/admin/coordination/escalationrule/add/").status_code == 403
    assert signed_in(coordinator).get("/admin/coordination/escalationrule/").status_code in (302, 403, 404)
