"""Two people acknowledging the same alert at once: exactly one acknowledgement is recorded; the other is told
who acknowledged it and when.

On PostgreSQL two threads, each with its own connection and transaction, really race: the second UPDATE waits
for the first one's row lock and then finds the alert no longer open. Their rows must be committed for both
connections to see them, so that test builds the few rows it needs without history or audit (the audit trail
is append-only) and removes them afterwards. On SQLite (one writer at a time) the same calls are interleaved.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections, transaction

from commonground.accounts.choices import AccountKind, Role
from commonground.accounts.models import Organisation, User
from commonground.kit import clock
from commonground.patients.models import Patient
from commonground.safety import services
from commonground.safety.choices import AlertStatus, StepKind
from commonground.safety.models import Alert, AlertStep

pytestmark = pytest.mark.django_db


def test_interleaved_acknowledgements_record_one_and_tell_the_second_who_and_when(
    urgent_alert: Any, coordinator: Any, therapist: Any
) -> None:
    # Both opened the page at the same version.
    alices = Alert.objects.get(pk=urgent_alert.pk)
    bobs = Alert.objects.get(pk=urgent_alert.pk)
    services.acknowledge(alices, by=coordinator, note="Phoned her: safe tonight", expected_version=alices.version)
    with pytest.raises(services.AlreadyAcknowledged) as refused:
        services.acknowledge(bobs, by=therapist, note="Texted her, no answer yet", expected_version=bobs.version)
    current = refused.value.current
    assert current.acknowledged_by == coordinator and current.acknowledged_at is not None
    assert current.acknowledgement_note == "Phoned her: safe tonight"
    stored = Alert.objects.get(pk=urgent_alert.pk)
    assert stored.status == AlertStatus.ACKNOWLEDGED and stored.acknowledged_by == coordinator
    assert AlertStep.objects.filter(alert=stored, kind=StepKind.ACKNOWLEDGED).count() == 1
    assert stored.history.filter(status=AlertStatus.ACKNOWLEDGED).count() == 1


def test_the_second_persons_note_can_be_added_to_the_alert(urgent_alert: Any, coordinator: Any, therapist: Any) -> None:
    services.acknowledge(urgent_alert, by=coordinator, note="Phoned her", expected_version=urgent_alert.version)
    step = services.add_note(urgent_alert, by=therapist, note="Texted her too; she answered")
    assert step.kind == StepKind.NOTE and step.by == therapist


def test_two_people_acknowledging_at_once_record_exactly_one(
    monkeypatch: pytest.MonkeyPatch, urgent_alert: Any, coordinator: Any, therapist: Any
) -> None:
    """Two threads on PostgreSQL; on SQLite, the same two calls interleaved at the database (both read the
    alert open, then both write)."""
    if connection.vendor == "postgresql":
        _two_threads_on_postgresql(monkeypatch)
        return
    first, second = Alert.objects.get(pk=urgent_alert.pk), Alert.objects.get(pk=urgent_alert.pk)
    assert first.is_open and second.is_open
    outcomes = []
    for alert, person in ((first, coordinator), (second, therapist)):
        try:
            services.acknowledge(alert, by=person, note=f"Done by {person.username}", expected_version=alert.version)
            outcomes.append("acknowledged")
        except services.AlreadyAcknowledged as refused:
            outcomes.append(f"refused: {refused.current.acknowledged_by.username}")
    assert outcomes == ["acknowledged", "refused: alice"]
    assert AlertStep.objects.filter(alert=urgent_alert, kind=StepKind.ACKNOWLEDGED).count() == 1


def _two_threads_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    # The audit trail is append-only: this test's committed rows must not write to it.
    monkeypatch.setattr(services, "record_patient_access", lambda *args, **kwargs: None)
    ids = _in_thread(_committed_alert)
    try:
        outcomes, blocked = _race(ids)
        assert blocked, "the second acknowledgement did not wait for the first one's row lock"
        assert outcomes == {"first": "acknowledged", "second": f"refused: {ids['first']}"}, outcomes
        alert = _in_thread(lambda: Alert.objects.get(pk=ids["alert"]))
        assert alert.status == AlertStatus.ACKNOWLEDGED and str(alert.acknowledged_by_id) == ids["first"]
        count = _in_thread(lambda: AlertStep.objects.filter(alert_id=ids["alert"], kind=StepKind.ACKNOWLEDGED).count())
        assert count == 1
    finally:
        _in_thread(lambda: _remove(ids))


def _in_thread(work: Any) -> Any:
    """Run `work` on a connection of its own (autocommit), outside the test's transaction."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as error:  # handed back to the test
            result["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _committed_alert() -> dict[str, str]:
    """The fewest rows an alert needs, without history rows or audit events."""
    tag = uuid.uuid4().hex[:8]
    clinic = Organisation.objects.create(name=f"Race clinic {tag}", slug=f"race-{tag}", time_zone="Europe/Amsterdam")
    people = [
        User.objects.create(
            username=f"race-{tag}-{n}", organisation=clinic, kind=AccountKind.STAFF, role=Role.CARE_COORDINATOR
        )
        for n in (1, 2)
    ]
    patient = Patient(
        organisation=clinic,
        record_number=f"R-{tag}",
        given_name="Test",
        family_name="Race",
        date_of_birth=date(1980, 1, 1),
        time_zone="Europe/Amsterdam",
    )
    Patient.objects.bulk_create([patient])
    alert = Alert(
        organisation=clinic,
        patient=patient,
        kind="critical_item",
        urgency="urgent",
        summary="race",
        source_type="race",
        source_id=tag,
        raised_at=clock.now(),
    )
    Alert.objects.bulk_create([alert])
    return {
        "clinic": str(clinic.id),
        "first": str(people[0].id),
        "second": str(people[1].id),
        "patient": str(patient.id),
        "alert": str(alert.id),
    }


def _race(ids: dict[str, str]) -> tuple[dict[str, str], bool]:
    first_wrote, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def acknowledge(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                alert = Alert.objects.get(pk=ids["alert"])
                person = User.objects.get(pk=ids[name])
                try:
                    services.acknowledge(alert, by=person, note=f"note of {name}", expected_version=alert.version)
                    outcomes[name] = "acknowledged"
                except services.AlreadyAcknowledged as refused:
                    outcomes[name] = f"refused: {refused.current.acknowledged_by_id}"
                if hold:
                    first_wrote.set()
                    release.wait(10)  # keep the row lock until the second one is waiting for it
        finally:
            connections.close_all()

    first = threading.Thread(target=acknowledge, args=("first", True))
    first.start()
    assert first_wrote.wait(10)
    second = threading.Thread(target=acknowledge, args=("second", False))
    second.start()
    second.join(timeout=0.5)
    blocked = second.is_alive()
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    return outcomes, blocked


def _remove(ids: dict[str, str]) -> None:
    AlertStep.objects.filter(alert_id=ids["alert"]).delete()
    Alert.history.filter(id=ids["alert"]).delete()
    Alert.objects.filter(pk=ids["alert"]).delete()
    Patient.objects.filter(pk=ids["patient"]).delete()
    User.objects.filter(pk__in=[ids["first"], ids["second"]]).delete()
    Organisation.objects.filter(pk=ids["clinic"]).delete()
