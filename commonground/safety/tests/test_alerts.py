"""Alerts: raised once per source, for the right people, acknowledged with a note."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.careteam.models import CareTeam
from commonground.kit.errors import DomainError, StaleEdit
from commonground.safety import selectors, services
from commonground.safety.choices import AlertStatus
from commonground.safety.models import Alert, CrisisResource

pytestmark = pytest.mark.django_db


def raise_one(patient: Any, source: str = "r1") -> Alert:
    return services.raise_critical_item_alert(patient, summary="PHQ-9 item 9 answered 2", response_id=source)


def test_a_rule_running_twice_raises_one_alert(patient_record: Any) -> None:
    first, second = raise_one(patient_record), raise_one(patient_record)
    assert first.id == second.id and Alert.objects.count() == 1


def test_without_coordinator_or_responsible_clinician_the_clinical_team_is_told(
    patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    CareTeam.objects.filter(patient=patient_record).update(care_coordinator=None, responsible_clinician=None)
    alert = raise_one(patient_record)
    assert set(alert.recipients.values_list("staff_id", flat=True)) == {coordinator.id, therapist.id}


def test_acknowledging_needs_a_note_and_the_current_version(patient_record: Any, coordinator: Any) -> None:
    alert = raise_one(patient_record)
    with pytest.raises(DomainError):
        services.acknowledge(alert, by=coordinator, note="  ", expected_version=alert.version)
    with pytest.raises(StaleEdit):
        services.acknowledge(alert, by=coordinator, note="Called her", expected_version=alert.version + 1)
    done = services.acknowledge(alert, by=coordinator, note="Called her; safe, plan agreed", expected_version=1)
    assert done.status == AlertStatus.ACKNOWLEDGED and done.acknowledged_by == coordinator
    with pytest.raises(DomainError, match="already"):
        services.acknowledge(done, by=coordinator, note="again", expected_version=done.version)


def test_open_alerts_are_counted_per_patient(patient_record: Any, other_patient_record: Any) -> None:
    raise_one(patient_record, "a")
    services.raise_deterioration_alert(patient_record, summary="worse", response_id="b")
    counts = selectors.open_alert_counts([patient_record.id, other_patient_record.id])
    assert counts[patient_record.id]["critical_item"] == 1
    assert counts[patient_record.id]["reliable_deterioration"] == 1
    assert counts[patient_record.id]["urgent"] == 1
    assert other_patient_record.id not in counts


def test_crisis_resources_in_the_patients_language_else_english(clinic: Any) -> None:
    CrisisResource.objects.create(organisation=clinic, name="Crisis line", phone="0800 0000", language="en")
    CrisisResource.objects.create(organisation=clinic, name="Crisislijn", phone="0800 1111", language="nl")
    assert [r.name for r in selectors.crisis_resources(clinic.id, "nl")] == ["Crisislijn"]
    assert [r.name for r in selectors.crisis_resources(clinic.id, "de")] == ["Crisis line"]


def test_administrators_keep_their_own_clinics_crisis_resources(
    clinic: Any, other_clinic: Any, administrator: Any, coordinator: Any
) -> None:
    from tests.personas import signed_in

    CrisisResource.objects.create(organisation=clinic, name="Riverside crisis line", phone="0800 0000")
    CrisisResource.objects.create(organisation=other_clinic, name="Hillside crisis line", phone="0800 2222")
    page = signed_in(administrator).get("/admin/safety/crisisresource/")
    assert page.status_code == 200
    assert b"Riverside crisis line" in page.content and b"Hillside crisis line" not in page.content
    added = signed_in(administrator).post(
        "/admin/safety/crisisresource/add/",
        {"name": "Night line", "phone": "0800 3333", "description": "", "language": "en", "position": 1},
    )
    assert added.status_code == 302
    assert CrisisResource.objects.get(name="Night line").organisation_id == clinic.id
    assert signed_in(coordinator).get("/admin/safety/crisisresource/").status_code in {302, 403, 404}
