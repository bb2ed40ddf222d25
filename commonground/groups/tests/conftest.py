"""Shared fixtures of the groups tests: a facilitator, the standard programme, a cohort of three places with
Ada and Grace enrolled, and helpers to enrol more members."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from commonground.accounts.choices import Role
from commonground.groups import services
from commonground.groups.choices import EnrolmentSource
from commonground.groups.models import Cohort, Enrolment, Programme
from commonground.kit import clock
from commonground.notifications.transports import MemoryTransport
from tests.personas import make_patient, make_patient_user, make_staff

STARTS_ON = date(2026, 3, 2)  # a Monday
# The tests live four weeks before the group starts (a group is planned ahead; attendance is taken once a
# session's time has come: those tests move the clock on with `clock.pinned`).
PLANNING_NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def planning_time() -> Iterator[None]:
    with clock.pinned(PLANNING_NOW):
        yield


@pytest.fixture(autouse=True)
def empty_outbox() -> Any:
    MemoryTransport.outbox.clear()
    yield
    MemoryTransport.outbox.clear()


@pytest.fixture
def facilitator(clinic: Any) -> Any:
    return make_staff(clinic, "fiona", Role.GROUP_FACILITATOR, email="fiona@riverside.test")


@pytest.fixture
def programme(clinic: Any, facilitator: Any) -> Programme:
    return services.create_programme_from_template(clinic, by=facilitator)


def cohort_details(**changes: Any) -> dict[str, Any]:
    details = {
        "name": "Spring group",
        "capacity": 3,
        "starts_on": STARTS_ON,
        "session_time": time(14, 0),
        "place": "Room 2, Riverside clinic",
        "online_link": "",
    }
    return details | changes


@pytest.fixture
def cohort(programme: Programme, facilitator: Any) -> Cohort:
    return services.create_cohort(programme, details=cohort_details(), facilitators=[facilitator], by=facilitator)


def enrol(cohort: Cohort, patient: Any, by: Any, **kwargs: Any) -> Enrolment:
    kwargs.setdefault("source", EnrolmentSource.CARE_PLAN)
    kwargs.setdefault("consent_given", True)
    return services.enrol(cohort, patient, by=by, **kwargs)


@pytest.fixture
def ada(cohort: Cohort, patient_record: Any, patient_user: Any, facilitator: Any) -> Enrolment:
    patient_user.email = "ada@home.test"
    patient_user.save()
    return enrol(cohort, patient_record, facilitator, wants_partner=True)


@pytest.fixture
def grace(cohort: Cohort, other_patient_record: Any, other_patient_user: Any, facilitator: Any) -> Enrolment:
    other_patient_user.email = "grace@home.test"
    other_patient_user.save()
    return enrol(cohort, other_patient_record, facilitator, wants_partner=True)


@pytest.fixture
def make_member(clinic: Any, coordinator: Any, cohort: Cohort, facilitator: Any) -> Any:
    made = {"n": 0}

    def _make(given: str = "Hana", family: str = "Kim", *, with_user: bool = True, **kwargs: Any) -> Enrolment:
        made["n"] += 1
        patient = make_patient(clinic, coordinator, given=given, family=f"{family}{made['n']}")
        if with_user:
            make_patient_user(clinic, patient, f"{given.lower()}{made['n']}")
        return enrol(kwargs.pop("cohort", cohort), patient, facilitator, **kwargs)

    return _make
