"""Sending an unacknowledged alert on (decision 0019): level 1 to the responsible clinician, level 2 to whoever
is on call, else the clinic's clinicians with emergency access; once per level; never after acknowledgement;
e-mails that say nothing clinical."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.careteam.models import CareTeam, OnCallShift
from commonground.kit import clock
from commonground.notifications.models import OutgoingEmail
from commonground.notifications.transports import MemoryTransport
from commonground.safety import selectors, services
from commonground.safety.choices import EscalationLevel, StepKind, StepReason
from commonground.safety.models import AlertStep
from tests.personas import make_staff

pytestmark = pytest.mark.django_db


def steps(alert: Any) -> list[tuple[str, int, str]]:
    return [(step.kind, step.level, step.detail) for step in AlertStep.objects.filter(alert=alert).order_by("at")]


def test_raising_records_the_first_step_and_the_open_urgent_alerts_list_it(urgent_alert: Any, clinic: Any) -> None:
    assert steps(urgent_alert) == [(StepKind.RAISED, 0, StepReason.CARE_TEAM)]
    found = selectors.open_urgent_alerts(clinic.id)
    assert [a.id for a in found] == [urgent_alert.id]
    assert found[0].escalation_level == 0 and found[0].escalated_at is None and found[0].raised_at


def test_level_1_goes_to_the_responsible_clinician_once(urgent_alert: Any, therapist: Any) -> None:
    later = urgent_alert.raised_at + timedelta(hours=4)
    OutgoingEmail.objects.all().delete()
    assert services.escalate_alert(urgent_alert, to_level=1, now=later) is True
    assert services.escalate_alert(urgent_alert, to_level=1, now=later + timedelta(minutes=5)) is False
    urgent_alert.refresh_from_db()
    assert urgent_alert.escalation_level == 1 and urgent_alert.escalated_at == later
    assert steps(urgent_alert)[-1] == (StepKind.ESCALATED, 1, StepReason.RESPONSIBLE_CLINICIAN)
    assert AlertStep.objects.get(alert=urgent_alert, level=1).sent_to == [therapist.display_name]
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["bob@riverside.test"]


def test_level_2_goes_to_whoever_is_on_call_now(urgent_alert: Any, clinic: Any, psychiatrist: Any) -> None:
    on_call = make_staff(clinic, "olga", "psychologist", email="olga@riverside.test")
    now = clock.now()
    OnCallShift.objects.create(
        organisation=clinic, staff=on_call, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6)
    )
    OnCallShift.objects.create(  # yesterday's shift is over
        organisation=clinic, staff=psychiatrist, starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=2)
    )
    assert services.escalate_alert(urgent_alert, to_level=1, now=now)
    assert services.escalate_alert(urgent_alert, to_level=2, now=now + timedelta(hours=4))
    step = AlertStep.objects.get(alert=urgent_alert, level=2)
    assert step.sent_to == ["Olga"] and step.detail == StepReason.ON_CALL
    assert urgent_alert.recipients.filter(staff=on_call, level=2).exists()
    assert services.escalate_alert(urgent_alert, to_level=2, now=now + timedelta(hours=5)) is False
    assert services.escalate_alert(urgent_alert, to_level=1, now=now + timedelta(hours=5)) is False


def test_with_nobody_on_call_the_clinicians_with_emergency_access_are_told_and_the_step_says_so(
    urgent_alert: Any, psychiatrist: Any, foreign_clinician: Any
) -> None:
    foreign_clinician.can_break_glass = True
    foreign_clinician.save()
    assert services.escalate_alert(urgent_alert, to_level=2, now=clock.now())
    step = AlertStep.objects.get(alert=urgent_alert, level=2)
    assert step.sent_to == [psychiatrist.display_name]  # never another clinic's
    assert step.detail == StepReason.NOBODY_ON_CALL
    assert "emergency access" in str(StepReason(step.detail).label)


def test_with_nobody_on_call_and_no_emergency_access_the_care_team_is_told(urgent_alert: Any) -> None:
    assert services.escalate_alert(urgent_alert, to_level=2, now=clock.now())
    step = AlertStep.objects.get(alert=urgent_alert, level=2)
    assert set(step.sent_to) == {"Alice", "Bob"} and step.detail == StepReason.NOBODY_ON_CALL_OR_EMERGENCY


def test_without_a_responsible_clinician_level_1_goes_to_the_on_call_role(
    urgent_alert: Any, patient_record: Any, psychiatrist: Any
) -> None:
    CareTeam.objects.filter(patient=patient_record).update(responsible_clinician=None)
    assert services.escalate_alert(urgent_alert, to_level=1, now=clock.now())
    step = AlertStep.objects.get(alert=urgent_alert, level=1)
    assert step.sent_to == [psychiatrist.display_name] and step.detail == StepReason.NO_RESPONSIBLE_CLINICIAN


def test_acknowledging_stops_any_further_step(urgent_alert: Any, coordinator: Any) -> None:
    services.acknowledge(urgent_alert, by=coordinator, note="Called her; safe", expected_version=urgent_alert.version)
    assert services.escalate_alert(urgent_alert, to_level=1, now=clock.now()) is False
    assert selectors.open_urgent_alerts(urgent_alert.organisation_id) == []
    assert not AlertStep.objects.filter(alert=urgent_alert, kind=StepKind.ESCALATED).exists()


def test_an_alert_sent_on_can_still_be_acknowledged_with_the_version_the_page_showed(
    urgent_alert: Any, coordinator: Any
) -> None:
    shown = urgent_alert.version
    services.escalate_alert(urgent_alert, to_level=1, now=clock.now())
    done = services.acknowledge(urgent_alert, by=coordinator, note="Seen her in clinic", expected_version=shown)
    assert done.status == "acknowledged" and done.escalation_level == 1


def test_only_levels_1_and_2_exist(urgent_alert: Any) -> None:
    for level in (0, 3):
        with pytest.raises(ValueError, match="level 1 or 2"):
            services.escalate_alert(urgent_alert, to_level=level, now=clock.now())


def test_the_e_mails_carry_no_clinical_content(
    urgent_alert: Any, patient_record: Any, psychiatrist: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Delivered after commit through the in-memory transport: a notice to sign in, nothing about the patient."""
    psychiatrist.email = "dev@riverside.test"
    psychiatrist.save()
    MemoryTransport.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_alert(urgent_alert, to_level=EscalationLevel.RESPONSIBLE_CLINICIAN, now=clock.now())
        services.escalate_alert(urgent_alert, to_level=EscalationLevel.ON_CALL, now=clock.now())
        assert MemoryTransport.outbox == []  # nothing leaves before the transaction commits
    sent = list(MemoryTransport.outbox)
    assert {m.to for m in sent} == {"bob@riverside.test", "dev@riverside.test"}
    forbidden = ["Ada", "Lovelace", "PHQ", "item 9", "nearly every day", patient_record.record_number]
    for message in sent:
        for word in forbidden:
            assert word not in message.subject and word not in message.body, (word, message.subject)
        assert "/clinician/alerts/" in message.body and "not been acknowledged" in message.subject
