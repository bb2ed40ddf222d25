"""Administrators see and retire their own clinic's programmes; no member data is in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from commonground.groups import services
from commonground.groups.models import (
    ActionStep,
    AttendanceRecord,
    CheckIn,
    Cohort,
    Concern,
    Enrolment,
    Pairing,
    Programme,
)
from tests.personas import make_staff, signed_in

pytestmark = pytest.mark.django_db

PAGE = "/admin/groups/programme/"


def test_an_administrator_retires_their_clinics_programme(administrator: Any, programme: Programme) -> None:
    client = signed_in(administrator)
    assert client.get(PAGE).status_code == 200
    changed = client.post(f"{PAGE}{programme.pk}/change/", {"name": "Living well", "summary": "", "active": ""})
    assert changed.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.active, programme.version) == ("Living well", False, 2)
    assert client.get(f"{PAGE}add/").status_code == 403


def test_another_clinics_programme_is_not_shown(administrator: Any, other_clinic: Any) -> None:
    from commonground.accounts.choices import Role

    theirs = services.create_programme_from_template(
        other_clinic, by=make_staff(other_clinic, "otto", Role.GROUP_FACILITATOR)
    )
    assert signed_in(administrator).get(f"{PAGE}{theirs.pk}/change/").status_code in {302, 404}


def test_clinicians_do_not_reach_it(facilitator: Any) -> None:
    assert signed_in(facilitator).get(PAGE).status_code in {302, 403, 404}


def test_member_records_are_not_in_the_admin() -> None:
    for model in (Cohort, Enrolment, AttendanceRecord, ActionStep, Pairing, CheckIn, Concern):
        assert not admin.site.is_registered(model)
