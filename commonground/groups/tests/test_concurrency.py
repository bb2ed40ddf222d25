"""Capacity under concurrency: coordinators booking the last place at once. Exactly one gets it; every other
gets `CohortFull` with a clear message offering the waiting list; the cohort is never over capacity.

On PostgreSQL real threads race, each with its own connection and transaction: the conditional UPDATE
(`places_taken < capacity`) of the later ones waits for the first one's row lock and then finds no place left.
Their rows must be committed for every connection to see them, so that test builds the rows it needs without
audit events (the audit trail is append-only) and removes them afterwards. On SQLite (one writer at a time)
the same calls are interleaved, each booker holding the cohort as it was before anyone booked.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date, time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from commonground.access import gateway
from commonground.accounts.choices import AccountKind, Role
from commonground.accounts.models import Organisation, User
from commonground.groups import services
from commonground.groups.choices import EnrolmentSource, EnrolmentStatus
from commonground.groups.models import Cohort, Enrolment, Programme
from commonground.patients import services as patients_services
from commonground.patients.models import Consent, Patient

pytestmark = pytest.mark.django_db

BOOKERS = 4


def test_two_coordinators_booking_the_last_place_one_succeeds_the_other_is_told_clearly(
    cohort: Cohort, ada: Any, grace: Any, coordinator: Any, facilitator: Any, make_member: Any
) -> None:
    from tests.personas import make_patient

    hana = make_patient(cohort.organisation, coordinator, given="Hana", family="Kim")
    ivo = make_patient(cohort.organisation, coordinator, given="Ivo", family="Berg")
    # Both opened the cohort page when one place was left.
    alices, fionas = Cohort.objects.get(pk=cohort.pk), Cohort.objects.get(pk=cohort.pk)
    assert alices.places_taken == fionas.places_taken == 2
    first = services.enrol(alices, hana, source=EnrolmentSource.CARE_PLAN, consent_given=True, by=coordinator)
    with pytest.raises(services.CohortFull) as full:
        services.enrol(fionas, ivo, source=EnrolmentSource.CARE_PLAN, consent_given=True, by=facilitator)
    assert first.status == EnrolmentStatus.ENROLLED
    assert full.value.message == "The last place has just been taken. You can put Ivo on the waiting list."
    assert Cohort.objects.get(pk=cohort.pk).places_taken == 3
    assert not Enrolment.objects.filter(patient=ivo).exists()
    assert not Consent.objects.filter(patient=ivo, scope="group_participation").exists()  # nothing left behind


def test_many_bookers_for_the_last_place_exactly_one_succeeds(
    monkeypatch: pytest.MonkeyPatch, cohort: Cohort, ada: Any, grace: Any, coordinator: Any
) -> None:
    if connection.vendor == "postgresql":
        _threads_on_postgresql(monkeypatch)
        return
    from tests.personas import make_patient

    patients = [make_patient(cohort.organisation, coordinator, given=f"P{n}", family="Race") for n in range(BOOKERS)]
    stale = [Cohort.objects.get(pk=cohort.pk) for _ in patients]
    results = []
    for held, patient in zip(stale, patients, strict=True):
        try:
            services.enrol(held, patient, source=EnrolmentSource.CARE_PLAN, consent_given=True, by=coordinator)
            results.append("enrolled")
        except services.CohortFull:
            results.append("full")
    assert results == ["enrolled"] + ["full"] * (BOOKERS - 1)
    assert Cohort.objects.get(pk=cohort.pk).places_taken == 3


# --- PostgreSQL: real threads ---------------------------------------------------------------------------------


def _threads_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    silent = lambda *args, **kwargs: None  # noqa: E731 (the audit trail is append-only: no events from this test)
    monkeypatch.setattr(gateway, "record_patient_access", silent)
    monkeypatch.setattr(patients_services, "record_patient_access", silent)
    ids = _in_thread(_committed_cohort)
    try:
        results = _race(ids)
        assert sorted(results.values()) == ["enrolled"] + ["full"] * (BOOKERS - 1), results
        cohort = _in_thread(lambda: Cohort.objects.get(pk=ids["cohort"]))
        assert cohort.places_taken == cohort.capacity == 1
        enrolled = _in_thread(lambda: Enrolment.objects.filter(cohort_id=ids["cohort"]).count())
        assert enrolled == 1
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


def _committed_cohort() -> dict[str, Any]:
    """The fewest rows a booking needs: a clinic, coordinators, patients, a programme and a one-place cohort."""
    tag = uuid.uuid4().hex[:8]
    clinic = Organisation.objects.create(name=f"Race clinic {tag}", slug=f"race-{tag}", time_zone="Europe/Amsterdam")
    people = [
        User.objects.create(
            username=f"race-{tag}-{n}", organisation=clinic, kind=AccountKind.STAFF, role=Role.CARE_COORDINATOR
        )
        for n in range(BOOKERS)
    ]
    patients = [
        Patient(
            organisation=clinic,
            record_number=f"R-{tag}-{n}",
            given_name=f"Race{n}",
            family_name="Test",
            date_of_birth=date(1980, 1, 1),
            time_zone="Europe/Amsterdam",
        )
        for n in range(BOOKERS)
    ]
    Patient.objects.bulk_create(patients)
    programme = Programme(organisation=clinic, name="Race", created_by=people[0])
    Programme.objects.bulk_create([programme])
    cohort = Cohort(
        organisation=clinic,
        programme=programme,
        name="Race",
        capacity=1,
        starts_on=date(2026, 3, 2),
        session_time=time(14, 0),
        session_minutes=90,
        created_by=people[0],
    )
    Cohort.objects.bulk_create([cohort])
    return {
        "clinic": clinic.id,
        "people": [p.id for p in people],
        "patients": [p.id for p in patients],
        "programme": programme.id,
        "cohort": cohort.id,
    }


def _race(ids: dict[str, Any]) -> dict[int, str]:
    start = threading.Barrier(BOOKERS)
    results: dict[int, str] = {}

    def book(n: int) -> None:
        try:
            cohort = Cohort.objects.select_related("organisation").get(pk=ids["cohort"])
            person = User.objects.get(pk=ids["people"][n])
            patient = Patient.objects.get(pk=ids["patients"][n])
            start.wait(10)
            try:
                with transaction.atomic():
                    services.enrol(cohort, patient, source=EnrolmentSource.CARE_PLAN, consent_given=True, by=person)
                results[n] = "enrolled"
            except services.CohortFull as full:
                results[n] = "full" if "The last place has just been taken" in full.message else full.message
            except Exception as error:
                results[n] = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _remove(ids: dict[str, Any]) -> None:
    enrolments = Enrolment.objects.filter(cohort_id=ids["cohort"])
    consents = list(enrolments.values_list("consent_id", flat=True))
    Enrolment.history.filter(cohort_id=ids["cohort"]).delete()
    enrolments.delete()
    Consent.history.filter(id__in=consents).delete()
    Consent.objects.filter(id__in=consents).delete()
    Cohort.history.filter(id=ids["cohort"]).delete()
    Cohort.objects.filter(pk=ids["cohort"]).delete()
    Programme.objects.filter(pk=ids["programme"]).delete()
    Patient.objects.filter(pk__in=ids["patients"]).delete()
    User.objects.filter(pk__in=ids["people"]).delete()
    Organisation.objects.filter(pk=ids["clinic"]).delete()
