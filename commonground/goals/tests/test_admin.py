"""Administrators configure goal attainment scaling for their own clinic; clinical goals are not in the admin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin

from commonground.goals.models import GasReview, GasSettings, Goal, LadderEvent, Milestone, Value
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

PAGE = "/admin/goals/gassettings/"


def test_an_administrator_sets_weights_and_rho_for_their_own_clinic(administrator: Any, clinic: Any) -> None:
    client = signed_in(administrator)
    assert client.get(PAGE).status_code == 200
    added = client.post(f"{PAGE}add/", {"weighted": "on", "rho": "0.250"})
    assert added.status_code == 302
    settings = GasSettings.objects.get()
    assert (settings.organisation_id, settings.weighted, settings.rho) == (clinic.id, True, Decimal("0.250"))
    assert client.get(f"{PAGE}add/").status_code == 403  # one row per clinic: change it instead


@pytest.mark.parametrize("rho", ["1", "1.5", "-0.1"])
def test_rho_must_be_at_least_0_and_below_1(administrator: Any, clinic: Any, rho: str) -> None:
    page = signed_in(administrator).post(f"{PAGE}add/", {"rho": rho})
    assert page.status_code == 200 and "at least 0 and below 1" in page.content.decode()
    assert not GasSettings.objects.exists()


def test_another_clinics_settings_are_not_shown(administrator: Any, other_clinic: Any) -> None:
    theirs = GasSettings.objects.create(organisation=other_clinic, weighted=True)
    assert signed_in(administrator).get(f"{PAGE}{theirs.pk}/change/").status_code in {302, 404}


def test_clinicians_do_not_reach_it(coordinator: Any) -> None:
    assert signed_in(coordinator).get(PAGE).status_code in {302, 403, 404}


def test_clinical_records_are_not_in_the_admin() -> None:
    for model in (Value, Goal, Milestone, LadderEvent, GasReview):
        assert not admin.site.is_registered(model)
    assert admin.site.is_registered(GasSettings)
