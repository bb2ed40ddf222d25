"""Issue 3, item 7: the caseload and the chart use a fixed number of queries, however many patients.

A page that grows an N+1 query fails here, independent of the machine's speed.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.careteam import services as team_services
from commonground.patients import services as patient_services
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db

# The pinned counts. Reads run in autocommit (decision 0009), so no savepoint pair.
# Caseload: session, user, organisation (its time zone), the caseload query, the audit insert.
# Chart: session, user, organisation, patient, care-team check, audit insert, team, episode, identifiers,
# members. If a change needs more, say why in the commit and update them here.
CASELOAD_QUERIES = 5
CHART_QUERIES = 10


def _steady(client):
    """The first request of a test session starts its clock (one session write); measure after it."""
    client.get(reverse("portal:today"))
    return client


def _caseload_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("clinician:caseload")).status_code == 200
    return len(captured)


def _grow_caseload(clinic, coordinator, therapist, count: int, start: int) -> None:
    for number in range(start, start + count):
        patient = make_patient(clinic, coordinator, given=f"P{number}", family=f"Family{number:03d}")
        team_services.add_member(patient, staff=therapist)
        patient_services.open_episode(patient, started_on=patient.created_at.date())


def test_the_caseload_query_count_does_not_grow_with_the_caseload(clinic, coordinator, therapist):
    client = _steady(signed_in(coordinator))
    _grow_caseload(clinic, coordinator, therapist, 3, 0)
    few = _caseload_queries(client)
    _grow_caseload(clinic, coordinator, therapist, 30, 3)
    many = _caseload_queries(client)
    assert few == many == CASELOAD_QUERIES


def test_the_chart_query_count_does_not_grow_with_the_care_team(
    clinic, patient_record, coordinator, therapist, outsider, psychiatrist
):
    client = _steady(signed_in(coordinator))
    url = reverse("clinician:chart", args=[patient_record.id])
    with CaptureQueriesContext(connection) as small_team:
        assert client.get(url).status_code == 200
    for colleague in (outsider, psychiatrist):
        team_services.add_member(patient_record, staff=colleague)
    patient_services.add_identifier(patient_record, system="national", value="123456782")
    with CaptureQueriesContext(connection) as large_team:
        assert client.get(url).status_code == 200
    assert len(small_team) == len(large_team) == CHART_QUERIES
