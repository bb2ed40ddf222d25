"""The clinic's on-call rota (decision 0019): who is on call now, kept by the clinic's administrator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.careteam import selectors
from commonground.careteam.models import OnCallShift
from commonground.kit import clock
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def test_on_call_now_is_whoever_a_current_shift_names_in_this_clinic(
    clinic: Any, other_clinic: Any, therapist: Any, outsider: Any, foreign_clinician: Any
) -> None:
    now = clock.now()
    OnCallShift.objects.create(
        organisation=clinic, staff=therapist, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    OnCallShift.objects.create(
        organisation=clinic, staff=outsider, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=9)
    )
    OnCallShift.objects.create(
        organisation=other_clinic,
        staff=foreign_clinician,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    assert selectors.on_call_now(clinic.id, now) == [therapist]
    assert selectors.on_call_now(clinic.id, now + timedelta(hours=2)) == [outsider]
    assert [s.staff for s in selectors.on_call_rota(clinic.id, now)] == [therapist, outsider]


def test_an_inactive_account_is_never_on_call(clinic: Any, therapist: Any) -> None:
    now = clock.now()
    OnCallShift.objects.create(
        organisation=clinic, staff=therapist, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    therapist.is_active = False
    therapist.save()
    assert selectors.on_call_now(clinic.id, now) == []


def test_the_administrator_keeps_the_rota_of_their_own_clinic(
    clinic: Any, other_clinic: Any, administrator: Any, therapist: Any, foreign_clinician: Any, coordinator: Any
) -> None:
    now = clock.now()
    OnCallShift.objects.create(
        organisation=other_clinic,
        staff=foreign_clinician,
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        note="Hillside",
    )
    client = signed_in(administrator)
    form = client.get("/admin/careteam/oncallshift/add/")
    assert form.status_code == 200
    assert f'value="{therapist.id}"'.encode() in form.content or f'value="{therapist.pk}"'.encode() in form.content
    assert str(foreign_clinician.pk).encode() not in form.content and str(administrator.pk).encode() not in form.content
    start = now.astimezone().replace(tzinfo=None)
    added = client.post(
        "/admin/careteam/oncallshift/add/",
        {
            "staff": therapist.pk,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": "08:00:00",
            "ends_at_0": (start + timedelta(days=1)).strftime("%Y-%m-%d"),
            "ends_at_1": "08:00:00",
            "note": "Weekend",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert OnCallShift.objects.get(note="Weekend").organisation_id == clinic.id
    listing = client.get("/admin/careteam/oncallshift/")
    assert b"Hillside" not in listing.content
    backwards = client.post(
        "/admin/careteam/oncallshift/add/",
        {
            "staff": therapist.pk,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": "08:00:00",
            "ends_at_0": start.strftime("%Y-%m-%d"),
            "ends_at_1": "07:00:00",
        },
    )
    assert backwards.status_code == 200 and b"A shift ends after it starts" in backwards.content
    assert signed_in(coordinator).get("/admin/careteam/oncallshift/").status_code in {302, 403, 404}
